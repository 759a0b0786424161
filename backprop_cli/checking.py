"""The one answer checker: numbers, formulas and choices, as a patient teacher would mark them.

Every answer is read by :func:`backprop_cli.expressions.parse` (never ``eval``) and marked
``invalid`` (unreadable, no penalty), ``correct`` or ``incorrect``. Numbers are accepted to the
significant figures the learner typed or within 0.1%; formulas are compared at seeded random
points and confirmed by ``simplify`` when that is cheap. Wrong answers are matched against named
mistakes (the lesson's own, then a flipped sign or a factor of 2) so the feedback can say *what*
went wrong, and a later step that is right for the learner's own earlier answers is accepted
with a note ("follow-through").

No Rich, no I/O: the guided lessons and the quiz render the :class:`Verdict`.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import random
import signal
import threading
import unicodedata
import zlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal, DecimalException, localcontext
from fractions import Fraction
from typing import Literal

import sympy

from backprop_cli import notation
from backprop_cli.errors import ExpressionError
from backprop_cli.expressions import parse
from backprop_cli.mathfunctions import NUMERIC_FUNCTIONS, relu, sigmoid, step, to_elementary

# --- the rules, in numbers -------------------------------------------------------------------

MIN_FIGURES = 3  # significant figures a decimal answer must have to be marked by its figures
RELATIVE_TOLERANCE = Decimal("0.001")  # 0.1 %
ABSOLUTE_FLOOR = Decimal("1e-12")  # below this, two numbers are the same number
EXACT_MAX_FIGURES = 6  # an expected rational with a decimal this short is compared exactly
EXACT_RELATIVE = Decimal("1e-12")  # "exact" for an expected value that is not a short decimal

POINT_DIGITS = 30  # precision of the random-point evaluation
AGREE_DIGITS = 25  # two values agree when they match to this many digits
POINTS = 10  # random points compared per pair of formulas
POINTS_WITHOUT_SIMPLIFY = 8  # agreeing points that suffice when simplify cannot confirm
MAX_POINT_TRIES = 60  # points drawn before giving up on finding defined ones
SIMPLIFY_MAX_OPS = 60  # simplify only differences this small ...
SIMPLIFY_MAX_DEGREE = 24  # ... whose polynomial degree stays this low once expanded ...
SIMPLIFY_SECONDS = 0.4  # ... and for at most this long (where a timer can be set)

_DECIMALS = Context(prec=500, Emax=10**6, Emin=-(10**6))


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer and what to tell a learner who gives it."""

    name: str  # "sign", "factor-2", "missing-factor", "forward-value", "update-added", ...
    value: sympy.Expr  # a number for numeric questions, a formula for expression questions
    feedback: str  # one or two short sentences for the learner


@dataclass(frozen=True)
class Carried:
    """The answer a later step would have, computed from the learner's own earlier answers."""

    value: sympy.Expr
    from_steps: tuple[str, ...]  # labels of the earlier steps whose answers were carried


@dataclass(frozen=True)
class Verdict:
    """How one answer was marked; ``invalid`` costs the learner nothing."""

    status: Literal["invalid", "correct", "incorrect"]
    message: str = ""  # why invalid, or feedback; "" when plainly correct or plainly wrong
    read_as: str | None = None  # how an expression answer was read: "3·x² − 6·x + 2"
    value: sympy.Expr | None = None  # the learner's parsed value (None when invalid)
    mistake: str | None = None  # name of the recognised mistake
    carried_from: tuple[str, ...] = ()  # set when accepted through follow-through
    counterexample: dict[str, sympy.Expr] | None = None  # a point where the formulas differ

    @property
    def correct(self) -> bool:
        return self.status == "correct"


def _invalid(message: str) -> Verdict:
    return Verdict("invalid", message)


#: Failures SymPy or the size guards can raise on strange but parseable input; any of them
#: makes the answer unreadable, never a traceback.
_CHECK_FAILURES = (ArithmeticError, ValueError, TypeError, RecursionError, MemoryError, DecimalException)


