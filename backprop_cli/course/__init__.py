"""The course: lesson files (content as data), their loader, and the lesson validator.

The YAML lives in the repository's top-level ``lessons/`` folder and ships inside the wheel as
``backprop_cli/lessons/``; :func:`lessons_dir` finds whichever is present.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from backprop_cli.errors import UsageError


def lessons_dir() -> Path:
    """The shipped lessons: inside the installed package, or the repository's folder in a checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "lessons", here.parent / "lessons"):
        if candidate.is_dir() and any(candidate.glob("*.yaml")):
            return candidate
    raise UsageError("the lesson files are missing from this installation (reinstall backprop)")


def lesson_files() -> list[Path]:
    return sorted(lessons_dir().glob("*.yaml"))


@dataclass(frozen=True)
class LessonInfo:
    id: str
    title: str
    summary: str
    number: int  # position in the course menu, from 1
    question_count: int
    path: Path
    key: str = ""  # how the progress file names it (see ``identity``)
    source: str = "shipped"
    questions: tuple[tuple[str, str], ...] = ()  # (question id, its prompt shortened to one line)


def identity(lesson) -> tuple[str, str]:
    """How the learner's record names a lesson: ``(key, source)``. A shipped lesson is its id; a lesson
    from any other file is ``id@path``, so a teacher's copy of a shipped lesson (same id) keeps a
    record of its own and never shows the shipped lesson's progress, or adds to it."""
    from backprop_cli.progress import SHIPPED, lesson_key

    path = Path(lesson.source).resolve()
    try:
        shipped = path.parent == lessons_dir().resolve()
    except UsageError:
        shipped = False
    source = SHIPPED if shipped else str(path)
    return lesson_key(lesson.id, source), source


def short_prompt(lesson, question) -> str:
    """A question's prompt as one plain line (for summaries and ``progress``)."""
    index = lesson.spec.steps.index(question.step)
    text = lesson.interpolate(question.step.prompt, ("steps", index, "prompt"))
    text = " ".join(text.replace("**", "").replace("`", "").split())
    return text if len(text) <= 60 else text[:57] + "…"


def info(lesson, number: int) -> LessonInfo:
    key, source = identity(lesson)
    return LessonInfo(lesson.id, lesson.title, lesson.spec.summary, number, len(lesson.questions),
                      Path(lesson.source), key, source,
                      tuple((q.id, short_prompt(lesson, q)) for q in lesson.questions))


def load(path: Path | str):
    """Load, validate and compute one lesson file → :class:`backprop_cli.course.lesson.Lesson`."""
    from backprop_cli.course.lesson import build
    from backprop_cli.course.schema import SCHEMA_VERSION, LessonFile
    from backprop_cli.errors import FileFormatError
    from backprop_cli.yamlfile import load_file, validate

    path = Path(path)
    data, lines = load_file(path)
    if isinstance(data, dict) and data.get("version", SCHEMA_VERSION) != SCHEMA_VERSION:
        raise FileFormatError(str(path), f"version {data.get('version')!r} is not supported (this tool reads "
                              f"version {SCHEMA_VERSION})", lines.line(("version",)), "version")
    spec = validate(LessonFile, data, lines, str(path))
    return build(spec, str(path), lines, path.parent)


def load_all() -> list:
    lessons = [load(p) for p in lesson_files()]
    lessons.sort(key=lambda lesson: (lesson.spec.order, lesson.id))
    return lessons


def catalog() -> list[LessonInfo]:
    """Every shipped lesson, in course order, with what a menu needs."""
    return [info(lesson, number) for number, lesson in enumerate(load_all(), start=1)]


def shipped_number(lesson) -> int | None:
    """A shipped lesson's place in the course menu (the title reads "Lesson 2: ..." however it was
    opened); None for a lesson from another file."""
    from backprop_cli.progress import SHIPPED

    if identity(lesson)[1] != SHIPPED:
        return None
    ordered = sorted(load_specs(), key=lambda spec: (spec.order, spec.id))
    return next((n for n, spec in enumerate(ordered, start=1) if spec.id == lesson.id), None)


def load_specs() -> list:
    """The shipped lessons' validated files, without computing them (cheap: no SymPy work)."""
    from backprop_cli.course.schema import LessonFile
    from backprop_cli.yamlfile import load_file, validate

    specs = []
    for path in lesson_files():
        data, lines = load_file(path)
        specs.append(validate(LessonFile, data, lines, str(path)))
    return specs


def find(reference: str):
    """A lesson by id (``simple-net``), by number (``5``), or by path to a teacher's own file."""
    path = Path(reference)
    if reference.endswith((".yaml", ".yml", ".json")) or path.is_file():
        if not path.is_file():
            raise UsageError(f"no lesson file '{reference}'")
        return load(path)
    lessons = load_all()
    if reference.isdigit():
        number = int(reference)
        if 1 <= number <= len(lessons):
            return lessons[number - 1]
        raise UsageError(f"there is no lesson {number}; the lessons are numbered 1 to {len(lessons)}")
    for lesson in lessons:
        if lesson.id == reference:
            return lesson
    import difflib

    ids = [lesson.id for lesson in lessons]
    close = difflib.get_close_matches(reference, ids, n=1)
    hint = f" did you mean '{close[0]}'?" if close else ""
    raise UsageError(f"no lesson '{reference}';{hint} the lessons are: {', '.join(ids)}")
