"""Pins found by mutation testing (scripts/mutation.py checking): what a learner is told.

Typed answers are derived here from the lesson's own numbers, as a learner making the slip
would compute them; the expected words are the feedback the slip must get.
"""

from __future__ import annotations

import pytest
import sympy

from backprop_cli import course
from backprop_cli.checking import check_expression
from backprop_cli.course import answers

x, w = sympy.Symbol("x", real=True), sympy.Symbol("w", real=True)


@pytest.fixture(scope="module")
def sigmoid_net():
    return next(lesson for lesson in (course.load(f) for f in course.lesson_files()) if lesson.id == "sigmoid-net")


def _check(lesson, qid, typed):
    return answers.check(lesson, next(q for q in lesson.questions if q.id == qid), typed)


@pytest.mark.parametrize(("qid", "upstream", "output", "then", "name"), [
    ("dL_dw3", "dL_dyhat", "yhat_value", "h1_value", "ŷ"),  # ∂L/∂ŷ · (1 − ŷ) · h1
    ("dL_dz1", "d_loss_d_h1", "h1_value", None, "h1"),  # ∂L/∂h1 · (1 − h1)
])
def test_one_minus_sigma_for_the_slope_of_a_sigmoid_is_named(sigmoid_net, qid, upstream, output, then, name):
    d = {k: float(v) for k, v in sigmoid_net.definitions.items() if getattr(v, "is_number", False)}
    slip = d[upstream] * (1 - d[output]) * (d[then] if then else 1.0)
    verdict = _check(sigmoid_net, qid, f"{slip:.3g}")
    assert (verdict.status, verdict.mistake) == ("incorrect", "one-minus-sigma"), verdict
    assert f"only 1 − {name}" in verdict.message


@pytest.mark.parametrize(("typed", "expected", "where", "shown"), [
    ("2*x", 2 * x + 1, {"x": 1}, "at x = 1 yours gives 2 but the answer gives 3"),  # 1 apart everywhere
    ("x^2", x, {"x": 2}, "at x = 2 yours gives 4 but the answer gives 2"),  # the same at x = 1
    # the same at 1, 2 and −1: shown at 3 (3 + 2·1·4 = 11)
    ("x + (x - 1)*(x - 2)*(x + 1)", x, {"x": 3}, "at x = 3 yours gives 11 but the answer gives 3"),
    ("x*w", x * w + sympy.Rational(1, 2), {"w": 1, "x": 1}, "at w = 1, x = 1 yours gives 1 but the answer gives 1.5"),
])
def test_a_wrong_formula_is_shown_at_the_first_small_whole_point_where_it_differs(typed, expected, where, shown):
    verdict = check_expression(typed, expected, {"x": x, "w": w})
    assert verdict.status == "incorrect"
    assert {getattr(s, "name", s): v for s, v in verdict.counterexample.items()} == where
    assert shown in verdict.message, verdict.message



def test_a_missing_factor_is_named_by_its_formula_only_when_that_says_more():
    from backprop_cli.checking.diagnosis import Link, chain_candidates

    links = [Link("∂L/∂ŷ", -0.5, "ŷ − y"), Link("∂ŷ/∂z", 0.25, "∂ŷ/∂z"), Link("∂z/∂w", 2.0)]
    said = {c.value: c.feedback for c in chain_candidates(links) if c.name == "missing-factor"}
    why = " The chain rule multiplies every local derivative along the path."
    assert said == {0.25 * 2.0: f"Almost: the factor ∂L/∂ŷ = ŷ − y is missing.{why}",
                    -0.5 * 2.0: f"Almost: the factor ∂ŷ/∂z is missing.{why}",
                    -0.5 * 0.25: f"Almost: the factor ∂z/∂w is missing.{why}"}


def test_a_questions_mistakes_and_a_verdict_cannot_be_changed_by_who_reads_them(sigmoid_net):
    """A lesson's listed mistakes and their diagnosis are built once and read for every answer:
    frozen, so no view (or a later answer) can change what the next learner is told."""
    from dataclasses import FrozenInstanceError

    from backprop_cli.checking import Candidate, Carried, Diagnosis, Mistake, UpdateRule
    from backprop_cli.checking.diagnosis import Link, Swap
    from backprop_cli.checking.formulas import Comparison

    verdict = _check(sigmoid_net, "dL_dw3", "-0.0262")
    records = [verdict, Mistake("sign", 1, "flipped"), Carried(1.0, ("q",)), Candidate("sign", 1.0, "flipped"),
               UpdateRule(0.5, "w"), Diagnosis(), Swap("s", 1.0, "f"), Link("l", 1.0), Comparison(False)]
    for record in records:
        field = next(iter(vars(record)))
        with pytest.raises(FrozenInstanceError):
            setattr(record, field, None)


