"""The prompt as a learner meets it: line editing and history at a real terminal (pexpect, TERM=xterm,
so prompt_toolkit is in charge), a NUL, Ctrl-C and Ctrl-D; and the same prompt fed from a pipe, where
nothing it echoes may carry an escape sequence and no line may be long enough to stall it."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

LEFT, BACKSPACE, UP, ENTER, CTRL_C, CTRL_D, NUL = "\x1b[D", "\x7f", "\x1b[A", "\r", "\x03", "\x04", "\x00"
F_PRIME = "3x^2 - 6x + 2"  # the answer to the first question of the derivatives lesson

HOSTILE_LESSON = r'''version: 1
id: evil
title: "Evil \e]0;pwned\a lesson"
summary: "Summary \e[2J here."
order: 91
setup:
  network: simple
steps:
  - text: "A title change \e]0;pwned\a, red \e[31mRED\e[0m, a reset \ec, the end."
  - id: q1
    ask: number
    prompt: "What is 1 + 1? \e]2;again\a"
    answer: "2"
    hints: ["It is \e[5mtwo\e[0m."]
    explanation: "Two."
'''


def spawn(home: Path, *args: str, term: str = "xterm") -> pexpect.spawn:
    env = dict(os.environ, BACKPROP_HOME=str(home), NO_COLOR="1", TERM=term, COLUMNS="100", LINES="40")
    return pexpect.spawn(sys.executable, ["-m", "backprop_cli", *args], env=env, cwd=str(home.parent),
                         encoding="utf-8", timeout=60, dimensions=(40, 100))


def prompt(child: pexpect.spawn) -> None:
    """Wait for the prompt; prompt_toolkit draws it after it has put the terminal in raw mode."""
    child.expect_exact("›")


def finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus if child.exitstatus is not None else 128 + child.signalstatus


def record(home: Path, lesson: str = "derivatives") -> dict:
    """The lesson's current attempt as saved (format 2 keeps every attempt)."""
    return json.loads((home / "progress.json").read_text())["lessons"][lesson]["attempts"][-1]


@pytest.mark.terminal
def test_a_typo_is_fixed_mid_line_with_left_and_backspace(_isolated_home):
    child = spawn(_isolated_home, "learn", "derivatives")
    child.logfile_read = io.StringIO()
    child.expect_exact("Question 1 of")
    prompt(child)
    child.send("3x^3 - 6x + 2")  # the typo is the first exponent, nine characters from the end
    child.send(LEFT * 9 + BACKSPACE + "2" + ENTER)
    child.expect_exact("read as: 3·x² − 6·x + 2")
    child.expect_exact("Correct")
    assert "^[[D" not in child.before and "control characters" not in child.before
    prompt(child)
    child.send("quit" + ENTER)
    assert finish(child) == 0
    assert record(_isolated_home)["questions"]["f_prime"]["answer"] == F_PRIME
    assert record(_isolated_home)["questions"]["f_prime"]["attempts"] == 1
    # NO_COLOR: the editor moves the cursor, but neither it nor Rich sets a colour or bold
    assert set(re.findall(r"\x1b\[[0-9;]*m", child.logfile_read.getvalue())) <= {"\x1b[0m", "\x1b[m"}


@pytest.mark.terminal
def test_home_end_and_up_recall_earlier_answers(_isolated_home):
    child = spawn(_isolated_home, "learn", "derivatives")
    child.expect_exact("Question 1 of")
    prompt(child)
    child.send("^2 - 6x + 2" + "\x1b[H" + "3x" + "\x1b[F" + ENTER)  # Home, then End before Enter
    child.expect_exact("Correct")
    child.expect_exact("Question 2 of")
    prompt(child)
    child.send("1" + ENTER)  # f(2), not f'(2): the lesson's own mistake
    child.expect_exact("That is f(2)")
    prompt(child)
    child.send(UP + ENTER)  # Up brings back "1": the same answer, the same feedback
    child.expect_exact("That is f(2)")
    prompt(child)
    child.send(UP + UP + UP)  # further back: the first answer
    child.expect_exact(F_PRIME)
    child.send(CTRL_C)
    child.expect_exact("Progress saved")
    assert finish(child) == 130
    slope = record(_isolated_home)["questions"]["slope_at_x0"]
    assert slope["attempts"] == 2 and slope["answer"] == "1"
    assert record(_isolated_home)["questions"]["f_prime"]["answer"] == F_PRIME


@pytest.mark.terminal
@pytest.mark.parametrize("term", ["xterm", "dumb"])  # editing, and plain reading at a dumb terminal
def test_a_nul_neither_swallows_the_enter_nor_drops_what_follows(term, _isolated_home):
    child = spawn(_isolated_home, "learn", "derivatives", term=term)
    child.expect_exact("Question 1 of")
    prompt(child)
    child.send("3x^2" + NUL + " - 6x + 2" + ENTER)
    # at the editor the NUL is ignored; read plainly it is refused, without costing the Enter
    child.expect_exact("Correct" if term == "xterm" else "control characters")
    prompt(child)
    if term == "dumb":
        child.send(F_PRIME + ENTER)
        child.expect_exact("Correct")
        prompt(child)
    child.send(NUL + ENTER)  # a NUL alone, then Enter: answered at once, not waiting for a second Enter
    child.expect_exact("the input is empty" if term == "xterm" else "control characters")
    prompt(child)
    child.send(CTRL_D)
    child.expect_exact("Progress saved")
    assert finish(child) == 0
    assert record(_isolated_home)["questions"]["f_prime"]["correct"] is True


