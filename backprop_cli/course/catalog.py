"""Which lessons there are: the shipped course, then a teacher's own lessons, in one numbered menu.

A teacher's lessons come from the folders listed in ``BACKPROP_LESSONS`` (separated like ``PATH``)
and from the user's lessons folder (``lessons/`` in the data folder, where ``backprop lessons add``
copies them). They follow the shipped lessons in the menu, sorted by ``order`` then id, and are known
by id everywhere (``learn my-lesson``, ``progress``). A lesson that cannot be loaded, or whose id is
already taken, is left out of the menu with one warning line; it can still be opened by its path.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from backprop_cli.errors import BackpropError, UsageError

LESSONS_ENV = "BACKPROP_LESSONS"
SUFFIXES = (".yaml", ".yml", ".json")


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
    from backprop_cli.course import lessons_dir
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


# ---------------------------------------------------------------- where lessons are


def user_lessons_dir() -> Path:
    """The user's own lessons folder: ``lessons/`` beside the progress file."""
    from backprop_cli.progress import default_home

    return default_home() / "lessons"


def lesson_folders() -> list[Path]:
    """A teacher's lesson folders, in order: ``BACKPROP_LESSONS``'s, then the user's lessons folder."""
    folders = [Path(part).expanduser() for part in os.environ.get(LESSONS_ENV, "").split(os.pathsep) if part.strip()]
    folders.append(user_lessons_dir())
    seen: set[Path] = set()
    out = []
    for folder in folders:
        try:
            resolved = folder.resolve()
        except (OSError, RuntimeError):
            continue
        if resolved not in seen:
            seen.add(resolved)
            out.append(folder)
    return out


def _outside_files() -> list[Path]:
    files = []
    for folder in lesson_folders():
        try:
            files += sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file())
        except OSError:  # a folder that does not exist (yet) holds no lessons
            continue
    return files


# ---------------------------------------------------------------- the menu


def discover() -> tuple[list, list[str]]:
    """Every lesson of the menu, loaded, in menu order, and a warning for each one left out."""
    from backprop_cli.course import lesson_files, load

    shipped = sorted((load(p) for p in lesson_files()), key=lambda lesson: (lesson.spec.order, lesson.id))
    taken = {lesson.id: f"the shipped lesson {lesson.id}" for lesson in shipped}
    others, problems = [], []
    for path in _outside_files():
        if _is_network_file(path):
            continue  # a lesson's network beside it (lessons add copies it there): not a lesson
        try:
            lesson = load(path)
        except BackpropError as exc:
            first = str(exc).splitlines()[0]
            problems.append(f"lesson {path} left out of the menu: {first}")
            continue
        if lesson.id in taken:
            problems.append(f"lesson {path} left out of the menu: its id '{lesson.id}' is already used by "
                            f"{taken[lesson.id]}; give it an id of its own (learn {path} still opens it)")
            continue
        taken[lesson.id] = str(path)
        others.append(lesson)
    others.sort(key=lambda lesson: (lesson.spec.order, lesson.id))
    return shipped + others, problems


def _is_network_file(path: Path) -> bool:
    """A network file in a lessons folder, where its lesson points to it: a network's fields
    (the rule ``network_ref`` applies to ``setup.network``) and no steps."""
    from backprop_cli.course.network_ref import NETWORK_FIELDS
    from backprop_cli.yamlfile import load_file

    try:
        data, _ = load_file(path)
    except BackpropError:
        return False
    return isinstance(data, dict) and "steps" not in data and any(key in data for key in NETWORK_FIELDS)


def load_all() -> list:
    """Every lesson of the menu, in menu order (warnings dropped; see ``discover``)."""
    return discover()[0]


def catalog(problems: list[str] | None = None) -> list[LessonInfo]:
    """The menu: every lesson with what a menu needs. Lessons left out are described in ``problems``."""
    lessons, found = discover()
    if problems is not None:
        problems.extend(found)
    return [info(lesson, number) for number, lesson in enumerate(lessons, start=1)]


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
    from backprop_cli.course import lesson_files
    from backprop_cli.course.schema import LessonFile
    from backprop_cli.yamlfile import load_file, validate

    specs = []
    for path in lesson_files():
        data, lines = load_file(path)
        specs.append(validate(LessonFile, data, lines, str(path)))
    return specs


def find(reference: str):
    """A lesson by id (``simple-net``), by menu number (``5``), or by path to a lesson file."""
    from backprop_cli.course import load

    path = Path(reference)
    if reference.endswith(SUFFIXES) or path.is_file():
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
