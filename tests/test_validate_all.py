"""`lessons validate` reports every problem of a file in one run, in the author's words, and
`learn`, `lessons show` and `lessons play` refuse a lesson that fails it with the same lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from backprop_cli.cli import main

FIVE = """\
version: 1
id: five
title: Five problems
summary: One run should show them all.
order: 1
setup:
  network: simple
  define:
    step_w1: lr*d_loss_d_w
    twice: 2*step_w1
steps:
  - text: "The prediction is {{y_hatt}}."
  - id: q1
    ask: number
    prompt: What is the new w1?
    answer: new_ww1
    hints: [one step]
    explanation: w1 minus the step.
  - id: q2
    ask: number
    prompt: And twice the new w1?
    answer: 2*q1
    hints: [double it]
    explanation: Twice.
  - id: q3
    ask: number
    prompt: What is w2 after one step?
    answer: new_w2
    hints: [one step]
    explanation: w2 minus α times its gradient.
    mistakes:
      - answer: w2
        feedback: You kept the old weight.
      - answer: new_w2
        feedback: Same as the answer.
  - id: q4
    ask: choice
    prompt: Does the loss fall?
    options: ["yes", "no"]
    answer: a
    because: {value: new_loss - loss, is: positive}
    hints: [compare]
    explanation: It falls.
