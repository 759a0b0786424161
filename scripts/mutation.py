#!/usr/bin/env python3
"""Sampled mutation testing: how many small bugs planted in a module do its own tests catch?

For each area (checking, engine, expressions, progress) the script lists every mutation point of
its modules — a comparison flipped (< to <=, == to !=), an arithmetic operator swapped (+ to -,
* to /), ``and``/``or`` swapped, ``not`` dropped, a number moved by one, ``True``/``False`` swapped —
samples some with a fixed seed, and for each one copies the package into a temporary folder with
that single change and runs only the area's tests there (first failure stops the run). A mutant the
tests fail on is *killed*; one they pass is *survived* and printed with its line, to be pinned.

    python scripts/mutation.py                      # 40 mutants per area, every area
    python scripts/mutation.py expressions -n 150   # one area, 150 mutants
    python scripts/mutation.py checking --seed 3 --timeout 300
    python scripts/mutation.py engine -n 150 --seed 0 --seed 1   # two samples; a mutant in both runs once
    python scripts/mutation.py engine --only backprop_cli/network/compile.py#21   # one mutant (a survivor) again

A mutant whose tests run longer than four times the clean run (at least 30 s) counts as killed: it
made something hang. Hypothesis draws its examples from a fixed seed (``--hypothesis-seed=0``), so a
mutant's verdict is the same in every run and ``--only`` re-runs what the sample ran (no example
database is kept from one mutant's run to the next).

Equivalent mutants (mutmut's convention): a line ending in ``# pragma: no mutate - <reason>`` has no
mutation points (every point of an expression that starts on that line is skipped). The reason must
prove that no mutation of the line can change behaviour, and it is required: a pragma without one
stops the script. The summary lists every excluded line (path:line and reason) so a reader can audit
them. Prefer rewriting the code so the equivalent point disappears; the pragma is for what cannot be.

Slow by nature (one pytest run per mutant): run it by hand, not in CI. Mutants the AST cannot
express (a changed string, a removed line) are not tried; equivalent mutants without a pragma count
as survivors.
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tokenize
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: area → (modules mutated, tests that run against each mutant)
AREAS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "checking": (("backprop_cli/checking/*.py",),
                 ("tests/test_pins_checking.py", "tests/test_checking.py", "tests/test_diagnosis.py", "tests/test_boundaries.py")),
    # the cache's tests too: a cached network's Compiled loads its graph lazily (compile.py); the
    # modules engine.py and compile.py are being split into are listed already (a missing one is skipped)
    "engine": (("backprop_cli/network/engine.py", "backprop_cli/network/compile.py", "backprop_cli/network/results.py",
                "backprop_cli/network/runtime.py", "backprop_cli/network/float_printer.py"),
               ("tests/test_pins_engine.py", "tests/test_engine.py", "tests/test_compile.py", "tests/test_cache.py",
                "tests/test_analysis_network.py", "tests/test_boundaries.py")),
    "expressions": (("backprop_cli/expressions.py",),
                    ("tests/test_pins_expressions.py", "tests/test_parse_memo.py", "tests/test_expressions.py",
                     "tests/test_hostile_input.py", "tests/test_boundaries.py")),
    "progress": (("backprop_cli/progress/*.py",),
                 ("tests/test_pins_progress.py", "tests/test_progress.py", "tests/test_report.py", "tests/test_tutor.py", "tests/test_boundaries.py")),
}

SWAPS: dict[type, type] = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In,
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Div,
    ast.And: ast.Or, ast.Or: ast.And,
}


#: ``# pragma: no mutate`` then the reason (after optional ``-``, ``—`` or ``:``)
PRAGMA = re.compile(r"#\s*pragma:\s*no mutate\b\s*[-—–:]?\s*(?P<reason>.*)$")


@dataclass(frozen=True)
class Exclusion:
    path: Path
    line: int
    reason: str


class PragmaError(Exception):
    """A ``# pragma: no mutate`` without its reason."""


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def exclusions(path: Path) -> list[Exclusion]:
    """The lines of ``path`` whose comment is ``# pragma: no mutate - reason`` (comments only, not
    text inside strings); a pragma without a reason raises PragmaError."""
    found = []
    with path.open(encoding="utf-8") as source:
        for token in tokenize.generate_tokens(source.readline):
            if token.type != tokenize.COMMENT:
                continue
            match = PRAGMA.search(token.string)
            if match is None:
                continue
            reason = match["reason"].strip()
            if not reason:
                raise PragmaError(f"{_shown(path)}:{token.start[0]}: '# pragma: no mutate' needs a reason "
                                  "(why no mutation of this line can change behaviour)")
            found.append(Exclusion(path, token.start[0], reason))
    return found


