"""Model-traced diagnosis: the feedback each typed number must get, lesson by lesson and in two
quiz templates, and properties over random networks whose oracles are computed here with SymPy
(never with the generator)."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from backprop_cli import course, notation
from backprop_cli.checking import check_number
from backprop_cli.checking.diagnosis import Candidate, UpdateRule, prepare
from backprop_cli.course import answers, tracing
from backprop_cli.quiz.templates import by_id

R = sympy.Rational


@pytest.fixture(scope="module")
def lessons():
    return {lesson.id: lesson for lesson in (course.load(f) for f in course.lesson_files())}


def question(lesson, qid):
    return next(q for q in lesson.questions if q.id == qid)


# lesson, question, typed, status, mistake (None: no claim), words the feedback must contain
CASES = [
    # derivatives: f(x) = x³ − 3x² + 2x + 1, x0 = 2, Δx = 0.1
    ("derivatives", "f_at_x1", "1", "incorrect", "previous-answer", "previous question"),  # f(2) again
    ("derivatives", "predicted", "0.231", "incorrect", "previous-answer", "question 5"),  # the actual change
    ("derivatives", "slope_at_x0", "4", "incorrect", "factor-2", "twice"),
    ("derivatives", "slope_at_x0", "2", "correct", None, ""),
    # f′(x) typed for f′(2): f′ does depend on x, so only what is true is said
    ("derivatives", "slope_at_x0", "3x^2-6x+2", "invalid", None, "x has no value in this question"),
    # partials
    ("partials", "g_dx", "-6", "incorrect", "sign", "sign is flipped"),
    ("partials", "effect_of_dx", "0.3", "incorrect", "factor-2", "half"),
    # gradients
    ("gradients", "predicted_change", "-2.2", "incorrect", "sign", "sign is flipped"),
    # chain-rule: y = 2x + 3, a number question typed as a formula in x, which has no value there
    ("chain-rule", "dy_dx_value", "2x", "invalid", None, "dy/dx does not depend on x"),
    ("chain-rule", "dy_dx_value", "2*x + 3", "invalid", None, "does not depend on x"),
    ("chain-rule", "dz_dx_at_point", "2", "incorrect", "previous-answer", "dy/dx"),
    # simple-net: x = 2, y = 20, w1 = 2, w2 = 0.5, α = 0.01
    ("simple-net", "dL_dyhat", "-22", "incorrect", "sign-of-term", "ŷ is added, not subtracted"),
    ("simple-net", "loss_value", "81", "incorrect", "half-twice", "½ is used twice"),
    ("simple-net", "dL_dw2", "72", "incorrect", "sign", "∂L/∂ŷ = ŷ − y, not y − ŷ"),
    ("simple-net", "w2_updated", "-0.22", "incorrect", "update-wrong-way", "negative"),  # 0.5 − 0.72: a sign slip
    ("simple-net", "w2_updated", "0.5-0.72", "incorrect", "update-wrong-way", "wrong way"),
    ("simple-net", "w2_updated", "0.5", "incorrect", "old-value", "the step was not taken"),
    ("simple-net", "w2_updated", "0.72", "incorrect", "step-only", "only the change"),
    ("simple-net", "w2_updated", "w2 - w2 + 1.22", "correct", None, ""),
    ("simple-net", "w2_updated", "w2 + 0.72", "correct", None, ""),
    ("simple-net", "loss_after", "107.88", "incorrect", "loss_after:mistake-5", "rounding slip"),
    ("simple-net", "loss_after", "107.763", "correct", None, ""),
    # sigmoid-net: the classic slips of backpropagation through sigmoids
    ("sigmoid-net", "dL_dw3", "-0.171", "incorrect", "missing-factor", "∂ŷ/∂z2 = ŷ·(1 − ŷ) is missing"),
    ("sigmoid-net", "dL_dw3", "-0.0935", "incorrect", "sigma-not-derivative", "σ = ŷ in place of its slope"),
    ("sigmoid-net", "dL_dw3", "-0.0262", "incorrect", "sigma-prime-wrong-node", "not z2·(1 − z2)"),
    ("sigmoid-net", "dL_dw3", "0.0424", "incorrect", "sign", "ŷ − y, not y − ŷ"),
    ("sigmoid-net", "dL_dw3", "-0.112", "incorrect", "dL_dw3:mistake-2", "One more link"),  # the lesson's own first
    ("sigmoid-net", "dL_dz1", "0.0421", "incorrect", "sigma-prime-wrong-node", "not z1·(1 − z1)"),
    ("sigmoid-net", "dL_dz1", "-0.0532", "incorrect", "missing-factor", "∂ŷ/∂z2"),
    ("sigmoid-net", "w3_updated", "0.4958", "incorrect", "update-wrong-way", "negative"),
    ("sigmoid-net", "w3_updated", "0.501", "incorrect", "other-gradient", "∂L/∂w1"),
    ("sigmoid-net", "w3_updated", "0.504", "correct", None, ""),
    ("sigmoid-net", "w3_updated", "0.5", "invalid", "old-value", "give more figures"),  # step below the last figure
    ("sigmoid-net", "w2_updated", "-0.3", "invalid", "old-value", "give more figures"),
    ("sigmoid-net", "w2_updated", "-0.300", "incorrect", "old-value", "the step was not taken"),
    ("sigmoid-net", "w2_updated", "-0.297", "correct", None, ""),
]


@pytest.mark.parametrize(("lesson_id", "qid", "typed", "status", "mistake", "words"), CASES)
def test_each_typed_answer_gets_its_diagnosis(lessons, lesson_id, qid, typed, status, mistake, words):
    lesson = lessons[lesson_id]
    verdict = answers.check(lesson, question(lesson, qid), typed)
    assert (verdict.status, verdict.mistake) == (status, mistake), verdict
    assert words in verdict.message, verdict.message


def test_a_sign_slip_in_the_update_is_not_told_it_added(lessons):
    lesson = lessons["simple-net"]
    verdict = answers.check(lesson, question(lesson, "w2_updated"), "-0.22")
    assert "You added" not in verdict.message


def test_the_rounding_slip_note_gives_the_exact_value_computed(lessons):
    lesson = lessons["simple-net"]
    exact = notation.number(lesson.definitions["new_loss"])
    assert exact == "107.76294432"  # computed by the engine, not typed in the lesson
    verdict = answers.check(lesson, question(lesson, "loss_after"), "107.88")
    assert exact in verdict.message


def test_every_shipped_mistake_listed_is_still_named_first(lessons):
    """A lesson's own mistakes keep precedence over generated ones."""
    for lesson in lessons.values():
        for q in lesson.questions:
            if q.step.ask != "number":
                continue
            for mistake in answers.listed_mistakes(lesson, q):
                verdict = answers.check(lesson, q, notation.plain(mistake.value, 10))
                assert verdict.mistake == mistake.name, (lesson.id, q.id, mistake, verdict)


