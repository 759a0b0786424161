"""From lesson to lesson: the end of a lesson offers the next one not yet done; the end of the
course sums it up and points to review."""

from __future__ import annotations

import json
import os
import subprocess
import sys

DERIVATIVES = "3x^2-6x+2\n2\n1\n1.231\n0.231\n0.2\na\nb\n"


def run(home, *args, stdin=""):
    env = {**os.environ, "BACKPROP_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-m", "backprop_cli", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=180)


def test_finishing_a_lesson_offers_the_next_and_enter_starts_it(tmp_path):
    home = tmp_path / "home"
    result = run(home, "learn", "1", stdin=DERIVATIVES + "\nquit\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Lesson complete" in out
    assert "Next: Lesson 2 · Partial derivatives" in out.split("Lesson complete")[1]
    assert "Lesson 2: Partial derivatives" in out.split("Next: Lesson 2")[1]  # Enter opened it
    saved = json.loads((home / "progress.json").read_text(encoding="utf-8"))
    assert saved["lessons"]["derivatives"]["attempts"][0]["status"] == "done"
    assert "partials" not in saved["lessons"]  # opened and left at once: nothing recorded


def test_q_at_the_offer_leaves(tmp_path):
    home = tmp_path / "home"
    result = run(home, "learn", "derivatives", stdin=DERIVATIVES + "q\n")
    assert result.returncode == 0 and "Next: Lesson 2" in result.stdout
    assert "Lesson 2: Partial" not in result.stdout


def test_the_end_of_the_course_sums_it_up_and_points_to_review(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    done = {"id": "a", "status": "done", "questions": {"q": {"attempts": 1, "correct": True, "closed": True,
                                                              "first": "correct"}}}
    lessons = {lid: {"id": lid, "attempts": [dict(done)]}
               for lid in ("partials", "gradients", "chain-rule", "simple-net", "sigmoid-net")}
    (home / "progress.json").write_text(json.dumps({"version": 2, "lessons": lessons}), encoding="utf-8")
    result = run(home, "learn", "1", stdin=DERIVATIVES)
    assert result.returncode == 0, result.stderr
    tail = result.stdout.split("Lesson complete")[1]
    assert "Next:" not in tail
    assert "You have finished every lesson of the course." in tail
    assert "6 lessons, 13 questions, 13 right on the first try (100%)." in tail
    assert "backprop review" in tail


def test_the_menu_after_the_course_says_so_and_enter_leaves(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    lessons = {lid: {"id": lid, "attempts": [{"id": "a", "status": "done"}]}
               for lid in ("derivatives", "partials", "gradients", "chain-rule", "simple-net", "sigmoid-net")}
    (home / "progress.json").write_text(json.dumps({"version": 2, "lessons": lessons}), encoding="utf-8")
    result = run(home, "learn", stdin="\n")
    assert result.returncode == 0
    assert "Every lesson is done." in result.stdout and "[Enter: leave]" in result.stdout
    assert "Lesson 1:" not in result.stdout
