"""Named styles in one place, and the consoles every command draws on.

Every console made here is safe for the learner's terminal: no control character or escape
sequence from a lesson, a network file or a piped answer reaches it (:class:`SafeConsole`), and an
output that cannot encode Unicode gets ASCII spellings instead of a ``UnicodeEncodeError``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.text import Text
from rich.theme import Theme

from backprop_cli.render.safe_text import ascii_spelling, can_encode, clean, install_fallback

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


class SafeConsole(Console):
    """A Rich console that takes control characters out of every piece of text it draws.

    Rich lays text out first and styles it only when writing, so the text of a segment is what
    came from the renderable (a lesson, an answer, a file's names), never Rich's own escape codes;
    cleaning it here covers every view at once. Control characters are zero cells wide to Rich, so
    taking them out does not move anything.
    """

    def render_str(self, text: str, **kwargs) -> Text:
        """Plain strings (table cells, most often) are spelt in ASCII *before* they are measured
        when the output cannot take Unicode, so the columns still line up."""
        if self.ascii_only:
            text = ascii_spelling(text)
        return super().render_str(text, **kwargs)

    @property
    def ascii_only(self) -> bool:
        return not can_encode("·−²σŷ∂", self.file)

    def render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control or segment.text.isprintable():
                yield segment
            else:
                yield Segment(clean(segment.text), segment.style)


def console(*, stderr: bool = False, record: bool = False, width: int | None = None, file=None) -> Console:
    """A console with our theme; narrow terminals are Rich's job.

    NO_COLOR (https://no-color.org) means no escape codes at all, not even bold: every view
    tells things apart by characters, never by style alone.
    """
    plain = bool(os.environ.get("NO_COLOR"))
    install_fallback()  # an ascii or latin-1 stdout/stderr spells σ as sigma instead of failing
    return SafeConsole(
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
