"""`backprop progress`: what the learner has done so far; `backprop progress reset` to start again."""

from __future__ import annotations

import json
from pathlib import Path

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
        from backprop_cli.render.progress_tables import summary_view
        from backprop_cli.render.theme import console

        console().print(summary_view(summary))

    @progress_app.command()
    def reset(
        lesson: str | None = typer.Argument(None, help="A lesson id or number; without it, everything."),
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

    @progress_app.command("export")
    def export(
        name: str = typer.Option(..., "--name", help="The learner's name, as the class report will show it."),
        output: Path = typer.Option(..., "--output", "-o", help="The file to write (JSON)."),
    ) -> None:
        """Write your record (lessons, first tries, diagnosed mistakes, quizzes) for your teacher."""
        from backprop_cli.errors import UsageError
        from backprop_cli.progress import Store
        from backprop_cli.progress.sharing import build, dumps

        if not name.strip():
            raise UsageError("--name must not be empty")
        progress, warnings = Store().load()
        catalog, problems = _catalog()
        _warn(warnings + problems)
        record = build(progress, name.strip(), catalog or ())
        try:
            output.write_text(dumps(record), encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
        done = sum(lesson.status == "done" for lesson in record.lessons)
        typer.echo(f"Wrote {output}: {len(record.lessons)} lessons ({done} finished), "
                   f"{len(record.quizzes)} quizzes, for {record.name}.")

    app.add_typer(progress_app, name="progress")

    @app.command("report")
    def report(
        files: list[Path] = typer.Argument(..., metavar="FILE...", help="Learners' exports (progress export)."),
        as_csv: bool = typer.Option(False, "--csv", help="Print one CSV row per question instead of tables."),
        export_to: str | None = typer.Option(None, "--export", metavar="FILE.html",
                                                help="Also keep the report as .html, .svg or .txt."),
    ) -> int:
        """A class report from learners' exports: who finished each lesson; per question the first-try
        rate and the most common diagnosed mistakes. Bad or foreign files are skipped with one line."""
        from backprop_cli.errors import EXIT_USAGE
        from backprop_cli.progress.classroom import build, to_csv
        from backprop_cli.progress.sharing import read_many
        from backprop_cli.render import export as exporting

        path = exporting.check_path(export_to)
        records, problems = read_many(files)
        _warn(problems)
        if not records:
            typer.echo("backprop: error: none of the files is a learner record; nothing to report", err=True)
            return EXIT_USAGE
        result = build([record for _, record in records])
        if as_csv:
            typer.echo(to_csv(result), nl=False)
            return 0
        from backprop_cli.render.report import report_view

        con = exporting.console_for(path)
        con.print(report_view(result))
        exporting.save(con, path, title="backprop report")
        if path is not None:
            typer.echo(f"Saved the report as {path}")
        return 0