def test_no_generated_candidate_of_a_shipped_lesson_is_accepted(lessons):
    for lesson in lessons.values():
        for q in lesson.questions:
            if q.step.ask != "number":
                continue
            for candidate in tracing.generated(lesson, q).candidates:
                verdict = answers.check(lesson, q, notation.plain(sympy.Float(candidate.value, 17), 10))
                assert not verdict.correct, (lesson.id, q.id, candidate)


# --- a teacher's lesson: small steps --------------------------------------------------------

TEACHER_NET = """\
version: 1
name: tiny
description: one weight and a bias
inputs: {x: 1}
targets: {y: 1.495}
parameters: {w: 0.8, b: -0.1}
nodes:
  y_hat: w*x + b
loss: (y - y_hat)^2 / 2
learning_rate: 0.001
"""

TEACHER_LESSON = """\
version: 1
id: tiny-steps
title: Small steps
summary: s
order: 60
setup:
  network: tiny.yaml
steps:
  - id: new_w_value
    ask: number
    prompt: new w?
    answer: new_w
    hints: [h]
    explanation: e
  - id: new_b_value
    ask: number
    prompt: new b?
    answer: new_b
    hints: [h]
    explanation: e
"""


@pytest.fixture(scope="module")
def teacher(tmp_path_factory):
    folder = tmp_path_factory.mktemp("teacher")
    (folder / "tiny.yaml").write_text(TEACHER_NET)
    (folder / "tiny.yaml").parent.joinpath("lesson.yaml").write_text(TEACHER_LESSON)
    return course.load(folder / "lesson.yaml")


