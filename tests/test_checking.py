"""The answer checker: what it accepts, what it rejects, which mistakes it names, and that
hostile text is refused quickly, never runs as code and never raises."""

from __future__ import annotations

import builtins
import dataclasses
import os
import signal
import threading

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backprop_cli.checking import (
    Carried,
    Mistake,
    Verdict,
    chain_mistakes,
    check_choice,
    check_expression,
    check_number,
    forward_value_mistakes,
    sigmoid_mistake,
    update_mistakes,
    within_tolerance,
)
from backprop_cli.expressions import symbol
from backprop_cli.mathfunctions import sigmoid

R = sympy.Rational
x, y, z = symbol("x"), symbol("y"), symbol("z")
w1, x1, y_hat, target = symbol("w1"), symbol("x1"), symbol("y_hat"), symbol("y")
NAMES = {"x": x, "y": y}

# --- values the tables are about, computed rather than typed ---------------------------------

#: 0.6666…: rounding (0.667) and truncation (0.666) to three figures differ.
TWO_THIRDS = R(2, 3)
#: 0.10050003…: three figures (0.101) are right but 0.5% away, so only the figures rule accepts.
JUST_OVER = R(1005, 10000) + R(1, 3 * 10**7)
#: 20.0100003…: "20" is within 0.1% although it has only two figures.
NEAR_TWENTY = R(2001, 100) + R(1, 3 * 10**6)
#: The simple network of the course: x=2, y=20, w1=2, w2=0.5, h = w1·x, ŷ = w2·h, L = ½(y − ŷ)².
SIMPLE = {"x": 2, "y": 20, "w1": 2, "w2": R(1, 2)}
H = SIMPLE["w1"] * SIMPLE["x"]
Y_HAT = SIMPLE["w2"] * H
DL_DYHAT = sympy.diff((target - y_hat) ** 2 / 2, y_hat).subs({target: SIMPLE["y"], y_hat: Y_HAT})  # −18
DL_DW2 = DL_DYHAT * H  # −72
LR = R(1, 100)
NEW_W2 = SIMPLE["w2"] - LR * DL_DW2  # 1.22
#: f(x) = x³ − 3x² + 2x + 1 and its derivative 3x² − 6x + 2.
F_PRIME = sympy.diff(x**3 - 3 * x**2 + 2 * x + 1, x)
SIGMA_PRIME = sympy.diff(sigmoid(z), z)  # σ(z)·(1 − σ(z))
Z0 = R(19, 100)
SIGMA_AT = sigmoid(Z0)
SIGMA_PRIME_AT = SIGMA_PRIME.subs(z, Z0)


def test_the_computed_values_are_the_course_numbers():
    assert (-18, -72, R(122, 100)) == (DL_DYHAT, DL_DW2, NEW_W2)
    assert 3 * x**2 - 6 * x + 2 == F_PRIME


# --- numbers: significant figures ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.667", TWO_THIRDS),  # rounded
        ("0.666", TWO_THIRDS),  # truncated
        ("0.668", TWO_THIRDS),  # rounded, +1 in the last digit
        ("0.665", TWO_THIRDS),  # truncated, −1 in the last digit
        ("0.66667", TWO_THIRDS),
        ("6.67e-1", TWO_THIRDS),  # scientific notation keeps its figures
        ("667e-3", TWO_THIRDS),
        ("-0.667", -TWO_THIRDS),
        ("-0.666", -TWO_THIRDS),  # truncated toward zero
        ("−0.667", -TWO_THIRDS),  # a real minus sign
        ("66.7", TWO_THIRDS * 100),
        ("66700", TWO_THIRDS * 100000),  # trailing zeros of a whole number only place the point
        ("0.101", JUST_OVER),  # 0.5% off, but right to the three figures typed
        ("0.100", JUST_OVER),  # truncated
        ("0.102", JUST_OVER),  # rounded + 1
        ("20", NEAR_TWENTY),  # two figures, but within 0.1%
        ("20.01", NEAR_TWENTY),
    ],
)
def test_numbers_right_to_the_figures_typed_are_accepted(text, expected):
    verdict = check_number(text, expected)
    assert verdict.status == "correct", verdict
    assert verdict.mistake is None and verdict.carried_from == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.664", TWO_THIRDS),  # two below the truncated value
        ("0.669", TWO_THIRDS),  # two above the rounded value
        ("0.0990", JUST_OVER),  # four figures now, and wrong in the last two
        ("0.103", JUST_OVER),
        ("0.65", TWO_THIRDS),  # too few figures and not the answer rounded either
        ("0.68", TWO_THIRDS),
        ("0.8", TWO_THIRDS),
        ("21", NEAR_TWENTY),
        ("66.6", TWO_THIRDS),  # the right digits at the wrong scale
    ],
)
def test_numbers_wrong_at_the_figures_typed_are_rejected(text, expected):
    verdict = check_number(text, expected)
    assert verdict.status == "incorrect", verdict
    assert verdict.value == sympy.Rational(text.replace("−", "-"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.67", TWO_THIRDS),  # rounded to two figures
        ("0.66", TWO_THIRDS),  # truncated to two figures
        ("0.7", TWO_THIRDS),
        ("67", TWO_THIRDS * 100),
        ("0.10", JUST_OVER),  # a trailing zero after the point counts, but it is only two
        ("20", NEAR_TWENTY + R(1, 10)),  # 20.11: rounds to 20 but is 0.5% away
    ],
)
def test_too_few_figures_that_round_right_are_asked_again_without_penalty(text, expected):
    verdict = check_number(text, expected)
    assert verdict.status == "invalid"
    assert "at least 3 significant figures" in verdict.message
    assert verdict.value is None


@pytest.mark.parametrize(("text", "expected"), [("10", 6), ("10", 7), ("0.1", R(6, 100)), ("100", 51)])
def test_rounding_to_a_place_above_the_answers_first_figure_is_not_a_rounded_answer(text, expected):
    verdict = check_number(text, sympy.Integer(expected) if isinstance(expected, int) else expected, exact=False)
    assert verdict.status == "incorrect", verdict


@pytest.mark.parametrize(("text", "expected"), [("10", R(96, 10)), ("0.1", R(96, 1000))])
def test_a_rounding_that_carries_into_a_new_figure_is_still_a_rounded_answer(text, expected):
    verdict = check_number(text, expected, exact=False)
    assert verdict.status == "invalid" and "at least 3 significant figures" in verdict.message


