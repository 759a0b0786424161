"""The terminal driver for lessons and quizzes: draws a session's events, reads the learner's lines.

It is the only place that reads input. Ctrl-C, Ctrl-D, ``quit``, SIGHUP and SIGTERM all save
progress and leave with a one-line goodbye; Ctrl-C exits 130, SIGHUP 129, SIGTERM 143. Piped input (answers one per line) works like a terminal, and
each answer is echoed so the transcript reads as a dialogue.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from rich.console import Console, RenderableType
from rich.markdown import Markdown
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from backprop_cli.errors import EXIT_INTERRUPTED, EXIT_OK
from backprop_cli.interaction import (
    Ask,
    Conversation,
    Feedback,
    Finished,
    Hint,
    Reveal,
    Say,
    Show,
    command_of,
    help_text,
)
from backprop_cli.render.safe_text import can_encode, fold_width, one_line

PROMPT = "› "

#: Renderers for `Show` events, by name; views register more (derivation, forward, ...).
SHOW_RENDERERS: dict[str, Callable[[Any], RenderableType]] = {}


def show_renderer(name: str):
    def register(fn):
        SHOW_RENDERERS[name] = fn
        return fn

    return register


@show_renderer("table")
def _table(data) -> RenderableType:
    header, rows = data
    table = Table(show_header=True, header_style="heading")
    for h in header:
        table.add_column(h)
    for row in rows:
        table.add_row(*row)
    return table


def render_event(event) -> RenderableType | None:
    """One event → one Rich renderable (None for events with nothing to draw)."""
    if isinstance(event, Say):
        if event.kind == "heading":
            return Rule(Text(event.text, style="title"), align="left")
        if event.kind == "note":
            return Text(event.text, style="muted")
        if event.kind == "warning":
            return Text(event.text, style="warn")
        return Markdown(event.text)
    if isinstance(event, Show):
        renderer = SHOW_RENDERERS.get(event.what)
        if renderer is None:
            _load_renderers()
            renderer = SHOW_RENDERERS.get(event.what)
        body = renderer(event.data) if renderer else Text(str(event.data))
        if event.title:
            return Padding(_titled(event.title, body), (0, 0, 0, 0))
        return body
    if isinstance(event, Ask):
        parts: list[RenderableType] = [Text(event.label, style="accent"), Markdown(event.prompt)]
        for i, option in enumerate(event.options):
            parts.append(Text(f"  {chr(ord('a') + i)}) {option}"))
        from rich.console import Group

        return Group(*parts)
    if isinstance(event, Feedback):
        text = Text()
        if event.read_as:
            text.append(f"read as: {event.read_as}\n", style="muted")
        if event.status == "correct":
            text.append("✓ Correct", style="good")
            if event.message:
                text.append(f" — {event.message}")
        elif event.status == "incorrect":
            text.append("✗ ", style="bad")
            if event.message:
                text.append(event.message)
            else:  # the detail line, when there is one, says what to do next
                text.append("Not quite." if event.detail else "Not quite. Try again.", style="bad")
        else:
            text.append("? ", style="warn")
            text.append(event.message or "I could not read that.")
        if event.detail:
            text.append(f"\n  {event.detail}", style="muted")
        return text
    if isinstance(event, Hint):
        return Text.assemble((f"Hint {event.number}/{event.total}: ", "hint"), event.text)
    if isinstance(event, Reveal):
        from rich.console import Group

        if not event.skipped and event.explanation:  # the learner has just given the answer
            return Markdown(event.explanation)
        head = Text.assemble(("Answer: " if not event.skipped else "Skipped. The answer: ", "heading"),
                             (event.answer, "value"))
        return Group(head, Markdown(event.explanation)) if event.explanation else head
    if isinstance(event, Finished):
        from rich.console import Group

        parts = [Rule(style="muted"), Text(event.summary, style="title")]
        if event.rows:
            table = Table(*event.header) if event.header else Table(show_header=False)
            for row in event.rows:
                table.add_row(*row)
            parts.append(table)
        return Group(*parts)
    return None


def _titled(title: str, body: RenderableType) -> RenderableType:
    from rich.console import Group

    return Group(Text(title, style="heading"), body)


def _load_renderers() -> None:
    """Import the modules that register Show renderers (kept lazy: they pull in SymPy)."""
    import importlib

    for module in ("backprop_cli.render.show_events", "backprop_cli.render.analysis_views"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


#: The longest answer read; the rest of a longer line is discarded unread into memory, never echoed.
MAX_ANSWER = 2000  # the formula parser's own limit (expressions.MAX_LENGTH), kept here to stay light
_CHUNK = 1 << 16
_HISTORY = None  # one history for the whole run: the menu's choice and every answer, Up/Down recall them


class LineReader:
    """Reads one line from a terminal (with line editing) or a pipe; raises EOFError at the end.

    At a terminal (stdin and stdout both, not TERM=dumb): prompt_toolkit, imported only then, gives
    Left/Right, Home/End, Backspace anywhere and Up/Down through this run's earlier answers; Ctrl-C
    raises KeyboardInterrupt and Ctrl-D on an empty line EOFError; a NUL is ignored. From a pipe: plain reads, a line at most
    :data:`MAX_ANSWER` characters long, each answer echoed (cleaned of control characters) so the
    transcript reads as a dialogue. Either way full-width forms (``２``, ``ｘ``) come back as ASCII.
    """

    def __init__(self, console: Console, stream=None):
        self.console = console
        self.stream = stream or sys.stdin
        self.tty = self.stream.isatty()
        # A dumb terminal (Emacs' shell, TERM=dumb) edits the line itself: read it plainly there.
        self.editing = (self.tty and self.stream is sys.stdin and sys.stdout.isatty()
                        and os.environ.get("TERM", "").lower() not in ("dumb", "unknown"))
        self._prompt_session: Any = None  # a prompt_toolkit PromptSession, made on first use
        self._binary = False  # whether the last plain read came from the byte stream

    @property
    def prompt(self) -> str:
        return PROMPT if can_encode(PROMPT, self.console.file) else "> "

    def read(self) -> str:
        while True:
            if self.editing:
                line = self._edit()
            else:
                self.console.print(Text(self.prompt, style="prompt"), end="")
                line = self._read_plain()
            if line is None:
                self.console.print(Text(f"answer too long: at most {MAX_ANSWER} characters", style="warn"))
                continue
            return fold_width(line)

    def _read_plain(self) -> str | None:
        """One piped line (None when it was too long); echoed unless the terminal echoed it already."""
        raw, complete = self._bounded_line()
        if raw == "":
            if not self.tty:  # at a terminal the driver ends the line after Ctrl-D
                self.console.print()
            raise EOFError
        line = raw.rstrip("\r\n")
        if not complete or len(line) > MAX_ANSWER:
            self._discard_rest(complete)
            if not self.tty:
                self.console.print(Text("(too long to echo)", style="muted"))
            return None
        if not self.tty:  # echo: the transcript reads as a dialogue; never an escape sequence
            self.console.print(Text(one_line(line)))
        return line

    def _bounded_line(self) -> tuple[str, bool]:
        """(at most MAX_ANSWER characters of the next line, whether its end was reached).

        Bytes are read from the binary stream when there is one, so a byte that is not UTF-8
        survives as a surrogate that the parser can name ("byte 0xE9 is not valid UTF-8")."""
        buffer = getattr(self.stream, "buffer", None)
        if buffer is not None:
            limit = 4 * MAX_ANSWER + 2
            data = buffer.readline(limit)
            complete = data == b"" or data.endswith(b"\n") or len(data) < limit
            self._binary = True
            return data.decode("utf-8", "surrogateescape"), complete
        self._binary = False
        text = self.stream.readline(MAX_ANSWER + 2)
        return text, text == "" or text.endswith("\n") or len(text) < MAX_ANSWER + 2

    def _discard_rest(self, complete: bool) -> None:
        """Skip what is left of an over-long line, a chunk at a time (a 10 MB line costs milliseconds)."""
        if complete:
            return
        if self._binary:
            while (chunk := self.stream.buffer.readline(_CHUNK)) and not chunk.endswith(b"\n"):
                pass
        else:
            while (text := self.stream.readline(_CHUNK)) and not text.endswith("\n"):
                pass

    def _edit(self) -> str | None:
        text = self._editor().prompt(self._message())
        return None if len(text) > MAX_ANSWER else text

    def _message(self):
        if os.environ.get("NO_COLOR"):
            return self.prompt
        from prompt_toolkit.formatted_text import FormattedText

        return FormattedText([("bold ansicyan", self.prompt)])

    def _editor(self):
        """The prompt_toolkit session, made on first use (``--help`` and piped runs never import it)."""
        global _HISTORY
        if self._prompt_session is None:
            from prompt_toolkit import PromptSession
            from prompt_toolkit.history import InMemoryHistory
            from prompt_toolkit.key_binding import KeyBindings
            from prompt_toolkit.keys import Keys

            if _HISTORY is None:
                _HISTORY = InMemoryHistory()
            # No cursor-position requests: we show no menus that need them, and a terminal that does
            # not answer would get a two-second pause and a warning at the first prompt.
            os.environ.setdefault("PROMPT_TOOLKIT_NO_CPR", "1")
            keys = KeyBindings()

            @keys.add("c-@")  # a NUL (Ctrl-@, Ctrl-Space) would start a selection: ignore it
            def _ignore(event) -> None:
                pass

            @keys.add(Keys.BracketedPaste)  # a huge paste: keep one character too many, to be refused
            def _paste(event) -> None:
                text = event.data[:MAX_ANSWER + 1].replace("\r\n", "\n").replace("\r", "\n")
                event.current_buffer.insert_text(text)

            self._prompt_session = PromptSession(history=_HISTORY, key_bindings=keys, mouse_support=False,
                                                 complete_while_typing=False, enable_suspend=False)
        return self._prompt_session


class Signalled(KeyboardInterrupt):
    """SIGHUP (the terminal closed) or SIGTERM, raised where the session is, so it is handled like
    Ctrl-C: progress saved, then leave with 128 + the signal's number."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


