"""Typer commands, one module per area; each module's ``register(app)`` adds its commands.

Every command is a few lines: parse options, call one function of the logic, render, return.
Errors are raised, never printed here: ``cli.main`` maps them to a line and an exit code.
"""

from typing import Annotated

import typer

#: The options several commands share, declared once (each command gives its own default).
Network = Annotated[str, typer.Option("--network", "-n", help="A built-in network (simple, sigmoid) or a YAML/JSON file.")]
Sets = Annotated[list[str], typer.Option("--set", metavar="NAME=VALUE", help="Override an input, target, constant or parameter: NAME=VALUE (repeatable).")]
Precision = Annotated[int, typer.Option("--precision", min=1, max=17, help="Significant digits shown.")]
Export = Annotated[str | None, typer.Option("--export", metavar="FILE", help="Also save what is shown to FILE (.svg, .html or .txt).")]