def test_a_rounded_exact_decimal_asks_for_the_exact_value():
    verdict = check_number("1.2", NEW_W2)
    assert verdict.status == "invalid" and "exact value" in verdict.message


# --- numbers: exact prompts, fractions, the 0.1% rule -----------------------------------------


@pytest.mark.parametrize(
    "text", ["-18", "-18.0", "−18", "-72/4", "-36/2", " -18 ", "-(18)", "-1.8e1", "−18.000", "-18/1"]
)
def test_an_exact_prompt_accepts_the_exact_value_in_any_spelling(text):
    verdict = check_number(text, DL_DYHAT)
    assert verdict.status == "correct" and verdict.value == DL_DYHAT


@pytest.mark.parametrize("text", ["-18.1", "-17.99", "-18.01", "-17.9", "-20", "-19"])
def test_an_exact_prompt_rejects_near_misses(text):
    # −17.99 is within 0.1% of −18 and −20 is −18 to one figure, but −18 is exact.
    assert check_number(text, DL_DYHAT).status == "incorrect"


def test_exact_can_be_switched_off_or_on():
    assert check_number("-17.99", DL_DYHAT, exact=False).correct
    assert not check_number("0.667", TWO_THIRDS, exact=True).correct
    assert check_number("2/3", TWO_THIRDS, exact=True).correct


@pytest.mark.parametrize("text", ["1.22", "61/50", "1.2200", "0.5 + 0.72", "122/100"])
def test_an_exact_decimal_accepts_its_fraction(text):
    assert check_number(text, NEW_W2).correct


@pytest.mark.parametrize("text", ["1.221", "1.219", "1.23"])
def test_an_exact_decimal_rejects_other_decimals(text):
    assert check_number(text, NEW_W2).status == "incorrect"


@pytest.mark.parametrize("text", ["1/3", "2/6", "0.333", "0.3333333", "1/3 + 0", "(1+1+1)/9"])
def test_a_repeating_decimal_accepts_the_fraction_and_the_figures(text):
    assert check_number(text, R(1, 3)).correct


def test_an_exact_fraction_is_accepted_for_a_shown_decimal():
    assert check_number("1/3", sympy.Float("0.333333")).correct
    assert check_number("1/4", R(1, 4)).correct
    assert check_number("2/3", sympy.Float(float(TWO_THIRDS))).correct


def test_a_long_exact_value_uses_the_tolerance_rules():
    new_loss = R(10776294432, 10**8)  # 107.76294432: more than six figures, so not "exact"
    assert check_number("107.76", new_loss).correct
    assert check_number("108", new_loss).correct  # right to three figures
    assert check_number("107.9", new_loss).correct  # 107.8 to four figures, +1 in the last digit
    assert check_number("108.0", new_loss).status == "incorrect"  # four figures now: 107.8


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("1000/7", True),
        ("1000/7 + 1/10", True),  # 0.07% away
        ("1000/7 - 1/10", True),
        ("1000/7 + 1/5", False),  # 0.14% away, and arithmetic has no "figures typed"
        ("1000/7 - 1/5", False),
    ],
)
def test_arithmetic_answers_are_held_to_one_tenth_of_a_percent(text, accepted):
    assert check_number(text, R(1000, 7)).correct is accepted


@pytest.mark.parametrize(
    ("answer", "expected", "literal", "result"),
    [
        (R(667, 1000), TWO_THIRDS, "0.667", True),
        (R(667, 1000), TWO_THIRDS, None, True),  # 0.05%: within 0.1% even without figures
        (R(101, 1000), JUST_OVER, "0.101", True),
        (R(101, 1000), JUST_OVER, None, False),  # 0.5%: only the figures rule accepts it
        (R(1, 10), JUST_OVER, "0.1", False),  # one figure is never enough on its own
        (R(14299, 100), R(1000, 7), None, True),
        (R(14302, 100), R(1000, 7), None, False),
        (sympy.Integer(0), sympy.Integer(0), "0", True),
        (sympy.Float("1e-13"), sympy.Integer(0), None, True),
        (sympy.Integer(1), sympy.Integer(0), "1", False),
        (sympy.pi, R(314159, 100000), None, True),
        (sympy.zoo, sympy.Integer(1), None, False),
        (sympy.Symbol("q"), sympy.Integer(1), None, False),
    ],
)
def test_within_tolerance(answer, expected, literal, result):
    assert within_tolerance(answer, expected, literal) is result


def test_zero_is_checked_without_inventing_mistakes():
    assert check_number("0", sympy.Integer(0)).correct
    assert check_number("0.0", sympy.Integer(0)).correct
    verdict = check_number("1", sympy.Integer(0))
    assert verdict.status == "incorrect" and verdict.mistake is None


# --- numbers: input that is not a number ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names", "words"),
    [
        ("", (), "empty"),
        ("   ", (), "empty"),
        ("w1*2", ("w1",), "the answer is a number"),
        ("w1", ("w1",), "the answer is a number"),
        ("W1", ("w1",), "case-sensitive"),
        ("w3", ("w1",), "unknown name 'w3'"),
        ("0,5", (), "decimal point"),
        ("1/0", (), "division by zero"),
        ("sqrt(-1)", (), "negative"),
        ("exp(9000)^exp(9000)", (), "finite"),
        ("2 3", (), "two numbers in a row"),
        ("(1 + 2", (), "never closed"),
    ],
)
def test_unreadable_number_answers_are_invalid_with_a_reason(text, names, words):
    verdict = check_number(text, DL_DYHAT, names=names)
    assert verdict.status == "invalid"
    assert words in verdict.message
    assert verdict.value is None and not verdict.correct


def test_numbers_may_use_constants_and_functions():
    assert check_number("sigmoid(0.19)", SIGMA_AT).correct
    assert check_number("σ(0.19)(1 − σ(0.19))", SIGMA_PRIME_AT).correct
    assert check_number("2^3", sympy.Integer(8)).correct
    assert check_number("pi", sympy.pi).correct


# --- follow-through ---------------------------------------------------------------------------

#: The learner said ∂L/∂ŷ = −16 at step 3; ∂L/∂w2 = ∂L/∂ŷ · h is then −64 "for them".
CARRIED_FROM_3 = Carried(sympy.Integer(-16) * H, ("3",))


