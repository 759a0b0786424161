"""Derivatives worked out step by step, each step naming the rule a learner would use.

SymPy computes every piece; this module only walks the expression tree the way a textbook does
(sum rule, then each term; constant multiple; product; quotient; chain with its outer and inner
functions) so that the learner sees *which rule* turned each piece into its derivative.

Public API (the lessons' ``derive`` step and ``backprop derive`` both use it):

- :func:`derive_steps` ``(expr, var) -> tuple[DerivationStep, ...]``: the steps, outermost first;
  a step's pieces follow it at ``depth + 1`` (a pre-order walk, so the steps form a tree).
The ``backprop derive`` computation that uses it (partials at a point, nudges, the tangent
picture) is in :mod:`backprop_cli.analysis.calculus`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy

from backprop_cli import notation as nt
from backprop_cli.analysis.bounds import StepBudget
from backprop_cli.expressions import symbol, symbol_in

#: Every rule name a step may carry.
RULES = (
    "constant",
    "variable",
    "power",
    "sum",
    "constant multiple",
    "product",
    "quotient",
    "chain",
    "exp",
    "log",
    "sigmoid",
    "tanh",
    "relu",
    "exponential",
    "general power",
    "other",
)

_FUNCTION_RULES = {"exp": "exp", "log": "log", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu"}


@dataclass(frozen=True)
class DerivationStep:
    """One rule applied to one piece: d(``before``)/d(``var``) = ``applied`` = ``after``.

    ``applied`` is the rule written out with the pieces' derivatives, in learner notation, before
    SymPy tidies it (``2·(2·x + 3)·2`` for the chain rule on (2x+3)²); "" when it reads the same
    as ``after``. ``depth`` is 0 for the whole expression; the steps for its pieces follow it.
    """

    rule: str
    var: str
    before: sympy.Expr
    after: sympy.Expr
    explanation: str
    applied: str = ""
    depth: int = 0


def derive_steps(expr: sympy.Expr, var: str | sympy.Symbol) -> tuple[DerivationStep, ...]:
    """The derivative of ``expr`` with respect to ``var``, one step per rule used (pre-order).

    The first step's ``after`` is the whole derivative (``sympy.diff(expr, var)``).
    """
    x = var if isinstance(var, sympy.Symbol) else symbol_in(expr, var)
    steps = StepBudget()
    _walk(sympy.sympify(expr), x, 0, steps)
    return tuple(steps)


def _text(expr: sympy.Expr) -> str:
    return nt.formula(expr)


def _wrapped(expr: sympy.Expr) -> str:
    """A factor in a written-out product: brackets around sums, fractions and negative values."""
    text = _text(expr)
    return f"({text})" if (expr.is_Add or text.startswith("−") or "/" in text) else text


def _step(out, rule, x, before, after, explanation, applied="", depth=0) -> None:
    if isinstance(out, StepBudget):
        out.spend(before, after)
    if applied == _text(after):
        applied = ""
    out.append(DerivationStep(rule, x.name, before, after, explanation, applied, depth))


def _walk(e: sympy.Expr, x: sympy.Symbol, depth: int, out: list[DerivationStep]) -> None:
    d = sympy.diff(e, x)
    v = nt.name(x.name)
    if not e.has(x):
        _step(out, "constant", x, e, d, f"{_text(e)} does not change with {v}: its derivative is 0", depth=depth)
    elif e == x:
        _step(out, "variable", x, e, d, f"the derivative of {v} with respect to itself is 1", depth=depth)
    elif e.is_Add:
        terms = e.as_ordered_terms()
        parts = [sympy.diff(t, x) for t in terms]
        _step(out, "sum", x, e, d, f"differentiate each of the {len(terms)} terms and add the results",
              _sum_text(parts), depth)
        for t in terms:
            _walk(t, x, depth + 1, out)
    elif e.is_Mul:
        _mul(e, x, d, depth, out)
    elif e.is_Pow:
        _pow(e, x, d, depth, out)
    elif isinstance(e, sympy.Function) and len(e.args) == 1:
        _function(e, x, d, depth, out)
    else:
        _step(out, "other", x, e, d, "no textbook rule here: SymPy's derivative", depth=depth)


def _mul(e, x, d, depth, out) -> None:
    coeff, rest = e.as_independent(x, as_Add=False)
    if coeff != 1:
        _step(out, "constant multiple", x, e, d,
              f"the constant factor {_text(coeff)} stays; differentiate {_text(rest)}",
              f"{_wrapped(coeff)}·{_wrapped(sympy.diff(rest, x))}", depth)
        _walk(rest, x, depth + 1, out)
        return
    factors = sympy.Mul.make_args(rest)
    top = [f for f in factors if not _is_reciprocal(f)]
    bottom = [sympy.Pow(f.base, -f.exp) for f in factors if _is_reciprocal(f)]
    if top and bottom:
        u, w = sympy.Mul(*top), sympy.Mul(*bottom)
        du, dw = sympy.diff(u, x), sympy.diff(w, x)
        applied = f"({_wrapped(du)}·{_wrapped(w)} − {_wrapped(u)}·{_wrapped(dw)})/{_wrapped(w)}²"
        _step(out, "quotient", x, e, d,
              f"(u/v)′ = (u′·v − u·v′)/v² with u = {_text(u)}, v = {_text(w)}", applied, depth)
    else:
        u, w = factors[0], sympy.Mul(*factors[1:])
        du, dw = sympy.diff(u, x), sympy.diff(w, x)
        applied = _sum_text([sympy.Mul(du, w, evaluate=False), sympy.Mul(u, dw, evaluate=False)],
                            [f"{_wrapped(du)}·{_wrapped(w)}", f"{_wrapped(u)}·{_wrapped(dw)}"])
        _step(out, "product", x, e, d, f"(u·v)′ = u′·v + u·v′ with u = {_text(u)}, v = {_text(w)}",
              applied, depth)
    _walk(u, x, depth + 1, out)
    _walk(w, x, depth + 1, out)


def _is_reciprocal(f) -> bool:
    return f.is_Pow and f.exp.is_Number and f.exp.is_negative


def _pow(e, x, d, depth, out) -> None:
    base, exponent = e.base, e.exp
    v = nt.name(x.name)
    if not exponent.has(x):
        if base == x:
            n = _text(exponent)
            _step(out, "power", x, e, d, f"bring the exponent {n} down and lower it by one: {n}·{v}^({n} − 1)",
                  depth=depth)
            return
        u = _fresh(e)
        _chain(e, x, d, u, u**exponent, base, depth, out)
        return
    if not base.has(x):
        if exponent == x:
            _step(out, "exponential", x, e, d,
                  f"d/d{v} a^{v} = a^{v}·ln(a) with a = {_text(base)}", depth=depth)
            return
        u = _fresh(e)
        _chain(e, x, d, u, base**u, exponent, depth, out)
        return
    _step(out, "general power", x, e, d,
          "the variable is in the base and the exponent: write it as exp(exponent·ln(base)) and differentiate",
          depth=depth)


def _function(e, x, d, depth, out) -> None:
    arg = e.args[0]
    name = type(e).__name__
    rule = _FUNCTION_RULES.get(name, "other")
    if arg == x:
        _step(out, rule, x, e, d, _function_explanation(rule, x), depth=depth)
        return
    u = _fresh(e)
    _chain(e, x, d, u, e.func(u), arg, depth, out)


def _function_explanation(rule: str, x: sympy.Symbol) -> str:
    v = nt.name(x.name)
    return {
        "exp": f"exp({v}) is its own derivative",
        "log": f"the derivative of ln({v}) is 1/{v}",
        "sigmoid": f"σ′({v}) = σ({v})·(1 − σ({v})): the sigmoid's derivative is written with its own value",
        "tanh": f"tanh′({v}) = 1 − tanh({v})²",
        "relu": f"relu′({v}) = step({v}): 1 where {v} > 0, else 0",
    }.get(rule, "no textbook rule here: SymPy's derivative")


def _chain(e, x, d, u, outer, inner, depth, out) -> None:
    """Chain rule: d/dx outer(inner) = outer′(inner) · inner′; then the outer step and the inner steps."""
    outer_slope = sympy.diff(outer, u)
    with sympy.evaluate(False):  # keep 2·(2·x + 3), not 4·x + 6: the learner sees u replaced
        outer_slope = outer_slope.xreplace({u: inner})
    inner_slope = sympy.diff(inner, x)
    v = nt.name(x.name)
    _step(out, "chain", x, e, d,
          f"outer {_text(outer)} with {u.name} = {_text(inner)}: "
          f"(d/d{u.name} of the outer) · (d{u.name}/d{v})",
          f"{_wrapped(outer_slope)}·{_wrapped(inner_slope)}", depth)
    _walk(outer, u, depth + 1, out)
    _walk(inner, x, depth + 1, out)


def _fresh(e: sympy.Expr) -> sympy.Symbol:
    """A name for the inner function that the expression does not already use."""
    used = {s.name for s in e.free_symbols}
    for name in ("u", "v", "g", "s", "t", "q"):
        if name not in used:
            return symbol(name)
    return sympy.Dummy("u", real=True)


def _sum_text(parts: Sequence[sympy.Expr], texts: Sequence[str] | None = None) -> str:
    """``a + b − c`` from pieces, with brackets around pieces that are themselves sums."""
    out = ""
    for i, part in enumerate(parts):
        text = texts[i] if texts is not None else _text(part)
        negative = text.startswith("−") and not part.is_Add
        if part.is_Add and texts is None:
            text = f"({text})"
        if i == 0:
            out = text
        elif negative:
            out += f" − {text[1:]}"
        else:
            out += f" + {text}"
    return out