@dataclass(frozen=True)
class Mutant:
    path: Path  # relative to the tree it was found in (the checkout, or the run's copy of it)
    index: int  # the n-th mutation point of the file, in ast.walk order
    line: int
    description: str


def _docstring_constants(tree: ast.AST) -> set[int]:
    """ids of the Constant nodes that are docstrings (not worth mutating)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _points(tree: ast.AST, excluded: frozenset[int] = frozenset()) -> list[tuple[ast.AST, int, str]]:
    """(node, slot, what changes) for every mutation point; slot picks the operator of a Compare.
    Nodes starting on an ``excluded`` line (a ``# pragma: no mutate``) have none."""
    skip = _docstring_constants(tree)
    points: list[tuple[ast.AST, int, str]] = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in excluded:
            continue
        if isinstance(node, ast.Compare):
            for k, op in enumerate(node.ops):
                if type(op) in SWAPS:
                    points.append((node, k, f"{type(op).__name__} → {SWAPS[type(op)].__name__}"))
        elif isinstance(node, (ast.BinOp, ast.BoolOp)) and type(node.op) in SWAPS:
            points.append((node, 0, f"{type(node.op).__name__} → {SWAPS[type(node.op)].__name__}"))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            points.append((node, 0, "not dropped"))
        elif isinstance(node, ast.Constant) and id(node) not in skip:
            if isinstance(node.value, bool):
                points.append((node, 0, f"{node.value} → {not node.value}"))
            elif isinstance(node.value, int | float) and not isinstance(node.value, bool):
                points.append((node, 0, f"{node.value!r} → {node.value + 1!r}"))
    return points


def _apply(node: ast.AST, slot: int) -> None:
    if isinstance(node, ast.Compare):
        node.ops[slot] = SWAPS[type(node.ops[slot])]()
    elif isinstance(node, (ast.BinOp, ast.BoolOp)):
        node.op = SWAPS[type(node.op)]()
    elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
        node.value = not node.value
    elif isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        node.value = node.value + 1


def _excluded_lines(path: Path) -> frozenset[int]:
    return frozenset(e.line for e in exclusions(path))


def _mutated_source(path: Path, index: int) -> str:
    """``path``'s text with its ``index``-th mutation point changed (read now: pass the run's copy,
    whose text does not change while the checkout is being edited)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    node, slot, _ = _points(tree, _excluded_lines(path))[index]
    if isinstance(node, ast.UnaryOp):  # `not x` → `x`: replace the node in its parent
        for parent in ast.walk(tree):
            for field, value in ast.iter_fields(parent):
                if value is node:
                    setattr(parent, field, node.operand)
                elif isinstance(value, list):
                    for i, item in enumerate(value):
                        if item is node:
                            value[i] = node.operand
    else:
        _apply(node, slot)
    return ast.unparse(tree)


def _paths(area: str, root: Path = ROOT) -> list[Path]:
    patterns, _ = AREAS[area]
    return [path for pattern in patterns for path in sorted(root.glob(pattern))]


def mutants(area: str, root: Path = ROOT) -> list[Mutant]:
    found = []
    for path in _paths(area, root):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for i, (node, _slot, what) in enumerate(_points(tree, _excluded_lines(path))):
            found.append(Mutant(path.relative_to(root), i, getattr(node, "lineno", 0), what))
    return found


def area_exclusions(area: str, root: Path = ROOT) -> list[Exclusion]:
    """Every ``# pragma: no mutate`` line of the area's modules, in file order (paths relative to ``root``)."""
    return [Exclusion(e.path.relative_to(root), e.line, e.reason) for path in _paths(area, root) for e in exclusions(path)]


def _ident(mutant: Mutant) -> str:
    """``path#index``: how the report names a mutant, and how ``--only`` picks it again."""
    return f"{mutant.path}#{mutant.index}"


def _run_tests(copy: Path, tests: tuple[str, ...], timeout: float) -> tuple[bool, str]:
    """(True when the tests pass — the mutant survives —, the tail of pytest's output)."""
    env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
    env["BACKPROP_HOME"] = str(copy / ".home")
    shutil.rmtree(copy / ".hypothesis", ignore_errors=True)  # no examples saved by an earlier mutant's run
    try:
        result = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                                 "-p", "no:randomly", "--hypothesis-seed=0", *tests], cwd=copy, env=env, capture_output=True,
                                timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, "timed out"  # a mutant that hangs the tests is caught
    return result.returncode == 0, (result.stdout + result.stderr).decode(errors="replace")[-4000:]


@dataclass
class Score:
    seed: int
    killed: int
    total: int
    survivors: list[Mutant]


