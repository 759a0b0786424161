"""Rich views of one training step, in the source's order: forward, loss, backward, update, again."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from backprop_cli import notation as nt
from backprop_cli.network.graph import LOSS, Network, Node
from backprop_cli.network.plain import PlainNetwork, PlainNode
from backprop_cli.network.results import Chain, Pass, StepDetail

MAX_HISTORY_ROWS = 20
MAX_FORWARD_ROWS = 40


def forward_table(network: Network | PlainNetwork, p: Pass, digits: int, title: str = "Forward pass") -> Table:
    table = Table(title=title, title_style="title", box=box.SIMPLE_HEAVY, title_justify="left")
    table.add_column("node", style="param", no_wrap=True)
    table.add_column("formula", style="formula", overflow="fold")
    table.add_column("with numbers", overflow="fold")
    table.add_column("value", style="value", justify="right", overflow="fold")
    nodes: list[Node | PlainNode | None] = list(network.nodes)
    hidden = len(nodes) - MAX_FORWARD_ROWS
    if hidden > 0:  # a long chain: its ends (a terminal cannot show thousands of rows usefully)
        half = MAX_FORWARD_ROWS // 2
        nodes = [*nodes[:half], None, *nodes[-half:]]
    for node in nodes:
        if node is None:
            table.add_row("⋮", f"({hidden:,} more nodes; --json has every value)", "", "⋮")
            continue
        values = {d: p.values[d] for d in node.deps}
        table.add_row(
            nt.name(node.name),
            nt.written(node.reading),  # in the order the network file writes it: w3·h1, not h1·w3
            nt.written(node.reading, values, digits),
            nt.number(p.values[node.name], digits),
        )
    return table


def chain_text(chain: Chain, digits: int) -> Text:
    """∂L/∂w1 = ∂L/∂ŷ · ∂ŷ/∂h · ∂h/∂w1 = (ŷ − y)·w2·x = (−18)·0.5·2 = −18"""
    out = Text()
    head = nt.partial(LOSS, chain.parameter)
    for i, path in enumerate(chain.paths):
        if i:
            out.append("\n")
        symbols = " · ".join(nt.partial(f.node, f.dep) for f in path.factors)
        forms = " · ".join(_wrap(f.formula if isinstance(f.formula, str) else nt.formula(f.formula))
                           for f in path.factors)
        nums = " · ".join(_wrap(nt.number(f.value, digits)) for f in path.factors)
        lead = head if i == 0 else " " * len(head)
        sign = "=" if len(chain.paths) == 1 else ("=" if i == 0 else "+")
        out.append(f"{lead} {sign} ", style="grad")
        out.append(symbols)
        out.append("\n" + " " * (len(head) + 1))
        out.append("= ")
        out.append(forms, style="formula")
        out.append("\n" + " " * (len(head) + 1))
        out.append(f"= {nums} = ")
        out.append(nt.number(path.value, digits), style="value")
    if not chain.complete:
        out.append(f"\n{' ' * (len(head) + 1)}(+ more paths, not shown)", style="muted")
    if len(chain.paths) != 1:
        out.append(f"\n{head} = ", style="grad")
        out.append(nt.number(chain.value, digits), style="value")
        if len(chain.paths) > 1:
            out.append("  (paths add up)", style="muted")
    return out


def _wrap(text: str) -> str:
    return f"({text})" if (" " in text or text.startswith("−")) else text


def backward_view(detail: StepDetail, digits: int) -> RenderableType:
    parts: list[RenderableType] = [Text("Backward pass (chain rule)", style="title")]
    for chain in detail.chains:
        parts.append(_hanging(chain_text(chain, digits), len(nt.partial(LOSS, chain.parameter)) + 3))
        parts.append(Text(""))
    return Group(*parts)


def _hanging(text: Text, indent: int) -> Table:
    """The lines of ``text`` with what follows their first ``indent`` characters ("∂L/∂w1 = ") kept to
    the right of them: a narrow terminal folds a long product under its own '=', not at column 0."""
    grid = Table.grid()
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for line in text.split("\n"):
        grid.add_row(line[:indent], line[indent:])
    return grid


def update_table(detail: StepDetail, lr: float, digits: int) -> Table:
    table = Table(title=f"Update  w ← w − α·∂L/∂w   (α = {nt.number(lr, digits)})", title_style="title",
                  box=box.SIMPLE_HEAVY, title_justify="left")
    table.add_column("parameter", style="param", overflow="fold")
    table.add_column("old", justify="right", overflow="fold")
    table.add_column("∂L/∂w", justify="right", style="grad", overflow="fold")
    table.add_column("−α·∂L/∂w", justify="right", overflow="fold")
    table.add_column("new", justify="right", style="value", overflow="fold")
    for u in detail.updates:
        table.add_row(nt.name(u.parameter), nt.number(u.old, digits), nt.number(u.gradient, digits),
                      nt.number(u.delta, digits), nt.number(u.new, digits))
    return table


def check_table(detail: StepDetail, checks, digits: int) -> Table:
    """``checks`` (from ``analysis.nudge.gradient_check``): each gradient beside its central finite
    difference. A table of its own: beside the update's five columns, seven folded the numbers in
    two at 80 columns (−0.013551 over a 7), where they read as two numbers."""
    table = Table(title="Gradient check  (central finite differences)", title_style="title",
                  box=box.SIMPLE_HEAVY, title_justify="left")
    table.add_column("parameter", style="param", overflow="fold")
    table.add_column("∂L/∂w", justify="right", style="grad", overflow="fold")
    table.add_column("finite diff.", justify="right", overflow="fold")
    table.add_column("rel. error", justify="right", overflow="fold")
    by_name = {c.parameter: c for c in checks}
    for u in detail.updates:
        c = by_name[u.parameter]
        table.add_row(nt.name(u.parameter), nt.number(u.gradient, digits), nt.number(c.numeric, digits),
                      Text(nt.number(c.relative_error, 2), style=_check_style(c)))
    return table


def _check_style(check) -> str:
    from backprop_cli.analysis.nudge import TOLERANCE

    return "good" if check.relative_error <= TOLERANCE else "bad"


def loss_line(label: str, loss, digits: int, before=None) -> Text:
    out = Text(f"{label}: ", style="heading")
    out.append(nt.number(loss, digits), style="value")
    if before is not None:
        change = loss - before
        out.append(f"   (change {'+' if change >= 0 else ''}{nt.number(change, digits)}", style="muted")
        if before:
            out.append(f", {nt.number(100 * change / before, 3)}%", style="muted")
        out.append(")", style="muted")
    return out


def history_table(run, digits: int) -> Table:
    """One row per step: the loss before the step and the weights after it, labelled so.

    ``run.history`` holds the rows to show (a long run keeps only its first and last steps);
    a gap between two steps is shown as ⋮.
    """
    params = list(run.parameters)
    table = Table(title=f"{run.steps} steps",
                  title_style="title", box=box.SIMPLE_HEAVY, title_justify="left")
    table.add_column("step", justify="right", style="muted")
    table.add_column("loss before step", justify="right", style="value", overflow="fold")
    for p in params:
        table.add_column(f"{nt.name(p)} after", justify="right", style="param", overflow="fold")
    rows = list(run.history)
    if len(rows) > MAX_HISTORY_ROWS:
        half = MAX_HISTORY_ROWS // 2
        rows = rows[:half] + rows[-half:]
    previous = 0
    for h in rows:
        if h.step != previous + 1:
            table.add_row("⋮", "⋮", *("⋮" for _ in params))
        previous = h.step
        table.add_row(str(h.step), nt.number(h.loss, digits), *(nt.number(h.parameters[p], digits) for p in params))
    return table


def run_view(network: Network | PlainNetwork, run, digits: int, checks=None) -> RenderableType:
    """``run``: a :class:`calculator.StepRun` (or an engine ``Run``): its first step in detail, then the rest."""
    d = run.detail
    parts: list[RenderableType] = [
        Text(f"{network.name}: {network.description}", style="muted"),
        forward_table(network, d.before, digits),
        loss_line("Loss", d.before.loss, digits),
        Text(""),
        backward_view(d, digits),
        update_table(d, run.lr, digits),
        *([check_table(d, checks, digits)] if checks else []),
        forward_table(network, d.after, digits, title="Forward pass after the update"),
        loss_line("New loss", d.after.loss, digits, before=d.before.loss),
    ]
    if run.steps > 1:
        parts += [
            Text(""),
            history_table(run, digits),
            loss_line(f"Loss after {run.steps} steps", run.loss_after, digits, before=d.before.loss),
            Text("Parameters: " + ", ".join(f"{nt.name(p)} = {nt.number(v, digits)}" for p, v in run.parameters.items()),
                 style="param"),
        ]
    return Group(*parts)
