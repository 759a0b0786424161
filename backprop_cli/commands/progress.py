"""`backprop progress`: what the learner has done so far; `backprop progress reset` to start again."""

from __future__ import annotations

import json
from typing import Optional

import typer


def _catalog() -> tuple[list | None, list[str]]:
    """The menu's lessons (for titles and not-started lessons), or None when they cannot be listed."""
    from backprop_cli.course import catalog
    from backprop_cli.errors import BackpropError

    problems: list[str] = []
    try:
        lessons = list(catalog(problems))
    except BackpropError as exc:
        return None, [f"the lessons could not be listed ({exc}); showing lesson ids only"]
    return lessons, problems


def _warn(warnings: list[str]) -> None:
    from backprop_cli.errors import warn

    for warning in warnings:
        warn(warning)


def register(app: typer.Typer) -> None:
    progress_app = typer.Typer(help="Show your progress in lessons and quizzes, or reset it.",
                               invoke_without_command=True, no_args_is_help=False)

    @progress_app.callback(invoke_without_command=True)
    def show(
        ctx: typer.Context,
        as_json: bool = typer.Option(False, "--json", help="Print one JSON document instead of tables."),
    ) -> None:
        """Lessons with status and score, the last lesson, quiz history and your weakest topics."""
        if ctx.invoked_subcommand is not None:
            return
        from backprop_cli.progress import Store, summarize

        store = Store()
        progress, warnings = store.load()
        catalog, problems = _catalog()
        _warn(warnings + problems)
        summary = summarize(progress, catalog, path=store.path, warnings=warnings + problems)
        if as_json:
            typer.echo(json.dumps(summary.to_json(), indent=2, ensure_ascii=False))
            return
        from backprop_cli.render.progress import summary_view
        from backprop_cli.render.theme import console

        console().print(summary_view(summary))

    @progress_app.command()
    def reset(
        lesson: Optional[str] = typer.Argument(None, help="A lesson id or number; without it, everything."),
        yes: bool = typer.Option(False, "--yes", "-y", help="Erase everything without asking."),
    ) -> None:
        """Start one lesson again, or erase all progress and quiz history."""
        from backprop_cli.errors import UsageError
        from backprop_cli.progress import Store, resolve_lesson
        from backprop_cli.render import theme

        store = Store()
        progress, warnings = store.load()
        _warn(warnings)
        if lesson is not None:
            key = resolve_lesson(lesson, progress, _catalog()[0])
            record = progress.lessons.get(key)
            if record is None:
                typer.echo(f"Lesson {key} has no progress; nothing to reset.")
                return
            store.reset(key)
            kept = record.finished
            note = (f" Its {kept} finished attempt{'s are' if kept != 1 else ' is'} kept in your record."
                    if kept else "")
            typer.echo(f"Lesson {record.id} reset: it starts again from the beginning.{note}")
            return
        if not yes:
            if not theme.interactive():
                raise UsageError("not erasing all progress without confirmation; "
                                 "add --yes (or name one lesson to reset)")
            question = (f"Erase all progress ({len(progress.lessons)} lessons, "
                        f"{len(progress.quizzes)} quizzes) in {store.path}?")
            if not typer.confirm(question, default=False):
                typer.echo("Nothing was reset.")
                return
        store.reset()
        typer.echo(f"All progress erased ({store.path}); the old file is kept beside it as "
                   f"{store.path.name}.reset-<date>.")

    app.add_typer(progress_app, name="progress")
