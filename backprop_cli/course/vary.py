"""Fresh numbers: a lesson's ``vary`` names setup values (network inputs, targets, weights, or
numeric defines) that a learner may get new values for, drawn reproducibly from a seed. The file's
own numbers stay the default; ``backprop learn LESSON --vary`` (or ``--seed N``) asks for new ones.
``lessons validate`` builds each lesson with several seeds and checks every answer key and listed
mistake holds for them too (``check``)."""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

import sympy

from backprop_cli.errors import FileFormatError

MAX_VALUES = 1000  # a range may hold at most this many values
SEEDS = (1, 2, 3)  # the seeds validation tries (each builds and checks the lesson again)


def _number(text: str, source: str, lines, loc: tuple) -> sympy.Rational:
    from backprop_cli.expressions import parse
    from backprop_cli.yamlfile import field_name

    try:
        value = parse(text, ()).expr
    except Exception as exc:  # noqa: BLE001 - one line for any unreadable value
        raise FileFormatError(source, f"not a number ({exc})", lines.line(loc), field_name(loc)) from None
    if not value.is_Rational:
        raise FileFormatError(source, "must be a plain number (a decimal or a fraction)", lines.line(loc),
                              field_name(loc))
    return value


def choices(spec, lines, source: str) -> dict[str, list[sympy.Rational]]:
    """Every ``vary`` name with the values it may take."""
    from backprop_cli.course.schema import VaryRange
    from backprop_cli.yamlfile import field_name

    out: dict[str, list[sympy.Rational]] = {}
    for name, vary in spec.vary.items():
        loc = ("vary", name)
        if isinstance(vary, VaryRange):
            low, high, step = (_number(getattr(vary, k), source, lines, (*loc, k)) for k in ("min", "max", "step"))
            if step <= 0 or high < low or (high - low) / step + 1 > MAX_VALUES:
                raise FileFormatError(source, f"a range from min to max in steps > 0, at most {MAX_VALUES} values",
                                      lines.line(loc), field_name(loc))
            count = int((high - low) / step) + 1
            values = [low + k * step for k in range(count)]
        else:
            values = [_number(v, source, lines, (*loc, k)) for k, v in enumerate(vary)]
        out[name] = values
    return out


def sample(spec, lines, source: str, seed: int) -> dict[str, sympy.Rational]:
    """The values for ``seed``: each ``vary`` name drawn from its choices (same seed, same numbers)."""
    rng = random.Random(f"backprop-vary:{spec.id}:{seed}")
    return {name: rng.choice(values) for name, values in choices(spec, lines, source).items()}


def check(paths: Iterable[Path]) -> list[FileFormatError]:
    """Build each lesson that declares ``vary`` with several seeds and lint it: every answer key and
    listed mistake must hold for fresh numbers too. Problems say which seed (to replay with --seed)."""
    from backprop_cli.course import load
    from backprop_cli.course.lint import lint_lesson
    from backprop_cli.errors import BackpropError

    problems: list[FileFormatError] = []
    for path in paths:
        try:
            if not _declares_vary(path):
                continue
            lesson = load(path)
        except BackpropError:
            continue  # the ordinary validation reports it
        names = set(lesson.network.leaves()) if lesson.network is not None else set()
        names |= {n for n, d in lesson.spec.setup.define.items() if isinstance(d, str)}
        for name in lesson.spec.vary:
            if name not in names:
                problems.append(lesson.problem(f"'{name}' is not a network value or a numeric define of this "
                                               "lesson, so it cannot vary", ("vary", name)))
        if problems:
            continue
        for seed in SEEDS:
            try:
                varied = load(path, seed)
                found = lint_lesson(varied, plots=False, formulas=False)
            except BackpropError as exc:
                found = [exc] if isinstance(exc, FileFormatError) else [lesson.problem(str(exc), ("vary",))]
            for problem in found:
                problems.append(FileFormatError(problem.path, f"with new numbers (--seed {seed}): {problem.problem}",
                                                problem.line, problem.field))
    return problems


def _declares_vary(path: Path) -> bool:
    """Whether the file has a ``vary`` (read and validated, not built: cheap)."""
    from backprop_cli.course.schema import LessonFile
    from backprop_cli.yamlfile import load_file, validate

    data, lines = load_file(path)
    return bool(validate(LessonFile, data, lines, str(path)).vary)
