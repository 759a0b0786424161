"""Every quiz template, over many seeds: its answer passes its own checker, its numbers stay sensible,
wrong answers are wrong, listed mistakes are named, and the network answers agree with an
independent calculation (finite differences, a hand-written gradient descent)."""

from __future__ import annotations

import math
import random
import re

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backprop_cli import notation
from backprop_cli.checking import significant_figures
from backprop_cli.quiz import TOPICS
from backprop_cli.quiz.question import DISTINCT, LARGEST, MAX_EXACT_FIGURES, SMALLEST, Redraw
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
def test_expected_answer_is_correct_and_sensible(template, seed):
    q = template.make(random.Random(seed))
    assert q.topic == template.topic and q.template == template.id
    verdict = q.check(q.typed(q.expected))
    assert verdict.correct, (q.prompt, q.typed(q.expected), verdict)
    assert 1 <= len(q.hints) <= 3 and all(h.strip() for h in q.hints)
    assert q.explanation.strip() and q.prompt.strip()
    for value in components(q):
        f = float(sympy.N(value))
        assert float(SMALLEST) <= abs(f) < LARGEST, (q.prompt, value)
        if q.exact:
            assert (significant_figures(value) or 99) <= MAX_EXACT_FIGURES, value
        else:  # a learner never needs more than 4 figures
            assert q.check(notation.plain(value, 4)).correct, (value, notation.plain(value, 4))
    for name, value in q.given.items():
        assert abs(value) < 1000 and (significant_figures(value) or 99) <= 4, (name, value)
    if q.kind == "choice":
        assert 2 <= len(q.options) <= 5 and 0 <= q.expected < len(q.options)


@ALL
@SETTINGS
@given(seed=st.integers())
def test_wrong_answers_and_listed_mistakes_are_marked_incorrect(template, seed):
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
    for mistake in q.mistakes:
        if q.kind == "number":  # never (nearly) the answer, or a rounding of it would be "explained"
            m, e = float(sympy.N(mistake.value)), float(sympy.N(q.expected))
            assert abs(m - e) > DISTINCT * max(abs(m), abs(e)), (mistake, q.expected)
        verdict = q.check(q.typed(mistake.value))
        assert verdict.status == "incorrect", (mistake, verdict)
        assert verdict.mistake == mistake.name and verdict.message == mistake.feedback, (mistake, verdict)
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
