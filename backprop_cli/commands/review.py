"""`backprop review`: spaced review of the skills that are due (FSRS), with fresh quiz questions."""

from __future__ import annotations

import sys

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def review(
        count: int = typer.Option(5, "--count", "-n", min=1, max=50, help="At most this many questions."),
        seed: int | None = typer.Option(None, "--seed", help="Replay a review with the same questions."),
        ahead: bool = typer.Option(False, "--ahead", help="Review the skills due soonest even if none is due yet."),
    ) -> int:
        """Review the skills that are due (spaced repetition, FSRS): questions drawn from the quiz
        templates of those skills; progress shows when each skill is next due."""
        import random
        import time
        from datetime import datetime, timezone

        from backprop_cli.errors import warn
        from backprop_cli.progress import Store, now
        from backprop_cli.quiz.runner import Plan, QuizSession, make_questions
        from backprop_cli.quiz.templates import TEMPLATES
        from backprop_cli.render.conversation import converse, render_event
        from backprop_cli.render.theme import console
        from backprop_cli.tutor.practice import plan
        from backprop_cli.tutor.scheduling import due_now, next_due, reviews_from, schedule, when

        store = Store()
        progress, warnings = store.load()
        for warning in warnings:
            warn(warning)
        out = console()
        moment = datetime.now(timezone.utc)
        table = schedule(reviews_from(progress.observations))
        due = due_now(table, moment)
        early = not due and ahead
        if early:
            due = sorted((d for d in table.values() if d.due is not None), key=when)
        if not due:
            upcoming = next_due(table, moment)
            if upcoming is None:
                out.print("Nothing to review yet: skills are scheduled once you have practised them "
                          "(backprop learn, or backprop quiz).")
            else:
                assert upcoming.due is not None  # next_due returns a scheduled skill only
                out.print(f"Nothing is due. Next: {upcoming.skill.title}, "
                          f"{when(upcoming).astimezone().strftime('%Y-%m-%d %H:%M')} "
                          "(backprop review --ahead reviews it now).")
            return 0
        seed = seed if seed is not None else random.SystemRandom().randint(1000, 9999)
        chosen = plan(due, count, seed)
        by_id = {t.id: t for t in TEMPLATES}
        templates = tuple(by_id[t] for t in chosen.template_ids)
        titles = ", ".join(d.skill.title.lower() for d in due[:4]) + (", …" if len(due) > 4 else "")
        note = (f"Reviewing ahead: nothing is due yet; the skills due soonest first ({titles})." if early else
                f"{len(due)} skill{'s' if len(due) != 1 else ''} due for review ({titles}).")
        piped = not sys.stdin.isatty()
        session = QuizSession(
            questions=make_questions(seed, Plan(templates)), seed=seed,
            topics=sorted({t.topic for t in templates}), store=store,
            clock=None if piped else time.monotonic, timestamp=None if piped else now,
            notes=(note,), replay=f"--seed {seed}" + (f" --count {count}" if count != 5 else "")
            + (" --ahead" if ahead else ""), kind="review")
        code = converse(session, out, goodbye="Review stopped.")
        if not session.finished and session.items:
            out.print(render_event(session.summary()))
            out.print("Your answers so far are saved.", style="muted")
        return code
