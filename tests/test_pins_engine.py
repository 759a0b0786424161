"""Pins found by mutation testing (scripts/mutation.py engine): every shape the generator prints.

The random networks of test_engine.py and test_compile.py are layers of sigmoid, tanh and relu
units; these hand-written networks reach the rest of what the generated code can hold: powers of
every kind, abs (whose derivative is sign), exp, log, step, the constants pi and e, plain float
constants, a sum wider than one generated statement, and a node with more consumers than that.
Each is run through the public routes only (``Engine.descend``, ``Engine.explain_step``) and
compared with the exact route (SymPy numbers, 30 digits): a wrongly printed formula is a wrong
gradient a learner would be shown.
"""

from __future__ import annotations

import math

import pytest
import sympy
from test_engine import at30, close, write

from backprop_cli.network.engine import MAX_PATHS, Engine
from backprop_cli.network.graph import LOSS
from backprop_cli.network.model import load

R = sympy.Rational

#: name → (network file, leaves to run it at); each loss is smooth at its point.
SHAPES = {
    # x^2..x^4 of a name and of a sum, x^5, x^-1..x^-4 (x^-1 and x^-2 differ in how they print)
    "powers": ("name: powers\ninputs: {x: 0.75}\nparameters: {w: 1.25, b: -0.5}\n"
               "nodes:\n  s: w*x + b\nloss: w^2 + w^3/3 + w^4/8 + s^2 + s^3 + (s + 2)^4/16 + w^5/20"
               " + 1/w + 1/w^2 + 1/w^3 + 1/w^4 + x/(s + 2)^2\n"),
    # x^(1/2) prints as sqrt, x^(3/2), x^(1/3) and x^w as a general power; a rational constant
    "roots": ("name: roots\ninputs: {x: 1.5}\nparameters: {w: 0.8}\n"
              "nodes:\n  q: w*x + 1\nloss: sqrt(q) + q^(3/2) + q^(1/3) + x^w + (2/3)*w^2\n"),
    # sqrt(u^2) is |u|: its derivative is sign(u), negative here
    "abs_negative": ("name: a\ninputs: {x: 2}\nparameters: {w: 0.5}\nnodes:\n  u: w*x - 3\n"
                     "loss: sqrt(u^2) + u^2/4\n"),
    # ... and positive here
    "abs_positive": ("name: a\ninputs: {x: 2}\nparameters: {w: 2.5}\nnodes:\n  u: w*x - 3\n"
                     "loss: 3*sqrt(u^2) + u^2/4\n"),
    # ... and between 0 and 1 (sign is 1 there too)
    "abs_small": ("name: a\ninputs: {x: 2}\nparameters: {w: 1.75}\nnodes:\n  u: w*x - 3\n"
                  "loss: 3*sqrt(u^2) + u^2/4\n"),
    # exp, log (and ln), tanh, sigmoid, relu (derivative: step), pi and e, a decimal constant
    "functions": ("name: f\ninputs: {x: 0.6}\nparameters: {w: 0.7, b: 0.2}\n"
                  "nodes:\n  z: w*x + b\n  r: relu(z - 0.1)\n  t: tanh(pi*z)\n  g: sigmoid(e*z)\n"
                  "loss: exp(z) + log(1 + z^2) + ln(2 + r) + 2.5*r + t^2 + g + exp(2)*w\n"),
    # a product of three names; local derivatives 2 and -2; a gradient of one term that reads
    # another parameter (w·b); a weight shared by two nodes whose derivatives read only inputs
    "products": ("name: p\ninputs: {x1: 0.5, x2: -1.5}\ntargets: {y: 2}\nparameters: {w: 0.9, b: 1.1, c: 0.3}\n"
                 "nodes:\n  m: w*x1*b\n  d: 2*c + 1\n  f: 3 - 2*c\n  a1: c*x1\n  a2: c*x2\n"
                 "  o: m + d*f + a1 + a2\nloss: (y - o)^2/2 + (w*b - 1)^2\n"),
}


def _exact_step(engine: Engine, leaves, lr):
    exact = engine.explain_step(lr, leaves, exact=True)
    names = list(engine.network.parameters)
    return names, at30([exact.before.loss, *(exact.gradients[p] for p in names),
                        *(u.new for u in exact.updates), exact.after.loss], {})


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_printed_shape_steps_as_the_exact_route(tmp_path, shape):
    engine = Engine(load(str(write(tmp_path, SHAPES[shape]))))
    leaves = engine.network.leaves()
    names, expected = _exact_step(engine, leaves, R(1, 10))
    n = len(names)
    # the generated loop, one step
    rows = []
    run = engine.descend(0.1, 1, on_step=lambda *row: rows.append(row))
    assert run.steps == 1 and run.diverged_at is None
    (loss, grads, params), = rows
    assert close(loss, expected[0], rel=1e-10), "loss"
    for i, p in enumerate(names):
        assert close(grads[i], expected[1 + i], rel=1e-10), f"∂L/∂{p}"
        assert close(params[i], expected[1 + n + i], rel=1e-10), p
        assert run.parameters[p] == params[i]
    assert close(run.loss_after, expected[-1], rel=1e-10), "loss after"
    # the explained step (its own generated function) gives the same numbers
    detail = engine.explain_step(0.1)
    assert close(detail.before.loss, expected[0], rel=1e-10)
    for i, p in enumerate(names):
        assert close(detail.gradients[p], expected[1 + i], rel=1e-10), f"explained ∂L/∂{p}"
    assert close(detail.after.loss, expected[-1], rel=1e-10)