@pytest.mark.parametrize(
    ("qid", "typed", "status", "mistake"),
    [
        ("new_w_value", "0.800", "invalid", "old-value"),  # 0.800795 cut to 0.800 is the old w: more figures
        ("new_w_value", "0.8", "invalid", "old-value"),
        ("new_w_value", "0.801", "correct", None),
        ("new_w_value", "0.8008", "correct", None),
        ("new_w_value", "0.8007", "correct", None),  # cut to four places
        ("new_w_value", "0.8006", "incorrect", "update-step"),  # within 0.1% of w, but the step is wrong
        ("new_w_value", "0.799205", "incorrect", "update-wrong-way"),
        ("new_b_value", "-0.100", "incorrect", "old-value"),  # −0.099205 is −0.099 to three places
        ("new_b_value", "-0.1", "invalid", "old-value"),  # the step is below the last figure: more figures
        ("new_b_value", "-0.0992", "correct", None),
    ],
)
def test_a_teachers_lesson_judges_updates_on_the_step(teacher, qid, typed, status, mistake):
    assert teacher.detail.updates[0].new == R("0.800795")
    verdict = answers.check(teacher, question(teacher, qid), typed)
    assert (verdict.status, verdict.mistake) == (status, mistake), verdict


# --- two quiz templates ----------------------------------------------------------------------


