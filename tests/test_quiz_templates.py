"""Every quiz template, over many seeds: its answer agrees with an independent route (SymPy
differentiating the function the prompt states, a finite difference, the arithmetic written out, a
hand-written gradient descent), wrong answers are wrong, and the same seed gives the same question.

The templates' own filters (the answer's range and figures, mistakes far from the answer and named
by the checker) are not restated here: they run inside ``Template.make``."""

from __future__ import annotations

import math
import random
import re
from fractions import Fraction

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backprop_cli import notation
from backprop_cli.checking import significant_figures
from backprop_cli.expressions import symbol
from backprop_cli.quiz import TOPICS
from backprop_cli.quiz.question import Redraw
from backprop_cli.quiz.templates import TEMPLATES, by_id, for_topics
from backprop_cli.quiz.topics.descent import LR_STEPS

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ALL = pytest.mark.parametrize("template", TEMPLATES, ids=[t.id for t in TEMPLATES])


def components(q):
    if q.kind == "number":
        return (q.expected,)
    if q.kind == "numbers":
        return tuple(q.expected)
    return ()


def wrong_value(e):
    """The brief's wrong answer, expected × 1.5 + 1 — except where that lands on the answer (e = −2)."""
    wrong = e * sympy.Rational(3, 2) + 1
    if e.is_number and abs(float(wrong - e)) <= 0.01 * abs(float(e)):
        wrong = e * sympy.Rational(3, 2) - 1
    return wrong


def test_at_least_twelve_templates_cover_every_topic():
    assert len(TEMPLATES) >= 12
    assert {t.topic for t in TEMPLATES} == set(TOPICS)
    assert len({t.id for t in TEMPLATES}) == len(TEMPLATES)
    assert [t.topic for t in for_topics(["gradient-descent", "derivatives"])] == \
        ["derivatives", "derivatives", "gradient-descent", "gradient-descent", "gradient-descent"]


@ALL
@SETTINGS
@given(seed=st.integers())
def test_expected_answer_is_accepted_and_the_question_is_complete(template, seed):
    q = template.make(random.Random(seed))
    assert q.topic == template.topic and q.template == template.id
    verdict = q.check(q.typed(q.expected))
    assert verdict.correct, (q.prompt, q.typed(q.expected), verdict)
    assert 1 <= len(q.hints) <= 3 and all(h.strip() for h in q.hints)
    assert q.explanation.strip() and q.prompt.strip()
    for value in components(q):
        if not q.exact:  # a learner never needs more than 4 figures
            assert q.check(notation.plain(value, 4)).correct, (value, notation.plain(value, 4))
    for name, value in q.given.items():
        assert abs(value) < 1000 and (significant_figures(value) or 99) <= 4, (name, value)
    if q.kind == "choice":
        assert 2 <= len(q.options) <= 5 and 0 <= q.expected < len(q.options)


@ALL
@SETTINGS
@given(seed=st.integers())
def test_wrong_answers_and_generated_candidates_are_not_accepted(template, seed):
    q = template.make(random.Random(seed))
    if q.kind == "choice":
        for i in range(len(q.options)):
            if i != q.expected:
                assert q.check(q.typed(i)).status == "incorrect"
        return
    if q.kind == "numbers":
        wrong = tuple(wrong_value(v) for v in q.expected)
    else:
        wrong = wrong_value(q.expected)
    verdict = q.check(q.typed(wrong))
    assert verdict.status == "incorrect", (q.prompt, q.typed(wrong), verdict)
    for candidate in q.diagnosis.candidates if q.diagnosis else ():  # generated: never marked correct
        verdict = q.check(q.typed(candidate.value))
        assert not verdict.correct, (candidate, verdict)


@ALL
def test_same_seed_same_question_and_seeds_vary(template):
    a, b = template.make(random.Random(42)), template.make(random.Random(42))
    assert (a.prompt, a.expected, a.options, a.hints, a.explanation) == (b.prompt, b.expected, b.options, b.hints, b.explanation)
    prompts = {template.make(random.Random(seed)).prompt for seed in range(8)}
    assert len(prompts) >= 4


