#!/usr/bin/env python3
"""Feedback latency and `lessons validate` time: the two numbers a learner and an author feel.

    .venv/bin/python scripts/bench_feedback.py [--rounds 5]

Feedback: each shipped lesson is loaded fresh (cold caches) and played through a LessonSession
(the state machine the terminal drives, saving progress as it goes), giving one wrong answer per
question (a likely slip when the diagnosis knows one, else a plainly wrong number) and timing
``session.answer`` for it; the right answer then moves on (not timed). The same plan is then typed
into ``backprop learn`` at a pseudo-terminal (pexpect), timing Enter to the feedback mark. Validate: ``backprop lessons
validate --no-cache`` of the six lessons (cold: every file checked) against the import floor ``import
sympy, typer, rich.console, yaml``, as fresh subprocesses interleaved round by round, in wall and in
CPU time (user + system); each ratio is median/median, and the package's bytecode is written first, as
pip does at install (``compile_bytecode``). The warm run (results of unchanged files remembered) is printed beside it. The checker's time on
the hostile and extreme answers of tests/test_checking.py (whose verdicts the tests assert). Not a test.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
BACKPROP = str(Path(PY).parent / "backprop")
FLOOR = [PY, "-c", "import sympy, typer, rich.console, yaml"]
FEEDBACK_TARGET_MS = 50.0
HOSTILE_TARGET_MS = 1000.0  # the checker on hostile and extreme input (tests/test_checking.py's lists)
VALIDATE_TARGET = 2.0


def compile_bytecode(python: str = PY) -> None:
    """Write the package's bytecode, as pip does when it installs it: a shell that sets
    PYTHONDONTWRITEBYTECODE (this project's sandbox does) otherwise has every run compile the whole
    package from source, while the import floor's libraries read the bytecode pip wrote for them."""
    code = "import compileall, os, backprop_cli; compileall.compile_dir(os.path.dirname(backprop_cli.__file__), quiet=1)"
    subprocess.run([python, "-c", code], check=True)


def wrong_answer(lesson, question) -> str:
    """A wrong answer as a learner would type it: a generated slip if there is one."""
    from backprop_cli import notation
    from backprop_cli.course import tracing

    step = question.step
    if step.ask == "choice":
        return "abcdefghijklmnopqrstuvwxyz"[(int(question.expected) + 1) % len(step.options or "ab")]
    if step.ask == "expression":
        return "x^7 + 1" if "x" in question.names else f"{next(iter(question.names), 'u')}^7 + 1"
    generated = tracing.generated(lesson, question).candidates
    lesson.cache.clear()  # measure the learner's cold path, not the one this probe warmed
    if generated:
        return notation.plain(generated[len(generated) // 2].value, 4)
    return notation.plain(question.expected * 3 + 1, 6)


def feedback_latency(path: Path) -> tuple[str, list[float]]:
    """(lesson id, milliseconds of each wrong answer's feedback), cold caches."""
    from backprop_cli import course
    from backprop_cli.course import answers
    from backprop_cli.progress import Store
    from backprop_cli.session import LessonSession

    lesson = course.load(path)
    plan = [(wrong_answer(lesson, q), answers.typed(q)) for q in lesson.questions]
    lesson = course.load(path)  # fresh: nothing computed for feedback yet
    store = Store()
    progress, _ = store.load()
    session = LessonSession(lesson, store, progress)
    session.start()
    times: list[float] = []
    for wrong, right in plan:
        if session.finished:
            break
        start = time.perf_counter()
        session.answer(wrong)
        times.append((time.perf_counter() - start) * 1000)
        session.answer(right)
    return lesson.id, times


def feedback_table() -> list[tuple[str, float, float, int]]:
    """Per lesson: (id, median ms, worst ms, answers timed)."""
    from backprop_cli.course import lesson_files

    rows = []
    with tempfile.TemporaryDirectory() as home:
        os.environ["BACKPROP_HOME"] = home
        for path in lesson_files():
            lesson_id, times = feedback_latency(path)
            rows.append((lesson_id, statistics.median(times), max(times), len(times)))
    return rows


def pty_latency(lesson_id: str, plan: list[tuple[str, str]]) -> list[float]:
    """Milliseconds from a wrong answer's Enter to its feedback mark, at a pseudo-terminal."""
    import pexpect

    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, BACKPROP_HOME=home, NO_COLOR="1", TERM="dumb", COLUMNS="100", LINES="40")
        child = pexpect.spawn(BACKPROP, ["learn", lesson_id], env=env, encoding="utf-8", timeout=30,
                              dimensions=(40, 100))
        child.delaybeforesend = None  # pexpect sleeps 50 ms before each send by default
        times = []
        for wrong, right in plan:
            child.expect_exact("› ")
            start = time.perf_counter()
            child.sendline(wrong)
            child.expect(r"\n(✗|\?|✓) ")  # the feedback mark at the start of a line
            times.append((time.perf_counter() - start) * 1000)
            child.expect_exact("› ")
            child.sendline(right)
            child.expect(r"\n(✓|Skipped)")
        child.sendline("quit")
        child.close(force=True)
    return times


def pty_table() -> list[tuple[str, float, float, int]]:
    """Per lesson, at a pseudo-terminal: (id, median ms, worst ms, answers timed)."""
    from backprop_cli import course
    from backprop_cli.course import answers

    rows = []
    for path in course.lesson_files():
        lesson = course.load(path)
        plan = [(wrong_answer(lesson, q), answers.typed(q)) for q in lesson.questions]
        times = pty_latency(lesson.id, plan)
        rows.append((lesson.id, statistics.median(times), max(times), len(times)))
    return rows


def _run(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system of the child) of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"failed ({result.returncode}): {' '.join(cmd)}\n{result.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def validate_ratio(rounds: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of a cold `lessons validate --no-cache`, of the import floor, and
    of a warm `lessons validate` whose results are remembered from the run before, interleaved. The
    target is the cold run, in wall time and in CPU time (the one a busy machine does not blur); the
    warm one (the per-file result cache) is shown beside it."""
    commands = {"cold": [BACKPROP, "lessons", "validate", "--no-cache"], "floor": FLOOR,
                "warm": [BACKPROP, "lessons", "validate"]}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    with tempfile.TemporaryDirectory() as home:
        os.environ["BACKPROP_HOME"] = home  # a cache of its own, filled by the warm-up
        for cmd in commands.values():
            _run(cmd)  # warm-up
        for _ in range(rounds):
            for name, cmd in commands.items():
                times[name].append(_run(cmd))
    return {name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
            for name, runs in times.items()}


def hostile_table() -> list[tuple[str, float, float, int]]:
    """The checker's time on the hostile, extreme and slow-to-simplify answers of tests/test_checking.py
    (the tests assert the verdicts; the time, which depends on the machine, is measured here)."""
    import importlib.util

    from backprop_cli.checking import check_expression, check_number

    spec = importlib.util.spec_from_file_location("checking_cases", Path(__file__).parent.parent / "tests" / "test_checking.py")
    assert spec and spec.loader
    cases = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cases)
    rows = []
    for label, texts in (("hostile", cases.HOSTILE), ("extreme", cases.EXTREME), ("slow simplify", [cases.SLOW_TO_SIMPLIFY])):
        times = []
        for text in texts:
            for check in (lambda t: check_number(t, cases.DL_DYHAT, names=("x", "y")),
                          lambda t: check_expression(t, cases.F_PRIME, cases.NAMES)):
                start = time.perf_counter()
                check(text)
                times.append(1000 * (time.perf_counter() - start))
        rows.append((label, statistics.median(times), max(times), len(times)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="runs of validate and of the floor (default 5)")
    args = parser.parse_args(argv)
    compile_bytecode()
    print(f"feedback to one wrong answer per question (cold caches), target worst ≤ {FEEDBACK_TARGET_MS:g} ms")
    print(f"{'lesson':<14} {'answers':>7} {'median':>9} {'worst':>9}")
    over = 0
    for title, table in (("in process (LessonSession.answer)", feedback_table),
                         ("at a pseudo-terminal (Enter to the feedback mark, rendering included)", pty_table)):
        print(f"-- {title}")
        for lesson_id, median, worst, count in table():
            flag = "" if worst <= FEEDBACK_TARGET_MS else "  over"
            over += bool(flag)
            print(f"{lesson_id:<14} {count:>7} {median:7.1f} ms {worst:7.1f} ms{flag}")
    print(f"-- the checker on hostile input, target worst ≤ {HOSTILE_TARGET_MS:g} ms")
    for label, median, worst, count in hostile_table():
        flag = "" if worst <= HOSTILE_TARGET_MS else "  over"
        over += bool(flag)
        print(f"{label:<14} {count:>7} {median:7.1f} ms {worst:7.1f} ms{flag}")
    medians = validate_ratio(args.rounds)
    print()
    for k, clock in enumerate(("wall", "CPU")):
        seconds, floor = medians["cold"][k], medians["floor"][k]
        ratio = seconds / floor
        flag = "PASS" if ratio <= VALIDATE_TARGET else "over"
        over += flag == "over"
        print(f"lessons validate {seconds:.3f} s / import floor {floor:.3f} s = {ratio:.2f} {clock} "
              f"(target ≤ {VALIDATE_TARGET:g}) {flag}  [cold: --no-cache, every file checked]")
    warm, floor = medians["warm"][0], medians["floor"][0]
    print(f"lessons validate, warm (unchanged files' results remembered) {warm:.3f} s / import floor "
          f"= {warm / floor:.2f} wall  [not the target]")
    print(f"\n{over} over target" if over else "\nall within target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