def test_a_factor_missing_from_a_formula_is_not_told_about_the_chain_rule():
    """In a plain product (2·x·w, not a chain of local derivatives) a dropped factor is just missing."""
    from backprop_cli.checking.diagnosis import formula_candidates

    candidates = formula_candidates(2 * x * w, {x: 2.0, w: 3.0}, str)
    said = {(c.name, c.value): c.feedback for c in candidates if c.name in ("missing-factor", "factor-twice")}
    assert said == {("missing-factor", 2 * 3.0): "Almost: the factor x is missing.",
                    ("missing-factor", 2 * 2.0): "Almost: the factor w is missing.",
                    ("factor-twice", 2 * 2.0 * 2.0 * 3.0): "The factor x is used twice: it enters the product once.",
                    ("factor-twice", 2 * 2.0 * 3.0 * 3.0): "The factor w is used twice: it enters the product once."}


@pytest.mark.parametrize(("typed", "expected"), [
    ("sqrt(x^3)/sqrt(x)", x), ("sqrt(x)*sqrt(x^3)", x**2),  # SymPy leaves both as typed
])
@pytest.mark.parametrize("k", range(1, 9))
def test_a_right_formula_undefined_for_negative_values_is_still_right(typed, expected, k):
    """Half the random points are negative: the answer is undefined there, and equal wherever defined
    (also when the first point drawn is negative: the scalings k draw different points)."""
    assert check_expression(f"{k}*({typed})", k * expected, {"x": x}).status == "correct"


def test_a_choice_of_one_option_asks_for_that_letter():
    from backprop_cli.checking import check_choice

    assert check_choice("z", ["only"], 0).message == "answer with a letter: a (or the option's number or text)"
    assert check_choice("z", ["yes", "no"], 0).message == "answer with a letter: a or b (or the option's number or text)"


@pytest.mark.parametrize(("gradient", "said"), [
    (0.5, "You added α·∂L/∂w. Gradient descent subtracts it, w − α·∂L/∂w, to go downhill."),
    (0.0, "You added α·∂L/∂w. Gradient descent subtracts it, w − α·∂L/∂w, to go downhill."),
    (-0.5, ("The step went the wrong way: ∂L/∂w is negative, so −α·∂L/∂w is positive and w goes up. "
            "Subtracting a negative gradient raises the weight.")),
])
def test_an_update_the_wrong_way_is_explained_by_the_gradients_sign(gradient, said):
    """A small positive gradient (below 1) is still positive: the learner added the step."""
    from backprop_cli.checking.diagnosis import update_candidates

    wrong_way = [c for c in update_candidates(1.0, 0.1, gradient, "w") if c.name == "update-wrong-way"]
    assert [(c.value, c.feedback) for c in wrong_way] == [(1.0 + 0.1 * gradient, said)]



def test_a_loss_without_its_half_or_with_it_twice_is_named():
    """(x − w)²/2 at x = 3, w = 1 is 2: without the ½ it is 4, with it twice 1."""
    from backprop_cli.checking.diagnosis import formula_candidates

    candidates = formula_candidates((x - w) ** 2 / 2, {x: 3.0, w: 1.0}, str)
    said = {c.name: (c.value, c.feedback) for c in candidates if c.name.startswith("half")}
    assert said == {"half-missing": (4.0, "The ½ is missing."), "half-twice": (1.0, "The ½ is used twice.")}


def test_a_formula_wrong_for_every_positive_value_is_wrong_whatever_points_are_drawn():
    """All ten points are compared: if the first few drawn all have the other sign, a later one
    still shows the difference (the scalings k draw different points)."""
    for k in range(1, 33):
        assert check_expression(f"{k}*x + relu(x)", k * x, {"x": x}).status == "incorrect", k


def test_components_are_marked_when_their_count_is_right_and_asked_again_when_not():
    from backprop_cli.checking import check_components

    assert check_components("1, 2", [1, 2], ["a", "b"]).status == "correct"
    short = check_components("1", [1, 2], ["a", "b"])
    assert (short.status, short.message) == ("invalid", "type the 2 components separated by commas, e.g. 3, -2")


def test_a_diagnosis_finds_the_generated_candidate_of_a_value_and_only_that_one():
    from backprop_cli.checking import Candidate
    from backprop_cli.checking.diagnosis import LISTED, NEIGHBOUR, prepare

    d = prepare(1.0, [Candidate("sign", -1.0, "flipped"), Candidate("previous-answer", 3.0, "before", NEIGHBOUR),
                      Candidate("listed", 4.0, "the author's", LISTED)])
    assert d.finds(3.0).name == "previous-answer" and d.finds(-1.0).name == "sign"
    assert d.finds(4.0) is None and d.finds(5.0) is None  # a listed mistake is not generated; 5 is nothing
    assert d.finds(3.0, tiers=(LISTED,)) is None


def test_the_float_checks_take_zero_to_a_positive_power_as_zero():
    from backprop_cli.checking.floats import float_value

    assert float_value(sympy.sqrt(x), {x: 0.0}) == 0.0 and float_value(x**2, {x: 0.0}) == 0.0
    assert float_value(x**-1, {x: 0.0}) is None  # 1/0: infinite, not a number to compare