def test_a_later_step_right_for_the_learners_own_earlier_answer_is_accepted():
    verdict = check_number("-64", DL_DW2, carried=[CARRIED_FROM_3])
    assert verdict.status == "correct"
    assert verdict.carried_from == ("3",)
    assert "Right for your own answer to step 3" in verdict.message


def test_follow_through_uses_the_tolerance_rules_and_names_every_step():
    carried = Carried(R(547, 1000) * (1 - R(547, 1000)), ("2", "4"))  # from a rounded σ
    verdict = check_number("0.2478", SIGMA_PRIME_AT + R(1, 100), carried=[carried])
    assert verdict.correct and verdict.carried_from == ("2", "4")
    assert "steps 2 and 4" in verdict.message


def test_follow_through_labels_that_are_not_numbers_are_used_as_given():
    verdict = check_number("-64", DL_DW2, carried=[Carried(sympy.Integer(-64), ("question 3",))])
    assert verdict.carried_from == ("question 3",)
    assert "your own answer to question 3:" in verdict.message


def test_follow_through_names_several_questions_in_order():
    carried = Carried(sympy.Integer(-64), ("question 17", "question 4"))
    verdict = check_number("-64", DL_DW2, carried=[carried])
    assert "answers to questions 4 and 17:" in verdict.message


def test_follow_through_lists_labels_that_are_not_numbers_as_given():
    carried = Carried(sympy.Integer(-64), ("the forward pass", "the loss"))
    verdict = check_number("-64", DL_DW2, carried=[carried])
    assert "earlier answers (the forward pass and the loss)" in verdict.message
    carried = Carried(sympy.Integer(-64), ("the loss",))
    assert "earlier answer (the loss)" in check_number("-64", DL_DW2, carried=[carried]).message


def test_float_evaluation_takes_whole_powers_of_negatives_and_refuses_roots():
    from backprop_cli.checking.floats import float_eval

    assert float_eval(x**3, {x: -2.0}) == -8.0 and float_eval(x**2, {x: -3.0}) == 9.0
    with pytest.raises(ValueError):
        float_eval(sympy.sqrt(x), {x: -4.0})


def test_an_exact_answer_typed_rounded_is_asked_again_without_penalty():
    for text in ("1.23", "1.2"):
        verdict = check_number(text, R(1231, 1000))
        assert verdict.status == "invalid" and "exact" in verdict.message, text
    assert check_number("1.232", R(1231, 1000)).status == "incorrect"  # more digits, and wrong
    assert check_number("-18.01", sympy.Integer(-18)).status == "incorrect"  # not a rounding of −18


def test_generic_mistake_feedback_does_not_assume_a_loss():
    for text in ("-2", "4", "1"):
        message = check_number(text, sympy.Integer(2)).message
        assert message and "loss" not in message and "power rule" not in message, text


def test_follow_through_does_not_shadow_the_right_answer_or_accept_anything():
    assert check_number("-72", DL_DW2, carried=[CARRIED_FROM_3]).carried_from == ()
    assert check_number("-65", DL_DW2, carried=[CARRIED_FROM_3]).status == "incorrect"
    useless = Carried(DL_DW2, ("1",))  # the same as the answer: never reported as carried
    assert check_number("-72", DL_DW2, carried=[useless]).carried_from == ()
    # an exact answer typed slightly off is wrong, even though it is within 0.1% of a "carried" value
    # that is really the right answer
    assert check_number("-72.05", DL_DW2, carried=[useless]).status == "incorrect"


def test_follow_through_beats_a_mistake_with_the_same_value():
    same = Mistake("own", sympy.Integer(-64), "no")
    verdict = check_number("-64", DL_DW2, carried=[CARRIED_FROM_3], mistakes=[same])
    assert verdict.correct and verdict.mistake is None


# --- named mistakes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "words"),
    [
        ("18", "sign", "sign"),
        ("-36", "factor-2", "twice"),
        ("-9", "factor-2", "half"),
    ],
)
def test_sign_and_factor_of_two_are_recognised_in_every_numeric_question(text, name, words):
    verdict = check_number(text, DL_DYHAT)
    assert verdict.status == "incorrect"
    assert verdict.mistake == name and words in verdict.message


def test_generic_mistakes_use_the_tolerance_rules_for_inexact_answers():
    value = sympy.N(SIGMA_PRIME_AT, 30)
    assert check_number(f"{-value:.4f}", SIGMA_PRIME_AT).mistake == "sign"
    assert check_number(f"{2 * value:.4f}", SIGMA_PRIME_AT).mistake == "factor-2"
    assert check_number(f"{value / 2:.4f}", SIGMA_PRIME_AT).mistake == "factor-2"


def test_a_lessons_own_mistake_comes_before_the_generic_ones():
    own = Mistake("loss-sign", -DL_DYHAT, "∂L/∂ŷ is ŷ − y, not y − ŷ.")
    verdict = check_number("18", DL_DYHAT, mistakes=[own])
    assert verdict.mistake == "loss-sign" and verdict.message == own.feedback


def test_a_mistake_that_equals_the_answer_never_fires():
    bogus = Mistake("bogus", DL_DYHAT, "never shown")
    close = Mistake("close", sympy.Float(0.66680), "never shown")  # within 0.1% of 2/3
    assert check_number("-18", DL_DYHAT, mistakes=[bogus]).correct
    verdict = check_number("0.6668", TWO_THIRDS, mistakes=[close])
    assert verdict.correct and verdict.mistake is None


def test_a_formula_mistake_is_ignored_in_a_number_question():
    verdict = check_number("5", DL_DYHAT, mistakes=[Mistake("formula", x * 2, "no")])
    assert verdict.status == "incorrect" and verdict.mistake is None


def test_chain_mistakes_name_the_missing_factor():
    mistakes = chain_mistakes([("∂L/∂ŷ", DL_DYHAT), ("∂ŷ/∂w2", H)])
    assert [(m.name, m.value) for m in mistakes] == [("missing-factor", H), ("missing-factor", DL_DYHAT)]
    verdict = check_number("4", DL_DW2, mistakes=mistakes)
    assert verdict.mistake == "missing-factor" and "∂L/∂ŷ" in verdict.message
    verdict = check_number("-18", DL_DW2, mistakes=mistakes)
    assert verdict.mistake == "missing-factor" and "∂ŷ/∂w2" in verdict.message


