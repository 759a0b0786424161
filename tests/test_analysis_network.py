"""The numbers behind `nudge`, `step --check`, `graph`, `train` and `surface`, against the engine,
and the source's figures (−7.2 vs −7.12; the descent from (2, 0.5) to (3.391, 2.949)).
"""

from __future__ import annotations

import math
import re

import pytest
import sympy

from backprop_cli.analysis.graph_layout import build_graph
from backprop_cli.analysis.nudge import TOLERANCE, gradient_check, nudge_network
from backprop_cli.analysis.surface import loss_surface, parse_params, parse_ranges
from backprop_cli.analysis.training import Curve, parse_rates, train_curves
from backprop_cli.errors import UsageError
from backprop_cli.expressions import symbol
from backprop_cli.network.engine import Engine
from backprop_cli.network.graph import LOSS
from backprop_cli.network.model import load
from backprop_cli.render.graph_drawing import _quote, to_dot


@pytest.fixture(scope="module")
def simple():
    return load("simple")


@pytest.fixture(scope="module")
def sigmoid():
    return load("sigmoid")


def leaves(net) -> dict[str, float]:
    return {k: float(v) for k, v in net.leaves().items()}


# -- nudge ----------------------------------------------------------------------------------------


def test_source_nudge_w2_predicts_minus_7_2_and_the_loss_falls_7_12(simple):
    n = nudge_network(simple, {"w2": sympy.Rational(1, 10)})
    engine = Engine(simple)
    _, adjoint = engine.backward(engine.forward(leaves(simple)))
    before = engine.forward(leaves(simple))[LOSS]
    after = engine.forward({**leaves(simple), "w2": 0.6})[LOSS]
    assert n.predicted == pytest.approx(adjoint["w2"] * 0.1)
    assert n.actual == pytest.approx(after - before)
    assert (n.loss_before, n.loss_after) == pytest.approx((before, after))
    # the source: ΔL ≈ −72 · 0.1 = −7.2; really 154.88 − 162 = −7.12
    assert n.predicted == pytest.approx(-7.2) and n.actual == pytest.approx(-7.12)
    assert n.relative_error == pytest.approx(abs(n.actual - n.predicted) / abs(n.actual))
    (term,) = n.terms
    assert (term.old, term.new, term.gradient) == pytest.approx((0.5, 0.6, adjoint["w2"]))


def test_nudge_several_leaves_sums_the_terms(sigmoid):
    n = nudge_network(sigmoid, {"w1": 0.01, "w3": -0.02, "x2": 0.05})
    assert n.predicted == pytest.approx(sum(t.product for t in n.terms))
    engine = Engine(sigmoid)
    moved = {**leaves(sigmoid), "w1": 0.11, "w3": 0.48, "x2": 2.05}
    assert n.actual == pytest.approx(engine.forward(moved)[LOSS] - engine.forward(leaves(sigmoid))[LOSS])
    assert n.relative_error < 0.05  # small nudges: first order is close


def test_zero_change_has_no_relative_error(simple):
    assert nudge_network(simple, {"w1": 0.0}).relative_error is None


def test_a_loss_too_large_to_compute_is_a_usage_error_not_a_verdict(simple):
    huge = simple.with_values({"w1": sympy.Integer(10) ** 100, "w2": sympy.Integer(10) ** 100})
    with pytest.raises(UsageError, match="too large to compute at the starting values"):
        nudge_network(huge, {"w1": 0.1})
    with pytest.raises(UsageError, match="too large to compute after this nudge"):
        nudge_network(simple, {"w2": 1e100, "w1": 1e100})


# -- finite-difference check --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["simple", "sigmoid"])
def test_gradient_check_agrees_with_the_engine_and_with_sympy(name):
    net = load(name)
    checks = gradient_check(net)
    detail = Engine(net).step_detail(0.1)
    full = net.loss.expr
    for node in reversed(net.hidden):
        full = full.xreplace({symbol(node.name): node.expr})
    values = {symbol(k): v for k, v in net.leaves().items()}
    assert [c.parameter for c in checks] == list(net.parameters)
    for c in checks:
        exact = float(sympy.diff(full, symbol(c.parameter)).xreplace(values).evalf(30))
        assert c.analytic == pytest.approx(float(detail.gradients[c.parameter]))
        assert c.numeric == pytest.approx(exact, rel=1e-6)
        assert c.relative_error < TOLERANCE


def test_gradient_check_catches_a_wrong_gradient(simple, monkeypatch):
    real_backward = Engine.backward

    def broken(self, values):
        local, adjoint = real_backward(self, values)
        adjoint = {**adjoint, "w1": adjoint["w1"] * 1.01}  # a copy: never the engine's own mapping
        return local, adjoint

    monkeypatch.setattr(Engine, "backward", broken)
    bad = {c.parameter: c for c in gradient_check(simple)}
    assert bad["w1"].relative_error > TOLERANCE
    assert bad["w2"].relative_error < TOLERANCE


# -- graph ----------------------------------------------------------------------------------------


