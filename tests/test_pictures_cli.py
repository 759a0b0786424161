"""The picture commands end to end: key lines of the output at a fixed width, the source's figures,
--dot, --export, NO_COLOR, narrow terminals, `step --check`, and every error as one line, exit 2.

Expected numbers are formatted from the engine or SymPy with the same `notation` the views use.
"""

from __future__ import annotations

import json
import re

import pytest

from backprop_cli import notation as nt
from backprop_cli.analysis.calculus import derive
from backprop_cli.cli import main
from backprop_cli.network.engine import Engine
from backprop_cli.network.model import load


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys, *args: str) -> str:
    """The output of a command that worked: exit 0, or 1 for `train` with α = 0.05 among its rates,
    whose loss overflows (the output is still shown; the exit code says a run diverged)."""
    code, out, err = run(capsys, *args)
    diverges = args[0] == "train" and "0.05" in next((a for a in args if "," in a or a == "0.05"), "").split(",")
    assert code == (1 if diverges else 0), err
    return out


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


# -- derive ---------------------------------------------------------------------------------------


def test_derive_source_polynomial_key_lines(capsys):
    out = lines(ok(capsys, "derive", "x^3 - 3x^2 + 2x + 1", "--at", "x=2", "--nudge", "x=0.1"))
    assert "f(x) = x³ − 3·x² + 2·x + 1" in out
    assert "└── sum rule  d/dx (x³ − 3·x² + 2·x + 1) = 3·x² − 6·x + 2 + 0 = 3·x² − 6·x + 2" in out
    assert "    ├── power rule  d/dx x³ = 3·x²" in out
    assert "    ├── constant multiple rule  d/dx (−3·x²) = (−3)·2·x = −6·x" in out
    assert "f′(x) = 3·x² − 6·x + 2" in out
    assert "f′(2) = 3·(2)² − 6·2 + 2 = 2" in out
    # the source's small-change check: predicted 0.2, actual 0.231
    assert "predicted  Δf ≈ f′(2)·Δx = 2·0.1 = 0.2" in out
    assert "actual     Δf = f(2.1) − f(2) = 1.231 − 1 = 0.231" in out
    n = derive("x^3 - 3x^2 + 2x + 1", at="x=2", nudge="x=0.1").nudge
    assert f"(relative error {nt.number(100 * n.relative_error, 3)}%)" in " ".join(out)
    assert any("┤" in line and re.search("[\u2801-\u28ff]", line) for line in out)  # the tangent plot
    assert "f = f(x)   t = tangent line (slope 2)   ● = (2, 1)" in out


def test_derive_gradient_key_lines(capsys):
    out = lines(ok(capsys, "derive", "x^2 + y^2", "--at", "x=3,y=4", "--nudge", "x=0.1,y=0.2"))
    assert "└── sum rule  ∂/∂x (x² + y²) = 2·x + 0 = 2·x" in out
    assert "    └── constant rule  ∂/∂x y² = 0" in out
    assert "∇f = (2·x, 2·y)" in out
    assert "∇f(3, 4) = (6, 8)" in out
    # the source: 6·0.1 + 8·0.2 = 2.2 predicted, 27.25 − 25 = 2.25 actual
    assert "predicted  Δf ≈ ∂f/∂x·Δx + ∂f/∂y·Δy = 6·0.1 + 8·0.2 = 0.6 + 1.6 = 2.2" in out
    assert "actual     Δf = f(3.1, 4.2) − f(3, 4) = 27.25 − 25 = 2.25" in out
    assert not any(re.search("[\u2801-\u28ff]", line) for line in out)  # no tangent for two variables


def test_derive_chain_rule_and_no_plot(capsys):
    out = lines(ok(capsys, "derive", "(2x+3)^2", "--at", "x=1", "--no-plot"))
    assert "└── chain rule  d/dx (2·x + 3)² = 2·(2·x + 3)·2 = 8·x + 12" in out
    assert "    outer u² with u = 2·x + 3: (d/du of the outer) · (du/dx)" in out
    assert "    ├── power rule  d/du u² = 2·u" in out
    assert not any("┤" in line for line in out)


# -- nudge and step --check -----------------------------------------------------------------------


