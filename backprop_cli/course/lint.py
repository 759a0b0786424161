"""The lesson validator: proves each lesson file teaches what it claims.

Beyond the schema, it runs every answer key and every listed mistake through the same checker the
learner meets, checks every ``because`` fact, every interpolation, derivation and network view,
and the course's ``requires`` links. Problems come back as ``file:line: field: problem``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import sympy

from backprop_cli.errors import FileFormatError


def lint_lesson(lesson, notes: list[str] | None = None) -> list[FileFormatError]:
    """All problems of one built lesson (an empty list when it is sound); ``notes`` collects
    information that is not a problem (listed mistakes the generator already finds)."""
    from backprop_cli.course import answers
    from backprop_cli.course.schema import (
        DeriveStep,
        NetworkStep,
        PlotStep,
        QuestionStep,
        TextStep,
    )

    problems: list[FileFormatError] = []

    def attempt(fn, *args):
        try:
            return fn(*args)
        except FileFormatError as exc:
            problems.append(exc)
            return None

    for i, step in enumerate(lesson.spec.steps):
        loc = ("steps", i)
        if isinstance(step, TextStep):
            attempt(lesson.interpolate, step.text, (*loc, "text"))
        elif isinstance(step, DeriveStep):
            attempt(_check_derive, lesson, step, loc)
        elif isinstance(step, PlotStep):
            from backprop_cli.course.plots import plot

            attempt(plot, lesson, step.plot, (*loc, "plot"))
        elif isinstance(step, NetworkStep) and lesson.network is None:
            problems.append(lesson.problem("a network step needs setup.network", (*loc, "network")))
        elif isinstance(step, QuestionStep):
            for field in ("prompt", "explanation"):
                attempt(lesson.interpolate, getattr(step, field), (*loc, field))
            for k, hint in enumerate(step.hints):
                attempt(lesson.interpolate, hint, (*loc, "hints", k))
    for question in lesson.questions:
        attempt(_check_question, lesson, question, answers)
        if notes is not None and question.step.ask == "number":
            attempt(_note_generated, lesson, question, answers, notes)
    return problems


def _note_generated(lesson, question, answers, notes: list[str]) -> None:
    """Each listed mistake the diagnosis generates by itself: the lesson may drop it."""
    from backprop_cli.course import tracing

    generated = tracing.generated(lesson, question)
    index = lesson.spec.steps.index(question.step)
    for k, mistake in enumerate(answers.listed_mistakes(lesson, question)):
        value = tracing._as_float(mistake.value)
        found = generated.finds(value) if value is not None else None
        if found is not None:
            problem = lesson.problem("", ("steps", index, "mistakes", k, "answer"))
            notes.append(f"{problem.path}:{problem.line}: {problem.field}: note: the generator finds this "
                         f"mistake itself ({found.name}: {found.feedback})")
        else:
            notes.append("")  # counted: a listed mistake only the lesson knows


def _check_derive(lesson, step, loc) -> None:
    expr = lesson.expand(lesson.parse(step.derive.expr, (*loc, "derive", "expr")))
    if step.derive.wrt not in lesson.symbols:
        raise lesson.problem(f"'{step.derive.wrt}' is not one of the setup's symbols", (*loc, "derive", "wrt"))
    if not expr.has(lesson.symbols[step.derive.wrt]):
        raise lesson.problem(f"the expression does not depend on {step.derive.wrt}", (*loc, "derive", "expr"))


def _check_question(lesson, question, answers) -> None:
    step = question.step
    index = lesson.spec.steps.index(step)
    loc = ("steps", index)
    key = answers.typed(question)
    verdict = answers.check(lesson, question, key)
    if not verdict.correct:
        raise lesson.problem(f"the answer key, typed as {key!r}, is not accepted by the checker: "
                             f"{verdict.message or verdict.status}", (*loc, "answer"))
    for k, mistake in enumerate(answers.listed_mistakes(lesson, question)):
        mloc = (*loc, "mistakes", k, "answer")
        if step.ask == "choice":
            text = "abcdefghijklmnopqrstuvwxyz"[int(mistake.value)]
        elif step.ask == "number":
            from backprop_cli import notation
            from backprop_cli.course.lesson import display_value

            text = notation.plain(display_value(mistake.value), 10)
        else:
            text = sympy.sstr(mistake.value)
        result = answers.check(lesson, question, text)
        if result.correct:
            raise lesson.problem(f"this mistake ({text}) is accepted as correct", mloc)
        if step.ask != "choice" and result.mistake != mistake.name:
            seen = f"'{result.mistake}'" if result.mistake else "no mistake"
            raise lesson.problem(f"this mistake ({text}) is not recognised as itself (the checker saw {seen})", mloc)
    if step.because is not None:
        bloc = (*loc, "because", "value")
        value = lesson.value(lesson.parse(step.because.value, bloc))
        if not value.is_number:
            raise lesson.problem("a because fact must be a number", bloc)
        from backprop_cli.course.lesson import display_value

        shown = display_value(value)  # a float well inside its range has the value's sign
        sign = "zero" if value == 0 else ("positive" if shown > 0 else "negative")
        if sign != step.because.is_:
            raise lesson.problem(f"the fact is false: the value is {sign}, not {step.because.is_}", bloc)


def lint_paths(paths: Iterable[Path], notes: list[str] | None = None) -> tuple[list, list[FileFormatError]]:
    """Load and lint files; returns (lessons that loaded, all problems)."""
    from backprop_cli.course import load
    from backprop_cli.yamlfile import FileProblems

    lessons, problems = [], []
    for path in paths:
        try:
            lesson = load(path)
        except FileProblems as exc:
            problems.extend(exc.problems)
            continue
        except FileFormatError as exc:
            problems.append(exc)
            continue
        lessons.append(lesson)
        problems.extend(lint_lesson(lesson, notes))
    ids: dict[str, str] = {}
    for lesson in lessons:
        if lesson.id in ids:
            problems.append(lesson.problem(f"the id '{lesson.id}' is also used by {ids[lesson.id]}", ("id",)))
        ids[lesson.id] = lesson.source
    return lessons, problems


def lint_course(paths: Iterable[Path] | None = None, notes: list[str] | None = None) -> list[FileFormatError]:
    """Lint the given files (default: the shipped lessons), including the ``requires`` links.

    ``notes`` (if given) receives one entry per listed mistake of a number question: a
    ``file:line: field: note: …`` line when the generated diagnosis finds it by itself, else ""."""
    from backprop_cli.course import lesson_files

    given = list(paths) if paths else lesson_files()
    lessons, problems = lint_paths(given, notes)
    known = {lesson.id for lesson in lessons}
    if not paths:
        for lesson in lessons:
            for k, req in enumerate(lesson.spec.requires):
                if req not in known:
                    problems.append(lesson.problem(f"requires '{req}', which is not a lesson", ("requires", k)))
    return problems
