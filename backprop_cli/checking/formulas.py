"""Formula answers: equivalent to the expected formula, or not, decided by the numbers.

Two formulas are compared at seeded random points to 30 digits; ten agreeing points (eight when
some are undefined) make them equal, one clear difference makes them differ and is shown to the
learner at a friendly point. ``simplify`` is not used: it needed a process-wide SIGALRM timer to be
safe, and the points decide every case (tests/test_checking.py proves the equivalent forms it
used to confirm). A size-bounded ``expand`` only settles formulas undefined at almost every point.
"""

from __future__ import annotations

import functools
import itertools
import random
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from backprop_cli import notation
from backprop_cli.checking.exact_points import NotRational, exact_at
from backprop_cli.checking.float_tape import safe_at, value_at
from backprop_cli.checking.mistakes import generic_mistakes
from backprop_cli.checking.verdict import (
    CHECK_FAILURES,
    Mistake,
    Verdict,
    as_expr,
    invalid,
)
from backprop_cli.errors import ExpressionError
from backprop_cli.expressions import parse
from backprop_cli.mathfunctions import relu, step, to_elementary

POINT_DIGITS = 30  # precision of the random-point evaluation
AGREE_DIGITS = 25  # two values agree when they match to this many digits
QUICK_AGREE = 1e-13  # ... or, in machine floats, to 13 figures
POINTS = 10  # random points compared per pair of formulas
POINTS_ENOUGH = 8  # agreeing points that suffice when some points are undefined
MAX_POINT_TRIES = 60  # points drawn before giving up on finding defined ones
SIGNED_TRIES = 20  # the first points drawn have random signs; the rest are positive (for log, √)
EXPAND_MAX_OPS = 60  # expand only differences this small ...
EXPAND_MAX_DEGREE = 24  # ... whose polynomial degree stays this low once expanded
KINK_ROUNDS = 3  # formulas with a kink: points either side of each kink, for this many random bases
KINK_SWEEP = 20  # ... and this many points in ±12
_KINKED = (relu, step, sympy.Abs, sympy.sign)


def check_expression(
    text: str,
    expected: sympy.Expr,
    names: Mapping[str, sympy.Symbol],
    *,
    mistakes: Sequence[Mistake] = (),
) -> Verdict:
    """Mark a formula: equivalent to ``expected`` (random points), or not.

    The verdict echoes how the answer was read; a wrong answer gets a point where the two
    formulas differ, and a listed (or generic: sign, factor of 2) mistake when it matches one.
    """
    expected = as_expr(expected)
    # the caller's symbols, even if ``expected`` was built with others of the same name
    expected = expected.xreplace({s: names[s.name] for s in expected.free_symbols if s.name in names})
    mistakes = [Mistake(m.name, as_expr(m.value), m.feedback) for m in mistakes]
    try:
        return _check_expression(text, expected, names, mistakes)
    except CHECK_FAILURES:
        return invalid("I could not evaluate that formula; try writing it more simply")


def _check_expression(text: str, expected: sympy.Expr, names: Mapping[str, sympy.Symbol],
                      mistakes: Sequence[Mistake]) -> Verdict:
    if not isinstance(text, str):
        return invalid("please type a formula")
    try:
        parsed = parse(text, names)
    except ExpressionError as error:
        return invalid(str(error))
    answer = parsed.expr
    read_as = notation.written(parsed.reading)  # the learner's own order: 4·(2·x + 3), not 8·x + 12
    comparison = compare(answer, expected)
    if comparison.equal:
        return Verdict("correct", read_as=read_as, value=answer)
    # (0 has no sign or factor slips; asking ``is_zero`` instead ran SymPy's assumption queries on every
    # formula, and an expected value only provably zero gives slips equal to it, which never match)
    generic = generic_mistakes(expected) if expected != 0 else []
    mistake = None
    for option in [*mistakes, *generic]:
        if compare(answer, option.value, find_counterexample=False).equal:
            mistake = option
            break
    point = comparison.point
    message = mistake.feedback if mistake is not None else comparison.explanation
    return Verdict(
        "incorrect",
        message,
        read_as=read_as,
        value=answer,
        mistake=mistake.name if mistake is not None else None,
        counterexample={s.name: v for s, v in point.items()} if point is not None else None,
    )


@dataclass(frozen=True)
class Comparison:
    equal: bool
    point: dict[sympy.Symbol, sympy.Rational] | None = None
    explanation: str = ""


