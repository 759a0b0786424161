"""`backprop quiz` end to end: piped answers, a reproducible transcript, option errors, and a real
pseudo-terminal session interrupted with Ctrl-C."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from backprop_cli.quiz import TOPICS
from backprop_cli.quiz.runner import make_questions, plan_quiz


def run(args, stdin="", env_extra=None):
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "backprop_cli", "quiz", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=120)


def answers(seed, count, topics=None):
    return [q.typed(q.expected) for q in make_questions(seed, plan_quiz(seed, count, topics))]


def saved(home):
    return json.loads((home / "progress.json").read_text(encoding="utf-8"))


def test_piped_quiz_right_hinted_skipped(_isolated_home):
    right = answers(7, 3)
    result = run(["--seed", "7", "--count", "3"], "\n".join([right[0], "hint", right[1], "skip"]) + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines[0].startswith("Quiz · 3 questions") and lines[1] == "Seed 7 — replay with --seed 7 --count 3"
    assert out.count("✓ Correct") == 2 and "Hint 1/" in out and "Skipped. The answer: " in out
    assert "Score: 2/3 (67%)" in out
    assert " in " not in out.split("Score: ")[1].splitlines()[0]  # no clock time when piped
    questions = make_questions(7, plan_quiz(7, 3))
    table = out.split("Score: 2/3 (67%)")[1]
    assert "Total" in table and "2/3" in table and "67%" in table and "1 with a hint, 1 skipped" in table
    quiz = saved(_isolated_home)["quizzes"][0]
    assert quiz["seed"] == 7 and quiz["when"] is None and quiz["topics"] == list(TOPICS)
    assert quiz["items"] == [{"topic": q.topic, "template": q.template, "outcome": o, "hints": h}
                             for q, o, h in zip(questions, ("correct", "hinted", "skipped"), (0, 1, 0))]
    assert quiz["finished"] is True


def test_same_seed_and_answers_give_the_same_transcript_byte_for_byte(tmp_path):
    right = answers(31, 4)
    lines = "\n".join([right[0], "1", "hint", "skip", right[2], "back", "quit"]) + "\n"
    first = run(["--seed", "31", "--count", "4"], lines, {"BACKPROP_HOME": str(tmp_path / "a")})
    second = run(["--seed", "31", "--count", "4"], lines, {"BACKPROP_HOME": str(tmp_path / "b")})
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout
    assert "Score so far: 2/3 (67%)" in first.stdout and "not available in a quiz" in first.stdout
    a, b = saved(tmp_path / "a"), saved(tmp_path / "b")
    assert a["quizzes"][0].pop("id") != b["quizzes"][0].pop("id")  # each quiz is its own entry
    observed = [[(o["skill"], o["outcome"], o["source"]) for o in doc.pop("observations")] for doc in (a, b)]
    assert observed[0] == observed[1] and observed[0]  # the same first tries, each with its own id and time
    assert a == b and a["quizzes"][0]["finished"] is False


def test_topic_filter_from_the_command_line(_isolated_home):
    result = run(["--seed", "3", "--count", "4", "--topic", "sigmoid-net", "--topic", "chain-rule",
                  "--topic", "sigmoid-net"], "quit\n")  # a repeated topic counts once
    assert "Seed 3 — replay with --seed 3 --count 4 --topic sigmoid-net --topic chain-rule\n" in result.stdout
    assert "Question 1 of 4 · Chain rule" in result.stdout
    assert "No question answered, so nothing was saved." in result.stdout
    assert not (_isolated_home / "progress.json").exists()


@pytest.mark.parametrize("args, message", [
    (["--topic", "integrals"], "unknown topic 'integrals'; choose from: " + ", ".join(TOPICS)),
    (["--count", "0"], "--count"),
    (["--count", "101"], "--count"),
    (["--seed", "-1"], "--seed"),
])
def test_bad_options_exit_2_with_one_line(args, message):
    result = run(args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_review_without_history_says_so(_isolated_home):
    result = run(["--review", "--seed", "2", "--count", "2"], "skip\nskip\n")
    assert "No quiz history to review yet, so this is a normal quiz." in result.stdout
    assert "Score: 0/2 (0%)" in result.stdout
    again = run(["--review", "--seed", "2", "--count", "2"], "quit\n")
    assert "missed most come first" in again.stdout


def test_the_command_module_does_not_import_sympy():
    code = "import sys, backprop_cli.commands.quiz; print('sympy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


@pytest.mark.terminal
def test_terminal_session_ctrl_c_saves_the_partial_score(_isolated_home):
    pexpect = pytest.importorskip("pexpect")
    right = answers(5, 2)
    env = {**os.environ, "BACKPROP_HOME": str(_isolated_home), "NO_COLOR": "1"}
    child = pexpect.spawn(sys.executable, ["-m", "backprop_cli", "quiz", "--seed", "5", "--count", "2"],
                          env=env, encoding="utf-8", dimensions=(40, 100), timeout=60)
    try:
        child.expect("Seed 5 — replay with --seed 5 --count 2")
        child.expect("Question 1 of 2")
        child.expect("›")  # prompt_toolkit draws the space after it as a cursor move
        child.sendline(right[0])
        child.expect("✓ Correct")
        child.expect("Question 2 of 2")
        child.expect("›")  # prompt_toolkit draws the space after it as a cursor move
        child.sendintr()
        child.expect("Quiz stopped.")
        child.expect(r"Score so far: 1/1 \(100%\) in \d+ s")
        child.expect("Your answers so far are saved.")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 130
    items = saved(_isolated_home)["quizzes"][0]["items"]
    assert [i["outcome"] for i in items] == ["correct"]
    assert saved(_isolated_home)["quizzes"][0]["when"] is not None  # a terminal session is dated


@pytest.mark.terminal
def test_terminal_session_ctrl_d_ends_cleanly_with_the_partial_score(_isolated_home):
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "BACKPROP_HOME": str(_isolated_home), "NO_COLOR": "1"}
    child = pexpect.spawn(sys.executable, ["-m", "backprop_cli", "quiz", "--seed", "9", "--count", "3"],
                          env=env, encoding="utf-8", dimensions=(40, 100), timeout=60)
    try:
        child.expect("Question 1 of 3")
        child.expect("›")  # prompt_toolkit draws the space after it as a cursor move
        child.sendline("skip")
        child.expect("Skipped. The answer: ")
        child.expect("Question 2 of 3")
        child.expect("›")  # prompt_toolkit draws the space after it as a cursor move
        child.sendeof()
        child.expect(r"Score so far: 0/1 \(0%\)")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert [i["outcome"] for i in saved(_isolated_home)["quizzes"][0]["items"]] == ["skipped"]
    assert "Traceback" not in child.before