def test_a_kink_of_abs_has_gradient_zero(tmp_path):
    """At u = 0 the derivative of |u| is sign(0) = 0: the step leaves w where the other term puts it."""
    engine = Engine(load(str(write(tmp_path, SHAPES["abs_negative"].replace("w: 0.5", "w: 1.5")))))
    run = engine.train(0.1, 1)
    assert run.history[0].gradients["w"] == 0.0 and run.parameters["w"] == 1.5
    assert engine.explain_step(0.1).gradients["w"] == 0.0


WIDE = 70  # more terms than one generated statement holds (compile.CHUNK, 64)


def _wide_network() -> str:
    """h = v·x feeds 70 nodes n_i = w_i·h; the loss sums them: a 70-term sum and a 70-consumer adjoint."""
    params = ", ".join([f"w{i}: {(i % 7 - 3) / 10}" for i in range(1, WIDE + 1)] + ["v: 0.5"])
    nodes = "\n".join(f"  n{i}: w{i}*h" for i in range(1, WIDE + 1))
    total = " + ".join(f"n{i}" for i in range(1, WIDE + 1))
    return (f"name: wide\ninputs: {{x: 1.5}}\ntargets: {{y: 1}}\nparameters: {{{params}}}\n"
            f"nodes:\n  h: v*x\n{nodes}\n  s: {total}\nloss: (s - y)^2/2\n")


def test_a_sum_wider_than_one_statement_keeps_every_term(tmp_path):
    engine = Engine(load(str(write(tmp_path, _wide_network()))))
    w = [(i % 7 - 3) / 10 for i in range(1, WIDE + 1)]
    # plain Python: s = v·x·Σw, ∂L/∂w_i = (s − y)·h, ∂L/∂v = (s − y)·x·Σw
    h = 0.5 * 1.5
    s = h * sum(w)
    rows = []
    run = engine.descend(0.01, 1, on_step=lambda *row: rows.append(row))
    loss, grads, _ = rows[0]
    assert loss == pytest.approx((s - 1) ** 2 / 2, rel=1e-12)
    by_name = dict(zip(engine.network.parameters, grads))
    assert by_name["w1"] == pytest.approx((s - 1) * h, rel=1e-12)
    assert by_name["v"] == pytest.approx((s - 1) * 1.5 * sum(w), rel=1e-12)
    assert run.parameters["v"] == pytest.approx(0.5 - 0.01 * (s - 1) * 1.5 * sum(w), rel=1e-12)
    detail = engine.explain_step(0.01)
    assert detail.before.values["s"] == pytest.approx(s, rel=1e-12)
    assert detail.gradients["v"] == pytest.approx(by_name["v"], rel=1e-12)
    assert detail.adjoints["h"] == pytest.approx((s - 1) * sum(w), rel=1e-12)
    # v reaches the loss by 70 paths: the first MAX_PATHS are kept, and the chain says so
    (chain,) = [c for c in detail.chains if c.parameter == "v"]
    assert len(chain.paths) == MAX_PATHS and not chain.complete
    assert [c.complete for c in detail.chains if c.parameter != "v"] == [True] * WIDE


def test_descend_until_stops_at_the_first_loss_at_or_below_it(tmp_path):
    """``until``: the run stops before the step whose loss is already low enough (equal counts)."""
    engine = Engine(load(str(write(tmp_path, "name: sq\nparameters: {w: 1}\nloss: w^2\n"))))
    # plain Python: w ← w − 0.25·2w = w/2, the loss before step k is 4^-(k-1): exact in floats
    run = engine.descend(0.25, 50, until=1 / 64)
    assert run.losses == [1.0, 0.25, 0.0625] and run.steps == 3 and run.reached
    assert run.parameters["w"] == 0.125 and run.loss_after == 1 / 64 and run.diverged_at is None
    plain = engine.descend(0.25, 3)
    assert not plain.reached and plain.losses == run.losses
    assert engine.train(0.25, 50, until=1 / 64).steps == 3