"""

#: FIVE with its three unknown names fixed: it can be built, and fails only the checks of its answers
RUNNABLE = FIVE.replace("d_loss_d_w\n", "d_loss_d_w1\n").replace("y_hatt", "y_hat").replace("new_ww1", "new_w1")


def write(tmp_path: Path, text: str, name: str = "lesson.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(err: str) -> list[str]:
    return [line for line in err.splitlines() if not line.startswith("backprop:") and "found" not in line]


def test_every_problem_of_a_file_in_one_run(tmp_path, capsys):
    path = write(tmp_path, FIVE)
    assert main(["lessons", "validate", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{path}:9: setup.define.step_w1: unknown name 'd_loss_d_w'; did you mean 'd_loss_d_w2'?",
        f"{path}:12: steps[0].text: unknown name 'y_hatt'; did you mean 'y_hat'?",
        f"{path}:16: steps[1].answer: unknown name 'new_ww1'; did you mean 'new_w1'?",
        (f"{path}:32: steps[3].mistakes[0].answer: the checker already explains 0.5 as “That is the old value of w2: "
         "as typed, the step was not taken. Subtract α·∂L/∂w2 from it.”, so this listed mistake is not needed: its "
         "feedback would never be shown (remove it, or list a different wrong answer)"),
        (f"{path}:34: steps[3].mistakes[1].answer: this mistake (1.22) is accepted as correct: it equals the answer "
         "key (or is within the rounding the checker allows), so a learner typing it is told it is right; change it "
         "or remove it"),
        f"{path}:41: steps[4].because.value: the fact is false: the value is negative, not positive",
        "6 problems found",
    ]


def test_what_depends_on_a_failed_part_is_skipped_not_reported_again(tmp_path, capsys):
    path = write(tmp_path, FIVE)
    main(["lessons", "validate", str(path)])
    err = capsys.readouterr().err
    assert "twice" not in err and "steps[2]" not in err  # they use step_w1 and q1, which failed
    assert "update-step" not in err and "recognised as itself" not in err  # no internal category names


def test_two_unknown_names_in_one_formula_are_two_lines(tmp_path, capsys):
    path = write(tmp_path, RUNNABLE.replace("    answer: new_w2\n", "    answer: new_w22 + w9\n", 1))
    assert main(["lessons", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:28: steps[3].answer: unknown name 'new_w22'; did you mean 'new_w2'?\n" in err
    assert f"{path}:28: steps[3].answer: unknown name 'w9'\n" in err
    assert "steps[3].mistakes" not in err  # the mistakes of a failed question are not checked


def test_a_network_that_cannot_be_loaded_does_not_make_every_name_unknown(tmp_path, capsys):
    path = write(tmp_path, FIVE.replace("network: simple", "network: simpel"))
    assert main(["lessons", "validate", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{path}:7: setup.network: network: ")
    assert err[-1] == "1 problem found"


def test_unknown_keys_get_a_suggestion_and_one_line_each(tmp_path, capsys):
    text = (RUNNABLE.replace("    hints: [double it]", "    hint: [double it]")
            .replace("  define:", "  defines:", 1).replace("        feedback: Same", "        feedbak: Same"))
    path = write(tmp_path, text)
    assert main(["lessons", "validate", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{path}:8: setup.defines: unknown field; did you mean 'define'?",
        f"{path}:23: steps[2].hint: unknown field; did you mean 'hints'?",
        f"{path}:35: steps[3].mistakes[1].feedbak: unknown field; did you mean 'feedback'?",
        "3 problems found",
    ]


def test_a_typo_inside_a_define_is_one_line_not_one_per_kind_of_define(tmp_path, capsys):
    path = write(tmp_path, RUNNABLE.replace("    twice: 2*step_w1", "    slope: {derivativ: step_w1, wrt: x}"))
    assert main(["lessons", "validate", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"{path}:10: setup.define.slope.derivativ: unknown field; did you mean 'derivative'?",
                   "1 problem found"]


def test_a_network_file_key_typo_gets_a_suggestion(tmp_path, capsys):
    path = write(tmp_path, "name: n\ninputs: {x: 1}\nparamters: {w: 1}\nnodes:\n  y_hat: w*x\nloss: y_hat^2\n",
                 "net.yaml")
    assert main(["step", "--network", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:3: paramters: unknown field; did you mean 'parameters'?" in err
    assert "required field is missing" not in err


def test_notes_stay_notes_in_the_authors_words(capsys):
    assert main(["lessons", "validate"]) == 0
    out = capsys.readouterr().out
    notes = [line for line in out.splitlines() if ": note: " in line]
    assert notes and all("the generated diagnosis already finds this mistake (it says: “" in n for n in notes)
    assert "missing-factor" not in out and "previous-answer" not in out


@pytest.mark.parametrize("command", [["learn"], ["lessons", "show"], ["lessons", "play"]])
def test_a_lesson_that_fails_validation_is_refused_with_the_same_lines(tmp_path, capsys, command):
    path = write(tmp_path, RUNNABLE)
    assert main(["lessons", "validate", str(path)]) == 2
    expected = problems(capsys.readouterr().err)
    assert len(expected) == 3
    assert main([*command, str(path)]) == 2
    err = capsys.readouterr().err
    assert problems(err) == expected
    assert err.splitlines()[-1] == ("3 problems found: fix them (backprop lessons validate FILE), "
                                    "or give --force to go on anyway")


def test_force_warns_and_goes_on(tmp_path, capsys):
    path = write(tmp_path, RUNNABLE)
    assert main(["lessons", "show", str(path), "--force"]) == 0
    captured = capsys.readouterr()
    assert "backprop: warning: 3 problems found; going on because of --force" in captured.err
    assert len(problems(captured.err)) == 3
    assert "What is w2 after one step?" in captured.out


def test_a_lesson_that_cannot_be_built_is_refused_even_with_force(tmp_path, capsys):
    path = write(tmp_path, FIVE)
    assert main(["lessons", "show", str(path), "--force"]) == 2
    err = capsys.readouterr().err
    assert len(problems(err)) == 6
    assert err.splitlines()[-1].endswith("the lesson cannot be built, so it cannot be run (not even with --force)")


def test_a_sound_lesson_is_shown_without_a_word(capsys):
    assert main(["lessons", "show", "derivatives"]) == 0
    assert capsys.readouterr().err == ""


def test_a_misspelt_step_kind_gets_a_suggestion(tmp_path, capsys):
    path = write(tmp_path, RUNNABLE.replace("  - text: \"The prediction", "  - txt: \"The prediction"))
    assert main(["lessons", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert (f"{path}:12: steps[0]: a step needs one of: text, derive, network, plot, ask "
            "(is 'txt' meant to be 'text'?)") in err
