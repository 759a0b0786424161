"""One generated Python function per network: forward, backward and update over the topological order.

The local derivatives come from the graph (derived once by SymPy); here they are printed once, by
the restricted printer of :mod:`.float_printer`, into the source of a small module, which is
compiled once (:func:`runtime.namespace`).
A thousand steps then run inside one Python function whose parameters are local variables: no
dictionaries, no per-node calls. Common subexpressions of a node's formula and its local
derivatives are computed once (``sympy.cse``).

Why compiling it is safe: no text from the network file reaches the source. Every name is replaced
by a generated identifier (``v0``, ``g3``…), looked up in the checked graph; numbers are printed from
SymPy numbers; the only callables are the fixed functions of :data:`runtime.FUNCTIONS`; any other symbol or
function makes the printer refuse (:class:`CompileError`). The generated functions see only those
functions (``__builtins__`` is empty).

Plain floats, not NumPy: a network file is a graph of scalar formulas, not layers of matrices, and
measured on the 2-W-W-1 benchmark networks the straight-line float code is within the issue's
budget of a hand-written NumPy loop (``scripts/bench.py``); NumPy stays a benchmark-only extra.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import sympy

from backprop_cli.errors import FileFormatError
from backprop_cli.expressions import symbol
from backprop_cli.network.float_printer import Printer, float_text, printed
from backprop_cli.network.graph import LOSS, Network
from backprop_cli.network.runtime import DIVERGED, DONE, RAISED, REACHED, Compiled, CompileError, namespace

#: Terms per statement in a long sum: Python's compiler recurses on ``a + b + c + …``.
CHUNK = 64  # pragma: no mutate - only where long sums are split into statements: the chunks add left to right as one statement would, so any size gives the same floats (checked bit for bit at sizes 1, 3, 64, 65 and unsplit); 64 keeps Python's compiler from recursing deeply


#: networks compiled in this process, by their structure (see :func:`compile_engine`)
_COMPILED: OrderedDict[tuple, Compiled] = OrderedDict()
COMPILED_MEMO_SIZE = 16  # pragma: no mutate - only how many structures are remembered: a remembered network is compiled from the same source, so the size changes memory and speed, never a result


def compile_engine(network: Network) -> Compiled:
    """Generate and compile ``forward`` and ``descend`` for ``network`` (a file error if it cannot be).

    The source depends on the graph alone (its names, formulas and local derivatives), never on the
    leaf values, which the functions take as arguments: a network with new values (a lesson's fresh
    numbers, ``--set``, a surface's engine) reuses the functions compiled for the same graph."""
    key = (network.source, tuple(network.leaves()), tuple(network.parameters), network.nodes)
    found = _COMPILED.get(key)
    if found is not None:
        _COMPILED.move_to_end(key)
        return found
    try:
        compiled = _compile_engine(network)
    except CompileError as exc:
        raise FileFormatError(network.source, str(exc)) from None
    _COMPILED[key] = compiled
    if len(_COMPILED) > COMPILED_MEMO_SIZE:
        _COMPILED.popitem(last=False)
    return compiled


def _compile_engine(network: Network) -> Compiled:
    leaves = tuple(network.leaves())
    nodes = tuple(n.name for n in network.nodes)
    params = tuple(network.parameters)
    index = {name: i for i, name in enumerate(leaves + nodes)}
    v = {name: f"v{i}" for name, i in index.items()}
    printer = Printer(v)
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


def _expr_lines(target: str, expr: sympy.Expr, printer: Printer) -> list[str]:
    """``target = expr``; a long sum is split so that Python's compiler does not recurse deeply."""
    if expr.is_Add:  # noqa: SIM102 - the length test stays on a line of its own (its mutation pragma)
        if len(expr.args) > CHUNK:  # pragma: no mutate - a sum split or whole gives the same floats (see CHUNK): only where the split starts
            return _sum_lines(target, [f"({printed(printer, t)})" for t in expr.args])
    text = printed(printer, expr)
    return [f"{target} = {text}" if expr.free_symbols else f"{target} = _float({text})"]


def _forward_lines(node, printer: Printer, v: dict[str, str]) -> tuple[list[str], list[str], str]:
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


def _backward_lines(network: Network, printer: Printer, v: dict[str, str]) -> tuple[list[str], dict[str, str]]:
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
                lines.append(f"{sym.name} = {printed(printer, value)}")
            replacements = {e: f"({printed(printer, r)})" for e, r in zip(compound, reduced)}
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
    """``text`` as a factor of a product: a term in parentheses (lr·(g·x) is not (lr·g)·x in floats)."""
    if text.isidentifier():
        return text
    return text if text == "0.0" else f"({text})"


def _term(upstream: str, local: sympy.Expr, printer: Printer, replacements: dict) -> str:
    """``upstream · local`` without multiplying by 1."""
    if local in replacements:
        text = replacements[local]
    elif local.is_Atom:
        text = printed(printer, local)
    else:
        text = f"({printed(printer, local)})"
    if upstream == "1.0":
        return text
    if local == 1:
        return upstream
    if local == -1:
        return f"(-{upstream})"
    return f"{upstream}*{text}"


def explain_source(network: Network, names: Sequence[str]) -> str:
    """``explain(values)``: every local derivative and every adjoint, a node's locals NaN if they raise."""
    v = {name: f"v{i}" for i, name in enumerate(names)}
    printer = Printer(v)
    gs = {name: f"g{i}" for i, name in enumerate(names)}
    lines = ["def explain(values):", f"    {_unpack(v, names)} = values"]
    lines += [f"    {gs[n]} = 0.0" for n in names]
    lines.append(f"    {gs[LOSS]} = 1.0")
    out: list[str] = []
    for node in reversed(network.nodes):
        if not node.locals:
            continue
        ls = [f"l{len(out) + j}" for j in range(len(node.locals))]  # numbered on from the last one
        lines.append("    try:")
        lines += [f"        {name} = {float_text(printer, loc.shown)}" for name, loc in zip(ls, node.locals)]
        lines += ["    except _ERRORS:", f"        {' = '.join(ls)} = _nan"]
        for name, loc in zip(ls, node.locals):
            lines.append(f"    {gs[loc.dep]} = {gs[loc.dep]} + {gs[node.name]}*{name}")
        out += ls
    lines.append(f"    return ({''.join(x + ', ' for x in out)}), ({''.join(gs[n] + ', ' for n in names)})")
    return "\n".join(lines) + "\n"
