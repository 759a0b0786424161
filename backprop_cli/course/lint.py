"""The lesson validator: proves each lesson file teaches what it claims.

Beyond the schema, it runs every answer key and every listed mistake through the same checker the
learner meets, checks every ``because`` fact, every interpolation, derivation and network view,
and the course's ``requires`` links. Problems come back as ``file:line: field: problem``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from backprop_cli.errors import FileFormatError, UsageError


def lint_lesson(lesson, notes: list[str] | None = None, *, plots: bool = True,
                formulas: bool = True) -> list[FileFormatError]:
    """All problems of one built lesson (an empty list when it is sound); ``notes`` collects
    information that is not a problem (listed mistakes the generator already finds). ``plots=False``
    and ``formulas=False`` leave out the pictures and the formula questions, which do not depend on
    the numbers (fresh numbers are checked for what does; the rest once).

    Every step is checked, one problem not hiding the next; a check that depends on something that
    already failed is skipped (:class:`~backprop_cli.course.lesson.Skipped`), not reported again."""
    from backprop_cli.course import answers
    from backprop_cli.course.lesson import collect
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
            collect(problems, exc)
            return None

    for i, step in enumerate(lesson.spec.steps):
        loc = ("steps", i)
        if isinstance(step, TextStep):
            attempt(lesson.interpolate, step.text, (*loc, "text"))
        elif isinstance(step, DeriveStep):
            attempt(_check_derive, lesson, step, loc)
        elif isinstance(step, PlotStep) and plots:
            from backprop_cli.course.plots import picture

            attempt(picture, lesson, step.plot, (*loc, "plot"))
        elif isinstance(step, NetworkStep) and lesson.network is None and "*" not in lesson.failed:
            problems.append(lesson.problem("a network step needs setup.network", (*loc, "network")))
        elif isinstance(step, QuestionStep):
            for field in ("prompt", "explanation", "bare"):
                if getattr(step, field) is not None:
                    attempt(lesson.interpolate, getattr(step, field), (*loc, field))
            for k, hint in enumerate(step.hints):
                attempt(lesson.interpolate, hint, (*loc, "hints", k))
            for k, option in enumerate(step.options or ()):
                attempt(lesson.interpolate, option, (*loc, "options", k))
            if step.because is not None:
                attempt(_check_because, lesson, step, loc)
    for question in lesson.questions:
        if not formulas and question.step.ask == "expression":
            continue
        mistakes = []
        for k in range(len(question.step.mistakes)):
            mistake = attempt(answers.listed_mistake, lesson, question, k)
            if mistake is not None:
                mistakes.append((k, mistake))
        answers.use_mistakes(lesson, question, [m for _, m in mistakes])
        if attempt(_check_key, lesson, question, answers):
            for k, mistake in mistakes:
                attempt(_check_mistake, lesson, question, k, mistake, answers)
            if notes is not None and question.step.ask == "number":
                attempt(_note_generated, lesson, question, mistakes, notes)
    return problems


def _note_generated(lesson, question, mistakes: list, notes: list[str]) -> None:
    """Each listed mistake the diagnosis generates by itself: the lesson may drop it."""
    from backprop_cli.course import tracing

    generated = tracing.generated(lesson, question)
    index = lesson.step_index(question.step)
    for k, mistake in mistakes:
        value = tracing._as_float(mistake.value)
        found = generated.finds(value) if value is not None else None
        if found is not None:
            problem = lesson.problem("", ("steps", index, "mistakes", k, "answer"))
            notes.append(f"{problem.path}:{problem.line}: {problem.field}: note: the generated diagnosis already "
                         f"finds this mistake (it says: “{found.feedback}”); listing it is optional")
        else:
            notes.append("")  # counted: a listed mistake only the lesson knows


def _check_derive(lesson, step, loc) -> None:
    if step.derive.wrt not in lesson.symbols:
        raise lesson.problem(f"'{step.derive.wrt}' is not one of the setup's symbols", (*loc, "derive", "wrt"))
    expr = lesson.expand(lesson.parse(step.derive.expr, (*loc, "derive", "expr")))
    if not expr.has(lesson.symbols[step.derive.wrt]):
        raise lesson.problem(f"the expression does not depend on {step.derive.wrt}", (*loc, "derive", "expr"))


def _check_key(lesson, question, answers) -> bool:
    """The answer key, typed as a learner would, is accepted (else the mistakes are not checked)."""
    key = answers.typed(question)
    verdict = answers.check(lesson, question, key)
    if not verdict.correct:
        index = lesson.step_index(question.step)
        said = f": “{verdict.message}”" if verdict.message else ""
        raise lesson.problem(f"the answer key, typed as {key!r} by a learner, is not accepted by the checker{said}",
                             ("steps", index, "answer"))
    return True


def _check_mistake(lesson, question, k: int, mistake, answers) -> None:
    """A learner typing this listed mistake is shown its feedback; else say why not, in the author's terms."""
    index = lesson.step_index(question.step)
    text = answers.typed_value(question.step.ask, mistake.value)
    result = answers.check(lesson, question, text)
    mloc = ("steps", index, "mistakes", k, "answer")
    if result.correct:
        raise lesson.problem(f"this mistake ({text}) is accepted as correct: it equals the answer key (or is "
                             "within the rounding the checker allows), so a learner typing it is told it is right; "
                             "change it or remove it", mloc)
    if question.step.ask == "choice" or result.mistake == mistake.name:
        return
    other = next((j for j, m in enumerate(question.step.mistakes)
                  if result.mistake == answers.listed_mistake_name(question, j)), None)
    if other is not None:
        raise lesson.problem(f"this mistake ({text}) has the value of mistakes[{other}], whose feedback is shown "
                             "instead: remove one of them, or change its answer", mloc)
    if result.status == "invalid":
        raise lesson.problem(f"a learner typing this mistake ({text}) is not shown its feedback but asked again "
                             f"(“{result.message}”): change its answer", mloc)
    if result.message:
        raise lesson.problem(f"the checker already explains {text} as “{result.message}”, so this listed mistake "
                             "is not needed: its feedback would never be shown (remove it, or list a different "
                             "wrong answer)", mloc)
    raise lesson.problem(f"a learner typing this mistake ({text}) is told only that it is wrong, not shown its "
                         "feedback: change its answer", mloc)


