"""The generated function (``descend``) against the exact route, divergence bookkeeping, and graphs
too deep for recursion.

Expected numbers come from the exact route (SymPy numbers, evaluated to 30 digits), or from a
few lines of plain Python written here, never from the generated code itself.
"""

from __future__ import annotations

import math
import subprocess
import sys

import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from test_engine import at30, close, random_networks, write

from backprop_cli.network.engine import Engine
from backprop_cli.network.graph import LOSS
from backprop_cli.network.model import load

R = sympy.Rational


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(random_networks(max_width=2))
def test_the_generated_step_agrees_with_the_exact_route(tmp_path, case):
    """One step of the compiled loop: its loss, gradients and new parameters equal the exact step's."""
    text, _, leaves, relu_inputs, _ = case
    engine = Engine(load(str(write(tmp_path, text))))
    floats = {k: float(v) for k, v in leaves.items()}
    assume(all(abs(engine.forward(floats)[z]) >= 1e-3 for z in relu_inputs))
    rows = []
    run = engine.descend(0.1, 1, floats, on_step=lambda *row: rows.append(row))
    assert run.steps == 1 and len(rows) == 1
    loss, grads, params = rows[0]

    exact = engine.step_detail(R(1, 10), leaves, exact=True)
    names = list(engine.network.parameters)
    expected = at30([exact.before.loss, *(exact.gradients[p] for p in names),
                     *(u.new for u in exact.updates), exact.after.loss], {})
    assert close(loss, expected[0], rel=1e-10, abs_=1e-12)
    assert run.losses == [loss]
    for i, p in enumerate(names):
        assert close(grads[i], expected[1 + i], rel=1e-10, abs_=1e-12), f"∂L/∂{p}"
        assert close(params[i], expected[1 + len(names) + i], rel=1e-10, abs_=1e-12), p
        assert run.parameters[p] == params[i]
    assert close(run.loss_after, expected[-1], rel=1e-10, abs_=1e-12)


def test_descend_is_bit_for_bit_the_explained_step(tmp_path):
    """The fast loop and the explained path compute the same floats (the JSON and the report agree)."""
    net = load("sigmoid")
    engine = Engine(net)
    rows = []
    run = engine.descend(0.1, 1, on_step=lambda *row: rows.append(row))
    detail = engine.explain_step(0.1)
    assert rows[0][0] == detail.before.loss
    assert rows[0][1] == tuple(detail.gradients[p] for p in net.parameters)
    assert run.parameters == {u.parameter: u.new for u in detail.updates}
    assert run.loss_after == detail.after.loss


def test_names_that_mean_something_in_python_are_only_names(tmp_path):
    """The generated code uses its own identifiers: a network may call its weights lr, steps or v0."""
    template = ("name: n\ninputs: {{x: 0.5}}\ntargets: {{y: 1}}\nparameters: {{{a}: 0.3, {b}: -0.2}}\n"
                "nodes:\n  {h}: tanh({a}*x)\n  {o}: {b}*{h} + {a}\nloss: (y - {o})^2/2\n")
    plain = Engine(load(str(write(tmp_path, template.format(a="w1", b="w2", h="h", o="out"), "plain.yaml"))))
    tricky = Engine(load(str(write(tmp_path, template.format(a="lr", b="v0", h="steps", o="g1"), "tricky.yaml"))))
    one, two = plain.descend(0.05, 40), tricky.descend(0.05, 40)
    assert one.losses == two.losses and len(one.losses) == 40
    assert list(one.parameters.values()) == list(two.parameters.values())


# --------------------------------------------------------------------------------------------
# Divergence: the step at which it happened, also when it happens on the last step
# --------------------------------------------------------------------------------------------

SQUARE = "name: square\nparameters: {w: 1}\nloss: w^2\n"


def test_a_loss_that_overflows_after_the_last_update_is_pinned_to_the_next_step(tmp_path):
    # plain Python: w ← w − α·2w = −19w, loss w²; the first step whose loss overflows
    w, first_inf = 1.0, None
    for step in range(1, 1000):
        if not math.isfinite(w * w):
            first_inf = step
            break
        w = w - 10.0 * (2 * w)
    assert first_inf == 122  # 19^(2·121) > 1.8e308 > 19^(2·120)
    engine = Engine(load(str(write(tmp_path, SQUARE))))
    last = engine.descend(10.0, first_inf - 1)  # the run's last update makes the loss overflow
    assert last.steps == first_inf - 1 and len(last.losses) == first_inf - 1
    assert math.isinf(last.loss_after) and last.diverged_at == first_inf
    longer = engine.descend(10.0, first_inf + 20)
    assert longer.steps == first_inf - 1 and longer.diverged_at == first_inf
    assert engine.train(10.0, first_inf + 20).history[-1].step == first_inf - 1