@pytest.mark.parametrize("k", range(1, 5))
def test_a_listed_mistake_is_recognised_in_another_form_undefined_for_negative_values(k):
    """The learner typed the listed slip k·log(x) as k·log(x²)/2: the same wherever both are defined
    (the float check cannot judge the negative points, where only one is; the scalings k draw
    different points)."""
    from backprop_cli.checking import Mistake

    slip = Mistake("dropped-term", k * sympy.log(x), "The term x is missing.")
    verdict = check_expression(f"{k}*log(x^2)/2", k * sympy.log(x) + x, {"x": x}, mistakes=[slip])
    assert (verdict.status, verdict.mistake) == ("incorrect", "dropped-term"), verdict


def test_components_partly_right_say_which_are_right_and_which_are_not():
    from backprop_cli.checking import check_components

    verdict = check_components("1, 5", [1, 2], ["∂L/∂w1", "∂L/∂w2"])
    assert verdict.status == "incorrect" and verdict.message.startswith("∂L/∂w1 is right; ∂L/∂w2 is not right")


def test_a_choice_answer_is_read_up_to_500_characters():
    from backprop_cli.checking import check_choice

    assert check_choice("a" + " " * 499, ["yes", "no"], 0).status == "correct"
    assert check_choice("a" + " " * 500, ["yes", "no"], 0).status == "invalid"


def test_an_update_is_right_up_to_a_tenth_of_a_percent_of_its_step_and_the_floor_and_no_further():
    """w = 1 → 0.5: the step is 0.5, so 0.1% of it plus the 1e−12 floor, 0.000500000001, is the
    largest miss that still passes (the bound is inclusive, on both sides of the answer)."""
    from backprop_cli.checking import check_number
    from backprop_cli.checking.diagnosis import UpdateRule, prepare

    half = sympy.Rational(1, 2)
    rule = prepare(0.5, [], UpdateRule(sympy.Integer(1), "w"))
    for typed, status in (("0.500500000001", "correct"), ("0.499499999999", "correct"),
                          ("0.500500000002", "incorrect"), ("0.499499999998", "incorrect")):
        assert check_number(typed, half, diagnosis=rule).status == status, typed


def test_values_within_the_absolute_floor_are_one_value_and_beyond_it_are_two():
    """A builder skips a mistake that repeats another: 1e−12 apart (of a value below 1) is a repeat,
    1.5e−12 apart is not (the floor does not grow for values below 1)."""
    from backprop_cli.checking.mistakes import same_value

    one, half, pico = sympy.Integer(1), sympy.Rational(1, 2), sympy.Rational(1, 10**12)
    assert same_value(one + pico, one) and same_value(half - pico, half)
    assert not same_value(one + 3 * pico / 2, one) and not same_value(half + 3 * pico / 2, half)


@pytest.mark.parametrize(("degree", "expanded"), [(24, True), (25, False)])
def test_a_difference_is_expanded_up_to_degree_24_and_not_beyond(degree, expanded):
    """(x + 1)²·x^(n−2) against its expansion: the degree bound of the difference is n (a sum is as
    high as its highest term), and only up to EXPAND_MAX_DEGREE = 24 is it expanded to prove them equal."""
    from backprop_cli.checking.formulas import EXPAND_MAX_DEGREE, expands_to_zero

    assert EXPAND_MAX_DEGREE == 24
    product, sum_of_terms = (x + 1) ** 2 * x ** (degree - 2), x**degree + 2 * x ** (degree - 1) + x ** (degree - 2)
    assert expands_to_zero(product, sum_of_terms) is expanded


def test_formulas_undefined_at_every_point_are_not_called_equal_unless_they_expand_to_the_same():
    """Nothing to compare at any point: only expansion can show two formulas equal; otherwise the
    learner is told so, not marked right."""
    nowhere = sympy.log(-(x**2) - 1)
    verdict = check_expression("log(-x^2 - 1) + 1", nowhere, {"x": x})
    assert (verdict.status, verdict.message) == ("incorrect", "I could not evaluate your formula at any point to compare it")
    assert check_expression("log(-1 - x^2)", nowhere, {"x": x}).status == "correct"


@pytest.mark.parametrize(("edge", "status"), [("2.75", "correct"), ("2.8", "incorrect"), ("2.85", "incorrect")])
def test_a_formula_defined_on_part_of_the_range_needs_eight_agreeing_points(edge, status):
    """x + log(x − c) − log(10x − 10c) + log 10 is x wherever it is defined (x > c). The points are
    seeded by the expected formula (x): of the 60 drawn, 8 lie above 2.75 (enough: POINTS_ENOUGH),
    7 above 2.8 and 6 above 2.85 (too few: the learner is shown a point where only the answer is defined)."""
    verdict = check_expression(f"x + log(x - {edge}) - log(10*x - 10*{edge}) + log(10)", x, {"x": x})
    assert verdict.status == status, verdict
    if status == "incorrect":
        assert "yours gives undefined but the answer gives" in verdict.message


