"""The picture commands: `derive`, `nudge`, `graph`, `train`, `surface`.

Each parses its options, calls one function of ``backprop_cli.analysis``, renders it with
``backprop_cli.render``, and (``--export``) keeps what was shown. SymPy and the views are
imported inside the commands so that ``backprop --help`` stays fast.
"""

from __future__ import annotations

import re

import typer

from backprop_cli.commands import Export, Network, Precision, Sets
from backprop_cli.errors import EXIT_FAILURE

#: Runs with more steps than this (all rates together) get a progress bar on a terminal.
PROGRESS_FROM = 20_000


def _show(renderable, export: str | None, title: str) -> None:
    """Print on the themed console; with --export, save the recording and say where."""
    from backprop_cli.render import export as exporting

    path = exporting.check_path(export)
    con = exporting.console_for(path)
    con.print(renderable)
    if path is not None:
        exporting.save(con, path, title=title)
        from backprop_cli.render.theme import console

        console(stderr=True).print(f"saved to {path}", style="muted")


class _NamedArguments(typer.core.TyperCommand):
    """Arguments shown in help by their metavar alone: ``EXPR``, ``PARAM=DELTA``.

    Typer 0.2x writes the Python type after the metavar (``EXPR <str>``, ``PARAM=DELTA... <list[str]>``),
    which means nothing to a learner; an instance attribute hides it (older Typer never showed it).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, typer.core.TyperArgument) and param.metavar:
                param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]


def register(app: typer.Typer) -> None:
    @app.command(cls=_NamedArguments)
    def derive(
        expr: str = typer.Argument(..., metavar="EXPR", help="The function, e.g. 'x^3 - 3x^2 + 2x + 1' or 'x^2 + y^2' "
                                   "(one that starts with '-' goes last, after '--': --at x=1 -- '-x^2')."),
        wrt: str | None = typer.Option(None, "--wrt", metavar="NAME", help="Differentiate with respect to this variable "
                                          "(or several, comma-separated); default: every variable."),
        at: str | None = typer.Option(None, "--at", metavar="NAME=VALUE,...", help="Evaluate at a point: x=2,y=4."),
        nudge: str | None = typer.Option(None, "--nudge", metavar="NAME=DELTA,...", help="Nudge the point, e.g. x=0.1: "
                                            "the derivative's prediction against the real change."),
        plot: bool = typer.Option(True, "--plot/--no-plot", help="Draw f and its tangent line (one variable, with --at)."),
        precision: Precision = 6,
        export: Export = None,
    ) -> None:
        """The derivative step by step, naming each rule; its value at a point; a nudge experiment."""
        from backprop_cli.analysis.calculus import derive as derive_function
        from backprop_cli.analysis.tangent import tangent
        from backprop_cli.render import export as exporting
        from backprop_cli.render.analysis_views import derive_view

        exporting.check_path(export)
        result = derive_function(expr, wrt, at, nudge)
        picture = None
        if plot and result.point is not None and len(result.variables) == 1:
            var = result.variables[0]
            picture = tangent(result.expr, var, result.point[var], result.partials[0].value)
        _show(derive_view(result, picture, precision), export, f"backprop derive {expr}")

    @app.command(cls=_NamedArguments)
    def nudge(
        changes: list[str] = typer.Argument(..., metavar="PARAM=DELTA", help="What to nudge, e.g. w2=0.1; one or more "
                                            "(w1=0.1 w2=-0.1, or w1=0.1,w2=-0.1)."),
        network: Network = "simple",
        set_: Sets = [],  # noqa: B006 - Typer copies it
        precision: Precision = 6,
        export: Export = None,
    ) -> None:
        """Nudge parameters: Σ ∂L/∂w·Δw predicted against the real change of the loss."""
        from backprop_cli.analysis.nudge import nudge_network
        from backprop_cli.network import calculator
        from backprop_cli.render import export as exporting
        from backprop_cli.render.analysis_views import network_nudge_view

        exporting.check_path(export)
        net = calculator.load(network, set_)
        # derive --nudge takes x=0.1,y=0.2; accept the same comma-separated form here.
        pieces = [p for c in changes for p in re.split(r",\s*(?=[A-Za-z_]\w*\s*=)", c)]
        deltas = calculator.parse_assignments(pieces, net, option="nudge")
        _show(network_nudge_view(nudge_network(net, deltas), precision), export, "backprop nudge")

    @app.command()
    def graph(
        network: Network = "simple",
        set_: Sets = [],  # noqa: B006 - Typer copies it
        dot: str | None = typer.Option(None, "--dot", metavar="FILE", help="Write the graph as Graphviz DOT to FILE ('-': print only the DOT)."),
        precision: Precision = 6,
        export: Export = None,
    ) -> None:
        """The computation graph: values, ∂L/∂node, local derivatives on the edges, gradient paths."""
        from backprop_cli.analysis.graph_layout import build_graph
        from backprop_cli.network import calculator
        from backprop_cli.render import export as exporting
        from backprop_cli.render.graph_drawing import graph_view, to_dot

        exporting.check_path(export)
        view = build_graph(calculator.load(network, set_))
        if dot == "-":
            typer.echo(to_dot(view, precision), nl=False)
            return
        if dot is not None:
            _write(dot, to_dot(view, precision))
        _show(graph_view(view, precision), export, f"backprop graph {view.network}")

    @app.command()
    def train(
        network: Network = "simple",
        lr: str | None = typer.Option(None, "--lr", metavar="RATE[,RATE...]", help="Learning rate, or several to compare: 0.001,0.01,0.05 "
                                         "(default: the network's)."),
        steps: int = typer.Option(100, "--steps", help="Steps of gradient descent (at most)."),
        until: float | None = typer.Option(None, "--until", metavar="LOSS", help="Stop as soon as the loss is at most LOSS."),
        set_: Sets = [],  # noqa: B006 - Typer copies it
        precision: Precision = 6,
        export: Export = None,
    ) -> None:
        """Gradient descent: the loss curve (one per learning rate) and the final parameters."""
        from backprop_cli.analysis.training import parse_rates, train_curves
        from backprop_cli.network import calculator
        from backprop_cli.render import export as exporting
        from backprop_cli.render.analysis_views import train_view

        exporting.check_path(export)
        net = calculator.load(network, set_)
        rates = parse_rates(lr, net)
        training = _with_progress(lambda tick: train_curves(net, rates, steps, until, tick), steps * len(rates))
        _show(train_view(training, precision), export, f"backprop train {net.name}")
        # One rule with `step`: exit 1 when a requested run diverges (its loss overflows or becomes NaN).
        if any(c.diverged_at is not None for c in training.curves):
            raise typer.Exit(EXIT_FAILURE)

    @app.command()
    def surface(
        network: Network = "simple",
        params: str | None = typer.Option(None, "--params", metavar="P,Q", help="The two parameters across and up, e.g. w1,w2."),
        range_: str | None = typer.Option(None, "--range", metavar="P=LOW:HIGH,...", help="Their ranges, e.g. w1=0:5,w2=0:4 "
                                             "(default: around the descent path)."),
        lr: float | None = typer.Option(None, "--lr", help="Learning rate of the descent path (default: the network's)."),
        steps: int = typer.Option(30, "--steps", help="Steps of the descent path."),
        set_: Sets = [],  # noqa: B006 - Typer copies it
        export: Export = None,
    ) -> None:
        """The loss over two parameters as a heat map, with the gradient-descent path walking down it."""
        from backprop_cli.analysis.surface import loss_surface, parse_params, parse_ranges
        from backprop_cli.network import calculator
        from backprop_cli.render import export as exporting
        from backprop_cli.render.analysis_views import surface_view

        path = exporting.check_path(export)
        net = calculator.load(network, set_)
        chosen = parse_params(params, net)
        ranges = parse_ranges(range_, chosen)
        width = exporting.console_for(path).width
        cols = max(10, min(80, width - 8))
        rows = max(8, min(22, cols // 3))
        result = loss_surface(net, chosen, ranges, lr, steps, cols, rows)
        _show(surface_view(result), export, f"backprop surface {net.name}")
        if result.diverged_at is not None:  # the descent path's loss overflowed: the same rule as train and step
            raise typer.Exit(EXIT_FAILURE)


def _write(path: str, text: str) -> None:
    from backprop_cli.errors import UsageError

    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise UsageError(f"--dot {path!r}: cannot write it ({exc.strerror or exc})") from None


def _with_progress(work, total: int):
    """Run ``work(tick)``; on a terminal and for long runs, a transient progress bar follows the ticks."""
    from backprop_cli.render.theme import console

    con = console()
    if total < PROGRESS_FROM or not con.is_terminal:
        return work(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("training"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=con, transient=True) as progress:
        task = progress.add_task("train", total=total)
        return work(lambda done: progress.advance(task, done))