def test_chain_mistakes_skip_factors_of_one_duplicates_and_single_factors():
    mistakes = chain_mistakes([("a", 3), ("b", 1), ("c", 3)])
    assert [m.value for m in mistakes] == [3]  # leaving out b changes nothing; a and c coincide
    assert "a" in mistakes[0].feedback
    assert chain_mistakes([("only", 5)]) == []


def test_chain_mistakes_work_on_formulas():
    mistakes = chain_mistakes([("∂L/∂ŷ", y_hat - target), ("∂ŷ/∂z", sigmoid(z) * (1 - sigmoid(z)))])
    answer = "σ(z)(1 - σ(z))"
    verdict = check_expression(answer, SIGMA_PRIME * (y_hat - target), {"z": z, "y_hat": y_hat, "y": target},
                               mistakes=mistakes)
    assert verdict.mistake == "missing-factor" and "∂L/∂ŷ" in verdict.message


@pytest.mark.parametrize(
    ("text", "name"),
    [("-0.22", "update-added"), ("72.5", "forgot-rate"), ("-71.5", "update-added"), ("0.72", "step-only"),
     ("-0.72", "step-only")],
)
def test_update_mistakes_are_recognised(text, name):
    mistakes = update_mistakes(SIMPLE["w2"], LR, DL_DW2)
    verdict = check_number(text, NEW_W2, mistakes=mistakes)
    assert verdict.status == "incorrect" and verdict.mistake == name
    assert check_number("1.22", NEW_W2, mistakes=mistakes).correct


@pytest.mark.parametrize("gradient", [0, 1, -72, R(1, 3)])
def test_update_mistakes_never_contain_the_right_update_or_repeats(gradient):
    mistakes = update_mistakes(SIMPLE["w2"], LR, sympy.Integer(gradient) if isinstance(gradient, int) else gradient)
    right = SIMPLE["w2"] - LR * gradient
    values = [m.value for m in mistakes]
    assert right not in values
    assert len(values) == len(set(values))


def test_sigma_instead_of_its_derivative():
    mistake = sigmoid_mistake(SIGMA_AT)
    typed = f"{sympy.N(SIGMA_AT, 10):.4f}"
    verdict = check_number(typed, SIGMA_PRIME_AT, mistakes=[mistake])
    assert verdict.mistake == "sigma-not-derivative" and "σ·(1 − σ)" in verdict.message
    verdict = check_expression("σ(z)", SIGMA_PRIME, {"z": z}, mistakes=[sigmoid_mistake(sigmoid(z))])
    assert verdict.mistake == "sigma-not-derivative"


def test_a_forward_value_given_for_a_gradient():
    mistakes = forward_value_mistakes({"y_hat": Y_HAT, "h": H})
    assert [m.name for m in mistakes] == ["forward-value", "forward-value"]
    verdict = check_number("2", DL_DYHAT, mistakes=mistakes)
    assert verdict.mistake == "forward-value" and "value of ŷ" in verdict.message
    verdict = check_number("4", DL_DYHAT, mistakes=mistakes)
    assert "value of h" in verdict.message
    assert len(forward_value_mistakes({"a": 2, "b": 2})) == 1


# --- expressions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "3x^2-6x+2",
        "3x^2 - 6x + 2",
        "x*(3x-6)+2",
        "3·x² − 6·x + 2",
        "2 - 6x + 3x^2",
        "3(x-1)^2 - 1",
        "3*x**2 - 6*x + 2",
        "(3x^2 - 6x + 2)",
        "x(3x - 6) + 2",
    ],
)
def test_equivalent_formulas_are_accepted(text):
    verdict = check_expression(text, F_PRIME, {"x": x})
    assert verdict.status == "correct", verdict
    assert verdict.read_as is not None and verdict.counterexample is None


def test_the_answer_is_echoed_as_read():
    assert check_expression("3x^2 - 6x + 2", F_PRIME, {"x": x}).read_as == "3·x² − 6·x + 2"
    assert check_expression("3x^2 - 6x", F_PRIME, {"x": x}).read_as == "3·x² − 6·x"


def test_a_different_formula_is_rejected_with_a_point_where_they_differ():
    verdict = check_expression("3x^2-6x", F_PRIME, {"x": x})
    assert verdict.status == "incorrect"
    assert verdict.counterexample is not None and set(verdict.counterexample) == {"x"}
    at = verdict.counterexample["x"]
    assert (3 * at**2 - 6 * at) != F_PRIME.subs(x, at)
    assert "x = " in verdict.message


@pytest.mark.parametrize(
    "text",
    ["σ(z)(1-σ(z))", "sigmoid(z)*(1 - sigmoid(z))", "exp(-z)/(1+exp(-z))^2", "σ(z) - σ(z)^2",
     "exp(z)/(1+exp(z))^2"],
)
def test_sigmoid_derivative_in_any_form(text):
    assert check_expression(text, SIGMA_PRIME, {"z": z}).correct


@pytest.mark.parametrize("text", ["σ(z)^2", "σ(z)", "exp(-z)/(1+exp(-z))", "1 - σ(z)"])
def test_sigmoid_derivative_near_misses(text):
    verdict = check_expression(text, SIGMA_PRIME, {"z": z})
    assert verdict.status == "incorrect" and verdict.counterexample is not None


def test_names_are_kept_whole_and_hats_are_read():
    names = {"w1": w1, "x1": x1}
    assert check_expression("w1 x1", w1 * x1, names).correct
    assert check_expression("x1*w1", w1 * x1, names).correct
    run_together = check_expression("w1x1", w1 * x1, names)  # known names run together: w1·x1, as 2xy is 2·x·y
    assert run_together.correct and run_together.read_as == "w1·x1"
    assert check_expression("w1x", w1 * x1, names).status == "invalid"  # 'x' is no name here: nothing to split
    names = {"y_hat": y_hat, "y": target}
    assert check_expression("ŷ - y", y_hat - target, names).correct
    assert check_expression("y_hat - y", y_hat - target, names).correct
    verdict = check_expression("y - ŷ", y_hat - target, names)
    assert verdict.mistake == "sign"


def test_partial_derivatives_with_several_variables():
    expected = sympy.diff(x**2 + y**3, x)
    assert check_expression("2x", expected, NAMES).correct
    assert check_expression("2x + 0y", expected, NAMES).correct
    verdict = check_expression("2x + 3y^2", expected, NAMES)
    assert verdict.status == "incorrect" and set(verdict.counterexample) == {"x", "y"}


