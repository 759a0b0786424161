"""A formula evaluated at many points: worked out once into a list of steps, then run per point.

Comparing two formulas evaluates each at ten to sixty points (``formulas.compare``); walking the
SymPy tree each time (``floats.float_eval``) was most of a formula check. Here the tree's distinct
parts are listed once, in the order ``float_eval`` meets them (depth first, arguments left to right,
a repeated part at its first place), and a point runs down that list. The outcome is the same as
``float_eval``'s at every point, by construction and by test (tests/test_checking.py): the same
value, or the same first failure — a part undefined (NaN), infinite, or one this evaluator does not
know — met at the same place.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Any

from backprop_cli.checking.floats import Unsupported, _functions, float_power

# what a step does; its argument says with what
_SYMBOL, _NUMBER, _ADD, _MUL, _POW, _CALL, _MAX, _MIN, _UNKNOWN, _TOO_LARGE = range(10)

Tape = tuple[tuple[int, Any], ...]


@functools.lru_cache(maxsize=2048)  # pragma: no mutate - only the cache size: tape() is a pure function of the formula, so a larger cache changes memory, never a step
def tape(expr: Any) -> Tape:
    """The steps computing ``expr``: each step's argument names earlier steps by position."""
    import sympy

    functions = _functions()
    position: dict[Any, int] = {}
    steps: list[tuple[int, Any]] = []
    stack: list[tuple[Any, bool]] = [(expr, False)]
    while stack:
        node, ready = stack.pop()
        if node in position:
            continue  # met before: float_eval takes its value from its memo
        if node.args and not ready:
            stack.append((node, True))
            stack.extend((a, False) for a in reversed(node.args))
            continue
        args = tuple(position[a] for a in node.args)
        if node.is_Symbol:
            step: tuple[int, Any] = (_SYMBOL, node)
        elif node.is_Rational:
            try:
                step = (_NUMBER, int(node.p) / int(node.q))
            except OverflowError:
                step = (_TOO_LARGE, None)
        elif node.is_Float or node.is_NumberSymbol:
            step = (_NUMBER, float(node))
        elif node.is_Add:
            step = (_ADD, args)
        elif node.is_Mul:
            step = (_MUL, args)
        elif node.is_Pow:
            step = (_POW, args)
        elif type(node) in functions and len(args) == 1:
            step = (_CALL, (functions[type(node)], args[0]))
        elif isinstance(node, sympy.Max) and args:
            step = (_MAX, args)
        elif isinstance(node, sympy.Min) and args:
            step = (_MIN, args)
        else:
            step = (_UNKNOWN, node)
        position[node] = len(steps)
        steps.append(step)
    return tuple(steps)


def run(steps: Tape, point: Mapping[Any, float]) -> float:
    """The value at ``point``; raises as ``float_eval`` does (ValueError for an undefined part,
    OverflowError for an infinite one, Unsupported for a part it does not know)."""
    values: list[float] = []
    for kind, arg in steps:
        if kind == _NUMBER:
            value = arg
        elif kind == _SYMBOL:
            if arg not in point:
                raise Unsupported(arg)
            value = point[arg]
        elif kind == _MUL:
            value = math.prod([values[i] for i in arg])
        elif kind == _ADD:
            value = math.fsum([values[i] for i in arg])
        elif kind == _POW:
            value = float_power(values[arg[0]], values[arg[1]])
        elif kind == _CALL:
            value = arg[0](values[arg[1]])
        elif kind in (_MAX, _MIN):
            value = (max if kind == _MAX else min)([values[i] for i in arg])
        elif kind == _TOO_LARGE:
            raise OverflowError("integer too large for a float")
        else:
            raise Unsupported(arg)
        if math.isnan(value):
            raise ValueError("undefined")
        if math.isinf(value):
            raise OverflowError("too large")
        values.append(value)
    return values[-1]


def value_at(expr: Any, point: Mapping[Any, float]) -> float | None:
    """``floats.float_value(expr, point)``: a finite float, or None."""
    try:
        return run(tape(expr), point)
    except (Unsupported, OverflowError, ZeroDivisionError, ValueError, RecursionError, TypeError):
        return None


def safe_at(expr: Any, point: Mapping[Any, float]) -> bool:
    """``floats.safe_to_evaluate(expr, point)``: False where undefined, infinite or not real."""
    try:
        run(tape(expr), point)
    except Unsupported:
        return True
    except (OverflowError, ZeroDivisionError, ValueError, RecursionError):
        return False
    return True
