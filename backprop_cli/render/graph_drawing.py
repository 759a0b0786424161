"""The computation graph: a Rich tree from the loss down, and Graphviz DOT.

Every node shows its formula, value and ∂L/∂node; every edge its local derivative (symbolic and
value); below the tree, the paths whose products make each parameter's gradient.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text
from rich.tree import Tree

from backprop_cli import notation as nt
from backprop_cli.analysis.graph_layout import GraphEdge, GraphNode, GraphView
from backprop_cli.network.graph import LOSS
from backprop_cli.render.training_step import chain_text


def node_text(node: GraphNode, digits: int) -> Text:
    """``ŷ = h·w2 = 2   ∂L/∂ŷ = −18`` (leaves: ``w1 (parameter) = 2   ∂L/∂w1 = −18``)."""
    out = Text()
    out.append(nt.name(node.name), style="param" if node.kind == "parameter" else "heading")
    if node.formula is not None:
        out.append(" = ")
        out.append(nt.formula(node.formula), style="formula")
    else:
        out.append(f" ({node.kind})", style="muted")
    out.append(" = ")
    out.append(nt.number(node.value, digits), style="value")
    out.append("   ")
    out.append(f"{nt.partial(LOSS, node.name)} = ", style="grad")
    out.append(nt.number(node.adjoint, digits), style="grad")
    return out


def edge_text(edge: GraphEdge, digits: int) -> Text:
    """``edge ∂ŷ/∂h = w2 = 0.5``: the local derivative along one edge."""
    out = Text("edge ", style="muted")
    out.append(nt.partial(edge.target, edge.source), style="accent")
    out.append(" = ")
    out.append(nt.formula(edge.local), style="formula")
    out.append(" = ")
    out.append(nt.number(edge.value, digits), style="value")
    return out


def graph_tree(view: GraphView, digits: int = 6) -> Tree:
    """The loss at the root; under each node, the names it is computed from (each edge labelled).

    A node that feeds several others is drawn in full once; later it says "(shown above)".
    """
    shown: set[str] = set()
    root = Tree(node_text(view.node(LOSS), digits), guide_style="muted")
    shown.add(LOSS)

    def add(branch: Tree, name: str) -> None:
        for edge in view.inputs_of(name):
            child = view.node(edge.source)
            label = Text.assemble(node_text(child, digits), "\n", edge_text(edge, digits))
            if child.formula is not None and child.name in shown:
                label.append("  (shown above)", style="muted")
                branch.add(label)
                continue
            sub = branch.add(label)
            if child.formula is not None:
                shown.add(child.name)
                add(sub, child.name)

    add(root, LOSS)
    return root


def graph_view(view: GraphView, digits: int = 6) -> RenderableType:
    parts: list[RenderableType] = [
        Text(f"{view.network}: {view.description}", style="muted"),
        Text("Computation graph (from the loss down to the leaves)", style="title"),
        Text("each node: formula = value, and ∂L/∂node; each edge: its local derivative", style="muted"),
        graph_tree(view, digits),
        Text(""),
        Text("Gradients: multiply the edges along each path from the loss, add the paths", style="title"),
    ]
    for i, chain in enumerate(view.chains):
        if i:
            parts.append(Text(""))
        parts.append(chain_text(chain, digits))
    return Group(*parts)


# -- Graphviz DOT ---------------------------------------------------------------------------------


def _quote(text: str) -> str:
    """A DOT string literal: backslashes and quotes escaped, newlines as \\n."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n")
    return f'"{escaped}"'


_SHAPES = {"input": "ellipse", "target": "ellipse", "constant": "ellipse", "parameter": "box",
           "node": "box", "loss": "doubleoctagon"}


def to_dot(view: GraphView, digits: int = 6) -> str:
    """The graph as Graphviz DOT: data flows upward from the leaves to the loss."""
    lines = [f"digraph {_quote(view.network)} {{", "  rankdir=BT;",
             '  node [fontname="Helvetica", shape=box];', '  edge [fontname="Helvetica", fontsize=10];']
    for node in view.nodes:
        head = nt.name(node.name)
        if node.formula is not None:
            head += f" = {nt.formula(node.formula)}"
        else:
            head += f" ({node.kind})"
        label = f"{head}\n= {nt.number(node.value, digits)}\n{nt.partial(LOSS, node.name)} = {nt.number(node.adjoint, digits)}"
        style = ', style="rounded,bold"' if node.kind == "parameter" else ""
        lines.append(f"  {_quote(node.name)} [label={_quote(label)}, shape={_SHAPES[node.kind]}{style}];")
    for edge in view.edges:
        label = f"{nt.partial(edge.target, edge.source)} = {nt.formula(edge.local)}\n= {nt.number(edge.value, digits)}"
        lines.append(f"  {_quote(edge.source)} -> {_quote(edge.target)} [label={_quote(label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