def test_formulas_with_a_restricted_domain():
    assert check_expression("1/x", sympy.diff(sympy.log(x), x), {"x": x}).correct
    assert check_expression("x^(-1)", 1 / x, {"x": x}).correct
    assert check_expression("1/(2 sqrt(x))", sympy.diff(sympy.sqrt(x), x), {"x": x}).correct
    verdict = check_expression("log(-x^2 - 1)", F_PRIME, {"x": x})
    assert verdict.status == "incorrect" and "undefined" in verdict.message


def test_symbols_are_matched_by_name():
    plain = sympy.Symbol("x")  # not the real=True symbol of the names mapping
    assert check_expression("2x", 2 * plain, {"x": x}).correct


def test_expression_mistakes_listed_and_generic():
    dropped = Mistake("dropped-constant", 3 * x**2 - 6 * x, "The derivative of 2x is 2, not 0.")
    verdict = check_expression("x(3x - 6)", F_PRIME, {"x": x}, mistakes=[dropped])
    assert verdict.mistake == "dropped-constant" and verdict.message == dropped.feedback
    assert check_expression("-(3x^2-6x+2)", F_PRIME, {"x": x}).mistake == "sign"
    assert check_expression("6x^2-12x+4", F_PRIME, {"x": x}).mistake == "factor-2"


#: Equivalent forms the old simplify layer confirmed; the random points now decide each alone.
EQUIVALENT_FORMS = [
    ("x(3x-6)+2", F_PRIME, {"x": x}),
    ("exp(-z)/(1+exp(-z))^2", SIGMA_PRIME, {"z": z}),
    ("sigmoid(z)(1 - sigmoid(z))", SIGMA_PRIME, {"z": z}),
    ("(x + sqrt(x^2))/2", sympy.Max(0, x), {"x": x}),
    ("(1 - tanh(x)^2)", 1 / sympy.cosh(x) ** 2, {"x": x}),
    ("log(x^2)", 2 * sympy.log(sympy.Abs(x)), {"x": x}),
    ("(x+y)^2 - (x-y)^2", 4 * x * y, NAMES),
]


@pytest.mark.parametrize(("text", "expected", "names"), EQUIVALENT_FORMS)
def test_the_points_decide_equivalence_without_any_symbolic_proof(monkeypatch, text, expected, names):
    from backprop_cli.checking import formulas

    monkeypatch.setattr(formulas, "expands_to_zero", lambda a, b: False)
    assert check_expression(text, expected, names).correct
    assert not check_expression(f"{text} + x^2/10^6", expected, {**names, "x": x}).correct


def test_the_formula_check_never_touches_signals(monkeypatch):
    def refuse(*args):
        raise AssertionError("the checker must not install a signal handler or a timer")

    monkeypatch.setattr(signal, "signal", refuse)
    monkeypatch.setattr(signal, "setitimer", refuse)
    assert check_expression(SLOW_TO_SIMPLIFY, F_PRIME, NAMES).correct
    assert not check_expression("3x^2-6x", F_PRIME, {"x": x}).correct


#: Equivalent, short, and slow for simplify (seconds without a limit).
SLOW_TO_SIMPLIFY = "tanh(x)^5 - ((exp(2x)-1)/(exp(2x)+1))^5 + 3x^2 - 6x + 2"


def test_a_formula_slow_for_simplify_is_decided_by_the_points(monkeypatch):
    """simplify is never called (it took seconds here); the time is measured in scripts/bench_feedback.py."""
    def refuse(*args, **kwargs):
        raise AssertionError("simplify called")

    monkeypatch.setattr(sympy, "simplify", refuse)
    monkeypatch.setattr(sympy.Expr, "simplify", refuse)
    assert check_expression(SLOW_TO_SIMPLIFY, F_PRIME, NAMES).correct


def test_outside_the_main_thread_the_check_is_the_same():
    results = []
    thread = threading.Thread(target=lambda: results.append(check_expression(SLOW_TO_SIMPLIFY, F_PRIME, NAMES)))
    thread.start()
    thread.join()
    (verdict,) = results
    assert verdict.correct
    assert signal.getsignal(signal.SIGALRM) == signal.SIG_DFL  # the alarm was left as found


def test_verdicts_are_reproducible():
    first = check_expression("x^3", F_PRIME, {"x": x})
    again = check_expression("x^3", F_PRIME, {"x": x})
    assert first == again and first.counterexample is not None


@pytest.mark.parametrize(
    ("text", "words"),
    [("", "empty"), ("X^2", "case-sensitive"), ("3q", "unknown name 'q'"), ("3x^", "ends with"),
     ("sigmoid x", "needs brackets")],
)
def test_unreadable_formulas_are_invalid(text, words):
    verdict = check_expression(text, F_PRIME, {"x": x})
    assert verdict.status == "invalid" and words in verdict.message
    assert verdict.read_as is None and verdict.value is None


# --- choices ------------------------------------------------------------------------------------

OPTIONS = ["rise", "fall"]


@pytest.mark.parametrize("text", ["b", "B", " b ", "2", "fall", " Fall ", "FALL", "(b)", "b)"])
def test_a_choice_by_letter_number_or_text(text):
    assert check_choice(text, OPTIONS, 1).correct


@pytest.mark.parametrize("text", ["a", "1", "rise", "RISE"])
def test_a_wrong_choice(text):
    verdict = check_choice(text, OPTIONS, 1)
    assert verdict.status == "incorrect" and verdict.value == 0  # the option chosen


@pytest.mark.parametrize("text", ["c", "3", "0", "", "maybe", "\x00", "b" * 1000, "-1", "1.0"])
def test_an_unreadable_choice_lists_the_letters(text):
    verdict = check_choice(text, OPTIONS, 1)
    assert verdict.status == "invalid" and "a or b" in verdict.message


def test_choice_letters_for_three_options_and_option_text_first():
    verdict = check_choice("d", ["0.001", "0.01", "0.5"], 2)
    assert verdict.status == "invalid" and "a, b or c" in verdict.message
    assert check_choice("0.5", ["0.001", "0.01", "0.5"], 2).correct  # text, not a number
    assert check_choice("1", ["2", "1"], 1).correct  # an option's text wins over its number


