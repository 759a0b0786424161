"""The progress store (atomic, versioned, never loses a file), its scores, and `backprop progress`."""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import backprop_cli.progress as progress_module
from backprop_cli.cli import main
from backprop_cli.errors import UsageError
from backprop_cli.progress import (
    SCHEMA_VERSION,
    Attempt,
    LessonRecord,
    Progress,
    ProgressSaveError,
    QuestionRecord,
    QuizItem,
    QuizResult,
    Store,
    TopicScore,
    resolve_lesson,
    summarize,
    template_misses,
    topic_scores,
    weakest_topics,
)
from backprop_cli.progress import store as store_module
from backprop_cli.render.progress_tables import summary_view
from backprop_cli.render.theme import console

NET_QUESTIONS = (("dL_dyhat", "What is ∂L/∂ŷ?"), ("dyhat_dw2", "What is ∂ŷ/∂w2?"), ("dL_dw2", "What is ∂L/∂w2?"),
                 ("new_w2", "What is the new w2?"))
CATALOG = [
    SimpleNamespace(id="derivatives", key="derivatives", title="Derivatives", number=1, question_count=6,
                    questions=(("slope", "What is f′(x)?"),)),
    SimpleNamespace(id="partials", key="partials", title="Partial derivatives", number=2, question_count=5,
                    questions=()),
    SimpleNamespace(id="simple-net", key="simple-net", title="The simple network", number=5, question_count=9,
                    questions=NET_QUESTIONS),
]


def item(topic: str, template: str, outcome: str, hints: int = 0) -> QuizItem:
    return QuizItem(topic=topic, template=template, outcome=outcome, hints=hints)


def sample() -> Progress:
    net = Attempt(id="net1", started="2026-11-25T09:00:00+00:00", updated="2026-11-25T10:00:00+00:00",
                  at="dL_dw2")
    q = net.question("dL_dyhat")
    q.attempts, q.hints, q.correct, q.closed, q.answer, q.first = 2, 1, True, True, "−18", "hinted"
    skipped = net.question("dyhat_dw2")
    skipped.skipped = skipped.closed = True
    net.question("dL_dw2")  # created but never acted on: not "asked"
    slope = QuestionRecord(attempts=1, correct=True, closed=True, answer="3x^2 - 6x + 2", first="correct")
    done = Attempt(id="d1", status="done", questions={"slope": slope}, updated="2026-11-24T10:00:00+00:00")
    p = Progress(last_lesson="simple-net", lessons={
        "simple-net": LessonRecord(id="simple-net", title="The simple network", attempts=[net]),
        "derivatives": LessonRecord(id="derivatives", title="Derivatives", attempts=[done]),
    })
    p.quizzes.append(QuizResult(id="q42", seed=42, topics=["chain-rule", "simple-net"], items=[
        item("chain-rule", "chain-linear", "wrong", hints=1),
        item("chain-rule", "chain-square", "hinted", hints=1),
        item("simple-net", "grad-w2", "correct"),
        item("simple-net", "grad-w2", "skipped"),
    ], when="2026-11-25T10:30:00+00:00", finished=True))
    p.quizzes.append(QuizResult(id="q7", seed=7, topics=[], items=[
        item("chain-rule", "chain-linear", "wrong"),
        item("derivatives", "slope-at", "correct"),
        item("derivatives", "slope-at", "correct"),
        item("sigmoid-net", "sigma-prime", "wrong"),
    ]))
    return p


@pytest.fixture
def store(_isolated_home) -> Store:
    return Store()


@pytest.fixture
def no_course(monkeypatch):
    """Pin the catalogue so these tests do not depend on the lessons being written elsewhere."""
    from backprop_cli.commands import progress as command

    monkeypatch.setattr(command, "_catalog", lambda: (None, []))


@pytest.fixture
def course(monkeypatch):
    from backprop_cli.commands import progress as command

    monkeypatch.setattr(command, "_catalog", lambda: (list(CATALOG), []))


# ---------------------------------------------------------------- the file


def test_round_trip_keeps_everything_and_is_readable_json(store):
    original = sample()
    store.save(original)
    loaded, warnings = store.load()
    assert warnings == []
    assert loaded == original
    text = store.path.read_text(encoding="utf-8")
    assert text.endswith("}\n") and text.startswith('{\n  "version": 2,')  # indent 2, version first
    assert "−18" in text  # real Unicode, not \u escapes
    attempt = json.loads(text)["lessons"]["simple-net"]["attempts"][0]
    assert attempt["questions"]["dL_dyhat"]["answer"] == "−18" and attempt["at"] == "dL_dw2"


def test_missing_file_is_a_fresh_start_and_creates_nothing(store):
    assert store.load() == (Progress(), [])
    assert not store.home.exists()


