"""Whole lessons driven through a pseudo-terminal, as a learner would: right, wrong, hint, skip,
quit, resume, Ctrl-C and Ctrl-D. Runs the installed package from a folder outside the repository."""

from __future__ import annotations

from pathlib import Path

import pytest
from pty_session import answer, finish, saved, spawn

pytestmark = pytest.mark.terminal
MINI = Path(__file__).parent / "data" / "mini-net.yaml"










def test_derivatives_lesson_wrong_hint_right_skip_quit_and_resume(_isolated_home):
    home = _isolated_home
    child = spawn(home, "learn", "derivatives")
    child.expect_exact("Question 1 of")
    answer(child, "3x^3 - 6x^2 + 2x")  # the exponents were not lowered: the lesson's own mistake
    child.expect_exact("✗ ")
    child.expect_exact("drop by one")
    answer(child, "hint")
    child.expect_exact("Hint 1/")
    answer(child, "3x^2 - 6x + 2")
    child.expect_exact("read as: 3·x² − 6·x + 2")
    child.expect_exact("Correct")
    child.expect_exact("Question 2 of")
    answer(child, "skip")
    child.expect_exact("Skipped. The answer: 2")
    child.expect_exact("Question 3 of")
    answer(child, "quit")
    child.expect_exact("Progress saved")
    assert finish(child) == 0

    record = saved(home)["lessons"]["derivatives"]
    assert record["source"] == "shipped" and len(record["attempts"]) == 1
    attempt = record["attempts"][0]
    assert attempt["status"] == "in-progress"
    assert attempt["questions"]["f_prime"] == {
        "attempts": 2, "hints": 1, "skipped": False, "correct": True, "closed": True, "answer": "3x^2 - 6x + 2",
        "first": "wrong", "mistakes": [{"name": "f_prime:mistake-1", "feedback": "The exponents came down to the "
                                        "front, but each one must also drop by one (x³ → 3·x², not 3x³)."}]}
    assert attempt["questions"]["slope_at_x0"]["skipped"] is True

    again = spawn(home, "learn", "derivatives")
    again.expect_exact("Welcome back")
    again.expect_exact("Question 3 of")
    answer(again, "1")
    again.expect_exact("Correct")
    again.expect_exact("Question 4 of")
    again.expect_exact("› ")
    again.sendintr()  # Ctrl-C at a prompt: saved, one-line goodbye, exit 130
    again.expect_exact("Progress saved")
    status = finish(again)
    assert status == 130
    assert "Traceback" not in (again.before or "")
    assert saved(home)["lessons"]["derivatives"]["attempts"][0]["questions"]["f_at_x0"]["correct"] is True


def test_teacher_lesson_file_right_answers_to_the_end_then_ctrl_d(_isolated_home):
    home = _isolated_home
    child = spawn(home, "learn", str(MINI))
    child.expect_exact("Question 1 of 5")
    answer(child, "18")  # the sign flipped: recognised by the checker itself
    child.expect_exact("✗ ")
    child.expect("sign", timeout=10)
    answer(child, "-18")
    child.expect_exact("Correct")
    answer(child, "4")
    child.expect_exact("Correct")
    answer(child, "-72")
    child.expect_exact("Correct")
    child.expect_exact("Question 4 of 5")
    child.expect_exact("› ")
    child.sendeof()  # Ctrl-D: saved, goodbye, exit 0
    child.expect_exact("Progress saved")
    assert finish(child) == 0
    key = f"mini-net@{MINI.resolve()}"  # a lesson from a file has a record of its own, never a shipped one's
    assert list(saved(home)["lessons"]) == [key]
    assert saved(home)["lessons"][key]["attempts"][0]["at"] == "dyhat_dw2_formula"

    again = spawn(home, "learn", str(MINI))
    again.expect_exact("Question 4 of 5")
    answer(again, "x w2")
    again.expect_exact("Correct")
    answer(again, "b")
    again.expect_exact("Lesson complete")
    assert finish(again) == 0
    assert saved(home)["lessons"][key]["attempts"][0]["status"] == "done"


def test_menu_offers_to_continue_the_last_lesson(_isolated_home):
    home = _isolated_home
    child = spawn(home, "learn")
    child.expect_exact("Lessons")
    child.expect_exact("[Enter: start derivatives]")
    answer(child, "q")
    assert finish(child) == 0


def test_simple_net_lesson_forward_pass_with_a_carried_error_then_resume(_isolated_home):
    """The source's own network: a wrong ŷ carried into the loss is accepted with a note."""
    home = _isolated_home
    child = spawn(home, "learn", "simple-net")
    child.expect_exact("Question 1 of")
    answer(child, "4")
    child.expect_exact("✓ Correct")
    child.expect_exact("Question 2 of")
    answer(child, "324")  # not the prediction: a number the checker cannot name
    child.expect_exact("✗ ")
    answer(child, "skip")
    child.expect_exact("Skipped. The answer: 2")
    child.expect_exact("Question 3 of")
    answer(child, "46208")  # ½(20 − 324)²: right for the learner's own ŷ = 324, carried through
    child.expect_exact("✓ Correct")
    child.expect_exact("your own answer to question 2")
    child.expect_exact("the answer is 162")
    child.expect_exact("Question 4 of")
    answer(child, "quit")
    child.expect_exact("Progress saved")
    assert finish(child) == 0

    again = spawn(home, "learn", "5")
    again.expect_exact("Welcome back: 3 of 23 questions done")
    again.expect_exact("Question 4 of")
    again.expect_exact("› ")
    again.sendintr()
    again.expect_exact("Progress saved")
    assert finish(again) == 130
