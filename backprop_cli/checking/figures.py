"""The rules for numbers: significant figures, the 0.1% allowance, exact decimals.

A decimal answer is accepted when it is the right value rounded or cut to the figures typed (three
at least, give or take one in the last), or within 0.1%. Values are compared as Decimals: exact
for rationals, 40 digits otherwise, and a float candidate through its shortest repr.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from decimal import (
    ROUND_DOWN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DecimalException,
)
from typing import Any

from backprop_cli.checking.floats import float_value, safe_to_evaluate

MIN_FIGURES = 3  # significant figures a decimal answer must have to be marked by its figures
RELATIVE_TOLERANCE = Decimal("0.001")  # 0.1 %
ABSOLUTE_FLOOR = Decimal("1e-12")  # below this, two numbers are the same number
EXACT_MAX_FIGURES = 6  # an expected rational with a decimal this short is compared exactly
EXACT_RELATIVE = Decimal("1e-12")  # "exact" for an expected value that is not a short decimal

DECIMALS = Context(prec=500, Emax=10**6, Emin=-(10**6))


def decimal(value: Any) -> Decimal | None:
    """The value as a Decimal (exact for rationals, 16 or 40 digits otherwise); None if not finite real.

    A Python float is taken through its shortest repr (17 figures at most)."""
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    import sympy

    if not isinstance(value, sympy.Basic) or value.free_symbols:
        return None
    if value.is_Rational:
        return DECIMALS.divide(Decimal(int(value.p)), Decimal(int(value.q)))
    if value.is_Float:
        try:
            return Decimal(str(value)) if value.is_finite else None
        except DecimalException:
            return None
    quick = float_value(value)
    if quick is not None and 1e-250 < abs(quick) < 1e250:
        # machine precision (16 figures) is more than any typed answer is marked to; exact
        # arithmetic is kept for rationals and for values far out (a sigmoid's tail)
        return Decimal(repr(quick))
    if not safe_to_evaluate(value, {}):
        return None  # far too large, or undefined: never ask mpmath for it
    approx = sympy.N(value, 40)
    if not approx.is_Number or approx.is_finite is not True or not approx.is_real:
        return None
    try:
        return Decimal(str(approx))
    except DecimalException:
        return None


def is_number(value: Any) -> bool:
    return decimal(value) is not None


def agrees(answer: Decimal, literal: str | None, target: Decimal, exact: bool, short: bool) -> bool:
    """The answer against one target: exactly (``short``: equal; else to 12 figures) or by the
    tolerance rules."""
    if exact:
        if short:
            return answer == target
        bound = DECIMALS.add(DECIMALS.multiply(EXACT_RELATIVE, DECIMALS.abs(target)), ABSOLUTE_FLOOR)
        return DECIMALS.abs(DECIMALS.subtract(answer, target)) <= bound
    return tolerant(answer, target, literal)


def tolerant(a: Decimal, e: Decimal, literal: str | None) -> bool:
    # the arithmetic in DECIMALS, by its methods (a localcontext per call cost more than the test:
    # every typed answer meets every candidate of its question here)
    difference = DECIMALS.abs(DECIMALS.subtract(a, e))
    if difference <= ABSOLUTE_FLOOR or difference <= DECIMALS.multiply(RELATIVE_TOLERANCE, DECIMALS.abs(e)):
        return True
    if literal is None:
        return False
    return figures_agree(literal, e)


def within_tolerance(answer: Any, expected: Any, literal: str | None) -> bool:
    """The numeric rule: within 0.1%, or right to the significant figures typed in ``literal``.

    ``literal`` is the decimal the learner typed (``Parsed.literal``), or None for a value typed
    as arithmetic (``1/3``), which then must be within 0.1%. Figures count only from three up:
    rounded or truncated, give or take one in the last digit.
    """
    from backprop_cli.checking.verdict import as_expr

    try:
        a, e = decimal(as_expr(answer)), decimal(as_expr(expected))
    except (TypeError, ValueError):
        return False
    if a is None or e is None:
        return False
    return tolerant(a, e, literal)


def figures_agree(literal: str, expected: Decimal) -> bool:
    marked = _marked_places(literal)
    if marked is None:
        return False
    typed, units = marked
    for unit in units:
        for rounding in (ROUND_HALF_UP, ROUND_DOWN):
            try:
                target = expected.quantize(unit, rounding=rounding, context=DECIMALS)
            except DecimalException:
                continue
            if DECIMALS.abs(DECIMALS.subtract(typed, target)) <= unit:
                return True
    return False


@functools.lru_cache(maxsize=4096)  # pragma: no mutate - only the cache size: a pure function of the text, so a larger cache changes memory, never a result
def _marked_places(literal: str) -> tuple[Decimal, tuple[Decimal, ...]] | None:
    """The typed decimal and the unit of its last figure in each reading with at least
    :data:`MIN_FIGURES` figures (None when it is not a decimal): worked out once per text, as a
    typed answer meets every candidate of its question."""
    try:
        typed = Decimal(literal)
    except DecimalException:
        return None
    return typed, tuple(Decimal(1).scaleb(place) for figures, place in readings(literal) if figures >= MIN_FIGURES)


def last_place(literal: str) -> Decimal:
    """The unit of the last figure typed: 0.001 for "0.800", 1 for "12"."""
    return Decimal(1).scaleb(Decimal(literal).as_tuple().exponent)  # type: ignore[arg-type]


def rounds_to(literal: str, value: Decimal) -> bool:
    """``literal`` is ``value`` rounded (half up) or cut to the places typed, with no slack."""
    typed = Decimal(literal)
    unit = last_place(literal)
    for rounding in (ROUND_HALF_UP, ROUND_DOWN):
        try:
            if value.quantize(unit, rounding=rounding, context=DECIMALS) == typed:
                return True
        except DecimalException:
            continue
    return False


def step_shows(new: Decimal, old: Decimal, unit: Decimal) -> bool:
    """The new and the old value differ once rounded (half up) to ``unit``: the step shows there."""
    try:
        return new.quantize(unit, ROUND_HALF_UP, DECIMALS) != old.quantize(unit, ROUND_HALF_UP, DECIMALS)
    except DecimalException:
        return False


def rounds_to_short(literal: str, expected: Decimal, *, decimals_only: bool = False) -> bool:
    """Fewer than three figures typed, but exactly the right answer rounded (or cut) to them."""
    try:
        typed = Decimal(literal)
    except DecimalException:
        return False
    figures, place = min(readings(literal))
    if figures >= MIN_FIGURES or (decimals_only and place >= 0):
        return False
    if figures and expected:
        # the answer to that many significant figures: 9.6 → 10 to one figure, but 6 stays 6 (10 is
        # 6 rounded to the tens, a place above its first figure, not 6 to one figure)
        place = expected.adjusted() - figures + 1
    unit = Decimal(1).scaleb(place)
    for rounding in (ROUND_HALF_UP, ROUND_DOWN):
        try:
            if expected.quantize(unit, rounding=rounding, context=DECIMALS) == typed:
                return True
        except DecimalException:
            continue
    return False


def fewer_places_of(literal: str, exact: Decimal | None) -> bool:
    """True when ``literal`` has fewer decimals than the exact value and is within one unit
    of its last place (rounded or truncated): "1.23" for 1.231, but not "−18.01" for −18."""
    try:
        typed = Decimal(literal)
    except DecimalException:
        return False
    if exact is None or "e" in literal.lower():
        return False
    places = -int(typed.as_tuple().exponent)
    exact_places = -int(exact.normalize().as_tuple().exponent)
    return 0 <= places < exact_places and abs(typed - exact) < Decimal(10) ** -places


@functools.lru_cache(maxsize=4096)  # pragma: no mutate - only the cache size: a pure function of the text, so a larger cache changes memory, never a result
def readings(literal: str) -> tuple[tuple[int, int], ...]:
    """(significant figures, exponent of the last one) for each way to read the literal.

    ``1200`` is ambiguous: four figures, or two with trailing zeros that only place the point;
    both readings are offered and the kinder one wins.
    """
    _, digits, exponent = Decimal(literal).as_tuple()
    figures = 0 if all(d == 0 for d in digits) else len(digits)
    readings_ = [(figures, int(exponent))]
    mantissa = literal.lower().partition("e")[0]
    if "." not in mantissa and figures:
        zeros = _trailing_zeros(digits)
        if zeros:
            readings_.append((figures - zeros, int(exponent) + zeros))
    return tuple(readings_)


def _trailing_zeros(digits: Sequence[int]) -> int:
    count = 0
    for d in reversed(digits):
        if d != 0:
            break
        count += 1
    return count


def looks_like_decimal_comma(text: str) -> bool:
    body = text.lstrip("+-−")
    head, comma, tail = body.partition(",")
    return bool(comma) and head.isdigit() and tail.isdigit() and head.isascii() and tail.isascii()


def short_decimal(value: Any) -> bool:
    """A rational whose decimal ends within six significant figures: −18, 1.22, 0.5."""
    figures = significant_figures(value)
    return figures is not None and figures <= EXACT_MAX_FIGURES


def short_decimal_decimal(value: Decimal) -> bool:
    """A Decimal with at most six significant figures: compared exactly in an exact question."""
    return len(value.normalize(DECIMALS).as_tuple().digits) <= EXACT_MAX_FIGURES


def significant_figures(value: Any) -> int | None:
    """Significant figures of an exact value's terminating decimal (None if it does not terminate)."""
    import sympy

    if not isinstance(value, sympy.Rational):
        return None
    q = rest = int(value.q)
    for prime in (2, 5):
        while rest % prime == 0:
            rest //= prime
    if rest != 1:
        return None
    # q = 2^a·5^b has more bits than max(a, b): that many places hold the whole decimal (places
    # beyond it only add zeros at the end, which are not significant)
    scaled = abs(int(value.p)) * 10 ** q.bit_length() // q
    return len(str(scaled).strip("0")) or 1