def run(area: str, count: int, seeds: list[int], timeout: float,
        only: frozenset[str] = frozenset()) -> tuple[list[Score], list[Exclusion]]:
    """Each seed's sample of ``count`` mutants, scored; a mutant in several samples is run once."""
    _, tests = AREAS[area]
    survived_by: dict[str, bool] = {}
    with tempfile.TemporaryDirectory(prefix="backprop-mutants-") as folder:
        copy = Path(folder)
        for part in ("backprop_cli", "tests", "lessons", "pyproject.toml", "README.md", "docs", "scripts"):
            source = ROOT / part
            if source.is_dir():
                shutil.copytree(source, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
            elif source.exists():
                shutil.copy2(source, copy / part)
        # the wheel's lessons/ folder: the package finds the shipped lessons beside its code
        if not (copy / "backprop_cli" / "lessons").exists():
            shutil.copytree(ROOT / "lessons", copy / "backprop_cli" / "lessons")
        # the mutants are listed and made from the copy: editing the checkout during a run changes nothing
        every, excluded = mutants(area, copy), area_exclusions(area, copy)
        samples = {seed: random.Random(seed).sample(every, min(count, len(every))) for seed in seeds}
        if only:  # just the mutants named (e.g. a sample's survivors again, after adding tests)
            samples = {seeds[0]: [m for m in every if _ident(m) in only]}
        union = list({_ident(m): m for sample in samples.values() for m in sample}.values())
        started = time.monotonic()
        clean, output = _run_tests(copy, tests, timeout)
        if not clean:
            raise SystemExit(f"{output}\n{area}: the tests fail without any mutant; fix them first")
        # a mutant that makes the tests run far longer than the clean run is a hang: caught
        timeout = min(timeout, max(30.0, 4 * (time.monotonic() - started)))
        for n, mutant in enumerate(union, 1):
            target = copy / mutant.path
            original = target.read_text(encoding="utf-8")
            target.write_text(_mutated_source(target, mutant.index), encoding="utf-8")
            try:
                started = time.monotonic()
                survived, _ = _run_tests(copy, tests, timeout)
            finally:
                target.write_text(original, encoding="utf-8")
            print(f"  [{n}/{len(union)}] {'SURVIVED' if survived else 'killed  '} {_ident(mutant)}"
                  f" line {mutant.line}: {mutant.description} ({time.monotonic() - started:.0f} s)", flush=True)
            survived_by[_ident(mutant)] = survived
    scores = []
    for seed, sample in samples.items():
        survivors = [m for m in sample if survived_by[_ident(m)]]
        scores.append(Score(seed, len(sample) - len(survivors), len(sample), survivors))
    return scores, excluded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("areas", nargs="*", help=f"areas to test: {', '.join(AREAS)} (default: all)")
    parser.add_argument("-n", "--count", type=int, default=40, help="mutants sampled per area (default 40)")
    parser.add_argument("--seed", type=int, action="append", dest="seeds",
                        help="the sample's seed (default 0; repeatable: each seed's sample is scored)")
    parser.add_argument("--timeout", type=float, default=600, help="at most this many seconds per test run (default 600; at most 4x the clean run)")
    parser.add_argument("--only", action="append", default=[], metavar="PATH#INDEX",
                        help="run just these mutants, as the report names them (repeatable; no sample is drawn)")
    args = parser.parse_args(argv)
    unknown = [a for a in args.areas if a not in AREAS]
    if unknown:
        parser.error(f"unknown area {unknown[0]!r}: choose from {', '.join(AREAS)}")
    areas = args.areas or list(AREAS)
    try:  # every pragma has its reason before any mutant runs
        excluded = {area: area_exclusions(area) for area in areas}
    except PragmaError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    seeds = args.seeds or [0]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a stopped run still removes its copy
    results = []
    for area in areas:
        print(f"{area}: {len(mutants(area))} mutation points ({len(excluded[area])} lines excluded),"
              f" sampling {args.count} (seed {', '.join(map(str, seeds))})", flush=True)
        scores, excluded[area] = run(area, args.count, seeds, args.timeout, frozenset(args.only))
        results.append((area, scores))
    print()
    for area, scores in results:
        for score in scores:
            line = (f"{score.killed}/{score.total} killed  ({100 * score.killed / score.total:.0f}%)"
                    if score.total else "no mutants")
            print(f"{area:<12} seed {score.seed}: {line}, {len(excluded[area])} lines excluded by '# pragma: no mutate'")
            for mutant in score.survivors:
                print(f"    survived {_ident(mutant)} line {mutant.line}: {mutant.description}")
        for exclusion in excluded[area]:
            print(f"    excluded {exclusion.path}:{exclusion.line}: {exclusion.reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
