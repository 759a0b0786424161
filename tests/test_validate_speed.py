"""The cheaper routes `lessons validate` takes are the same as the exact ones they replace.

Each test runs the fast route and the route it stands for side by side, on every shipped lesson
and on the validator's fresh-number seeds, and asserts the results are identical (no timings:
those are measured by scripts/bench_feedback.py).
"""

from __future__ import annotations

import math

import pytest
import sympy

from backprop_cli import course, expressions
from backprop_cli.checking import floats
from backprop_cli.checking.mistakes import generic_mistakes
from backprop_cli.course import tracing, vary
from backprop_cli.course.lesson import QuestionStep

SHIPPED = course.lesson_files()


def _lessons():
    """Every shipped lesson with the file's numbers, and each varying one with every seed validate tries."""
    for path in SHIPPED:
        lesson = course.load(path)
        yield lesson
        if lesson.spec.vary:
            for seed in vary.SEEDS:
                yield course.load(path, seed)


LESSONS = list(_lessons())
IDS = [f"{lesson.id}-seed{lesson.seed}" for lesson in LESSONS]


def _formulas(lesson):
    """Every formula text of the lesson's number questions: answers and listed mistakes."""
    for question in lesson.questions:
        if question.step.ask == "number":
            yield question.answer_expr
            for mistake in question.step.mistakes:
                yield lesson.parse(mistake.answer, ("steps",))
    for name in lesson.definitions:
        yield expressions.symbol(name)


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_a_value_worked_out_at_once_is_the_value_expanded_then_substituted(lesson):
    checked = 0
    for expr in _formulas(lesson):
        assert lesson.value(expr) == lesson._value_in_steps(expr), expr
        checked += 1
    assert checked > 5


def test_a_definition_that_still_names_a_defined_name_takes_the_route_in_steps():
    lesson = course.load(SHIPPED[0])
    a, b = expressions.symbol("a_test"), expressions.symbol("b_test")
    lesson.definitions["b_test"] = sympy.Integer(3)
    lesson.definitions["a_test"] = 2 * b  # not expanded: only the loop of expand() resolves it
    assert lesson._value_at_once(a + 1) is None
    assert lesson.value(a + 1) == 7


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_the_float_of_an_exact_value_is_the_same_with_repeated_parts_evaluated_once(lesson):
    def plain(node, point):  # the evaluator as it was: every part walked wherever it occurs
        if node.is_Symbol:
            return point[node]
        if node.is_Rational:
            return int(node.p) / int(node.q)
        if node.is_Float or node.is_NumberSymbol:
            return float(node)
        args = [plain(a, point) for a in node.args]
        if node.is_Add:
            return math.fsum(args)
        if node.is_Mul:
            return math.prod(args)
        if node.is_Pow:
            return float(args[0] ** args[1])
        return floats._functions()[type(node)](args[0])

    compared = 0
    for value in [*lesson.values.values(), *(lesson.value(expressions.symbol(n)) for n in lesson.definitions)]:
        if value.is_number and floats.float_value(value) is not None:
            assert floats.float_value(value) == plain(value, {})
            compared += 1
    assert compared > 3


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_generic_slips_in_floats_are_the_17_digit_ones(lesson):
    for question in lesson.questions:
        if question.step.ask != "number":
            continue
        expected = tracing._as_float(question.expected)
        by_float = [(m.name, float(m.value) + 0.0) for m in generic_mistakes(expected)]
        by_sympy = [(m.name, float(m.value)) for m in generic_mistakes(sympy.Float(expected, 17))]
        assert by_float == by_sympy


@pytest.mark.parametrize("lesson", LESSONS[:3], ids=IDS[:3])
def test_parse_through_the_memo_is_parse_itself(lesson):
    names = lesson.known_names()
    texts = [q.step.answer for q in lesson.questions if q.step.ask != "choice"]
    texts += [m.answer for q in lesson.questions if q.step.ask != "choice" for m in q.step.mistakes]
    for text in texts:
        assert expressions.parse(text, names, strict=True) == expressions._parse(text, names, max_length=2000,
                                                                                   strict=True)


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_a_step_is_found_where_steps_index_finds_it(lesson):
    for step in lesson.spec.steps:
        if isinstance(step, QuestionStep):
            assert lesson.step_index(step) == lesson.spec.steps.index(step)


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_the_notes_see_what_the_generator_finds_however_the_diagnosis_was_built_before(lesson):
    from backprop_cli.course import answers

    fresh = course.load(lesson.source, lesson.seed)  # nothing worked out yet
    numbers = [q for q in lesson.questions if q.step.ask == "number"]
    for question in numbers:  # the learner's diagnosis first, with the listed mistakes
        tracing.diagnosis(lesson, question, answers.listed_mistakes(lesson, question))
    for question, again in zip(numbers, (q for q in fresh.questions if q.step.ask == "number")):
        shared = tracing.generated(lesson, question)
        assert shared == tracing.generated(fresh, again)
        assert not any(c.tier in (0, 4) for c in shared.candidates)  # no listed mistake, no generic slip


def test_constant_parts_are_evaluated_once_across_calls_with_the_same_values():
    """A lesson's exact values share the network's subtrees (σ(z1) inside every later node): their
    floats are kept across calls, and every value is the one a fresh evaluation gives."""
    lesson = next(lesson for lesson in LESSONS if lesson.id == "sigmoid-net")
    values = [v for v in lesson.definitions.values() if v.is_number and not v.is_Rational]
    floats._CONSTANT_PARTS.clear()
    for value in values:
        assert floats.float_value(value) == floats.float_eval(value, {}, {}), value
    shared = next(v for v in values if v.args and v in floats._CONSTANT_PARTS)
    assert floats._CONSTANT_PARTS[shared] == floats.float_eval(shared, {}, {})
    huge = sympy.exp(sympy.Integer(1000)) * values[0]
    assert floats.float_value(huge) is None and floats.float_value(huge) is None  # refused, and again
    assert huge not in floats._CONSTANT_PARTS
    x = expressions.symbol("x")
    assert floats.float_value(values[0] * x, {x: 2.0}) == 2.0 * floats.float_value(values[0])
    assert values[0] * x not in floats._CONSTANT_PARTS  # a value at a point is not a constant part


def test_the_constant_parts_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(floats, "CONSTANT_PARTS_MAX", 10)
    floats._CONSTANT_PARTS.clear()
    for k in range(40):
        floats.float_value(sympy.sqrt(sympy.Integer(k + 2)) + sympy.Rational(1, 3))
        assert len(floats._CONSTANT_PARTS) <= 10 + 3  # cleared once over the bound (a value adds ≤ 3 parts)
