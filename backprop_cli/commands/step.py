"""`backprop step`: one (or N) gradient-descent steps of a network, worked out like the source."""

from __future__ import annotations

import typer

from backprop_cli.commands import Network, Precision, Sets


def register(app: typer.Typer) -> None:
    @app.command()
    def step(
        network: Network = "simple",
        lr: float | None = typer.Option(None, "--lr", help="Learning rate α (default: the network's, else 0.01)."),
        steps: int = typer.Option(1, "--steps", help="How many steps of gradient descent."),
        set_: Sets = [],  # noqa: B006 - Typer copies it
        precision: Precision = 6,
        as_json: bool = typer.Option(False, "--json", help="Print one JSON document with full-precision values."),
        history: bool = typer.Option(False, "--history",
                                     help="With --json: add every step's loss, gradients and parameters as arrays."),
        check: bool = typer.Option(False, "--check", help="Check every gradient against a central finite difference."),
    ) -> None:
        """Compute a forward pass, the backward pass, the update and the new loss."""
        from backprop_cli.network import calculator

        if history and not as_json:
            from backprop_cli.errors import UsageError

            raise UsageError("--history goes with --json (the report shows the first and last steps)")
        if as_json:
            import sys

            # a file run before: its compiled form from the cache, without parsing or SymPy
            if not set_ and not check and calculator.json_from_cache(sys.stdout, network, lr, steps, history=history):
                return
        net = calculator.load(network, set_)
        checks = None
        if check:
            from backprop_cli.analysis.nudge import gradient_check

            checks = gradient_check(net)
        if as_json:
            extra = None
            if checks:
                extra = {"check": {c.parameter: {"analytic": c.analytic, "finite_difference": c.numeric,
                                                 "relative_error": c.relative_error} for c in checks}}
            calculator.write_json(sys.stdout, net, lr, steps, history=history, extra=extra,
                                  cache_as=None if set_ else network)
            return
        _, run = calculator.step(net, lr, steps)
        from backprop_cli.render.theme import console
        from backprop_cli.render.training_step import run_view

        console().print(run_view(net, run, precision, checks))