def test_a_parameter_that_overflows_on_the_last_step_is_caught_though_the_loss_hides_it(tmp_path):
    """w ← 700 − 10¹⁰·e⁷⁰⁰ = −∞ on step 1; after it the loss e^w is 0, finite: the run still diverged at 1."""
    net = load(str(write(tmp_path, "name: hide\nparameters: {w: 700}\nloss: exp(w)\n")))
    for steps in (1, 5):
        run = Engine(net).descend(1e10, steps)
        assert run.diverged_at == 1 and run.steps == 1, steps
        assert run.parameters["w"] == -math.inf and run.loss_after == 0.0
        assert len(run.losses) == 1
    assert len(Engine(net).train(1e10, 5).history) == 1


def test_a_formula_that_raises_is_nan_for_that_node_only(tmp_path):
    """1/0 inside the loop falls back to the node-by-node step: relu(NaN) is 0, the loss stays finite."""
    text = ("name: r\ninputs: {x: 0}\nparameters: {w: 1, b: 2}\nnodes:\n  d: -1/x\n  q: relu(d)\n"
            "loss: (w*b + q - 1)^2\n")
    engine = Engine(load(str(write(tmp_path, text))))
    explained = engine.explain_step(0.01)
    assert math.isnan(explained.before.values["d"]) and explained.before.values["q"] == 0.0
    run = engine.descend(0.01, 3)
    assert run.diverged_at is None and run.steps == 3
    assert run.losses[0] == explained.before.loss == 1.0
    assert run.parameters["w"] != 1 and math.isfinite(run.loss_after)


# --------------------------------------------------------------------------------------------
# Deep graphs: walked without recursion
# --------------------------------------------------------------------------------------------


def chain_text(length: int, factor: str = "c") -> str:
    """n1 = w·x, n_k = n_(k−1)·c: one path from the loss down to w through every node."""
    lines = ["name: chain", "inputs: {x: 0.5}", "targets: {y: 0.4}", "constants: {c: 1}", "parameters: {w: 1}",
             "nodes:", "  n1: w*x"]
    lines += [f"  n{k}: n{k - 1}*{factor}" for k in range(2, length + 1)]
    return "\n".join([*lines, f"loss: (y - n{length})^2/2"]) + "\n"


def test_a_chain_of_4995_nodes_is_explained_without_recursion(tmp_path):
    net = load(str(write(tmp_path, chain_text(4995))))
    detail = Engine(net).explain_step(1e-8)
    (chain,) = detail.chains
    (path,) = chain.paths
    assert len(path.factors) == 4996  # L → n4995 → … → n1 → w
    assert [f.node for f in path.factors[:3]] == [LOSS, "n4995", "n4994"] and path.factors[-1].dep == "w"
    # ∂L/∂w = (n − y)·x·c^4994 with n = w·x = 0.5: (0.5 − 0.4)·0.5
    assert chain.value == pytest.approx(0.1 * 0.5, rel=1e-12)
    assert path.value == pytest.approx(chain.value, rel=1e-12)
    # w in every node: 4995 paths, the first 24 kept, each from the loss down to w
    many = Engine(load(str(write(tmp_path, chain_text(4995, "w"), "many.yaml")))).explain_step(1e-8).chains[0]
    assert len(many.paths) == 24 and not many.complete
    assert many.value == pytest.approx(0.1 * 4995 * 0.5, rel=1e-9)


@pytest.mark.parametrize("args", [["--json"], ["--steps", "2"]], ids=["json", "report"])
def test_a_chain_at_the_names_limit_works_through_the_cli_within_the_time_bound(tmp_path, args):
    path = write(tmp_path, chain_text(4995))
    result = subprocess.run([sys.executable, "-m", "backprop_cli", "step", "--network", str(path), "--lr", "1e-8",
                             *args], check=False, capture_output=True, text=True, timeout=90)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr
    if args == ["--json"]:
        import json

        doc = json.loads(result.stdout)
        assert doc["gradients"]["w"] == pytest.approx(0.1 * 0.5, rel=1e-12)
    else:
        assert "Loss after 2 steps" in result.stdout