def compare(answer: sympy.Expr, expected: sympy.Expr, *, find_counterexample: bool = True) -> Comparison:
    """Equal when they agree at ten random points (eight, where some are undefined)."""
    symbols = sorted(answer.free_symbols | expected.free_symbols, key=lambda s: s.name)
    rng = random.Random(_seed(expected))
    agreeing = 0
    answer_undefined = 0
    one_sided = None  # a point where exactly one formula is defined
    difference = None
    friendly: tuple | None = None  # a difference at a small whole-number point, once looked for
    for floats, hundredths in _candidate_points(symbols, rng):
        quick = _quick_agreement(answer, expected, floats)
        if quick:
            agreeing += 1
            if agreeing >= POINTS:  # (without symbols there is one point only: the loop ends anyway)
                break
            continue
        if quick is None and not find_counterexample:
            return Comparison(False)  # clearly different in floats: enough to rule out a listed mistake
        if quick is None and friendly is None:
            # Clearly different in floats: the point shown to the learner (small whole numbers) is
            # looked for now, and a difference found there at 30 digits settles it; only if there is
            # none is this point itself confirmed at 30 digits.
            friendly = _friendly_difference(answer, expected, symbols) or ()
            if friendly:
                point, a, e = friendly
                return Comparison(False, point, _explain(point, a, e))
        point = {s: sympy.Rational(h, 100) for s, h in hundredths.items()}
        a = _precise_value(answer, point, floats)
        if a is None:
            answer_undefined += 1
            if one_sided is None:
                e = _precise_value(expected, point, floats)
                if e is not None:
                    one_sided = (point, a, e)
            if answer_undefined >= SIGNED_TRIES + POINTS and not agreeing:
                # undefined at every point with random signs and at ten positive ones: no need to try
                # every point (stopping at the signed ones would miss formulas defined where all are positive)
                break
            continue
        e = _precise_value(expected, point, floats)
        if e is None:
            if one_sided is None:
                one_sided = (point, a, e)
            continue
        if _same_digits(a, e):
            agreeing += 1
            if agreeing >= POINTS:
                break
        else:
            difference = (point, a, e)
            break
    if difference is None and agreeing and symbols:
        difference = _difference_near_kinks(answer, expected, symbols, rng)
    if difference is None:
        if agreeing >= POINTS_ENOUGH or (agreeing and not symbols):
            return Comparison(True)
        if (agreeing or one_sided is None) and expands_to_zero(answer, expected):
            return Comparison(True)
    if difference is None and one_sided is None:
        return Comparison(False, explanation="I could not evaluate your formula at any point to compare it")
    if not find_counterexample:
        return Comparison(False)
    if friendly is None:
        friendly = _friendly_difference(answer, expected, symbols)
    point, a, e = friendly or difference or one_sided  # type: ignore[misc]
    return Comparison(False, point, _explain(point, a, e))


@functools.lru_cache(maxsize=1024)  # pragma: no mutate - only the cache size: _seed is a pure function of the formula (a CRC of its srepr), so a larger cache changes memory, never a seed
def _seed(expected: sympy.Expr) -> int:
    """The points' seed: the expected formula's full form (printing it is slow: once per formula)."""
    return zlib.crc32(sympy.srepr(expected).encode())


def _candidate_points(symbols: Sequence[sympy.Symbol], rng: random.Random) -> Iterator[tuple[dict, dict]]:
    """Seeded points with two decimals in ±[0.1, 3]; after SIGNED_TRIES, positive ones (for log, √).
    Each as (its floats, its coordinates in hundredths): most points are only ever compared in
    floats, so the exact point (hundredths / 100) is made only where it is needed."""
    if not symbols:
        yield {}, {}
        return
    for attempt in range(MAX_POINT_TRIES):
        hundredths = {}
        for s in symbols:
            magnitude = rng.randint(10, 300)
            negative = attempt < SIGNED_TRIES and rng.random() < 0.5
            hundredths[s] = -magnitude if negative else magnitude
        yield {s: h / 100 for s, h in hundredths.items()}, hundredths


def _difference_near_kinks(answer: sympy.Expr, expected: sympy.Expr, symbols: Sequence[sympy.Symbol],
                           rng: random.Random) -> tuple | None:
    """A point where two formulas that agree at the random points still differ, for formulas with a
    kink (relu, step, abs, sign): those can differ in one region only (``x + relu(x − 2.5)`` against
    ``x``), which ten points in ±3 miss about four times in ten. Smooth formulas that agree at the
    random points are equal, so they are not probed. Tries both sides of every kink whose argument is
    linear in a variable, and a wider sweep, ±12, for kinks further out."""
    kinked = [f.args[0] for e in (answer, expected) for f in e.atoms(*_KINKED)]
    if not kinked:
        return None
    for point in _kink_points(kinked, symbols, rng):
        if _quick_agreement(answer, expected, {s: float(v) for s, v in point.items()}):
            continue  # the same here in floats: no need for 30 digits
        a = _precise_value(answer, point)
        e = _precise_value(expected, point) if a is not None else None
        if e is not None and not _same_digits(a, e):
            return point, a, e
    return None


def _kink_points(arguments: Sequence[sympy.Expr], symbols: Sequence[sympy.Symbol],
                 rng: random.Random) -> Iterator[dict]:
    side = sympy.Rational(37, 100)  # off the kink itself, where definitions may differ (step(0))
    for _ in range(KINK_ROUNDS):
        base = {s: sympy.Rational(rng.choice((-1, 1)) * rng.randint(10, 300), 100) for s in symbols}
        for argument in arguments:
            for s in sorted(argument.free_symbols & set(symbols), key=lambda v: v.name):
                slope = argument.diff(s)
                if s in slope.free_symbols:
                    continue  # not linear in s
                others = {k: v for k, v in base.items() if k != s}
                c, r = slope.xreplace(others), argument.xreplace({s: sympy.Integer(0), **others})
                if c.is_Rational and r.is_Rational and c != 0:
                    yield {**base, s: -r / c - side}
                    yield {**base, s: -r / c + side}
    for _ in range(KINK_SWEEP):
        yield {s: sympy.Rational(rng.choice((-1, 1)) * rng.randint(10, 1200), 100) for s in symbols}


