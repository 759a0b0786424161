"""Rich view of ``backprop progress``: lessons with their status and score, quiz history, weak topics."""

from __future__ import annotations

from datetime import datetime, timezone

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from backprop_cli.progress import LessonSummary, QuizSummary, SkillSummary, Summary, TopicScore, percent
from backprop_cli.quiz import TOPICS

#: Quiz history shows the most recent ones; ``--json`` has them all.
MAX_QUIZZES = 10
NONE = "—"
_STATUS_STYLE = {"done": "good", "in-progress": "accent", "not-started": "muted"}


def status_text(status: str) -> Text:
    return Text(status.replace("-", " "), style=_STATUS_STYLE.get(status, ""))


def lesson_name(lesson: LessonSummary) -> str:
    return lesson.title or lesson.id


def _at(lesson: LessonSummary) -> str:
    """The question a lesson under way resumes at (its number, e.g. "Q4"); — otherwise."""
    return f"Q{lesson.at_question}" if lesson.at_question is not None else NONE


def _status(lesson: LessonSummary) -> Text:
    text = status_text(lesson.status)
    if lesson.again:
        text.append(" (again)", style="accent")
    return text


def _percent(score: int, total: int) -> str:
    return f"{percent(score, total)}%" if total else NONE


#: Below this width the hints and skips columns give their room to the titles.
NARROW = 72
#: What the columns other than the title take, borders and padding included (wide, narrow).
_FIXED = (54, 37)


class LessonsTable:
    """The lessons table, laid out for the width it is drawn at: one line per lesson, the title cut
    with … rather than wrapped, and the hint and skip counts left out when the terminal is narrow."""

    def __init__(self, lessons: tuple[LessonSummary, ...]):
        self.lessons = lessons

    def __rich_console__(self, console, options):
        yield lessons_table(self.lessons, options.max_width)


def lessons_table(lessons: tuple[LessonSummary, ...], width: int = 100) -> Table:
    numbered = any(lesson.number is not None for lesson in lessons)
    narrow = width < NARROW
    table = Table(title="Lessons", title_style="title", title_justify="left", box=box.SIMPLE_HEAVY)
    if numbered:
        table.add_column("#", justify="right", style="muted", no_wrap=True)
    title_room = max(10, width - _FIXED[narrow])
    table.add_column("lesson", style="heading", no_wrap=True, overflow="ellipsis", max_width=title_room)
    table.add_column("status", no_wrap=True)
    table.add_column("at", justify="right", no_wrap=True)
    table.add_column("correct", justify="right", style="value", no_wrap=True)
    if not narrow:
        table.add_column("hints", justify="right", style="hint", no_wrap=True)
        table.add_column("skips", justify="right", no_wrap=True)
    for lesson in lessons:
        started = lesson.asked > 0
        number = [NONE if lesson.number is None else str(lesson.number)] if numbered else []
        counts = [] if narrow else [str(lesson.hints) if started else NONE, str(lesson.skipped) if started else NONE]
        table.add_row(
            *number,
            lesson_name(lesson),
            _status(lesson),
            _at(lesson),
            f"{lesson.correct}/{lesson.asked}" if started else NONE,
            *counts,
        )
    return table


def last_lesson_line(lesson: LessonSummary) -> Text:
    out = Text("Last lesson: ", style="heading")
    out.append(lesson_name(lesson), style="accent")
    if lesson.title:
        out.append(f" ({lesson.id})", style="muted")
    if lesson.at_question is not None:
        total = f" of {lesson.questions}" if lesson.questions else ""
        out.append(f", at question {lesson.at_question}{total}" + (":" if lesson.at_prompt else "."))
        if lesson.at_prompt:
            out.append(f"\n  {lesson.at_prompt}", style="muted")
        out.append("\nContinue with ")
        out.append(f"backprop learn {_learn_argument(lesson)}", style="prompt")
    else:
        out.append(f", {lesson.status.replace('-', ' ')}.")
    return out


def _learn_argument(lesson: LessonSummary) -> str:
    """What to type after ``backprop learn``: the id of a shipped lesson, the file of any other."""
    from backprop_cli.progress import SHIPPED

    return lesson.id if lesson.source == SHIPPED else lesson.source


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
    table.add_column("hints used", justify="right", style="hint")
    for quiz in shown:
        table.add_row(
            quiz.when[:10] if quiz.when else NONE,
            str(quiz.seed),
            _topics(quiz.topics),
            f"{quiz.score}/{quiz.total}",
            _percent(quiz.score, quiz.total),
            str(quiz.with_hints),
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


BAR = 10


def _bar(mastery: float) -> Text:
    filled = round(mastery * BAR)
    return Text.assemble(("█" * filled, "good" if mastery >= 0.95 else "accent"), ("░" * (BAR - filled), "muted"))


def _due(skill: SkillSummary, now: datetime) -> str:
    """When a skill's next review is: now, in minutes, hours or days, or a date a month off."""
    if skill.due is None:
        return NONE
    if skill.due_now:
        return "now"
    seconds = (datetime.fromisoformat(skill.due) - now).total_seconds()
    if seconds < 3600:
        return f"in {max(1, round(seconds / 60))} min"
    if seconds < 86400:
        return f"in {round(seconds / 3600)} h"
    days = seconds / 86400
    return f"in {round(days)} d" if days < 30 else datetime.fromisoformat(skill.due).date().isoformat()


def skills_table(skills: tuple[SkillSummary, ...], now: datetime | None = None) -> Table:
    now = now or datetime.now(timezone.utc)
    table = Table(title="Skills (mastery, next review)", title_style="title", title_justify="left",
                  box=box.SIMPLE_HEAVY)
    table.add_column("skill", style="heading", no_wrap=True, overflow="ellipsis", max_width=28)
    table.add_column("mastery", no_wrap=True)
    table.add_column("%", justify="right", no_wrap=True)
    table.add_column("tries", justify="right", style="muted", no_wrap=True)
    table.add_column("review", justify="right", no_wrap=True)
    for skill in skills:
        if not skill.opportunities:
            continue
        table.add_row(skill.title, _bar(skill.mastery), f"{percent(round(skill.mastery * 1000), 1000)}%",
                      str(skill.opportunities), _due(skill, now))
    return table


def summary_view(summary: Summary) -> RenderableType:
    parts: list[RenderableType] = []
    if summary.lessons:
        parts.append(LessonsTable(summary.lessons))
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
    if any(skill.opportunities for skill in summary.skills):
        parts.append(skills_table(summary.skills))
        if any(skill.due_now for skill in summary.skills):
            parts += [Text.assemble("Some skills are due for review: ", ("backprop review", "prompt"), "."), Text("")]
    if not any(lesson.asked or lesson.status != "not-started" for lesson in summary.lessons):
        parts.append(Text.assemble("No lesson started yet: begin with ", ("backprop learn", "prompt"), "."))
    parts.append(Text(f"Saved in {summary.path}", style="muted"))
    return Group(*parts)
