"""Quiz templates on partial derivatives and gradients."""

from __future__ import annotations

import random

import sympy

from backprop_cli.checking import (
    Mistake,
)
from backprop_cli.quiz.drawing import (
    X,
    Y,
    _at,
    _bracket,
    _derivative_terms,
    _integer,
    _terms,
    n,
)
from backprop_cli.quiz.question import (
    Question,
    Redraw,
    distinct_expression_mistakes,
    distinct_mistakes,
)
from backprop_cli.quiz.registry import template


def _two_variable(rng: random.Random) -> list[sympy.Expr]:
    """f(x, y) = a·xᵐ·yⁿ + b·xᵖ + c·y^q: a mixed term, a term in x only, a term in y only."""
    a, b, c = (_integer(rng, -4, 4) for _ in range(3))
    m, k = rng.choice((1, 2)), rng.choice((1, 2))
    p, q = rng.choice((2, 3)), rng.choice((2, 3))
    return [a * X**m * Y**k, b * X**p, c * Y**q]


@template("partial-symbolic", "partials", "A partial derivative as a formula")
def _partial_symbolic(rng: random.Random) -> Question:
    terms = _two_variable(rng)
    f = sum(terms)
    var, other = rng.choice(((X, Y), (Y, X)))
    expected = sympy.diff(f, var)
    constant = sum(t for t in terms if not t.has(var))
    mistakes = [
        Mistake("wrong-variable", sympy.diff(f, other),
                f"That is ∂f/∂{other}: differentiate with respect to {var}, holding {other} fixed."),
        Mistake("constant-kept", expected + constant,
                f"A term without {var} is a constant when you differentiate with respect to {var}: its derivative is 0."),
    ]
    parts = ", ".join(f"∂/∂{var}({_terms([t])}) = {_terms([sympy.diff(t, var)])}" for t in terms)
    shown = _terms(_derivative_terms(terms, var))
    return Question(
        topic="partials", template="partial-symbolic",
        prompt=(f"Let f(x, y) = {_terms(terms)}.\n\nFind **∂f/∂{var}** as a formula in x and y "
                f"(type it as you would write it, e.g. 3x^2*y - 2y)."),
        kind="expression", expected=expected, names=("x", "y"),
        hints=(
            f"Hold {other} fixed: treat it like a number.",
            f"Differentiate term by term; a term with no {var} in it gives 0.",
            parts,
        ),
        explanation=f"Holding {other} fixed: {parts}. So ∂f/∂{var} = **{shown}**.",
        mistakes=distinct_expression_mistakes(expected, mistakes),
        shown=shown,
    )


def _point(rng: random.Random) -> dict[str, sympy.Integer]:
    return {"x": _integer(rng, -3, 3), "y": _integer(rng, -2, 2)}


@template("partial-at-point", "partials", "A partial derivative at a point")
def _partial_at_point(rng: random.Random) -> Question:
    terms = _two_variable(rng)
    f = sum(terms)
    point = _point(rng)
    at = {X: point["x"], Y: point["y"]}
    var, other = rng.choice(((X, Y), (Y, X)))
    partial = sympy.diff(f, var)
    expected = partial.subs(at)
    if expected == 0:
        raise Redraw
    mistakes = [
        Mistake("wrong-variable", sympy.diff(f, other).subs(at),
                f"That is ∂f/∂{other} at the point; the question asks for ∂f/∂{var}."),
        Mistake("forward-value", f.subs(at), "That is the value of f at the point, not a partial derivative."),
    ]
    return Question(
        topic="partials", template="partial-at-point",
        prompt=f"Let f(x, y) = {_terms(terms)}.\n\nWhat is **∂f/∂{var}** at ({_at(point)})?",
        kind="number", expected=expected, exact=True,
        hints=(
            f"Hold {other} fixed and differentiate with respect to {var}.",
            f"∂f/∂{var} = {_terms(_derivative_terms(terms, var))}",
            f"Substitute: {_terms(_derivative_terms(terms, var), point)}",
        ),
        explanation=(f"∂f/∂{var} = {_terms(_derivative_terms(terms, var))}; at ({_at(point)}) that is "
                     f"{_terms(_derivative_terms(terms, var), point)} = **{n(expected)}**."),
        mistakes=distinct_mistakes(expected, mistakes),
        given=point,
    )