def test_a_wrong_choice_can_carry_its_own_feedback():
    rises = Mistake("rises", sympy.Integer(0), "The gradient is negative, so a bigger w2 lowers the loss.")
    verdict = check_choice("a", OPTIONS, 1, mistakes=[rises])
    assert verdict.mistake == "rises" and verdict.message == rises.feedback
    assert check_choice("b", OPTIONS, 1, mistakes=[rises]).correct


def test_choice_index_out_of_range_is_a_programming_error():
    with pytest.raises(ValueError):
        check_choice("a", OPTIONS, 2)


# --- the verdict ---------------------------------------------------------------------------------


def test_verdicts_are_frozen_and_know_when_they_are_correct():
    verdict = Verdict("correct")
    assert verdict.correct and not Verdict("incorrect").correct and not Verdict("invalid").correct
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.status = "invalid"  # type: ignore[misc]


def test_callers_passing_text_as_a_value_get_a_type_error():
    with pytest.raises(TypeError):
        check_number("1", "1")  # type: ignore[arg-type]


# --- hostile input ---------------------------------------------------------------------------

HOSTILE = [
    "__import__('os').system('x')",
    "9**9**9**9",
    "9^9^9^9",
    "1" * 5000,
    "x+" * 2500,
    "(" * 5000,
    "\x00",
    "1\x1b[31m",
    "1\n2",
    "\r",
    "lambda: 1",
    "lambda x: x",
    "x.__class__",
    "().__class__.__bases__",
    "(1).real",
    "(" * 100 + "x" + ")" * 100,
    "1e999999",
    "9" * 41,
    "1e100^100",
    "exp(exp(exp(9)))",
    "1 if 1 else 2",
    "[x]",
    "{1: 2}",
    "'a'",
    "x;1",
    "import os",
    "exp(x=1)",
    "open('/etc/passwd')",
    "x @ x",
    "x % 2",
    "𝑥",
]

#: Parseable but extreme: any verdict is fine, quickly and without an exception.
EXTREME = [
    "exp(9000)^exp(9000)",
    "x^x^x^x^x^x",
    "((x+1)^100+1)^100",
    "sigmoid(" * 25 + "x" + ")" * 25,
    "(x+y+1)^100*(x-y)^100",
    "exp(x)^exp(x)^exp(x)",
    "e^(e^(e^(e^x)))",
    "log(log(log(log(x))))",
    "10^400",
    "x^0.0000001",
    "(1+1/x)^x",
    "x ** -x ** -x",
    "2^-400^x",
    "x*" * 999 + "x",
    "((x+1)^12+1)^12 - ((x+1)^12+1)^12 + 3x^2 - 6x + 2",
    "(x+1)^100 - (x+1)^99*(x+1) + 3x^2 - 6x + 2",
]


# How long these take is measured in scripts/bench_feedback.py (target: under a second each), not here.


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_is_invalid(text):
    for verdict in (check_number(text, DL_DYHAT, names=("x", "y")), check_expression(text, F_PRIME, NAMES)):
        assert verdict.status == "invalid", verdict
        assert verdict.message


@pytest.mark.parametrize("text", EXTREME, ids=range(len(EXTREME)))
def test_extreme_formulas_are_marked_not_crashed_on(text):
    for verdict in (
        check_number(text, DL_DYHAT, names=("x", "y")),
        check_expression(text, F_PRIME, NAMES),
        check_expression(text, SIGMA_PRIME.subs(z, x), NAMES),
    ):
        assert isinstance(verdict, Verdict) and verdict.status in ("correct", "incorrect", "invalid")
        assert verdict.correct is (verdict.status == "correct")


def test_no_code_runs(monkeypatch, tmp_path):
    marker = tmp_path / "ran"

    def refuse(*args, **kwargs):
        raise AssertionError("the checker must never run code")

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    monkeypatch.setattr(os, "system", refuse)
    attack = f"__import__('os').system('touch {marker}')"
    assert check_number(attack, DL_DYHAT).status == "invalid"
    assert check_expression(attack, F_PRIME, {"x": x}).status == "invalid"
    assert check_choice(attack, OPTIONS, 0).status == "invalid"
    # and ordinary checking needs neither eval nor exec
    assert check_number("-72/4", DL_DYHAT).correct
    assert check_expression("x(3x-6)+2", F_PRIME, {"x": x}).correct
    assert check_expression("exp(-z)/(1+exp(-z))^2", SIGMA_PRIME, {"z": z}).correct
    assert not marker.exists()


# --- fuzzing -------------------------------------------------------------------------------

_FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Pieces of the grammar a learner (or an attacker) could string together.
TOKENS = [
    "x", "y", "w1", "z", "ŷ", "y_hat", "σ(", "sigmoid(", "exp(", "log(", "sqrt(", "tanh(", "relu(", "(", ")",
    "+", "-", "−", "*", "·", "/", "^", "**", "²", "2", "3.5", "0.001", "1e5", "9", "e", "pi", " ", ",", ".",
    "X", "_", "0",
]
grammar_text = st.lists(st.sampled_from(TOKENS), max_size=25).map("".join)
alphabet_text = st.text(alphabet="0123456789.+-*/^() xyzσŷe,_E", max_size=40)


def _well_formed(verdict):
    assert isinstance(verdict, Verdict)
    assert verdict.status in ("invalid", "correct", "incorrect")
    assert (verdict.value is None) == (verdict.status == "invalid")
    if verdict.status == "invalid":
        assert verdict.message
    if verdict.correct:
        assert verdict.mistake is None


@_FUZZ
@given(st.text(max_size=80))
def test_fuzz_arbitrary_text(text):
    _well_formed(check_number(text, DL_DYHAT, names=("x",)))
    _well_formed(check_expression(text, F_PRIME, NAMES))
    _well_formed(check_choice(text, OPTIONS, 0))


@_FUZZ
@given(st.one_of(grammar_text, alphabet_text))
def test_fuzz_grammar_text(text):
    for verdict in (
        check_number(text, SIGMA_PRIME_AT, names=("x", "y")),
        check_number(text, SIGMA_PRIME_AT, names=("x", "y", "w1"), values={"x": 2, "w1": R(1, 2)}),
        check_expression(text, F_PRIME, NAMES),
        check_expression(text, SIGMA_PRIME, {"z": z, "y_hat": y_hat}),
    ):
        _well_formed(verdict)


