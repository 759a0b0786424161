"""One generated Python function per network: forward, backward and update over the topological order.

The local derivatives come from the graph (derived once by SymPy); here they are printed once, by a
subclass of SymPy's own Python printer, into the source of a small module, which is compiled once.
A thousand steps then run inside one Python function whose parameters are local variables: no
dictionaries, no per-node calls. Common subexpressions of a node's formula and its local
derivatives are computed once (``sympy.cse``).

Why compiling it is safe: no text from the network file reaches the source. Every name is replaced
by a generated identifier (``v0``, ``g3``…), looked up in the checked graph; numbers are printed from
SymPy numbers; the only callables are the fixed functions of :data:`FUNCTIONS`; any other symbol or
function makes the printer refuse (:class:`CompileError`). The generated functions see only those
functions (``__builtins__`` is empty).

Plain floats, not NumPy: a network file is a graph of scalar formulas, not layers of matrices, and
measured on the 2-W-W-1 benchmark networks the straight-line float code is within the issue's
budget of a hand-written NumPy loop (``scripts/bench.py``); NumPy stays a benchmark-only extra.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sympy
from sympy.printing.pycode import PythonCodePrinter

from backprop_cli.errors import FileFormatError
from backprop_cli.expressions import symbol
from backprop_cli.mathfunctions import NUMERIC_FUNCTIONS, _num_pow
from backprop_cli.network.graph import LOSS, Network

#: Terms per statement in a long sum: Python's compiler recurses on ``a + b + c + …``.
CHUNK = 64
#: The errors a float step may raise (1/0, a float power that overflows, math domain errors).
ERRORS = (ArithmeticError, ValueError)


def _sign(z: float) -> float:
    return 1.0 if z > 0 else (-1.0 if z < 0 else (0.0 if z == 0 else math.nan))


#: Every callable the generated code can reach, by the name it uses.
FUNCTIONS: dict[str, Callable[..., float]] = {
    "_sigmoid": NUMERIC_FUNCTIONS["sigmoid"],
    "_relu": NUMERIC_FUNCTIONS["relu"],
    "_step": NUMERIC_FUNCTIONS["step"],
    "_exp": NUMERIC_FUNCTIONS["exp"],
    "_log": NUMERIC_FUNCTIONS["log"],
    "_sqrt": NUMERIC_FUNCTIONS["sqrt"],
    "_tanh": NUMERIC_FUNCTIONS["tanh"],
    "_pow": _num_pow,
    "_abs": abs,
    "_sign": _sign,
    "_float": float,
    "_ERRORS": ERRORS,  # type: ignore[dict-item]
    "_nan": math.nan,  # type: ignore[dict-item]
    "_inf": math.inf,  # type: ignore[dict-item]
}


class CompileError(Exception):
    """The graph holds something the printer does not know: a bug, or a network too large to compile."""


class _Printer(PythonCodePrinter):
    """SymPy's Python printer, restricted to the graph's names and the functions above."""

    def __init__(self, names: dict[str, str]):
        super().__init__({"order": "none", "fully_qualified_modules": False, "strict": True})
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

    def _print_Pow(self, expr, rational=False):
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


@dataclass
class Compiled:
    """The generated functions of one network and the order of their arguments and results."""

    leaves: tuple[str, ...]  # the arguments, in order
    nodes: tuple[str, ...]  # the forward pass's results, in order (the loss last)
    parameters: tuple[str, ...]
    locals: tuple[tuple[str, str], ...]  # (node, dep) in the order ``explain`` returns them
    source: str
    forward: Callable[[Sequence[float]], tuple[float, ...]]
    descend: Callable[..., tuple[int, int, tuple[float, ...]]]
    network: Network | None = field(repr=False)
    loader: Callable[[], Network] | None = field(default=None, repr=False)  # when network is None
    _explain: Callable | None = field(default=None, repr=False)

    def explain(self, values: Sequence[float]) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """(every local derivative's value, ∂L/∂name for every leaf and node), from all values."""
        if self._explain is None:  # generated on first use: only the views that show a step need it
            if self.network is None:
                assert self.loader is not None
                self.network = self.loader()
                self.locals = tuple((n.name, loc.dep) for n in reversed(self.network.nodes) for loc in n.locals)
            try:
                self._explain = namespace(_explain_source(self.network, self.leaves + self.nodes))["explain"]
            except CompileError as exc:
                raise FileFormatError(self.network.source, str(exc)) from None
        return self._explain(values)


# Status codes returned by the generated ``descend``.
DONE, DIVERGED, REACHED, RAISED = 0, 1, 2, 3


def compile_engine(network: Network) -> Compiled:
    """Generate and compile ``forward`` and ``descend`` for ``network`` (a file error if it cannot be)."""
    try:
        return _compile_engine(network)
    except CompileError as exc:
        raise FileFormatError(network.source, str(exc)) from None


def _compile_engine(network: Network) -> Compiled:
    leaves = tuple(network.leaves())
    nodes = tuple(n.name for n in network.nodes)
    params = tuple(network.parameters)
    index = {name: i for i, name in enumerate(leaves + nodes)}
    v = {name: f"v{i}" for name, i in index.items()}
    printer = _Printer(v)
    forward_steps = [_forward_lines(node, printer, v) for node in network.nodes]
    backward, gradient = _backward_lines(network, printer, v)
    lines = ["def forward(leaves):", f"    {_unpack(v, leaves)} = leaves"]
    for temps, value, node in forward_steps:
        lines += ["    try:", *(f"        {t}" for t in temps), *(f"        {x}" for x in value),
                  "    except _ERRORS:", f"        {v[node]} = _nan"]
    lines.append(f"    return ({''.join(v[n] + ', ' for n in nodes)})")

    p_vars = "(" + "".join(v[p] + ", " for p in params) + ")"
    g_vars = "(" + "".join(gradient[p] + ", " for p in params) + ")"
    lines += [
        "",
        "def descend(leaves, lr, steps, until, append, on_step):",
        f"    {_unpack(v, leaves)} = leaves",
        "    done = 0",
        f"    status = {DONE}",
        "    while done < steps:",
        "        try:",
        *(f"            {x}" for temps, value, _ in forward_steps for x in (*temps, *value)),
        f"            loss = {v[LOSS]}",
        "        except _ERRORS:",
        f"            status = {RAISED}",
        "            break",
        "        if not -_inf < loss < _inf:",
        f"            status = {DIVERGED}",
        "            break",
        "        if until is not None and loss <= until:",
        f"            status = {REACHED}",
        "            break",
        "        try:",
        *(f"            {x}" for x in backward),
        "        except _ERRORS:",
        f"            status = {RAISED}",
        "            break",
        "        append(loss)",
        "        if on_step is not None:",
        f"            grads = {g_vars}",
        *(f"        {v[p]} = {v[p]} - lr*{_factor(gradient[p])}" for p in params),
        "        done += 1",
        "        if on_step is not None:",
        f"            on_step(loss, grads, {p_vars})",
        f"    return status, done, {p_vars}",
    ]
    source = "\n".join(lines) + "\n"
    functions = namespace(source)
    locals_ = tuple((n.name, loc.dep) for n in reversed(network.nodes) for loc in n.locals)
    return Compiled(leaves, nodes, params, locals_, source, functions["forward"], functions["descend"], network)


def _unpack(v: dict[str, str], names: Sequence[str]) -> str:
    return "(" + "".join(v[n] + ", " for n in names) + ")" if names else "()"


def _sum_lines(target: str, terms: Sequence[str]) -> list[str]:
    """``target = t1 + t2 + …`` in statements of at most CHUNK terms, added left to right."""
    if not terms:
        return [f"{target} = 0.0"]
    out = [f"{target} = {' + '.join(terms[:CHUNK])}"]
    for start in range(CHUNK, len(terms), CHUNK):
        out.append(f"{target} = {target} + {' + '.join(terms[start:start + CHUNK])}")
    return out


def _print(printer: _Printer, expr: sympy.Expr) -> str:
    """The printer's text; the shapes a layered network is made of (w·h, a sum of them) directly,
    with the same name lookup (SymPy's printer costs tens of microseconds per term)."""
    if expr.is_Symbol:
        return printer._print_Symbol(expr)
    if expr.is_Mul and len(expr.args) == 2 and expr.args[0].is_Symbol and expr.args[1].is_Symbol:
        return f"{printer._print_Symbol(expr.args[0])}*{printer._print_Symbol(expr.args[1])}"
    if expr.is_Add and all(_simple(t) for t in expr.args):
        return " + ".join(_print(printer, t) for t in expr.args)
    return printer.text(expr)


def _simple(term: sympy.Expr) -> bool:
    return term.is_Symbol or (term.is_Mul and len(term.args) == 2 and all(a.is_Symbol for a in term.args))


def _expr_lines(target: str, expr: sympy.Expr, printer: _Printer) -> list[str]:
    """``target = expr``; a long sum is split so that Python's compiler does not recurse deeply."""
    if expr.is_Add and len(expr.args) > CHUNK:
        return _sum_lines(target, [f"({_print(printer, t)})" for t in expr.args])
    text = _print(printer, expr)
    return [f"{target} = {text}" if expr.free_symbols else f"{target} = _float({text})"]


def _forward_lines(node, printer: _Printer, v: dict[str, str]) -> tuple[list[str], list[str], str]:
    """(temporaries shared with the node's local derivatives, the lines computing its value, name)."""
    return [], _expr_lines(v[node.name], node.expr, printer), node.name


def _shares(exprs: Sequence[sympy.Expr]) -> bool:
    """Whether some compound subexpression appears twice (only then is ``cse`` worth its time)."""
    seen: set[sympy.Basic] = set()
    for expr in exprs:
        for sub in sympy.preorder_traversal(expr):
            if sub.is_Atom:
                continue
            if sub in seen:
                return True
            seen.add(sub)
    return False


def _backward_lines(network: Network, printer: _Printer, v: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """Lines computing ∂L/∂name for every name on a path from a parameter to the loss.

    Each name's adjoint is one sum over its consumers (later nodes first, as the chain rule is
    applied backwards), each term ∂L/∂consumer · ∂consumer/∂name.
    """
    params = set(network.parameters)
    varies: set[str] = set(params)  # names that depend on some parameter
    for node in network.nodes:
        if any(d in varies for d in node.deps):
            varies.add(node.name)
    reaches = {LOSS}  # names the loss depends on
    for node in reversed(network.nodes):
        if node.name in reaches:
            reaches.update(node.deps)
    needed = varies & reaches
    index = {name: i for i, name in enumerate(v)}
    g = {name: f"g{index[name]}" for name in needed}
    g[LOSS] = "1.0"
    terms: dict[str, list[str]] = {name: [] for name in needed}
    reads: dict[str, set[sympy.Basic]] = {name: set() for name in needed}  # symbols in a name's terms
    lines: list[str] = []
    for node in reversed(network.nodes):
        if node.name not in needed:
            continue
        if node.name != LOSS:
            lines += _sum_lines(g[node.name], terms.pop(node.name))
        used = [loc for loc in node.locals if loc.dep in needed]
        compound = [loc.shown for loc in used if not loc.shown.is_Atom]
        replacements: dict[sympy.Expr, str] = {}
        if len(compound) > 1 and _shares(compound):
            temps, reduced = sympy.cse(compound, symbols=sympy.numbered_symbols(f"_c{index[node.name]}_"),
                                       order="none")
            for sym, value in temps:
                printer.names[sym.name] = sym.name
                lines.append(f"{sym.name} = {_print(printer, value)}")
            replacements = {e: f"({_print(printer, r)})" for e, r in zip(compound, reduced)}
        for loc in used:
            terms[loc.dep].append(_term(g[node.name], loc.shown, printer, replacements))
            reads[loc.dep] |= loc.shown.free_symbols
    # A parameter's gradient is written into its update (w ← w − α·(∂L/∂z·h)) when it is one
    # term that reads no parameter (the update of another would change it); else it is a variable.
    param_symbols = {symbol(p) for p in params}
    gradient = {}
    for p in network.parameters:
        pending = terms.get(p)
        if pending is None:
            gradient[p] = "0.0"
        elif len(pending) == 1 and not (reads[p] & param_symbols):
            gradient[p] = pending[0]
        else:
            lines += _sum_lines(g[p], pending)
            gradient[p] = g[p]
    return lines, gradient


def _factor(text: str) -> str:
    return text if text.isidentifier() or text == "0.0" else f"({text})"


def _term(upstream: str, local: sympy.Expr, printer: _Printer, replacements: dict) -> str:
    """``upstream · local`` without multiplying by 1."""
    if local in replacements:
        text = replacements[local]
    elif local.is_Atom:
        text = _print(printer, local)
    else:
        text = f"({_print(printer, local)})"
    if upstream == "1.0":
        return text
    if local == 1:
        return upstream
    if local == -1:
        return f"(-{upstream})"
    return f"{upstream}*{text}"


def _explain_source(network: Network, names: Sequence[str]) -> str:
    """``explain(values)``: every local derivative and every adjoint, a node's locals NaN if they raise."""
    v = {name: f"v{i}" for i, name in enumerate(names)}
    printer = _Printer(v)
    gs = {name: f"g{i}" for i, name in enumerate(names)}
    lines = ["def explain(values):", f"    {_unpack(v, names)} = values"]
    lines += [f"    {gs[n]} = 0.0" for n in names]
    lines.append(f"    {gs[LOSS]} = 1.0")
    out: list[str] = []
    k = 0
    for node in reversed(network.nodes):
        if not node.locals:
            continue
        ls = [f"l{k + j}" for j in range(len(node.locals))]
        lines.append("    try:")
        lines += [f"        {name} = {_float_text(printer, loc.shown)}" for name, loc in zip(ls, node.locals)]
        lines += ["    except _ERRORS:", f"        {' = '.join(ls)} = _nan"]
        for name, loc in zip(ls, node.locals):
            lines.append(f"    {gs[loc.dep]} = {gs[loc.dep]} + {gs[node.name]}*{name}")
        out += ls
        k += len(ls)
    lines.append(f"    return ({''.join(x + ', ' for x in out)}), ({''.join(gs[n] + ', ' for n in names)})")
    return "\n".join(lines) + "\n"


def _float_text(printer: _Printer, expr: sympy.Expr) -> str:
    text = _print(printer, expr)
    return text if expr.free_symbols else f"_float({text})"


def namespace(source: str) -> dict:
    """Compile generated source; its functions see only :data:`FUNCTIONS` (no builtins)."""
    try:
        code = compile(source, "<backprop network>", "exec")
    except (RecursionError, MemoryError, SyntaxError) as exc:
        raise CompileError(f"the network is too large to compile ({type(exc).__name__})") from None
    namespace: dict = {"__builtins__": {}, **FUNCTIONS}
    exec(code, namespace)  # noqa: S102 - generated above from the checked graph, see the module docstring
    return namespace