def test_graph_nodes_edges_and_values_come_from_the_engine(sigmoid):
    view = build_graph(sigmoid)
    detail = Engine(sigmoid).step_detail(0.1)
    names = [n.name for n in view.nodes]
    assert names == [*sigmoid.leaves(), *(n.name for n in sigmoid.nodes)]
    for node in view.nodes:
        assert node.value == pytest.approx(float(detail.before.values[node.name]))
        assert node.adjoint == pytest.approx(float(detail.adjoints[node.name]))
    assert len(view.edges) == sum(len(n.deps) for n in sigmoid.nodes)
    for edge in view.edges:
        assert edge.value == pytest.approx(float(detail.locals[(edge.target, edge.source)]))
        assert view.node(edge.source).layer < view.node(edge.target).layer
    assert view.node("w1").kind == "parameter" and view.node(LOSS).kind == "loss"
    assert view.node("y_hat").formula is not None and view.node("x1").formula is None
    assert [c.parameter for c in view.chains] == list(sigmoid.parameters)


def _dot_structure(text: str):
    nodes = re.findall(r'^  "([^"]+)" \[label=', text, re.MULTILINE)
    edges = re.findall(r'^  "([^"]+)" -> "([^"]+)" \[label=', text, re.MULTILINE)
    return nodes, edges


def test_dot_has_every_node_and_edge(sigmoid):
    view = build_graph(sigmoid)
    text = to_dot(view)
    assert text.startswith('digraph "sigmoid" {\n') and text.rstrip().endswith("}")
    nodes, edges = _dot_structure(text)
    assert nodes == [n.name for n in view.nodes]
    assert edges == [(e.source, e.target) for e in view.edges]
    assert text.count("{") == text.count("}")
    # every label is one string literal: quotes balance on every statement line
    for line in text.splitlines()[1:-1]:
        assert len(re.findall(r'(?<!\\)"', line)) % 2 == 0, line
    assert "∂ŷ/∂z2 = ŷ·(1 − ŷ)\\n= " in text


