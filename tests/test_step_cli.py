"""`backprop step`: the JSON document, the human report, the options, and every error as one line.

Expected numbers come from the engine (or from the source's worked example where the issue
fixes them); the CLI must show the same truth, unrounded in JSON.
"""

from __future__ import annotations

import io
import json
import math

import pytest
import sympy

from backprop_cli import notation as nt
from backprop_cli.cli import main
from backprop_cli.network import calculator
from backprop_cli.network.engine import Engine
from backprop_cli.network.graph import LOSS
from backprop_cli.network.model import load
from backprop_cli.render.theme import console
from backprop_cli.render.training_step import run_view

#: The default document: no per-step history (that is asked for with --history).
JSON_KEYS = {"network", "lr", "steps", "forward", "loss", "gradients", "parameters", "loss_after"}


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["step", *args])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *args: str) -> dict:
    code, out, err = run_cli(capsys, *args, "--json")
    assert code == 0, err
    assert err == ""
    return json.loads(out)  # exactly one JSON document: json.loads refuses trailing text


# --------------------------------------------------------------------------------------------
# --json
# --------------------------------------------------------------------------------------------


def test_json_document_of_one_step_of_the_simple_network(capsys):
    doc = run_json(capsys)
    assert set(doc) == JSON_KEYS  # no "history" unless asked for
    assert doc["network"] == "simple" and doc["lr"] == 0.01 and doc["steps"] == 1
    assert doc["forward"] == {"h": 4.0, "y_hat": 2.0}
    assert doc["loss"] == 162.0
    assert doc["gradients"] == {"w1": -18.0, "w2": -72.0}
    assert doc["parameters"] == {"w1": pytest.approx(2.18, rel=1e-15), "w2": pytest.approx(1.22, rel=1e-15)}
    assert math.isclose(doc["loss_after"], 107.76294432, rel_tol=1e-14)
    with_history = run_json(capsys, "--history")
    assert set(with_history) == JSON_KEYS | {"history"}
    assert {k: v for k, v in with_history.items() if k != "history"} == doc
    assert with_history["history"] == {
        "step": [1], "loss": [162.0],
        "gradients": {"w1": [-18.0], "w2": [-72.0]},
        "parameters": {"w1": [doc["parameters"]["w1"]], "w2": [doc["parameters"]["w2"]]},
    }


