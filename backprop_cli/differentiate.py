"""``sympy.diff``, with shortcuts for the shapes lessons and networks are made of.

A sum term by term, a product factor by factor (w·h → h), a power of the variable itself
(x³ → 3·x²), a power of a sum whose inner derivative is a number ((y − ŷ)² → −2·(y − ŷ)) and a
function of the variable itself (tanh(z), σ(z): the function's own derivative) skip SymPy's general
machinery (``Derivative``), whose assumption queries cost milliseconds per call. Each result is the
expression ``sympy.diff`` returns, the same tree, built as SymPy builds it (tests/test_compile.py
compares them on fixed and on random formulas); any other shape goes to SymPy.
"""

from __future__ import annotations

from typing import Any


def derivative(expr: Any, var: Any) -> Any:
    """d expr / d var, as ``sympy.diff(expr, var)`` gives it."""
    import sympy

    if expr == var:
        return sympy.S.One
    if var not in expr.free_symbols:
        return sympy.S.Zero
    if expr.is_Add:
        return sympy.Add(*(derivative(term, var) for term in expr.args if var in term.free_symbols))
    if expr.is_Mul:  # the product rule, one term per factor that depends on var, as SymPy builds it
        args = expr.args
        return sympy.Add(*(sympy.Mul(*args[:i], derivative(f, var), *args[i + 1:])
                           for i, f in enumerate(args) if var in f.free_symbols))
    if expr.is_Function and expr.args == (var,):  # pragma: no mutate - only whether f(var) takes this way: sympy.diff gives f's own derivative too
        return expr.fdiff(1)
    if expr.is_Pow and expr.exp.is_Number:
        if expr.base == var:  # x^n → n·x^(n − 1)
            return expr.exp * var ** (expr.exp - 1)
        if expr.base.is_Add:
            inner = derivative(expr.base, var)
            if inner.is_Number:  # (y − ŷ)² → −2·(y − ŷ): the power rule, a number for the inner derivative
                return expr.exp * inner * expr.base ** (expr.exp - 1)
    return sympy.diff(expr, var)
