"""The computation graph: nodes in topological order, each with its local derivatives.

Every local derivative is derived once, here, by SymPy (∂ŷ/∂z2 = ŷ·(1−ŷ), ∂z2/∂w3 = h1).
The engine only multiplies and adds them; the views only show them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from types import MappingProxyType
from typing import TYPE_CHECKING

from backprop_cli.differentiate import derivative
from backprop_cli.errors import ExpressionError, FileFormatError

if TYPE_CHECKING:  # imported where a graph is built: LOSS and these types are read without SymPy
    import sympy

LOSS = "loss"
#: What a name in a network file looks like (model.py checks it; the cache checks what it reads back).
NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,40}$")
LEAF_KINDS = ("inputs", "targets", "constants", "parameters")


@dataclass(frozen=True)
class Local:
    """∂node/∂dep, in SymPy: ``expr`` over leaves and nodes, ``shown`` as a learner writes it."""

    node: str
    dep: str
    expr: sympy.Expr
    shown: sympy.Expr


@dataclass(frozen=True)
class Node:
    name: str
    text: str
    expr: sympy.Expr
    deps: tuple[str, ...]
    locals: tuple[Local, ...]
    reading: tuple[str, ...] = ()  # the formula as written in the file (``notation.written``)


@dataclass(frozen=True)
class Network:
    """A checked network: leaf values (exact), the nodes in order, the loss last."""

    name: str
    description: str
    source: str
    inputs: Mapping[str, sympy.Rational]
    targets: Mapping[str, sympy.Rational]
    constants: Mapping[str, sympy.Rational]
    parameters: Mapping[str, sympy.Rational]
    nodes: tuple[Node, ...]  # topological order; the last one is the loss
    learning_rate: sympy.Rational | None

    @property
    def loss(self) -> Node:
        return self.nodes[-1]

    @property
    def hidden(self) -> tuple[Node, ...]:
        """The nodes a learner computes, without the loss."""
        return self.nodes[:-1]

    def leaves(self) -> dict[str, sympy.Rational]:
        return {**self.inputs, **self.targets, **self.constants, **self.parameters}

    def kind_of(self, name: str) -> str:
        for kind in LEAF_KINDS:
            if name in getattr(self, kind):
                return kind
        return "nodes"

    def node(self, name: str) -> Node:
        for n in self.nodes:
            if n.name == name:
                return n
        raise KeyError(name)

    def with_values(self, overrides: Mapping[str, sympy.Rational]) -> Network:
        """The same graph with some leaf values replaced (``--set w1=3``)."""
        parts = {kind: dict(getattr(self, kind)) for kind in LEAF_KINDS}
        for name, value in overrides.items():
            parts[self.kind_of(name)][name] = value
        return replace(self, inputs=MappingProxyType(parts["inputs"]), targets=MappingProxyType(parts["targets"]),
                       constants=MappingProxyType(parts["constants"]),
                       parameters=MappingProxyType(parts["parameters"]))


#: A plain decimal number ("0.25", "-3", "1e-05"): read without the formula parser (a layered
#: network has thousands), to the same exact Rational the parser gives.
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d{1,20}(?:\.\d{0,20})?|\.\d{1,20})(?:[eE][+-]?\d{1,2})?")


def _value(text: str, source: str, lines, loc) -> sympy.Rational:
    import sympy

    from backprop_cli.expressions import parse_number

    if PLAIN_NUMBER.fullmatch(text):
        exact = Fraction(text)
        return sympy.Rational(exact.numerator, exact.denominator)
    try:
        value = parse_number(text)
    except ExpressionError as exc:
        raise FileFormatError(source, f"not a number: {exc.message}", lines.line(loc), ".".join(map(str, loc))) from None
    if not value.is_number or not value.is_real:
        raise FileFormatError(source, "not a number", lines.line(loc), ".".join(map(str, loc)))
    return value


def compile_network(spec, lines, source: str) -> Network:
    """Turn a validated :class:`NetworkFile` into a graph with derived local derivatives."""
    from backprop_cli.expressions import parse, symbol

    leaves: dict[str, dict[str, sympy.Expr]] = {}
    for kind in LEAF_KINDS:
        leaves[kind] = {name: _value(text, source, lines, (kind, name)) for name, text in getattr(spec, kind).items()}
    known: dict[str, sympy.Symbol] = {name: symbol(name) for kind in LEAF_KINDS for name in leaves[kind]}
    nodes: list[Node] = []
    formulas: list[tuple[str, str, tuple[str, ...]]] = [(name, text, ("nodes", name)) for name, text in spec.nodes.items()]
    formulas.append((LOSS, spec.loss, ("loss",)))
    later = set(spec.nodes)
    failed: list[FileFormatError] = []  # every formula is read: one typo does not hide the next
    for name, text, loc in formulas:
        field = ".".join(loc)
        try:
            parsed = parse(text, known, max_length=10_000, strict=True)
        except ExpressionError as exc:
            failed += [FileFormatError(source, _before_defined(e.message, later), lines.line(loc), field)
                       for e in getattr(exc, "errors", [exc])]
            later.discard(name)
            known[name] = symbol(name)  # later nodes may use it: their own problems only
            continue
        deps = tuple(n for n in known if n in parsed.names)
        nodes.append(replace(_node(name, text, parsed.expr, deps, known), reading=parsed.reading))
        later.discard(name)
        known[name] = symbol(name)
    if failed:
        from backprop_cli.yamlfile import FileProblems

        raise FileProblems(failed)
    used = set().union(*(n.deps for n in nodes))
    for name in leaves["parameters"]:
        if name not in used:
            raise FileFormatError(source, f"parameter '{name}' is not used by any node or the loss",
                                  lines.line(("parameters", name)), f"parameters.{name}")
    if not _reaches_loss(nodes, leaves["parameters"]):
        raise FileFormatError(source, "the loss does not depend on any parameter", lines.line(("loss",)), "loss")
    lr = _value(spec.learning_rate, source, lines, ("learning_rate",)) if spec.learning_rate is not None else None
    if lr is not None and not lr.is_positive:
        raise FileFormatError(source, f"must be a positive number, not {spec.learning_rate}",
                              lines.line(("learning_rate",)), "learning_rate")
    return Network(
        name=spec.name,
        description=spec.description,
        source=source,
        **{kind: MappingProxyType(leaves[kind]) for kind in LEAF_KINDS},
        nodes=tuple(nodes),
        learning_rate=lr,
    )


def _before_defined(message: str, later: set[str]) -> str:
    """'unknown name h2' for a node defined further down says what is really wrong."""
    bad = message.split("'")[1] if message.startswith(("unknown name '", "unknown function '")) else None
    if bad in later:
        return f"'{bad}' is used before it is defined (nodes are computed in the order written)"
    return message


def _reaches_loss(nodes: list[Node], parameters) -> bool:
    reach = {LOSS}
    for node in reversed(nodes):
        if node.name in reach:
            reach.update(node.deps)
    return any(p in reach for p in parameters)


def _node(name: str, text: str, expr: sympy.Expr, deps: tuple[str, ...], known) -> Node:
    import sympy

    from backprop_cli.expressions import symbol

    own = symbol(name)
    # A sum's terms grouped by the names they contain, once: a neuron's weighted sum has a term
    # per input, and looking through every term for every input made loading a 2-32-32-1
    # network take seconds. (SymPy differentiates a sum term by term and drops the zeros.)
    terms: dict[sympy.Symbol, list[sympy.Expr]] | None = None
    if expr.is_Add:
        terms = {}
        for term in expr.args:
            for s in term.free_symbols:
                terms.setdefault(s, []).append(term)
    local = []
    for dep in deps:
        var = known[dep]
        d = sympy.Add(*(derivative(t, var) for t in terms.get(var, ()))) if terms is not None \
            else derivative(expr, var)
        # Write the derivative in terms of the node's own value where it appears:
        # d σ(z)/dz = σ(z)(1−σ(z)) becomes ŷ(1−ŷ), as the source writes it.
        if d.is_Atom or expr.is_Symbol or name == LOSS:
            shown = d
        elif expr.is_Function:
            shown = d.xreplace({expr: own})  # the same as subs here, without its pattern matching
        else:
            shown = d.subs(expr, own)
        local.append(Local(node=name, dep=dep, expr=d, shown=shown))
    return Node(name=name, text=text, expr=expr, deps=deps, locals=tuple(local))
