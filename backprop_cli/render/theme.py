"""Named styles in one place, and the consoles every command draws on."""

from __future__ import annotations

import os
import sys

from rich.console import Console
from rich.theme import Theme

THEME = Theme(
    {
        "title": "bold cyan",
        "heading": "bold",
        "formula": "magenta",
        "value": "bold",
        "param": "cyan",
        "grad": "yellow",
        "good": "bold green",
        "bad": "bold red",
        "warn": "yellow",
        "hint": "italic yellow",
        "muted": "dim",
        "prompt": "bold cyan",
        "error": "bold red",
        "accent": "bold magenta",
    }
)


def console(*, stderr: bool = False, record: bool = False, width: int | None = None, file=None) -> Console:
    """A console with our theme; narrow terminals are Rich's job.

    NO_COLOR (https://no-color.org) means no escape codes at all, not even bold: every view
    tells things apart by characters, never by style alone.
    """
    plain = bool(os.environ.get("NO_COLOR"))
    return Console(
        theme=THEME,
        color_system=None if plain else "auto",
        stderr=stderr,
        record=record,
        width=width,
        file=file,
        highlight=False,
        soft_wrap=False,
        no_color=plain or None,
    )


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()
