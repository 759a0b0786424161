"""The quiz question model: what a template returns, how an answer is checked, and the sanity every
question passes (sensible numbers, named mistakes that differ from the answer and are recognised).
"""

from __future__ import annotations

import dataclasses
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
    check_choice,
    check_components,
    check_expression,
    check_number,
    significant_figures,
)
from backprop_cli.expressions import symbol

#: Every numeric answer lies in SMALLEST ≤ |answer| < LARGEST.
LARGEST = 10_000
SMALLEST = sympy.Rational(1, 1000)
#: An exact answer (typed in full, compared exactly) never needs more significant figures than this.
MAX_EXACT_FIGURES = 6
#: A named mistake must differ from the answer (and from the other mistakes) by this fraction.
DISTINCT = 0.02
MAX_DRAWS = 200

Kind = Literal["number", "numbers", "expression", "choice"]



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

    @property
    def given_names(self) -> dict[str, sympy.Expr]:
        """The drawn numbers a learner can name in a formula (x, y, w1 ...; not α or ∂L/∂w, which
        are shown, not typed), so that ``-8xy^2 + 6x^2`` at (x = −1, y = −2) is evaluated there."""
        return {k: v for k, v in self.given.items() if k.isascii() and k.isidentifier()}

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
            given = self.given_names
            return check_number(text, self.expected, exact=self.exact, mistakes=self.mistakes,
                                diagnosis=self.diagnosis, names=tuple(given), values=given)
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
