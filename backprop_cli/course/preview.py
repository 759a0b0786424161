"""``backprop lessons play``: a lesson played through automatically, as a teacher's preview.

At every question the player types each mistake the lesson lists (as a learner would type it), then
the answer key, and records what the learner would see. Nothing is saved: the session runs against
an in-memory record. The result is plain data (the typed lines and the session's events); the
command draws it with the same renderer as a real session, so the preview reads exactly like one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from backprop_cli.interaction import Event


class MemoryStore:
    """A progress store that keeps everything in memory (a preview must not touch the learner's file)."""

    def __init__(self) -> None:
        from backprop_cli.progress import Progress

        self.progress = Progress()

    def load(self):
        return self.progress.model_copy(deep=True), []

    def update(self, change: Callable) -> object:
        change(self.progress)
        return self.progress.model_copy(deep=True)

    def save(self, progress) -> None:
        self.progress = progress.model_copy(deep=True)


@dataclass(frozen=True)
class Turn:
    """One line typed by the player (None for the opening) and the events it brought."""

    typed: str | None
    events: tuple[Event, ...]
    note: str = ""  # what the line is: "listed mistake 2", "the answer key"


def play(lesson) -> list[Turn]:
    """Play ``lesson`` to its end: each question's listed mistakes, then its answer key."""
    from backprop_cli.course import answers
    from backprop_cli.session import LessonSession

    store = MemoryStore()
    session = LessonSession(lesson, store, store.progress)
    turns = [Turn(None, tuple(session.start()))]
    guard = 0
    while not session.finished and session.question is not None:
        question = session.question
        guard += 1
        if guard > 10 * max(1, len(lesson.questions)):  # a session that does not move on: stop, never loop
            break
        for k, mistake in enumerate(answers.listed_mistakes(lesson, question), start=1):
            line = answers.typed_value(question.step.ask, mistake.value)
            turns.append(Turn(line, tuple(session.answer(line)), f"listed mistake {k}"))
            if session.question is not question:  # a mistake accepted as right: the player moves on
                break
        if session.question is question:
            line = answers.typed(question)
            turns.append(Turn(line, tuple(session.answer(line)), "the answer key"))
    return turns