def test_nudge_source_figures(capsys):
    out = lines(ok(capsys, "nudge", "w2=0.1"))
    assert "predicted  ΔL ≈ (−72)·0.1 = −7.2" in out
    assert "actual     ΔL = L(new) − L(old) = 154.88 − 162 = −7.12" in out
    assert "difference 0.08  (relative error 1.12%)" in out
    assert "the loss falls" in out
    row = next(line for line in out if line.strip().startswith("w2"))
    assert row.split() == ["w2", "0.5", "+0.1", "0.6", "−72", "−7.2"]


def test_nudge_takes_comma_separated_changes_like_derive(capsys):
    """derive --nudge x=0.1,y=0.2 taught the comma form; nudge w1=0.1,w2=0.1 was refused as 'an equation'."""
    assert ok(capsys, "nudge", "w1=0.1,w2=0.1") == ok(capsys, "nudge", "w1=0.1", "w2=0.1")


def test_nudge_that_changes_nothing_says_so(capsys):
    out = lines(ok(capsys, "nudge", "w2=0"))
    assert "the loss stays the same" in out and "the loss rises" not in out


def test_nudge_with_set_and_another_network(capsys):
    out = ok(capsys, "nudge", "-n", "sigmoid", "--set", "w3=1", "w3=-0.1")
    net = load("sigmoid").with_values({"w3": 1})
    engine = Engine(net)
    start = {k: float(v) for k, v in net.leaves().items()}
    actual = engine.forward({**start, "w3": 0.9})["loss"] - engine.forward(start)["loss"]
    assert f"= {nt.number(actual)}" in out


def test_step_check_adds_finite_difference_columns(capsys):
    out = lines(ok(capsys, "step", "--check"))
    header = next(line for line in out if "finite diff." in line)
    assert header.split() == ["parameter", "∂L/∂w", "finite", "diff.", "rel.", "error"]
    w2 = next(line for line in out if line.strip().startswith("w2") and "×10" in line)
    cells = w2.split()
    assert cells[1] == cells[2] == "−72"  # analytic and finite difference agree to 6 figures
    doc = json.loads(ok(capsys, "step", "--check", "--json", "-n", "sigmoid"))
    assert set(doc["check"]) == {"w1", "w2", "w3"}
    for name, check in doc["check"].items():
        assert check["analytic"] == doc["gradients"][name]
        assert check["relative_error"] < 1e-6
    plain = ok(capsys, "step")
    assert "finite diff." not in plain and '"check"' not in ok(capsys, "step", "--json")


# -- graph ----------------------------------------------------------------------------------------


def test_graph_tree_and_paths(capsys):
    out = lines(ok(capsys, "graph"))
    assert "L = (y − ŷ)²/2 = 162   ∂L/∂L = 1" in out
    assert "└── ŷ = h·w2 = 2   ∂L/∂ŷ = −18" in out
    assert "    edge ∂L/∂ŷ = ŷ − y = −18" in out
    assert "    ├── w2 (parameter) = 0.5   ∂L/∂w2 = −72" in out
    assert "    │   edge ∂ŷ/∂w2 = h = 4" in out
    assert "        └── w1 (parameter) = 2   ∂L/∂w1 = −18" in out
    assert "∂L/∂w2 = ∂L/∂ŷ · ∂ŷ/∂w2" in out
    assert "       = (−18) · 4 = −72" in out  # each "=" under the first one


def test_graph_writes_dot_and_prints_only_dot_with_dash(capsys, tmp_path):
    target = tmp_path / "g.dot"
    out = ok(capsys, "graph", "-n", "sigmoid", "--dot", str(target))
    assert "Computation graph" in out
    text = target.read_text(encoding="utf-8")
    assert text.startswith('digraph "sigmoid" {') and '"h1" -> "z2"' in text
    assert ok(capsys, "graph", "-n", "sigmoid", "--dot", "-") == text


# -- train ----------------------------------------------------------------------------------------


def test_train_plot_table_and_final_parameters(capsys):
    out = lines(ok(capsys, "train", "--steps", "30"))
    run = Engine(load("simple")).train(0.01, 30)
    final = ", ".join(f"{p} = {nt.number(v)}" for p, v in run.parameters.items())
    assert f"Final parameters: {final}" in out
    assert final.startswith("w1 = 3.39") and "w2 = 2.94" in final  # the source: 3.391, 2.949
    assert out[0].startswith("Gradient descent on simple from w1 = 2, w2 = 0.5, L = 162")
    assert sum(1 for line in out if "┤" in line) >= 3
    assert any(line.strip().startswith("0.01") and "converged" in line for line in out)