def test_forward_of_a_deep_chain_matches_plain_python(tmp_path):
    engine = Engine(load(str(write(tmp_path, chain_text(3000, "w").replace("w: 1", "w: 1.0001")))))
    values = engine.forward(engine.floats())
    n = 0.5
    for _ in range(3000):
        n = n * 1.0001 if _ else 1.0001 * 0.5
    assert values["n3000"] == pytest.approx(n, rel=1e-12)
    assert values[LOSS] == pytest.approx((0.4 - n) ** 2 / 2, rel=1e-9)


# --------------------------------------------------------------------------------------------
# The derivative shortcuts give SymPy's own expressions (the chains show them)
# --------------------------------------------------------------------------------------------

_y, _yh, _w, _x, _z = (sympy.Symbol(n, real=True) for n in ("y", "yh", "w", "x", "z"))


@pytest.mark.parametrize("expr", [
    (_y - _yh) ** 2 / 2, (_yh - _y) ** 2, 3 * (_x - _w) ** 3, _w ** 2, (_w * _x) ** 2 / 2,
    ((_y - _yh) ** 2 + (_x - _w) ** 2) / 2, -_w * _x, sympy.Rational(1, 3) * sympy.tanh(_w),
    (_w + _x) ** -2, 2 * sympy.exp(_w) * _x, (_y - _yh) ** 2 * _w / 4, sympy.tanh(_w) ** 2,
    (2 * _x - 3) ** 3, (_w / 2 + _y) ** 2, (3 * _x + _w) ** sympy.Rational(1, 2), (_x - _w) ** sympy.Float("2.5"),
], ids=str)
def test_derivative_shortcuts_equal_sympy_diff(expr):
    from backprop_cli.differentiate import derivative

    for var in (_y, _yh, _w, _x):
        if var in expr.free_symbols:
            assert derivative(expr, var) == sympy.diff(expr, var), var


def _formulas():
    """Random formulas of the shapes lessons and networks write: sums, products, numbers, powers
    (whole, negative, fractional, of sums), σ, tanh, exp, log, relu, over x, y and w."""
    from hypothesis import strategies as st

    from backprop_cli.mathfunctions import relu, sigmoid

    leaves = st.sampled_from([_x, _y, _w, sympy.Integer(2), sympy.Rational(-1, 2), sympy.Integer(-3),
                              sympy.Float("0.25")])

    def grow(children):
        pair = st.tuples(children, children)
        return st.one_of(
            pair.map(lambda ab: ab[0] + ab[1]),
            pair.map(lambda ab: ab[0] * ab[1]),
            pair.map(lambda ab: ab[0] - ab[1]),
            st.tuples(children, st.sampled_from([2, 3, -1, -2, sympy.Rational(1, 2), sympy.Float("2.5")]))
            .map(lambda be: be[0] ** be[1]),
            st.tuples(st.sampled_from([sigmoid, sympy.tanh, sympy.exp, sympy.log, relu]), children)
            .map(lambda fa: fa[0](fa[1])),
        )

    return st.recursive(leaves, grow, max_leaves=6)


def test_derivative_is_sympy_diff_on_random_formulas():
    """The shortcuts' results are SymPy's own trees, not just equal values: the chains and the
    lessons print them, and an answer key is the printed form."""
    from hypothesis import given, settings

    from backprop_cli.differentiate import derivative

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(_formulas())
    def check(expr):
        for var in (_x, _y, _w):
            assert derivative(expr, var) == sympy.diff(expr, var), (expr, var)

    check()


def test_a_network_with_new_values_reuses_the_functions_compiled_for_its_graph():
    """The generated source names no leaf value (they are arguments), so new values (fresh numbers,
    --set) reuse the compiled functions; each network still gets its own numbers, and a different
    graph gets its own functions."""
    from backprop_cli.network.compile import compile_engine
    from backprop_cli.network.model import load

    net = load("sigmoid")
    moved = net.with_values({"w1": sympy.Rational(7, 10), "x2": sympy.Integer(-3)})
    assert compile_engine(moved) is compile_engine(net)
    for network in (net, moved):
        got = Engine(network).forward({k: float(v) for k, v in network.leaves().items()})
        exact = Engine(network).forward_exact(network.leaves())
        assert got[LOSS] == pytest.approx(float(exact[LOSS]), rel=1e-12)
    assert compile_engine(load("simple")) is not compile_engine(net)
