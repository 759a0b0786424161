"""The course: lesson files (content as data), their loader, and the lesson validator.

The shipped YAML lives in the repository's top-level ``lessons/`` folder and ships inside the wheel
as ``backprop_cli/lessons/``; :func:`lessons_dir` finds whichever is present. A teacher's lessons
live in the folders of ``BACKPROP_LESSONS`` and in the user's lessons folder; ``catalog`` (in
``course/catalog.py``) puts them all in one menu.
"""

from __future__ import annotations

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


from backprop_cli.course.catalog import (
    LESSONS_ENV,
    LessonInfo,
    catalog,
    discover,
    find,
    identity,
    info,
    lesson_folders,
    load_all,
    load_specs,
    shipped_number,
    short_prompt,
    user_lessons_dir,
)

__all__ = [
    "LESSONS_ENV",
    "LessonInfo",
    "catalog",
    "discover",
    "find",
    "identity",
    "info",
    "lesson_files",
    "lesson_folders",
    "lessons_dir",
    "load",
    "load_all",
    "load_specs",
    "shipped_number",
    "short_prompt",
    "user_lessons_dir",
]
