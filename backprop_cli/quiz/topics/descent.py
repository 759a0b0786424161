"""Quiz templates on gradient descent: one update, the new loss, a learning rate that is too large."""

from __future__ import annotations

import random

import sympy

from backprop_cli.checking import (
    Mistake,
)
from backprop_cli.checking import diagnosis as traced
from backprop_cli.expressions import symbol
from backprop_cli.network.graph import LOSS
from backprop_cli.quiz.drawing import (
    _at,
    _bracket,
    _decimal,
    _f,
    _shown,
    n,
)
from backprop_cli.quiz.question import (
    Question,
    Redraw,
    distinct_mistakes,
)
from backprop_cli.quiz.registry import template
from backprop_cli.quiz.topics.networks import _network_text, _simple_network, _simple_values


@template("update", "gradient-descent", "One gradient-descent update")
def _update(rng: random.Random) -> Question:
    w = _decimal(rng, -2, 3)
    lr = rng.choice((sympy.Rational(1, 100), sympy.Rational(5, 100), sympy.Rational(1, 10),
                     sympy.Rational(2, 10), sympy.Rational(5, 10)))
    g = _decimal(rng, -8, 8, smallest=0.5)
    alpha, weight, gradient = symbol("alpha"), symbol("w"), symbol("g")
    rule = weight - alpha * gradient
    new = rule.subs({weight: w, alpha: lr, gradient: g})
    if new == 0:
        raise Redraw
    return Question(
        topic="gradient-descent", template="update",
        prompt=(f"A weight w = {n(w)} has gradient ∂L/∂w = {n(g)}. With learning rate α = {n(lr)}, "
                f"what is **w after one step** of gradient descent?"),
        kind="number", expected=new, exact=True,
        hints=(
            "Gradient descent steps against the gradient: w ← w − α·∂L/∂w.",
            f"{n(w)} − {n(lr)}·{_bracket(g)}",
        ),
        explanation=(f"w ← w − α·∂L/∂w = {n(w)} − {n(lr)}·{_bracket(g)} = {n(w)} "
                     f"{'+' if -lr * g > 0 else '−'} {n(abs(lr * g))} = **{n(new)}**. "
                     + ("The gradient is negative, so the weight goes up." if g < 0 else
                        "The gradient is positive, so the weight goes down.")),
        given={"w": w, "α": lr, "∂L/∂w": g},
        diagnosis=traced.prepare(float(new), traced.update_candidates(float(w), float(lr), float(g), "w"),
                                 traced.UpdateRule(w, "w")),
    )


@template("new-loss", "gradient-descent", "The loss after one update")
def _new_loss(rng: random.Random) -> Question:
    values = _simple_values(rng)
    engine, net = _simple_network(values)
    lr = rng.choice((sympy.Rational(1, 100), sympy.Rational(2, 100), sympy.Rational(5, 1000)))
    detail = engine.step_detail(lr, net.leaves(), exact=True)
    before, after = detail.before.loss, detail.after.loss
    if not (sympy.Rational(1, 100) <= after < before * sympy.Rational(9, 10)):
        raise Redraw
    grads = detail.gradients
    added = {**net.leaves(), **{u.parameter: u.old + lr * u.gradient for u in detail.updates}}
    mistakes = [
        Mistake("old-loss", before, "That is the loss before the step: update the weights, then do the forward pass again."),
        Mistake("update-added", engine.forward_exact(added)[LOSS],
                "Gradient descent subtracts: w ← w − α·∂L/∂w. Adding the step climbs the loss."),
    ]
    for u in detail.updates:
        only = {**net.leaves(), u.parameter: u.new}
        mistakes.append(Mistake("one-weight-updated", engine.forward_exact(only)[LOSS],
                                "Update every weight (using the gradients from before the step), then do the forward pass."))
    news = ", ".join(f"{u.parameter} = {n(u.old)} − {n(lr)}·{_bracket(u.gradient)} = {_shown(u.new)}" for u in detail.updates)
    after_values = detail.after.values
    return Question(
        topic="gradient-descent", template="new-loss",
        prompt=(f"The 2-weight network: {_network_text(net)}, with {_at(values)}. Its loss is {_shown(before)} and "
                f"its gradients are ∂L/∂w1 = {_shown(grads['w1'])}, ∂L/∂w2 = {_shown(grads['w2'])}.\n\n"
                f"After **one step** of gradient descent with α = {n(lr)}, what is the new loss?"),
        kind="number", expected=after,
        hints=(
            "Update both weights with w ← w − α·∂L/∂w, then do the forward pass again.",
            f"New weights: {news}.",
            f"New forward pass: h = {_shown(after_values['h'])}, ŷ = {_shown(after_values['y_hat'])}.",
        ),
        explanation=(f"{news}. Then h = {_shown(after_values['h'])}, ŷ = {_shown(after_values['y_hat'])} and "
                     f"L = {_f(net.loss.expr)} = **{_shown(after)}** (down from {_shown(before)})."),
        mistakes=distinct_mistakes(after, mistakes),
        given={**values, "α": lr},
    )