def test_records_that_miss_keys_take_the_documented_defaults(store):
    store.home.mkdir(parents=True)
    store.path.write_text('{"version": 2, "lessons": {"x": {"id": "x", "attempts": [{"id": "a", "questions": '
                          '{"q": {}}}]}}, "quizzes": [{"seed": 3, "topics": []}]}')
    loaded, warnings = store.load()
    assert warnings == []
    record = loaded.lessons["x"]
    assert record.source == "shipped" and record.title is None and record.status == "not-started"
    attempt = record.attempts[0]
    assert (attempt.status, attempt.at, attempt.started) == ("in-progress", None, None)
    assert attempt.questions["q"] == QuestionRecord()
    q = attempt.questions["q"]
    assert (q.attempts, q.hints, q.skipped, q.correct, q.closed, q.answer, q.first) == (0, 0, False, False, False,
                                                                                        None, None)
    quiz = loaded.quizzes[0]
    assert quiz.items == [] and quiz.when is None and quiz.finished is False and len(quiz.id) == 12


def test_a_format_1_file_is_converted_and_kept(store):
    old = {"version": 1, "last_lesson": "simple-net", "lessons": {
        "simple-net": {"status": "in-progress", "step": 6, "updated": "2026-11-25T10:00:00+00:00", "questions": {
            "dL_dyhat": {"attempts": 2, "hints": 1, "skipped": False, "correct": True, "answer": "−18"},
            "dyhat_dw2": {"attempts": 1, "hints": 0, "skipped": False, "correct": False, "answer": "5"}}},
        "derivatives": {"status": "done", "step": 12, "questions": {}},
        "partials": {"status": "not-started", "step": 0, "questions": {}}},
        "quizzes": [{"seed": 7, "topics": [], "items": [{"topic": "t", "template": "u", "outcome": "hinted"}],
                     "when": None}]}
    store.home.mkdir(parents=True)
    raw = json.dumps(old, ensure_ascii=False)
    store.path.write_text(raw, encoding="utf-8")
    loaded, warnings = store.load()
    assert warnings == []
    net = loaded.lessons["simple-net"]
    assert net.status == "in-progress" and net.source == "shipped"
    questions = net.current.questions
    assert questions["dL_dyhat"].closed and questions["dL_dyhat"].answer == "−18"
    assert not questions["dyhat_dw2"].closed  # answered wrong and left: asked again on resume
    assert loaded.lessons["derivatives"].status == "done"
    assert loaded.lessons["partials"].attempts == []
    assert loaded.quizzes[0].items == [item("t", "u", "hinted")] and loaded.quizzes[0].finished
    assert (store.home / "progress.json.format-1").read_text(encoding="utf-8") == raw  # the original, kept
    store.update(lambda p: None)
    assert json.loads(store.path.read_text())["version"] == 2


answers = st.one_of(st.none(), st.text(max_size=20))
outcomes = st.sampled_from(progress_module.OUTCOMES)
questions = st.builds(QuestionRecord, attempts=st.integers(0, 50), hints=st.integers(0, 5), skipped=st.booleans(),
                      correct=st.booleans(), closed=st.booleans(), answer=answers, first=st.one_of(st.none(), outcomes))
attempts = st.builds(Attempt, id=st.text(min_size=1, max_size=8), status=st.sampled_from(progress_module.ATTEMPT_STATUSES),
                     at=answers, updated=answers,
                     questions=st.dictionaries(st.text(min_size=1, max_size=8), questions, max_size=4))
lessons = st.builds(LessonRecord, id=st.text(min_size=1, max_size=8), source=st.text(min_size=1, max_size=8),
                    title=answers, attempts=st.lists(attempts, max_size=3))
items = st.builds(QuizItem, topic=st.text(max_size=10), template=st.text(max_size=10), outcome=outcomes,
                  hints=st.integers(0, 3))
quizzes = st.builds(QuizResult, seed=st.integers(-(2**63), 2**63), topics=st.lists(st.text(max_size=10), max_size=3),
                    items=st.lists(items, max_size=5), when=answers, finished=st.booleans())
progresses = st.builds(Progress, last_lesson=answers,
                       lessons=st.dictionaries(st.text(min_size=1, max_size=10), lessons, max_size=3),
                       quizzes=st.lists(quizzes, max_size=3))


@settings(max_examples=60, deadline=None)
@given(progresses)
def test_any_progress_survives_a_save_and_load(p):
    with tempfile.TemporaryDirectory() as folder:
        s = Store(Path(folder))
        s.save(p)
        assert s.load() == (p, [])


# ---------------------------------------------------------------- merging: nothing a learner did is lost