def _check_because(lesson, step, loc) -> None:
    bloc = (*loc, "because", "value")
    value = lesson.value(lesson.parse(step.because.value, bloc))
    if not value.is_number:
        free = ", ".join(sorted(str(s) for s in value.free_symbols))
        raise lesson.problem(f"a because fact must be a number, but it depends on {free}", bloc)
    from backprop_cli.course.lesson import display_value

    shown = display_value(value)  # a float well inside its range has the value's sign
    sign = "zero" if value == 0 else ("positive" if shown > 0 else "negative")
    if sign != step.because.is_:
        raise lesson.problem(f"the fact is false: the value is {sign}, not {step.because.is_}", bloc)


def load_lesson(path: Path):
    """Load one lesson file for validation: (the lesson, or None when it cannot be built at all,
    and every problem found on the way). Schema problems come all at once, and stop there."""
    from backprop_cli.course.lesson import build
    from backprop_cli.course.schema import SCHEMA_VERSION, LessonFile
    from backprop_cli.yamlfile import FileProblems, load_file, validate

    problems: list[FileFormatError] = []
    try:
        data, lines = load_file(path)
        if isinstance(data, dict) and data.get("version", SCHEMA_VERSION) != SCHEMA_VERSION:
            raise FileFormatError(str(path), f"version {data.get('version')!r} is not supported (this tool reads "
                                  f"version {SCHEMA_VERSION})", lines.line(("version",)), "version")
        spec = validate(LessonFile, data, lines, str(path))
    except FileProblems as exc:
        return None, list(exc.problems)
    except FileFormatError as exc:
        return None, [exc]
    lesson = build(spec, str(path), lines, path.parent, problems)
    return lesson, problems


def lint_paths(paths: Iterable[Path], notes: list[str] | None = None) -> tuple[list, list[FileFormatError]]:
    """Load and lint files; returns (lessons that loaded, all problems)."""
    lessons, problems = [], []
    for path in paths:
        lesson, found = load_lesson(Path(path))
        if lesson is not None:
            lessons.append(lesson)
            found.extend(lint_lesson(lesson, notes))
        problems.extend(sorted(found, key=lambda p: p.line or 0))
    ids: dict[str, str] = {}
    for lesson in lessons:
        if lesson.id in ids:
            problems.append(lesson.problem(f"the id '{lesson.id}' is also used by {ids[lesson.id]}", ("id",)))
        ids[lesson.id] = lesson.source
    return lessons, problems


def lint_course(paths: Iterable[Path] | None = None, notes: list[str] | None = None,
                built: list | None = None) -> list[FileFormatError]:
    """Lint the given files (default: the shipped lessons), including the ``requires`` links.

    ``notes`` (if given) receives one entry per listed mistake of a number question: a
    ``file:line: field: note: …`` line when the generated diagnosis finds it by itself, else "".
    ``built`` (if given) receives the lessons that could be built, for further checks."""
    from backprop_cli.course import lesson_files

    given = list(paths) if paths else lesson_files()
    lessons, problems = lint_paths(given, notes)
    if built is not None:
        built.extend(lessons)
    known = {lesson.id for lesson in lessons}
    if not paths:
        for lesson in lessons:
            for k, req in enumerate(lesson.spec.requires):
                if req not in known:
                    problems.append(lesson.problem(f"requires '{req}', which is not a lesson", ("requires", k)))
    return problems


class Refused(UsageError):
    """A lesson that fails validation, refused before it is taught or shown: its problems, one line
    each as ``lessons validate`` prints them, then a count line."""

    def __init__(self, problems: list[FileFormatError], *, runnable: bool):
        self.problems = problems
        self.runnable = runnable
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found"
        if runnable:
            count += ": fix them (backprop lessons validate FILE), or give --force to go on anyway"
        else:
            count += ": the lesson cannot be built, so it cannot be run (not even with --force)"
        self.lines = [str(p) for p in problems] + [count]
        super().__init__("\n".join(self.lines))


def open_checked(reference: str, *, force: bool = False):
    """The lesson ``reference`` names, validated as ``lessons validate`` does: a lesson with problems
    raises :class:`Refused`; with ``force`` one that can be built is returned with its problems
    (the caller warns), one that cannot is refused all the same. Returns (lesson, problems)."""
    from backprop_cli.course import find
    from backprop_cli.yamlfile import FileProblems

    path = Path(reference)
    built: list[FileFormatError] = []
    if path.is_file():
        lesson, built = load_lesson(path)  # every problem, as `lessons validate` finds them
    else:
        try:
            lesson = find(reference)
        except FileProblems as exc:
            raise Refused(exc.problems, runnable=False) from None
    problems = sorted(built + (lint_lesson(lesson) if lesson is not None else []), key=lambda p: p.line or 0)
    if built or lesson is None:
        raise Refused(problems, runnable=False)
    if problems and not force:
        raise Refused(problems, runnable=True)
    return lesson, problems
