"""Quiz question templates: fresh numbers from a seeded ``random.Random``, answers from SymPy or the engine.

Each template draws its numbers from ranges chosen so the question is sensible (no zero gradient, no
answer needing a dozen digits, no case where a named mistake coincides with the right answer) and
computes everything a learner sees — the expected answer, the worked explanation, the values of the
likely mistakes — with SymPy or the engine, never with hand-written arithmetic. A draw that still
turns out degenerate raises :class:`Redraw` and the template draws again from the same generator, so
one seed always gives the same question.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import sympy

from backprop_cli import notation
from backprop_cli.checking import (
    Diagnosis,
    Mistake,
    Verdict,
    chain_mistakes,
    check_choice,
    check_components,
    check_expression,
    check_number,
    forward_value_mistakes,
    sigmoid_mistake,
    significant_figures,
)
from backprop_cli.checking import diagnosis as traced
from backprop_cli.expressions import symbol
from backprop_cli.mathfunctions import sigmoid
from backprop_cli.network.graph import LOSS
from backprop_cli.quiz import TOPICS

#: Every numeric answer lies in SMALLEST ≤ |answer| < LARGEST.
LARGEST = 10_000
SMALLEST = sympy.Rational(1, 1000)
#: An exact answer (typed in full, compared exactly) never needs more significant figures than this.
MAX_EXACT_FIGURES = 6
#: A named mistake must differ from the answer (and from the other mistakes) by this fraction.
DISTINCT = 0.02
MAX_DRAWS = 200

Kind = Literal["number", "numbers", "expression", "choice"]
X, Y = symbol("x"), symbol("y")


class Redraw(Exception):
    """The numbers drawn make a degenerate question; the template draws again."""


@dataclass(frozen=True)
class Question:
    """One quiz question, ready to ask and to check. ``expected`` depends on ``kind``:
    ``number`` an Expr, ``numbers`` a tuple of Exprs (typed ``a, b``), ``expression`` an Expr over
    ``names``, ``choice`` the index of the right option."""

    topic: str
    template: str
    prompt: str  # Markdown
    kind: Kind
    expected: Any
    hints: tuple[str, ...]
    explanation: str  # Markdown: the worked answer
    mistakes: tuple[Mistake, ...] = ()  # for "numbers", each value is a sympy.Tuple of components
    exact: bool = False
    names: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()  # the components of a "numbers" answer, e.g. ("∂f/∂x", "∂f/∂y")
    given: Mapping[str, sympy.Expr] = field(default_factory=dict)  # numbers drawn for the prompt
    shown: str = ""  # how to write the answer, when the template knows a nicer order than SymPy's
    diagnosis: Diagnosis | None = None  # the step's generated candidate computations (number questions)

    @property
    def ask_kind(self) -> Literal["number", "expression", "choice"]:
        return "number" if self.kind == "numbers" else self.kind

    @property
    def answer_text(self) -> str:
        """The answer as the learner sees it revealed."""
        if self.shown:
            return self.shown
        if self.kind == "number":
            return notation.number(self.expected)
        if self.kind == "numbers":
            return "(" + ", ".join(notation.number(v) for v in self.expected) + ")"
        if self.kind == "expression":
            return notation.formula(self.expected)
        return f"{chr(ord('a') + self.expected)}) {self.options[self.expected]}"

    def typed(self, value: Any) -> str:
        """``value`` written as a learner would type it (8 significant figures, ASCII)."""
        if self.kind == "number":
            return notation.plain(value, 8)
        if self.kind == "numbers":
            return ", ".join(notation.plain(v, 8) for v in value)
        if self.kind == "expression":
            return notation.formula(value)
        return chr(ord("a") + value)

    def check(self, text: str) -> Verdict:
        """The checker's verdict on one answer (invalid input costs nothing)."""
        if self.kind == "number":
            return check_number(text, self.expected, exact=self.exact, mistakes=self.mistakes,
                                diagnosis=self.diagnosis)
        if self.kind == "expression":
            return check_expression(text, self.expected, {n: symbol(n) for n in self.names},
                                    mistakes=self.mistakes)
        if self.kind == "choice":
            return check_choice(text, self.options, self.expected)
        return self._check_components(text)

    def _check_components(self, text: str) -> Verdict:
        return check_components(text, self.expected, self.labels, mistakes=self.mistakes, exact=self.exact)