@settings(max_examples=80, deadline=None)
@given(questions, questions)
def test_merging_question_records_only_ever_adds(a, b):
    merged = a.merge(b)
    assert merged.attempts == max(a.attempts, b.attempts) and merged.hints == max(a.hints, b.hints)
    assert merged.correct == (a.correct or b.correct) and merged.closed == (a.closed or b.closed)
    assert merged.first == (a.first or b.first)
    assert merged.answer == (b.answer if b.answer is not None else a.answer)
    assert merged.merge(b) == merged  # saving the same work twice changes nothing


@settings(max_examples=60, deadline=None)
@given(attempts, attempts)
def test_a_finished_attempt_stays_finished_whatever_is_merged_into_it(a, b):
    merged = a.model_copy(update={"status": "done"}).merge(b)
    assert merged.status == "done" and merged.at is None
    assert set(merged.questions) == set(a.questions) | set(b.questions)


def test_an_empty_new_attempt_is_not_recorded_and_a_new_active_one_stops_the_old():
    record = LessonRecord(id="x", attempts=[Attempt(id="old", questions={"q": QuestionRecord(attempts=1)})])
    record.put(Attempt(id="idle"))
    assert [a.id for a in record.attempts] == ["old"]
    record.put(Attempt(id="new", questions={"q": QuestionRecord(hints=1)}))
    assert [(a.id, a.status) for a in record.attempts] == [("old", "stopped"), ("new", "in-progress")]
    assert record.attempts[0].questions["q"].attempts == 1  # stopped, not erased


def test_two_sessions_saving_at_once_keep_each_others_work(store):
    """A lesson in one terminal and a quiz plus another lesson in a second: every save merges."""
    other = Store(store.home)  # the second terminal's store
    lesson = Attempt(id="L", questions={"q1": QuestionRecord(attempts=1, correct=True, closed=True)})
    store.update(lambda p: p.put_attempt("derivatives", "derivatives", "shipped", "Derivatives", lesson))
    quiz = QuizResult(id="Q", seed=1, topics=[], items=[item("t", "u", "correct")])
    other.update(lambda p: p.put_quiz(quiz))
    partials = Attempt(id="P", questions={"p1": QuestionRecord(hints=1)})
    other.update(lambda p: p.put_attempt("partials", "partials", "shipped", None, partials))
    lesson.question("q2").attempts = 3  # the first terminal goes on and saves again
    store.update(lambda p: p.put_attempt("derivatives", "derivatives", "shipped", "Derivatives", lesson))
    loaded, _ = store.load()
    assert set(loaded.lessons) == {"derivatives", "partials"}
    assert set(loaded.lessons["derivatives"].attempts[0].questions) == {"q1", "q2"}
    assert [q.id for q in loaded.quizzes] == ["Q"]


