"""Typer commands, one module per area; each module's ``register(app)`` adds its commands.

Every command is a few lines: parse options, call one function of the logic, render, return.
Errors are raised, never printed here: ``cli.main`` maps them to a line and an exit code.
"""
