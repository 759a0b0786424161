"""Pins found by mutation testing (scripts/mutation.py progress): limits, merges and the class report."""

from __future__ import annotations

from pathlib import Path

import pytest

from backprop_cli.progress import FILE_NAME, Store, sharing

MB = 1024 * 1024


def _sized(path: Path, size: int) -> Path:
    """A file of ``size`` bytes (sparse: instant to make, NUL bytes, so not JSON)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


@pytest.mark.parametrize(("size", "too_large"), [(64 * MB, False), (64 * MB + 1, True)])
def test_a_progress_file_over_64_mb_is_set_aside_as_too_large(tmp_path, size, too_large):
    _sized(tmp_path / FILE_NAME, size)
    progress, warnings = Store(tmp_path).load()
    assert progress.lessons == {} and len(warnings) == 1  # either way unusable (NULs), and kept aside
    assert ("is larger than 64 MB" in warnings[0]) == too_large, warnings[0]
    assert not (tmp_path / FILE_NAME).exists()


@pytest.mark.parametrize(("size", "too_large"), [(16 * MB, False), (16 * MB + 1, True)])
def test_a_learner_record_over_16_mb_is_refused_as_too_large(tmp_path, size, too_large):
    path = _sized(tmp_path / "record.json", size)
    with pytest.raises(ValueError) as refused:
        sharing.read(path)
    assert (str(refused.value) == "is larger than 16 MB") == too_large, refused.value


# --- the file's limits: a record at a limit is read, one past it is refused ----------------------

def _models():
    from backprop_cli.progress import (
        Attempt,
        Diagnosed,
        LessonRecord,
        Observation,
        QuestionRecord,
        QuizItem,
        QuizResult,
    )
    from backprop_cli.progress.sharing import LearnerRecord, LessonResult, QuestionResult

    item = {"topic": "t", "template": "x", "outcome": "correct"}
    learner = {"format": "backprop-learner-record", "version": 1, "exported": "2026-01-01T00:00:00+00:00"}
    lesson_result = {"key": "k", "id": "k", "status": "done"}
    # model, the other fields it needs, field, [accepted values], [refused values]
    return [
        (Diagnosed, {}, "name", ["n" * 200], ["n" * 201]),
        (Diagnosed, {"name": "n"}, "feedback", ["f" * 2000], ["f" * 2001]),
        (QuestionRecord, {}, "attempts", [0], [-1]),
        (QuestionRecord, {}, "hints", [0], [-1]),
        (Attempt, {}, "id", ["a", "a" * 64], ["", "a" * 65]),
        (LessonRecord, {}, "id", ["l", "l" * 200], ["", "l" * 201]),
        (QuizItem, item, "hints", [0], [-1]),
        (QuizResult, {"seed": 1, "topics": []}, "id", ["q", "q" * 64], ["", "q" * 65]),
        (Observation, {"skill": "s", "outcome": "wrong"}, "id", ["o", "o" * 64], ["", "o" * 65]),
        (Observation, {"outcome": "wrong"}, "skill", ["s", "s" * 80], ["", "s" * 81]),
        (Observation, {"skill": "s", "outcome": "wrong"}, "guess", [0.0, 1.0], [-0.01, 1.01]),
        (Observation, {"skill": "s", "outcome": "wrong"}, "source", ["s" * 300], ["s" * 301]),
        (QuestionResult, {"id": "q"}, "attempts", [0], [-1]),
        (QuestionResult, {"id": "q"}, "hints", [0], [-1]),
        (LessonResult, lesson_result, "finished_attempts", [0], [-1]),
        (LearnerRecord, learner, "name", ["n", "n" * 200], ["", "n" * 201]),
        (LearnerRecord, {**learner, "name": "n"}, "version", [1], [2]),
    ]


def test_each_field_of_the_files_is_read_up_to_its_limit_and_refused_past_it():
    from pydantic import ValidationError

    for model, others, field, accepted, refused in _models():
        for value in accepted:
            assert getattr(model.model_validate({**others, field: value}), field) == value, (model, field)
        for value in refused:
            with pytest.raises(ValidationError):
                model.model_validate({**others, field: value})


def test_defaults_of_a_fresh_record():
    from backprop_cli.progress import Observation, QuestionRecord, new_id

    assert Observation(skill="s", outcome="wrong").guess == 0.15  # P(guess) of a free-typed answer
    record = QuestionRecord()
    assert (record.attempts, record.hints, record.skipped, record.correct, record.closed) == (0, 0, False, False, False)
    assert len({new_id() for _ in range(50)}) == 50


def test_a_long_diagnosis_is_kept_cut_to_the_limits_not_refused():
    from backprop_cli.progress import QuestionRecord

    record = QuestionRecord()
    record.diagnosed("n" * 250, "f" * 2500)
    (kept,) = record.mistakes
    assert kept.name == "n" * 200 and kept.feedback == "f" * 2000


def _progress():
    from backprop_cli.progress import Progress

    return Progress.model_validate({
        "version": 2,
        "lessons": {"derivatives": {"id": "derivatives", "attempts": [
            {"status": "done", "questions": {"q1": {"attempts": 1, "correct": True, "closed": True, "first": "correct"},
                                             "q2": {"attempts": 2, "hints": 1, "correct": True, "closed": True,
                                                    "first": "wrong", "mistakes": [{"name": "sign", "feedback": "flip"}]}}}]}},
        "quizzes": [{"seed": 3, "topics": ["chain"], "finished": True,
                     "items": [{"topic": "chain", "template": "t", "outcome": "correct"},
                               {"topic": "chain", "template": "t", "outcome": "wrong"}]}],
        "observations": [{"skill": "chain-rule", "outcome": "correct"}],
    })


def test_what_progress_and_the_class_report_show_cannot_be_changed_by_the_view(tmp_path):
    """The summary and the class report are plain data drawn by several views (table, JSON, CSV):
    frozen, so drawing one cannot change what the next shows."""
    from dataclasses import FrozenInstanceError

    from backprop_cli.progress import classroom, summarize

    summary = summarize(_progress())
    report = classroom.build([sharing.build(_progress(), "Ada")])
    records = [summary, summary.lessons[0], summary.quizzes[0], summary.skills[0], summary.weakest[0],
               report, report.lessons[0], report.lessons[0].questions[0]]
    for record in records:
        field = next(iter(vars(record)))
        with pytest.raises(FrozenInstanceError):
            setattr(record, field, None)


def test_merged_records_keep_each_diagnosed_mistake_once_the_first_ten():
    from backprop_cli.progress import Diagnosed, QuestionRecord

    def d(name):
        return Diagnosed(name=name, feedback=f"about {name}")

    mine = QuestionRecord(mistakes=[d("sign"), d("factor-2")])
    theirs = QuestionRecord(mistakes=[d("factor-2"), d("missing-factor")])
    assert [m.name for m in mine.merge(theirs).mistakes] == ["sign", "factor-2", "missing-factor"]
    assert [m.name for m in theirs.merge(mine).mistakes] == ["factor-2", "missing-factor", "sign"]
    many = QuestionRecord(mistakes=[d(f"m{i}") for i in range(8)])
    more = QuestionRecord(mistakes=[d(f"n{i}") for i in range(8)])
    assert [m.name for m in many.merge(more).mistakes] == [f"m{i}" for i in range(8)] + ["n0", "n1"]
    record = QuestionRecord()
    for i in range(12):
        record.diagnosed(f"k{i % 11}", "")
    assert [m.name for m in record.mistakes] == [f"k{i}" for i in range(10)]


def test_the_progress_screen_names_the_three_weakest_topics():
    from backprop_cli.progress import Progress, weakest_topics

    items = [{"topic": t, "template": "x", "outcome": o} for t in ("a", "b", "c", "d", "e")
             for o in ("correct", "wrong")]
    progress = Progress.model_validate({"version": 2, "quizzes": [{"seed": 1, "topics": [], "items": items}]})
    assert len(weakest_topics(progress)) == 3
    assert len(weakest_topics(progress, limit=5)) == 5


def _learner(name: str, questions: list[dict]) -> sharing.LearnerRecord:
    return sharing.LearnerRecord.model_validate({
        "format": "backprop-learner-record", "version": 1, "name": name, "exported": "2026-01-01T00:00:00+00:00",
        "lessons": [{"key": "chain-rule", "id": "chain-rule", "status": "in-progress", "questions": questions}]})


def test_the_class_report_takes_a_questions_number_and_prompt_from_whichever_learner_has_them():
    from backprop_cli.progress import classroom

    without = _learner("Ada", [{"id": "q2"}])  # exported without the course: no number, no prompt
    known = _learner("Bo", [{"id": "q2", "number": 2, "prompt": "dy/dx?"}])
    for records in ([without, known], [known, without]):
        (row,) = classroom.build(records).lessons[0].questions
        assert (row.number, row.prompt, row.learners) == (2, "dy/dx?", 2)


def test_the_class_report_lists_the_three_most_common_mistakes_of_a_question():
    from backprop_cli.progress import classroom

    def tried(*feedback):
        return [{"id": "q1", "mistakes": [{"name": f, "feedback": f} for f in feedback]}]

    records = [_learner("A", tried("sign", "half", "twice", "rate")), _learner("B", tried("sign", "half", "twice")),
               _learner("C", tried("sign", "half")), _learner("D", tried("sign"))]
    (row,) = classroom.build(records).lessons[0].questions
    assert row.common == (("sign", 4), ("half", 3), ("twice", 2))
    assert "sign (4); half (3); twice (2)" in classroom.to_csv(classroom.build(records))


def test_only_an_attempt_under_way_resumes_and_at_the_first_question_not_moved_past():
    from backprop_cli.progress import Attempt, resume_question

    questions = {"q1": {"attempts": 1, "correct": True, "closed": True}, "q2": {"attempts": 2}}
    ids = ["q1", "q2", "q3"]
    assert resume_question(Attempt.model_validate({"questions": questions}), ids) == 1
    assert resume_question(Attempt.model_validate({"questions": questions}), ["q0", *ids]) == 0  # inserted since
    for status in ("done", "stopped"):
        assert resume_question(Attempt.model_validate({"status": status, "questions": questions}), ids) is None
    assert resume_question(None, ids) is None
    closed = {q: {"closed": True} for q in ids}
    assert resume_question(Attempt.model_validate({"questions": closed}), ids) is None


def test_files_keep_non_ascii_text_readable(tmp_path):
    """A teacher opening an export (or the progress file) reads ŷ and σ′, not \\u0177 escapes."""
    from backprop_cli.progress import Diagnosed, Progress, dumps

    record = _learner("Zoë", [{"id": "q1", "prompt": "∂L/∂ŷ?", "mistakes": [{"name": "s", "feedback": "σ′ = σ·(1 − σ)"}]}])
    text = sharing.dumps(record)
    assert "Zoë" in text and "∂L/∂ŷ?" in text and "σ′ = σ·(1 − σ)" in text and "\\u" not in text
    assert sharing.dumps(sharing.LearnerRecord.model_validate_json(text)) == text
    progress = _progress()
    progress.lessons["derivatives"].attempts[0].questions["q1"].mistakes.append(Diagnosed(name="σ", feedback="ŷ"))
    saved = dumps(progress)
    assert '"feedback": "ŷ"' in saved and Progress.model_validate_json(saved) == progress


def test_the_class_reports_csv_has_each_questions_number_and_prompt():
    from backprop_cli.progress import classroom

    report = classroom.build([_learner("Bo", [{"id": "q2", "number": 2, "prompt": "dy/dx?", "first": "correct",
                                               "attempts": 1, "correct": True}])])
    header, row = classroom.to_csv(report).splitlines()
    assert row.split(",") == ["chain-rule", "chain-rule", "0", "q2", "2", "dy/dx?", "1", "1", "1.000", ""]
    assert header.split(",")[4:6] == ["number", "prompt"]


def test_of_two_topics_right_as_often_the_one_needing_hints_more_often_is_weaker():
    from backprop_cli.progress import Progress, topic_scores

    def item(topic, outcome):
        return {"topic": topic, "template": "x", "outcome": outcome}

    # a: 1 of 2 right, with a hint (half its items hinted); b: 2 of 4 right, one with a hint (a quarter)
    items = [item("a", "hinted"), item("a", "wrong"),
             item("b", "hinted"), item("b", "correct"), item("b", "wrong"), item("b", "wrong")]
    progress = Progress.model_validate({"version": 2, "quizzes": [{"seed": 1, "topics": [], "items": items}]})
    assert [s.topic for s in topic_scores(progress)] == ["a", "b"]


def test_a_lesson_of_the_course_not_started_has_no_finished_attempts():
    from types import SimpleNamespace

    from backprop_cli.progress import summarize

    info = SimpleNamespace(id="partials", title="Partial derivatives", number=2, questions=(("q1", "?"),),
                           question_count=1)
    (lesson, *_) = [s for s in summarize(_progress(), [info]).lessons if s.id == "partials"]
    assert (lesson.status, lesson.finished, lesson.again, lesson.asked) == ("not-started", 0, False, 0)


def test_progress_is_saved_into_a_home_whose_folders_do_not_exist_yet_and_saved_again(tmp_path):
    from backprop_cli.progress import Progress

    store = Store(tmp_path / "a" / "b" / "home")
    store.save(Progress(last_lesson="derivatives"))
    store.save(Progress(last_lesson="partials"))
    progress, warnings = Store(tmp_path / "a" / "b" / "home").load()
    assert warnings == [] and progress.last_lesson == "partials"


def test_a_bad_version_is_quoted_cut_to_forty_characters(tmp_path):
    (tmp_path / FILE_NAME).write_text('{"version": "' + "v" * 100 + '"}', encoding="utf-8")
    _, (warning,) = Store(tmp_path).load()
    assert '(version: expected an integer ≥ 1, got "' + "v" * 39 + ");" in warning, warning


def test_a_lesson_id_two_lesson_files_share_must_be_named_by_its_key():
    from backprop_cli.errors import UsageError
    from backprop_cli.progress import Progress, resolve_lesson

    progress = Progress.model_validate({"version": 2, "lessons": {
        "mine@/a/mine.yaml": {"id": "mine", "source": "/a/mine.yaml"},
        "mine@/b/mine.yaml": {"id": "mine", "source": "/b/mine.yaml"}}})
    with pytest.raises(UsageError, match="several lessons have the id 'mine'"):
        resolve_lesson("mine", progress)
    assert resolve_lesson("mine@/b/mine.yaml", progress) == "mine@/b/mine.yaml"
    del progress.lessons["mine@/a/mine.yaml"]
    assert resolve_lesson("mine", progress) == "mine@/b/mine.yaml"


# -- pins from the session-4 mutation run (150 mutants, seeds 0 and 1) ----------------------------


def test_an_export_over_sixteen_megabytes_is_refused_and_one_at_the_limit_is_read(tmp_path):
    """The limit is 16 MiB: a record at the limit is read (then judged as JSON), one byte over is not."""
    at_limit, over = tmp_path / "at.json", tmp_path / "over.json"
    at_limit.write_bytes(b" " * (16 * 1024 * 1024))
    over.write_bytes(b" " * (16 * 1024 * 1024 + 1))
    with pytest.raises(ValueError, match="is not JSON"):
        sharing.read(at_limit)
    with pytest.raises(ValueError, match="is larger than 16 MB"):
        sharing.read(over)


def test_a_question_result_that_leaves_out_its_counts_has_none_and_a_negative_count_is_refused():
    from pydantic import ValidationError

    bare = sharing.QuestionResult.model_validate({"id": "q1"})
    assert (bare.attempts, bare.hints, bare.correct, bare.skipped, bare.mistakes) == (0, 0, False, False, [])
    assert (bare.number, bare.prompt, bare.first) == (None, None, None)
    assert sharing.QuestionResult.model_validate({"id": "q1", "attempts": 0, "hints": 0}).attempts == 0
    for field in ("attempts", "hints"):
        with pytest.raises(ValidationError):
            sharing.QuestionResult.model_validate({"id": "q1", field: -1})
    lesson = sharing.LessonResult.model_validate({"key": "k", "id": "k", "status": "done"})
    assert (lesson.finished_attempts, lesson.questions, lesson.title) == (0, [], None)
    with pytest.raises(ValidationError):
        sharing.LessonResult.model_validate({"key": "k", "id": "k", "status": "done", "finished_attempts": -1})


def test_a_topic_with_no_items_scores_nothing():
    from backprop_cli.progress.summary import TopicScore

    empty = TopicScore("chain-rule", correct=0, total=0)
    assert empty.ratio == 0.0 and (empty.hinted, empty.wrong, empty.skipped) == (0, 0, 0)
    assert TopicScore("chain-rule", correct=3, total=4).ratio == 0.75


def test_an_export_is_version_1_of_the_learner_record_format(tmp_path):
    """Teachers keep exported files: the format's name and version are fixed, and a version-1 file
    written by hand is read."""
    import json

    written = json.loads(sharing.dumps(sharing.build(_progress(), "Ada")))
    assert (written["format"], written["version"]) == ("backprop-learner-record", 1)
    path = tmp_path / "by-hand.json"
    path.write_text(json.dumps({"format": "backprop-learner-record", "version": 1, "name": "Bo",
                                "exported": "2026-01-01T00:00:00"}), encoding="utf-8")
    assert sharing.read(path).name == "Bo"
    path.write_text(json.dumps({"format": "backprop-learner-record", "version": 2, "name": "Bo",
                                "exported": "2026-01-01T00:00:00"}), encoding="utf-8")
    with pytest.raises(ValueError, match="version 2"):
        sharing.read(path)


def test_two_copies_of_a_question_merge_to_what_both_did():
    """Skipped in one session and answered right in the other: answered right (not skipped);
    skipped in one and merely tried in the other: skipped."""
    from backprop_cli.progress.record import QuestionRecord

    skipped = QuestionRecord(attempts=1, skipped=True, closed=True)
    right = QuestionRecord(attempts=2, correct=True, closed=True)
    tried = QuestionRecord(attempts=3)
    for a, b in ((skipped, right), (right, skipped)):
        merged = a.merge(b)
        assert merged.correct and not merged.skipped and merged.attempts == 2
    for a, b in ((skipped, tried), (tried, skipped)):
        merged = a.merge(b)
        assert merged.skipped and not merged.correct and merged.attempts == 3


def test_an_attempt_saved_twice_keeps_the_one_start_time_either_copy_has():
    from backprop_cli.progress.record import Attempt

    started = Attempt(id="a", started="2026-01-02T10:00:00")
    bare = Attempt(id="a")
    assert started.merge(bare).started == bare.merge(started).started == "2026-01-02T10:00:00"
    earlier = Attempt(id="a", started="2026-01-01T09:00:00")
    assert started.merge(earlier).started == earlier.merge(started).started == "2026-01-01T09:00:00"
    assert bare.merge(bare).started is None


def test_an_unreadable_progress_file_is_named_with_its_reason_alone(tmp_path):
    """The warning says why ("Permission denied"), not Python's "[Errno 13] …: '/path'" again."""
    import os

    if os.geteuid() == 0:
        path = tmp_path / FILE_NAME
        path.mkdir()  # a folder where the file should be: reading it fails for root too
    else:
        path = tmp_path / FILE_NAME
        path.write_text("{}", encoding="utf-8")
        path.chmod(0)
    _, warnings = Store(tmp_path).load()
    assert warnings and "[Errno" not in warnings[0], warnings


