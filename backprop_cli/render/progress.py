"""Rich view of ``backprop progress``: lessons with their status and score, quiz history, weak topics."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from backprop_cli.progress import LessonSummary, QuizSummary, Summary, TopicScore, percent
from backprop_cli.quiz import TOPICS

#: Quiz history shows the most recent ones; ``--json`` has them all.
MAX_QUIZZES = 10
NONE = "—"
_STATUS_STYLE = {"done": "good", "in-progress": "accent", "not-started": "muted"}


def status_text(status: str) -> Text:
    return Text(status.replace("-", " "), style=_STATUS_STYLE.get(status, ""))


def lesson_name(lesson: LessonSummary) -> str:
    return lesson.title or lesson.id


def _at_step(lesson: LessonSummary) -> str:
    """1-based, and only while a lesson is under way: the step it will resume at."""
    return str(lesson.step + 1) if lesson.status == "in-progress" else NONE


def _percent(score: int, total: int) -> str:
    return f"{percent(score, total)}%" if total else NONE


def lessons_table(lessons: tuple[LessonSummary, ...]) -> Table:
    numbered = any(lesson.number is not None for lesson in lessons)
    table = Table(title="Lessons", title_style="title", title_justify="left", box=box.SIMPLE_HEAVY)
    if numbered:
        table.add_column("#", justify="right", style="muted")
    table.add_column("lesson", style="heading")
    table.add_column("status", no_wrap=True)
    table.add_column("at step", justify="right")
    table.add_column("correct", justify="right", style="value")
    table.add_column("hints", justify="right", style="hint")
    table.add_column("skips", justify="right")
    for lesson in lessons:
        started = lesson.asked > 0
        number = [NONE if lesson.number is None else str(lesson.number)] if numbered else []
        table.add_row(
            *number,
            lesson_name(lesson),
            status_text(lesson.status),
            _at_step(lesson),
            f"{lesson.correct}/{lesson.asked}" if started else NONE,
            str(lesson.hints) if started else NONE,
            str(lesson.skipped) if started else NONE,
        )
    return table


def last_lesson_line(lesson: LessonSummary) -> Text:
    out = Text("Last lesson: ", style="heading")
    out.append(lesson_name(lesson), style="accent")
    if lesson.title:
        out.append(f" ({lesson.id})", style="muted")
    if lesson.status == "in-progress":
        out.append(f", at step {lesson.step + 1}.\nContinue with ")
        out.append(f"backprop learn {lesson.id}", style="prompt")
    else:
        out.append(f", {lesson.status.replace('-', ' ')}.")
    return out


def quiz_table(quizzes: tuple[QuizSummary, ...]) -> Table:
    shown = quizzes[-MAX_QUIZZES:]
    title = "Quiz history"
    if len(quizzes) > len(shown):
        title += f" (last {len(shown)} of {len(quizzes)})"
    table = Table(title=title, title_style="title", title_justify="left", box=box.SIMPLE_HEAVY)
    table.add_column("date", no_wrap=True)
    table.add_column("seed", justify="right", style="muted")
    table.add_column("topics")
    table.add_column("score", justify="right", style="value", no_wrap=True)
    table.add_column("%", justify="right", no_wrap=True)
    table.add_column("hinted", justify="right", style="hint")
    for quiz in shown:
        table.add_row(
            quiz.when[:10] if quiz.when else NONE,
            str(quiz.seed),
            _topics(quiz.topics),
            f"{quiz.score}/{quiz.total}",
            _percent(quiz.score, quiz.total),
            str(quiz.hinted),
        )
    return table


def _topics(topics: tuple[str, ...]) -> str:
    """A quiz over every topic (the quiz saves them all by name) reads "all", not seven names."""
    return "all" if not topics or set(topics) >= set(TOPICS) else ", ".join(topics)


def weakest_table(weakest: tuple[TopicScore, ...]) -> Table:
    table = Table(title="Weakest topics (quiz items, all quizzes)", title_style="title",
                  title_justify="left", box=box.SIMPLE_HEAVY)
    table.add_column("topic", style="param")
    table.add_column("correct", justify="right", style="value")
    table.add_column("%", justify="right")
    table.add_column("with a hint", justify="right", style="hint")
    for score in weakest:
        table.add_row(score.topic, f"{score.correct}/{score.total}", _percent(score.correct, score.total), str(score.hinted))
    return table


def summary_view(summary: Summary) -> RenderableType:
    parts: list[RenderableType] = []
    if summary.lessons:
        parts.append(lessons_table(summary.lessons))
    last = summary.last
    if last is not None:
        parts += [last_lesson_line(last), Text("")]
    if summary.quizzes:
        parts.append(quiz_table(summary.quizzes))
        if summary.weakest:
            parts.append(weakest_table(summary.weakest))
            first = summary.weakest[0].topic
            parts += [Text.assemble("Practise it with ", (f"backprop quiz --topic {first}", "prompt"),
                                    " or ", ("backprop quiz --review", "prompt"), "."), Text("")]
    else:
        parts += [Text.assemble("No quizzes yet: try ", ("backprop quiz", "prompt"), "."), Text("")]
    if not any(lesson.asked or lesson.status != "not-started" for lesson in summary.lessons):
        parts.append(Text.assemble("No lesson started yet: begin with ", ("backprop learn", "prompt"), "."))
    parts.append(Text(f"Saved in {summary.path}", style="muted"))
    return Group(*parts)
