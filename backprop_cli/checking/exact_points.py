"""A rational formula at a rational point, exactly: the 30-digit value of a formula check without
SymPy's ``evalf``.

Comparing two formulas confirms a difference at 30 digits (``formulas._precise_value``). For a
formula of sums, products, whole powers and rational numbers (every polynomial and rational
function a lesson asks for), at a point of hundredths or small whole numbers, the value is a
fraction: worked out exactly with Python's ``Fraction`` it is the true value, which SymPy's evalf
approaches to 30 digits. Anything else (σ, exp, log, a root, π, a float) is left to evalf.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

#: whole powers up to this size are worked out exactly; a larger one is left to evalf
MAX_POWER = 64  # pragma: no mutate - only which route works a power out: both give its value to 30 digits (tests/test_checking.py holds them together), so the bound changes speed, never a value


class NotRational(Exception):
    """The formula has a part that is not a sum, product, whole power or rational number."""


def exact_at(expr: Any, point: Mapping[Any, Any]) -> Fraction | None:
    """``expr`` at ``point`` (SymPy rationals) as a Fraction, or None where it is undefined (a
    division by zero); raises :class:`NotRational` for a formula this cannot work out exactly."""
    memo: dict[Any, Fraction | None] = {}

    def value(node: Any) -> Fraction | None:
        if node in memo:
            return memo[node]
        if node.is_Rational:
            out: Fraction | None = Fraction(int(node.p), int(node.q))
        elif node.is_Symbol:
            given: Any = point.get(node)
            if not getattr(given, "is_Rational", False):  # not given, or not a SymPy rational
                raise NotRational(node)
            out = Fraction(int(given.p), int(given.q))
        elif node.is_Add or node.is_Mul:
            out = Fraction(0 if node.is_Add else 1)
            for a in node.args:
                part = value(a)
                if part is None:
                    out = None
                    break
                out = out + part if node.is_Add else out * part
        elif node.is_Pow and node.exp.is_Integer and abs(int(node.exp)) <= MAX_POWER:
            base = value(node.base)
            try:
                out = None if base is None else base ** int(node.exp)
            except ZeroDivisionError:  # 0 to a negative power
                out = None
        else:
            raise NotRational(node)
        memo[node] = out
        return out

    return value(expr)
