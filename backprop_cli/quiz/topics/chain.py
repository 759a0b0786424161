"""Quiz templates on the chain rule."""

from __future__ import annotations

import random

import sympy

from backprop_cli.checking import (
    Mistake,
)
from backprop_cli.checking import diagnosis as traced
from backprop_cli.expressions import symbol
from backprop_cli.quiz.drawing import (
    X,
    _bracket,
    _f,
    _integer,
    n,
)
from backprop_cli.quiz.question import (
    Question,
    Redraw,
    distinct_expression_mistakes,
    distinct_mistakes,
)
from backprop_cli.quiz.registry import template

U = symbol("u")


def _inner(rng: random.Random) -> tuple[sympy.Expr, int]:
    a = rng.choice((-3, -2, 2, 3, 4, 5))
    b = _integer(rng, -5, 5)
    return a * X + b, rng.choice((2, 3))


@template("chain-power", "chain-rule", "The chain rule at a point")
def _chain_power(rng: random.Random) -> Question:
    inner, power = _inner(rng)
    x0 = _integer(rng, -3, 3, nonzero=False)
    u0 = inner.subs(X, x0)
    if u0 == 0:
        raise Redraw
    outer = U**power
    dz_du = sympy.diff(outer, U)
    du_dx = sympy.diff(inner, X)
    expected = sympy.diff(inner**power, X).subs(X, x0)
    outer_at = dz_du.subs(U, u0)
    links = [
        traced.Link("dz/du", float(outer_at), f"{power}·u{'' if power == 2 else '²'}",
                    traced.power_swaps("dz/du", "u", float(u0), power)),
        traced.Link("du/dx", float(du_dx), n(du_dx)),
    ]
    mistakes = [
        Mistake("forward-value", outer.subs(U, u0), f"That is z itself at x = {n(x0)}, not its derivative."),
        Mistake("forward-value", u0, f"That is u at x = {n(x0)}; the question asks for dz/dx."),
    ]
    return Question(
        topic="chain-rule", template="chain-power",
        prompt=(f"Let z = ({_f(inner)}){'²' if power == 2 else '³'}: think of it as u = {_f(inner)} and "
                f"z = {_f(outer)}.\n\nWhat is **dz/dx** at x = {n(x0)}?"),
        kind="number", expected=expected, exact=True,
        hints=(
            "Chain rule: dz/dx = dz/du · du/dx.",
            f"dz/du = {_f(dz_du)} and du/dx = {n(du_dx)}.",
            f"At x = {n(x0)}: u = {n(u0)}, so dz/du = {n(outer_at)}.",
        ),
        explanation=(f"At x = {n(x0)}, u = {n(u0)}. dz/du = {_f(dz_du)} = {n(outer_at)} and du/dx = {n(du_dx)}, "
                     f"so dz/dx = {n(outer_at)}·{_bracket(du_dx)} = **{n(expected)}**."),
        mistakes=distinct_mistakes(expected, mistakes),
        given={"x": x0},
        diagnosis=traced.prepare(float(expected), traced.chain_candidates(links)),
    )


@template("chain-symbolic", "chain-rule", "The chain rule as a formula")
def _chain_symbolic(rng: random.Random) -> Question:
    inner, power = _inner(rng)
    y = symbol("y")
    expected = sympy.diff(inner**power, X)
    outer_derivative = sympy.diff(y**power, y).subs(y, inner)
    # What substituting y gives, inner bracket kept as the prompt wrote it: SymPy's factor() turned
    # −2·x − 1 into 2·x + 1 and its plain form was 8·x + 4, so answer and explanation disagreed.
    chained = f"{n(power * sympy.diff(inner, X))}·({_f(inner)}){'²' if power == 3 else ''}"
    mistakes = [
        Mistake("missing-factor", outer_derivative,
                f"That is dz/dy only: multiply by dy/dx = {n(sympy.diff(inner, X))} (the chain rule)."),
        Mistake("power-not-reduced", power * sympy.diff(inner, X) * inner**power,
                "The power rule lowers the power by one: d/dy yⁿ = n·yⁿ⁻¹."),
    ]
    return Question(
        topic="chain-rule", template="chain-symbolic",
        prompt=(f"Let y = {_f(inner)} and z = {_f(y**power)}.\n\nFind **dz/dx** as a formula in x "
                f"(for example 5(x - 1)^2 or 8x + 12)."),
        kind="expression", expected=expected, names=("x",),
        hints=(
            "Chain rule: dz/dx = dz/dy · dy/dx.",
            f"dz/dy = {_f(sympy.diff(y**power, y))} and dy/dx = {n(sympy.diff(inner, X))}.",
            f"Substitute y = {_f(inner)} to write it in x.",
        ),
        explanation=(f"dz/dy = {_f(sympy.diff(y**power, y))} and dy/dx = {n(sympy.diff(inner, X))}, so "
                     f"dz/dx = {_f(sympy.diff(y**power, y))}·{_bracket(sympy.diff(inner, X))} with y = {_f(inner)}: "
                     f"**{chained}** (= {_f(sympy.expand(expected))})."),
        mistakes=distinct_expression_mistakes(expected, mistakes),
        shown=chained,
    )
