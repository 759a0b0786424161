"""Lesson screens: the menu table and prompt, and a whole lesson for `lessons show`; drawing only."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.table import Table
from rich.text import Text

STATUS_STYLE = {"done": ("✓ done", "good"), "in-progress": ("… in progress", "warn"), "not-started": ("not started", "muted")}


def lesson_menu(lessons, progress) -> Table:
    table = Table(title="Lessons", title_style="title", box=box.SIMPLE_HEAVY, title_justify="left")
    table.add_column("#", justify="right", style="muted")
    table.add_column("id", style="param", no_wrap=True)
    table.add_column("title")
    table.add_column("questions", justify="right")
    table.add_column("status", no_wrap=True)
    for info in lessons:
        record = progress.lessons.get(info.key or info.id)
        status = record.status if record else "not-started"
        label, style = STATUS_STYLE.get(status, (status, "muted"))
        cell = Text(label, style=style)
        if status == "done" and _under_way(record):
            cell.append(" · again in progress", style="warn")
        table.add_row(str(info.number), info.id, info.title, str(info.question_count), cell)
    return table


def _under_way(record) -> bool:
    current = record.current if record is not None else None
    return current is not None and current.active


def menu_default(lessons, progress) -> tuple[str | None, str]:
    """What Enter opens in the menu, and the verb for it: the last lesson while it is under way, else
    the next lesson not yet done (after the last one, then from the start); never a finished lesson
    (reopening one is a deliberate choice). None when every lesson is done."""
    keys = [info.key or info.id for info in lessons]
    last = progress.last_lesson
    if last in keys and _under_way(progress.lessons.get(last)):
        return lessons[keys.index(last)].id, "continue"
    start = keys.index(last) + 1 if last in keys else 0
    for info in list(lessons[start:]) + list(lessons[:start]):
        record = progress.lessons.get(info.key or info.id)
        if record is None or record.status != "done":
            return info.id, "continue" if _under_way(record) else "start"
    return None, ""


def menu_prompt(default: str | None, verb: str) -> Text:
    enter = (f"[Enter: {verb} {default}]", "muted") if default else ("[Enter: leave]", "muted")
    return Text.assemble("Lesson number or id ", enter, ", or q to leave:")


ALL_DONE = "Every lesson is done. Open one again by its number or id, or try backprop quiz --review."


def _drawn(event) -> list[RenderableType]:
    """An event as drawn, or nothing for an event that draws nothing."""
    from backprop_cli.render.conversation import render_event

    drawn = render_event(event)
    return [] if drawn is None else [drawn]


def lesson_document(lesson) -> RenderableType:
    """A whole lesson with its answers, for reading or printing (`backprop lessons show`)."""
    from backprop_cli.course import answers
    from backprop_cli.course.schema import QuestionStep
    from backprop_cli.interaction import Say
    from backprop_cli.session import LessonSession

    parts: list[RenderableType] = [Text(lesson.title, style="title"), Text(lesson.spec.summary, style="muted")]
    # Non-question steps use the session's own events, so `show` reads as the learner sees them.
    for i, step in enumerate(lesson.spec.steps):
        loc = ("steps", i)
        if step.title:
            parts.extend(_drawn(Say(step.title + (" (optional)" if step.optional else ""), "heading")))
        if not isinstance(step, QuestionStep):
            for event in LessonSession.events_for(lesson, i):
                parts.extend(_drawn(event))
            continue
        q = next(q for q in lesson.questions if q.step is step)
        parts.append(Text(f"Question {q.index + 1} ({step.ask})", style="accent"))
        parts.append(Markdown(lesson.interpolate(step.prompt, (*loc, "prompt"))))
        for k, option in enumerate(answers.options(lesson, q)):
            parts.append(Text(f"  {chr(ord('a') + k)}) {option}"))
        parts.append(Text.assemble(("Answer: ", "heading"), (answers.shown(q), "value")))
        for k, hint in enumerate(step.hints, start=1):
            parts.append(Text.assemble((f"Hint {k}: ", "hint"), lesson.interpolate(hint, (*loc, "hints", k - 1))))
        parts.append(Markdown(lesson.interpolate(step.explanation, (*loc, "explanation"))))
        for m in answers.listed_mistakes(lesson, q):
            given = chr(ord("a") + int(m.value)) if step.ask == "choice" else answers.shown_value(step.ask, m.value)
            parts.append(Text(f"  If the learner answers {given}: {m.feedback}", style="muted"))
        parts.append(Text(""))
    return Group(*parts)


def course_summary(lessons, progress) -> RenderableType:
    """The end of the course: every lesson done, the first-try rate over all of them, and review."""
    first = asked = 0
    for info in lessons:
        record = progress.lessons.get(info.key or info.id)
        attempt = next((a for a in record.attempts if a.status == "done"), None) if record else None
        if attempt is None:
            continue
        for q in attempt.questions.values():
            if q.first is not None:
                asked += 1
                first += q.first == "correct"
    rate = f"{round(100 * first / asked)}%" if asked else "—"
    return Group(
        Text("You have finished every lesson of the course.", style="title"),
        Text(f"{len(lessons)} lessons, {asked} questions, {first} right on the first try ({rate})."),
        Text.assemble("Keep it fresh: ", ("backprop review", "prompt"), " asks the skills that are due; ",
                      ("backprop progress", "prompt"), " shows each skill's mastery and next review."),
    )
