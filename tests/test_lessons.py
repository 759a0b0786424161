"""The course content and its validator: every shipped lesson proves its own answer keys."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from backprop_cli import course
from backprop_cli.cli import main

EXPECTED_IDS = ["derivatives", "partials", "gradients", "chain-rule", "simple-net", "sigmoid-net"]
MINI = Path(__file__).parent / "data" / "mini-net.yaml"


@pytest.fixture(scope="module")
def shipped():
    return course.load_all()


def test_the_six_lessons_in_order_each_with_at_least_five_questions(shipped):
    ids = [lesson.id for lesson in shipped]
    assert [i for i in EXPECTED_IDS if i in ids] == [i for i in ids if i in EXPECTED_IDS]
    for lesson in shipped:
        assert len(lesson.questions) >= 5, lesson.id
        for q in lesson.questions:
            assert q.step.hints and all(h.strip() for h in q.step.hints)


def test_every_shipped_lesson_passes_the_validator(capsys):
    """One full lint of the shipped lessons, through the command (its output lists any problem)."""
    code = main(["lessons", "validate"])
    out = capsys.readouterr()
    assert code == 0 and "OK" in out.out, out.out + out.err


def test_simple_net_new_loss_is_computed_not_copied(shipped):
    by_id = {lesson.id: lesson for lesson in shipped}
    if "simple-net" not in by_id:
        pytest.skip("simple-net not written yet")
    lesson = by_id["simple-net"]
    import sympy

    assert lesson.definitions["new_loss"] == sympy.Rational("107.76294432")
    assert lesson.definitions["d_loss_d_w2"] == -72


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(textwrap.dedent(text))
    return path


BASE = """\
version: 1
id: bad
title: Bad
summary: A lesson with one problem.
order: 1
setup:
  symbols: [x]
  define:
    f: x^2
steps:
  - id: q1
    ask: number
    prompt: What is f at 3?
    answer: {answer}
    hints: [square it]
    explanation: It is 9.
{extra}"""


@pytest.mark.parametrize(
    ("answer", "extra", "line", "fragment"),
    [
        ("9", "    hint: [typo]\n", 17, "steps[0].hint: unknown field"),
        ("z + 1", "", 14, "unknown name 'z'"),
        ("f", "", 14, "must be a number, but it depends on x"),
        ("W", "", 14, "unknown name 'W'"),
        ("sqrt(2)", "    exact: true\n", 14, "is not accepted by the checker"),
        ("9", "    because: {value: 1, is: positive}\n", 17, "steps[0].because: because belongs to choice questions only"),
        ("9", "    mistakes:\n      - answer: 9\n        feedback: same as the answer\n", 18, "accepted as correct"),
        ("9", "  - text: ''\n", 17, "must be non-empty text"),
        ("9", "  - nothing: here\n", 17, "a step needs one of"),
        ("(9", "", 14, "never closed"),
    ],
)
def test_bad_lessons_report_file_line_field(tmp_path, capsys, answer, extra, line, fragment):
    path = write(tmp_path, BASE.format(answer=answer, extra=extra))
    assert main(["lessons", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    first = err.splitlines()[0]
    assert first.startswith(f"{path}:{line}: "), err
    assert fragment in err
    assert "Traceback" not in err


def test_false_because_fact_and_duplicate_ids(tmp_path, capsys):
    path = write(tmp_path, BASE.format(answer="9", extra="""\
  - id: q1
    ask: choice
    prompt: Rising?
    options: ["yes", "no"]
    answer: a
    because: {value: -1, is: positive}
    hints: [look]
    explanation: It rises.
"""))
    assert main(["lessons", "validate", str(path)]) == 2
    assert "the id 'q1' is already used" in capsys.readouterr().err
    fixed = path.read_text().replace("  - id: q1\n    ask: choice", "  - id: q2\n    ask: choice")
    path.write_text(fixed)
    assert main(["lessons", "validate", str(path)]) == 2
    assert "the fact is false: the value is negative, not positive" in capsys.readouterr().err


def test_yaml_yes_no_trap_gets_a_clear_message(tmp_path, capsys):
    path = write(tmp_path, BASE.format(answer="9", extra="""\
  - id: q2
    ask: choice
    prompt: Rising?
    options: [yes, no]
    answer: a
    hints: [look]
    explanation: It rises.
