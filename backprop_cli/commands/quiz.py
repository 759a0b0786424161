"""`backprop quiz`: fresh questions from templates, scored, saved, replayable with --seed."""

from __future__ import annotations

import sys

import typer

from backprop_cli.quiz import TOPICS

_TOPIC_HELP = f"Only this topic (repeatable): {', '.join(TOPICS)}."


def register(app: typer.Typer) -> None:
    @app.command()
    def quiz(
        topic: list[str] = typer.Option([], "--topic", "-t", metavar="TOPIC", help=_TOPIC_HELP),
        count: int = typer.Option(10, "--count", "-c", min=1, max=100, metavar="N", help="How many questions (1-100)."),
        seed: int | None = typer.Option(None, "--seed", min=0, metavar="SEED", help="Replay a quiz: the same seed asks the same questions."),
        review: bool = typer.Option(False, "--review", help="Questions of the kinds you missed most come first."),
    ) -> int:
        """Practise: questions with fresh numbers, checked like the lessons, scored by topic."""
        topics = _topics(topic)
        import random
        import time

        from backprop_cli.progress import now
        from backprop_cli.quiz.runner import new_quiz
        from backprop_cli.render.conversation import converse, render_event
        from backprop_cli.render.theme import console

        piped = not sys.stdin.isatty()  # piped: no clock times, so a replay is identical byte for byte
        session = new_quiz(seed=seed if seed is not None else random.SystemRandom().randint(1000, 9999),
                           count=count, topics=topics, review=review,
                           clock=None if piped else time.monotonic, timestamp=None if piped else now)
        out = console()
        code = converse(session, out, goodbye="Quiz stopped.")
        if not session.finished:  # quit, Ctrl-C or Ctrl-D: show what was saved
            if session.items:
                out.print(render_event(session.summary()))
                out.print("Your answers so far are saved.", style="muted")
            else:
                out.print("No question answered, so nothing was saved.", style="muted")
        return code


def _topics(given: list[str]) -> list[str]:
    """The topics asked for, in the order given, without repeats; an unknown one is a usage error."""
    from backprop_cli.errors import UsageError

    topics: list[str] = []
    for name in given:
        if name not in TOPICS:
            raise UsageError(f"unknown topic '{name}'; choose from: {', '.join(TOPICS)}")
        if name not in topics:
            topics.append(name)
    return topics
