"""`backprop learn` (guided lessons) and `backprop lessons list|show|validate`."""

from __future__ import annotations

import json

import typer

lessons_app = typer.Typer(help="List, read and validate lessons.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    @app.command()
    def learn(
        lesson: str | None = typer.Argument(None, help="A lesson id (e.g. simple-net), its number, or a lesson file."),
        restart: bool = typer.Option(False, "--restart", help="Start the lesson from the beginning."),
        vary: bool = typer.Option(False, "--vary", help="The lesson again with fresh numbers (lessons that "
                                                        "declare vary: simple-net, sigmoid-net)."),
        seed: int | None = typer.Option(None, "--seed", help="Replay the fresh numbers of this seed."),
        force: bool = typer.Option(False, "--force", help="Take a lesson that fails validation anyway."),
    ) -> int:
        """Take a guided lesson: read, then compute each value yourself; every answer is checked."""
        return run_learn(lesson, restart=restart, vary=vary or seed is not None, seed=seed, force=force)

    from backprop_cli.commands import authoring

    authoring.register(lessons_app, app)
    app.add_typer(lessons_app, name="lessons")


def _choose(lessons, progress, con) -> str | None:
    """The menu: returns the chosen lesson id, or None when the learner leaves."""
    from rich.text import Text

    from backprop_cli.render.conversation import LineReader
    from backprop_cli.render.lessons import ALL_DONE, lesson_menu, menu_default, menu_prompt

    con.print(lesson_menu(lessons, progress))
    ids = [i.id for i in lessons]
    default, verb = menu_default(lessons, progress)
    reader = LineReader(con)
    if default is None:
        con.print(Text(ALL_DONE, style="good"))
    while True:
        con.print(menu_prompt(default, verb))
        line = reader.read().strip()
        if line.lower() in ("q", "quit", "exit"):
            return None
        if not line:
            return default
        if line.isdigit() and 1 <= int(line) <= len(lessons):
            return ids[int(line) - 1]
        if line in ids:
            return line
        con.print(Text(f"No lesson '{line}'. Type a number from 1 to {len(ids)}, an id, or q.", style="warn"))


def checked(reference: str, force: bool):
    """The lesson, validated first: its problems as `lessons validate` prints them (exit 2), unless
    ``force`` (then a warning line, and on). None when refused: the problems are already printed."""
    from backprop_cli.course.lint import Refused, open_checked
    from backprop_cli.errors import warn

    try:
        lesson, problems = open_checked(reference, force=force)
    except Refused as exc:
        for line in exc.lines:
            typer.echo(line, err=True)
        return None
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        warn(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found; going on because of --force")
    return lesson


def run_learn(reference: str | None, *, restart: bool = False, vary: bool = False, seed: int | None = None,
              force: bool = False) -> int:
    """`backprop learn`: pick (or continue) a lesson and converse until it ends or the learner leaves;
    at the end of a lesson of the menu, offer the next one not yet done."""
    from backprop_cli import course
    from backprop_cli.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, warn
    from backprop_cli.progress import Store
    from backprop_cli.render.conversation import converse
    from backprop_cli.render.theme import console
    from backprop_cli.session import LessonSession

    con = console()
    store = Store()
    progress, warnings = store.load()
    for warning in warnings:
        warn(warning)
    number = None
    if reference is None:
        problems: list[str] = []
        lessons = course.catalog(problems)
        for problem in problems:
            warn(problem)
        try:
            chosen = _choose(lessons, progress, con)
        except EOFError:
            return EXIT_OK
        except KeyboardInterrupt:
            con.print()
            return EXIT_INTERRUPTED
        if chosen is None:
            return EXIT_OK
        lesson = checked(chosen, force)
        if lesson is None:
            return EXIT_USAGE
        number = next(i.number for i in lessons if i.id == chosen)
    else:
        lesson = checked(reference, force)
        if lesson is None:
            return EXIT_USAGE
        number = course.shipped_number(lesson) or _menu_number(lesson)
    lesson = _numbers(lesson, progress, vary, seed, restart=restart)
    while True:
        session = LessonSession(lesson, store, progress, restart=restart, number=number)
        code = converse(session, con)
        if code != EXIT_OK or not session.finished or number is None:
            return code
        progress, _ = store.load()
        following = _offer_next(course.catalog(), progress, session.key, con, again=bool(lesson.spec.vary))
        if following is None:
            return EXIT_OK
        if following == "again":
            lesson, restart = _numbers(lesson, progress, True, None, restart=True), True
            continue
        lesson, number, restart = course.find(following.id), following.number, False


def _numbers(lesson, progress, vary: bool, seed: int | None, *, restart: bool = False):
    """The lesson with the numbers to use: fresh ones (``--vary``: a new seed; ``--seed N``: that
    seed's), those of the attempt under way (unless restarting), or the file's own."""
    import random

    from backprop_cli import course
    from backprop_cli.errors import UsageError

    if vary:
        if not lesson.spec.vary:
            raise UsageError(f"lesson {lesson.id} has no vary: its numbers are fixed")
        return course.load(lesson.source, seed if seed is not None else random.SystemRandom().randint(1000, 9999))
    if restart:
        return lesson
    record = progress.lessons.get(course.identity(lesson)[0])
    current = record.current if record is not None else None
    if current is not None and current.active and current.seed is not None and lesson.spec.vary:
        return course.load(lesson.source, current.seed)  # resume with the numbers it began with
    return lesson


def _offer_next(lessons, progress, finished_key: str, con, *, again: bool = False):
    """After a lesson of the menu: the next lesson not yet done, offered (Enter starts it); at the end
    of the course, the course's summary and a pointer to review. Returns the lesson to open, or None."""
    from rich.text import Text

    from backprop_cli.render.conversation import LineReader
    from backprop_cli.render.lessons import course_summary

    keys = [info.key for info in lessons]
    start = keys.index(finished_key) + 1 if finished_key in keys else 0
    ordered = list(lessons[start:]) + list(lessons[:start])
    following = next((info for info in ordered if _status(progress, info.key) != "done"), None)
    con.print()
    if following is None:
        con.print(course_summary(lessons, progress))
        if not again:
            return None
        offer = Text.assemble(("a: this lesson again with new numbers, q: leave", "muted"))
    else:
        choices = "Enter: start it, a: this lesson again with new numbers, q: leave" if again else \
            "Enter: start it, q: leave"
        offer = Text.assemble(("Next: ", "heading"), f"Lesson {following.number} · {following.title}  ",
                              (f"[{choices}]", "muted"))
    con.print(offer)
    try:
        line = LineReader(con).read().strip().lower()
    except (EOFError, KeyboardInterrupt):
        return None
    if again and line in ("a", "again"):
        return "again"
    return following if following is not None and line in ("", "y", "yes") else None


def _status(progress, key: str) -> str:
    record = progress.lessons.get(key)
    return record.status if record is not None else "not-started"


def _menu_number(lesson) -> int | None:
    """A teacher's lesson opened by id has its menu number too (not when opened by path)."""
    from backprop_cli import course

    key = course.identity(lesson)[0]
    return next((i.number for i in course.catalog() if i.key == key), None)


@lessons_app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="Print a JSON list.")) -> None:
    """List the lessons with their progress."""
    from backprop_cli.course import catalog
    from backprop_cli.errors import warn
    from backprop_cli.progress import Store

    problems: list[str] = []
    lessons = catalog(problems)
    progress, warnings = Store().load()
    for warning in warnings + problems:
        warn(warning)
    if as_json:
        typer.echo(json.dumps([
            {"id": i.id, "number": i.number, "title": i.title, "summary": i.summary, "questions": i.question_count,
             "status": progress.lessons[i.key].status if i.key in progress.lessons else "not-started",
             "source": i.source, "file": str(i.path)}
            for i in lessons
        ], indent=2, ensure_ascii=False))
        return
    from backprop_cli.render.lessons import lesson_menu
    from backprop_cli.render.theme import console

    console().print(lesson_menu(lessons, progress))