@ALL
def test_ranges_rarely_need_a_redraw_and_mistakes_survive(template):
    """The ranges are chosen, not filtered: most draws are usable as they come."""
    redraws, mistakes = 0, 0
    for seed in range(30):
        rng = random.Random(seed)
        while True:
            try:
                template.build(rng)
                break
            except Redraw:
                redraws += 1
        made = template.make(random.Random(seed))
        mistakes += len(made.mistakes) + len(made.diagnosis.candidates if made.diagnosis else ())
    assert redraws <= 30
    if template.id not in ("loss-direction", "learning-rate"):  # choices have no numeric mistakes
        assert mistakes >= 30, "most questions should name at least one likely mistake"


def test_choices_are_not_always_the_same_option():
    for template_id in ("loss-direction", "learning-rate"):
        answers = {by_id(template_id).make(random.Random(seed)).expected for seed in range(30)}
        assert len(answers) >= 2, template_id


# ---------------------------------------------------------------- independent checks of the network answers


def _number(text: str) -> float:
    return float(text.replace("−", "-"))


def _values(q) -> dict[str, float]:
    return {k: float(v) for k, v in q.given.items()}


def _simple_loss(v, w1, w2):
    return (v["y"] - v["x"] * w1 * w2) ** 2 / 2


@settings(max_examples=50, deadline=None)
@given(seed=st.integers())
def test_weight_gradient_matches_finite_differences(seed):
    q = by_id("weight-gradient").make(random.Random(seed))
    v = _values(q)
    parameter = re.search(r"∂L/∂(w[12])", q.prompt).group(1)
    h = 1e-6
    plus, minus = dict(v), dict(v)
    plus[parameter] += h
    minus[parameter] -= h
    numeric = (_simple_loss(v, plus["w1"], plus["w2"]) - _simple_loss(v, minus["w1"], minus["w2"])) / (2 * h)
    assert math.isclose(float(q.expected), numeric, rel_tol=1e-6, abs_tol=1e-6)


def _sigmoid(z):
    return 1 / (1 + math.exp(-z))


def _sigmoid_loss(v, w3):
    h1 = _sigmoid(v["w1"] * v["x1"] + v["w2"] * v["x2"])
    return (v["y"] - _sigmoid(w3 * h1)) ** 2 / 2


@settings(max_examples=50, deadline=None)
@given(seed=st.integers())
def test_sigmoid_w3_gradient_matches_finite_differences(seed):
    q = by_id("sigmoid-w3-gradient").make(random.Random(seed))
    v = _values(q)
    h = 1e-6
    numeric = (_sigmoid_loss(v, v["w3"] + h) - _sigmoid_loss(v, v["w3"] - h)) / (2 * h)
    assert math.isclose(float(q.expected), numeric, rel_tol=1e-5)


def _descend(v, lr, steps):
    w1, w2 = v["w1"], v["w2"]
    for _ in range(steps):
        error = v["x"] * w1 * w2 - v["y"]
        w1, w2 = w1 - lr * error * w2 * v["x"], w2 - lr * error * w1 * v["x"]
    return _simple_loss(v, w1, w2)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers())
def test_learning_rate_answer_is_the_one_rate_that_makes_the_loss_grow(seed):
    q = by_id("learning-rate").make(random.Random(seed))
    v = _values(q)
    before = _simple_loss(v, v["w1"], v["w2"])
    for i, option in enumerate(q.options):
        lr = _number(option.split("=")[1])
        try:
            after = _descend(v, lr, LR_STEPS)
        except OverflowError:
            after = math.inf
        grows = not math.isfinite(after) or after > before
        assert grows == (i == q.expected), (option, before, after)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers())
def test_new_loss_matches_a_hand_written_step(seed):
    q = by_id("new-loss").make(random.Random(seed))
    v = _values(q)
    assert math.isclose(float(q.expected), _descend(v, v["α"], 1), rel_tol=1e-9)
    assert float(q.expected) < _simple_loss(v, v["w1"], v["w2"])


