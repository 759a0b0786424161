"""Boundaries that mutation testing found unpinned: each test fails when a limit moves by one or a
condition is dropped (the figures compared exactly, the free "looks rounded", the paths kept in a
chain, the parser's nesting limits, the defaults of a progress record missing its keys)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy
from sympy import Rational as R

from backprop_cli.checking import check_number
from backprop_cli.checking.figures import EXACT_MAX_FIGURES, short_decimal
from backprop_cli.errors import ExpressionError
from backprop_cli.expressions import MAX_NESTING, parse
from backprop_cli.network.engine import MAX_PATHS, Engine
from backprop_cli.network.model import load
from backprop_cli.progress.store import parse as parse_progress

# --- which expected values are compared exactly ---------------------------------------------------


def test_six_significant_figures_are_compared_exactly_seven_by_tolerance():
    assert EXACT_MAX_FIGURES == 6
    six, seven = R(123456, 100000), R(1234567, 1000000)  # 1.23456 and 1.234567
    assert short_decimal(six) and not short_decimal(seven)
    assert short_decimal(sympy.Integer(123456)) and not short_decimal(sympy.Integer(1234567))
    # six figures: exact, so five figures are a rounding to be completed ...
    verdict = check_number("1.2346", six)
    assert verdict.status == "invalid" and "exact" in verdict.message
    assert check_number("1.23456", six).correct
    assert check_number("123460", sympy.Integer(123456)).status == "incorrect"
    # ... seven figures: the tolerance rules, so five figures are right
    assert check_number("1.2346", seven).correct
    assert check_number("1234600", sympy.Integer(1234567)).correct


# --- the free "looks rounded" is for roundings only -------------------------------------------------


@pytest.mark.parametrize("text", ["1.23", "1.24", "1.2"])
def test_a_rounding_of_an_exact_answer_is_asked_again(text):
    verdict = check_number(text, R(1231, 1000))
    assert verdict.status == "invalid" and "looks rounded" in verdict.message, text


@pytest.mark.parametrize("text", ["1.22", "1.25", "1.4", "1.1", "2.2", "-1.23"])
def test_a_wrong_short_decimal_is_wrong_not_looks_rounded(text):
    """More than one unit of its last place away from 1.231: a mistake, marked as one."""
    verdict = check_number(text, R(1231, 1000))
    assert verdict.status == "incorrect", (text, verdict)


def test_a_wrong_integer_is_not_a_rounding_of_an_exact_integer():
    for text in ("-17", "-20", "-18.01"):
        assert check_number(text, sympy.Integer(-18)).status == "incorrect", text


# --- how many paths a chain keeps ------------------------------------------------------------------


def _fan(tmp_path: Path, skip: bool) -> Engine:
    """x·w fans out 2·2·2·3 = 24 ways to ŷ; with ``skip``, one more path (c·h0) makes 25."""
    nodes = ["  h0: x*w"]
    previous = "h0"
    for i, width in enumerate((2, 2, 2, 3), 1):
        names = [f"a{i}_{k}" for k in range(width)]
        nodes += [f"  {n}: {previous}*{0.5 + 0.1 * k:.1f}" for k, n in enumerate(names)]
        nodes.append(f"  h{i}: " + " + ".join(names))
        previous = f"h{i}"
    nodes.append(f"  y_hat: {previous}" + (" + c*h0" if skip else ""))
    text = "\n".join(["version: 1", "name: fan", "inputs: {x: 0.5}", "targets: {y: 1}",
                      "parameters: {w: 0.3" + (", c: 0.2}" if skip else "}"), "nodes:", *nodes,
                      "loss: (y - y_hat)^2 / 2", "learning_rate: 0.01", ""])
    path = tmp_path / f"fan-{skip}.yaml"
    path.write_text(text, encoding="utf-8")
    return Engine(load(str(path)))


def test_a_chain_keeps_max_paths_and_says_when_there_were_more(tmp_path):
    assert MAX_PATHS == 24
    detail = _fan(tmp_path, skip=False).step_detail(0.01)
    chain = next(c for c in detail.chains if c.parameter == "w")
    assert chain.complete and len(chain.paths) == MAX_PATHS
    total = sum(float(p.value) for p in chain.paths)  # all paths: their sum is the gradient
    assert total == pytest.approx(float(detail.gradients["w"]), rel=1e-9)

    detail = _fan(tmp_path, skip=True).step_detail(0.01)
    chain = next(c for c in detail.chains if c.parameter == "w")
    assert not chain.complete and len(chain.paths) == MAX_PATHS
    assert all(p.factors[-1].dep == "w" for p in chain.paths)


# --- the parser's nesting limits ----------------------------------------------------------------------


def test_thirty_brackets_parse_and_thirty_one_are_refused():
    assert MAX_NESTING == 30
    assert str(parse("(" * MAX_NESTING + "x" + ")" * MAX_NESTING, ["x"]).expr) == "x"
    with pytest.raises(ExpressionError, match="more than 30 brackets"):
        parse("(" * (MAX_NESTING + 1) + "x" + ")" * (MAX_NESTING + 1), ["x"])


def test_operator_depth_is_limited_at_three_times_the_brackets():
    assert str(parse("-" * 90 + "x", ["x"]).expr) == "x"  # an even number of minus signs
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse("-" * 91 + "x", ["x"])
    assert str(parse("x+x" + "*x" * 89, ["x"]).expr) == "x**90 + x"
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse("x+x" + "*x" * 90, ["x"])


# --- a progress record that leaves keys out gets the defaults -------------------------------------------


def test_a_record_missing_keys_reads_with_the_defaults():
    progress = parse_progress({"version": 2, "lessons": {"k": {"id": "x", "attempts": [{"questions": {"q": {}}}]}},
                               "quizzes": [{"seed": 1, "topics": []}]})
    assert progress.last_lesson is None and progress.observations == []
    lesson = progress.lessons["k"]
    assert lesson.source == "shipped" and lesson.title is None
    attempt = lesson.attempts[0]
    assert attempt.status == "in-progress" and attempt.at is None
    assert attempt.started is None and attempt.updated is None and attempt.id
    question = attempt.questions["q"]
    assert (question.attempts, question.hints) == (0, 0)
    assert (question.skipped, question.correct, question.closed) == (False, False, False)
    assert question.answer is None and question.first is None and question.mistakes == []
    assert not question.asked
    quiz = progress.quizzes[0]
    assert quiz.items == [] and quiz.when is None and quiz.finished is False and quiz.kind == "quiz"
    assert quiz.total == 0 and quiz.percent is None


def test_an_empty_record_is_an_empty_progress():
    progress = parse_progress({"version": 2})
    assert (progress.lessons, progress.quizzes, progress.observations, progress.last_lesson) == ({}, [], [], None)