@lessons_app.command("show")
def show(
    lesson: str = typer.Argument(..., help="A lesson id, number, or file."),
    force: bool = typer.Option(False, "--force", help="Show a lesson that fails validation anyway."),
) -> int:
    """Print a whole lesson with its answers (non-interactive)."""
    from backprop_cli.errors import EXIT_USAGE
    from backprop_cli.render.lessons import lesson_document
    from backprop_cli.render.theme import console

    found = checked(lesson, force)
    if found is None:
        return EXIT_USAGE
    console().print(lesson_document(found))
    return 0


@lessons_app.command("validate")
def validate(
    paths: list[str] = typer.Argument(None, help="Lesson files (default: every shipped lesson)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Check every file afresh (an unchanged file's "
                                  "result is otherwise remembered from the last run)."),
) -> int:
    """Check lesson files: schema, formulas, answer keys, listed mistakes, facts."""
    from pathlib import Path

    from backprop_cli.course import lesson_files
    from backprop_cli.course.validation import run
    from backprop_cli.errors import EXIT_USAGE

    files = [Path(p) for p in paths] if paths else None
    notes, problems = run(files, cache=not no_cache)  # fresh numbers (vary) included
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
    count = len(files) if files else len(lesson_files())
    typer.echo(f"{count} lesson file{'s' if count != 1 else ''} OK")
    return 0