@pytest.mark.terminal
def test_an_over_long_paste_is_refused_and_the_prompt_comes_back(_isolated_home):
    child = spawn(_isolated_home, "learn", "derivatives")
    child.expect_exact("Question 1 of")
    prompt(child)
    child.send("\x1b[200~" + "x" * 50_000 + "\x1b[201~" + ENTER)  # a bracketed paste, as terminals send it
    child.expect_exact("answer too long: at most 2000 characters")
    prompt(child)
    child.send(F_PRIME + ENTER)
    child.expect_exact("Correct")
    prompt(child)
    child.send(CTRL_D)
    assert finish(child) == 0
    assert record(_isolated_home)["questions"]["f_prime"]["attempts"] == 1  # the paste cost no try


@pytest.mark.terminal
def test_ctrl_c_mid_line_and_ctrl_d_save_and_leave(_isolated_home):
    child = spawn(_isolated_home, "learn", "derivatives")
    child.expect_exact("Question 1 of")
    prompt(child)
    child.send(F_PRIME + ENTER)
    child.expect_exact("Question 2 of")
    prompt(child)
    child.send("12" + CTRL_C)  # half an answer typed: still saved, exit 130
    child.expect_exact("Progress saved")
    assert finish(child) == 130
    assert "Traceback" not in (child.before or "")
    assert record(_isolated_home)["questions"]["f_prime"]["correct"] is True

    again = spawn(_isolated_home, "learn", "derivatives")
    again.expect_exact("Welcome back")
    prompt(again)
    again.send(CTRL_D)
    again.expect_exact("Progress saved")
    assert finish(again) == 0
    assert record(_isolated_home)["status"] == "in-progress"


@pytest.mark.terminal
def test_a_lesson_with_escape_sequences_cannot_reach_the_terminal(_isolated_home, tmp_path):
    lesson = tmp_path / "evil.yaml"
    lesson.write_text(HOSTILE_LESSON)
    child = spawn(_isolated_home, "learn", str(lesson))
    child.logfile_read = io.StringIO()  # everything the terminal received
    child.expect_exact("Question 1 of")
    prompt(child)
    child.send("hint" + ENTER)
    child.expect_exact("Hint 1/1")
    prompt(child)
    child.send("2" + ENTER)
    child.expect_exact("Lesson complete")
    assert finish(child) == 0
    transcript = child.logfile_read.getvalue()
    for raw in ("\x1b]", "\x07", "\x1b[31m", "\x1b[2J", "\x1bc", "\x1b[5m"):
        assert raw not in transcript, repr(raw)
    # the words around the sequences are all there
    assert "pwned" in transcript and "RED" in transcript and "the end" in transcript and "two" in transcript


# --- piped -----------------------------------------------------------------------------------

def run_piped(home: Path, stdin: bytes, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ, BACKPROP_HOME=str(home), NO_COLOR="1", COLUMNS="100")
    return subprocess.run([sys.executable, "-m", "backprop_cli", *(args or ("learn", "derivatives"))],
                          input=stdin, capture_output=True, env=env, timeout=timeout)


def test_an_escape_sequence_in_a_piped_answer_is_not_echoed(_isolated_home):
    result = run_piped(_isolated_home, b"3x^2 - 6x + 2\x1b]0;pwned\x07\n\x1b[2J\x1b[31mhint\nquit\n")
    out = result.stdout.decode()
    assert result.returncode == 0
    assert "\x1b" not in out and "\x07" not in out  # NO_COLOR: Rich adds none of its own either
    assert "› 3x^2 - 6x + 2pwned" in out  # the echo shows the text, without the sequence
    assert "control characters" in out  # and the answer itself is refused, not run together


def test_a_ten_megabyte_line_is_refused_at_once_and_the_next_line_is_read(_isolated_home):
    big = b"x" * 10_000_000 + b"\n" + F_PRIME.encode() + b"\nquit\n"
    result = run_piped(_isolated_home, big, timeout=30)  # it used to take 68 s
    out = result.stdout.decode()
    assert result.returncode == 0
    assert "answer too long: at most 2000 characters" in out
    assert len(result.stdout) < 50_000  # never echoed
    assert "Correct" in out  # the line after it is read as the next answer


def test_an_invalid_byte_is_named_as_a_byte(_isolated_home):
    out = run_piped(_isolated_home, b"3x\xe9\nquit\n").stdout.decode()
    assert "byte 0xE9 is not valid UTF-8" in out
    assert "U+DCE9" not in out


def test_full_width_answers_and_commands_are_read_as_ascii(_isolated_home):
    typed = "ｈｉｎｔ\n３ｘ＾２ − ６ｘ ＋ ２\nquit\n".encode()
    out = run_piped(_isolated_home, typed).stdout.decode()
    assert "Hint 1/" in out
    assert "read as: 3·x² − 6·x + 2" in out and "Correct" in out


def test_prompt_toolkit_is_not_imported_by_help_or_a_piped_run(_isolated_home):
    env = dict(os.environ, BACKPROP_HOME=str(_isolated_home), NO_COLOR="1")
    for args, stdin in ((["--help"], b""), (["learn", "derivatives"], b"quit\n")):
        result = subprocess.run([sys.executable, "-X", "importtime", "-m", "backprop_cli", *args], input=stdin,
                                capture_output=True, env=env, timeout=60)
        assert result.returncode == 0
        assert b"prompt_toolkit" not in result.stderr, args


def test_an_error_that_quotes_what_was_typed_carries_no_escape_sequence(_isolated_home):
    for args in (["step", "--network", "/tmp/no\x1b]0;pwned\x07such.yaml"], ["lessons", "show", "no\x1b[2Jsuch"]):
        result = run_piped(_isolated_home, b"", *args)
        err = result.stderr.decode()
        assert result.returncode == 2
        assert "\x1b" not in err and "\x07" not in err
        assert "such" in err  # the rest of the name is still quoted