def test_a_loss_that_raises_mid_run_is_diverged_at_that_step(tmp_path):
    """log of a negative is NaN: the step it happens at is the one the learner is told."""
    engine = Engine(load(str(write(tmp_path, "name: lg\nparameters: {w: 1}\nloss: log(w) + w\n"))))
    # plain Python: w ← w − 2·(1/w + 1)
    w, losses = 1.0, []
    while w > 0:
        losses.append(math.log(w) + w)
        w = w - 2 * (1 / w + 1)
    run = engine.descend(2.0, 10)
    assert run.losses == pytest.approx(losses, rel=1e-12)
    assert run.steps == len(losses) and run.diverged_at == len(losses) + 1
    assert math.isnan(run.loss_after)


def test_forward_values_are_the_nodes_in_order(tmp_path):
    engine = Engine(load(str(write(tmp_path, SHAPES["abs_negative"]))))
    values = engine.forward(engine.floats())
    assert values["u"] == -2.0 and values[LOSS] == 2.0 + 1.0
    assert engine.loss(engine.floats()) == 3.0


# --------------------------------------------------------------------------------------------
# The careful path: a formula raised inside the generated loop, the step is redone node by node
# --------------------------------------------------------------------------------------------

RAISES = ("name: r\ninputs: {x: 0}\nparameters: {w: 1, b: 2}\nnodes:\n  d: -1/x\n  q: relu(d)\n"
          "loss: (w*b + q - 1)^2\n")


def test_a_step_redone_node_by_node_updates_as_the_explained_step(tmp_path):
    engine = Engine(load(str(write(tmp_path, RAISES))))
    detail = engine.explain_step(0.01)
    rows = []
    run = engine.descend(0.01, 1, on_step=lambda *row: rows.append(row))
    # plain Python: L = (w·b − 1)², ∂L/∂w = 2(w·b − 1)·b = 4, ∂L/∂b = 2(w·b − 1)·w = 2
    assert rows == [(1.0, (4.0, 2.0), (1 - 0.01 * 4.0, 2 - 0.01 * 2.0))]
    assert run.parameters == {u.parameter: u.new for u in detail.updates} == {"w": 0.96, "b": 1.98}
    assert run.losses == [1.0] and run.steps == 1


def test_until_is_inclusive_on_the_careful_path_too(tmp_path):
    """The loss before the first step is exactly 1: ``until=1`` stops there, as the fast loop would."""
    engine = Engine(load(str(write(tmp_path, RAISES))))
    run = engine.descend(0.01, 3, until=1.0)
    assert run.reached and run.steps == 0 and run.losses == [] and run.parameters == {"w": 1.0, "b": 2.0}
    assert not engine.descend(0.01, 3, until=0.5).reached


def test_descend_refuses_what_is_not_a_descent(tmp_path):
    engine = Engine(load(str(write(tmp_path, "name: sq\nparameters: {w: 1}\nloss: w^2\n"))))
    for lr, steps in ((0.0, 1), (-0.1, 1), (math.inf, 1), (math.nan, 1), (0.1, -1)):
        with pytest.raises(ValueError):
            engine.descend(lr, steps)
    still = engine.descend(0.1, 0)  # no steps: where it started
    assert still.steps == 0 and still.losses == [] and still.parameters == {"w": 1.0} and still.loss_after == 1.0
    assert engine.descend(1e-300, 1).steps == 1  # a tiny rate is still a rate


def test_a_rerun_is_the_same_result(tmp_path):
    """Results compare by their numbers, not by the engine object that made them."""
    text = SHAPES["products"]
    one, two = (Engine(load(str(write(tmp_path, text)))) for _ in range(2))
    assert one.train(0.05, 4) == two.train(0.05, 4)
    assert one.explain_step(0.05) == two.explain_step(0.05)
    assert one.descend(0.05, 4) == two.descend(0.05, 4)


def test_a_steps_records_cannot_be_changed_by_the_views_that_share_them(tmp_path):
    """A run's first step (``Run.detail``) is worked out once and read by every view: its records,
    and the run's own, are frozen, so no view can alter the numbers another one shows."""
    from dataclasses import FrozenInstanceError

    engine = Engine(load(str(write(tmp_path, SHAPES["products"]))))
    run = engine.train(0.05, 2)
    detail = run.detail
    chain = detail.chains[0]
    records = [run, run.history[0], engine.descend(0.05, 1), detail, detail.before, detail.updates[0],
               chain, chain.paths[0], chain.paths[0].factors[0]]
    for record in records:
        field = next(iter(vars(record)))
        with pytest.raises(FrozenInstanceError):
            setattr(record, field, None)


# --------------------------------------------------------------------------------------------
# The generated code's documented shape (compile.py's docstring): no call where a product does,
# shared subexpressions computed once. ``Compiled.source`` is what the cache stores and checks.
# --------------------------------------------------------------------------------------------


