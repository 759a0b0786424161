"""Step-based tutoring at a real terminal: help fades for a learner who has mastered the skills, and
two misses at a composite question bring its parts (a scaffold generated from the formula)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pexpect
import pytest
from pty_session import answer, spawn

from backprop_cli import course

pytestmark = pytest.mark.terminal






def seed(home: Path, document: dict) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "progress.json").write_text(json.dumps({"version": 2, **document}), encoding="utf-8")


def mastered(*skills: str, times: int = 4) -> list[dict]:
    """Right first tries, a day ago, enough for BKT to call each skill mastered."""
    at = (datetime.now(timezone.utc) - timedelta(days=1)).isoformat()
    return [{"id": f"{skill}-{k}", "skill": skill, "outcome": "correct", "at": at}
            for skill in skills for k in range(times)]


def test_a_learner_who_mastered_the_forward_pass_gets_bare_prompts_and_an_optional_drill(tmp_path):
    home = tmp_path / "home"
    seed(home, {"observations": mastered("forward-pass")})
    child = spawn(home, "learn", "simple-net", columns=120)
    child.expect_exact("Question 1 of 23 (optional: you have mastered this)")
    child.expect_exact("What is the hidden value h?")  # bare: no "= x · w1"
    assert "x · w1?" not in child.before + child.after
    answer(child, "skip")  # a mastered drill: skipping costs nothing
    child.expect_exact("Question 2 of 23 ·")
    child.expect_exact("What is the prediction ŷ?")
    answer(child, "quit")
    child.expect(pexpect.EOF)
    q = json.loads((home / "progress.json").read_text())["lessons"]["simple-net"]["attempts"][0]["questions"]
    assert q["h_value"]["skipped"] is False and q["h_value"]["closed"] is True


def test_a_new_learner_sees_the_formula(tmp_path):
    child = spawn(tmp_path / "home", "learn", "simple-net", columns=120)
    child.expect_exact("Question 1 of 23 · answer with a number")
    child.expect_exact("What is the hidden value h = x · w1?")
    answer(child, "quit")
    child.expect(pexpect.EOF)


def test_two_misses_bring_the_parts_then_the_question_again(tmp_path):
    home = tmp_path / "home"
    lesson = course.find("simple-net")
    ids = [q.id for q in lesson.questions]
    before = ids[: ids.index("dL_dw2")]  # every question before ∂L/∂w2 passed: resume there
    questions = {qid: {"attempts": 1, "correct": True, "closed": True, "first": "correct"} for qid in before}
    seed(home, {"lessons": {"simple-net": {"id": "simple-net", "attempts": [{"id": "a", "questions": questions}]}}})
    child = spawn(home, "learn", "simple-net", columns=120)
    child.expect_exact("Chain them: what is ∂L/∂w2 = ∂L/∂ŷ · ∂ŷ/∂w2?")
    answer(child, "-20")
    child.expect_exact("✗")
    answer(child, "-30")
    child.expect_exact("This one has 2 parts: type 'parts'")
    answer(child, "parts")
    child.expect_exact("in 2 parts: ∂L/∂ŷ, ∂ŷ/∂w2; then multiply them: ∂L/∂w2 = ∂L/∂ŷ · ∂ŷ/∂w2.")
    child.expect_exact("Part 1 of 2")
    child.expect_exact("What is ∂L/∂ŷ = ŷ − y?")
    answer(child, "hint")
    child.expect_exact("Put in the values from the forward pass: y = 20, ŷ = 2.")
    answer(child, "-18")
    child.expect_exact("✓ Correct")
    child.expect_exact("Part 2 of 2")
    answer(child, "5")
    child.expect_exact("✗")
    answer(child, "6")  # two misses on a part: its value is shown, the walk goes on
    child.expect_exact("It is ∂ŷ/∂w2 = 4.")
    child.expect_exact("All parts done. Now multiply them")
    child.expect_exact("Chain them: what is ∂L/∂w2 = ∂L/∂ŷ · ∂ŷ/∂w2?")
    answer(child, "-72")
    child.expect_exact("✓ Correct")
    answer(child, "quit")
    child.expect(pexpect.EOF)
    record = json.loads((home / "progress.json").read_text())["lessons"]["simple-net"]["attempts"][0]
    q = record["questions"]["dL_dw2"]
    assert (q["attempts"], q["correct"], q["first"]) == (3, True, "wrong")  # the parts cost no try
