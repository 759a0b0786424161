"""What a learner sees at the terminal around the pictures: the surface's legend tells the truth
about the minimum, `derive` and `nudge` show their arguments by name, and the exit code of a
diverging run is the same for `train`, `surface` and `step`.
"""

from __future__ import annotations

import math

import pytest

from backprop_cli.analysis.surface import zero_curve
from backprop_cli.cli import main
from backprop_cli.network.engine import Engine
from backprop_cli.network.model import load


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# -- the surface's legend ----------------------------------------------------------------------------


def test_surface_legend_says_the_minimum_is_the_valley_not_the_lowest_cell(capsys):
    """Lesson 5 says the minimum is a curved valley; the legend used to call one cell 'the lowest'
    (L = 8.477×10⁻⁵) right under E with L = 0."""
    code, out, _ = run(capsys, "surface")
    assert code == 0
    text = " ".join(out.split())  # the legend may wrap
    assert "The minimum is not a point: L = 0 all along the valley w1·w2 = 10." in text
    assert "M = the lowest of the 80 × 22 cells sampled on this grid: " in text
    assert "(between the samples the loss is lower still: see E)" in text
    assert "M = the lowest cell:" not in text


def test_surface_legend_has_no_valley_sentence_where_the_loss_never_reaches_0(capsys):
    code, out, _ = run(capsys, "surface", "-n", "sigmoid")
    assert code == 0
    assert "L = 0 all along" not in out
    assert "M = the lowest of the " in " ".join(out.split())


@pytest.mark.parametrize(("network", "params", "curve"), [
    ("simple", ("w1", "w2"), "w1·w2 = 10"),
    ("sigmoid", ("w1", "w2"), None),
])
def test_zero_curve(network, params, curve):
    assert zero_curve(load(network), params) == curve


def test_zero_curve_is_none_when_the_polynomial_has_no_real_zero(tmp_path):
    net = tmp_path / "never.yaml"
    from importlib import resources

    simple = (resources.files("backprop_cli") / "networks" / "simple.yaml").read_text(encoding="utf-8")
    net.write_text(simple.replace("y_hat: h*w2", "y_hat: w1^2 + w2^2 + 21"), encoding="utf-8")
    assert zero_curve(load(str(net)), ("w1", "w2")) is None  # y = 20 is never reached: no valley at L = 0


# -- arguments shown by name -----------------------------------------------------------------------


@pytest.mark.parametrize(("command", "name"), [("derive", "EXPR"), ("nudge", "PARAM=DELTA")])
def test_help_shows_the_argument_by_name_not_a_python_type(capsys, command, name):
    code, out, _ = run(capsys, command, "--help")
    assert code == 0
    assert "<list[str]>" not in out and "<str>" not in out.split("Options:")[0]
    arguments = out.split("Arguments:")[1].split("Options:")[0]
    assert arguments.split()[0] == name


@pytest.mark.parametrize(("command", "name"), [("derive", "EXPR"), ("nudge", "PARAM=DELTA")])
def test_a_missing_argument_is_named(capsys, command, name):
    code, _, err = run(capsys, command)
    assert code == 2
    assert f"Missing argument '{name}'" in err
    assert "list[str]" not in err


# -- one exit-code rule for a diverging run ----------------------------------------------------------


def test_train_exits_1_when_a_requested_run_overflows(capsys):
    code, out, _ = run(capsys, "train", "--lr", "0.05", "--steps", "60")
    assert code == 1
    assert "Diverging: α = 0.05 (overflows at step 10)" in " ".join(out.split())


def test_train_exits_1_when_any_of_several_runs_overflows(capsys):
    code, _, _ = run(capsys, "train", "--lr", "0.01,0.05", "--steps", "60")
    assert code == 1


def test_train_exits_0_when_the_loss_rises_but_stays_finite_as_step_does(capsys):
    """The same 3 steps at α = 0.05: 162 → 321.7, finite; `step` exits 0 for it, so `train` does too."""
    run3 = Engine(load("simple")).train(0.05, 3)
    assert run3.diverged_at is None and run3.loss_after > 162
    code, out, _ = run(capsys, "train", "--lr", "0.05", "--steps", "3")
    assert code == 0
    assert "Rising: α = 0.05 (above its start from step 3)" in " ".join(out.split())
    assert "Diverging" not in out
    assert run(capsys, "step", "--lr", "0.05", "--steps", "3")[0] == 0


def test_step_follows_the_same_rule(capsys):
    code, _, err = run(capsys, "step", "--lr", "0.05", "--steps", "60")
    assert code == 1
    assert "overflowed or became NaN at step 10" in err


def test_surface_exits_1_when_its_descent_overflows(capsys):
    run_ = Engine(load("simple")).train(0.1, 30)
    assert run_.diverged_at is not None
    code, out, _ = run(capsys, "surface", "--lr", "0.1")
    assert code == 1
    assert f"the descent diverged at step {run_.diverged_at}" in out


def test_train_converging_exits_0(capsys):
    code, out, _ = run(capsys, "train", "--lr", "0.01", "--steps", "100")
    assert code == 0
    final = [line for line in out.splitlines() if line.strip().startswith("0.01")]
    assert final and "converged" in final[0]
    assert not math.isnan(float(final[0].split()[2]))
