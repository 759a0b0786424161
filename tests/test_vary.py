"""Fresh numbers: a lesson's vary ranges, seeded and replayable; validation tries several seeds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import sympy

from backprop_cli import course
from backprop_cli.cli import main
from backprop_cli.course import vary

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
SIMPLE = LESSONS / "05-simple-net.yaml"


def run(home, *args, stdin=""):
    env = {**os.environ, "BACKPROP_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-m", "backprop_cli", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=120)


def test_the_files_own_numbers_by_default_and_fresh_reproducible_ones_by_seed():
    plain = course.load(SIMPLE)
    assert plain.seed is None and (plain.values["w1"], plain.values["w2"]) == (2, sympy.Rational(1, 2))
    draws = {seed: course.load(SIMPLE, seed) for seed in range(1, 30)}
    assert {(d.values["w1"], d.values["w2"]) for d in draws.values()} > {(2, sympy.Rational(1, 2))}
    for seed, lesson in draws.items():
        assert lesson.seed == seed
        assert lesson.values["w1"] in {1, sympy.Rational(3, 2), 2, sympy.Rational(5, 2), 3}
        assert lesson.values["w2"] in {sympy.Rational(1, 4), sympy.Rational(1, 2), sympy.Rational(3, 4)}
        again = course.load(SIMPLE, seed)
        assert again.values == lesson.values  # the same seed, the same numbers
        # every answer is computed from the new numbers, independently of the lesson: ŷ = x·w1·w2
        h = next(q for q in lesson.questions if q.id == "h_value")
        assert h.expected == lesson.values["x"] * lesson.values["w1"]


def test_learn_with_a_seed_shows_it_and_resume_keeps_its_numbers(tmp_path):
    home = tmp_path / "home"
    lesson = course.load(SIMPLE, 8)
    h = lesson.values["x"] * lesson.values["w1"]
    first = run(home, "learn", "simple-net", "--seed", "8", stdin=f"{h}\nquit\n")
    assert "Fresh numbers (seed 8): replay them with backprop learn simple-net --seed 8." in first.stdout
    assert "✓ Correct" in first.stdout
    saved = json.loads((home / "progress.json").read_text())["lessons"]["simple-net"]["attempts"]
    assert [a["seed"] for a in saved] == [8]
    yhat = h * lesson.values["w2"]
    again = run(home, "learn", "simple-net", stdin=f"{sympy.nsimplify(yhat)}\nquit\n")
    assert "Welcome back: 1 of" in again.stdout and "seed 8" in again.stdout
    assert "✓ Correct" in again.stdout  # ŷ with the seed's numbers, not the file's
    plain = run(home, "learn", "simple-net", "--restart", stdin="quit\n")
    assert "Fresh numbers" not in plain.stdout and "w1 = 2 and w2 = 0.5" in plain.stdout


def test_vary_on_a_lesson_without_it_is_a_usage_error(tmp_path, capsys):
    assert main(["learn", "derivatives", "--vary"]) == 2
    assert "has no vary: its numbers are fixed" in capsys.readouterr().err


def _variant(tmp_path, block: str) -> Path:
    text = SIMPLE.read_text(encoding="utf-8")
    start = text.index("vary:")
    end = text.index("steps:")
    path = tmp_path / "simple-variant.yaml"
    path.write_text(text[:start] + block + text[end:], encoding="utf-8")
    return path


def test_validate_tries_several_seeds_and_names_the_one_that_breaks(tmp_path, capsys):
    # w2 up to 12: ŷ can pass the target, and the lesson's fact 'ŷ is below y' (∂L/∂ŷ negative) breaks
    bad = _variant(tmp_path, "vary:\n  w2: [0.5, 12, 15]\n")
    assert main(["lessons", "validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "with new numbers (--seed " in err and "because" in err
    unknown = _variant(tmp_path, "vary:\n  nope: [1, 2]\n")
    assert [str(p).split(": ", 1)[1] for p in vary.check([course.load(unknown)])] == [
        "vary.nope: 'nope' is not a network value or a numeric define of this lesson, so it cannot vary"]


def test_a_range_is_checked(tmp_path):
    from backprop_cli.errors import FileFormatError

    bad = _variant(tmp_path, "vary:\n  w1: {min: 3, max: 1, step: 0.5}\n")
    try:
        course.load(bad, 1)
    except FileFormatError as exc:
        assert "vary.w1" in str(exc) and "from min to max" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("a range from 3 down to 1 was accepted")


def test_fresh_numbers_on_the_network_already_loaded_are_those_of_a_fresh_load():
    """validate builds each seed on the network the file's first build loaded (not read and compiled
    again): every value, answer and the network itself are those of a build that loads it anew."""
    from backprop_cli.course.lesson import build

    for name in ("05-simple-net.yaml", "06-sigmoid-net.yaml"):
        lesson = course.load(LESSONS / name)
        for seed in vary.SEEDS:
            overrides = vary.sample(lesson.spec, lesson.lines, lesson.source, seed)
            args = (lesson.spec, lesson.source, lesson.lines, LESSONS)
            reused = build(*args, overrides=overrides, seed=seed, network=lesson.network)
            fresh = build(*args, overrides=overrides, seed=seed)
            assert reused.network == fresh.network and reused.network is not lesson.network
            assert reused.definitions == fresh.definitions
            assert [q.expected for q in reused.questions] == [q.expected for q in fresh.questions]
