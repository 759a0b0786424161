"""`backprop step`: one (or N) gradient-descent steps of a network, worked out like the source."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import typer

from backprop_cli.commands import Network, Precision, Sets

if TYPE_CHECKING:
    from backprop_cli.network.graph import Network as NetworkGraph


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
        # a file run before comes from the cache (its compiled form and report text), without SymPy
        net = calculator.network_for_step(network, set_, view=not as_json)
        checks = None
        if check:
            from backprop_cli.analysis.nudge import gradient_check

            # it reads the leaves, the parameters and the engine's functions, which the plain form has
            checks = gradient_check(cast("NetworkGraph", net))
        if as_json:
            import sys

            extra = None
            if checks:
                extra = {"check": {c.parameter: {"analytic": c.analytic, "finite_difference": c.numeric,
                                                 "relative_error": c.relative_error} for c in checks}}
            calculator.write_json(sys.stdout, net, lr, steps, history=history, extra=extra)
            return
        _, run = calculator.step(net, lr, steps)
        from backprop_cli.render.theme import console
        from backprop_cli.render.training_step import run_view

        console().print(run_view(net, run, precision, checks))
