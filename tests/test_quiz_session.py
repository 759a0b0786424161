"""The quiz session: marking and scoring rules, the closing table, saving once, planning and review."""

from __future__ import annotations

import json
import random

import pytest

from backprop_cli.interaction import Ask, Feedback, Finished, Hint, Reveal, Say, Transcript
from backprop_cli.progress import Progress, QuizItem, QuizResult, Store
from backprop_cli.quiz import TOPICS
from backprop_cli.quiz.runner import (
    QuizSession,
    make_questions,
    new_quiz,
    percent,
    plan_quiz,
    plan_review,
    score_table,
    tally,
)
from backprop_cli.quiz.templates import by_id


def session(store=None, count=3, seed=11, **kw):
    plan = plan_quiz(seed, count, kw.pop("topics", None))
    return QuizSession(make_questions(seed, plan), seed=seed, store=store, **kw)


def right(s: QuizSession) -> str:
    q = s.question
    return q.typed(q.expected)


def wrong(s: QuizSession) -> str:
    q = s.question
    if q.kind == "choice":
        return q.typed((q.expected + 1) % len(q.options))
    if q.kind == "expression":
        return q.typed(q.expected + 1)
    if q.kind == "numbers":
        return q.typed(tuple(v * 3 + 1 for v in q.expected))
    return q.typed(q.expected * 3 + 1)


def test_start_names_the_seed_and_asks_the_first_question():
    s = session(count=2, seed=1234, replay="--seed 1234 --count 2")
    events = s.start()
    assert any(isinstance(e, Say) and e.text == "Seed 1234 — replay with --seed 1234 --count 2" for e in events)
    ask = events[-1]
    assert isinstance(ask, Ask) and ask.label.startswith("Question 1 of 2 · ")
    assert ask.hints_left == len(s.question.hints) and ask.prompt == s.question.prompt


def test_each_outcome_is_scored_as_documented():
    s = session(count=6, seed=5)
    s.start()
    s.answer(right(s))  # correct
    s.answer(wrong(s))  # a wrong try is forgiven when the answer is then found without a hint
    s.answer(right(s))  # correct
    s.answer("hint")
    s.answer(right(s))  # hinted
    s.answer("skip")  # skipped (before any wrong try)
    s.answer(wrong(s))
    s.answer("skip")  # wrong: gave up after a wrong try
    for _ in range(3):
        events = s.answer(wrong(s))  # wrong: three tries
    assert [i.outcome for i in s.items] == ["correct", "correct", "hinted", "skipped", "wrong", "wrong"]
    assert s.finished
    final = events[-1]
    assert isinstance(final, Finished) and final.summary == "Score: 3/6 (50%)"
    assert isinstance(events[-2], Reveal) and not events[-2].skipped


def test_feedback_hints_and_free_commands():
    s = session(count=2, seed=8)
    s.start()
    q = s.question
    first = s.answer(wrong(s))
    assert isinstance(first[0], Feedback) and first[0].status == "incorrect"
    assert "2 tries left" in first[0].detail
    assert s.answer("this is not a number ((")[0].status == "invalid"  # no penalty
    back = s.answer("back")
    assert isinstance(back[0], Say) and "not available in a quiz" in back[0].text
    hints = [s.answer("hint")[0] for _ in q.hints]
    assert [h.text for h in hints] == list(q.hints) and all(isinstance(h, Hint) for h in hints)
    assert "No more hints" in s.answer("hint")[0].text
    second = s.answer(wrong(s))[0]
    assert "1 try left" in second.detail and "hint" not in second.detail  # no hints left to offer
    done = s.answer(right(s))
    assert [type(e) for e in done] == [Feedback, Reveal, Ask]
    assert done[1].answer == q.answer_text and done[1].explanation == q.explanation
    assert s.items[0].outcome == "hinted"


def test_skip_reveals_the_worked_answer():
    s = session(count=1)
    s.start()
    q = s.question
    events = s.answer("skip")
    assert events[0] == Reveal(q.answer_text, q.explanation, skipped=True)
    assert isinstance(events[-1], Finished) and events[-1].summary == "Score: 0/1 (0%)"


def test_percent_rounds_halves_up():
    assert [percent(*p) for p in ((2, 3), (1, 3), (1, 8), (3, 8), (0, 4), (4, 4), (0, 0))] == [67, 33, 13, 38, 0, 100, 0]