@pytest.mark.parametrize("typed", ["1.23", "1.235", "1.23456"])
def test_the_old_weight_typed_to_three_figures_or_more_is_called_the_old_value(typed):
    """w = 1.23456 and the step is −0.01: 1.23 is the old weight rounded to three figures, so the
    learner is told the step was not taken (not merely that the number is wrong)."""
    from backprop_cli.checking import check_number
    from backprop_cli.checking.diagnosis import UpdateRule, prepare

    old = sympy.Rational(123456, 100000)
    new = old - sympy.Rational(1, 100)
    verdict = check_number(typed, new, diagnosis=prepare(float(new), [], UpdateRule(old, "w")))
    assert (verdict.status, verdict.mistake) == ("incorrect", "old-value"), verdict
    assert verdict.message.startswith("That is the old value of w: as typed, the step was not taken.")


def test_a_power_slip_is_told_with_the_powers_written_as_superscripts():
    from backprop_cli.checking.diagnosis import power_swaps

    cube = {s.name: (s.value, s.feedback) for s in power_swaps("∂y/∂x", "x", 2.0, 3)}
    assert cube == {"power-not-differentiated": (8.0, "You used x³ itself in place of its slope ∂y/∂x = 3·x²."),
                    "power-not-reduced": (24.0, "The power rule lowers the power by one: ∂y/∂x = 3·x², not 3·x³.")}
    square = {s.name: (s.value, s.feedback) for s in power_swaps("∂y/∂x", "x", 2.0, 2)}
    assert square["power-not-differentiated"] == (4.0, "You used x² itself in place of its slope ∂y/∂x = 2·x.")


def test_a_missing_link_without_a_formula_is_named_by_its_label_alone():
    from backprop_cli.checking.diagnosis import Link, chain_candidates

    links = [Link("∂L/∂ŷ", -0.5), Link("∂ŷ/∂z", 0.25, "ŷ·(1 − ŷ)")]
    said = [(c.value, c.feedback.split(" is missing.")[0]) for c in chain_candidates(links) if c.name == "missing-factor"]
    assert said == [(0.25, "Almost: the factor ∂L/∂ŷ"), (-0.5, "Almost: the factor ∂ŷ/∂z = ŷ·(1 − ŷ)")]  # the other's value


def test_the_float_checks_evaluate_decimals_and_constants():
    """A formula with a decimal or π in it is evaluated in machine floats, not sent to 30 digits."""
    import math

    from backprop_cli.checking.floats import float_value

    assert float_value(sympy.Float(0.5) * x, {x: 3.0}) == 1.5
    assert float_value(sympy.pi * x, {x: 1.0}) == math.pi


@pytest.mark.parametrize(("typed", "shown"), [
    ("x + relu(x - 10.5)", "at x = 10.87 yours gives 11.24 but the answer gives 10.87"),
    ("x + relu(2*x - 21)", "at x = 10.87 yours gives 11.61 but the answer gives 10.87"),
    ("x + relu(x - 10)", "at x = 10.37 yours gives 10.74 but the answer gives 10.37"),
    # the other names keep a seeded value in ±3
    ("x + y*relu(x - 10.5)", "at x = 10.87, y = −2.31 yours gives 10.0153 but the answer gives 10.87"),
])
def test_a_difference_beyond_the_small_whole_numbers_is_shown_just_past_the_kink(typed, shown):
    """No point in ±3 tells x + relu(x − c) from x: the learner is shown the point 0.37 past the
    kink (where the formulas part), not a random one."""
    verdict = check_expression(typed, x, {"x": x, "y": sympy.Symbol("y", real=True)})
    assert verdict.status == "incorrect" and shown in verdict.message, verdict.message


@pytest.mark.parametrize(("value", "figures"), [
    (sympy.Integer(0), 1), (sympy.Integer(100), 1), (sympy.Integer(-18), 2), (sympy.Rational(1, 2), 1),
    (sympy.Rational(101, 100), 3), (sympy.Rational(1, 1024), 7), (sympy.Rational(3, 80), 3),
    (sympy.Rational(1, 3), None), (sympy.Float(0.5), None),
])
def test_significant_figures_of_an_exact_value(value, figures):
    """0.0009765625 has seven figures, 0.0375 three, 0 one; a third never ends; a float is not exact."""
    from backprop_cli.checking import significant_figures

    assert significant_figures(value) == figures


_ZERO_AT_SMALL_WHOLES = "(x-1)*(x-2)*(x+1)*(x-3)*(x+2)"  # 0 at every small whole number the checker tries first


