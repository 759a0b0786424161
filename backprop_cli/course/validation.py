"""``backprop lessons validate``: every file checked on its own, then the course's links.

Each lesson file gives a :class:`FileResult`: its problems (schema, build, lint: ``course/lint.py``),
its notes, the problems fresh numbers bring (``course/vary.py``) and what the course-level checks
need (its id and ``requires``). The course then adds a repeated id and, for the shipped set, a
``requires`` naming no lesson. The order of the lines is that of ``lint_course`` then ``vary.check``.

A file's result is remembered between runs (like ruff's and mypy's caches), in the user cache
folder (``$BACKPROP_HOME/cache/lessons`` if set), named by a hash of the file's path and bytes, of
this tool's own source, its built-in networks and the Python version, and the installed SymPy,
pydantic and PyYAML; the network file a lesson names is a dependency checked by its bytes. Any
change is a new entry, and an unreadable entry is ignored. ``--no-cache`` or ``BACKPROP_NO_CACHE=1``
checks every file afresh: that cold run is what the speed target is measured on.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from backprop_cli import cache_files
from backprop_cli.errors import FileFormatError

FORMAT = 1
_PACKAGE = Path(__file__).resolve().parent.parent
_LIBRARIES = ("sympy", "pydantic", "pydantic_core", "yaml")


@dataclass(frozen=True)
class LessonRecord:
    """What the course-level checks need of a lesson that could be built."""

    id: str
    source: str
    id_at: tuple[int | None, str | None]  # line and field of its ``id``
    requires: tuple[tuple[str, int | None, str | None], ...]  # (lesson id, line, field)


@dataclass(frozen=True)
class FileResult:
    """One file's lines: problems as printed, notes ("" for a listed mistake only the lesson knows)."""

    problems: tuple[str, ...]
    notes: tuple[str, ...]
    vary: tuple[str, ...]
    lesson: LessonRecord | None


def check_file(path: Path) -> FileResult:
    """Load, lint and vary one file, as ``lint_paths`` and ``vary.check`` do."""
    from backprop_cli.course import vary
    from backprop_cli.course.lint import lint_lesson, load_lesson

    lesson, found = load_lesson(path)
    notes: list[str] = []
    record = None
    if lesson is not None:
        found.extend(lint_lesson(lesson, notes))
        at = lesson.problem("", ("id",))
        requires = tuple((req, p.line, p.field) for req, p in
                         ((req, lesson.problem("", ("requires", k))) for k, req in enumerate(lesson.spec.requires)))
        record = LessonRecord(lesson.id, lesson.source, (at.line, at.field), requires)
    problems = tuple(str(p) for p in sorted(found, key=lambda p: p.line or 0))
    varied = tuple(str(p) for p in vary.check([lesson])) if lesson is not None else ()
    return FileResult(problems, tuple(notes), varied, record)


def run(paths: list[Path] | None, *, cache: bool = True) -> tuple[list[str], list[str]]:
    """(notes, problems) of the given files (default: the shipped lessons and their links)."""
    from backprop_cli.course import lesson_files

    given = list(paths) if paths else lesson_files()
    use = cache and cache_files.enabled()
    results = [_remembered(Path(p)) if use else check_file(Path(p)) for p in given]
    notes = [note for r in results for note in r.notes]
    problems = [line for r in results for line in r.problems]
    lessons = [r.lesson for r in results if r.lesson is not None]
    ids: dict[str, str] = {}
    for lesson in lessons:
        if lesson.id in ids:
            problems.append(str(FileFormatError(lesson.source, f"the id '{lesson.id}' is also used by {ids[lesson.id]}",
                                                *lesson.id_at)))
        ids[lesson.id] = lesson.source
    if not paths:
        known = {lesson.id for lesson in lessons}
        for lesson in lessons:
            for req, line, field in lesson.requires:
                if req not in known:
                    problems.append(str(FileFormatError(lesson.source, f"requires '{req}', which is not a lesson",
                                                        line, field)))
    problems += [line for r in results for line in r.vary]
    return notes, problems