def _source(tmp_path, loss: str, params: str = "{w: 1.5, b: 0.5}") -> str:
    return Engine(load(str(write(tmp_path, f"name: s\nparameters: {params}\nloss: {loss}\n")))).compiled.source


@pytest.mark.parametrize("power", [2, 3, 4, -1, -2, -3, -4])
def test_a_small_whole_power_of_a_name_is_a_product_not_a_call(tmp_path, power):
    forward = _source(tmp_path, f"w^({power}) + b").split("def descend")[0]
    assert "_pow(" not in forward, forward


@pytest.mark.parametrize("power", [5, -5, "1/3", "w"])
def test_other_powers_call_the_guarded_power(tmp_path, power):
    assert "_pow(" in _source(tmp_path, f"b^({power}) + w").split("def descend")[0]


def test_a_subexpression_shared_by_local_derivatives_is_computed_once(tmp_path):
    # ∂L/∂w = 2(w·b − 1)·b and ∂L/∂b = 2(w·b − 1)·w share w·b − 1
    shared = _source(tmp_path, "(w*b - 1)^2").split("def descend")[1]
    temporaries = [line.split("=")[0].strip() for line in shared.splitlines() if line.strip().startswith("_c")]
    assert len(temporaries) == 1 and shared.count(temporaries[0]) == 3, shared  # made once, read twice
    assert "_c" not in _source(tmp_path, "w^2 + b^2")  # nothing shared: no temporary


def test_the_reprs_leave_out_the_engine_the_network_and_what_is_made_later(tmp_path):
    """A result's repr (in a failing assertion, a log line) shows its numbers, not the engine behind
    it, the start values or the network (thousands of weights), nor the explain code made on demand."""
    engine = Engine(load(str(write(tmp_path, SHAPES["products"]))))
    run = engine.train(0.05, 2)
    assert "engine=" not in repr(run) and "start=" not in repr(run) and "loss_after=" in repr(run)
    assert "engine=" not in repr(run.detail) and "gradients=" in repr(run.detail)
    compiled = engine.compiled
    compiled.explain_text()
    shown = repr(compiled)
    assert "leaves=" in shown and all(f"{name}=" not in shown for name in ("network", "loader", "explain_source", "_explain"))


#: one weight, one consumer: ∂L/∂w is the single term ∂L/∂z·x, written into w's update (w = 0, so
#: the new w is the step itself, to the last bit)
ONE_TERM = "name: o\ninputs: {x: 0.3}\ntargets: {y: 0.7}\nparameters: {w: 0, b: 0.1}\nnodes:\n  z: w*x + b\nloss: (z - y)^2/2\n"


@pytest.mark.parametrize("shape", [*sorted(SHAPES), "one_term"])
@pytest.mark.parametrize("lr", [0.1, 0.07, 0.0123, 0.3, 0.011])
def test_every_shape_descends_bit_for_bit_as_the_explained_step(tmp_path, shape, lr):
    """The generated update w − lr·(gradient) multiplies lr by the whole gradient, as the explained
    step does: a gradient written into the update as one term (g·x) keeps its parentheses, else
    lr·g·x rounds differently and the JSON and the report disagree in the last digit."""
    engine = Engine(load(str(write(tmp_path, SHAPES.get(shape, ONE_TERM)))))
    run = engine.descend(lr, 1)
    detail = engine.explain_step(lr)
    assert run.parameters == {u.parameter: u.new for u in detail.updates}


def test_the_printer_refuses_what_it_cannot_print_with_a_compile_error():
    """A derivative left in a formula (or any node without a float version) is a CompileError, which
    the loader reports as a file error, never SymPy's own printing error."""
    from backprop_cli.network.float_printer import Printer
    from backprop_cli.network.runtime import CompileError

    x = sympy.Symbol("x")
    for expr in (sympy.Derivative(sympy.Function("f")(x), x), sympy.Function("f")(x)):
        with pytest.raises(CompileError):
            Printer({"x": "v0"}).text(expr)


def test_a_negative_power_beyond_four_calls_the_guarded_power_with_it(tmp_path):
    """b^−5 is _pow(b, −5): not 1/(b^5), which rounds twice (−1…−4 are 1/(b·b…), a product)."""
    forward = _source(tmp_path, "b^(-5) + w").split("def descend")[0]
    assert ", -5)" in forward and "(1/(" not in forward, forward


def test_one_local_derivative_is_printed_whole_even_when_it_repeats_a_part(tmp_path):
    """cse is for parts shared between local derivatives: ∂L/∂w = 3σ(3w − 1)(1 − σ(3w − 1)) is the
    loss's only one, printed as it is, with no temporary."""
    assert "_c" not in _source(tmp_path, "sigmoid(3*w - 1)", "{w: 0.5}")