@pytest.mark.parametrize(("typed", "expected", "shown"), [
    (f"x + {_ZERO_AT_SMALL_WHOLES}", "x", "at x = 0.64 yours gives −4.36266 but the answer gives 0.64"),
    (f"x + y*{_ZERO_AT_SMALL_WHOLES}", "x", "at x = 0.64, y = 1.38 yours gives −6.26367 but the answer gives 0.64"),
    # six names under square roots: the points drawn with random signs are all undefined, so the
    # point shown is the first of those drawn positive after 20 tries
    ("sqrt(a)+sqrt(b)+sqrt(c)+sqrt(d)+sqrt(e)+sqrt(f) + " + _ZERO_AT_SMALL_WHOLES.replace("x", "a"),
     "sqrt(a)+sqrt(b)+sqrt(c)+sqrt(d)+sqrt(e)+sqrt(f)",
     "at a = 1.78, b = 1.27, c = 1.18, d = 1.87, e = 1.49, f = 1.3 yours gives 9.47565 but the answer gives 7.2757"),
    # seven: none of the 20 points with random signs has all seven positive, the 21st is the first
    ("sqrt(a)+sqrt(b)+sqrt(c)+sqrt(d)+sqrt(e)+sqrt(f)+sqrt(g) + " + _ZERO_AT_SMALL_WHOLES.replace("x", "a"),
     "sqrt(a)+sqrt(b)+sqrt(c)+sqrt(d)+sqrt(e)+sqrt(f)+sqrt(g)",
     "at a = 1.49, b = 2.85, c = 2.09, d = 1.54, e = 0.59, f = 1.95, g = 1.73 yours gives 12.3545 but the answer gives 9.07533"),
    # a kink not linear in x: found by the sweep of points in ±12
    ("x + relu(x^2 - 110)", "x", "at x = 10.91 yours gives 19.9381 but the answer gives 10.91"),
    ("x + relu(-x^3 - 1200)", "x", "at x = −11.8 yours gives 431.232 but the answer gives −11.8"),  # the negative side
])
def test_the_point_shown_when_no_small_whole_number_differs_is_the_same_every_time(typed, expected, shown):
    """The random points are seeded by the expected formula: a learner (or a teacher reproducing a
    learner's screen) sees the same two-decimal point, in ±3 (±12 for the kink sweep), every time."""
    names = {n: sympy.Symbol(n, real=True) for n in "abcdefgxy"}
    verdict = check_expression(typed, sympy.sympify(expected, locals=names), names)
    assert verdict.status == "incorrect" and shown in verdict.message, verdict.message


@pytest.mark.parametrize("count", range(5, 9))
def test_a_right_formula_defined_only_where_every_name_is_positive_is_right(count):
    """log(a·b) + log(c) + … for log(a) + log(b) + …: with six names or more, every one of the 20
    points drawn with random signs leaves the answer undefined. It used to stop there and say "I could
    not evaluate your formula at any point"; the positive points after them show the two agree."""
    names = {n: sympy.Symbol(n, real=True) for n in "abcdefgh"[:count]}
    typed = "log(a*b) + " + " + ".join(f"log({n})" for n in list(names)[2:])
    verdict = check_expression(typed, sum(sympy.log(s) for s in names.values()), names)
    assert verdict.status == "correct", verdict


def test_a_formula_that_agrees_at_nine_of_the_ten_points_is_wrong():
    """x + (x − p1)…(x − p9), p1…p9 the first nine points the checker draws for x (seeded by the
    expected formula), agrees with x at nine of them: the tenth shows it is wrong, every point counts."""
    drawn = ["0.64", "1.38", "1.29", "1.8", "0.84", "-0.56", "1.57", "0.15", "-2.8"]
    typed = "x + " + "*".join(f"(x - ({p}))" for p in drawn)
    assert check_expression(typed, x, {"x": x}).status == "incorrect"


def test_the_float_checks_take_the_sign_of_zero_as_zero():
    """As the exact definition does (sign(0) = 0): a formula is not found different at its kink by
    the float check alone."""
    from backprop_cli.checking.floats import float_value

    assert float_value(sympy.sign(x), {x: 0.0}) == float(sympy.sign(0)) == 0.0
    assert (float_value(sympy.sign(x), {x: -1e-300}), float_value(sympy.sign(x), {x: 1e-300})) == (-1.0, 1.0)


def test_a_formula_defined_on_part_of_the_range_is_right_when_expansion_proves_it():
    """x + (√(x − 2.85) + 1)² − 2√(x − 2.85) − (x − 2.85) − 1 is x where it is defined: six points
    agree (too few alone), and expanding the difference to 0 settles it."""
    typed = "x + (sqrt(x - 2.85) + 1)^2 - 2*sqrt(x - 2.85) - (x - 2.85) - 1"
    assert check_expression(typed, x, {"x": x}).status == "correct"


def test_a_right_formula_with_a_kink_and_undefined_for_negative_values_is_right():
    """The points either side of relu's kink at 0 include −0.37, where both formulas are undefined:
    nothing to compare there, no difference claimed."""
    from backprop_cli.mathfunctions import relu

    assert check_expression("2*log(sqrt(x)) + relu(x)", sympy.log(x) + relu(x), {"x": x}).status == "correct"


def test_an_exact_six_figure_answer_is_compared_exactly_and_a_seven_figure_one_to_twelve_figures():
    """1.23456 is exact: a stray 1 in the twelfth decimal is wrong. 1.234567 has seven figures: it is
    compared to 12 figures, so the same stray digit passes."""
    from backprop_cli.checking import check_number

    assert check_number("1.234560000001", sympy.Rational(123456, 100000)).status == "incorrect"
    assert check_number("1.2345670000001", sympy.Rational(1234567, 1000000)).status == "correct"