def test_train_several_rates_names_the_diverging_one(capsys):
    code, out, _ = run(capsys, "train", "--lr", "0.001,0.01,0.05", "--steps", "60")
    assert code == 1  # one rule with `step`: a requested run whose loss overflows fails the command
    wild_run = Engine(load("simple")).train(0.05, 60)
    assert "a α = 0.001   b α = 0.01   c α = 0.05" in out
    assert f"Diverging: α = 0.05 (overflows at step {wild_run.diverged_at})" in out
    assert "diverging curves leave through the top" in out
    assert "still falling" in out and out.count("converged") == 1
    wild = next(line for line in lines(out) if line.strip().startswith("0.05"))
    assert "NaN" not in wild and wild.split()[2] == "overflow"  # the final loss, not 'NaN'


def test_train_until(capsys):
    out = ok(capsys, "train", "--until", "1")
    run = Engine(load("simple")).train(0.01, 100, until=1)
    assert f"reached L ≤ 1 after {run.steps} steps" in out


# -- surface --------------------------------------------------------------------------------------


def test_surface_heat_map_marks_start_end_and_minimum(capsys):
    out = lines(ok(capsys, "surface", "--range", "w1=0:5,w2=0:4"))
    grid = [line for line in out if re.match(r"^\s*[\d.−]*[┤│]", line)]
    assert len(grid) >= 8
    body = "".join(line.split("┤", 1)[-1].split("│", 1)[-1] for line in grid)
    for mark in "SEM•·":
        assert mark in body
    assert set(body) <= set(" .:-=+*#%@SEM•·")
    assert "S = start (2, 0.5), L = 162" in out
    assert "E = after 30 steps at α = 0.01: (3.391, 2.949), L = 0" in out
    assert any(line.strip().startswith("loss ") and "[ .:-=+*#%@]" in line for line in out)


def test_surface_of_the_sigmoid_net_holds_the_third_weight(capsys):
    out = ok(capsys, "surface", "-n", "sigmoid", "--params", "w1,w3", "--steps", "5")
    assert "Loss of sigmoid over (w1, w3)   w2 = −0.3 held fixed" in out


def test_step_check_folds_no_number_at_80_columns(capsys, monkeypatch):
    """Seven columns in one table folded −0.0135517 into '−0.013551' over '7' at 80 columns."""
    monkeypatch.setenv("COLUMNS", "80")
    out = lines(ok(capsys, "step", "--check", "-n", "sigmoid", "--set", "w1=0.5"))
    for title in ("Update", "Gradient check"):
        start = next(i for i, line in enumerate(out) if line.startswith(title))
        rows = out[start + 4: start + 7]  # title, blank, header, rule, then one line per parameter
        assert [r.split()[0] for r in rows] == ["w1", "w2", "w3"], rows
        assert all(len(r.split()) == (5 if title == "Update" else 4) for r in rows), rows


# -- every view: NO_COLOR, narrow terminals, --export ---------------------------------------------

VIEWS = [
    ("derive", "x^3 - 3x^2 + 2x + 1", "--at", "x=2", "--nudge", "x=0.1"),
    ("derive", "x^2 + y^2", "--at", "x=3,y=4"),
    ("nudge", "w2=0.1"),
    ("graph", "-n", "sigmoid"),
    ("train", "--lr", "0.001,0.01,0.05", "--steps", "50"),
    ("surface",),
    ("step", "--check"),
]


@pytest.mark.parametrize("args", [v for v in VIEWS if v[0] != "step"], ids=lambda a: a[0])
def test_no_color_means_no_escape_codes_even_on_a_terminal(capsys, monkeypatch, args):
    monkeypatch.setenv("FORCE_COLOR", "1")  # Rich then treats captured output as a terminal
    assert "\x1b[" not in ok(capsys, *args)
    monkeypatch.delenv("NO_COLOR")
    assert "\x1b[" in ok(capsys, *args)  # the check above would catch colour: it is there without NO_COLOR