def test_a_percentage_of_nothing_is_zero_and_halves_round_up():
    from backprop_cli.progress.summary import percent

    assert (percent(0, 0), percent(1, 1), percent(2, 3), percent(1, 8), percent(1, 2)) == (0, 100, 67, 13, 50)


def test_an_export_is_indented_by_two_spaces_for_a_teacher_reading_it():
    text = sharing.dumps(sharing.build(_progress(), "Ada"))
    lines = text.splitlines()
    assert lines[0] == "{" and lines[1].startswith('  "format": ') and lines[-1] == "}" and text.endswith("}\n")


def test_a_class_report_lists_numbered_questions_in_order_then_the_unnumbered_by_id():
    from backprop_cli.progress import classroom

    report = classroom.build([_learner("Ada", [{"id": "zeta"}, {"id": "q3", "number": 3}, {"id": "alpha"},
                                               {"id": "q1", "number": 1}])])
    (lesson,) = report.lessons
    assert [row.id for row in lesson.questions] == ["q1", "q3", "alpha", "zeta"]


def test_an_attempt_saved_twice_has_the_further_status():
    from backprop_cli.progress.record import Attempt

    for a, b, merged in (("stopped", "in-progress", "in-progress"), ("in-progress", "done", "done"),
                         ("done", "stopped", "done"), ("stopped", "stopped", "stopped")):
        assert Attempt(id="a", status=a).merge(Attempt(id="a", status=b)).status == merged
        assert Attempt(id="a", status=b).merge(Attempt(id="a", status=a)).status == merged