# -- remembering a file's result ---------------------------------------------------------------
def _remembered(path: Path) -> FileResult:
    data = _regular_bytes(path)
    if data is None:
        return check_file(path)  # the loader says what is wrong with it
    key = _key(path, data)
    found = _lookup(key)
    if found is not None:
        return found
    result = check_file(path)
    _store(key, result, _dependencies(path, data))
    return result


def folder() -> Path:
    return cache_files.folder("lessons")


@functools.lru_cache(maxsize=1)
def _code() -> str:
    """A hash of everything a result depends on besides the file: this tool's source and built-in
    networks, the Python version and the installed libraries that compute or word the problems."""
    digest = hashlib.sha256(f"{FORMAT} {sys.version}".encode())
    for path in sorted([*_PACKAGE.rglob("*.py"), *(_PACKAGE / "networks").glob("*.yaml")]):
        digest.update(str(path.relative_to(_PACKAGE)).encode() + b"\0" + path.read_bytes())
    for name in _LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        if origin:
            info = os.stat(origin)
            digest.update(f"{name} {origin} {info.st_mtime_ns} {info.st_size}".encode())
    return digest.hexdigest()


def _key(path: Path, data: bytes) -> str:
    digest = hashlib.sha256(f"{_code()}\0{path}\0{path.resolve()}\0".encode())
    digest.update(data)
    return digest.hexdigest()[:40]


def _regular_bytes(path: Path) -> bytes | None:
    """The bytes of a regular file of at most MAX_FILE_BYTES, read as the loader reads it (a pipe or
    a device is never opened so as to wait, nor read), else None."""
    from backprop_cli.regular_file import MAX_FILE_BYTES, read_bounded

    try:
        data = read_bounded(path)
    except (FileFormatError, OSError, RuntimeError):
        return None
    return data if len(data) <= MAX_FILE_BYTES else None


def _digest(target: Path) -> str | None:
    data = _regular_bytes(target)
    return hashlib.sha256(data).hexdigest() if data is not None else None


def _dependencies(path: Path, data: bytes) -> list[list[str | None]] | None:
    """The network file the lesson names, as (as written, where it led, its bytes' hash); None when
    it cannot be told (the result is then not remembered)."""
    try:
        from backprop_cli.network.model import builtin_names
        from backprop_cli.yamlfile import load_text

        document, _ = load_text(data.decode("utf-8"), str(path))
        setup = document.get("setup") if isinstance(document, dict) else None
        name = setup.get("network") if isinstance(setup, dict) else None
        if name is None or name in builtin_names():
            return []
        link = path.parent / str(name)
        return [[str(link), str(link.resolve()), _digest(link.resolve())]]
    except Exception:  # noqa: BLE001 - anything unexpected: do not remember this file
        return None


def _lookup(key: str) -> FileResult | None:
    try:
        raw = cache_files.read("lessons", key)
        if raw["format"] != FORMAT:
            return None
        for link, target, digest in raw["dependencies"]:
            if str(Path(link).resolve()) != target or _digest(Path(target)) != digest:
                return None
        record = raw["lesson"]
        lesson = None
        if record is not None:
            lesson = LessonRecord(str(record["id"]), str(record["source"]), (record["id_at"][0], record["id_at"][1]),
                                  tuple((str(r), line, field) for r, line, field in record["requires"]))
        return FileResult(_strings(raw["problems"]), _strings(raw["notes"]), _strings(raw["vary"]), lesson)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def _strings(items) -> tuple[str, ...]:
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise TypeError("not a list of lines")
    return tuple(items)


def _store(key: str, result: FileResult, dependencies: list | None) -> None:
    """Save a file's result (quietly does nothing if it cannot be, or should not be, saved)."""
    if dependencies is None:
        return
    lesson = result.lesson
    document = {
        "format": FORMAT, "dependencies": dependencies, "problems": list(result.problems),
        "notes": list(result.notes), "vary": list(result.vary),
        "lesson": None if lesson is None else {"id": lesson.id, "source": lesson.source, "id_at": list(lesson.id_at),
                                               "requires": [list(r) for r in lesson.requires]},
    }
    cache_files.write("lessons", key, document)
