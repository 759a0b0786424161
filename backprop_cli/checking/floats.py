"""A fast, bounded evaluation of SymPy expressions in machine floats.

Used two ways: as a size guard before any high-precision evaluation (``exp(9000)^exp(9000)`` is
refused in microseconds instead of keeping mpmath busy for seconds), and as the evaluator of the
diagnosis's candidate computations, which are compared with what a learner typed in floats.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


class Unsupported(Exception):
    """A SymPy node the float evaluator does not know."""


def safe_to_evaluate(expr: Any, point: Mapping[Any, float]) -> bool:
    """False when, in machine floats, ``expr`` at ``point`` is undefined, infinite or not real.

    A node the float evaluator does not know is let through: the parser has bounded its size,
    and SymPy evaluates it.
    """
    try:
        float_eval(expr, point)
    except Unsupported:
        return True
    except (OverflowError, ZeroDivisionError, ValueError, RecursionError):
        return False
    return True


def float_value(expr: Any, point: Mapping[Any, float] | None = None) -> float | None:
    """``expr`` as a finite float (symbols from ``point``), or None where it is undefined, too
    large, or holds a node this evaluator does not know."""
    try:
        return float_eval(expr, point or {})
    except (Unsupported, OverflowError, ZeroDivisionError, ValueError, RecursionError, TypeError):
        return None


def float_eval(node: Any, point: Mapping[Any, float], _seen: dict | None = None) -> float:
    """``node`` in floats; OverflowError as soon as any part is infinite (mpmath would have to
    carry that huge number), ValueError as soon as one is undefined.

    A part met again (exact values of a network repeat whole subtrees: σ(z1) inside every later
    node) is evaluated once per call (``_seen``: its value, for this ``point`` only). Without a point
    (a constant: a lesson's exact values) the parts' values are kept across calls, as they cannot
    change: a lesson's sixty values share the network's subtrees."""
    seen: dict = _seen if _seen is not None else (_constants() if not point else {})
    if node.args:
        known = seen.get(node)
        if known is not None:
            return known
    value = _float_node(node, point, seen)
    if math.isnan(value):
        raise ValueError("undefined")
    if math.isinf(value):
        raise OverflowError("too large")
    if node.args:
        seen[node] = value
    return value


#: values of constant parts (no symbols) met by float_eval, kept across calls; bounded
_CONSTANT_PARTS: dict = {}
CONSTANT_PARTS_MAX = 50_000  # pragma: no mutate - only when the memo is emptied: a kept value is the value a fresh evaluation gives (tested), so the bound changes memory, never a result


def _constants() -> dict:
    if len(_CONSTANT_PARTS) > CONSTANT_PARTS_MAX:  # pragma: no mutate - > or >= empties the memo one part sooner or later: memory only, as above
        _CONSTANT_PARTS.clear()
    return _CONSTANT_PARTS


def _float_node(node: Any, point: Mapping[Any, float], seen: dict) -> float:
    if node.is_Symbol:
        if node in point:
            return point[node]
        raise Unsupported(node)
    if node.is_Rational:
        return int(node.p) / int(node.q)
    if node.is_Float or node.is_NumberSymbol:
        return float(node)
    args = [float_eval(a, point, seen) for a in node.args]
    if node.is_Add:
        return math.fsum(args)
    if node.is_Mul:
        return math.prod(args)
    if node.is_Pow:
        return float_power(*args)
    function = _functions().get(type(node))
    if function is None or len(args) != 1:
        import sympy

        if isinstance(node, sympy.Max | sympy.Min):  # (a SymPy Max or Min has two arguments or more)
            return max(args) if isinstance(node, sympy.Max) else min(args)
        raise Unsupported(node)
    return function(args[0])


def float_power(base: float, exponent: float) -> float:
    """``base**exponent`` in floats: NaN for a negative base to a fraction, infinity for 0 to a
    negative power (OverflowError when the result is too large)."""
    if base < 0 and exponent != int(exponent):
        return math.nan
    if base == 0 and exponent < 0:
        return math.inf
    result = base**exponent
    return math.nan if isinstance(result, complex) else float(result)


def _float_log(z: float) -> float:
    if z > 0:
        return math.log(z)
    return math.nan


_FUNCTIONS: dict = {}


def _functions() -> dict:
    if not _FUNCTIONS:
        import sympy

        from backprop_cli.mathfunctions import NUMERIC_FUNCTIONS, relu, sigmoid, step

        _FUNCTIONS.update({
            sympy.exp: math.exp,
            sympy.log: _float_log,
            sympy.tanh: math.tanh,
            # the engine's own float versions (exp and log differ on purpose: an overflow must raise here)
            sigmoid: NUMERIC_FUNCTIONS["sigmoid"],
            relu: NUMERIC_FUNCTIONS["relu"],
            step: NUMERIC_FUNCTIONS["step"],
            sympy.Abs: abs,
            sympy.sign: lambda z: float((z > 0) - (z < 0)),
        })
    return _FUNCTIONS