# --- numbers ---------------------------------------------------------------------------------


def check_number(
    text: str,
    expected: sympy.Expr,
    *,
    exact: bool | None = None,
    mistakes: Sequence[Mistake] = (),
    carried: Sequence[Carried] = (),
    names: Collection[str] = (),
) -> Verdict:
    """Mark a numeric answer (a decimal, a fraction or arithmetic of numbers such as ``-72/4``).

    ``exact=None`` compares exactly when ``expected`` is a rational with a short terminating
    decimal (−18, 1.22, 0.5) and by the tolerance rules otherwise. ``names`` are the symbols of
    the question: typing one of them instead of a number is invalid, with a message.
    """
    expected = _as_expr(expected)
    expected_value = _decimal(expected)
    if expected_value is None:
        raise ValueError(f"the expected answer {expected} is not a finite real number")
    is_exact = _short_decimal(expected) if exact is None else exact
    # callers' values are checked here, outside the guard, so their bugs are not hidden
    mistakes = [Mistake(m.name, _as_expr(m.value), m.feedback) for m in mistakes]
    carried = [Carried(_as_expr(c.value), tuple(c.from_steps)) for c in carried]
    try:
        return _check_number(text, expected, is_exact, mistakes, carried, names)
    except _CHECK_FAILURES:
        return _invalid("I could not work out the value of that; please type a plain number")


def _check_number(text, expected, is_exact, mistakes, carried, names) -> Verdict:
    if not isinstance(text, str):
        return _invalid("please type a number")
    stripped = text.strip()
    if _looks_like_decimal_comma(stripped):
        return _invalid(f"use a decimal point, not a comma: {stripped.replace(',', '.')}")
    try:
        parsed = parse(text, list(names))
    except ExpressionError as error:
        message = str(error)
        if error.message.startswith("unknown name"):
            message += "; the answer here is a number"
        return _invalid(message)
    answer = parsed.expr
    if answer.free_symbols:
        shown = notation.formula(answer)
        if len(shown) > 40:
            return _invalid("the answer is a number, not a formula")
        return _invalid(f"the answer is a number: work out {shown} with the values you know")
    if _decimal(answer) is None:
        return _invalid("that is not a finite real number I can check (too large, or undefined)")
    literal = parsed.literal

    def agrees(target: sympy.Expr, exact_rule: bool) -> bool:
        return _number_agrees(answer, literal, target, exact_rule)

    if agrees(expected, is_exact):
        return Verdict("correct", value=answer)
    for option in carried:
        value = option.value
        if _is_number(value) and not _number_agrees(value, None, expected, False) and agrees(value, False):
            return Verdict(
                "correct",
                f"Right for your own {_steps(option.from_steps)}: the difference carries through.",
                value=answer,
                carried_from=option.from_steps,
            )
    for mistake in [*mistakes, *_generic_mistakes(expected)]:
        value = mistake.value
        if not _is_number(value) or _number_agrees(value, None, expected, is_exact):
            continue  # a "mistake" that is the right answer must never fire
        if agrees(value, is_exact if value.is_Rational else False):
            return Verdict("incorrect", mistake.feedback, value=answer, mistake=mistake.name)
    # Too few figures but right as far as they go: ask again, no penalty. For an exact answer
    # only rounded decimals count (−20 is not "−18 rounded", 1.2 may be 1.22 rounded).
    if literal is not None and _rounds_to_short(literal, expected, decimals_only=is_exact):
        ask = "give the exact value" if is_exact else f"give at least {MIN_FIGURES} significant figures"
        return _invalid(f"that looks rounded: {ask}")
    if is_exact and literal is not None and _fewer_places_of(literal, expected):
        # 1.23 for exactly 1.231: a rounding (fewer decimals, within one unit of the last), but the answer is exact.
        return _invalid("that looks rounded, but this answer is exact: give every digit (or a fraction)")
    return Verdict("incorrect", value=answer)


