"""Rich views of the picture commands: derive, nudge, train, surface (the graph is in render/graph_drawing.py)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from backprop_cli import notation as nt
from backprop_cli.analysis.calculus import Derivation, FunctionNudge
from backprop_cli.analysis.derivation import DerivationStep
from backprop_cli.analysis.nudge import NetworkNudge
from backprop_cli.analysis.surface import Surface
from backprop_cli.analysis.tangent import Tangent
from backprop_cli.analysis.training import Curve, Training
from backprop_cli.render.plot import PALETTE, HeatMap, LinePlot, Marker, Overlay, Series

# -- derive ---------------------------------------------------------------------------------------


def _d(var: str, partial: bool) -> str:
    v = nt.name(var)
    return f"∂/∂{v}" if partial else f"d/d{v}"


def _bracketed(expr) -> str:
    text = nt.formula(expr)
    return f"({text})" if (expr.is_Add or text.startswith("−")) else text


def step_text(step: DerivationStep, partial: bool = False) -> Text:
    """``power rule  d/dx x³ = 3·x²`` and, on the next line, the one-line explanation.

    ``partial``: write ∂/∂x for the function's variable (the chain rule's inner u keeps d/du).
    """
    out = Text()
    out.append("SymPy" if step.rule == "other" else f"{step.rule} rule", style="accent")
    out.append("  ")
    out.append(f"{_d(step.var, partial)} {_bracketed(step.before)} = ", style="formula")
    if step.applied:
        out.append(f"{step.applied} = ", style="formula")
    out.append(nt.formula(step.after), style="value")
    out.append("\n")
    out.append(step.explanation, style="muted")
    return out


def derivation_tree(steps: Sequence[DerivationStep], partial: bool = False, title: str | None = None) -> Tree:
    """The steps as a tree: each rule, with the rules for its pieces under it (lessons reuse this)."""
    root = Tree(Text(title or "step by step", style="title"), guide_style="muted")
    stack: list[Tree] = [root]
    var = steps[0].var if steps else ""
    for step in steps:
        del stack[step.depth + 1:]
        stack.append(stack[-1].add(step_text(step, partial and step.var == var)))
    return root


def _f(var_names: Sequence[str], point) -> str:
    """``f(3, 4)`` for a point, ``f(x, y)`` for the names."""
    if point is None:
        return f"f({', '.join(nt.name(v) for v in var_names)})"
    return f"f({', '.join(nt.number(point[v]) for v in var_names)})"


def derive_view(result: Derivation, tangent: Tangent | None = None, digits: int = 6) -> RenderableType:
    variables = result.variables
    several = len(variables) > 1
    parts: list[RenderableType] = [
        Text.assemble((f"{_f(variables, None)} = ", "heading"), (nt.formula(result.expr), "formula")),
        *(Text(note, style="muted") for note in result.notes),
        Text(""),
    ]
    for p in result.partials:
        name = nt.partial("f", p.var) if several else f"f′({nt.name(p.var)})"
        title = f"{nt.partial('f', p.var)}: treat the other variables as constants" if several else \
            f"d/d{nt.name(p.var)} step by step"
        parts.append(derivation_tree(p.steps, several, title))
        line = Text.assemble((f"{name} = ", "heading"), (nt.formula(p.derivative), "formula"))
        if nt.formula(p.simplified) != nt.formula(p.derivative):
            line.append(f"  (simplified: {nt.formula(p.simplified)})", style="muted")
        parts.append(line)
        parts.append(Text(""))
    if several and len(result.partials) == len(variables):
        gradient = ", ".join(nt.formula(p.derivative) for p in result.partials)
        parts.append(Text.assemble(("∇f = ", "heading"), (f"({gradient})", "formula")))
    if result.point is not None:
        parts.append(_at_point(result, digits))
    if tangent is not None:
        parts.append(tangent_plot(tangent))
    if result.nudge is not None:
        parts.append(Text(""))
        parts.append(function_nudge_view(result, result.nudge, digits))
    return Group(*parts)


def _at_point(result: Derivation, digits: int) -> RenderableType:
    point = result.point
    assert point is not None  # drawn only for a derivation at a point
    variables = result.variables
    several = len(variables) > 1
    where = ", ".join(f"{nt.name(v)} = {nt.number(point[v], digits)}" for v in variables)
    out = Text(f"At {where}:", style="title")
    out.append("\n")
    out.append(f"{_f(variables, point)} = {nt.substituted(result.expr, point, digits)} = ")
    out.append(nt.number(result.value, digits), style="value")
    for p in result.partials:
        name = nt.partial("f", p.var) if several else f"f′({nt.number(point[p.var], digits)})"
        out.append(f"\n{name} = {nt.substituted(p.derivative, point, digits)} = ")
        out.append(nt.number(p.value, digits), style="grad")
    if several and len(result.partials) == len(variables):
        out.append(f"\n∇{_f(variables, point)} = ")
        out.append(f"({', '.join(nt.number(p.value, digits) for p in result.partials)})", style="grad")
    if not several:
        out.append(f"\nthe slope of the tangent line at {nt.name(variables[0])} = {nt.number(point[variables[0]], digits)}",
                   style="muted")
    return out


def tangent_plot(t: Tangent) -> RenderableType:
    v = nt.name(t.var)
    curve = Series(f"f({v})", t.xs, t.ys, "cyan", "f")
    line = Series(f"tangent: slope {nt.number(t.slope, 4)}", t.xs, t.tangent_ys, "yellow", "t")
    legend = Text.assemble(("f", "bold cyan"), f" = f({v})   ", ("t", "bold yellow"),
                           f" = tangent line (slope {nt.number(t.slope, 4)})   ", ("●", "bold"),
                           f" = ({nt.number(t.x0, 4)}, {nt.number(t.y0, 4)})", style="muted")
    return Group(Text(""), LinePlot([curve, line], height=12, x_label=v, markers=[Marker(t.x0, t.y0, "●")]), legend)


def function_nudge_view(result: Derivation, n: FunctionNudge, digits: int = 6) -> RenderableType:
    variables = result.variables
    point = result.point
    assert point is not None  # a nudge moves a point
    several = len(variables) > 1 or len(n.terms) > 1
    moves = ", ".join(f"{nt.name(t.var)}: {nt.number(point[t.var], digits)} → "
                      f"{nt.number(n.moved[t.var], digits)}" for t in n.terms)
    out = Text(f"Nudge {moves}", style="title")
    if several:
        symbolic = " + ".join(f"{nt.partial('f', t.var)}·Δ{nt.name(t.var)}" for t in n.terms)
    else:
        t = n.terms[0]
        symbolic = f"f′({nt.number(point[t.var], digits)})·Δ{nt.name(t.var)}"
    numbers = " + ".join(f"{_paren(t.slope, digits)}·{_paren(t.delta, digits)}" for t in n.terms)
    out.append("\npredicted  Δf ≈ ", style="heading")
    out.append(f"{symbolic} = {numbers} = ")
    if len(n.terms) > 1:
        out.append(" + ".join(_paren(t.product, digits) for t in n.terms) + " = ")
    out.append(nt.number(n.predicted, digits), style="grad")
    out.append("\nactual     Δf = ", style="heading")
    out.append(f"{_f(variables, n.moved)} − {_f(variables, result.point)} = "
               f"{nt.number(n.after, digits)} − {_paren(n.before, digits)} = ")
    out.append(nt.number(n.actual, digits), style="value")
    out.append("\n")
    out.append_text(_error_line(n.predicted, n.actual, n.relative_error, digits))
    return out


def _paren(value, digits: int) -> str:
    text = nt.number(value, digits)
    return f"({text})" if text.startswith("−") else text


def _error_line(predicted, actual, relative: float | None, digits: int) -> Text:
    out = Text("difference ", style="heading")
    out.append(nt.number(actual - predicted, digits))
    if relative is not None:
        out.append(f"  (relative error {nt.number(100 * relative, 3)}%)", style="muted")
    out.append("\nthe derivative predicts the change to first order: a smaller nudge gives a closer match",
               style="muted")
    return out


# -- nudge (network) ------------------------------------------------------------------------------


def network_nudge_view(n: NetworkNudge, digits: int = 6) -> RenderableType:
    table = Table(title=f"Nudge {n.network}: predicted ΔL ≈ Σ ∂L/∂w·Δw", title_style="title",
                  box=box.SIMPLE_HEAVY, title_justify="left")
    table.add_column("name", style="param", no_wrap=True)
    # fold, never ellipsis: a narrow terminal showed −0.0131877 as "−0.…"
    table.add_column("old", justify="right", overflow="fold")
    table.add_column("Δ", justify="right", overflow="fold")
    table.add_column("new", justify="right", overflow="fold")
    table.add_column("∂L/∂w", justify="right", style="grad", overflow="fold")
    table.add_column("∂L/∂w·Δw", justify="right", style="value", overflow="fold")
    for t in n.terms:
        table.add_row(nt.name(t.name), nt.number(t.old, digits), _signed(t.delta, digits), nt.number(t.new, digits),
                      nt.number(t.gradient, digits), nt.number(t.product, digits))
    out = Text("predicted  ΔL ≈ ", style="heading")
    out.append(" + ".join(f"{_paren(t.gradient, digits)}·{_paren(t.delta, digits)}" for t in n.terms) + " = ")
    if len(n.terms) > 1:
        out.append(" + ".join(_paren(t.product, digits) for t in n.terms) + " = ")
    out.append(nt.number(n.predicted, digits), style="grad")
    out.append("\nactual     ΔL = ", style="heading")
    out.append(f"L(new) − L(old) = {nt.number(n.loss_after, digits)} − {_paren(n.loss_before, digits)} = ")
    out.append(nt.number(n.actual, digits), style="value")
    out.append("\n")
    out.append_text(_error_line(n.predicted, n.actual, n.relative_error, digits))
    verdict = "falls" if n.actual < 0 else "rises" if n.actual > 0 else "stays the same"
    out.append(f"\nthe loss {verdict}", style="good" if n.actual < 0 else "warn")
    return Group(table, out)


def _signed(value: float, digits: int) -> str:
    text = nt.number(value, digits)
    return text if text.startswith("−") else f"+{text}"


# -- train ----------------------------------------------------------------------------------------


def curve_status(c: Curve, until: float | None) -> Text:
    verdict = c.verdict
    if verdict == "overflow":
        grew = c.grew_at is not None and c.diverged_at is not None and c.grew_at < c.diverged_at
        grows = f"grows from step {c.grew_at}, " if grew else ""
        return Text(f"diverging: {grows}overflows at step {c.diverged_at}", style="bad")
    if verdict == "grows":  # finite: not a divergence (exit 1) yet, but headed that way
        return Text(f"rising: the loss grows (above its start from step {c.grew_at})", style="bad")
    if verdict == "reached":
        return Text(f"reached L ≤ {nt.number(until)} after {c.steps} steps", style="good")
    if verdict == "bouncing":
        return Text("bouncing: overshoots", style="warn")
    return Text({"converged": "converged (L ≈ 0)", "falling": "still falling",
                 "levelling": "levelling off"}[verdict], style="good")


#: A log plot shows at most this many decades below the top; a loss that falls further runs along the bottom.
LOG_DECADES = 10


def _scale(curves: Sequence[Curve]) -> tuple[bool, float | None, float]:
    """(log scale?, floor, ceiling): diverging curves leave through the top instead of setting it."""
    steady = [v for c in curves if not c.diverging for v in c.losses if math.isfinite(v)]
    starts = [c.losses[0] for c in curves if c.losses]
    top = max(steady + starts, default=1.0)
    values = [v for c in curves for v in c.losses if math.isfinite(v) and v > 0]
    log_y = bool(values) and top > 0 and top / min(values) > 100
    if log_y:
        ceiling = top * 10 if len(steady) < sum(len(c.losses) for c in curves) else top
        return True, 10.0 ** math.floor(math.log10(ceiling) - LOG_DECADES), ceiling  # a whole decade
    return False, None, top * 1.5 if len(steady) < sum(len(c.losses) for c in curves) else top


def loss_plot(training: Training, height: int = 14) -> LinePlot:
    log_y, floor, ceiling = _scale(training.curves)
    series = []
    for k, c in enumerate(training.curves):
        label = f"α = {nt.number(c.lr)}"
        series.append(Series(label, range(len(c.losses)), c.losses, PALETTE[k % len(PALETTE)],
                             chr(ord("a") + k) if len(training.curves) > 1 else ""))
    y_label = "loss"
    if log_y:
        y_label = "loss (log scale)"
        if floor is not None and any(v < floor for c in training.curves for v in c.losses):
            y_label = f"loss (log scale; below {nt.number(floor, 2)} drawn at the bottom)"
    if any(c.diverging for c in training.curves):
        y_label += "; diverging curves leave through the top"
    return LinePlot(series, height=height, log_y=log_y, x_label="step", y_label=y_label, y_floor=floor,
                    y_ceiling=ceiling)


def train_view(training: Training, digits: int = 6) -> RenderableType:
    curves = training.curves
    several = len(curves) > 1
    steps = max(c.steps for c in curves)
    start = ", ".join(f"{nt.name(p)} = {nt.number(v, digits)}" for p, v in training.initial.items())
    first = next((c.losses[0] for c in curves if c.losses), math.nan)
    parts: list[RenderableType] = [
        Text(f"Gradient descent on {training.network} from {start}, L = {nt.number(first, digits)} "
             f"({steps} steps at most)", style="title"),
        loss_plot(training),
    ]
    if several:
        legend = Text()
        for k, c in enumerate(curves):
            legend.append(f"{chr(ord('a') + k)}", style=f"bold {PALETTE[k % len(PALETTE)]}")
            legend.append(f" α = {nt.number(c.lr)}   ", style="muted")
        parts.append(legend)
    table = Table(box=box.SIMPLE_HEAVY, title="Results", title_style="title", title_justify="left")
    # fold, never ellipsis: in a narrow terminal "3.28487…" would hide a value's ×10¹¹³
    table.add_column("α", justify="right", style="param", no_wrap=True)
    table.add_column("steps", justify="right", overflow="fold")
    table.add_column("final loss", justify="right", style="value", overflow="fold")
    params = list(training.initial)
    for p in params:
        table.add_column(nt.name(p), justify="right", style="param", overflow="fold")
    table.add_column("result", overflow="fold")
    for c in curves:
        final = [nt.number(c.parameters[p], digits) for p in params]
        # An overflowed run has no final loss to show: say so rather than print NaN.
        loss = nt.number(c.final_loss, digits) if math.isfinite(c.final_loss) else "overflow"
        table.add_row(nt.number(c.lr), str(c.steps), loss, *final,
                      curve_status(c, training.until))
    parts.append(table)
    if not several:
        c = curves[0]
        parts.append(Text("Final parameters: " + ", ".join(f"{nt.name(p)} = {nt.number(c.parameters[p], digits)}"
                                                            for p in params), style="param"))
    # Diverging (exit 1, as `step`): the loss overflowed. Rising: finite, but above where it started.
    for word, group, what in (
        ("Diverging", [c for c in curves if c.diverged_at is not None], lambda c: f"overflows at step {c.diverged_at}"),
        ("Rising", [c for c in curves if c.diverged_at is None and c.grew_at is not None],
         lambda c: f"above its start from step {c.grew_at}"),
    ):
        if group:
            names = ", ".join(f"α = {nt.number(c.lr)} ({what(c)})" for c in group)
            parts.append(Text(f"{word}: {names}. A rate that is too large overshoots the minimum; "
                              "try a smaller one.", style="warn"))
    return Group(*parts)


# -- surface --------------------------------------------------------------------------------------


def surface_overlays(s: Surface) -> list[Overlay]:
    """Valley floor, descent path, start, end and the lowest cell, later ones drawn over earlier."""
    marks: dict[tuple[int, int], str] = {}
    for i, j in s.valley:
        marks[(i, j)] = "·"
    for x, y, _ in s.path:
        cell = s.cell(x, y)
        if cell:
            marks[cell] = "•"
    lowest = s.cell(s.lowest[0], s.lowest[1])
    if lowest:
        marks[lowest] = "M"
    if s.path:
        for (x, y, _), char in ((s.path[-1], "E"), (s.path[0], "S")):
            cell = s.cell(x, y)
            if cell:
                marks[cell] = char
    return [Overlay(i, j, c) for (i, j), c in marks.items()]


def surface_view(s: Surface, digits: int = 4) -> RenderableType:
    p, q = (nt.name(n) for n in s.params)
    title = Text(f"Loss of {s.network} over ({p}, {q})", style="title")
    if s.fixed:
        title.append("   " + ", ".join(f"{nt.name(k)} = {nt.number(v, digits)}" for k, v in s.fixed.items())
                     + " held fixed", style="muted")
    heat = HeatMap(s.losses, s.x_range, s.y_range, surface_overlays(s), x_label=p, y_label=q)
    key = Text()
    if s.path:
        x, y, loss = s.path[0]
        key.append("S", style="bold")
        key.append(f" = start ({nt.number(x, digits)}, {nt.number(y, digits)}), L = {nt.number(loss, digits)}\n")
        x, y, loss = s.path[-1]
        key.append("E", style="bold")
        key.append(f" = after {len(s.path) - 1} steps at α = {nt.number(s.lr)}: ({nt.number(x, digits)}, "
                   f"{nt.number(y, digits)}), L = {nt.number(loss, digits)}\n")
    key.append("•", style="bold")
    key.append(" = the descent path, ")
    key.append("·", style="bold")
    key.append(" = the valley floor (least loss of its row or column)\n")
    if s.zero_curve:
        key.append(f"The minimum is not a point: L = 0 all along the valley {s.zero_curve}.\n")
    key.append("M", style="bold")
    x, y, loss = s.lowest
    key.append(f" = the lowest of the {len(s.xs)} × {len(s.ys)} cells sampled on this grid: "
               f"({nt.number(x, digits)}, {nt.number(y, digits)}), L = {nt.number(loss, digits)}")
    if s.path and math.isfinite(loss) and s.path[-1][2] < loss:
        key.append(" (between the samples the loss is lower still: see E)")
    outside = [pt for pt in s.path if s.cell(pt[0], pt[1]) is None]
    if outside:
        key.append(f"\n{len(outside)} point(s) of the path lie outside the range shown; widen --range",
                   style="warn")
    if s.diverged_at is not None:
        key.append(f"\nthe descent diverged at step {s.diverged_at}: try a smaller --lr", style="bad")
    return Group(title, heat, key)