def test_concurrent_writers_in_separate_processes_lose_nothing(tmp_path):
    """Eight processes each add twenty quiz results under the lock: all 160 are in the file."""
    import subprocess

    code = ("import sys; from pathlib import Path; from backprop_cli.progress import Store, QuizResult, QuizItem\n"
            "s = Store(Path(sys.argv[1]))\n"
            "for i in range(20):\n"
            "    r = QuizResult(seed=i, topics=[], items=[QuizItem(topic=sys.argv[2], template='t', outcome='correct')])\n"
            "    s.update(lambda p: p.put_quiz(r))\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path), f"w{n}"]) for n in range(8)]
    assert [proc.wait(timeout=120) for proc in procs] == [0] * 8
    loaded, warnings = Store(tmp_path).load()
    assert warnings == [] and len(loaded.quizzes) == 160
    assert sorted({q.items[0].topic for q in loaded.quizzes}) == [f"w{n}" for n in range(8)]
    assert not list(tmp_path.glob(".progress.json.*.tmp"))


def test_stray_temp_files_are_cleaned_under_the_lock(store):
    store.save(sample())
    stray = store.home / ".progress.json.abc123.tmp"
    stray.write_text("half a file")
    store.update(lambda p: None)
    assert not stray.exists()
    assert store.load() == (sample(), [])


# ---------------------------------------------------------------- atomic writes


def _files(folder: Path) -> list[str]:
    """The folder's files, but for the lock file (which stays, empty, between saves)."""
    return sorted(f.name for f in folder.iterdir() if f.name != ".progress.json.lock")


def test_a_crash_before_the_rename_leaves_the_old_file_whole(store, monkeypatch):
    store.save(sample())
    before = store.path.read_bytes()

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(ProgressSaveError, match="No space left on device"):
        store.save(Progress())
    assert store.path.read_bytes() == before
    assert _files(store.home) == ["progress.json"]  # no stray temp file


def test_ctrl_c_mid_write_leaves_the_old_file_and_no_temp_file(store, monkeypatch):
    store.save(sample())
    before = store.path.read_bytes()

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.save(Progress())
    assert store.path.read_bytes() == before
    assert _files(store.home) == ["progress.json"]


def test_unwritable_folder_is_a_usage_error_naming_the_path(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    s = Store(blocker / "backprop")  # cannot create a folder inside a file (even as root)
    with pytest.raises(UsageError) as caught:
        s.save(sample())
    message = str(caught.value)
    assert isinstance(caught.value, ProgressSaveError)
    assert str(s.path) in message and "BACKPROP_HOME" in message


def test_unwritable_folder_from_the_cli_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys, no_course):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("BACKPROP_HOME", str(blocker / "home"))
    assert main(["progress", "reset", "--yes"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("backprop: error: cannot save progress to ") and err.count("\n") == 1
    assert "Traceback" not in err


# ---------------------------------------------------------------- unusable files are kept aside


CORRUPT = {
    "bad JSON": (b'{"version": 1, "lessons": {', "is not valid JSON (line 1"),
    "not UTF-8": (b'{"version": 1, "last_lesson": "\xff"}', "not UTF-8"),
    "a list": (b"[1, 2]", "expected an object"),
    "no version": (b'{"lessons": {}}', "version: missing"),
    "version 0": (b'{"version": 0}', "version: expected an integer"),
    "future version": (b'{"version": 99, "whatever": []}', "newer backprop (format 99"),
    "bad status": (b'{"version": 1, "lessons": {"x": {"status": "finished"}}}', "lessons.x.attempts[0].status: input should be"),
    "negative attempts": ((b'{"version": 2, "lessons": {"x": {"id": "x", "attempts": [{"questions": {"q": '
                           b'{"attempts": -1}}}]}}}'), "lessons.x.attempts[0].questions.q.attempts"),
    "v2 bad status": (b'{"version": 2, "lessons": {"x": {"id": "x", "attempts": [{"status": "paused"}]}}}',
                      "lessons.x.attempts[0].status"),
    "bool attempts": (b'{"version": 1, "lessons": {"x": {"questions": {"q": {"attempts": true}}}}}',
                      "lessons.x.attempts[0].questions.q.attempts: input should be a valid integer"),
    "unknown key": (b'{"version": 1, "extra": 1}', "extra: unknown key"),
    "bad outcome": ((b'{"version": 1, "quizzes": [{"seed": 1, "topics": [], "items": '
                     b'[{"topic": "t", "template": "u", "outcome": "meh"}]}]}'), "quizzes[0].items[0].outcome"),
    "quiz without seed": (b'{"version": 1, "quizzes": [{"topics": [], "items": []}]}', "quizzes[0].seed: missing"),
    "deep nesting": (b"[" * 100_000 + b"]" * 100_000, ""),
}


@pytest.mark.parametrize("content, problem", CORRUPT.values(), ids=list(CORRUPT))
def test_unusable_file_is_kept_aside_with_a_warning_and_a_fresh_start(store, content, problem):
    store.home.mkdir(parents=True)
    store.path.write_bytes(content)
    loaded, warnings = store.load()
    assert loaded == Progress()
    assert len(warnings) == 1 and str(store.path) in warnings[0] and problem in warnings[0]
    [aside] = [f for f in store.home.iterdir() if f.name.startswith("progress.json.corrupt-")]
    assert aside.read_bytes() == content  # kept, byte for byte
    assert aside.name in warnings[0]
    assert len(aside.name) == len("progress.json.corrupt-20261125-101010")
    assert not store.path.exists()
    store.save(sample())  # and the fresh start can be saved
    assert store.load() == (sample(), [])


def test_an_unreadable_file_is_kept_aside_too(store):
    store.path.mkdir(parents=True)  # a folder where the file should be: unreadable even as root
    loaded, warnings = store.load()
    assert loaded == Progress() and "could not be read" in warnings[0]
    assert any(f.name.startswith("progress.json.corrupt-") and f.is_dir() for f in store.home.iterdir())


def test_two_bad_files_in_the_same_second_both_survive(store, monkeypatch):
    class Frozen(store_module.datetime):
        @classmethod
        def now(cls, tz=None):
            return store_module.datetime(2026, 11, 25, 10, 10, 10)

    monkeypatch.setattr(store_module, "datetime", Frozen)
    store.home.mkdir(parents=True)
    for content in (b"{first", b"{second", b"{third"):
        store.path.write_bytes(content)
        store.load()
    assert (store.home / "progress.json.corrupt-20261125-101010").read_bytes() == b"{first"
    assert (store.home / "progress.json.corrupt-20261125-101010-1").read_bytes() == b"{second"
    assert (store.home / "progress.json.corrupt-20261125-101010-2").read_bytes() == b"{third"


def test_a_bad_file_that_cannot_be_moved_aside_is_never_overwritten(store, monkeypatch):
    store.home.mkdir(parents=True)
    store.path.write_bytes(b"{oops")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "rename", refuse)
    loaded, warnings = store.load()
    assert loaded == Progress() and "will not be saved" in warnings[0]
    with pytest.raises(ProgressSaveError, match="could not be moved aside"):
        store.save(sample())
    assert store.path.read_bytes() == b"{oops"


# ---------------------------------------------------------------- where the file lives


def test_backprop_home_is_respected(monkeypatch, tmp_path):
    monkeypatch.setenv("BACKPROP_HOME", str(tmp_path / "elsewhere"))
    assert Store().path == tmp_path / "elsewhere" / "progress.json"
    assert Store(tmp_path / "explicit").path == tmp_path / "explicit" / "progress.json"
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("BACKPROP_HOME", "~/bp")
    assert Store().path == tmp_path / "bp" / "progress.json"


def test_without_backprop_home_the_platform_data_folder_is_used(monkeypatch, tmp_path):
    import platformdirs

    monkeypatch.delenv("BACKPROP_HOME")
    assert Store().home == Path(platformdirs.user_data_dir("backprop", appauthor=False))
    monkeypatch.setenv("BACKPROP_HOME", "  ")
    assert Store().home.name == "backprop"


def test_a_backprop_home_whose_name_is_too_long_is_one_clear_line(monkeypatch, capsys, tmp_path, no_course):
    monkeypatch.setenv("BACKPROP_HOME", str(tmp_path / ("x" * 300)))
    assert main(["progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("backprop: error: cannot use BACKPROP_HOME=") and "File name too long" in err
    assert err.count("\n") == 1 and "Traceback" not in err


# ---------------------------------------------------------------- reset


def test_reset_one_lesson_stops_its_attempt_and_keeps_the_rest(store):
    store.save(sample())
    after = store.reset("simple-net")
    assert [a.status for a in after.lessons["simple-net"].attempts] == ["stopped"]  # kept, no longer resumed
    assert after.lessons["simple-net"].current is None and after.lessons["simple-net"].status == "not-started"
    assert after.lessons["derivatives"] == sample().lessons["derivatives"]
    assert after.last_lesson is None  # it pointed at the lesson just reset
    assert len(after.quizzes) == 2
    assert store.load() == (after, [])


def test_reset_of_a_finished_lesson_keeps_it_done(store):
    store.save(sample())
    after = store.reset("derivatives")
    assert after.lessons["derivatives"].status == "done"


def test_reset_everything_keeps_the_old_file_aside(store):
    store.save(sample())
    before = store.path.read_bytes()
    assert store.reset() == Progress()
    assert store.load() == (Progress(), [])
    [aside] = [f for f in store.home.iterdir() if f.name.startswith("progress.json.reset-")]
    assert aside.read_bytes() == before


def test_resolve_lesson_by_id_number_key_or_file(tmp_path):
    p = sample()
    assert resolve_lesson("simple-net", p, CATALOG) == "simple-net"
    assert resolve_lesson("2", p, CATALOG) == "partials"
    assert resolve_lesson("derivatives", p, None) == "derivatives"
    own = tmp_path / "own.yaml"
    key = f"simple-net@{own}"
    p.lessons[key] = LessonRecord(id="simple-net", source=str(own))
    assert resolve_lesson(key, p, CATALOG) == key
    assert resolve_lesson(str(own), p, CATALOG) == key  # by its file
    assert resolve_lesson("simple-net", p, CATALOG) == "simple-net"  # the shipped lesson comes first
    with pytest.raises(UsageError, match="unknown lesson 'nope'; known lessons: derivatives, partials, simple-net, "):
        resolve_lesson("nope", p, CATALOG)
    with pytest.raises(UsageError, match="no lesson has any progress yet"):
        resolve_lesson("nope", Progress(), None)


# ---------------------------------------------------------------- scores


def test_quiz_result_counts():
    quiz = sample().quizzes[0]
    assert (quiz.correct, quiz.hinted, quiz.wrong, quiz.skipped, quiz.total) == (1, 1, 1, 1, 4)
    assert quiz.score == 2 and quiz.percent == 50.0
    assert quiz.with_hints == 2  # the wrong answer after a hint counts as a hint used
    assert QuizResult(seed=1, topics=[]).percent is None  # a quiz quit before its first question


def test_topic_scores_weakest_first():
    scores = topic_scores(sample())
    assert scores == [
        TopicScore("sigmoid-net", 0, 1, 0, wrong=1),
        TopicScore("chain-rule", 1, 3, 1, wrong=2),  # wrong, hinted, wrong: the hinted one counts as correct
        TopicScore("simple-net", 1, 2, 0, skipped=1),
        TopicScore("derivatives", 2, 2, 0),
    ]
    assert scores[1].percent == pytest.approx(100 / 3)


def test_ties_put_the_topic_needing_more_hints_first():
    p = Progress(quizzes=[QuizResult(seed=1, topics=[], items=[item("a", "t", "correct"), item("a", "t", "correct"),
                                                               item("b", "t", "hinted"), item("b", "t", "correct")])])
    assert [s.topic for s in topic_scores(p)] == ["b", "a"]
    assert weakest_topics(p) == [TopicScore("b", 2, 2, 1)]  # all right, but one needed a hint


def test_weakest_topics_need_two_attempts_and_a_miss():
    weak = weakest_topics(sample())
    assert [s.topic for s in weak] == ["chain-rule", "simple-net"]  # sigmoid-net has 1 item; derivatives 2/2
    assert weakest_topics(Progress()) == []


def test_template_misses_count_wrong_and_skipped_only():
    assert template_misses(sample()) == {
        ("chain-rule", "chain-linear"): 2,
        ("simple-net", "grad-w2"): 1,
        ("sigmoid-net", "sigma-prime"): 1,
    }


def test_summary_lists_the_catalogue_first_then_other_lessons():
    p = sample()
    p.lessons["teachers-own@/t/own.yaml"] = LessonRecord(id="teachers-own", source="/t/own.yaml", title="Own",
                                                         attempts=[Attempt(questions={"a": QuestionRecord(hints=1)})])
    summary = summarize(p, CATALOG, path="/x/progress.json")
    assert [lesson.id for lesson in summary.lessons] == ["derivatives", "partials", "simple-net", "teachers-own"]
    net = summary.lessons[2]
    assert (net.title, net.number, net.status) == ("The simple network", 5, "in-progress")
    assert (net.at_question, net.at_prompt) == (3, "What is ∂L/∂w2?")  # the first question not passed
    assert (net.asked, net.correct, net.hints, net.skipped, net.questions) == (2, 1, 1, 1, 9)
    assert summary.lessons[1].status == "not-started" and summary.lessons[1].asked == 0
    own = summary.lessons[3]
    assert (own.title, own.key, own.source, own.status) == ("Own", "teachers-own@/t/own.yaml", "/t/own.yaml",
                                                            "in-progress")
    assert summary.last is net
    assert [(q.score, q.total) for q in summary.quizzes] == [(2, 4), (2, 4)]


def test_a_finished_lesson_under_way_again_reads_done_and_again():
    p = sample()
    again = Attempt(questions={"slope": QuestionRecord(attempts=1)})
    p.lessons["derivatives"].attempts.append(again)
    [d] = [s for s in summarize(p, CATALOG).lessons if s.id == "derivatives"]
    assert (d.status, d.again, d.finished, d.at_question, d.asked) == ("done", True, 1, 1, 1)


# ---------------------------------------------------------------- the rendered summary


def _render(summary, width=80) -> list[str]:
    out = io.StringIO()
    console(file=out, width=width).print(summary_view(summary))
    return [line.rstrip() for line in out.getvalue().splitlines()]


def _words(lines: list[str]) -> list[list[str]]:
    return [line.split() for line in lines]


def test_rendered_summary_at_width_80():
    lines = _render(summarize(sample(), CATALOG, path="/home/me/progress.json"))
    assert all(len(line) <= 80 for line in lines)
    rows = _words(lines)
    assert ["#", "lesson", "status", "at", "correct", "hints", "skips"] in rows
    assert ["1", "Derivatives", "done", "—", "1/1", "0", "0"] in rows
    assert ["2", "Partial", "derivatives", "not", "started", "—", "—", "—", "—"] in rows
    assert ["5", "The", "simple", "network", "in", "progress", "Q3", "1/2", "1", "1"] in rows
    at = lines.index("Last lesson: The simple network (simple-net), at question 3 of 9:")
    assert lines[at + 1:at + 3] == ["  What is ∂L/∂w2?", "Continue with backprop learn simple-net"]
    assert ["2026-11-25", "42", "chain-rule,", "simple-net", "2/4", "50%", "2"] in rows  # two items with a hint used
    assert ["—", "7", "all", "2/4", "50%", "0"] in rows
    assert ["chain-rule", "1/3", "33%", "1"] in rows
    assert ["simple-net", "1/2", "50%", "0"] in rows
    assert not any(row[:1] == ["sigmoid-net"] for row in rows)  # one item is not enough to call it weak
    assert not any("No lesson started yet" in line for line in lines)
    assert lines[-1] == "Saved in /home/me/progress.json"


def test_at_60_columns_each_lesson_keeps_one_line():
    catalog = [SimpleNamespace(id=f"l{n}", key=f"l{n}", title=title, number=n, question_count=8, questions=())
               for n, title in enumerate(["Derivatives — how fast a function changes",
                                          "Partial derivatives — one input at a time",
                                          "Backpropagation through sigmoid neurons, step by step"], start=1)]
    lines = _render(summarize(Progress(), catalog, path="/p"), width=60)
    assert all(len(line) <= 60 for line in lines)
    rows = [line.split() for line in lines if line.strip()[:1] in ("1", "2", "3")]
    assert len(rows) == 3 and all(row[-3:] == ["started", "—", "—"] for row in rows)  # one line each
    assert rows[0][:2] == ["1", "Derivatives"] and rows[2][-5].endswith("…")  # the long title cut with …
    assert ["#", "lesson", "status", "at", "correct"] in _words(lines)  # hints and skips give way


def test_a_quiz_over_every_topic_reads_all():
    from backprop_cli.quiz import TOPICS

    p = Progress(quizzes=[QuizResult(seed=3, topics=list(TOPICS), items=[item("derivatives", "slope-at", "correct")])])
    rows = _words(_render(summarize(p, CATALOG, path="/p")))
    assert ["—", "3", "all", "1/1", "100%", "0"] in rows


def test_percentages_round_halves_up_like_the_quizs_own_table():
    from backprop_cli.quiz.runner import score_table

    items = [item("derivatives", "slope-at", "correct")] + [item("derivatives", "slope-at", "wrong")] * 7
    assert score_table(items).summary == "Score: 1/8 (13%)"
    quiz = QuizResult(seed=5, topics=["derivatives"], items=items)
    rows = _words(_render(summarize(Progress(quizzes=[quiz]), CATALOG, path="/p")))
    assert ["—", "5", "derivatives", "1/8", "13%", "0"] in rows
    assert ["derivatives", "1/8", "13%", "0"] in rows  # the weakest topics


def test_rendered_summary_when_nothing_is_done_yet():
    text = "\n".join(_render(summarize(Progress(), CATALOG, path="/p")))
    assert "No lesson started yet: begin with backprop learn." in text
    assert "No quizzes yet: try backprop quiz." in text
    assert "Last lesson" not in text and "Weakest" not in text
    assert text.count("not started") == 3


def test_quiz_history_shows_the_last_ten():
    p = Progress(quizzes=[QuizResult(seed=seed, topics=[], items=[item("t", "u", "correct")])
                          for seed in range(1000, 1013)])
    lines = _render(summarize(p, None, path="/p"))
    assert "Quiz history (last 10 of 13)" in lines
    seeds = [row[1] for row in _words(lines) if len(row) > 1 and row[1].isdigit() and len(row[1]) == 4]
    assert seeds == [str(s) for s in range(1003, 1013)]


# ---------------------------------------------------------------- the command


def test_progress_command_shows_the_summary(store, capsys, no_course):
    store.save(sample())
    assert main(["progress"]) == 0
    out = capsys.readouterr().out
    rows = _words(out.splitlines())
    assert ["The", "simple", "network", "in", "progress", "—", "1/2", "1", "1"] in rows  # no catalogue: no question list
    assert "Last lesson: The simple network (simple-net), in progress.\n" in out
    assert f"Saved in {store.path}" in out


def test_progress_command_lists_not_started_lessons_from_the_course(store, capsys, course):
    store.save(sample())
    assert main(["progress"]) == 0
    assert ["2", "Partial", "derivatives", "not", "started", "—", "—", "—", "—"] in _words(capsys.readouterr().out.splitlines())


def test_progress_json_is_one_document(store, capsys, course):
    store.save(sample())
    assert main(["progress", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["version"] == SCHEMA_VERSION and doc["file"] == str(store.path)
    assert doc["last_lesson"] == "simple-net"
    net = next(lesson for lesson in doc["lessons"] if lesson["id"] == "simple-net")
    assert net == {"id": "simple-net", "title": "The simple network", "number": 5, "status": "in-progress",
                   "asked": 2, "correct": 1, "hints": 1, "skipped": 1, "questions": 9,
                   "updated": "2026-11-25T10:00:00+00:00", "key": "simple-net", "source": "shipped", "finished": 0,
                   "again": False, "at_question": 3, "at_prompt": "What is ∂L/∂w2?"}
    assert [lesson["id"] for lesson in doc["lessons"]] == ["derivatives", "partials", "simple-net"]
    assert doc["quizzes"][0] == {"when": "2026-11-25T10:30:00+00:00", "seed": 42,
                                 "topics": ["chain-rule", "simple-net"], "score": 2, "total": 4, "correct": 1,
                                 "hinted": 1, "wrong": 1, "skipped": 1, "percent": 50.0, "with_hints": 2,
                                 "finished": True}
    assert [t["topic"] for t in doc["weakest_topics"]] == ["chain-rule", "simple-net"]
    assert doc["weakest_topics"][0]["percent"] == pytest.approx(100 / 3)
    assert doc["warnings"] == []


def test_progress_json_with_a_corrupt_file_warns_on_stderr_only(store, capsys, no_course):
    store.home.mkdir(parents=True)
    store.path.write_text("{ not json")
    assert main(["progress", "--json"]) == 0
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert doc["lessons"] == [] and len(doc["warnings"]) == 1
    assert captured.err.startswith(f"backprop: warning: progress file {store.path} is not valid JSON")
    assert "Traceback" not in captured.err


def test_reset_one_lesson_from_the_cli(store, capsys, no_course):
    store.save(sample())
    assert main(["progress", "reset", "simple-net"]) == 0
    assert "Lesson simple-net reset" in capsys.readouterr().out
    progress, _ = store.load()
    assert progress.lessons["simple-net"].current is None and len(progress.quizzes) == 2
    assert main(["progress", "reset", "derivatives"]) == 0
    assert "Its 1 finished attempt is kept in your record." in capsys.readouterr().out


def test_reset_by_number_and_a_lesson_without_progress(store, capsys, course):
    store.save(sample())
    assert main(["progress", "reset", "5"]) == 0
    assert main(["progress", "reset", "partials"]) == 0
    out = capsys.readouterr().out
    assert "Lesson simple-net reset" in out and "Lesson partials has no progress; nothing to reset." in out
    assert set(store.load()[0].lessons) == {"derivatives", "simple-net"}


def test_reset_an_unknown_lesson_is_exit_2(store, capsys, course):
    store.save(sample())
    before = store.path.read_bytes()
    assert main(["progress", "reset", "nope"]) == 2
    err = capsys.readouterr().err
    assert err == "backprop: error: unknown lesson 'nope'; known lessons: derivatives, partials, simple-net\n"
    assert store.path.read_bytes() == before


def test_reset_everything_with_yes(store, capsys, no_course):
    store.save(sample())
    assert main(["progress", "reset", "--yes"]) == 0
    assert "All progress erased" in capsys.readouterr().out
    assert store.load() == (Progress(), [])


def test_reset_everything_on_a_pipe_without_yes_refuses(store, capsys, no_course):
    store.save(sample())
    before = store.path.read_bytes()
    assert main(["progress", "reset"]) == 2  # stdin/stdout are not a terminal under pytest
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "add --yes" in captured.err and captured.out == ""
    assert store.path.read_bytes() == before


@pytest.mark.parametrize("reply, erased", [("y\n", True), ("n\n", False), ("\n", False)])
def test_reset_everything_on_a_terminal_asks_first(store, capsys, monkeypatch, no_course, reply, erased):
    from backprop_cli.render import theme

    store.save(sample())
    monkeypatch.setattr(theme, "interactive", lambda: True)
    monkeypatch.setattr(sys, "stdin", io.StringIO(reply))
    assert main(["progress", "reset"]) == 0
    out = capsys.readouterr().out
    assert "Erase all progress (2 lessons, 2 quizzes)" in out
    assert (store.load()[0] == Progress()) is erased
    assert ("Nothing was reset." in out) is (not erased)


# --- merging two saves of the same work: the order of statuses, a finished quiz ------------------


@pytest.mark.parametrize(("first", "second", "merged"), [
    ("stopped", "in-progress", "in-progress"),
    ("in-progress", "stopped", "in-progress"),
    ("stopped", "done", "done"),
    ("in-progress", "done", "done"),
    ("stopped", "stopped", "stopped"),
])
def test_merged_attempts_keep_the_furthest_status(first, second, merged):
    a = Attempt(id="a", status=first, at="q1")
    b = Attempt(id="a", status=second, at="q2")
    result = a.merge(b)
    assert result.status == merged
    assert result.at == (None if merged == "done" else "q2")


@pytest.mark.parametrize(("first", "second"), [(True, False), (False, True), (True, True)])
def test_a_quiz_finished_in_either_save_stays_finished(first, second):
    item = QuizItem(topic="t", template="u", outcome="correct")
    short = QuizResult(id="q", seed=1, topics=[], items=[item], finished=first)
    long = QuizResult(id="q", seed=1, topics=[], items=[item, item], finished=second)
    for merged in (short.merge(long), long.merge(short)):
        assert merged.finished is True and len(merged.items) == 2
    unfinished = QuizResult(id="q", seed=1, topics=[], items=[item], finished=False)
    assert unfinished.merge(unfinished).finished is False