def _fewer_places_of(literal: str, expected: sympy.Expr) -> bool:
    """True when ``literal`` has fewer decimals than the exact ``expected`` and is within one unit
    of its last place (rounded or truncated): "1.23" for 1.231, but not "−18.01" for −18."""
    from decimal import Decimal, InvalidOperation

    try:
        typed = Decimal(literal)
    except InvalidOperation:
        return False
    exact = _decimal(expected)
    if exact is None or not isinstance(exact, Decimal) or "e" in literal.lower():
        return False
    places = -typed.as_tuple().exponent
    exact_places = -exact.normalize().as_tuple().exponent
    return 0 <= places < exact_places and abs(typed - exact) < Decimal(10) ** -places


def _steps(labels: Sequence[str]) -> str:
    """The earlier answers a carried value used: ``("2",)`` → "answer to step 2",
    ``("question 4", "question 17")`` → "answers to questions 4 and 17"; other labels as given."""
    if not labels:
        return "earlier answer"
    for word in ("step", "question"):
        numbers = [label.removeprefix(f"{word} ") for label in labels]
        if all(n.isdigit() for n in numbers) and (word == "step" or all(lb.startswith(word) for lb in labels)):
            numbers.sort(key=int)
            listed = numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]
            plural = len(numbers) > 1
            return f"answer{'s' if plural else ''} to {word}{'s' if plural else ''} {listed}"
    listed = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    return f"earlier answer{'s' if len(labels) > 1 else ''} ({listed})"


def _number_agrees(answer: sympy.Expr, literal: str | None, target: sympy.Expr, exact: bool) -> bool:
    if exact:
        a, t = _decimal(answer), _decimal(target)
        if a is None or t is None:
            return False
        if _short_decimal(target):
            return a == t
        with localcontext(_DECIMALS):
            return abs(a - t) <= EXACT_RELATIVE * abs(t) + ABSOLUTE_FLOOR
    return within_tolerance(answer, target, literal)


def within_tolerance(answer: sympy.Expr, expected: sympy.Expr, literal: str | None) -> bool:
    """The numeric rule: within 0.1%, or right to the significant figures typed in ``literal``.

    ``literal`` is the decimal the learner typed (``Parsed.literal``), or None for a value typed
    as arithmetic (``1/3``), which then must be within 0.1%. Figures count only from three up:
    rounded or truncated, give or take one in the last digit.
    """
    try:
        a, e = _decimal(_as_expr(answer)), _decimal(_as_expr(expected))
    except (TypeError, ValueError):
        return False
    if a is None or e is None:
        return False
    with localcontext(_DECIMALS):
        difference = abs(a - e)
        if difference <= ABSOLUTE_FLOOR or difference <= RELATIVE_TOLERANCE * abs(e):
            return True
        if literal is None:
            return False
        return _figures_agree(literal, e)


def right_to_figures(literal: str, expected: sympy.Expr) -> bool:
    """The significant-figure rule alone (without the 0.1% allowance): ``literal`` is ``expected``
    rounded or cut to the figures typed, give or take one in the last."""
    e = _decimal(_as_expr(expected))
    return e is not None and _figures_agree(literal, e)


def _figures_agree(literal: str, expected: Decimal) -> bool:
    try:
        typed = Decimal(literal)
    except DecimalException:
        return False
    for figures, place in _readings(literal):
        if figures < MIN_FIGURES:
            continue
        unit = Decimal(1).scaleb(place)
        for rounding in (ROUND_HALF_UP, ROUND_DOWN):
            try:
                target = expected.quantize(unit, rounding=rounding, context=_DECIMALS)
            except DecimalException:
                continue
            if _DECIMALS.abs(_DECIMALS.subtract(typed, target)) <= unit:
                return True
    return False