def test_chain_power_quiz_names_the_dropped_inner_factor():
    template = by_id("chain-power")
    q = next(q for q in (template.make(random.Random(s)) for s in range(2000))
             if q.expected == -294 and "(−2·x − 3)³" in q.prompt)
    x = sympy.Symbol("x")
    z = (-2 * x - 3) ** 3
    assert sympy.diff(z, x).subs(x, 2) == -294  # the oracle: 3·u²·(−2) at u = −7
    cases = {
        "147": ("missing-factor", "du/dx = −2 is missing"),  # 3·u² alone
        str(sympy.diff(z, x).subs(x, 2) * 2 // 3 * 0 + (-2) * (-7) ** 3): ("power-not-differentiated", "u³ itself"),
        "294": ("sign", "sign"),
        "-294": (None, ""),
    }
    for typed, (mistake, words) in cases.items():
        verdict = q.check(typed)
        assert verdict.mistake == mistake and words in verdict.message, (typed, verdict)


def test_update_quiz_traces_the_update_rule():
    template = by_id("update")
    for seed in range(20):
        q = template.make(random.Random(seed))
        w, lr, g = q.given["w"], q.given["α"], q.given["∂L/∂w"]
        new = w - lr * g
        assert q.expected == new
        oracle = {"update-wrong-way": w + lr * g, "forgot-rate": w - g, "old-value": w}
        for name, value in oracle.items():
            if value in (new, *(v for n, v in oracle.items() if n != name)):
                continue
            verdict = q.check(notation.plain(value, 8))
            assert not verdict.correct
            assert verdict.mistake == name, (seed, name, verdict)


# --- properties --------------------------------------------------------------------------


decimals = st.integers(-300, 300).map(lambda k: R(k, 100))


@settings(max_examples=200, deadline=None)
@given(old=decimals, lr=st.sampled_from([R(1, 1000), R(1, 100), R(1, 10), R(1, 2)]), g=decimals,
       places=st.integers(1, 6))
def test_the_update_rule_judges_the_step(old, lr, g, places):
    assume(g != 0)
    new = old - lr * g
    rule = UpdateRule(old, "w")
    diagnosis = prepare(float(new), [], rule)

    typed_old = f"{float(old):.{max(places, 2)}f}"  # the old value exactly
    assert not check_number(typed_old, new, diagnosis=diagnosis).correct  # the old value never passes
    assert check_number(str(sympy.Float(new, 20)), new, diagnosis=diagnosis).correct
    rounded = sympy.Float(new, 20).round(places)
    typed_new = f"{float(rounded):.{places}f}"
    old_there = f"{float(sympy.Float(old, 20).round(places)):.{places}f}"
    verdict = check_number(typed_new, new, diagnosis=diagnosis)
    if verdict.correct and R(typed_new) != new:
        # a rounding of the new value passes only where the step shows: it is not also the old value's
        assert typed_new != old_there, (typed_new, old, new)
    off = f"{float(rounded) + 3 * 10 ** -places:.{places}f}"  # three units away in the last place ...
    if 3 * 10**-places > 0.0011 * abs(float(new - old)):  # ... and more than 0.1% of the step
        assert not check_number(off, new, diagnosis=diagnosis).correct


@settings(max_examples=100, deadline=None)
@given(value=st.floats(0.01, 100), answer=st.floats(0.01, 100), tier=st.integers(1, 4))
def test_no_explanation_is_claimed_when_two_candidates_coincide(value, answer, tier):
    assume(abs(value - answer) > 0.01 * answer)
    both = [Candidate("one", value, "one story", tier), Candidate("two", value, "another story", tier)]
    diagnosis = prepare(answer, both)
    typed = f"{value:.16e}"  # every figure: repr(10.0) is "10.0", three figures, which 10.1 rounds to
    verdict = check_number(typed, sympy.Float(answer, 17), diagnosis=diagnosis)
    assert verdict.status == "incorrect" and verdict.mistake is None
    alone = prepare(answer, both[:1])
    assert check_number(typed, sympy.Float(answer, 17), diagnosis=alone).mistake == "one"


def _random_lesson(tmp_path: Path, text: str, parameter: str) -> Path:
    (tmp_path / "net.yaml").write_text("version: 1\n" + text + "learning_rate: 0.1\n")
    lesson = f"""\
version: 1
id: random-net
title: Random
summary: s
order: 70
setup:
  network: net.yaml
steps:
  - id: grad
    ask: number
    prompt: gradient?
    answer: d_loss_d_{parameter}
    hints: [h]
    explanation: e
  - id: upd
    ask: number
    prompt: new value?
    answer: {parameter} - lr * grad
    hints: [h]
    explanation: e
"""
    path = tmp_path / "lesson.yaml"
    path.write_text(lesson)
    return path


def _networks():
    from tests.test_engine import random_networks

    return random_networks(max_width=1)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(case=st.deferred(_networks), data=st.data())
def test_random_networks_generated_mistakes_are_never_correct_and_are_named(tmp_path, case, data):
    text, full, leaves, relu_inputs, sym = case
    point = {sym[k]: v for k, v in leaves.items()}
    assume(all(full[z].subs(point) != 0 for z in relu_inputs))  # SymPy and the engine differ at a kink
    parameters = sorted(n for n in leaves if n.startswith(("w", "b", "s")))
    parameter = data.draw(st.sampled_from(parameters))
    lesson = course.load(_random_lesson(tmp_path, text, parameter))
    # the oracle: SymPy's own derivative of the test's own formula, at the leaves
    from backprop_cli.network.graph import LOSS

    g = sympy.diff(full[LOSS], sym[parameter]).subs(point)
    g = sympy.nsimplify(sympy.N(g, 30), rational=True) if not g.is_Rational else g
    assume(abs(float(g)) > 1e-6)
    old, lr = leaves[parameter], R(1, 10)
    new = old - lr * g
    for q in lesson.questions:
        for candidate in tracing.diagnosis(lesson, q, []).candidates:
            # the candidate's own value, in full: a coarser rounding may fit the answer as well
            verdict = answers.check(lesson, q, notation.plain(sympy.Float(candidate.value, 17), 17))
            assert not verdict.correct, (q.id, candidate, verdict)
    upd = question(lesson, "upd")
    slips = [("update-wrong-way", old + lr * g), ("forgot-rate", old - g), ("forgot-rate", old + g),
             ("step-only", -lr * g), ("step-only", lr * g)]
    for other in parameters:  # another parameter's gradient, also by SymPy
        if other != parameter:
            slips.append(("other-gradient", old - lr * sympy.diff(full[LOSS], sym[other]).subs(point)))
    for i, (name, value) in enumerate(slips):
        others = [v for k, (_, v) in enumerate(slips) if k != i] + [old]
        # the answer's own rule for an update: within 0.1% of the step (of the value, if smaller)
        allowance = 0.0011 * min(abs(float(value - old)), abs(float(value))) + 1e-12
        if any(abs(float(value - v)) <= max(allowance, 1e-6 * max(1, abs(float(v)))) for v in others):
            continue  # two stories fit this number: nothing to name
        if abs(float(value - new)) <= 0.0011 * abs(float(new - old)):
            continue  # it also fits the answer (0.1% of the step)
        verdict = answers.check(lesson, upd, notation.plain(sympy.N(value, 30), 12))
        assert not verdict.correct and verdict.mistake == name, (name, value, verdict)


# --- names that cancel, typed where a number is asked ---------------------------------------

GIVEN_NAMES = ["w1", "w2", "x", "y", "lr"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(GIVEN_NAMES), pattern=st.sampled_from(["{n} - {n} + {v}", "{v} + 0*{n}", "({n} - {n})*3 + {v}",
                                                                    "{v} - {n} + {n}"]),
       qid=st.sampled_from(["w2_updated", "w1_updated", "loss_value", "dL_dw2"]))
def test_fuzz_names_that_cancel_are_evaluated_and_never_end_the_lesson(lessons, name, pattern, qid):
    lesson = lessons["simple-net"]
    q = question(lesson, qid)
    text = pattern.format(n=name, v=answers.typed(q))
    verdict = answers.check(lesson, q, text)
    assert verdict.correct, (text, verdict)
    answers.learner_value(q, text)  # once raised "unknown name 'w2'" and ended the lesson
    wrong = pattern.format(n=name, v=notation.plain(q.expected * 3 + 1, 10))
    assert answers.check(lesson, q, wrong).status == "incorrect"


def test_a_lesson_answered_with_names_that_cancel_runs_to_its_end(lessons):
    from backprop_cli.interaction import Feedback, Finished, Transcript
    from backprop_cli.progress import Store
    from backprop_cli.session import LessonSession

    lesson = lessons["simple-net"]
    store = Store()
    progress, _ = store.load()
    session = LessonSession(lesson, store, progress)
    lines = [f"w2 - w2 + {answers.typed(q)}" if q.step.ask == "number" else answers.typed(q)
             for q in lesson.questions]
    events = Transcript().run(session, lines)
    assert session.finished and [e for e in events if isinstance(e, Finished)]
    assert all(e.status == "correct" for e in events if isinstance(e, Feedback))


def test_a_teachers_lesson_over_engine_names_gets_the_same_diagnosis(tmp_path):
    """No mistakes listed, answers named by the engine (d_loss_d_w3, new_w2): the generator alone."""
    path = tmp_path / "engine-names.yaml"
    path.write_text("""\
version: 1
id: engine-names
title: Engine names
summary: s
order: 61
setup:
  network: sigmoid
steps:
  - id: g3
    ask: number
    prompt: "∂L/∂w3?"
    answer: d_loss_d_w3
    hints: [h]
    explanation: e
  - id: local
    ask: number
    prompt: "∂ŷ/∂z2?"
    answer: d_y_hat_d_z2
    hints: [h]
    explanation: e
  - id: w2_new
    ask: number
    prompt: new w2?
    answer: new_w2
    hints: [h]
    explanation: e
""")
    lesson = course.load(path)
    cases = [
        ("g3", "-0.171", "missing-factor", "∂ŷ/∂z2 = ŷ·(1 − ŷ) is missing"),
        ("g3", "-0.112", "missing-factor", "∂z2/∂w3 = h1 is missing"),
        ("g3", "0.0424", "sign", "ŷ − y, not y − ŷ"),
        ("local", "0.547", "sigma-not-derivative", "σ = ŷ"),
        ("local", "0.153", "sigma-prime-wrong-node", "not z2·(1 − z2)"),
        ("w2_new", "-0.3026", "update-wrong-way", "wrong way"),
    ]
    for qid, typed, mistake, words in cases:
        verdict = answers.check(lesson, question(lesson, qid), typed)
        assert verdict.mistake == mistake and words in verdict.message, (qid, typed, verdict)


# The input a weight multiplies: ∂z1/∂w1 = x1. A learner who takes x2 instead is told so, except
# where that number is also another slip's (with the source's numbers x2/x1 = 2 and w3 = 0.5, so
# "x2 for x1" in ∂L/∂w1 equals "w3 missing"): then neither is claimed.

def _input_slip(lesson, qid: str, used: str) -> float:
    """The oracle: ∂L/∂z1 (worked by hand from the forward values) times the wrong input."""
    v = {k: float(x) for k, x in lesson.network.leaves().items()}
    def sig(z: float) -> float:
        return 1 / (1 + math.exp(-z))

    h1 = sig(v["w1"] * v["x1"] + v["w2"] * v["x2"])
    y_hat = sig(v["w3"] * h1)
    d_z1 = (y_hat - v["y"]) * y_hat * (1 - y_hat) * v["w3"] * h1 * (1 - h1)
    return d_z1 * v[used]


def test_the_other_input_is_not_claimed_where_it_coincides_with_a_missing_factor(lessons):
    lesson = lessons["sigmoid-net"]
    slip = _input_slip(lesson, "dL_dw1", "x2")
    verdict = answers.check(lesson, question(lesson, "dL_dw1"), notation.plain(slip, 4))
    assert verdict.status == "incorrect" and verdict.mistake is None, verdict  # "w3 missing" was claimed here


@pytest.mark.parametrize(("qid", "used", "own"), [("dL_dw1", "x2", "x1"), ("dL_dw2", "x1", "x2")])
def test_the_other_input_is_named_with_fresh_numbers(qid, used, own):
    lesson = course.load(course.lesson_files()[5], seed=4)
    slip = _input_slip(lesson, qid, used)
    verdict = answers.check(lesson, question(lesson, qid), notation.plain(slip, 5))
    assert (verdict.status, verdict.mistake) == ("incorrect", "other-input"), verdict
    assert f"That uses {used}" in verdict.message and f"= {own}, the input" in verdict.message
