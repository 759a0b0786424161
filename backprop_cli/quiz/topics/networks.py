"""Quiz templates on the built-in networks: the 2-weight ``simple`` net and the ``sigmoid`` net,
with answers from the engine on the drawn values."""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping

import sympy

from backprop_cli import notation
from backprop_cli.checking import (
    Mistake,
    chain_mistakes,
    forward_value_mistakes,
    sigmoid_mistake,
)
from backprop_cli.expressions import symbol
from backprop_cli.mathfunctions import sigmoid
from backprop_cli.network.graph import LOSS
from backprop_cli.quiz.drawing import (
    _at,
    _bracket,
    _decimal,
    _f,
    _integer,
    _shown,
    n,
)
from backprop_cli.quiz.question import (
    Question,
    Redraw,
    distinct_mistakes,
)
from backprop_cli.quiz.registry import template


@functools.cache
def _engine(name: str):
    """One compiled engine per built-in network; questions pass their own leaf values."""
    from backprop_cli.network import model
    from backprop_cli.network.engine import Engine

    return Engine(model.load(name))


def _simple_values(rng: random.Random) -> dict[str, sympy.Rational]:
    """x, y, w1, w2 for the 2-weight net, with the prediction clearly off target."""
    values = {
        "x": rng.choice((sympy.Rational(1, 2), sympy.Integer(1), sympy.Rational(3, 2), sympy.Integer(2),
                         sympy.Rational(5, 2), sympy.Integer(3))),
        "y": _integer(rng, -20, 30),
        "w1": _decimal(rng, -2, 2.5, smallest=0.2),
        "w2": _decimal(rng, -2, 2.5, smallest=0.2),
    }
    y_hat = values["x"] * values["w1"] * values["w2"]
    if abs(y_hat - values["y"]) < 1:
        raise Redraw
    return values


def _simple_network(values: Mapping[str, sympy.Expr]):
    """The built-in ``simple`` network with the drawn values, and its engine."""
    engine = _engine("simple")
    return engine, engine.network.with_values(values)


def _network_text(net) -> str:
    return ", ".join(f"{'L' if node.name == LOSS else notation.name(node.name)} = {_f(node.expr)}" for node in net.nodes)


def _chain_parts(chain) -> tuple[str, str, str, list]:
    """(∂-names, formulas, numbers, factors) of the first path of a gradient's chain."""
    factors = chain.paths[0].factors
    names = " · ".join(notation.partial(f.node, f.dep) for f in factors)
    formulas = " · ".join(f"({_f(f.formula)})" if f.formula.is_Add else _f(f.formula) for f in factors)
    numbers = " · ".join(_bracket(f.value) for f in factors)
    return names, formulas, numbers, list(factors)


@template("loss-output-gradient", "simple-net", "∂L/∂ŷ for the squared loss")
def _loss_output_gradient(rng: random.Random) -> Question:
    engine = _engine("simple")
    loss = engine.network.loss.expr
    y_hat, y = symbol("y_hat"), symbol("y")
    values = {"y_hat": _decimal(rng, -5, 30), "y": _integer(rng, -10, 30)}
    if abs(values["y_hat"] - values["y"]) < 1:
        raise Redraw
    derivative = sympy.diff(loss, y_hat)
    at = {y_hat: values["y_hat"], y: values["y"]}
    expected = derivative.subs(at)
    mistakes = [
        *forward_value_mistakes({"L": loss.subs(at), "y_hat": values["y_hat"]}),
        Mistake("not-differentiated", 2 * loss.subs(at),
                "That is (y − ŷ)², the squared error itself: differentiate it with respect to ŷ."),
    ]
    return Question(
        topic="simple-net", template="loss-output-gradient",
        prompt=(f"The loss is L = {_f(loss)}. The network predicts ŷ = {n(values['y_hat'])} "
                f"for the target y = {n(values['y'])}.\n\nWhat is **∂L/∂ŷ**?"),
        kind="number", expected=expected, exact=True,
        hints=(
            "Differentiate ½·(y − ŷ)² with respect to ŷ: the power rule, then the chain rule for the inside.",
            f"∂L/∂ŷ = {_f(derivative)}",
        ),
        explanation=(f"∂L/∂ŷ = {_f(derivative)} = {notation.substituted(derivative, values)} = **{n(expected)}**. "
                     + ("Negative: raising ŷ lowers the loss." if expected < 0 else "Positive: lowering ŷ lowers the loss.")),
        mistakes=distinct_mistakes(expected, mistakes),
        given=values,
    )