def test_default_json_of_many_steps_has_no_per_step_history(capsys):
    code, out, err = run_cli(capsys, "--steps", "500", "--json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert set(doc) == JSON_KEYS and doc["steps"] == 500
    assert len(out) < 600  # a few lines, whatever the number of steps
    run = Engine(load("simple")).train(0.01, 500)
    assert doc["parameters"] == dict(run.parameters) and doc["loss_after"] == run.loss_after
    assert doc["gradients"] == dict(run.history[0].gradients)  # the first step's, as for one step


def test_json_history_holds_every_step_bit_for_bit(capsys):
    doc = run_json(capsys, "--network", "sigmoid", "--steps", "3", "--history")
    net = load("sigmoid")
    engine = Engine(net)
    d = engine.step_detail(0.1)
    assert doc["lr"] == 0.1
    assert doc["forward"] == {n.name: d.before.values[n.name] for n in net.hidden}
    assert doc["loss"] == d.before.loss
    assert doc["gradients"] == dict(d.gradients)  # bit-for-bit: no rounding anywhere
    run = engine.train(0.1, 3)
    assert doc["parameters"] == dict(run.parameters)
    assert doc["loss_after"] == run.loss_after
    history = doc["history"]
    assert history["step"] == [1, 2, 3]
    assert history["loss"] == [h.loss for h in run.history]
    for p in net.parameters:
        assert history["gradients"][p] == [h.gradients[p] for h in run.history]
        assert history["parameters"][p] == [h.parameters[p] for h in run.history]
        assert history["gradients"][p][0] == doc["gradients"][p]
        assert history["parameters"][p][-1] == doc["parameters"][p]
    # each history loss is the loss before that step's update, at the previous step's parameters
    assert history["loss"][0] == doc["loss"]
    after_first = {p: history["parameters"][p][0] for p in net.parameters}
    second = engine.forward({**{k: float(v) for k, v in net.leaves().items()}, **after_first})
    assert history["loss"][1] == second[LOSS]


def test_history_without_json_is_refused(capsys):
    code, out, err = run_cli(capsys, "--history")
    assert code == 2 and out == "" and "--history goes with --json" in err


def test_thirty_steps_reach_the_sources_weights(capsys):
    doc = run_json(capsys, "--steps", "30", "--history")
    assert len(doc["history"]["loss"]) == 30 and doc["steps"] == 30
    assert round(doc["parameters"]["w1"], 3) == 3.391
    assert round(doc["parameters"]["w2"], 3) == 2.949
    assert doc["history"]["parameters"]["w1"][-1] == doc["parameters"]["w1"]
    assert doc["history"]["gradients"]["w2"][0] == doc["gradients"]["w2"]
    assert doc["loss_after"] < 1e-6


def test_set_overrides_values_and_changes_the_numbers(capsys):
    doc = run_json(capsys, "--set", "w1=3", "--set", "x=1")
    net = load("simple").with_values({"w1": sympy.Integer(3), "x": sympy.Integer(1)})
    d = Engine(net).step_detail(0.01)
    assert doc["forward"] == {"h": 3.0, "y_hat": 1.5}
    assert doc["loss"] == d.before.loss == (20 - 1.5) ** 2 / 2
    assert doc["gradients"] == dict(d.gradients)
    assert doc["parameters"] == {u.parameter: u.new for u in d.updates}
    assert doc["loss"] != run_json(capsys)["loss"]


def test_set_accepts_exact_constant_values(capsys):
    doc = run_json(capsys, "--network", "sigmoid", "--set", "w3=1/4", "--set", "y=0")
    net = load("sigmoid").with_values({"w3": sympy.Rational(1, 4), "y": sympy.Integer(0)})
    assert doc["gradients"] == dict(Engine(net).step_detail(0.1).gradients)


def test_learning_rate_defaults_to_the_networks_else_0_01(capsys, tmp_path):
    assert run_json(capsys, "--network", "sigmoid")["lr"] == 0.1
    assert run_json(capsys, "--network", "simple")["lr"] == 0.01
    path = tmp_path / "no_rate.yaml"
    path.write_text("name: plain\ninputs: {x: 1}\nparameters: {w: 3}\nloss: (w*x - 1)^2\n", encoding="utf-8")
    doc = run_json(capsys, "--network", str(path))
    assert doc["lr"] == calculator.DEFAULT_LR == 0.01
    assert doc["parameters"] == {"w": 3 - 0.01 * 4}  # ∂/∂w (w − 1)² = 2(w − 1) = 4
    assert run_json(capsys, "--network", "sigmoid", "--lr", "0.5")["lr"] == 0.5


# --------------------------------------------------------------------------------------------
# Errors: one line on stderr, exit 2, no traceback
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--set", "w1"], "write NAME=VALUE"),
        (["--set", "=3"], "write NAME=VALUE"),
        (["--set", "w1="], "write NAME=VALUE"),
        (["--set", "q=1"], "'q' is not an input, target, constant or parameter"),
        (["--set", "h=1"], "a node is computed, not set"),
        (["--set", "w1=abc"], "unknown name 'abc'"),
        (["--set", "w1=1/0"], "division by zero"),
        (["--lr", "0"], "--lr must be a positive number"),
        (["--lr", "-1"], "--lr must be a positive number"),
        (["--lr", "nan"], "--lr must be a positive number"),
        (["--lr", "inf"], "--lr must be a positive number"),
        (["--lr", "fast"], "--lr"),
        (["--steps", "0"], "--steps must be between 1"),
        (["--network", "no-such-file.yaml"], "no network 'no-such-file.yaml'"),
        (["--network", "sigmoid", "--set", "x=1"], "the network has x1, x2, y, w1, w2, w3"),
        (["--precision", "0"], "--precision"),
        (["--bogus"], "--bogus"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_bad_input_is_one_line_and_exit_2(capsys, args, words):
    code, out, err = run_cli(capsys, *args)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("backprop: error: "), err
    assert words in err
    assert "Traceback" not in err


def test_divergence_names_the_step_and_suggests_a_smaller_rate(capsys):
    run = Engine(load("simple")).train(1.0, 50)
    assert run.diverged_at is not None
    code, out, err = run_cli(capsys, "--lr", "1", "--steps", "50")
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert f"at step {run.diverged_at}" in err
    assert "smaller learning rate" in err and "--lr 0.1" in err
    # --json too: no half document on stdout
    code, out, err = run_cli(capsys, "--lr", "1", "--steps", "50", "--json")
    assert code == 1 and out == "" and f"at step {run.diverged_at}" in err


# --------------------------------------------------------------------------------------------
# The human report
# --------------------------------------------------------------------------------------------


def render(network: str = "simple", steps: int = 1, digits: int = 6, width: int = 120, sets=()) -> list[str]:
    net, run = calculator.step(network, None, steps, sets)
    buffer = io.StringIO()
    console(file=buffer, width=width).print(run_view(net, run, digits))
    return [line.rstrip() for line in buffer.getvalue().splitlines()]


def cells(line: str) -> list[str]:
    return [c for c in line.strip().split("  ") if c.strip()]


def row(lines: list[str], first: str, start: int = 0) -> list[str]:
    """The cells of the first table row (at or after ``start``) whose first cell is ``first``."""
    for line in lines[start:]:
        c = cells(line)
        if c and c[0].strip() == first:
            return [x.strip() for x in c]
    raise AssertionError(f"no row {first!r} in\n" + "\n".join(lines))


def test_human_report_follows_the_source_for_the_simple_network():
    lines = render()
    text = "\n".join(lines)
    order = ["Forward pass", "Loss: 162", "Backward pass", "∂L/∂w1", "∂L/∂w2", "Update",
             "Forward pass after the update", "New loss: 107.763"]
    positions = [text.index(word) for word in order]
    assert positions == sorted(positions), "sections out of the source's order"

    assert row(lines, "h") == ["h", "x·w1", "2·2", "4"]  # as the network file writes it
    assert row(lines, "ŷ") == ["ŷ", "h·w2", "4·0.5", "2"]
    assert row(lines, "L") == ["L", "(y − ŷ)²/2", "(20 − 2)²/2", "162"]
    # the chain of ∂L/∂w1: symbols, formulas, numbers
    start = next(i for i, line in enumerate(lines) if line.startswith("∂L/∂w1 ="))
    assert lines[start].split("=", 1)[1].split() == ["∂L/∂ŷ", "·", "∂ŷ/∂h", "·", "∂h/∂w1"]
    assert "(ŷ − y) · w2 · x" in lines[start + 1]
    assert lines[start + 2].strip() == "= (−18) · 0.5 · 2 = −18"
    # the update table: old, gradient, −α·gradient, new
    update = next(i for i, line in enumerate(lines) if line.startswith("Update"))
    assert row(lines, "w1", update) == ["w1", "2", "−18", "0.18", "2.18"]
    assert row(lines, "w2", update) == ["w2", "0.5", "−72", "0.72", "1.22"]
    after = next(i for i, line in enumerate(lines) if line.startswith("Forward pass after"))
    assert row(lines, "ŷ", after) == ["ŷ", "h·w2", "4.36·1.22", "5.3192"]
    new_loss = next(line for line in lines if line.startswith("New loss"))
    assert new_loss.startswith("New loss: 107.763   (change −54.2371, −33.5%)")


def test_human_report_through_the_cli(capsys):
    code, out, err = run_cli(capsys)
    assert code == 0 and err == ""
    for words in ("Forward pass", "∂L/∂w1", "∂L/∂w2", "Update", "New loss: 107.763"):
        assert words in out


def test_precision_changes_the_digits_shown(capsys):
    six = "\n".join(render("sigmoid", digits=6))
    three = "\n".join(render("sigmoid", digits=3))
    d = Engine(load("sigmoid")).step_detail(0.1)
    assert f"New loss: {nt.number(d.after.loss, 6)}" in six and nt.number(d.after.loss, 6) == "0.102313"
    assert f"New loss: {nt.number(d.after.loss, 3)}" in three and nt.number(d.after.loss, 3) == "0.102"
    assert nt.number(d.before.values["h1"], 6) in six and nt.number(d.before.values["h1"], 6) not in three
    code, out, _ = run_cli(capsys, "--network", "sigmoid", "--precision", "3")
    assert code == 0 and "New loss: 0.102 " in out and "0.102313" not in out


def test_many_steps_show_a_table_and_the_first_steps_details():
    lines = render("simple", steps=30)
    text = "\n".join(lines)
    assert "New loss: 107.763" in text  # the first step in detail
    assert "30 steps" in text
    run = Engine(load("simple")).train(0.01, 30)
    assert row(lines, "30")[2:] == [nt.number(run.parameters["w1"], 6), nt.number(run.parameters["w2"], 6)]
    assert "⋮" in text  # 30 rows are elided in the middle
    assert f"w1 = {nt.number(run.parameters['w1'], 6)}" in text


def test_narrow_terminal_still_renders():
    lines = render("sigmoid", width=60)
    assert all(len(line) <= 60 for line in lines)
    assert any(line.startswith("New loss") for line in lines)


@pytest.mark.parametrize("command", ["step", "train"])
def test_a_loss_that_overflows_before_any_step_is_a_usage_error_not_a_rate_problem(capsys, command):
    """'try a smaller learning rate' was the advice even when the starting loss itself overflowed."""
    from backprop_cli.cli import main

    code = main([command, "--set", "w1=1e100", "--set", "w2=1e100"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "cannot be computed at the starting values" in err and "learning rate" not in err


def test_a_narrow_terminal_folds_a_long_chain_under_its_own_equals_sign():
    """At 60 columns the sigmoid network's ∂L/∂w1 line is too long: its value folds to the right of
    '∂L/∂w1 = ', never to column 0 where it would read as a line of its own."""
    import io

    from backprop_cli.network.engine import Engine
    from backprop_cli.network.model import load
    from backprop_cli.render.theme import console
    from backprop_cli.render.training_step import backward_view

    detail = Engine(load("sigmoid")).step_detail(0.1)
    out = io.StringIO()
    console(file=out, width=60).print(backward_view(detail, 6))
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    assert all(len(line) <= 60 for line in lines)
    assert "−0.0131877" in out.getvalue()
    assert not any(line.startswith(("−", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9")) for line in lines)
    assert any(line.startswith("         −0.0131877") for line in lines)