"""))
    assert main(["lessons", "validate", str(path)]) == 2
    assert "put the text in quotes" in capsys.readouterr().err


def test_lessons_list_json(capsys):
    assert main(["lessons", "list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data and {"id", "title", "questions"} <= set(data[0])
    assert data[0]["id"] == "derivatives" and data[0]["questions"] >= 5


def test_lessons_show_prints_answers(capsys):
    assert main(["lessons", "show", str(MINI)]) == 0
    out = capsys.readouterr().out
    assert "Answer: −18" in out and "Answer: −72" in out and "Hint 1:" in out
    assert "If the learner answers −18: That is ∂L/∂ŷ alone" in out


def test_unknown_lesson_is_a_usage_error(capsys):
    assert main(["learn", "simple-nte"]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'simple-net'" in err or "no lesson 'simple-nte'" in err


def test_piped_session_transcript(tmp_path):
    """Answers one per line on a pipe work like a terminal and are echoed."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, NO_COLOR="1", COLUMNS="100")
    result = subprocess.run([sys.executable, "-m", "backprop_cli", "learn", str(MINI)],
                            input="-18\nhint\n4\nskip\n", capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "› -18" in out and "✓ Correct" in out and "Hint 1/1" in out and "Skipped. The answer: −72" in out
    assert "Progress saved" in out  # end of input = Ctrl-D: saved


def test_plot_steps_draw_the_sources_pictures(shipped):
    """Lesson 1 draws the tangent at x = 2 (slope 2); lesson 5 walks the loss surface to (3.391, 2.949)."""
    from backprop_cli.course.plots import plot
    from backprop_cli.course.schema import PlotStep

    by_id = {lesson.id: lesson for lesson in shipped}
    shown = {}
    for lesson in (by_id["derivatives"], by_id["simple-net"]):
        for i, step in enumerate(lesson.spec.steps):
            if isinstance(step, PlotStep):
                event = plot(lesson, step.plot, ("steps", i, "plot"))
                shown[event.what] = event.data
    assert shown["tangent"].x0 == 2 and shown["tangent"].slope == 2 and shown["tangent"].y0 == 1
    end = shown["surface"].path[-1]
    assert round(end[0], 3) == 3.391 and round(end[1], 3) == 2.949
    assert shown["training"].curves[0].losses[0] == 162


def test_bad_plot_step_is_reported_with_its_line(tmp_path, capsys):
    path = tmp_path / "plot.yaml"
    path.write_text(MINI.read_text().replace("  - network: forward\n", "  - plot: {surface: [w1, w9]}\n"))
    assert main(["lessons", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:13: steps[1].plot.surface: 'w9' is not a parameter of the network")


def test_derive_step_shows_sympy_pretty_form_and_named_rules(capsys):
    assert main(["lessons", "show", "sigmoid-net"]) == 0
    out = capsys.readouterr().out
    assert "d ⎛   1   ⎞" in out and "du⎜     -u⎟" in out  # SymPy's unicode pretty printing
    assert "chain rule" in out and "power rule" in out and "exp rule" in out
    assert "Result: exp(−u)/(1 + exp(−u))²" in out


def test_a_new_weight_must_be_right_in_its_step_not_just_within_0_1_percent(shipped):
    """0.5047 is within 0.1% of w3' = 0.504237, but its step is 11% off."""
    from backprop_cli.course import answers

    lesson = {lesson.id: lesson for lesson in shipped}["sigmoid-net"]
    question = next(q for q in lesson.questions if q.id == "w3_updated")
    assert answers.check(lesson, question, "0.5047").mistake == "update-step"
    for text in ("0.5042", "0.504237", "0.504", "0.50424"):
        assert answers.check(lesson, question, text).correct, text