def _rounds_to_short(literal: str, expected: sympy.Expr, *, decimals_only: bool = False) -> bool:
    """Fewer than three figures typed, but exactly the right answer rounded (or cut) to them."""
    e = _decimal(expected)
    try:
        typed = Decimal(literal)
    except DecimalException:
        return False
    if e is None:
        return False
    figures, place = min(_readings(literal))
    if figures >= MIN_FIGURES or (decimals_only and place >= 0):
        return False
    if figures and e:
        # the answer to that many significant figures: 9.6 → 10 to one figure, but 6 stays 6 (10 is
        # 6 rounded to the tens, a place above its first figure, not 6 to one figure)
        place = e.adjusted() - figures + 1
    unit = Decimal(1).scaleb(place)
    for rounding in (ROUND_HALF_UP, ROUND_DOWN):
        try:
            if e.quantize(unit, rounding=rounding, context=_DECIMALS) == typed:
                return True
        except DecimalException:
            continue
    return False


def _readings(literal: str) -> list[tuple[int, int]]:
    """(significant figures, exponent of the last one) for each way to read the literal.

    ``1200`` is ambiguous: four figures, or two with trailing zeros that only place the point;
    both readings are offered and the kinder one wins.
    """
    sign, digits, exponent = Decimal(literal).as_tuple()
    figures = 0 if all(d == 0 for d in digits) else len(digits)
    readings = [(figures, exponent)]
    mantissa = literal.lower().partition("e")[0]
    if "." not in mantissa and figures:
        zeros = _trailing_zeros(digits)
        if zeros:
            readings.append((figures - zeros, exponent + zeros))
    return readings


def _trailing_zeros(digits: Sequence[int]) -> int:
    count = 0
    for d in reversed(digits):
        if d != 0:
            break
        count += 1
    return count


def _looks_like_decimal_comma(text: str) -> bool:
    body = text.lstrip("+-−")
    head, comma, tail = body.partition(",")
    return bool(comma) and head.isdigit() and tail.isdigit() and head.isascii() and tail.isascii()


def _short_decimal(value: sympy.Expr) -> bool:
    """A rational whose decimal ends within six significant figures: −18, 1.22, 0.5."""
    if not isinstance(value, sympy.Basic) or not value.is_Rational:
        return False
    q = int(value.q)
    for prime in (2, 5):
        while q % prime == 0:
            q //= prime
    if q != 1:
        return False
    decimal = _DECIMALS.divide(Decimal(int(value.p)), Decimal(int(value.q)))
    return len(decimal.normalize(_DECIMALS).as_tuple().digits) <= EXACT_MAX_FIGURES


def _is_number(value: sympy.Expr) -> bool:
    return isinstance(value, sympy.Basic) and not value.free_symbols and _decimal(value) is not None


def _decimal(value: sympy.Expr) -> Decimal | None:
    """The value as a Decimal (exact for rationals, 40 digits otherwise); None if not finite real."""
    if not isinstance(value, sympy.Basic) or value.free_symbols:
        return None
    if value.is_Rational:
        return _DECIMALS.divide(Decimal(int(value.p)), Decimal(int(value.q)))
    if not _safe_to_evaluate(value, {}):
        return None  # far too large, or undefined: never ask mpmath for it
    approx = sympy.N(value, 40)
    if not approx.is_Number or approx.is_finite is not True or not approx.is_real:
        return None
    try:
        return Decimal(str(approx))
    except DecimalException:
        return None


def _as_expr(value) -> sympy.Expr:
    """Trusted numbers from callers (ints, floats, Fractions) as SymPy; text is refused."""
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, bool):
        raise TypeError("a truth value is not an answer")
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, Decimal):
        return sympy.Rational(str(value))
    if isinstance(value, float):
        return sympy.Float(value)
    raise TypeError(f"expected a SymPy value or a number, got {type(value).__name__}")


def _generic_mistakes(expected: sympy.Expr) -> list[Mistake]:
    """The slips the checker looks for in every numeric answer: a flipped sign, a factor of 2."""
    return [
        Mistake(
            "sign",
            -expected,
            "The size is right but the sign is flipped.",
        ),
        Mistake(
            "factor-2",
            2 * expected,
            "That is twice the right value: look for a factor of 2 that should not be there.",
        ),
        Mistake(
            "factor-2",
            expected / 2,
            "That is half the right value: look for a factor of 2 that went missing.",
        ),
    ]


