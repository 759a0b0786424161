"""The tangent-line picture: samples of a curve f and of its tangent line at a point (``backprop
derive --plot`` and a lesson's ``plot: {tangent: …}``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Tangent:
    """Samples of f and of its tangent line at ``x0`` (NaN where f is undefined)."""

    var: str
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    tangent_ys: tuple[float, ...]
    x0: float
    y0: float
    slope: float


def tangent(expr: Any, var: str, x0: Any, slope: Any, radius: float | None = None, samples: int = 81) -> Tangent:
    """f and the line y = f(x0) + slope·(x − x0) around ``x0`` (numeric, for a plot)."""
    import sympy

    from backprop_cli.checking.float_tape import value_at
    from backprop_cli.expressions import symbol_in

    a = float(sympy.N(x0, 30))
    m = float(sympy.N(slope, 30))
    if radius is None:
        radius = max(1.0, abs(a) / 2)
    variable = symbol_in(expr, var)

    def f(at: float) -> float:  # the checker's float evaluator: worked out once, run per sample (no code generated)
        y = value_at(expr, {variable: at})
        return math.nan if y is None else y

    y0 = f(a)
    xs = tuple(a - radius + 2 * radius * i / (samples - 1) for i in range(samples))
    ys = tuple(f(x) for x in xs)
    return Tangent(var, xs, ys, tuple(y0 + m * (x - a) for x in xs), a, y0, m)