#: Names that cancel, around a value: evaluated with the names' values, never re-read without them.
cancelling_text = st.tuples(st.sampled_from(["x", "w1"]), st.sampled_from(["-18", "-72/4", "-18.0", "-17"]),
                            st.sampled_from(["{n} - {n} + {v}", "{v} + 0*{n}", "{v} - {n} + {n}", "({n}-{n})^2 + {v}"]))


@_FUZZ
@given(cancelling_text)
def test_fuzz_names_that_cancel(parts):
    name, value, pattern = parts
    text = pattern.format(n=name, v=value)
    verdict = check_number(text, DL_DYHAT, names=("x", "w1"), values={"x": 2, "w1": 2})
    _well_formed(verdict)
    assert verdict.correct == (value != "-17"), (text, verdict)
    _well_formed(check_number(text, DL_DYHAT, names=("x", "w1")))  # without values: never an error either


@_FUZZ
@given(grammar_text)
def test_fuzz_verdicts_are_reproducible(text):
    assert check_expression(text, F_PRIME, NAMES) == check_expression(text, F_PRIME, NAMES)


@_FUZZ
@given(st.floats(min_value=1e-6, max_value=1e6) | st.floats(min_value=-1e6, max_value=-1e-6))
def test_three_figures_of_any_value_are_accepted(value):
    expected = sympy.Float(value)
    assert check_number(f"{value:.2e}", expected).correct  # rounded to three figures
    assert check_number(f"{value:.6g}", expected).correct  # as the tutor shows numbers


@_FUZZ
@given(st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False))
def test_an_exact_decimal_typed_exactly_is_correct(value):
    expected = sympy.Rational(str(value))
    assert check_number(str(value), expected).correct


# Formulas with a kink (relu, and the step and abs of derivatives) can differ in one region only:
# `x + relu(x - 2.5)` against `x` agreed at the ten random points in ±3 about four times in ten and
# was marked right. The oracle: the two formulas' values on a dense grid (they differ on it).

_PLAIN = {"relu": lambda z: max(0.0, z), "step": lambda z: 1.0 if z > 0 else 0.0}  # their definitions


def _differ_on_a_grid(a, b, x) -> bool:
    # plain-float functions of the two formulas (lambdify, with relu and step written out here): the
    # same grid as substituting each point, 25 times faster (the mutation script runs this test often)
    fa, fb = (sympy.lambdify(x, e, [_PLAIN, "math"]) for e in (a, b))
    return any(abs(fa(v / 10) - fb(v / 10)) > 1e-9 for v in range(-600, 601))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kink=st.integers(-160, 160), scale=st.sampled_from([1, 2, -1, sympy.Rational(1, 2)]))
def test_a_formula_wrong_in_one_region_only_is_found_wrong(kink, scale):
    from backprop_cli.checking.formulas import compare
    from backprop_cli.mathfunctions import relu, step

    x, y = symbol("x"), symbol("y")
    c = sympy.Rational(kink, 4)
    for wrong, right in ((x + relu(scale * (x - c)), x), (y * step(x - c) + x, x), (relu(x - c) + y, y + x - c)):
        assert _differ_on_a_grid(wrong.subs(y, 1), right.subs(y, 1), x)  # the oracle: they do differ
        assert not compare(wrong, right).equal, (wrong, right)
    assert compare(relu(x - c), (x - c) * step(x - c)).equal  # the same function, written otherwise
    assert compare(relu(scale * (x - c)) * y, y * relu(scale * x - scale * c)).equal


# --------------------------------------------------------------------------------------------
# A formula's steps, run at a point, give what walking its tree gives (float_tape vs floats)
# --------------------------------------------------------------------------------------------


def _random_formula(draw):
    from backprop_cli.mathfunctions import relu, sigmoid, step

    x, y = sympy.Symbol("x", real=True), sympy.Symbol("y", real=True)
    leaves = [x, y, sympy.Rational(3, 7), sympy.Integer(-2), sympy.Integer(0), sympy.Rational(10**400, 3),
              sympy.pi, sympy.E, sympy.Float("1e-300"), sympy.oo, sympy.I, sympy.Symbol("z")]
    made = [draw(st.sampled_from(leaves))]
    for _ in range(draw(st.integers(1, 9))):
        a = draw(st.sampled_from(made + leaves))
        b = draw(st.sampled_from(made + leaves))  # parts used again: repeated subtrees
        kind = draw(st.sampled_from(["add", "mul", "pow", "div", "max", "min", sigmoid, relu, step, sympy.tanh,
                                     sympy.exp, sympy.log, sympy.sqrt, sympy.Abs, sympy.sign, sympy.Heaviside]))
        try:
            if kind == "add":
                made.append(a + b)
            elif kind == "mul" and len(made) < 6:  # products of products: exact values of hundreds of digits
                made.append(a * b)
            elif kind == "pow":
                # small exponents only: SymPy works out a rational's power exactly (10^400 to the 10^400th)
                made.append(a ** draw(st.sampled_from([x, y, sympy.Integer(2), sympy.Integer(-1), sympy.Rational(1, 2)])))
            elif kind == "div":
                made.append(a / b)
            elif kind in ("max", "min"):
                made.append((sympy.Max if kind == "max" else sympy.Min)(a, b, x))
            else:
                made.append(kind(a))
        except (ValueError, TypeError, ZeroDivisionError):
            continue
    return made[-1], x, y


@st.composite
def _formula_and_point(draw):
    expr, x, y = _random_formula(draw)
    values = st.sampled_from([0.0, -1.5, 2.25, 1e-200, -3e5, 700.0, 0.5])
    point = {x: draw(values)}
    if draw(st.booleans()):
        point[y] = draw(values)  # y sometimes missing: the part is not known at this point
    return expr, point


def _outcome(evaluate, *args):
    try:
        return ("value", evaluate(*args))
    except Exception as error:  # noqa: BLE001 - the kind of failure is what is compared
        return ("raised", type(error).__name__)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_formula_and_point())
def test_a_formulas_steps_give_what_walking_its_tree_gives(case):
    from backprop_cli.checking import float_tape, floats

    expr, point = case
    walked = _outcome(floats.float_eval, expr, point)
    assert _outcome(float_tape.run, float_tape.tape(expr), point) == walked, (expr, point)
    assert float_tape.value_at(expr, point) == floats.float_value(expr, point)
    assert float_tape.safe_at(expr, point) == floats.safe_to_evaluate(expr, point)


