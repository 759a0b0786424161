"""Pins found by mutation testing (scripts/mutation.py expressions): every limit of the parser, at
the limit and one past it, and the one-line reason a learner reads when a formula is refused."""

from __future__ import annotations

import pytest
import sympy

from backprop_cli.errors import ExpressionError
from backprop_cli.expressions import parse

# (typed, read as) at each limit
ACCEPTED = [
    ("1" + " " * 1999, "1"),  # 2,000 characters
    ("1" * 40, "1" * 40),  # 40 digits
    ("1e100", str(10**100)),
    ("1e-100", f"1/{10**100}"),
    ("10^400", str(10**400)),  # 400 digits
    ("1^400000", "1"),
    ("x^100", "x**100"),
    ("x^-100", "x**(-100)"),
    ("exp(10000)", "exp(10000)"),
    ("x" + "^x" * 89, None),  # a tower of 90 powers: right-nested operators, within 3 × 30
    ("1.5^600", None),  # 600·log10(1.5) ≈ 106 digits
    ("(x)*" + "(" * 30 + "x" + ")" * 30, None),  # brackets closed before do not count
]

# (typed, the reason given) one past each limit
REFUSED = [
    ("1" + " " * 2000, "the input is too long (2001 characters; at most 2000)"),
    ("1" * 41, "the number 11111111111111111111... has more than 40 digits"),
    ("1e101", "the number 1e101 is too large or too small"),
    ("1e-101", "the number 1e-101 is too large or too small"),
    ("10^401", "that power has more than 400 digits; use smaller numbers"),
    ("0.1^401", "that power has more than 400 digits; use smaller numbers"),
    ("1^400001", "that power is far too large"),
    ("x^400001", "that power is far too large"),
    ("x^101", "exponents above 100 are not supported"),
    ("x^-101", "exponents above 100 are not supported"),
    ("exp(10001)", "exp() of that number is too large"),
    ("(-8)^(1/3)", "a negative number to a fractional power is not real"),
    ("\udc80", "byte 0x80 is not valid UTF-8 (at column 1)"),  # the first byte kept by surrogateescape
    ("x\udcff", "byte 0xFF is not valid UTF-8 (at column 2)"),  # and the last
    ("sqrt", "'sqrt' needs brackets, as in sqrt(z) (at column 1)"),
    ("2*x+", "the formula ends with '+'"),
    ("x" + "^x" * 91, "the formula is nested too deeply"),  # the right operand counts its depth too
    ("1.5^2300", "that power has more than 400 digits; use smaller numbers"),  # ≈ 405 digits
    ("(x)*" + "(" * 31 + "x" + ")" * 31, "too deeply nested (more than 30 brackets)"),
    ("x*" + "(" * 31 + "x" + ")" * 31, "too deeply nested (more than 30 brackets)"),  # only brackets count
]


@pytest.mark.parametrize(("typed", "read"), ACCEPTED, ids=[t[:12] for t, _ in ACCEPTED])
def test_each_limit_is_accepted(typed, read):
    expr = parse(typed, ["x"]).expr
    assert read is None or str(expr) == read


@pytest.mark.parametrize(("typed", "reason"), REFUSED, ids=[t[:12] for t, _ in REFUSED])
def test_one_past_each_limit_is_refused_with_its_reason(typed, reason):
    with pytest.raises(ExpressionError) as refused:
        parse(typed, ["x"])
    assert str(refused.value) == reason


def test_names_are_real_numbers():
    """A learner's x is real: √(x²) is |x|, and x² is never negative."""
    x = parse("x", ["x"]).expr
    assert x.is_real and parse("sqrt(x^2)", ["x"]).expr == sympy.Abs(x)
    assert parse("sqrt(y^2)", {"y": sympy.Symbol("y", real=True)}).expr == sympy.Abs(sympy.Symbol("y", real=True))