@pytest.mark.parametrize("args", VIEWS, ids=lambda a: a[0])
def test_narrow_terminal_lines_fit_in_40_columns(capsys, monkeypatch, args):
    monkeypatch.setenv("COLUMNS", "40")
    out = ok(capsys, *args)
    assert max(len(line) for line in out.splitlines()) <= 40


def test_train_table_in_60_columns_folds_numbers_instead_of_cutting_them(capsys, monkeypatch):
    """At 60 columns the results table showed '3.28487…' for 3.28487×10¹¹³ and 'conver…'."""
    monkeypatch.setenv("COLUMNS", "60")
    out = ok(capsys, "train", "--lr", "0.001,0.01,0.05", "--steps", "60")
    assert "…" not in out and "10¹¹³" in out
    assert max(len(line) for line in out.splitlines()) <= 60


def test_nudge_table_in_40_columns_keeps_every_digit(capsys, monkeypatch):
    """At 40 columns the sigmoid nudge table showed −0.0131877 as '−0.…'."""
    monkeypatch.setenv("COLUMNS", "40")
    out = ok(capsys, "nudge", "-n", "sigmoid", "w1=0.1", "w3=-0.2")
    assert "…" not in out and max(len(line) for line in out.splitlines()) <= 40


@pytest.mark.parametrize("suffix, start", [(".txt", "Computation graph"), (".html", "<!DOCTYPE html>"),
                                           (".svg", "<svg")])
def test_export_writes_what_was_shown(capsys, tmp_path, suffix, start):
    target = tmp_path / f"graph{suffix}"
    code, out, err = run(capsys, "graph", "--export", str(target))
    assert code == 0 and f"saved to {target}" in err
    text = target.read_text(encoding="utf-8")
    assert start in text
    if suffix == ".txt":
        assert text.strip() == out.strip()
    elif suffix == ".html":
        assert "∂L/∂w2 = −72" in text
    else:
        assert "∂L/∂w2" in text and "&#160;" in text  # Rich's SVG keeps spaces as non-breaking


def test_export_of_a_plot_keeps_the_plot(capsys, tmp_path):
    target = tmp_path / "train.txt"
    out = ok(capsys, "train", "--steps", "20", "--export", str(target))
    kept = target.read_text(encoding="utf-8")
    assert kept.strip() == out.strip() and "┤" in kept


def test_unknown_export_extension_is_refused_before_any_work(capsys, tmp_path):
    target = tmp_path / "graph.pdf"
    code, out, err = run(capsys, "graph", "--export", str(target))
    assert code == 2 and out == "" and not target.exists()
    assert err.count("\n") == 1 and "must end in .svg, .html, .txt" in err


# -- errors: one line, exit 2 ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("derive", "x^^2"), "'^' followed by '^'"),
        (("derive", "import os"), "unknown name 'import'"),
        (("derive", "x^2", "--wrt", "y"), "--wrt 'y'"),
        (("derive", "x^2", "--at", "x=abc"), "--at 'x=abc'"),
        (("derive", "x^2", "--at", "q=1"), "'q' is not in the expression"),
        (("derive", "x^2", "--nudge", "x=1"), "--nudge needs --at"),
        (("nudge", "w9=0.1"), "'w9' is not an input, target, constant or parameter"),
        (("nudge", "w2"), "write NAME=VALUE"),
        (("graph", "--dot", "/nonexistent/folder/g.dot"), "cannot write it"),
        (("train", "--lr", "0,0.1"), "--lr must be a positive number"),
        (("train", "--steps", "0"), "--steps must be between"),
        (("train", "-n", "nosuch"), "no network 'nosuch'"),
        (("surface", "--params", "w1,w9"), "'w9' is not a parameter"),
        (("surface", "--range", "w1=3:1"), "LOW must be below HIGH"),
        (("surface", "--range", "w1=0-5"), "NAME=LOW:HIGH"),
        (("surface", "--export", "s.png"), "must end in"),
    ],
)
def test_errors_are_one_line_and_exit_2(capsys, args, fragment):
    code, _out, err = run(capsys, *args)
    assert code == 2
    assert err.startswith("backprop: error: ") and err.count("\n") == 1
    assert fragment in err
    assert "Traceback" not in err


def test_help_does_not_import_sympy():
    import subprocess
    import sys

    code = "import sys; from backprop_cli import cli; print('sympy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