# --- a fast, bounded float evaluation --------------------------------------------------------


class _Unsupported(Exception):
    """A SymPy node the float evaluator does not know."""


def _safe_to_evaluate(expr: sympy.Expr, point: Mapping[sympy.Symbol, float]) -> bool:
    """A size guard run before any high-precision evaluation: False when, in machine floats,
    ``expr`` at ``point`` is undefined, infinite or not real.

    ``exp(9000)^exp(9000)`` is thus refused in microseconds instead of keeping mpmath busy for
    seconds. A node the float evaluator does not know is let through: the parser has bounded
    its size, and SymPy evaluates it.
    """
    try:
        _float_eval(expr, point)
    except _Unsupported:
        return True
    except (OverflowError, ZeroDivisionError, ValueError, RecursionError):
        return False
    return True


def _float_eval(node: sympy.Basic, point: Mapping[sympy.Symbol, float]) -> float:
    """``node`` in floats; OverflowError as soon as any part is infinite (mpmath would have to
    carry that huge number), ValueError as soon as one is undefined."""
    value = _float_node(node, point)
    if math.isnan(value):
        raise ValueError("undefined")
    if math.isinf(value):
        raise OverflowError("too large")
    return value


def _float_node(node: sympy.Basic, point: Mapping[sympy.Symbol, float]) -> float:
    if node.is_Symbol:
        if node in point:
            return point[node]
        raise _Unsupported(node)
    if node.is_Rational:
        return int(node.p) / int(node.q)
    if node.is_Float or node.is_NumberSymbol:
        return float(node)
    args = [_float_eval(a, point) for a in node.args]
    if node.is_Add:
        return math.fsum(args)
    if node.is_Mul:
        return math.prod(args)
    if node.is_Pow:
        base, exponent = args
        if base < 0 and exponent != int(exponent):
            return math.nan
        if base == 0 and exponent < 0:
            return math.inf
        result = base**exponent
        return math.nan if isinstance(result, complex) else float(result)
    function = _FLOAT_FUNCTIONS.get(type(node))
    if function is None or len(args) != 1:
        if isinstance(node, sympy.Max | sympy.Min) and args:
            return max(args) if isinstance(node, sympy.Max) else min(args)
        raise _Unsupported(node)
    return function(args[0])


def _float_log(z: float) -> float:
    if z > 0:
        return math.log(z)
    return math.nan


_FLOAT_FUNCTIONS = {
    sympy.exp: math.exp,
    sympy.log: _float_log,
    sympy.tanh: math.tanh,
    # the engine's own float versions (exp and log differ on purpose: an overflow must raise here)
    sigmoid: NUMERIC_FUNCTIONS["sigmoid"],
    relu: NUMERIC_FUNCTIONS["relu"],
    step: NUMERIC_FUNCTIONS["step"],
    sympy.Abs: abs,
    sympy.sign: lambda z: float((z > 0) - (z < 0)),
    sympy.Heaviside: lambda z: 1.0 if z > 0 else 0.0,
}


# --- expressions -----------------------------------------------------------------------------


def check_expression(
    text: str,
    expected: sympy.Expr,
    names: Mapping[str, sympy.Symbol],
    *,
    mistakes: Sequence[Mistake] = (),
) -> Verdict:
    """Mark a formula: equivalent to ``expected`` (random points, then simplify), or not.

    The verdict echoes how the answer was read; a wrong answer gets a point where the two
    formulas differ, and a listed (or generic: sign, factor of 2) mistake when it matches one.
    """
    expected = _as_expr(expected)
    # the caller's symbols, even if ``expected`` was built with others of the same name
    expected = expected.xreplace({s: names[s.name] for s in expected.free_symbols if s.name in names})
    mistakes = [Mistake(m.name, _as_expr(m.value), m.feedback) for m in mistakes]
    try:
        return _check_expression(text, expected, names, mistakes)
    except _CHECK_FAILURES:
        return _invalid("I could not evaluate that formula; try writing it more simply")