@pytest.mark.parametrize(("typed", "expected", "status"), [
    # 1.234567 (seven figures: the tolerance rules): 0.1% of it, 0.001234567, either way is still right
    ("1.235801567", "1.234567", "correct"), ("1.233332433", "1.234567", "correct"),
    ("1.235801568", "1.234567", "incorrect"), ("1.233332432", "1.234567", "incorrect"),
    # 1.234567e−13: 0.1% is far below the 1e−12 floor, which is then the allowance
    ("0.0000000000011234567", "0.0000001234567e-6", "correct"),
    ("0.0000000000011234568", "0.0000001234567e-6", "incorrect"),
])
def test_the_tolerance_and_the_floor_are_inclusive(typed, expected, status):
    from backprop_cli.checking import check_number

    assert check_number(typed, sympy.Rational(expected)).status == status


def test_a_value_far_below_machine_floats_is_checked_exactly():
    """e^−800 (a sigmoid's far tail) is below the smallest float: it is still a finite number to
    check, and 0 is right to any figures typed while 0.001 is not."""
    from backprop_cli.checking import check_number
    from backprop_cli.mathfunctions import sigmoid

    tail = sympy.exp(-800)
    assert check_number("0", tail).status == "correct" and check_number("0.001", tail).status == "incorrect"
    assert check_number("0", sigmoid(-800)).status == "correct"


@pytest.mark.parametrize("typed", ["1", "2"])
def test_a_whole_number_for_an_exact_decimal_within_one_unit_looks_rounded(typed):
    """1 or 2 for exactly 1.2: fewer places (none), within one unit: asked again for every digit."""
    from backprop_cli.checking import check_number

    verdict = check_number(typed, sympy.Rational(6, 5))
    said = "that looks rounded, but this answer is exact: give every digit (or a fraction)"
    assert (verdict.status, verdict.message) == ("invalid", said)


def test_a_later_step_right_for_the_learners_own_earlier_answer_is_marked_to_the_figures_typed():
    """Follow-through is judged by the tolerance rules: 2.47 is the carried 2.468 to three figures."""
    from backprop_cli.checking import Carried, check_number

    carried = [Carried(sympy.Rational(2468, 1000), ("step 1",))]
    verdict = check_number("2.47", sympy.Integer(5), carried=carried)
    assert (verdict.status, verdict.carried_from) == ("correct", ("step 1",))
    assert verdict.message == "Right for your own answer to step 1: the difference carries through."


@pytest.mark.parametrize("refused", ["0.5", True, None])
def test_within_tolerance_refuses_text_and_truth_values_as_answers(refused):
    """The numeric rule takes numbers from code: the learner's text (or a flag) is not 0.5."""
    from backprop_cli.checking import within_tolerance

    assert within_tolerance(0.5, sympy.Rational(1, 2), "0.5") is True
    assert within_tolerance(refused, sympy.Rational(1, 2), "0.5") is False
    assert within_tolerance(sympy.Rational(1, 2), refused, "0.5") is False


def test_a_rounded_answer_near_a_number_two_explanations_give_claims_no_explanation():
    """1.23 (three figures) fits the candidate 1.2345 and the number 1.2346 two other stories share:
    which slip it was cannot be told, so none is named; without the shared number, 1.2345's is."""
    from backprop_cli.checking import Candidate, check_number
    from backprop_cli.checking.diagnosis import FORMULA, prepare

    expected = sympy.Rational(2, 3)
    alone = [Candidate("a", 1.2345, "story a", FORMULA)]
    shared = [*alone, Candidate("b", 1.2346, "story b", FORMULA), Candidate("c", 1.2346, "story c", FORMULA)]
    assert check_number("1.23", expected, diagnosis=prepare(float(expected), alone)).mistake == "a"
    verdict = check_number("1.23", expected, diagnosis=prepare(float(expected), shared))
    assert (verdict.status, verdict.mistake) == ("incorrect", None)


def test_the_float_checks_never_guess_a_function_they_do_not_know():
    """sin is not among the evaluator's functions: no float value (30 digits decide), not sin's argument."""
    from backprop_cli.checking.floats import float_value

    assert float_value(sympy.sin(x), {x: 1.0}) is None
    assert float_value(sympy.Max(x, 2), {x: 1.0}) == 2.0 and float_value(sympy.Min(x, 2), {x: 1.0}) == 1.0


@pytest.mark.parametrize("thousand", [sympy.Integer(1000), 1000])
def test_the_absolute_floor_grows_with_the_size_of_the_value(thousand):
    """Around 1000 the floor is 1e−12 · 1000 = 1e−9: 1e−9 apart is a repeat, 2e−9 apart is not
    (the same for a plain int, as builders may pass)."""
    from backprop_cli.checking.mistakes import same_value

    nano = sympy.Rational(1, 10**9)
    assert same_value(thousand + nano, thousand) and not same_value(thousand + 2 * nano, thousand)


@pytest.mark.parametrize(("power", "expanded"), [(20, True), (21, False)])
@pytest.mark.parametrize("factor", ["sqrt", "exp2", "exp"])
def test_a_power_that_is_not_whole_counts_one_more_than_its_base_and_exponent(power, factor, expanded):
    """√x counts 2 (x's 1, the exponent's 0, one more), 2^x counts 2 (0, x's 1, one more), and so
    does a function, eˣ (its argument's 1, one more): times (x + 1)²·x^n, n = 20 gives 24 (expanded)
    and n = 21 gives 25 (not)."""
    from backprop_cli.checking.formulas import expands_to_zero

    extra = {"sqrt": sympy.sqrt(x), "exp2": 2**x, "exp": sympy.exp(x)}[factor]
    product = (x + 1) ** 2 * x**power * extra
    assert expands_to_zero(product, (x ** (power + 2) + 2 * x ** (power + 1) + x**power) * extra) is expanded


