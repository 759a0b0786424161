"""The computation graph as plain data: nodes with value and ∂L/∂node, edges with local derivatives.

Everything comes from one :meth:`Engine.step_detail`, so the graph view, the DOT file and
``backprop step`` show the same numbers and the same chains.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from backprop_cli.network.engine import Engine
from backprop_cli.network.graph import LOSS, Network
from backprop_cli.network.results import Chain

#: Leaf kinds as a learner reads them (the network file's sections are plural).
KIND_NAMES = {"inputs": "input", "targets": "target", "constants": "constant", "parameters": "parameter"}


@dataclass(frozen=True)
class GraphNode:
    name: str
    kind: str  # input, target, constant, parameter, node, loss
    formula: sympy.Expr | None  # None for leaves
    value: float
    adjoint: float  # ∂L/∂name
    layer: int  # 0 for leaves; 1 + the deepest dependency for nodes


@dataclass(frozen=True)
class GraphEdge:
    """Data flows ``source`` → ``target``; the local derivative is ∂target/∂source."""

    source: str
    target: str
    local: sympy.Expr
    value: float


@dataclass(frozen=True)
class GraphView:
    network: str
    description: str
    nodes: tuple[GraphNode, ...]  # leaves first (file order), then nodes in topological order
    edges: tuple[GraphEdge, ...]
    chains: tuple[Chain, ...]  # one per parameter: the paths whose products make its gradient

    def node(self, name: str) -> GraphNode:
        for n in self.nodes:
            if n.name == name:
                return n
        raise KeyError(name)

    def inputs_of(self, name: str) -> tuple[GraphEdge, ...]:
        return tuple(e for e in self.edges if e.target == name)


def build_graph(network: Network) -> GraphView:
    """One forward and backward pass at the network's current values, laid out as a graph."""
    lr = network.learning_rate if network.learning_rate is not None else 0.01
    detail = Engine(network).step_detail(lr)
    values, adjoints = detail.before.values, detail.adjoints
    layer: dict[str, int] = {}
    nodes: list[GraphNode] = []
    for name in network.leaves():
        layer[name] = 0
        nodes.append(GraphNode(name, KIND_NAMES[network.kind_of(name)], None, float(values[name]),
                               float(adjoints[name]), 0))
    edges: list[GraphEdge] = []
    for node in network.nodes:
        layer[node.name] = 1 + max((layer[d] for d in node.deps), default=0)
        kind = "loss" if node.name == LOSS else "node"
        nodes.append(GraphNode(node.name, kind, node.expr, float(values[node.name]), float(adjoints[node.name]),
                               layer[node.name]))
        for local in node.locals:
            edges.append(GraphEdge(local.dep, node.name, local.shown, float(detail.locals[(node.name, local.dep)])))
    return GraphView(network.name, network.description, tuple(nodes), tuple(edges), detail.chains)