@template("weight-gradient", "simple-net", "A weight's gradient in the 2-weight network")
def _weight_gradient(rng: random.Random) -> Question:
    values = _simple_values(rng)
    engine, net = _simple_network(values)
    parameter = rng.choice(("w1", "w2"))
    detail = engine.step_detail(net.learning_rate, net.leaves(), exact=True)
    expected = detail.gradients[parameter]
    chain = next(c for c in detail.chains if c.parameter == parameter)
    names, formulas, numbers, factors = _chain_parts(chain)
    forward = detail.before.values
    mistakes = [
        *chain_mistakes([(notation.partial(f.node, f.dep), f.value) for f in factors]),
        *forward_value_mistakes({"ŷ": forward["y_hat"], "h": forward["h"], "L": forward[LOSS]}),
    ]
    return Question(
        topic="simple-net", template="weight-gradient",
        prompt=(f"The 2-weight network: {_network_text(net)}, with {_at(values)}.\n\n"
                f"What is **{notation.partial(LOSS, parameter)}**?"),
        kind="number", expected=expected,
        hints=(
            f"Forward pass first: h = {_shown(forward['h'])}, ŷ = {_shown(forward['y_hat'])}.",
            f"Chain rule: {notation.partial(LOSS, parameter)} = {names} = {formulas}",
            f"= {numbers}",
        ),
        explanation=(f"Forward: h = {_shown(forward['h'])}, ŷ = {_shown(forward['y_hat'])}. Then "
                     f"{notation.partial(LOSS, parameter)} = {names} = {formulas} = {numbers} = **{n(expected)}**."),
        mistakes=distinct_mistakes(expected, mistakes),
        given=values,
    )


@template("loss-direction", "simple-net", "Does the loss rise or fall?")
def _loss_direction(rng: random.Random) -> Question:
    values = _simple_values(rng)
    engine, net = _simple_network(values)
    parameter = rng.choice(("w1", "w2"))
    detail = engine.step_detail(net.learning_rate, net.leaves(), exact=True)
    gradient = detail.gradients[parameter]
    if abs(gradient) < sympy.Rational(1, 2):
        raise Redraw
    nudge = sympy.Rational(1, 100)
    nudged = engine.forward_exact({**net.leaves(), parameter: values[parameter] + nudge})[LOSS]
    before = detail.before.loss
    options = ("The loss rises.", "The loss falls.", "The loss stays the same.")
    correct = 0 if nudged > before else 1
    if (gradient > 0) != (correct == 0):  # the first-order picture must match the real change
        raise Redraw
    names, formulas, numbers, _ = _chain_parts(next(c for c in detail.chains if c.parameter == parameter))
    return Question(
        topic="simple-net", template="loss-direction",
        prompt=(f"The 2-weight network: {_network_text(net)}, with {_at(values)}.\n\n"
                f"If **{parameter}** increases a little (from {n(values[parameter])} to "
                f"{n(values[parameter] + nudge)}), does the loss rise or fall?"),
        kind="choice", expected=correct, options=options,
        hints=(
            f"The sign of {notation.partial(LOSS, parameter)} tells you: positive means the loss rises with {parameter}.",
            f"{notation.partial(LOSS, parameter)} = {names} = {formulas}",
        ),
        explanation=(f"{notation.partial(LOSS, parameter)} = {formulas} = {numbers} = {_shown(gradient)}, which is "
                     f"{'positive' if gradient > 0 else 'negative'}, so the loss **{'rises' if correct == 0 else 'falls'}**: "
                     f"ΔL ≈ {_shown(gradient)}·{n(nudge)} = {_shown(gradient * nudge)} (exactly: {_shown(before)} → {_shown(nudged)})."),
        given=values,
    )