def test_dot_escapes_quotes_backslashes_and_newlines(tmp_path):
    assert _quote('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\nd"'
    path = tmp_path / "odd.yaml"
    path.write_text('name: \'my "odd" \\ net\'\nparameters: {w: 1}\ninputs: {x: 2}\nloss: (w*x - 1)^2\n',
                    encoding="utf-8")
    text = to_dot(build_graph(load(str(path))))
    assert text.splitlines()[0] == 'digraph "my \\"odd\\" \\\\ net" {'
    nodes, edges = _dot_structure(text)
    assert nodes == ["x", "w", "loss"] and sorted(edges) == [("w", "loss"), ("x", "loss")]


# -- train ----------------------------------------------------------------------------------------


def test_training_curve_matches_engine_train(simple):
    training = train_curves(simple, [0.01], 30)
    (curve,) = training.curves
    run = Engine(simple).train(0.01, 30)
    assert curve.losses == (*(h.loss for h in run.history), run.loss_after)
    assert curve.parameters == pytest.approx(run.parameters)
    # the source: after gradient descent at α = 0.01, w1 ≈ 3.391 and w2 ≈ 2.949
    assert round(curve.parameters["w1"], 3) == 3.391 and round(curve.parameters["w2"], 3) == 2.949
    assert curve.losses[0] == Engine(simple).forward(leaves(simple))[LOSS]
    assert curve.verdict == "converged" and not curve.diverging


def _curve(*losses: float) -> Curve:
    return Curve(0.1, losses, len(losses) - 1, {}, losses[-1], None, None, False)


@pytest.mark.parametrize("losses, verdict", [
    ((100, 1e-8), "converged"),
    ((100, 10, 30), "bouncing"),  # far above the lowest loss it had reached
    ((100, 60, 40, 60, 40, 60, 40), "bouncing"),  # back and forth, though it ends on its lowest
    (tuple(100 * 0.9**k for k in range(20)), "falling"),  # still down 10% a step at the end
    ((100, 50, *[40] * 18), "levelling"),
])
def test_curve_verdicts(losses, verdict):
    assert _curve(*losses).verdict == verdict


def test_long_runs_are_chunked_without_changing_the_result(sigmoid):
    ticks = []
    curve = train_curves(sigmoid, [0.5], 1000, on_progress=ticks.append).curves[0]
    run = Engine(sigmoid).train(0.5, 1000)
    assert len(curve.losses) == 1001
    assert curve.losses[:-1] == tuple(h.loss for h in run.history)
    assert curve.parameters == run.parameters
    assert sum(ticks) == 1000 and len(ticks) > 1


def test_diverging_rate_is_named_with_the_engines_step(simple):
    curves = train_curves(simple, [0.001, 0.01, 0.05], 100).curves
    run = Engine(simple).train(0.05, 100)
    slow, good, wild = curves
    assert wild.diverged_at == run.diverged_at is not None
    assert wild.verdict == "overflow" and wild.diverging
    assert wild.grew_at == next(k for k, v in enumerate(wild.losses) if v > wild.losses[0])
    assert not slow.diverging and not good.diverging


def test_the_progress_ticks_add_up_to_the_steps_asked_even_when_a_run_stops_early(simple):
    ticks = []
    training = train_curves(simple, [0.01, 0.05], 500, until=1.0, on_progress=ticks.append)
    assert all(c.steps < 500 for c in training.curves)  # one reached --until, one diverged
    assert sum(ticks) == 2 * 500


def test_verdicts_bouncing_and_until(simple):
    (bouncing,) = train_curves(simple, [0.03], 200).curves
    assert bouncing.verdict == "bouncing"
    (stopped,) = train_curves(simple, [0.01], 100, until=1.0).curves
    assert stopped.reached and stopped.verdict == "reached"
    assert stopped.final_loss <= 1.0 < stopped.losses[-2]
    assert stopped.steps == len(stopped.losses) - 1


def test_rates_are_parsed_and_checked(simple):
    assert parse_rates(None, simple) == (float(simple.learning_rate),)
    assert parse_rates("0.001, 0.01,1e-2,1/20", simple) == (0.001, 0.01, 0.05)
    for bad, fragment in [("0", "positive"), ("abc", "not a number"), (",", "at least one"),
                          (",".join(["0.1"] * 9), "at most"), ("1e300", "the number 1e300 is too large"),
                          ("sqrt(-1)", "not a number")]:
        with pytest.raises(UsageError, match=fragment):
            parse_rates(bad, simple)


# -- surface --------------------------------------------------------------------------------------


def test_surface_path_runs_from_the_start_to_the_sources_minimum(simple):
    s = loss_surface(simple, steps=30, cols=40, rows=16)
    run = Engine(simple).train(0.01, 30)
    assert s.path[0][:2] == (2.0, 0.5) and s.path[0][2] == pytest.approx(162)
    assert s.path[-1][:2] == (run.parameters["w1"], run.parameters["w2"])
    assert (round(s.path[-1][0], 3), round(s.path[-1][1], 3)) == (3.391, 2.949)
    assert [p[2] for p in s.path] == [*(h.loss for h in run.history), run.loss_after]
    assert len(s.xs) == 40 and len(s.ys) == 16 and len(s.losses) == 16


def test_surface_grid_values_are_the_engines_and_the_valley_is_w1_w2_10(simple):
    s = loss_surface(simple, ranges={"w1": (0.5, 5.0), "w2": (0.5, 4.0)}, cols=45, rows=35)
    engine = Engine(simple)
    for i, j in [(0, 0), (10, 20), (44, 34)]:
        want = engine.forward({**leaves(simple), "w1": s.xs[i], "w2": s.ys[j]})[LOSS]
        assert s.losses[j][i] == pytest.approx(want)
    assert s.lowest[2] == min(v for row in s.losses for v in row)
    dx, dy = s.xs[1] - s.xs[0], s.ys[1] - s.ys[0]
    assert len(s.valley) > 20
    for i, j in s.valley:  # the floor of the valley: ŷ = x·w1·w2 = 2·w1·w2 = 20
        w1, w2 = s.xs[i], s.ys[j]
        assert abs(w1 * w2 - 10) <= dx * w2 + dy * w1 + dx * dy


def test_surface_holds_the_other_parameters_fixed(sigmoid):
    s = loss_surface(sigmoid, ("w1", "w3"), steps=20, cols=20, rows=10)
    assert s.fixed == {"w2": -0.3}
    plane = Engine(sigmoid)
    start = leaves(sigmoid)
    x, y, loss = s.path[5]
    assert loss == pytest.approx(plane.forward({**start, "w1": x, "w3": y})[LOSS])
    assert s.cell(*s.path[0][:2]) is not None
    assert s.cell(s.x_range[1] + 1, s.y_range[0]) is None


def test_surface_options_are_checked(simple, sigmoid):
    assert parse_params(None, sigmoid) == ("w1", "w2")
    assert parse_params("w3, w1", sigmoid) == ("w3", "w1")
    assert parse_ranges("w1=0:5, w2=-1:1/2", ("w1", "w2")) == {"w1": (0.0, 5.0), "w2": (-1.0, 0.5)}
    for text, fragment in [("w1", "two different"), ("w1,w1", "two different"), ("w1,w9", "not a parameter")]:
        with pytest.raises(UsageError, match=fragment):
            parse_params(text, simple)
    for text, fragment in [("w1=5:0", "below"), ("w1=a:b", "numbers"), ("w3=0:1", "not one of"),
                           ("w1=0", "NAME=LOW:HIGH"), ("w1=0:inf", "numbers"), ("w1=0:sqrt(-1)", "numbers"),
                           ("w1=0:1e300", "the number 1e300 is too large")]:
        with pytest.raises(UsageError, match=fragment):
            parse_ranges(text, ("w1", "w2"))
    with pytest.raises(UsageError, match="steps"):
        loss_surface(simple, steps=0)


def test_surface_notes_a_diverging_descent(simple):
    s = loss_surface(simple, lr=0.2, steps=30, cols=20, rows=10)
    assert s.diverged_at is not None
    assert all(math.isfinite(v) for p in s.path for v in p)
