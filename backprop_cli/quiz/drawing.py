"""Drawing a template's numbers from a seeded ``random.Random`` and showing them in prompts."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

import sympy

from backprop_cli import notation
from backprop_cli.checking import (
    significant_figures,
)
from backprop_cli.expressions import symbol
from backprop_cli.quiz.question import MAX_EXACT_FIGURES

X, Y = symbol("x"), symbol("y")


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