@settings(max_examples=50, deadline=None)
@given(seed=st.integers())
def test_loss_direction_agrees_with_a_real_nudge(seed):
    q = by_id("loss-direction").make(random.Random(seed))
    v = _values(q)
    parameter = re.search(r"\*\*(w[12])\*\*", q.prompt).group(1)
    nudged = dict(v)
    nudged[parameter] += 0.01
    rises = _simple_loss(nudged, nudged["w1"], nudged["w2"]) > _simple_loss(v, v["w1"], v["w2"])
    assert q.options[q.expected] == ("The loss rises." if rises else "The loss falls.")


def test_source_style_question_reads_well():
    """One question shown in full: numbers with real minus signs, formulas in learner notation."""
    q = by_id("weight-gradient").make(random.Random(3))
    assert "·" in q.prompt and "*" not in q.prompt.replace("**", "")
    assert "ŷ" in q.prompt and "y_hat" not in q.prompt
    assert "-" not in q.prompt.replace("2-weight", "")  # real minus signs only


def test_substituted_terms_keep_the_order_of_the_formula_above_them():
    """The explanation writes ∂f/∂y = 2·x²·y + 2·y then its numbers: they must read x first, as the
    formula does (SymPy's own order gave 2·2·(−3)², the y value first, under 2·x²·y)."""
    from backprop_cli.quiz.drawing import X, Y, _terms

    terms = [2 * X**2 * Y, -6 * X * Y**2, 2 * Y]
    point = {"x": sympy.Integer(-3), "y": sympy.Integer(2)}
    assert _terms(terms) == "2·x²·y − 6·x·y² + 2·y"
    assert _terms(terms, point) == "2·(−3)²·2 − 6·(−3)·(2)² + 2·2"


@pytest.mark.parametrize("seed", range(40))
def test_chain_formula_answer_is_written_as_the_explanation_derives_it(seed):
    """The revealed answer and the worked answer show one form, y substituted as the prompt wrote it
    (they showed 8·x + 4 and 4·(2·x + 1) for y = −2·x − 1), and that form is right."""
    q = by_id("chain-symbolic").make(random.Random(seed))
    inner = re.search(r"Let y = (.+?) and", q.prompt).group(1)
    assert f"({inner})" in q.answer_text
    assert f"**{q.answer_text}**" in q.explanation
    assert q.check(q.answer_text).correct  # typed back as shown (· and − are accepted)


# ---------------------------------------------------------------- independent oracles for the other templates
# Each reads the function and the numbers from the prompt the learner sees (the package's safe parser
# reads the formula; nothing else of the template is used) and computes the answer another way: SymPy
# differentiating the stated function, a finite difference, or the arithmetic written out by hand.

ORACLE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NUMBER = r"(−?\d+(?:\.\d+)?)"


def _exact(text: str) -> sympy.Rational:
    """A number as the prompt writes it (real minus sign, decimal point), exactly."""
    return sympy.Rational(Fraction(text.replace("−", "-")))


def _formula(text: str, names=("x", "y")) -> sympy.Expr:
    from backprop_cli.expressions import parse

    return parse(text, list(names)).expr


def _find(pattern: str, text: str) -> tuple[str, ...]:
    match = re.search(pattern, text)
    assert match, (pattern, text)
    return match.groups()


def _same(q, oracle) -> None:
    """The template's answer is the oracle's, and the checker accepts the oracle's value."""
    if q.kind == "numbers":
        assert len(q.expected) == len(oracle)
        for got, want in zip(q.expected, oracle):
            assert sympy.simplify(got - want) == 0, (q.prompt, q.expected, oracle)
        assert q.check(", ".join(str(v) for v in oracle)).correct
    elif q.kind == "expression":
        assert sympy.expand(q.expected - oracle) == 0, (q.prompt, q.expected, oracle)
        assert q.check(sympy.sstr(oracle)).correct, (q.prompt, oracle)
    else:
        assert sympy.simplify(q.expected - oracle) == 0, (q.prompt, q.expected, oracle)
        assert q.check(str(oracle)).correct, (q.prompt, oracle)


def _make(template_id: str, seed: int):
    return by_id(template_id).make(random.Random(seed))