def test_score_table_arithmetic():
    items = [QuizItem(topic="chain-rule", template="chain-power", outcome="correct"), QuizItem(topic="derivatives", template="update", outcome="hinted"),
             QuizItem(topic="chain-rule", template="chain-symbolic", outcome="wrong"), QuizItem(topic="chain-rule", template="chain-power", outcome="skipped"),
             QuizItem(topic="derivatives", template="derivative-at-point", outcome="correct")]
    table = score_table(items)
    assert table.summary == "Score: 3/5 (60%)"
    assert table.header == ("Topic", "Score", "%", "Notes")
    assert table.rows == (
        ("Derivatives", "2/2", "100%", "1 with a hint"),
        ("Chain rule", "1/3", "33%", "1 wrong, 1 skipped"),
        ("Total", "3/5", "60%", "1 with a hint, 1 wrong, 1 skipped"),
    )
    assert [(t.topic, t.correct, t.total) for t in tally(items, TOPICS)] == [("derivatives", 2, 2), ("chain-rule", 1, 3)]
    assert score_table(items, seconds=135.4).summary == "Score: 3/5 (60%) in 2 min 15 s"


def test_the_quiz_is_saved_after_every_answer_as_one_entry(tmp_path):
    store = Store(tmp_path)
    s = session(store=store, count=3, topics=["chain-rule"])
    s.start()
    s.answer("hint")
    s.answer(right(s))
    progress, warnings = store.load()  # saved already: a kill now loses nothing
    assert warnings == [] and len(progress.quizzes) == 1
    first = progress.quizzes[0]
    assert [(i.topic, i.outcome, i.hints) for i in first.items] == [("chain-rule", "hinted", 1)]
    assert first.seed == 11 and first.when is None and first.finished is False
    s.save()
    s.save()  # saving again adds nothing
    s.answer(right(s))
    progress, _ = store.load()
    assert len(progress.quizzes) == 1 and progress.quizzes[0].id == first.id
    assert [i.outcome for i in progress.quizzes[0].items] == ["hinted", "correct"]


def test_a_hint_then_a_wrong_answer_is_recorded_as_a_hint_used(tmp_path):
    store = Store(tmp_path)
    s = session(store=store, count=1, topics=["chain-rule"])
    s.start()
    s.answer("hint")
    s.answer("skip")
    result = store.load()[0].quizzes[0]
    assert [(i.outcome, i.hints) for i in result.items] == [("skipped", 1)]
    assert result.with_hints == 1 and result.finished is True


def test_two_quizzes_at_once_keep_both(tmp_path):
    store = Store(tmp_path)
    a = session(store=store, count=2, topics=["chain-rule"])
    b = session(store=Store(tmp_path), count=2, topics=["chain-rule"])
    a.start()
    b.start()
    a.answer(right(a))
    b.answer("skip")
    a.answer(right(a))
    quizzes = store.load()[0].quizzes
    assert sorted(len(q.items) for q in quizzes) == [1, 2]


def test_nothing_answered_saves_nothing(tmp_path):
    s = session(store=Store(tmp_path))
    s.start()
    s.answer("hint")
    s.save()
    assert not (tmp_path / "progress.json").exists()


def test_timestamp_dates_the_result_and_clock_times_the_quiz(tmp_path):
    ticks = iter([100.0, 161.0])
    s = session(store=Store(tmp_path), count=1, clock=lambda: next(ticks), timestamp=lambda: "2026-01-02T03:04:05+00:00")
    events = Transcript().run(s, ["skip"])
    assert events[-1].summary == "Score: 0/1 (0%) in 1 min 1 s"
    s.save()
    assert Store(tmp_path).load()[0].quizzes[0].when == "2026-01-02T03:04:05+00:00"


def test_quit_through_the_session_ends_with_the_partial_score():
    s = session(count=3)
    s.start()
    s.answer(right(s))
    events = s.answer("quit")
    assert s.finished and events[0].summary == "Score so far: 1/1 (100%)"


# ---------------------------------------------------------------- planning


def test_plan_is_balanced_in_teaching_order_and_reproducible():
    plan = plan_quiz(99, 10)
    topics = [t.topic for t in plan.templates]
    assert len(topics) == 10 and set(topics) == set(TOPICS)
    assert topics == sorted(topics, key=TOPICS.index)
    assert plan == plan_quiz(99, 10)
    assert len({plan_quiz(seed, 10).templates for seed in range(6)}) > 1
    assert len(set(plan.templates)) == 10  # no repeats while there are templates left


@pytest.mark.parametrize("topics", [["chain-rule"], ["sigmoid-net", "derivatives"], ["gradient-descent"]])
def test_topic_filter(topics):
    questions = make_questions(3, plan_quiz(3, 7, topics))
    assert len(questions) == 7 and {q.topic for q in questions} == set(topics)