def test_the_first_failure_met_is_the_one_walking_the_tree_meets():
    """Which failure ends an evaluation (an unknown part is let through by safe_at; an undefined one
    is not) depends on the order the parts are met: arguments left to right, as float_eval."""
    from backprop_cli.checking import float_tape, floats

    x, z = sympy.Symbol("x", real=True), sympy.Symbol("z")
    for expr in (z + sympy.log(x), sympy.log(x) * z, sympy.Max(z, sympy.log(x), x), sigmoid(z) - sympy.log(x)):
        walked = _outcome(floats.float_eval, expr, {x: 0.0})
        assert walked[0] == "raised"
        assert _outcome(float_tape.run, float_tape.tape(expr), {x: 0.0}) == walked, expr



def test_a_point_in_hundredths_is_the_same_point_in_floats_and_exactly():
    """The comparison's random points are made in floats (h / 100) and exactly only when needed
    (Rational(h, 100)): both correctly rounded, so the floats are those of the exact point."""
    for h in range(-300, 301):
        assert h / 100 == float(sympy.Rational(h, 100)), h


@pytest.mark.parametrize(("base", "exponent"), [(-1.5, 2), (-1.5, -1), (-1.5, 0.5), (-1.5, 2.25), (0.0, 0.5),
                                                (0.0, -1), (0.0, 2), (0.5, 0.5), (2.25, -1), (-3e5, 3)])
def test_powers_at_a_point_are_what_walking_the_tree_gives(base, exponent):
    """A negative base to a fraction is undefined, 0 to a negative power infinite, the rest a number."""
    from backprop_cli.checking import float_tape, floats

    x, y = sympy.Symbol("x", real=True), sympy.Symbol("y", real=True)
    expr = x**y + 1
    point = {x: base, y: float(exponent)}
    walked = _outcome(floats.float_eval, expr, point)
    assert _outcome(float_tape.run, float_tape.tape(expr), point) == walked
    if base < 0 and exponent != int(exponent):
        assert walked == ("raised", "ValueError")
    elif base == 0 and exponent < 0:
        assert walked == ("raised", "OverflowError")
    else:
        assert walked == ("value", base**exponent + 1)


# --------------------------------------------------------------------------------------------
# A rational formula's 30-digit value, worked out exactly, is evalf's (formulas._precise_value)
# --------------------------------------------------------------------------------------------


def _evalf_value(expr, point):
    """The route _precise_value takes for any formula: SymPy's evalf at a 45-digit point."""
    from backprop_cli.checking.float_tape import safe_at
    from backprop_cli.checking.formulas import POINT_DIGITS

    if not safe_at(expr, {s: float(v) for s, v in point.items()}):
        return None
    value = expr.xreplace({s: sympy.Float(v, POINT_DIGITS + 15) for s, v in point.items()}).evalf(POINT_DIGITS)
    if not value.is_Number or value.is_finite is not True or value.is_real is not True:
        return None
    return sympy.Float(value, POINT_DIGITS)


@st.composite
def _rational_formula_and_point(draw):
    x, y = sympy.Symbol("x", real=True), sympy.Symbol("y", real=True)
    leaves = [x, y, sympy.Rational(3, 7), sympy.Integer(-2), sympy.Integer(0), sympy.Integer(1), sympy.Rational(1, 2)]
    made = [draw(st.sampled_from(leaves))]
    for _ in range(draw(st.integers(1, 8))):
        a, b = draw(st.sampled_from(made + leaves)), draw(st.sampled_from(made + leaves))
        kind = draw(st.sampled_from(["add", "sub", "mul", "div", "pow"]))
        if kind == "add":
            made.append(a + b)
        elif kind == "sub":
            made.append(a - b)
        elif kind == "mul":
            made.append(a * b)
        elif kind == "div" and b != 0:
            made.append(a / b)
        elif kind == "pow":
            made.append(a ** draw(st.sampled_from([2, 3, -1, -2, 5])))
    hundredths = st.integers(-300, 300).map(lambda h: sympy.Rational(h, 100))
    small = st.sampled_from([sympy.Integer(v) for v in (1, 2, -1, 3, -2, 0)])
    coordinate = st.one_of(hundredths, small)
    return made[-1], {x: draw(coordinate), y: draw(coordinate)}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_rational_formula_and_point())
def test_a_rational_formula_worked_out_exactly_is_evalfs_value(case):
    """The exact route gives the true value rounded once; evalf approaches it to 30 digits: both say
    undefined at the same points, and the values agree far beyond the 25 digits compared."""
    from backprop_cli.checking.formulas import _precise_value

    expr, point = case
    exact, approached = _precise_value(expr, point), _evalf_value(expr, point)
    assert (exact is None) == (approached is None), (expr, point)
    if exact is not None:
        assert abs(exact - approached) <= sympy.Float("1e-28") * max(1, abs(approached)), (expr, point)


def test_only_sums_products_whole_powers_and_rationals_are_worked_out_exactly():
    from fractions import Fraction

    from backprop_cli.checking.exact_points import MAX_POWER, NotRational, exact_at
    from backprop_cli.mathfunctions import sigmoid

    x = sympy.Symbol("x", real=True)
    at = {x: sympy.Rational(3, 2)}
    assert exact_at(2 * x**2 - x / 3 + sympy.Rational(1, 7), at) == Fraction(2) * Fraction(9, 4) - Fraction(1, 2) + Fraction(1, 7)
    assert exact_at(1 / (x - sympy.Rational(3, 2) + x - x), at) is None  # 1/0: undefined
    assert exact_at(x**-MAX_POWER, at) == Fraction(2, 3) ** MAX_POWER == 1 / exact_at(x**MAX_POWER, at)
    assert exact_at(x**2 / (x - sympy.Rational(3, 2)) ** 3, at) is None  # 0 to a negative power
    for other in (sympy.sqrt(x), sigmoid(x), sympy.exp(x), sympy.pi * x, sympy.Float("0.5") * x,
                  x ** (MAX_POWER + 1), x ** -(MAX_POWER + 1), x * sympy.Symbol("y")):
        with pytest.raises(NotRational):
            exact_at(other, at)
    for point in ({x: sympy.Float("1.5")}, {x: 1.5}, {x: 2}):  # a point the formula checks never give: evalf's
        with pytest.raises(NotRational):
            exact_at(x + 1, point)
