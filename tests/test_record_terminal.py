"""The learner's record under real use, through a pseudo-terminal: a finished lesson reopened, two
sessions at once, the terminal closed (SIGHUP), SIGTERM, kill -9 mid-quiz, a teacher's copy of a
shipped lesson. Nothing the learner did may be lost."""

from __future__ import annotations

import json
import shutil
import signal
from pathlib import Path

import pexpect
import pytest
from pty_session import answer, finish, saved, spawn

from backprop_cli.quiz.runner import make_questions, plan_quiz

pytestmark = pytest.mark.terminal
ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).parent / "data" / "mini-net.yaml"
MINI_KEY = f"mini-net@{MINI.resolve()}"










def right_quiz_answers(seed: int, count: int) -> list[str]:
    return [q.typed(q.expected) for q in make_questions(seed, plan_quiz(seed, count))]


def finish_mini(home: Path) -> None:
    child = spawn(home, "learn", str(MINI))
    for text in ("-18", "4", "-72", "x*w2", "b"):
        answer(child, text)
    child.expect_exact("Lesson complete")
    assert finish(child) == 0


def test_a_finished_lesson_reopened_and_left_stays_done(_isolated_home):
    home = _isolated_home
    finish_mini(home)
    again = spawn(home, "learn", str(MINI))
    again.expect_exact("Question 1 of 5")  # a new attempt, from the start
    answer(again, "quit")
    assert finish(again) == 0
    record = saved(home)["lessons"][MINI_KEY]
    assert [a["status"] for a in record["attempts"]] == ["done"]  # nothing erased, nothing added
    third = spawn(home, "learn", str(MINI))
    answer(third, "17")  # one wrong answer, then the window is closed
    third.expect_exact("✗")
    answer(third, "quit")
    assert finish(third) == 0
    record = saved(home)["lessons"][MINI_KEY]
    assert [a["status"] for a in record["attempts"]] == ["done", "in-progress"]
    assert all(q["correct"] for q in record["attempts"][0]["questions"].values())


def test_the_menu_never_defaults_to_a_finished_lesson(_isolated_home):
    home = _isolated_home
    home.mkdir(parents=True)
    (home / "progress.json").write_text(json.dumps({
        "version": 2, "last_lesson": "derivatives",
        "lessons": {"derivatives": {"id": "derivatives", "attempts": [{"id": "a", "status": "done"}]}},
        "quizzes": []}))
    child = spawn(home, "learn")
    child.expect_exact("[Enter: start partials]")
    answer(child, "")
    child.expect_exact("Lesson 2: ")  # the menu's number is in the title
    child.expect_exact("Question 1 of")
    answer(child, "quit")
    assert finish(child) == 0
    assert saved(home)["lessons"]["derivatives"]["attempts"][0]["status"] == "done"


def test_a_lesson_opened_by_id_has_its_number_in_the_title(_isolated_home):
    child = spawn(_isolated_home, "learn", "partials")
    child.expect_exact("Lesson 2: Partial derivatives")
    answer(child, "quit")
    assert finish(child) == 0


def test_a_lesson_and_a_quiz_at_once_keep_both(_isolated_home):
    home = _isolated_home
    lesson = spawn(home, "learn", str(MINI))
    answer(lesson, "-18")
    lesson.expect_exact("✓ Correct")
    quiz = spawn(home, "quiz", "--seed", "3", "--count", "2")
    for text in right_quiz_answers(3, 2):
        answer(quiz, text)
    quiz.expect_exact("Score: 2/2")
    assert finish(quiz) == 0
    answer(lesson, "4")  # the lesson saves after the quiz did: it must not drop the quiz
    lesson.expect_exact("✓ Correct")
    answer(lesson, "quit")
    assert finish(lesson) == 0
    data = saved(home)
    assert len(data["quizzes"]) == 1 and data["quizzes"][0]["finished"] is True
    assert set(data["lessons"][MINI_KEY]["attempts"][0]["questions"]) == {"dL_dyhat", "dyhat_dw2"}


def test_two_lessons_side_by_side_keep_both(_isolated_home):
    home = _isolated_home
    first = spawn(home, "learn", "derivatives")
    second = spawn(home, "learn", str(MINI))
    answer(second, "-18")
    second.expect_exact("✓ Correct")
    answer(first, "hint")
    first.expect_exact("Hint 1/")
    answer(second, "quit")
    answer(first, "quit")
    assert finish(first) == finish(second) == 0
    lessons = saved(home)["lessons"]
    assert set(lessons) == {"derivatives", MINI_KEY}
    assert lessons["derivatives"]["attempts"][0]["questions"]["f_prime"]["hints"] == 1


@pytest.mark.parametrize("signum, code", [(signal.SIGHUP, 129), (signal.SIGTERM, 143)])
def test_closing_the_terminal_mid_quiz_saves_what_was_answered(_isolated_home, signum, code):
    home = _isolated_home
    child = spawn(home, "quiz", "--seed", "5", "--count", "3")
    right = right_quiz_answers(5, 3)
    answer(child, right[0])
    child.expect_exact("✓ Correct")
    answer(child, "hint")
    child.expect_exact("Hint 1/")
    child.expect_exact("› ")
    child.kill(signum)
    child.expect_exact("Quiz stopped.")  # handled like Ctrl-C: saved, then a goodbye
    child.expect_exact("Your answers so far are saved.")
    assert finish(child) == code
    quiz = saved(home)["quizzes"][0]
    assert [i["outcome"] for i in quiz["items"]] == ["correct"] and quiz["finished"] is False
    assert not list(home.glob(".progress.json.*.tmp"))


def test_kill_9_mid_quiz_loses_no_answer_given(_isolated_home):
    home = _isolated_home
    child = spawn(home, "quiz", "--seed", "5", "--count", "3")
    right = right_quiz_answers(5, 3)
    answer(child, right[0])
    child.expect_exact("✓ Correct")
    answer(child, "skip")
    child.expect_exact("Skipped.")
    child.expect_exact("› ")
    child.kill(signal.SIGKILL)
    child.expect(pexpect.EOF)
    assert [i["outcome"] for i in saved(home)["quizzes"][0]["items"]] == ["correct", "skipped"]


def test_sigterm_mid_lesson_keeps_the_hints_seen(_isolated_home):
    home = _isolated_home
    child = spawn(home, "learn", "derivatives")
    answer(child, "hint")
    child.expect_exact("Hint 1/")
    child.expect_exact("› ")
    child.kill(signal.SIGTERM)
    child.expect_exact("Progress saved")
    assert finish(child) == 143
    question = saved(home)["lessons"]["derivatives"]["attempts"][0]["questions"]["f_prime"]
    assert question["hints"] == 1 and question["first"] == "hinted"


def test_a_teachers_copy_of_a_shipped_lesson_keeps_its_own_record(_isolated_home, tmp_path):
    home = _isolated_home
    copy = tmp_path / "simple-net.yaml"
    shutil.copy(ROOT / "lessons" / "05-simple-net.yaml", copy)
    child = spawn(home, "learn", str(copy))
    child.expect_exact("Question 1 of")
    answer(child, "4")
    child.expect_exact("✓ Correct")
    answer(child, "quit")
    assert finish(child) == 0
    shipped = spawn(home, "learn", "simple-net")
    shipped.expect_exact("Question 1 of")
    assert "Welcome back" not in shipped.before
    answer(shipped, "quit")
    assert finish(shipped) == 0
    assert set(saved(home)["lessons"]) == {f"simple-net@{copy.resolve()}"}
