"""`backprop step`: one (or N) gradient-descent steps of a network, worked out like the source."""

from __future__ import annotations

import json
from typing import Optional

import typer

from backprop_cli.commands import Network, Precision, Sets


def register(app: typer.Typer) -> None:
    @app.command()
    def step(
        network: str = typer.Option("simple", "--network", "-n", help="A built-in network (simple, sigmoid) or a YAML/JSON file."),
        lr: Optional[float] = typer.Option(None, "--lr", help="Learning rate α (default: the network's, else 0.01)."),
        steps: int = typer.Option(1, "--steps", help="How many steps of gradient descent."),
        set_: Sets = [],  # noqa: B006 - Typer copies it
        precision: Precision = 6,
        as_json: bool = typer.Option(False, "--json", help="Print one JSON document with full-precision values."),
        check: bool = typer.Option(False, "--check", help="Check every gradient against a central finite difference."),
    ) -> None:
        """Compute a forward pass, the backward pass, the update and the new loss."""
        from backprop_cli.network import calculator

        net, run = calculator.step(network, lr, steps, set_)
        checks = None
        if check:
            from backprop_cli.views.nudge import gradient_check

            checks = gradient_check(net)
        if as_json:
            document = calculator.run_to_json(run, net)
            if checks:
                document["check"] = {c.parameter: {"analytic": c.analytic, "finite_difference": c.numeric,
                                                   "relative_error": c.relative_error} for c in checks}
            typer.echo(json.dumps(document, indent=2))
            return
        from backprop_cli.render.step import run_view
        from backprop_cli.render.theme import console

        console().print(run_view(net, run, precision, checks))
