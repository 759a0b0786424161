"""The float versions of the tutor's functions, as the generated code and the float checks call them.

No SymPy here: a network read back from the cache computes with these alone. Each is total on
floats (an overflow is ∞, a domain error NaN) so that one bad node does not stop a whole step.
"""

from __future__ import annotations

import math
from collections.abc import Callable


def _num_sigmoid(z: float) -> float:
    # Stable on both sides: never exp of a large positive number.
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _num_exp(z: float) -> float:
    try:
        return math.exp(z)
    except OverflowError:
        return math.inf


def _num_log(z: float) -> float:
    if z > 0:
        return math.log(z)
    return -math.inf if z == 0 else math.nan


def _num_sqrt(z: float) -> float:
    return math.sqrt(z) if z >= 0 else math.nan


def _num_pow(a: float, b: float) -> float:
    try:
        r = a**b
    except OverflowError:
        return math.inf
    except ZeroDivisionError:
        return math.inf
    return r if isinstance(r, float | int) else math.nan


#: Names the lambdified code calls; each maps a SymPy function to its float version.
NUMERIC_FUNCTIONS: dict[str, Callable[[float], float]] = {
    "sigmoid": _num_sigmoid,
    "relu": lambda z: z if z > 0 else 0.0,
    "step": lambda z: 1.0 if z > 0 else 0.0,
    "exp": _num_exp,
    "log": _num_log,
    "sqrt": _num_sqrt,
    "tanh": math.tanh,
}