def _friendly_difference(answer: sympy.Expr, expected: sympy.Expr, symbols: Sequence[sympy.Symbol]):
    """A point with small whole numbers where the formulas clearly differ, if there is one."""
    values = [1, 2, -1, 3, -2]
    for combo in itertools.islice(itertools.product(values, repeat=len(symbols)), 40):
        point = {s: sympy.Integer(v) for s, v in zip(symbols, combo)}
        floats = {s: float(v) for s, v in zip(symbols, combo)}
        fa, fe = value_at(answer, floats), value_at(expected, floats)
        if fa is not None and fe is not None and abs(fa - fe) <= 1e-9 * max(1.0, abs(fe)):
            continue  # the same here in floats: no need to look closer
        a = _precise_value(answer, point)
        e = _precise_value(expected, point) if a is not None else None
        if e is not None and abs(a - e) > 1e-6 * max(1, abs(e)):
            return point, a, e
    return None


def _quick_agreement(answer: sympy.Expr, expected: sympy.Expr, floats: Mapping[sympy.Symbol, float]) -> bool | None:
    """True when both formulas agree in machine floats to 13 figures here (no need for 30-digit
    arithmetic); None when they clearly differ (by more than a millionth); False when unsure.
    Deciding that an answer is wrong is always confirmed at 30 digits: floats can cancel badly."""
    a, e = value_at(answer, floats), value_at(expected, floats)
    if a is None or e is None:
        return False
    scale = max(1.0, abs(a), abs(e))
    if abs(a - e) <= QUICK_AGREE * scale:
        return True
    return None if abs(a - e) > 1e-6 * scale else False


def _precise_value(expr: sympy.Expr, point: Mapping[sympy.Symbol, sympy.Rational],
                   floats: Mapping[sympy.Symbol, float] | None = None) -> sympy.Float | None:
    """``expr`` at ``point`` (``floats``: the same point in floats) to 30 digits, or None where it
    is undefined, infinite or complex."""
    if not safe_at(expr, floats if floats is not None else {s: float(v) for s, v in point.items()}):
        return None
    try:  # a rational function at a rational point: its true value, rounded once (no evalf)
        exact = exact_at(expr, point)
    except NotRational:
        pass
    else:
        return None if exact is None else sympy.Float(sympy.Rational(exact.numerator, exact.denominator), POINT_DIGITS)
    try:
        at_point = expr.xreplace({s: sympy.Float(v, POINT_DIGITS + 15) for s, v in point.items()})
        value = at_point.evalf(POINT_DIGITS)
    except Exception:  # noqa: BLE001 - any SymPy failure means "undefined here"
        return None
    if not value.is_Number or value.is_finite is not True or value.is_real is not True:
        return None
    return sympy.Float(value, POINT_DIGITS)


def _same_digits(a: sympy.Float, b: sympy.Float) -> bool:
    scale = max(1, abs(a), abs(b))
    return bool(abs(a - b) <= sympy.Float(10) ** -AGREE_DIGITS * scale)


def expands_to_zero(answer: sympy.Expr, expected: sympy.Expr) -> bool:
    """``expand(a − b) == 0`` for differences small enough that expand is quick (no timer needed:
    the size and the degree bound its work)."""
    try:
        difference = to_elementary(answer) - to_elementary(expected)
        if difference == 0:
            return True
        if sympy.count_ops(difference) > EXPAND_MAX_OPS or degree_bound(difference) > EXPAND_MAX_DEGREE:
            return False
        return bool(sympy.expand(difference) == 0)
    except Exception:  # noqa: BLE001 - expand failed: the points decide
        return False


def degree_bound(expr: Any) -> int:
    """A rough upper bound of the degree ``expand`` could reach (powers multiply, products add)."""
    if expr.is_Atom:
        return 0 if expr.is_number else 1
    if expr.is_Pow:
        base, exponent = expr.args
        inner = degree_bound(base)
        if exponent.is_Integer:
            return inner * abs(int(exponent))
        return inner + degree_bound(exponent) + 1
    degrees = [degree_bound(a) for a in expr.args]
    if expr.is_Mul:
        return sum(degrees)
    return max(degrees, default=0) + (0 if expr.is_Add else 1)


def _explain(point: Mapping[sympy.Symbol, Any], a: Any, e: Any) -> str:
    where = ", ".join(f"{notation.name(s.name)} = {notation.number(v)}" for s, v in point.items())
    where = f"at {where}" if where else "as numbers"

    def shown(v: Any) -> str:
        return notation.number(v) if v is not None else "undefined"

    return f"Not the same formula: {where} yours gives {shown(a)} but the answer gives {shown(e)}."
