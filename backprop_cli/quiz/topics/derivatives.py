"""Quiz templates on derivatives of one variable: the slope at a point, the linear approximation."""

from __future__ import annotations

import random

import sympy

from backprop_cli import notation
from backprop_cli.checking import (
    Mistake,
)
from backprop_cli.quiz.drawing import (
    X,
    _bracket,
    _f,
    _integer,
    _terms,
    n,
)
from backprop_cli.quiz.question import (
    Question,
    Redraw,
    distinct_mistakes,
)
from backprop_cli.quiz.registry import template


def _polynomial(rng: random.Random, degree: int, small: bool = False) -> list[sympy.Expr]:
    """The terms of a polynomial in x of ``degree``, highest power first (leading term never 0)."""
    top = 2 if small else 3
    terms = [_integer(rng, -top, top) * X**degree]
    for power in range(degree - 1, -1, -1):
        bound = {2: 4, 1: 6, 0: 5}[power] if not small else 3
        c = _integer(rng, -bound, bound, nonzero=False)
        if c:
            terms.append(c * X**power)
    return terms


@template("derivative-at-point", "derivatives", "Derivative of a polynomial at a point")
def _derivative_at_point(rng: random.Random) -> Question:
    terms = _polynomial(rng, rng.choice((2, 3)))
    f = sum(terms)
    x0 = _integer(rng, -3, 3)
    df = sympy.diff(f, X)
    slope = df.subs(X, x0)
    if slope == 0:
        raise Redraw
    no_exponent = sum(t.subs(X, 1) * X ** (sympy.degree(t, X) - 1) for t in terms if sympy.degree(t, X) > 0)
    mistakes = [
        Mistake("forward-value", f.subs(X, x0), f"That is f({n(x0)}), the value of f; the slope is f′({n(x0)})."),
        Mistake("exponent-not-brought-down", no_exponent.subs(X, x0),
                "The power rule brings the exponent down as a factor: d/dx xⁿ = n·xⁿ⁻¹."),
    ]
    return Question(
        topic="derivatives", template="derivative-at-point",
        prompt=f"Let f(x) = {_terms(terms)}.\n\nWhat is the slope of f at x = {n(x0)}, that is, **f′({n(x0)})**?",
        kind="number", expected=slope, exact=True,
        hints=(
            ("Differentiate term by term with the power rule: the derivative of xⁿ is n·xⁿ⁻¹, "
            "and a constant's derivative is 0."),
            f"f′(x) = {_f(df)}",
            f"f′({n(x0)}) = {notation.substituted(df, {'x': x0})}",
        ),
        explanation=(f"By the power rule f′(x) = {_f(df)}, so f′({n(x0)}) = "
                     f"{notation.substituted(df, {'x': x0})} = **{n(slope)}**: near x = {n(x0)}, "
                     + _pace(slope)),
        mistakes=distinct_mistakes(slope, mistakes),
        given={"x": x0},
    )


def _pace(slope: sympy.Expr) -> str:
    """How fast f moves against x near the point, in words (a slope of 0 was redrawn)."""
    rate = "at about the same rate as x" if abs(slope) == 1 else f"about {n(abs(slope))} times as fast as x"
    return f"f changes {rate}" + (" (and in the opposite direction)." if slope < 0 else ".")


@template("linear-approximation", "derivatives", "Predict a small change with the derivative")
def _linear_approximation(rng: random.Random) -> Question:
    terms = _polynomial(rng, rng.choice((2, 3)), small=True)
    f = sum(terms)
    x0 = _integer(rng, -2, 3, nonzero=False)
    dx = rng.choice((sympy.Rational(1, 10), sympy.Rational(2, 10), sympy.Rational(-1, 10), sympy.Rational(5, 100)))
    df = sympy.diff(f, X)
    slope = df.subs(X, x0)
    if slope == 0:
        raise Redraw
    predicted = slope * dx
    f0, f1 = f.subs(X, x0), f.subs(X, x0 + dx)
    actual = f1 - f0
    mistakes = [
        Mistake("actual-change", actual,
                "That is the actual change f(x + Δx) − f(x); the question asks for the derivative's "
                "prediction f′(x)·Δx."),
        Mistake("slope-not-change", slope, "That is the slope f′(x); multiply it by Δx to predict the change."),
        Mistake("new-value", f1, "That is the new value f(x + Δx), not the change in f."),
    ]
    return Question(
        topic="derivatives", template="linear-approximation",
        prompt=(f"Let f(x) = {_terms(terms)}.\n\nx moves from {n(x0)} to {n(x0 + dx)} (Δx = {n(dx)}). "
                f"Use the derivative at x = {n(x0)} to **predict** the change: Δf ≈ ?"),
        kind="number", expected=predicted, exact=True,
        hints=(
            "The derivative predicts Δf ≈ f′(x)·Δx.",
            f"f′(x) = {_f(df)}, so f′({n(x0)}) = {n(slope)}.",
        ),
        explanation=(f"f′({n(x0)}) = {n(slope)}, so Δf ≈ {n(slope)}·{_bracket(dx)} = **{n(predicted)}**. "
                     f"The actual change is f({n(x0 + dx)}) − f({n(x0)}) = {n(f1)} − {_bracket(f0)} = {n(actual)}: "
                     f"close to the prediction, because Δx is small."),
        mistakes=distinct_mistakes(predicted, mistakes),
        given={"x": x0, "Δx": dx},
    )