@dataclass(frozen=True)
class Template:
    id: str
    topic: str
    title: str
    build: Callable[[random.Random], Question]

    def make(self, rng: random.Random) -> Question:
        """A sensible question from ``rng`` (drawing again while a draw is degenerate)."""
        for _ in range(MAX_DRAWS):
            try:
                question = self.build(rng)
                _require_sensible(question)
                return _recognised_mistakes(question)
            except Redraw:
                continue
        raise RuntimeError(f"template {self.id}: no sensible question in {MAX_DRAWS} draws")  # pragma: no cover


TEMPLATES: list[Template] = []


def template(id_: str, topic: str, title: str):
    """Register a builder as a quiz template."""
    assert topic in TOPICS, topic

    def register(build: Callable[[random.Random], Question]):
        TEMPLATES.append(Template(id_, topic, title, build))
        return build

    return register


def by_id(template_id: str) -> Template:
    for t in TEMPLATES:
        if t.id == template_id:
            return t
    raise KeyError(template_id)


def for_topics(topics: Sequence[str] | None = None) -> list[Template]:
    """The templates of ``topics`` (all when None), in topic order then registration order."""
    wanted = list(topics) if topics else list(TOPICS)
    return [t for topic in TOPICS if topic in wanted for t in TEMPLATES if t.topic == topic]


# ---------------------------------------------------------------- sanity, shared by every template


def _require_sensible(q: Question) -> None:
    if q.kind not in ("number", "numbers"):
        return
    values = q.expected if q.kind == "numbers" else (q.expected,)
    for v in values:
        f = float(sympy.N(v))
        if not math.isfinite(f) or not (float(SMALLEST) <= abs(f) < LARGEST):
            raise Redraw
        if q.exact and (significant_figures(v) or 99) > MAX_EXACT_FIGURES:
            raise Redraw


def _recognised_mistakes(q: Question) -> Question:
    """Keep only the mistakes the checker names when a learner types them, so that every mistake a
    question lists is one the learner can actually be told about (a value with one or two figures,
    for instance, may read as a rounded answer instead)."""
    kept = list(q.mistakes)
    while kept:
        probe = dataclasses.replace(q, mistakes=tuple(kept))
        named = [m for m in kept if _names(probe.check(probe.typed(m.value)), m)]
        if len(named) == len(kept):
            return probe
        kept = named
    return dataclasses.replace(q, mistakes=())


def _names(verdict: Verdict, mistake: Mistake) -> bool:
    return verdict.status == "incorrect" and verdict.mistake == mistake.name and verdict.message == mistake.feedback


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= DISTINCT * max(abs(a), abs(b))


def distinct_mistakes(expected: sympy.Expr, mistakes: Sequence[Mistake]) -> tuple[Mistake, ...]:
    """The mistakes worth naming: finite, not (nearly) the answer, not a sign flip or factor of 2 of it
    (the checker names those itself), and not (nearly) equal to a mistake already kept.

    A mistake whose exact value is a long decimal is handed to the checker as a 30-digit Float, so
    that a learner who rounds it is still told what went wrong (the checker compares rationals
    exactly in an exact question)."""
    e = float(sympy.N(expected))
    taken = [e, -e, 2 * e, -2 * e, e / 2, -e / 2]
    kept: list[Mistake] = []
    for m in mistakes:
        try:
            v = float(sympy.N(m.value))
        except (TypeError, ValueError):
            continue
        if not math.isfinite(v) or v == 0 or any(_close(v, t) for t in taken):
            continue
        if isinstance(m.value, sympy.Rational) and (significant_figures(m.value) or 99) > MAX_EXACT_FIGURES:
            m = Mistake(m.name, sympy.Float(m.value, 30), m.feedback)
        kept.append(m)
        taken.append(v)
    return tuple(kept)


def distinct_expression_mistakes(expected: sympy.Expr, mistakes: Sequence[Mistake]) -> tuple[Mistake, ...]:
    """Expression mistakes that are really different from the answer and from each other."""
    kept: list[Mistake] = []
    generic = (expected, -expected, 2 * expected, expected / 2)
    for m in mistakes:
        if any(sympy.expand(m.value - other) == 0 for other in (*generic, *(k.value for k in kept))):
            continue
        kept.append(m)
    return tuple(kept)


