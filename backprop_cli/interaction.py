"""The conversation between a tutor session (lesson or quiz) and whoever drives it.

A session never reads or prints. It returns *events* (plain frozen dataclasses) describing what to
show, and it is fed the learner's lines. The terminal driver (``render/conversation.py``) draws
events with Rich and reads input; tests feed lines directly. Lessons and the quiz speak the same
events, so they look and behave alike (``hint``, ``skip``, ``back``, ``help``, ``quit`` everywhere).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

#: Words the learner may type at any prompt instead of an answer.
COMMANDS = {
    "hint": "show the next hint",
    "skip": "show the answer and move on",
    "back": "go back to the previous step",
    "parts": "work a question out one part at a time (lessons, after two misses)",
    "help": "list these commands",
    "quit": "save and leave; Ctrl-C and Ctrl-D do the same",
}
# No single letters: a), b), … are answers to choice questions.
_ALIASES = {"?": "help", "exit": "quit", ":q": "quit"}


#: The ASCII a learner can type for the notation the questions use (tested in test_expressions).
ASCII_SPELLINGS = "1/2 for ½, sigmoid(z) for σ(z), y_hat for ŷ, x^2 for x², * for ·, alpha for α"


def help_text() -> str:
    """What `help` prints, in lessons and quizzes alike."""
    return ("At any prompt you can type:\n" + "\n".join(f"  {k:<5} {v}" for k, v in COMMANDS.items())
            + f"\nIn answers, plain ASCII works: {ASCII_SPELLINGS}.")


def command_of(text: str) -> str | None:
    """The command a line asks for, or None when it is an answer."""
    word = text.strip().lower()
    word = _ALIASES.get(word, word)
    return word if word in COMMANDS else None


@dataclass(frozen=True)
class Say:
    """Prose: ``markdown`` for lesson text, ``note`` for short remarks, ``heading`` for titles."""

    text: str
    kind: Literal["markdown", "note", "heading", "warning"] = "markdown"


@dataclass(frozen=True)
class Show:
    """A computed view: ``what`` names it (``derivation``, ``forward``, ``backward``, ``update``,
    ``after``, ``table``), ``data`` carries the plain result the renderer draws."""

    what: str
    data: Any
    title: str = ""


@dataclass(frozen=True)
class Ask:
    """A question waiting for an answer."""

    label: str  # "Question 3 of 7"
    prompt: str  # Markdown
    kind: Literal["number", "expression", "choice"]
    options: tuple[str, ...] = ()
    hints_left: int = 0


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer, as lines for the learner."""

    status: Literal["invalid", "correct", "incorrect"]
    message: str = ""
    read_as: str | None = None
    detail: str = ""  # e.g. the carried-error note or a counterexample


@dataclass(frozen=True)
class Reveal:
    """The answer and its worked explanation (after a correct answer or a skip)."""

    answer: str
    explanation: str = ""
    skipped: bool = False


@dataclass(frozen=True)
class Hint:
    text: str
    number: int
    total: int


@dataclass(frozen=True)
class Finished:
    """The end: a summary line and optional table rows (label, value)."""

    summary: str
    rows: tuple[tuple[str, ...], ...] = ()
    header: tuple[str, ...] = ()


Event = Say | Show | Ask | Feedback | Reveal | Hint | Finished


class Conversation(Protocol):
    """What a driver needs from a session (a lesson or a quiz)."""

    def start(self) -> list[Event]: ...

    def answer(self, line: str) -> list[Event]: ...

    @property
    def finished(self) -> bool: ...

    def save(self) -> None:
        """Persist progress now (called on quit, Ctrl-C, Ctrl-D and at the end)."""


@dataclass
class Transcript:
    """Collects events in tests: ``Transcript().run(session, ["-18", "hint", "quit"])``."""

    events: list[Event] = field(default_factory=list)

    def run(self, session: Conversation, lines: list[str]) -> list[Event]:
        self.events.extend(session.start())
        for line in lines:
            if session.finished:
                break
            self.events.extend(session.answer(line))
        return self.events
