"""The guided-lesson state machine, driven line by line without a terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from backprop_cli import course
from backprop_cli.interaction import Ask, Feedback, Finished, Hint, Reveal, Say, Show, Transcript
from backprop_cli.progress import Store
from backprop_cli.session import LessonSession

MINI = Path(__file__).parent / "data" / "mini-net.yaml"


@pytest.fixture(scope="module")
def lesson():
    return course.load(MINI)


def new_session(lesson, store=None, **kw):
    store = store or Store()
    progress, warnings = store.load()
    assert warnings == []
    return LessonSession(lesson, store, progress, **kw), store


def of(events, kind):
    return [e for e in events if isinstance(e, kind)]


def test_right_answers_finish_and_save(lesson):
    session, store = new_session(lesson)
    events = Transcript().run(session, ["-18", "4", "-72", "x*w2", "b"])
    assert session.finished
    assert [f.status for f in of(events, Feedback)] == ["correct"] * 5
    finished = of(events, Finished)[0]
    assert "5 of 5" in finished.summary
    saved, _ = store.load()
    record = saved.lessons["mini-net"]
    assert record.status == "done"
    assert all(q.correct and q.attempts == 1 for q in record.questions.values())
    assert saved.last_lesson == "mini-net"


def test_text_interpolates_computed_values_and_shows_network(lesson):
    session, _ = new_session(lesson)
    events = session.start()
    says = [e.text for e in of(events, Say)]
    assert any("The prediction is 2 and the target is 20." in t for t in says)
    assert [e.what for e in of(events, Show)] == ["forward"]
    assert isinstance(events[-1], Ask) and events[-1].label.startswith("Question 1 of 5")


def test_wrong_answer_named_mistake_and_nudge(lesson):
    session, store = new_session(lesson)
    session.start()
    first = session.answer("18")  # the sign flipped: recognised by the checker
    assert first[0].status == "incorrect" and first[0].message
    second = session.answer("-9")  # the factor of 2 (the ½ of the loss)
    assert second[0].status == "incorrect"
    assert any(isinstance(e, Say) and "hint" in e.text for e in second)
    saved, _ = store.load()
    assert saved.lessons["mini-net"].questions["dL_dyhat"].attempts == 2
    assert not saved.lessons["mini-net"].questions["dL_dyhat"].correct


def test_invalid_input_costs_nothing(lesson):
    session, _ = new_session(lesson)
    session.start()
    for text in ["", "banana", "__import__('os')", "9**9**9**9", "x" * 5000]:
        events = session.answer(text)
        assert events and events[0].status == "invalid", text
    assert session.record.questions.get("dL_dyhat") is None or session.record.questions["dL_dyhat"].attempts == 0


def test_hints_one_at_a_time_then_none_left(lesson):
    session, _ = new_session(lesson)
    session.start()
    h1 = session.answer("hint")
    h2 = session.answer("hint")
    h3 = session.answer("hint")
    assert isinstance(h1[0], Hint) and h1[0].number == 1 and h1[0].total == 2
    assert isinstance(h2[0], Hint) and h2[0].number == 2 and "ŷ − y" in h2[0].text
    assert isinstance(h3[0], Say) and "No more hints" in h3[0].text
    session.answer("-18")
    assert session.record.questions["dL_dyhat"].hints == 2


def test_skip_reveals_and_records(lesson):
    session, store = new_session(lesson)
    session.start()
    events = session.answer("skip")
    reveal = of(events, Reveal)[0]
    assert reveal.skipped and reveal.answer == "−18"
    assert "−18" in reveal.explanation
    assert isinstance(events[-1], Ask) and "∂ŷ/∂w2" in events[-1].prompt
    saved, _ = store.load()
    assert saved.lessons["mini-net"].questions["dL_dyhat"].skipped


def test_follow_through_from_a_wrong_earlier_answer(lesson):
    session, _ = new_session(lesson)
    session.start()
    session.answer("-20")  # wrong ∂L/∂ŷ …
    session.answer("skip")  # … and moved on
    session.answer("4")
    events = session.answer("-80")  # right for the learner's own −20 × 4
    feedback = of(events, Feedback)[0]
    assert feedback.status == "correct"
    assert "your own answer to question 1" in feedback.message and "−72" in feedback.detail


def test_listed_mistake_feedback(lesson):
    session, _ = new_session(lesson)
    Transcript().run(session, ["-18", "4"])
    events = session.answer("-18")
    assert events[0].status == "incorrect"
    assert "multiply by ∂ŷ/∂w2" in events[0].message


def test_expression_answer_echo_and_counterexample(lesson):
    session, _ = new_session(lesson)
    Transcript().run(session, ["-18", "4", "-72"])
    wrong = session.answer("x*w1")
    assert wrong[0].status == "incorrect" and wrong[0].read_as == "x·w1"  # echoed in the learner's order
    assert "x = " in wrong[0].message and "yours gives" in wrong[0].message  # a point where they differ
    assert wrong[0].detail == ""  # said once, not twice
    right = session.answer("w2 x")
    assert right[0].status == "correct" and right[0].read_as == "w2·x"  # the implicit product made explicit


def test_back_returns_to_previous_question(lesson):
    session, _ = new_session(lesson)
    Transcript().run(session, ["-18"])
    events = session.answer("back")
    assert isinstance(events[-1], Ask) and events[-1].label.startswith("Question 1")
    first = session.answer("back")
    assert "first question" in first[0].text


def test_resume_from_saved_step(lesson):
    session, store = new_session(lesson)
    Transcript().run(session, ["-18", "4"])
    session.save()
    again, _ = new_session(lesson, store)
    events = again.start()
    assert any("Welcome back" in e.text for e in of(events, Say))
    assert isinstance(events[-1], Ask) and events[-1].label.startswith("Question 3")
    # the earlier answers still count for follow-through after a restart of the program
    assert again.learner["dL_dyhat"] == -18


def test_restart_and_done_lessons_start_over(lesson):
    session, store = new_session(lesson)
    Transcript().run(session, ["-18", "4", "-72", "x*w2", "b"])
    again, _ = new_session(lesson, store)
    events = again.start()
    assert isinstance(events[-1], Ask) and events[-1].label.startswith("Question 1")


def test_resume_shows_the_setting_of_the_question(lesson):
    session, store = new_session(lesson)
    session.start()
    session.save()  # left at question 1, after the text and the forward table
    again, _ = new_session(lesson, store)
    events = again.start()
    texts = [e.text for e in of(events, Say)]
    assert any("0 of 5 questions done" in t for t in texts)
    assert any("The prediction is 2 and the target is 20." in t for t in texts)
    assert [e.what for e in of(events, Show)] == ["forward"]


def test_help_lists_every_command(lesson):
    session, _ = new_session(lesson)
    session.start()
    text = session.answer("help")[0].text
    for word in ("hint", "skip", "back", "help", "quit"):
        assert f"\n  {word}" in text


def test_a_name_the_question_does_not_allow_gets_a_helpful_message(lesson):
    session, _ = new_session(lesson)
    Transcript().run(session, ["-18", "4", "-72"])
    events = session.answer("y*w2")  # y is a name of the lesson, but not one this answer may use
    assert events[0].status == "invalid"
    assert events[0].message == "write this answer using only h, w2, x, w1: y is not part of it"
    assert session.record.questions.get("dyhat_dw2_formula") is None  # no penalty
