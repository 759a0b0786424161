"""Bounds on the work of evaluating a formula exactly at a point, checked before SymPy does it.

``derive "x^x^x^x" --at x=9`` asks SymPy for 9^(9^9) exactly (an integer of 370 million digits),
``((x^100)^100)^100`` at x = 1e100 for 10^100,000,000, and ``exp(exp(exp(exp(x))))`` at x = 10 ends
in mpmath's OverflowError. No signal or timer is needed to stop them: one cheap pass over the
expression tree, with 64-bit floating point of unbounded exponent (mpmath), estimates for every
part both its size (the decimal exponent of its value) and the digits exact arithmetic would need
for it, and refuses, naming the part, before anything large is built.

Limits: a value of every part below 10^:data:`MAX_EXPONENT`, and exact numbers of at most
:data:`MAX_EXACT_DIGITS` digits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import mpmath
import sympy

from backprop_cli import notation as nt
from backprop_cli.errors import UsageError

#: Every part of a formula must lie within 10^±MAX_EXPONENT at the point (floats end at 10^308).
MAX_EXPONENT = 4000
#: Exact rationals (x^1000000 at x = 1.0001) may have at most this many digits.
MAX_EXACT_DIGITS = 20_000
#: Powers with the variable in the exponent stacked at most this deep (x^x^x^x is 3).
MAX_TOWER = 8

_LOG10_2 = math.log10(2)
_MAX_BITS = MAX_EXPONENT / _LOG10_2
_MAX_EXACT_BITS = MAX_EXACT_DIGITS / _LOG10_2
_ctx = mpmath.MPContext()
_ctx.prec = 64


#: The parts (SymPy tree nodes) all the steps of a derivation may show together, before and after:
#: the product rule on 59 factors worked for 26 s (n steps of n terms of n factors) and printed pages.
MAX_DERIVATION_PARTS = 20_000


class StepBudget(list):
    """A derivation's steps so far and the parts they hold; past the budget it is refused at once."""

    parts = 0

    def spend(self, *exprs: sympy.Expr) -> None:
        self.parts += sum(sum(1 for _ in sympy.preorder_traversal(e)) for e in exprs)
        if self.parts > MAX_DERIVATION_PARTS:
            raise UsageError(f"the step-by-step derivative is too long to show (more than "
                             f"{MAX_DERIVATION_PARTS:,} parts after {len(self)} steps); try a shorter expression")


class _Refused(Exception):
    def __init__(self, part: sympy.Expr, message: str):
        self.part = part
        self.message = message


def check_evaluable(expr: sympy.Expr, point: Mapping[str, sympy.Expr], what: str, where: str) -> None:
    """Raise UsageError if evaluating ``expr`` exactly at ``point`` would be too large or too slow.

    ``what`` names the formula and ``where`` the point in the message.
    """
    depth = _tower_depth(expr, {})
    if depth > MAX_TOWER:
        raise UsageError(f"{what} at {where}: it stacks {depth} powers with the variable in the exponent "
                         f"(x^x^x…); at most {MAX_TOWER} are evaluated at a point; refused")
    values = {name: _leaf(v) for name, v in point.items()}
    try:
        _walk(expr, values, {})
    except _Refused as refused:
        subject = "it" if refused.part == expr else f"its part {nt.formula(refused.part)}"
        raise UsageError(f"{what} at {where}: {subject} {refused.message}") from None


def _tower_depth(e: sympy.Expr, seen: dict) -> int:
    """How many powers with a variable exponent are stacked: x^x^x → 2 (SymPy's evalf of such a tower
    retries at higher precision level by level: 12 stacked at x = 0.7 took seconds, 30 forever)."""
    if e in seen:
        return seen[e]
    inner = max((_tower_depth(a, seen) for a in e.args), default=0)
    out = inner + 1 if e.is_Pow and e.exp.free_symbols else inner
    seen[e] = out
    return out


def _leaf(value: sympy.Expr) -> tuple[Any, float]:
    return _walk(sympy.sympify(value), {}, {})


def _bits(n: int) -> float:
    return float(abs(int(n)).bit_length())


