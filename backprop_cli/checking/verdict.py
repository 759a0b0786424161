"""What every check returns: the :class:`Verdict`, and the :class:`Mistake` and :class:`Carried`
values callers hand in. Plain frozen data, no SymPy at import time."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, DecimalException
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import sympy


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer and what to tell a learner who gives it."""

    name: str  # "sign", "factor-2", "missing-factor", "forward-value", "update-added", ...
    value: Any  # sympy.Expr: a number for numeric questions, a formula for expression questions
    feedback: str  # one or two short sentences for the learner


@dataclass(frozen=True)
class Carried:
    """The answer a later step would have, computed from the learner's own earlier answers."""

    value: Any  # sympy.Expr
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
    literal: str | None = None  # the decimal as typed (for number answers), None for arithmetic

    @property
    def correct(self) -> bool:
        return self.status == "correct"


def invalid(message: str, *, mistake: str | None = None) -> Verdict:
    return Verdict("invalid", message, mistake=mistake)


#: Failures SymPy or the size guards can raise on strange but parseable input; any of them
#: makes the answer unreadable, never a traceback.
CHECK_FAILURES = (ArithmeticError, ValueError, TypeError, RecursionError, MemoryError, DecimalException)


def as_expr(value: object) -> sympy.Expr:
    """Trusted numbers from callers (ints, floats, Fractions) as SymPy; text is refused."""
    import sympy

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
