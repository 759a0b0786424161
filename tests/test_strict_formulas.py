"""Authors' formulas are read strictly; learners' answers keep the friendly reading.

A learner typing ``w1x1`` means w1·x1; an author writing ``new_ww`` in a lesson or network file
has made a typo, which must be reported, not silently read as new_w·w.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backprop_cli import checking
from backprop_cli.cli import main
from backprop_cli.errors import ExpressionError, FileFormatError
from backprop_cli.expressions import NameErrors, parse
from backprop_cli.network.model import load as load_network

NAMES = ["new_w", "w", "w1", "x1", "x", "y"]


def strict_error(text: str) -> str:
    with pytest.raises(ExpressionError) as info:
        parse(text, NAMES, strict=True)
    return info.value.message


def test_a_run_together_name_is_refused_with_the_product_spelled_out():
    assert strict_error("w1x1") == "unknown name 'w1x1'; write w1*x1 if you mean a product"


def test_a_typo_close_to_a_known_name_gets_did_you_mean_and_the_product():
    assert strict_error("new_ww") == ("unknown name 'new_ww'; did you mean 'new_w'? "
                                      "write new_w*w if you mean a product")


def test_every_unknown_name_of_a_formula_is_reported():
    with pytest.raises(NameErrors) as info:
        parse("new_ww + qq - x1", NAMES, strict=True)
    assert [e.message.split(";")[0] for e in info.value.errors] == ["unknown name 'new_ww'", "unknown name 'qq'"]


@pytest.mark.parametrize(("text", "fragment"), [
    ("w1 x1", "write w1*x1 for a product"),
    ("x(y + 1)", "write x*(…) for a product"),
    ("2xy", "write x*y if you mean a product"),
])
def test_names_side_by_side_need_a_star_in_a_file(text, fragment):
    assert fragment in strict_error(text)


@pytest.mark.parametrize(("text", "value"), [
    ("3x", "3*x"), ("2(x + 1)", "2*x + 2"), ("(x + 1)(x - 1)", "(x - 1)*(x + 1)"), ("(x + 1)y", "y*(x + 1)"),
    ("2x^2", "2*x**2"), ("w1*x1", "w1*x1"), ("2pi", "2*pi"), ("sigmoid(x)", "sigmoid(x)"),
])
def test_what_an_author_may_write(text, value):
    assert str(parse(text, NAMES, strict=True).expr) == value


@pytest.mark.parametrize(("text", "value"), [("w1x1", "w1*x1"), ("w1 x1", "w1*x1"), ("2xy", "2*x*y"),
                                              ("x(y + 1)", "x*(y + 1)")])
def test_a_learner_keeps_the_friendly_reading(text, value):
    assert str(parse(text, NAMES).expr) == value


def test_a_learners_run_together_answer_is_still_marked_correct():
    import sympy

    w1, x1 = sympy.symbols("w1 x1", real=True)
    verdict = checking.check_expression("w1x1", w1 * x1, {"w1": w1, "x1": x1})
    assert verdict.correct, verdict


NET = """\
name: typo
inputs: {x: 2}
targets: {y: 20}
parameters: {w1: 2, w2: 0.5}
nodes:
  h: x*w1
  y_hat: {y_hat}
loss: (y - y_hat)^2 / 2
"""


def test_a_run_together_name_in_a_network_file_is_an_error_with_its_line(tmp_path: Path):
    path = tmp_path / "net.yaml"
    path.write_text(NET.replace("{y_hat}", "hw2"), encoding="utf-8")
    with pytest.raises(FileFormatError) as info:
        load_network(str(path))
    assert str(info.value) == (f"{path}:7: nodes.y_hat: unknown name 'hw2'; did you mean 'w2'? "
                               "write h*w2 if you mean a product")


def test_names_side_by_side_in_a_network_file_need_a_star(tmp_path: Path):
    path = tmp_path / "net.yaml"
    path.write_text(NET.replace("{y_hat}", "h w2"), encoding="utf-8")
    with pytest.raises(FileFormatError, match=r"write h\*w2 for a product"):
        load_network(str(path))
    path.write_text(NET.replace("{y_hat}", "h*w2"), encoding="utf-8")
    assert load_network(str(path)).node("y_hat").deps == ("w2", "h")


LESSON = """\
version: 1
id: typo
title: Typo
summary: A run-together name.
order: 1
setup:
  network: simple
steps:
  - id: q1
    ask: number
    prompt: The new w1?
    answer: {answer}
    hints: [one step]
    explanation: One step of gradient descent.
"""


def test_a_run_together_name_in_a_lesson_is_reported_by_validate(tmp_path: Path, capsys):
    path = tmp_path / "typo.yaml"
    path.write_text(LESSON.format(answer="new_w1w1"), encoding="utf-8")
    assert main(["lessons", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert (f"{path}:12: steps[0].answer: unknown name 'new_w1w1'; did you mean 'new_w1'? "
            "write new_w1*w1 if you mean a product") in err
    path.write_text(LESSON.format(answer="new_w1"), encoding="utf-8")
    assert main(["lessons", "validate", str(path)]) == 0


def test_shipped_lessons_and_networks_read_strictly():
    from backprop_cli.course.lint import lint_course
    from backprop_cli.network.model import builtin_names

    assert [str(p) for p in lint_course()] == []
    for name in builtin_names():
        load_network(name)


def test_every_bad_formula_of_a_network_file_in_one_run(tmp_path: Path):
    path = tmp_path / "net.yaml"
    path.write_text("name: n\ninputs: {x: 1}\nparameters: {w: 1, v: 2}\nnodes:\n  h: wx\n  y_hat: h*vv + q\n"
                    "loss: y_hat^2\n", encoding="utf-8")
    with pytest.raises(FileFormatError) as info:
        load_network(str(path))
    assert str(info.value).splitlines() == [
        f"{path}:5: nodes.h: unknown name 'wx'; write w*x if you mean a product",
        f"{path}:6: nodes.y_hat: unknown name 'vv'; write v*v if you mean a product",
        f"{path}:6: nodes.y_hat: unknown name 'q'",
    ]