# ---------------------------------------------------------------- drawing and showing numbers


def _decimal(rng: random.Random, low: float, high: float, places: int = 1, *, smallest: float = 0) -> sympy.Rational:
    """A number with ``places`` decimals in [low, high], at least ``smallest`` away from 0 (never 0)."""
    scale = 10**places
    while True:
        n = rng.randint(round(low * scale), round(high * scale))
        if n and abs(n) >= smallest * scale:
            return sympy.Rational(n, scale)


def _integer(rng: random.Random, low: int, high: int, *, nonzero: bool = True) -> sympy.Integer:
    while True:
        n = rng.randint(low, high)
        if n or not nonzero:
            return sympy.Integer(n)


n = notation.number


def _f(expr: sympy.Expr) -> str:
    return notation.formula(expr)


def _monomial(term: sympy.Expr, values: Mapping[str, sympy.Expr] | None = None) -> str:
    """A positive monomial with x before y, as a learner writes it: ``3·x²·y`` (not ``3·y·x²``).

    With ``values``, each factor is substituted in that same order (``2·(−3)²·2`` for ``2·x²·y``),
    so the substituted line reads under the formula it came from.
    """
    coefficient, rest = term.as_coeff_Mul()
    powers = rest.as_powers_dict()
    if set(powers) <= {X, Y} and all(e.is_Integer and e > 0 for e in powers.values()):
        factors = [notation.substituted(v**powers[v], values) if values else _f(v**powers[v])
                   for v in (X, Y) if v in powers]
        if coefficient != 1 or not factors:
            factors.insert(0, n(coefficient))
        return "·".join(factors)
    return notation.substituted(term, values) if values else _f(term)


def _derivative_terms(terms: Sequence[sympy.Expr], var: sympy.Symbol) -> list[sympy.Expr]:
    """The nonzero derivatives of each term, in the same order."""
    return [d for d in (sympy.diff(t, var) for t in terms) if d != 0]


def _terms(terms: Sequence[sympy.Expr], values: Mapping[str, sympy.Expr] | None = None) -> str:
    """A sum written in the order given: ``3·x²·y + 2·x³ − y²`` (or with ``values`` substituted)."""
    out = ""
    for i, term in enumerate(terms):
        negative = term.could_extract_minus_sign()
        positive = -term if negative else term
        text = _monomial(positive, values)
        out += (("−" if negative else "") + text) if i == 0 else ((" − " if negative else " + ") + text)
    return out


def _at(values: Mapping[str, sympy.Expr]) -> str:
    return ", ".join(f"{notation.name(k)} = {n(v)}" for k, v in values.items())


def _shown(value) -> str:
    """A computed value for display: in full when it is a short exact decimal, else to 6 figures."""
    if isinstance(value, sympy.Rational) and (significant_figures(value) or 99) > MAX_EXACT_FIGURES:
        return n(sympy.Float(value, 30))
    return n(value)


def _bracket(value: sympy.Expr) -> str:
    text = _shown(value)
    return f"({text})" if text.startswith("−") else text


# ---------------------------------------------------------------- derivatives


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
                     f"{notation.substituted(df, {'x': x0})} = **{n(slope)}**: near x = {n(x0)}, f changes "
                     f"about {n(abs(slope))} times as fast as x" + (" (and in the opposite direction)." if slope < 0 else ".")),
        mistakes=distinct_mistakes(slope, mistakes),
        given={"x": x0},
    )


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


# ---------------------------------------------------------------- partial derivatives and gradients


def _two_variable(rng: random.Random) -> list[sympy.Expr]:
    """f(x, y) = a·xᵐ·yⁿ + b·xᵖ + c·y^q: a mixed term, a term in x only, a term in y only."""
    a, b, c = (_integer(rng, -4, 4) for _ in range(3))
    m, k = rng.choice((1, 2)), rng.choice((1, 2))
    p, q = rng.choice((2, 3)), rng.choice((2, 3))
    return [a * X**m * Y**k, b * X**p, c * Y**q]


def _name(var: sympy.Symbol) -> str:
    return var.name


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


# ---------------------------------------------------------------- chain rule

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


# ---------------------------------------------------------------- the simple (2-weight) network


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


# ---------------------------------------------------------------- gradient descent


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
