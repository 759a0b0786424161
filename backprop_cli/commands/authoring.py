"""A teacher's commands: `lessons new|add|schema|play` and `network schema`."""

from __future__ import annotations

from pathlib import Path

import typer

network_app = typer.Typer(help="Network files: their JSON Schema for editors.", no_args_is_help=True)


def register(lessons_app: typer.Typer, app: typer.Typer) -> None:
    @lessons_app.command("new")
    def new(
        lesson_id: str = typer.Argument(..., metavar="ID", help="The new lesson's id, e.g. my-first-lesson."),
        network: str | None = typer.Option(None, "--network", metavar="NAME|FILE",
                                              help="A built-in network, or a network file to use (a commented "
                                                   "skeleton is written there if it does not exist)."),
        folder: Path = typer.Option(Path("."), "--folder", help="Where to write the files (default: here)."),
    ) -> None:
        """Write a commented template lesson that validates as written and uses every step kind once."""
        from backprop_cli.course.toolkit import new_lesson

        written = new_lesson(lesson_id, folder, network)
        typer.echo(f"Wrote {written.lesson}" + (f" and the network skeleton {written.network}" if written.network
                                                else ""))
        typer.echo(f"Next: backprop lessons validate {written.lesson}   (then: lessons play, learn, lessons add)")

    @lessons_app.command("add")
    def add(
        path: Path = typer.Argument(..., metavar="FILE", help="A lesson file (its network file comes along)."),
        force: bool = typer.Option(False, "--force", help="Replace a different file of the same name."),
    ) -> None:
        """Copy a lesson into your lessons folder, so it appears in `learn`'s menu and `lessons list`."""
        from backprop_cli.course import catalog, user_lessons_dir
        from backprop_cli.course.toolkit import add_lesson

        added = add_lesson(path, user_lessons_dir(), force=force)
        number = next((i.number for i in catalog() if i.id == added.id), None)
        typer.echo(f"Added {added.title} ({added.id}) to {added.lesson.parent}"
                   + (f", with its network {added.network.name}" if added.network else "") + ".")
        if number is not None:
            typer.echo(f"It is lesson {number} in the menu: backprop learn {added.id}")

    @lessons_app.command("schema")
    def lesson_schema(
        output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    ) -> None:
        """Print the JSON Schema of lesson files (for completion and checking in your editor)."""
        from backprop_cli.course.toolkit import dumps_schema, lesson_schema

        _emit(dumps_schema(lesson_schema()), output)

    @network_app.command("schema")
    def network_schema(
        output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    ) -> None:
        """Print the JSON Schema of network files."""
        from backprop_cli.course.toolkit import dumps_schema, network_schema

        _emit(dumps_schema(network_schema()), output)

    @lessons_app.command("play")
    def play(
        lesson: str = typer.Argument(..., metavar="LESSON", help="A lesson file, id or number."),
        force: bool = typer.Option(False, "--force", help="Preview a lesson that fails validation anyway."),
    ) -> int:
        """Preview a lesson: each question gets its listed mistakes, then its answer key; see what a
        learner would see. Nothing is saved."""
        from rich.rule import Rule
        from rich.text import Text

        from backprop_cli.commands.learn import checked
        from backprop_cli.course.preview import play as play_lesson
        from backprop_cli.render.conversation import PROMPT, draw_events
        from backprop_cli.render.theme import console

        found = checked(lesson, force)
        if found is None:
            return 2
        con = console()
        con.print(Rule(Text("Preview: each question gets its listed mistakes, then its answer key", style="muted")))
        for turn in play_lesson(found):
            if turn.typed is not None:
                con.print(Text.assemble((PROMPT, "prompt"), turn.typed, (f"   ({turn.note})", "muted")))
            draw_events(con, turn.events)
        return 0

    app.add_typer(network_app, name="network")


def _emit(text: str, output: Path | None) -> None:
    from backprop_cli.errors import UsageError

    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    typer.echo(f"Wrote {output}")