_LEAVE_SIGNALS = tuple(sig for sig in (getattr(signal, "SIGHUP", None), getattr(signal, "SIGTERM", None)) if sig)


def _raise_signalled(signum, frame) -> None:
    raise Signalled(signum)


@contextlib.contextmanager
def _signals(handler) -> Any:
    """Route SIGHUP and SIGTERM (and, with ``SIG_IGN``, Ctrl-C too) to ``handler`` for a while."""
    previous = {}
    for sig in _LEAVE_SIGNALS + ((signal.SIGINT,) if handler is signal.SIG_IGN else ()):
        with contextlib.suppress(ValueError, OSError):  # not the main thread: leave the signal as it is
            previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def converse(session: Conversation, console: Console, reader: LineReader | None = None,
             goodbye: str = "Progress saved. See you next time!") -> int:
    """Drive ``session`` to the end; returns the exit code: 0, 130 after Ctrl-C, 129 after SIGHUP and
    143 after SIGTERM (each saves first)."""
    with _signals(_raise_signalled):
        try:
            return _converse(session, console, reader or LineReader(console), goodbye)
        except KeyboardInterrupt as exc:
            with _signals(signal.SIG_IGN):  # a second signal must not cut the save short
                session.save()
            with contextlib.suppress(OSError):  # after SIGHUP the terminal may be gone
                console.print()
                console.print(Text(goodbye, style="muted"))
            return 128 + exc.signum if isinstance(exc, Signalled) else EXIT_INTERRUPTED


def draw_events(console: Console, events) -> None:
    """Print a session's events as a session shows them: a blank line before each question and
    heading, and after each verdict, hint and answer."""
    for event in events:
        renderable = render_event(event)
        if isinstance(event, Ask) or (isinstance(event, Say) and event.kind == "heading"):
            console.print()
        if renderable is not None:
            console.print(renderable)
            if isinstance(event, (Feedback, Reveal, Hint)):
                console.print()


def _converse(session: Conversation, console: Console, reader: LineReader, goodbye: str) -> int:
    def draw(events) -> None:
        draw_events(console, events)

    draw(session.start())
    while not session.finished:
        try:
            line = reader.read()
        except EOFError:
            session.save()
            if reader.tty and not getattr(reader, "editing", False):  # plain reading leaves the cursor on the prompt line
                console.print()
            console.print(Text(goodbye, style="muted"))
            return EXIT_OK
        if command_of(line) == "quit":
            session.save()
            console.print(Text(goodbye, style="muted"))
            return EXIT_OK
        if command_of(line) == "help":
            console.print(Text(help_text(), style="muted"))
            continue
        draw(session.answer(line))
    session.save()
    return EXIT_OK