@template("gradient-components", "gradients", "The components of a gradient")
def _gradient_components(rng: random.Random) -> Question:
    terms = _two_variable(rng)
    f = sum(terms)
    point = _point(rng)
    at = {X: point["x"], Y: point["y"]}
    fx, fy = sympy.diff(f, X), sympy.diff(f, Y)
    gx, gy = fx.subs(at), fy.subs(at)
    if gx == 0 or gy == 0 or abs(gx) == abs(gy):
        raise Redraw
    swapped = Mistake("swapped", sympy.Tuple(gy, gx),
                      "Right numbers, wrong order: the gradient lists ∂f/∂x first, then ∂f/∂y.")
    return Question(
        topic="gradients", template="gradient-components",
        prompt=(f"Let f(x, y) = {_terms(terms)}.\n\nWhat is the gradient **∇f** at ({_at(point)})? "
                f"Type its two components separated by a comma, ∂f/∂x first (e.g. 3, -2)."),
        kind="numbers", expected=(gx, gy), exact=True, labels=("∂f/∂x", "∂f/∂y"),
        hints=(
            "The gradient collects the partial derivatives: ∇f = (∂f/∂x, ∂f/∂y).",
            f"∂f/∂x = {_terms(_derivative_terms(terms, X))} and ∂f/∂y = {_terms(_derivative_terms(terms, Y))}",
            f"Substitute ({_at(point)}) into each.",
        ),
        explanation=(f"∂f/∂x = {_terms(_derivative_terms(terms, X))} = {_terms(_derivative_terms(terms, X), point)} "
                     f"= {n(gx)} and ∂f/∂y = {_terms(_derivative_terms(terms, Y))} = "
                     f"{_terms(_derivative_terms(terms, Y), point)} = {n(gy)}, "
                     f"so ∇f = **({n(gx)}, {n(gy)})**."),
        mistakes=(swapped,),
        given=point,
    )


@template("gradient-approximation", "gradients", "Predict a change with the gradient")
def _gradient_approximation(rng: random.Random) -> Question:
    terms = _two_variable(rng)
    f = sum(terms)
    point = _point(rng)
    at = {X: point["x"], Y: point["y"]}
    steps = (sympy.Rational(1, 10), sympy.Rational(-1, 10), sympy.Rational(2, 10), sympy.Rational(5, 100))
    dx, dy = rng.choice(steps), rng.choice(steps)
    fx, fy = sympy.diff(f, X), sympy.diff(f, Y)
    gx, gy = fx.subs(at), fy.subs(at)
    if gx == 0 or gy == 0:
        raise Redraw
    predicted = gx * dx + gy * dy
    moved = {X: point["x"] + dx, Y: point["y"] + dy}
    actual = f.subs(moved) - f.subs(at)
    mistakes = [
        Mistake("actual-change", actual,
                "That is the actual change; the question asks for the gradient's prediction ∂f/∂x·Δx + ∂f/∂y·Δy."),
        Mistake("only-x-term", gx * dx, "Both variables move: add ∂f/∂y·Δy to ∂f/∂x·Δx."),
        Mistake("only-y-term", gy * dy, "Both variables move: add ∂f/∂x·Δx to ∂f/∂y·Δy."),
        Mistake("steps-missing", gx + gy, "Multiply each partial derivative by its own step before adding."),
    ]
    return Question(
        topic="gradients", template="gradient-approximation",
        prompt=(f"Let f(x, y) = {_terms(terms)}, at ({_at(point)}).\n\nx changes by Δx = {n(dx)} and y by "
                f"Δy = {n(dy)}. Use the gradient to **predict** the change: Δf ≈ ?"),
        kind="number", expected=predicted, exact=True,
        hints=(
            "Δf ≈ ∂f/∂x·Δx + ∂f/∂y·Δy",
            f"At ({_at(point)}): ∂f/∂x = {n(gx)} and ∂f/∂y = {n(gy)}.",
        ),
        explanation=(f"∂f/∂x = {n(gx)} and ∂f/∂y = {n(gy)}, so Δf ≈ {n(gx)}·{_bracket(dx)} + "
                     f"{_bracket(gy)}·{_bracket(dy)} = **{n(predicted)}**. The actual change is {n(actual)}."),
        mistakes=distinct_mistakes(predicted, mistakes),
        given={**point, "Δx": dx, "Δy": dy},
    )
