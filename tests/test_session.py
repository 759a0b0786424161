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


def saved_record(store, lesson):
    """The lesson's record as the file holds it now (keyed id@path: the test lesson is not shipped)."""
    saved, warnings = store.load()
    assert warnings == []
    key = course.identity(lesson)[0]
    assert key == f"mini-net@{MINI.resolve()}"
    return saved, saved.lessons[key]


def test_right_answers_finish_and_save(lesson):
    session, store = new_session(lesson)
    events = Transcript().run(session, ["-18", "4", "-72", "x*w2", "b"])
    assert session.finished
    assert [f.status for f in of(events, Feedback)] == ["correct"] * 5
    finished = of(events, Finished)[0]
    assert "5 of 5" in finished.summary
    saved, record = saved_record(store, lesson)
    assert record.status == "done" and len(record.attempts) == 1
    questions = record.attempts[0].questions
    assert len(questions) == 5 and all(q.correct and q.closed and q.attempts == 1 and q.first == "correct"
                                       for q in questions.values())
    assert saved.last_lesson == course.identity(lesson)[0]


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
    _, record = saved_record(store, lesson)
    q = record.current.questions["dL_dyhat"]
    assert (q.attempts, q.correct, q.closed, q.first) == (2, False, False, "wrong")


def test_invalid_input_costs_nothing(lesson):
    session, _ = new_session(lesson)
    session.start()
    for text in ["", "banana", "__import__('os')", "9**9**9**9", "x" * 5000]:
        events = session.answer(text)
        assert events and events[0].status == "invalid", text
    assert session.attempt.questions.get("dL_dyhat") is None or session.attempt.questions["dL_dyhat"].attempts == 0


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
    assert session.attempt.questions["dL_dyhat"].hints == 2
    assert session.attempt.questions["dL_dyhat"].first == "hinted"  # a hint first is not a first-try success


def test_skip_reveals_and_records(lesson):
    session, store = new_session(lesson)
    session.start()
    events = session.answer("skip")
    reveal = of(events, Reveal)[0]
    assert reveal.skipped and reveal.answer == "−18"
    assert "−18" in reveal.explanation
    assert isinstance(events[-1], Ask) and "∂ŷ/∂w2" in events[-1].prompt
    _, record = saved_record(store, lesson)
    q = record.current.questions["dL_dyhat"]
    assert q.skipped and q.closed and q.first == "skipped" and not q.correct


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


def test_a_done_lesson_reopened_is_a_new_attempt_and_stays_done(lesson):
    session, store = new_session(lesson)
    Transcript().run(session, ["-18", "4", "-72", "x*w2", "b"])
    again, _ = new_session(lesson, store)
    events = again.start()
    assert isinstance(events[-1], Ask) and events[-1].label.startswith("Question 1")
    assert not any("Welcome back" in e.text for e in of(events, Say))
    again.save()  # opened and left at once: the record is as it was
    _, record = saved_record(store, lesson)
    assert [a.status for a in record.attempts] == ["done"] and record.status == "done"
    again.answer("18")  # one wrong answer in the new attempt
    again.save()
    _, record = saved_record(store, lesson)
    assert [a.status for a in record.attempts] == ["done", "in-progress"]
    assert record.status == "done"  # reopening never undoes a finished lesson
    assert all(q.correct for q in record.attempts[0].questions.values())  # the finished attempt is untouched
    assert record.attempts[1].questions["dL_dyhat"].attempts == 1


def test_restart_keeps_the_unfinished_attempt_as_stopped(lesson):
    session, store = new_session(lesson)
    Transcript().run(session, ["-18", "4"])
    fresh, _ = new_session(lesson, store, restart=True)
    events = fresh.start()
    assert isinstance(events[-1], Ask) and events[-1].label.startswith("Question 1")
    fresh.answer("-18")
    _, record = saved_record(store, lesson)
    assert [a.status for a in record.attempts] == ["stopped", "in-progress"]
    assert len(record.attempts[0].questions) == 2  # the first attempt's answers are still there


def test_back_to_a_question_answered_right_adds_no_tries(lesson):
    session, store = new_session(lesson)
    Transcript().run(session, ["-18"])
    session.answer("back")
    session.answer("5")  # wrong, at a question already passed
    session.answer("-18")
    _, record = saved_record(store, lesson)
    q = record.current.questions["dL_dyhat"]
    assert (q.attempts, q.correct, q.first) == (1, True, "correct")


def test_resume_goes_by_question_id_after_the_lesson_was_edited(lesson, tmp_path):
    """A question inserted before where the learner left is asked; the answered ones are not."""
    session, store = new_session(lesson)
    Transcript().run(session, ["-18", "4"])  # questions 1 and 2 answered; at question 3
    text = MINI.read_text(encoding="utf-8")
    marker = "  - id: dL_dw2"
    assert marker in text
    inserted = ("  - id: warm_up\n    ask: number\n    prompt: What is x + 1?\n    answer: x + 1\n"
                "    hints: [Add one.]\n    explanation: x + 1 = 3.\n")
    edited = tmp_path / "mini-net.yaml"
    edited.write_text(text.replace(marker, inserted + marker, 1), encoding="utf-8")
    copy = course.load(edited)
    assert [q.id for q in copy.questions][:4] == ["dL_dyhat", "dyhat_dw2", "warm_up", "dL_dw2"]
    # the edited file has its own identity; move the record over as if the file had been edited in place
    saved, _ = store.load()
    old_key, new_key = course.identity(lesson)[0], course.identity(copy)[0]
    saved.lessons[new_key] = saved.lessons.pop(old_key).model_copy(update={"source": str(edited.resolve())})
    store.save(saved)
    again, _ = new_session(copy, store)
    events = again.start()
    ask = events[-1]
    assert isinstance(ask, Ask) and ask.label.startswith("Question 3") and "x + 1" in ask.prompt
    assert any("2 of 6 questions done" in e.text for e in of(events, Say))


def test_opening_and_leaving_at_once_writes_nothing(lesson):
    session, store = new_session(lesson)
    session.start()
    session.save()  # left at question 1 without doing anything
    assert store.load()[0].lessons == {}
    again, _ = new_session(lesson, store)
    events = again.start()
    texts = [e.text for e in of(events, Say)]
    assert not any("Welcome back" in t for t in texts)
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
    assert session.attempt.questions.get("dyhat_dw2_formula") is None  # no penalty


def test_a_formula_typed_for_a_number_carries_its_value_through_and_after_resume(lesson):
    """∂L/∂ŷ typed as a formula over the given values still counts for follow-through."""
    session, store = new_session(lesson)
    session.start()
    assert session.answer("x*w1*w2 - y - 2")[0].status == "incorrect"  # −20: wrong, but a number
    assert session.learner["dL_dyhat"] == -20
    session.answer("skip")
    session.answer("4")
    assert session.answer("-80")[0].status == "correct"  # right for the learner's own −20 × 4
    again, _ = new_session(lesson, store)
    assert again.learner["dL_dyhat"] == -20  # the saved formula is evaluated again on resume