@pytest.mark.parametrize(("last", "said"), [
    ("bcdef", "the answer is a number: work out a1 + a2 + a3 + a4 + a5 + a6 + a7 + bcdef with the values you know"),
    ("bcdefg", "the answer is a number, not a formula"),  # 41 characters: too long to repeat back
])
def test_a_formula_typed_for_a_number_is_repeated_back_up_to_40_characters(last, said):
    from backprop_cli.checking import check_number

    names = [f"a{i}" for i in range(1, 8)] + [last]
    verdict = check_number(" + ".join(names), sympy.Integer(1), names=names)
    assert (verdict.status, verdict.message) == ("invalid", said)


@pytest.mark.parametrize(("typed", "status"), [("0", "invalid"), ("0.00", "invalid"), ("0.003", "invalid"),
                                               ("0.01", "incorrect")])
def test_zero_for_a_small_value_is_a_rounding_to_complete(typed, status):
    """1/300 = 0.00333…: 0 and 0.00 are it rounded to the places typed (no figures at all), so the
    learner is asked for three figures; 0.01 is not it rounded."""
    from backprop_cli.checking import check_number

    verdict = check_number(typed, sympy.Rational(1, 300))
    assert verdict.status == status
    if status == "invalid":
        assert verdict.message == "that looks rounded: give at least 3 significant figures"


def test_a_single_link_has_no_factor_missing_or_twice():
    from backprop_cli.checking.diagnosis import Link, chain_candidates

    assert chain_candidates([Link("∂ŷ/∂z", 0.25)]) == []


def test_a_whole_number_in_scientific_notation_gets_no_free_looks_rounded():
    """1e0 for exactly 1.23 is within one unit of 1, but written with an exponent it is not a short
    decimal of the answer: simply wrong (1.2e0, a rounding to two figures, is asked again)."""
    from backprop_cli.checking import check_number

    assert check_number("1e0", sympy.Rational(123, 100)).status == "incorrect"
    assert check_number("1.2e0", sympy.Rational(123, 100)).status == "invalid"


def test_the_float_checks_take_zero_to_the_zeroth_power_as_one():
    """As SymPy does (0⁰ = 1); 0 to a negative power is infinite, no number to compare."""
    from backprop_cli.checking.floats import float_value

    y = sympy.Symbol("y", real=True)
    assert float_value(x**y, {x: 0.0, y: 0.0}) == 1.0 and sympy.Integer(0) ** 0 == 1
    assert float_value(x**y, {x: 0.0, y: -1.0}) is None


@pytest.mark.parametrize("not_a_formula", [sympy.Eq(x, 1), sympy.Interval(0, 1), sympy.Matrix([x])])
def test_an_expansion_that_fails_proves_nothing(not_a_formula):
    """A relation, a set or a matrix cannot be subtracted and expanded: not proven equal to x."""
    from backprop_cli.checking.formulas import expands_to_zero

    assert expands_to_zero(not_a_formula, x) is False


def test_the_new_weight_cut_to_places_coarser_than_the_step_is_not_right():
    """w = 1, α·∂L/∂w = 0.0001: the new weight is 0.9999. 0.999 is that cut to three places, but
    it is also 1 − 0.001, the learner forgetting α, and it was marked right. The step must show
    to the places typed: 0.999 is named as the missing rate; 0.9999 is right."""
    from backprop_cli.checking import check_number
    from backprop_cli.checking.diagnosis import UpdateRule, prepare, update_candidates

    old = sympy.Integer(1)
    new = old - sympy.Rational(1, 10) * sympy.Rational(1, 1000)
    rule = prepare(float(new), update_candidates(1.0, 0.1, 0.001, "w"), UpdateRule(old, "w"))
    forgot = check_number("0.999", new, diagnosis=rule)
    assert (forgot.status, forgot.mistake) == ("incorrect", "forgot-rate"), forgot
    assert check_number("0.9999", new, diagnosis=rule).status == "correct"


def test_a_candidate_within_the_answers_own_tenth_of_a_percent_is_dropped():
    """1001 for 1000 is within 0.1% (inclusive): typing it is right, so no slip may be named for it;
    1001.5 is not."""
    from backprop_cli.checking import Candidate
    from backprop_cli.checking.diagnosis import FORMULA, prepare

    assert prepare(1000.0, [Candidate("a", 1001.0, "a slip", FORMULA)]).candidates == ()
    assert [c.name for c in prepare(1000.0, [Candidate("a", 1001.5, "a slip", FORMULA)]).candidates] == ["a"]


def test_values_one_apart_are_two_values_and_a_formula_equal_to_itself_is_one():
    from backprop_cli.checking.mistakes import same_value

    assert not same_value(sympy.Integer(2), sympy.Integer(1)) and not same_value(x + 1, x)
    assert same_value((x + 1) ** 2, x**2 + 2 * x + 1)


