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


def check(lessons: Iterable) -> list[FileFormatError]:
    """Build each (already built) lesson that declares ``vary`` again with several seeds, from its
    validated file, and lint it: every answer key, listed mistake and fact must hold for fresh numbers
    too. Problems say which seed (to replay with --seed)."""
    from backprop_cli.course.lesson import build
    from backprop_cli.course.lint import lint_lesson
    from backprop_cli.errors import BackpropError

    problems: list[FileFormatError] = []
    for lesson in lessons:
        if not lesson.spec.vary or lesson.failed:
            continue
        names = set(lesson.network.leaves()) if lesson.network is not None else set()
        names |= {n for n, d in lesson.spec.setup.define.items() if isinstance(d, str)}
        unknown = [name for name in lesson.spec.vary if name not in names]
        for name in unknown:
            problems.append(lesson.problem(f"'{name}' is not a network value or a numeric define of this "
                                           "lesson, so it cannot vary", ("vary", name)))
        if unknown:
            continue
        source = Path(lesson.source)
        for seed in SEEDS:
            try:
                overrides = sample(lesson.spec, lesson.lines, lesson.source, seed)
                varied = build(lesson.spec, lesson.source, lesson.lines, source.parent, overrides=overrides, seed=seed,
                               network=lesson.network if lesson.seed is None else None)  # the file's own values
                found = lint_lesson(varied, plots=False, formulas=False)
            except BackpropError as exc:
                found = [exc] if isinstance(exc, FileFormatError) else [lesson.problem(str(exc), ("vary",))]
            for problem in found:
                problems.append(FileFormatError(problem.path, f"with new numbers (--seed {seed}): {problem.problem}",
                                                problem.line, problem.field))
    return problems