def _check_expression(text, expected, names, mistakes) -> Verdict:
    if not isinstance(text, str):
        return _invalid("please type a formula")
    try:
        parsed = parse(text, names)
    except ExpressionError as error:
        return _invalid(str(error))
    answer = parsed.expr
    read_as = notation.written(parsed.reading)  # the learner's own order: 4·(2·x + 3), not 8·x + 12
    comparison = _compare(answer, expected)
    if comparison.equal:
        return Verdict("correct", read_as=read_as, value=answer)
    generic = _generic_mistakes(expected) if not expected.is_zero else []
    mistake = None
    for option in [*mistakes, *generic]:
        if _compare(answer, option.value, find_counterexample=False).equal:
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
class _Comparison:
    equal: bool
    point: dict[sympy.Symbol, sympy.Rational] | None = None
    explanation: str = ""


def _compare(answer: sympy.Expr, expected: sympy.Expr, *, find_counterexample: bool = True) -> _Comparison:
    """Equal when they agree at random points and simplify confirms (or 8+ points agree)."""
    symbols = sorted(answer.free_symbols | expected.free_symbols, key=lambda s: s.name)
    rng = random.Random(zlib.crc32(sympy.srepr(expected).encode()))
    agreeing = 0
    answer_undefined = 0
    one_sided = None  # a point where exactly one formula is defined
    difference = None
    for point in _candidate_points(symbols, rng):
        a = _precise_value(answer, point)
        if a is None:
            answer_undefined += 1
            if one_sided is None:
                e = _precise_value(expected, point)
                if e is not None:
                    one_sided = (point, a, e)
            if answer_undefined >= 2 * POINTS and not agreeing:
                break  # undefined wherever we look: no need to try every point
            continue
        e = _precise_value(expected, point)
        if e is None:
            if one_sided is None:
                one_sided = (point, a, e)
            continue
        if _same_digits(a, e):
            agreeing += 1
            if agreeing >= POINTS or not symbols:
                break
        else:
            difference = (point, a, e)
            break
    if difference is None and (agreeing or one_sided is None):
        if _simplifies_to_zero(answer, expected):
            return _Comparison(True)
        if agreeing >= POINTS_WITHOUT_SIMPLIFY or (agreeing and not symbols):
            return _Comparison(True)
    if difference is None and one_sided is None:
        return _Comparison(False, explanation="I could not evaluate your formula at any point to compare it")
    if not find_counterexample:
        return _Comparison(False)
    point, a, e = _friendly_difference(answer, expected, symbols) or difference or one_sided
    return _Comparison(False, point, _explain(point, a, e))


def _candidate_points(symbols: Sequence[sympy.Symbol], rng: random.Random):
    """Seeded points with two decimals in ±[0.1, 3]; after 20 tries, positive ones (for log, √)."""
    if not symbols:
        yield {}
        return
    for attempt in range(MAX_POINT_TRIES):
        point = {}
        for s in symbols:
            magnitude = sympy.Rational(rng.randint(10, 300), 100)
            negative = attempt < 20 and rng.random() < 0.5
            point[s] = -magnitude if negative else magnitude
        yield point


def _friendly_difference(answer, expected, symbols):
    """A point with small whole numbers where the formulas clearly differ, if there is one."""
    values = [1, 2, -1, 3, -2]
    for combo in itertools.islice(itertools.product(values, repeat=len(symbols)), 40):
        point = {s: sympy.Integer(v) for s, v in zip(symbols, combo)}
        a = _precise_value(answer, point)
        e = _precise_value(expected, point) if a is not None else None
        if e is not None and abs(a - e) > 1e-6 * max(1, abs(e)):
            return point, a, e
    return None


def _precise_value(expr: sympy.Expr, point: Mapping[sympy.Symbol, sympy.Rational]) -> sympy.Float | None:
    """``expr`` at ``point`` to 30 digits, or None where it is undefined, infinite or complex."""
    if not _safe_to_evaluate(expr, {s: float(v) for s, v in point.items()}):
        return None
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
    return abs(a - b) <= sympy.Float(10) ** -AGREE_DIGITS * scale