LADDER = tuple(sympy.Rational(p, q) for p, q in ((1, 1000), (2, 1000), (5, 1000), (1, 100), (2, 100), (5, 100),
                                                  (1, 10), (2, 10), (5, 10), (1, 1)))
LR_STEPS = 3


@template("learning-rate", "gradient-descent", "Which learning rate makes the loss grow?")
def _learning_rate(rng: random.Random) -> Question:
    values = _simple_values(rng)
    engine, net = _simple_network(values)
    before = float(engine.step_detail(net.learning_rate, net.leaves()).before.loss)
    runs = {lr: engine.train(float(lr), LR_STEPS, net.leaves()) for lr in LADDER}

    def grows(lr) -> bool:
        run = runs[lr]
        return run.diverged_at is not None or run.loss_after > 1.2 * before

    def falls(lr) -> bool:
        run = runs[lr]
        return run.diverged_at is None and run.loss_after < 0.95 * before

    growing = [i for i, lr in enumerate(LADDER) if grows(lr)]
    if not growing or growing[0] < 3:
        raise Redraw
    first = growing[0]
    calm = LADDER[first - 3:first]
    if not all(falls(lr) for lr in calm):
        raise Redraw
    rates = [*calm, LADDER[first]]
    rng.shuffle(rates)
    correct = rates.index(LADDER[first])

    def outcome(lr) -> str:
        run = runs[lr]
        if run.diverged_at is not None:
            return f"α = {n(lr)}: the loss overflows (step {run.diverged_at}) — it grows"
        verb = "grows" if grows(lr) else "falls"
        return f"α = {n(lr)}: L goes from {n(before)} to {n(run.loss_after)} — it {verb}"

    lines = "\n".join(f"- {outcome(lr)}" for lr in sorted(rates))
    grads = engine.step_detail(net.learning_rate, net.leaves()).gradients
    return Question(
        topic="gradient-descent", template="learning-rate",
        prompt=(f"The 2-weight network: {_network_text(net)}, with {_at(values)} (loss {n(before)}).\n\n"
                f"Which of these learning rates makes the loss **grow** over {LR_STEPS} steps of gradient descent?"),
        kind="choice", expected=correct, options=tuple(f"α = {n(lr)}" for lr in rates),
        hints=(
            "Too large a step overshoots the minimum: the weights land further up the other side of the valley.",
            (f"Try one step with each rate: w ← w − α·∂L/∂w, with ∂L/∂w1 = {n(grads['w1'])} and "
            f"∂L/∂w2 = {n(grads['w2'])}, then compare the losses."),
        ),
        explanation=f"Running {LR_STEPS} steps of gradient descent with each rate:\n\n{lines}",
        given={**values},
    )
