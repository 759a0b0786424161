"""The restricted code printer: SymPy expressions of a checked graph as Python float arithmetic.

A subclass of SymPy's own Python printer that knows only the graph's names (each printed as the
generated identifier it is given, ``v0``, ``g3``…), SymPy numbers, and the fixed functions of
:data:`runtime.FUNCTIONS`; anything else makes it refuse (:class:`CompileError`). No text from the
network file reaches what it prints, which is why the generated source may be compiled.
"""

from __future__ import annotations

import sympy
from sympy.printing.pycode import PythonCodePrinter

from backprop_cli.network.runtime import CompileError


class Printer(PythonCodePrinter):
    """SymPy's Python printer, restricted to the graph's names and the functions above."""

    def __init__(self, names: dict[str, str]):
        super().__init__({
            "order": "none",
            "fully_qualified_modules": False,  # pragma: no mutate - only how SymPy's math-function printers (sin, floor…) are written; a graph's formulas hold the parser's functions only, each printed by a method of this class
            # strict off: what SymPy cannot print goes to _print_not_supported, which refuses (CompileError)
            "strict": False,
        })
        self.names = names
        # used through ``text`` (not ``doprint``, whose assignment handling imports sympy.codegen)
        self._not_supported: set = set()
        self._number_symbols: set = set()

    def text(self, expr) -> str:
        return self._print(expr)

    def _print_Symbol(self, expr):
        try:
            return self.names[expr.name]
        except KeyError:
            raise CompileError(f"unknown name {expr.name!r}") from None

    def _call(self, name: str, expr) -> str:
        return f"{name}({', '.join(self._print(a) for a in expr.args)})"

    def _print_Function(self, expr):
        name = type(expr).__name__
        if name in ("sigmoid", "relu", "step"):
            return self._call(f"_{name}", expr)
        raise CompileError(f"no float version of the function {name}")

    def _print_tanh(self, expr):
        return self._call("_tanh", expr)

    def _print_exp(self, expr):
        return self._call("_exp", expr)

    def _print_log(self, expr):
        if len(expr.args) != 1:
            raise CompileError("log with a base")
        return self._call("_log", expr)

    def _print_Abs(self, expr):
        return self._call("_abs", expr)

    def _print_sign(self, expr):
        return self._call("_sign", expr)

    def _print_Pow(self, expr, rational=False):  # pragma: no mutate - the body never reads rational (SymPy's signature), so its default cannot matter
        base, exp = expr.base, expr.exp
        if exp.is_Integer and 2 <= int(exp) <= 4:
            if base.is_Symbol:
                return "(" + "*".join([self._print(base)] * int(exp)) + ")"
            return f"({self._print(base)})**{int(exp)}"
        if exp.is_Integer and -4 <= int(exp) <= -1:
            inner = self._print(sympy.Pow(base, -exp, evaluate=False)) if exp != -1 else self._print(base)
            return f"(1/({inner}))"
        if exp == sympy.S.Half:
            return f"_sqrt({self._print(base)})"
        return f"_pow({self._print(base)}, {self._print(exp)})"

    def _print_Integer(self, expr):
        return str(int(expr))

    def _print_Rational(self, expr):
        return f"({int(expr.p)}/{int(expr.q)})"  # folded to one float by Python's compiler

    _print_Half = _print_Rational

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_NumberSymbol(self, expr):
        return repr(float(expr))

    _print_Pi = _print_NumberSymbol
    _print_Exp1 = _print_NumberSymbol

    def _print_not_supported(self, expr):
        raise CompileError(f"cannot compile {type(expr).__name__}")


def printed(printer: Printer, expr: sympy.Expr) -> str:
    """The printer's text; the shapes a layered network is made of (w·h, a sum of them) directly,
    with the same name lookup (SymPy's printer costs tens of microseconds per term)."""
    if expr.is_Symbol:
        return printer._print_Symbol(expr)
    if expr.is_Mul and len(expr.args) == 2 and expr.args[0].is_Symbol and expr.args[1].is_Symbol:
        return f"{printer._print_Symbol(expr.args[0])}*{printer._print_Symbol(expr.args[1])}"
    if expr.is_Add and all(_simple(t) for t in expr.args):
        return " + ".join(printed(printer, t) for t in expr.args)
    return printer.text(expr)


def _simple(term: sympy.Expr) -> bool:
    return term.is_Symbol or (term.is_Mul and len(term.args) == 2 and all(a.is_Symbol for a in term.args))  # pragma: no mutate - only picks how a sum is printed: joined, each term through printed(), or whole by the printer; both in args order (order "none"), and a + -b is a − b in floats, so any answer computes the same values


def float_text(printer: Printer, expr: sympy.Expr) -> str:
    text = printed(printer, expr)
    return text if expr.free_symbols else f"_float({text})"