def test_within_tolerance_reads_no_figures_from_text_that_is_not_a_decimal():
    from backprop_cli.checking import within_tolerance

    assert within_tolerance(sympy.Integer(1), sympy.Integer(2), "not a number") is False


def test_components_are_marked_by_the_tolerance_rules_unless_asked_to_be_exact():
    from backprop_cli.checking import check_components

    third = sympy.Rational(1, 3)
    assert check_components("0.333, 1", [third, 1], ["a", "b"]).status == "correct"
    exact = check_components("0.333, 1", [third, 1], ["a", "b"], exact=True)
    said = "a: that looks rounded, but this answer is exact: give every digit (or a fraction)"
    assert (exact.status, exact.message) == ("invalid", said)


def test_a_missing_term_is_the_sum_without_that_term():
    """x + 2w at x = 3, w = 1 is 5: without x it is 2, without 2w it is 3."""
    from backprop_cli.checking.diagnosis import formula_candidates

    candidates = formula_candidates(x + 2 * w, {x: 3.0, w: 1.0}, str)
    assert sorted(c.value for c in candidates if c.name == "missing-term") == [2.0, 3.0]


@pytest.mark.parametrize("complex_value", [sympy.I * sympy.sqrt(2), sympy.pi + sympy.sqrt(-2), sympy.log(-2)])
def test_a_complex_value_has_no_decimal(complex_value):
    from backprop_cli.checking.figures import decimal

    assert decimal(complex_value) is None


@pytest.mark.parametrize(("doubled", "expanded"), [(1, True), (2, False)])
def test_a_difference_is_expanded_up_to_60_operations_and_not_beyond(doubled, expanded):
    """(2x + 1)² + … + (x + 18)² against its expansion: the difference counts 60 operations with one
    doubled x (expanded, proven equal) and 61 with two (left to the points)."""
    from backprop_cli.checking.formulas import EXPAND_MAX_OPS, expands_to_zero

    assert EXPAND_MAX_OPS == 60
    squares = sum(((2 * x if k <= doubled else x) + k) ** 2 for k in range(1, 19))
    assert expands_to_zero(squares, sympy.expand(squares)) is expanded


# -- pins from the session-5 run (checking, 150 mutants, seed 0, on the final code) -------------


def test_the_sign_slip_is_named_for_an_answer_of_one():
    """Only a zero answer has no sign or factor-2 slips: −1 for 1 is the flipped sign."""
    verdict = check_expression("-1", sympy.Integer(1), {"x": x})
    assert (verdict.status, verdict.mistake) == ("incorrect", "sign"), verdict


@pytest.mark.parametrize(("typed", "expected", "where", "shown"), [
    # undefined at x = 1: the search goes on to x = 2 (a part that is undefined is skipped, not compared)
    ("1/(x - 1)", x, {"x": 2}, "at x = 2 yours gives 1 but the answer gives 2"),
    # a sum of opposite values is no agreement: −1 against 1 differs at x = 1 (the sign slip is named)
    ("-x", x, {"x": 1}, "the sign is flipped"),
])
def test_the_small_whole_point_is_found_past_undefined_and_opposite_values(typed, expected, where, shown):
    verdict = check_expression(typed, expected, {"x": x})
    assert verdict.status == "incorrect"
    assert {getattr(s, "name", s): v for s, v in verdict.counterexample.items()} == where
    assert shown in verdict.message.lower() or shown in verdict.message, verdict.message


def test_a_random_point_is_its_hundredths_in_floats_too():
    """The float point a formula is first compared at is exactly the exact point made from its
    hundredths (a difference between them would confirm at one point what floats saw at another)."""
    import random

    from backprop_cli.checking.formulas import MAX_POINT_TRIES, _candidate_points

    points = list(_candidate_points([x, w], random.Random(7)))
    assert len(points) == MAX_POINT_TRIES
    for floats, hundredths in points:
        assert floats == {s: h / 100 for s, h in hundredths.items()}
        assert all(10 <= abs(h) <= 300 for h in hundredths.values())


def test_a_difference_is_confirmed_to_thirty_digits():
    from backprop_cli.checking.formulas import POINT_DIGITS, _precise_value

    value = _precise_value(1 / x, {x: sympy.Integer(3)})
    assert POINT_DIGITS == 30 and str(value) == "0." + "3" * 30


def test_the_last_place_typed_is_a_unit():
    from decimal import Decimal

    from backprop_cli.checking.figures import last_place

    assert last_place("0.800") == Decimal("0.001") and last_place("12") == Decimal(1) and last_place("-3.5") == Decimal("0.1")


def test_a_text_that_is_no_decimal_never_looks_rounded():
    from decimal import Decimal

    from backprop_cli.checking.figures import rounds_to_short

    assert rounds_to_short("abc", Decimal(1)) is False and rounds_to_short("1,5", Decimal("1.5")) is False
    assert rounds_to_short("1.2", Decimal("1.23")) is True  # the same answer to two figures
