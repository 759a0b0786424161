"""`backprop learn` (guided lessons) and `backprop lessons list|show|validate`."""

from __future__ import annotations

import json
from typing import List, Optional

import typer

lessons_app = typer.Typer(help="List, read and validate lessons.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    @app.command()
    def learn(
        lesson: Optional[str] = typer.Argument(None, help="A lesson id (e.g. simple-net), its number, or a lesson file."),
        restart: bool = typer.Option(False, "--restart", help="Start the lesson from the beginning."),
    ) -> int:
        """Take a guided lesson: read, then compute each value yourself; every answer is checked."""
        from backprop_cli.render.lessons import run_learn

        return run_learn(lesson, restart=restart)

    app.add_typer(lessons_app, name="lessons")


@lessons_app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="Print a JSON list.")) -> None:
    """List the lessons with their progress."""
    from backprop_cli.course import catalog
    from backprop_cli.progress import Store

    lessons = catalog()
    progress, warnings = Store().load()
    if as_json:
        typer.echo(json.dumps([
            {"id": i.id, "number": i.number, "title": i.title, "summary": i.summary, "questions": i.question_count,
             "status": progress.lessons[i.id].status if i.id in progress.lessons else "not-started"}
            for i in lessons
        ], indent=2, ensure_ascii=False))
        return
    from backprop_cli.render.lessons import lesson_menu
    from backprop_cli.render.theme import console

    for warning in warnings:
        console(stderr=True).print(f"[warn]warning:[/] {warning}")
    console().print(lesson_menu(lessons, progress))


@lessons_app.command("show")
def show(lesson: str = typer.Argument(..., help="A lesson id, number, or file.")) -> None:
    """Print a whole lesson with its answers (non-interactive)."""
    from backprop_cli.course import find
    from backprop_cli.render.lessons import lesson_document
    from backprop_cli.render.theme import console

    console().print(lesson_document(find(lesson)))


@lessons_app.command("validate")
def validate(paths: List[str] = typer.Argument(None, help="Lesson files (default: every shipped lesson).")) -> int:
    """Check lesson files: schema, formulas, answer keys, listed mistakes, facts."""
    from pathlib import Path

    from backprop_cli.course.lint import lint_course
    from backprop_cli.errors import EXIT_USAGE

    files = [Path(p) for p in paths] if paths else None
    notes: list[str] = []
    problems = lint_course(files, notes)
    found = [note for note in notes if note]
    for note in found:
        typer.echo(note)
    if notes:
        typer.echo(f"{len(found)} of {len(notes)} listed mistakes of number questions are also found by the "
                   "generated diagnosis (notes, not problems)")
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        typer.echo(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found", err=True)
        return EXIT_USAGE
    from backprop_cli.course import lesson_files

    count = len(files) if files else len(lesson_files())
    typer.echo(f"{count} lesson file{'s' if count != 1 else ''} OK")
    return 0