@ORACLE
@given(seed=st.integers())
def test_derivative_at_point_is_sympys_derivative_of_the_stated_f(seed):
    q = _make("derivative-at-point", seed)
    (f_text,) = _find(r"Let f\(x\) = (.+)\.\n", q.prompt)
    (x0,) = _find(r"at x = " + NUMBER + ", that is", q.prompt)
    x = symbol("x")
    _same(q, sympy.diff(_formula(f_text), x).subs(x, _exact(x0)))


@ORACLE
@given(seed=st.integers())
def test_linear_approximation_is_the_derivative_times_the_move(seed):
    q = _make("linear-approximation", seed)
    (f_text,) = _find(r"Let f\(x\) = (.+)\.\n", q.prompt)
    x0, x1, dx = _find(rf"x moves from {NUMBER} to {NUMBER} \(Δx = {NUMBER}\)", q.prompt)
    x = symbol("x")
    assert _exact(x1) - _exact(x0) == _exact(dx)
    f = _formula(f_text)
    predicted = sympy.diff(f, x).subs(x, _exact(x0)) * _exact(dx)
    _same(q, predicted)


def _two_variable_function(q) -> sympy.Expr:
    (f_text,) = _find(r"Let f\(x, y\) = ([^.,]+(?:\.\d[^.,]*)*)[.,]", q.prompt)
    return _formula(f_text)


def _point(q) -> dict:
    x0, y0 = _find(rf"\(x = {NUMBER}, y = {NUMBER}\)", q.prompt)
    return {symbol("x"): _exact(x0), symbol("y"): _exact(y0)}


@ORACLE
@given(seed=st.integers())
def test_partial_symbolic_is_sympys_partial_of_the_stated_f(seed):
    q = _make("partial-symbolic", seed)
    (var,) = _find(r"\*\*∂f/∂([xy])\*\*", q.prompt)
    _same(q, sympy.diff(_two_variable_function(q), symbol(var)))


@ORACLE
@given(seed=st.integers())
def test_partial_at_point_is_sympys_partial_at_the_stated_point(seed):
    q = _make("partial-at-point", seed)
    (var,) = _find(r"\*\*∂f/∂([xy])\*\*", q.prompt)
    _same(q, sympy.diff(_two_variable_function(q), symbol(var)).subs(_point(q)))


@ORACLE
@given(seed=st.integers())
def test_gradient_components_are_both_partials_in_order(seed):
    q = _make("gradient-components", seed)
    f, point = _two_variable_function(q), _point(q)
    _same(q, tuple(sympy.diff(f, symbol(v)).subs(point) for v in ("x", "y")))


@ORACLE
@given(seed=st.integers())
def test_gradient_approximation_is_the_gradient_dotted_with_the_move(seed):
    q = _make("gradient-approximation", seed)
    f, point = _two_variable_function(q), _point(q)
    dx, dy = _find(rf"Δx = {NUMBER} and y by Δy = {NUMBER}", q.prompt)
    x, y = symbol("x"), symbol("y")
    _same(q, sympy.diff(f, x).subs(point) * _exact(dx) + sympy.diff(f, y).subs(point) * _exact(dy))


def _central_difference(f, x0: float, h: float = 1e-6) -> float:
    return (f(x0 + h) - f(x0 - h)) / (2 * h)


@ORACLE
@given(seed=st.integers())
def test_chain_power_matches_sympy_and_a_finite_difference(seed):
    q = _make("chain-power", seed)
    (z_text,) = _find(r"Let z = (.+?): think of it", q.prompt)
    (x0,) = _find(rf"at x = {NUMBER}\?", q.prompt)
    x = symbol("x")
    z = _formula(z_text)
    _same(q, sympy.diff(z, x).subs(x, _exact(x0)))
    numeric = _central_difference(sympy.lambdify(x, z), float(_exact(x0)), 1e-5)
    assert math.isclose(float(q.expected), numeric, rel_tol=1e-6), (q.prompt, numeric)