def test_same_seed_same_questions():
    a = make_questions(2024, plan_quiz(2024, 10))
    b = make_questions(2024, plan_quiz(2024, 10))
    assert [(q.template, q.prompt, q.expected) for q in a] == [(q.template, q.prompt, q.expected) for q in b]
    c = make_questions(2025, plan_quiz(2025, 10))
    assert [q.prompt for q in a] != [q.prompt for q in c]


def _history(*quizzes) -> Progress:
    return Progress(quizzes=[QuizResult(seed=i, topics=list(TOPICS), items=[QuizItem(topic=t, template=u, outcome=o) for t, u, o in items])
                             for i, items in enumerate(quizzes)])


def test_review_asks_the_most_missed_templates_first_then_the_weakest_topics(tmp_path):
    history = _history(
        [("chain-rule", "chain-power", "wrong"), ("gradient-descent", "update", "skipped"),
         ("derivatives", "derivative-at-point", "correct"), ("sigmoid-net", "sigmoid-derivative", "wrong")],
        [("chain-rule", "chain-power", "wrong"), ("gradient-descent", "update", "wrong"),
         ("chain-rule", "chain-power", "skipped"), ("partials", "partial-at-point", "hinted")],
    )
    store = Store(tmp_path)
    store.save(history)
    session = new_quiz(seed=4, count=7, review=True, store=store)
    templates = [q.template for q in session.questions]
    assert templates[:3] == ["chain-power", "update", "sigmoid-derivative"]
    # then the weakest topics, weakest first: chain-rule (0/3), gradient-descent (0/2), sigmoid-net (0/1),
    # partials (right, but with a hint)
    assert [q.topic for q in session.questions[3:7]] == ["chain-rule", "gradient-descent", "sigmoid-net", "partials"]
    assert session.questions[3].template == "chain-symbolic"
    assert any("missed most" in note for note in session.notes)
    assert session.replay == "--seed 4 --count 7 --review"


def test_review_respects_the_topic_filter():
    history = _history([("chain-rule", "chain-power", "wrong"), ("gradient-descent", "update", "wrong")])
    plan = plan_review(1, 3, ["gradient-descent"], history)
    assert plan.templates[0] == by_id("update")
    assert {t.topic for t in plan.templates} == {"gradient-descent"}


def test_review_without_history_falls_back_to_a_normal_quiz(tmp_path):
    plan = plan_review(8, 5, None, Progress())
    assert plan.templates == plan_quiz(8, 5).templates
    assert plan.notes == ("No quiz history to review yet, so this is a normal quiz.",)
    s = new_quiz(seed=8, count=5, review=True, store=Store(tmp_path))
    assert any(isinstance(e, Say) and "No quiz history" in e.text for e in s.start())


def test_review_with_nothing_missed_starts_with_the_weakest_topic():
    history = _history([("derivatives", "derivative-at-point", "correct"), ("partials", "partial-at-point", "hinted"),
                        ("partials", "partial-symbolic", "correct")])
    plan = plan_review(2, 4, None, history)
    assert plan.templates[0].topic == "partials"
    assert plan.notes == ("Nothing missed so far: questions from your weakest topics first.",)


@pytest.mark.parametrize("review", [True, False])
def test_a_corrupt_progress_file_is_a_warning_not_a_crash(tmp_path, review):
    (tmp_path / "progress.json").write_text("{not json", encoding="utf-8")
    s = new_quiz(seed=1, count=1, review=review, store=Store(tmp_path))
    warnings = [e for e in s.start() if isinstance(e, Say) and e.kind == "warning"]
    assert len(warnings) == 1 and "kept it as" in warnings[0].text
    Transcript().run(s, ["skip"])
    s.save()
    saved = json.loads((tmp_path / "progress.json").read_text(encoding="utf-8"))
    assert [i["outcome"] for i in saved["quizzes"][0]["items"]] == ["skipped"]


def test_an_option_letter_answers_a_choice_question_even_if_it_abbreviates_a_command():
    s = QuizSession([by_id("loss-direction").make(random.Random(seed)) for seed in range(6)], seed=0)
    s.start()
    for _ in range(6):
        q = s.question
        events = s.answer("b")
        assert isinstance(events[0], Feedback) and events[0].status == ("correct" if q.expected == 1 else "incorrect")
        if not s.finished and s.question is q:
            s.answer("skip")
    assert len(s.items) == 6