def _walk(e: sympy.Expr, values: Mapping[str, tuple[Any, float]], seen: dict) -> tuple[Any, float]:
    """(an approximate value of ``e``, the bits exact arithmetic needs for it), checked for size."""
    if e in seen:
        return seen[e]
    if e.is_Symbol:
        out = values.get(e.name, (_ctx.nan, 0.0))
    elif e.is_Rational:
        out = (_ctx.mpf(int(e.p)) / int(e.q), _bits(e.p) + _bits(e.q))
    elif e.is_Float:
        out = (_ctx.mpf(e._mpf_), float(e._prec))
    elif e.is_NumberSymbol or (e.is_number and not e.args):  # pi, E; zoo and nan are not numbers here
        value = sympy.Float(e, 20) if e.is_finite else None
        out = (_ctx.mpf(value._mpf_) if isinstance(value, sympy.Float) else _ctx.nan, 1.0)
    else:
        args = [_walk(a, values, seen) for a in e.args]
        exact = math.fsum(size for _, size in args) + 1.0
        if e.is_Add:  # a sum is about as long as its longest term (a product: as all its factors)
            exact = max(size for _, size in args) + math.log2(len(args)) + 1.0
            value = _ctx.fsum(v for v, _ in args)
        elif e.is_Mul:
            value = _ctx.fprod(v for v, _ in args)
        elif e.is_Pow:
            value, exact = _pow(e, args)
        else:
            value = _function(e, [v for v, _ in args])
        if exact > _MAX_EXACT_BITS:
            raise _Refused(e, f"would need exact numbers of about {_digits(exact)} digits "
                              f"(at most {MAX_EXACT_DIGITS:,}); refused")
        out = (value, exact)
    _check_size(e, out[0])
    seen[e] = out
    return out


def _pow(e: sympy.Expr, args: list[tuple[Any, float]]) -> tuple[Any, float]:
    (base, base_bits), (power, power_bits) = args
    if not (_finite(base) and _finite(power)) or base == 0:
        return _ctx.nan, base_bits + power_bits  # undefined or 0: the exact evaluation says so cheaply
    p = abs(_ctx.re(power))
    log2_size = p * abs(_ctx.log(abs(base), 2))
    if log2_size > _MAX_BITS:
        raise _Refused(e, _too_large(log2_size * _LOG10_2))
    return _ctx.power(base, power), float(p) * base_bits + power_bits


def _function(e: sympy.Expr, args: list) -> object:
    name = type(e).__name__
    if not all(_finite(a) for a in args):
        return _ctx.nan
    z = args[0] if args else _ctx.nan
    if name == "exp":
        if _ctx.re(z) / _ctx.ln2 > _MAX_BITS:
            raise _Refused(e, _too_large(_ctx.re(z) / _ctx.ln10))
        return _ctx.exp(z)
    if name == "sigmoid":
        z = _ctx.re(z)
        return 1 / (1 + _ctx.exp(-z)) if z >= 0 else _ctx.exp(z) / (1 + _ctx.exp(z))
    if name == "log":
        return _ctx.log(z) if z != 0 else _ctx.nan
    if name == "tanh":
        return _ctx.tanh(z)
    if name == "relu":
        return z if _ctx.re(z) > 0 else _ctx.zero
    if name == "step":
        return _ctx.one if _ctx.re(z) > 0 else _ctx.zero
    return _ctx.nan  # not a function of the grammar: nothing to estimate, nothing refused


def _finite(v) -> bool:
    return bool(_ctx.isfinite(v))


def _check_size(e: sympy.Expr, value) -> None:
    if isinstance(value, _ctx.mpc) and value.imag != 0 and _finite(value):
        # SymPy would carry i·π through every level above (nested logs of a negative: minutes)
        raise _Refused(e, "is not a real number")
    if _finite(value) and value != 0:
        exponent = float(_ctx.log10(abs(value)))
        if exponent > MAX_EXPONENT:  # a tiny value costs nothing unless exact (bounded above) or inverted
            raise _Refused(e, _too_large(exponent))


def _too_large(exponent) -> str:
    return f"would be about 10^{_count(exponent)}, beyond 10^{MAX_EXPONENT}; refused"


def _count(x) -> str:
    """A count in words a reader can take in: 369,693,100 or 'more than a billion'."""
    x = float(x) if abs(x) < 1e300 else math.copysign(math.inf, float(_ctx.sign(x)))
    if abs(x) >= 1e9:
        return ("−" if x < 0 else "") + "(more than a billion)"
    return f"{round(x):,}".replace("-", "−")


def _digits(bits: float) -> str:
    return _count(bits * _LOG10_2)