@ORACLE
@given(seed=st.integers())
def test_chain_symbolic_is_sympys_derivative_of_the_composition(seed):
    q = _make("chain-symbolic", seed)
    y_text, z_text = _find(r"Let y = (.+) and z = (.+)\.\n", q.prompt)
    x, y = symbol("x"), symbol("y")
    composed = _formula(z_text, ("y",)).subs(y, _formula(y_text, ("x",)))
    _same(q, sympy.diff(composed, x))


@ORACLE
@given(seed=st.integers())
def test_loss_output_gradient_is_sympys_derivative_of_the_stated_loss(seed):
    q = _make("loss-output-gradient", seed)
    assert "L = (y − ŷ)²/2" in q.prompt
    y_hat, y = _find(rf"predicts ŷ = {NUMBER} for the target y = {NUMBER}\.", q.prompt)
    p, t = sympy.symbols("p t")
    _same(q, sympy.diff((t - p) ** 2 / 2, p).subs({p: _exact(y_hat), t: _exact(y)}))


@ORACLE
@given(seed=st.integers())
def test_sigmoid_derivative_matches_a_finite_difference_at_the_implied_z(seed):
    q = _make("sigmoid-derivative", seed)
    (s,) = _find(rf" = σ\(\w+\) = {NUMBER}\.", q.prompt)
    s = float(_exact(s))
    z = math.log(s / (1 - s))  # σ(z) = s
    numeric = _central_difference(lambda v: 1 / (1 + math.exp(-v)), z)
    assert math.isclose(float(q.expected), numeric, rel_tol=1e-7), (q.prompt, numeric)
    assert q.check(f"{numeric:.6f}").correct


@ORACLE
@given(seed=st.integers())
def test_update_is_the_step_written_out(seed):
    q = _make("update", seed)
    w, g, lr = _find(rf"w = {NUMBER} has gradient ∂L/∂w = {NUMBER}\. With learning rate α = {NUMBER},", q.prompt)
    new = Fraction(w.replace("−", "-")) - Fraction(lr.replace("−", "-")) * Fraction(g.replace("−", "-"))
    _same(q, sympy.Rational(new))


# A formula typed at a number question is evaluated at the question's own point: a learner who types
# the derivative they found (as SymPy writes it, the oracle) is right; a name the question does not
# give is refused with one line, never taken for a wrong number.

def _typed_formula(expr) -> str:
    return str(expr).replace("**", "^")


@ORACLE
@given(seed=st.integers())
def test_the_derivative_typed_as_a_formula_is_evaluated_at_the_point(seed):
    q = _make("derivative-at-point", seed)
    (f_text,) = _find(r"Let f\(x\) = (.+)\.\n", q.prompt)
    derivative = sympy.diff(_formula(f_text), symbol("x"))
    assert q.check(_typed_formula(derivative)).correct, (q.prompt, derivative)
    assert q.check(_typed_formula(derivative + 1)).status == "incorrect"
    refused = q.check(_typed_formula(derivative) + " + z")
    assert refused.status == "invalid" and "unknown name 'z'" in refused.message


@ORACLE
@given(seed=st.integers())
def test_a_partial_typed_as_a_formula_is_evaluated_at_the_point(seed):
    q = _make("partial-at-point", seed)
    (var,) = _find(r"\*\*∂f/∂([xy])\*\*", q.prompt)
    partial = sympy.diff(_two_variable_function(q), symbol(var))
    assert q.check(_typed_formula(partial)).correct, (q.prompt, partial)
    run_together = _typed_formula(partial).replace("*", "")  # 8xy^2 as a learner writes it
    assert q.check(run_together).correct, (q.prompt, run_together)


def test_only_names_a_learner_can_type_are_offered_to_the_checker():
    q = _make("update", 0)
    assert set(q.given) == {"w", "α", "∂L/∂w"} and set(q.given_names) == {"w"}
    assert q.check(f"w - w + {q.typed(q.expected)}").correct


def test_a_slope_of_one_is_said_in_words_not_as_one_times():
    seen = 0
    for seed in range(400):
        q = _make("derivative-at-point", seed)
        assert " 1 times" not in q.explanation, q.explanation
        if abs(q.expected) == 1:
            seen += 1
            assert "at about the same rate as x" in q.explanation
    assert seen  # the draw does reach a slope of ±1