def _simplifies_to_zero(answer: sympy.Expr, expected: sympy.Expr) -> bool:
    """``simplify(a − b) == 0``, attempted only where it can finish quickly.

    First the cheap proof that settles most answers (everything as exponentials, then
    ``cancel``), then ``simplify`` itself. Even a short difference can keep simplify busy for
    seconds (``tanh(x)^5`` against its exponential form), so both run under a time limit where
    a timer is available; without one, simplify is skipped. Either way the random points have
    the last word.
    """
    try:
        difference = to_elementary(answer) - to_elementary(expected)
        if difference == 0:
            return True
        if sympy.count_ops(difference) > SIMPLIFY_MAX_OPS or _degree_bound(difference) > SIMPLIFY_MAX_DEGREE:
            return False
        with _time_limit(SIMPLIFY_SECONDS) as timed:
            if sympy.cancel(difference.rewrite(sympy.exp)) == 0:
                return True
            return timed and sympy.simplify(difference) == 0
    except Exception:  # noqa: BLE001 - out of time, or simplify failed: the points decide
        return False


class _OutOfTime(Exception):
    """Raised by the alarm that bounds simplify."""


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Yield True and raise _OutOfTime after ``seconds``, if this thread may use SIGALRM.

    Only in the main thread, and only when nobody else uses the alarm; otherwise yield False
    and bound nothing (the caller then limits the work by size alone).
    """
    usable = (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0
    )
    if not usable:
        yield False
        return
    active = True

    def on_alarm(signum, frame):
        if active:
            raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield True
    finally:
        active = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)


def _degree_bound(expr: sympy.Basic) -> int:
    """A rough upper bound of the degree ``expand`` could reach (powers multiply, products add)."""
    if expr.is_Atom:
        return 0 if expr.is_number else 1
    if expr.is_Pow:
        base, exponent = expr.args
        inner = _degree_bound(base)
        if exponent.is_Integer:
            return inner * abs(int(exponent))
        return inner + _degree_bound(exponent) + 1
    degrees = [_degree_bound(a) for a in expr.args]
    if expr.is_Mul:
        return sum(degrees)
    return max(degrees, default=0) + (0 if expr.is_Add else 1)


def _explain(point, a, e) -> str:
    where = ", ".join(f"{notation.name(s.name)} = {notation.number(v)}" for s, v in point.items())
    where = f"at {where}" if where else "as numbers"

    def shown(v):
        return notation.number(v) if v is not None else "undefined"

    return f"Not the same formula: {where} yours gives {shown(a)} but the answer gives {shown(e)}."


# --- choices ---------------------------------------------------------------------------------


def check_choice(
    text: str, options: Sequence[str], correct: int, *, mistakes: Sequence[Mistake] = ()
) -> Verdict:
    """Mark a multiple-choice answer: the option's text, its letter (a, b, …) or its number (1, 2, …).

    ``correct`` is the 0-based index of the right option; the verdict's ``value`` is the
    0-based index of the option chosen. A mistake's ``value`` is the 0-based index of the
    wrong option it explains.
    """
    if not 0 <= correct < len(options):
        raise ValueError(f"correct={correct} is not an index into {len(options)} options")
    letters = [chr(ord("a") + i) for i in range(len(options))]
    if len(letters) > 1:
        listing = ", ".join(letters[:-1]) + " or " + letters[-1]
    else:
        listing = letters[0]
    ask = f"answer with a letter: {listing} (or the option's number or text)"
    if not isinstance(text, str) or len(text) > 500:
        return _invalid(ask)
    chosen = _choice_index(text, options, letters)
    if chosen is None:
        return _invalid(ask if text.strip() else "the answer is empty; " + ask)
    if chosen == correct:
        return Verdict("correct", value=sympy.Integer(chosen))
    for mistake in mistakes:
        if mistake.value == chosen:
            return Verdict("incorrect", mistake.feedback, value=sympy.Integer(chosen), mistake=mistake.name)
    return Verdict("incorrect", value=sympy.Integer(chosen))


def _choice_index(text: str, options: Sequence[str], letters: Sequence[str]) -> int | None:
    said = _plain(text)
    for i, option in enumerate(options):
        if said == _plain(option):
            return i
    said = said.strip("().:")
    if said in letters:
        return letters.index(said)
    if said.isdigit() and said.isascii() and 1 <= int(said) <= len(options):
        return int(said) - 1
    return None


def _plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


# --- builders for the mistakes a lesson or quiz question knows about ------------------------


def chain_mistakes(factors: Sequence[tuple[str, sympy.Expr]]) -> list[Mistake]:
    """For each chain-rule factor, the product of the others: the answer with that factor missing."""
    if len(factors) < 2:
        return []
    values = [_as_expr(v) for _, v in factors]
    full = sympy.Mul(*values)
    found: list[Mistake] = []
    for i, (label, _) in enumerate(factors):
        others = sympy.Mul(*values[:i], *values[i + 1 :])
        if _same_value(others, full) or any(_same_value(others, m.value) for m in found):
            continue
        found.append(
            Mistake(
                "missing-factor",
                others,
                f"Almost: the factor {label} is missing. The chain rule multiplies every "
                "local derivative along the path.",
            )
        )
    return found


def update_mistakes(old: sympy.Expr, lr: sympy.Expr, gradient: sympy.Expr) -> list[Mistake]:
    """The usual slips in w ← w − α·∂L/∂w: adding, forgetting α, or giving only the step."""
    old, lr, gradient = _as_expr(old), _as_expr(lr), _as_expr(gradient)
    step_size = lr * gradient
    right = old - step_size
    candidates = [
        Mistake(
            "update-added",
            old + step_size,
            "You added α·∂L/∂w. Gradient descent subtracts it, w − α·∂L/∂w, to go downhill.",
        ),
        Mistake(
            "forgot-rate",
            old - gradient,
            "You subtracted the whole gradient: multiply it by the learning rate α first.",
        ),
        Mistake(
            "update-added",
            old + gradient,
            "You added the whole gradient: subtract it, scaled by the learning rate, w − α·∂L/∂w.",
        ),
        Mistake(
            "step-only",
            -step_size,
            "That is only the change −α·∂L/∂w: add it to the old weight to get the new one.",
        ),
        Mistake(
            "step-only",
            step_size,
            "That is α·∂L/∂w, the size of the step: the new weight is w − α·∂L/∂w.",
        ),
    ]
    found: list[Mistake] = []
    for mistake in candidates:
        if _same_value(mistake.value, right) or any(_same_value(mistake.value, m.value) for m in found):
            continue
        found.append(mistake)
    return found


def sigmoid_mistake(sigma: sympy.Expr) -> Mistake:
    """σ given where its derivative σ·(1 − σ) was asked for."""
    return Mistake(
        "sigma-not-derivative",
        _as_expr(sigma),
        "That is σ itself, not its derivative: σ′ = σ·(1 − σ).",
    )


def forward_value_mistakes(values: Mapping[str, sympy.Expr]) -> list[Mistake]:
    """Each forward-pass value, given where a gradient was asked for."""
    found: list[Mistake] = []
    for label, value in values.items():
        value = _as_expr(value)
        if any(_same_value(value, m.value) for m in found):
            continue
        found.append(
            Mistake(
                "forward-value",
                value,
                f"That is the value of {notation.name(label)} from the forward pass, not a gradient.",
            )
        )
    return found


def _same_value(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Trusted values (numbers or formulas) that are the same; builders use it to skip repeats."""
    difference = sympy.expand(a - b)
    if difference == 0:
        return True
    if difference.free_symbols:
        return _compare(a, b, find_counterexample=False).equal
    value = _decimal(difference)
    scale = _decimal(b)
    return value is not None and abs(value) <= ABSOLUTE_FLOOR * max(1, abs(scale or 0))