# ---------------------------------------------------------------- the sigmoid network


@template("sigmoid-derivative", "sigmoid-net", "σ′ from σ's value")
def _sigmoid_derivative(rng: random.Random) -> Question:
    s = sympy.Rational(rng.randint(5, 95), 100)
    z = symbol("z")
    derivative = sympy.diff(sigmoid(z), z)
    expected = derivative.subs(sigmoid(z), s)
    out, inp = rng.choice((("h1", "z1"), ("y_hat", "z2")))
    mistakes = [
        sigmoid_mistake(s),
        Mistake("one-minus-sigma", 1 - s, "That is 1 − σ alone; the derivative is the product σ·(1 − σ)."),
    ]
    return Question(
        topic="sigmoid-net", template="sigmoid-derivative",
        prompt=(f"A sigmoid neuron outputs {notation.name(out)} = σ({inp}) = {n(s)}.\n\n"
                f"What is its local derivative **{notation.partial(out, inp)}**? (You do not need {inp}.)"),
        kind="number", expected=expected, exact=True,
        hints=(
            "The sigmoid's derivative can be written with its own output: σ′(z) = σ(z)·(1 − σ(z)).",
            f"{n(s)}·(1 − {n(s)})",
        ),
        explanation=(f"σ′({inp}) = σ({inp})·(1 − σ({inp})) = {n(s)}·(1 − {n(s)}) = {n(s)}·{n(1 - s)} = **{n(expected)}**."),
        mistakes=distinct_mistakes(expected, mistakes),
        given={notation.name(out): s},
    )


def _sigmoid_values(rng: random.Random) -> dict[str, sympy.Rational]:
    return {
        "x1": _integer(rng, -2, 3), "x2": _integer(rng, -2, 3),
        "w1": _decimal(rng, -1, 1), "w2": _decimal(rng, -1, 1), "w3": _decimal(rng, -1.5, 1.5, smallest=0.2),
        "y": sympy.Integer(rng.choice((0, 1))),
    }


@template("sigmoid-w3-gradient", "sigmoid-net", "∂L/∂w3 in the sigmoid network")
def _sigmoid_w3_gradient(rng: random.Random) -> Question:
    values = _sigmoid_values(rng)
    engine = _engine("sigmoid")
    net = engine.network.with_values(values)
    detail = engine.step_detail(float(net.learning_rate), net.leaves())
    forward = detail.before.values
    if abs(forward["y_hat"] - forward["y"]) < 0.2 or abs(forward["h1"]) < 0.05:
        raise Redraw
    expected = sympy.Float(detail.gradients["w3"])
    chain = next(c for c in detail.chains if c.parameter == "w3")
    names, formulas, numbers, factors = _chain_parts(chain)
    sigma = sigmoid_mistake(sympy.Float(forward["y_hat"]))
    without_sigma_prime = sympy.Float((forward["y_hat"] - forward["y"]) * forward["y_hat"] * forward["h1"])
    mistakes = [
        *chain_mistakes([(notation.partial(f.node, f.dep), sympy.Float(f.value)) for f in factors]),
        Mistake(sigma.name, without_sigma_prime, sigma.feedback),
        *forward_value_mistakes({k: sympy.Float(forward[v]) for k, v in (("ŷ", "y_hat"), ("h1", "h1"), ("L", LOSS))}),
    ]
    shown = ", ".join(f"{notation.name(k)} = {n(forward[k])}" for k in ("z1", "h1", "z2", "y_hat"))
    return Question(
        topic="sigmoid-net", template="sigmoid-w3-gradient",
        prompt=(f"The sigmoid network: {_network_text(net)}, with {_at(values)}.\n\n"
                f"The forward pass gives {shown}.\n\nWhat is **∂L/∂w3**?"),
        kind="number", expected=expected,
        hints=(
            f"Chain rule: ∂L/∂w3 = {names}",
            f"= {formulas}",
            f"= {numbers}",
        ),
        explanation=f"∂L/∂w3 = {names} = {formulas} = {numbers} = **{n(expected)}**.",
        mistakes=distinct_mistakes(expected, mistakes),
        given=values,
    )
