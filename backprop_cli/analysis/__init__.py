"""What the picture views compute: derivations, nudge experiments, graph layouts, curves, surfaces.

Plain frozen dataclasses only (no Rich, no Typer): ``render/`` draws them, lessons reuse them.
"""


def option_number(text: str, where: str, otherwise: str) -> float:
    """One number typed in an option (``--lr``, ``--range``), read by the one safe parser.

    A number the parser refuses (``1e300``) is reported with the parser's reason; anything else
    that is not a real number gets ``otherwise``. Both as a UsageError that starts with ``where``.
    """
    from backprop_cli.errors import ExpressionError, UsageError
    from backprop_cli.expressions import parse_number

    try:
        return float(parse_number(text))
    except ExpressionError as exc:
        if exc.message.startswith("the number"):
            raise UsageError(f"{where}: {exc.message}") from None
    except TypeError:  # a complex value: sqrt(-1)
        pass
    raise UsageError(f"{where}: {otherwise}")
