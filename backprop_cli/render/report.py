"""Rich view of ``backprop report``: a table of lessons (who finished), then each lesson's questions
with the first-try rate and the most common diagnosed mistakes."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from backprop_cli.progress import percent
from backprop_cli.progress.classroom import ClassReport, LessonRow

NONE = "—"


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(names) if names else NONE


def lessons_table(report: ClassReport) -> Table:
    table = Table(title=f"Class report · {len(report.learners)} learners", title_style="title",
                  title_justify="left", box=box.SIMPLE_HEAVY)
    table.add_column("lesson", style="heading")
    table.add_column("finished", justify="right", style="value", no_wrap=True)
    table.add_column("who finished")
    table.add_column("in progress")
    total = len(report.learners)
    for lesson in report.lessons:
        table.add_row(lesson.title, f"{len(lesson.finished)}/{total}", _names(lesson.finished),
                      _names(lesson.in_progress))
    return table


def questions_table(lesson: LessonRow) -> Table:
    table = Table(title=lesson.title, title_style="heading", title_justify="left", box=box.SIMPLE_HEAVY)
    table.add_column("#", justify="right", style="muted", no_wrap=True)
    table.add_column("question")
    table.add_column("first try", justify="right", style="value", no_wrap=True)
    table.add_column("most common mistakes")
    for q in lesson.questions:
        rate = NONE if q.rate is None else f"{q.first_try}/{q.learners} ({percent(q.first_try, q.learners)}%)"
        mistakes = "\n".join(f"{n}× {text}" for text, n in q.common) or NONE
        table.add_row(str(q.number) if q.number else NONE, q.prompt or q.id, rate, mistakes)
    return table


def report_view(report: ClassReport) -> RenderableType:
    if not report.lessons:
        return Text("No lesson has been started by these learners yet.", style="muted")
    parts: list[RenderableType] = [lessons_table(report)]
    parts += [questions_table(lesson) for lesson in report.lessons if lesson.questions]
    return Group(*parts)
