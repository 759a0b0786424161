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
    LessonProgress,
    Progress,
    ProgressSaveError,
    QuestionProgress,
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
from backprop_cli.render.progress import summary_view
from backprop_cli.render.theme import console

CATALOG = [
    SimpleNamespace(id="derivatives", title="Derivatives", number=1, question_count=6),
    SimpleNamespace(id="partials", title="Partial derivatives", number=2, question_count=5),
    SimpleNamespace(id="simple-net", title="The simple network", number=5, question_count=9),
]


def sample() -> Progress:
    p = Progress(last_lesson="simple-net")
    net = p.lesson("simple-net")
    net.status, net.step, net.updated = "in-progress", 6, "2026-11-25T10:00:00+00:00"
    q = net.question("dL_dyhat")
    q.attempts, q.hints, q.correct, q.answer = 2, 1, True, "−18"
    net.question("dL_dw2").skipped = True
    net.question("dyhat_dw2")  # created but never acted on: not "asked"
    d = p.lesson("derivatives")
    d.status, d.step = "done", 12
    d.question("slope").attempts, d.question("slope").correct, d.question("slope").answer = 1, True, "3x^2 - 6x + 2"
    p.quizzes.append(QuizResult(42, ["chain-rule", "simple-net"], [
        QuizItem("chain-rule", "chain-linear", "wrong"),
        QuizItem("chain-rule", "chain-square", "hinted"),
        QuizItem("simple-net", "grad-w2", "correct"),
        QuizItem("simple-net", "grad-w2", "skipped"),
    ], "2026-11-25T10:30:00+00:00"))
    p.quizzes.append(QuizResult(7, [], [
        QuizItem("chain-rule", "chain-linear", "wrong"),
        QuizItem("derivatives", "slope-at", "correct"),
        QuizItem("derivatives", "slope-at", "correct"),
        QuizItem("sigmoid-net", "sigma-prime", "wrong"),
    ], None))
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
    assert text.endswith("}\n") and '\n  "version": 1,' in text  # indent 2, version first
    assert "−18" in text  # real Unicode, not \u escapes
    assert json.loads(text)["lessons"]["simple-net"]["questions"]["dL_dyhat"]["answer"] == "−18"


def test_missing_file_is_a_fresh_start_and_creates_nothing(store):
    assert store.load() == (Progress(), [])
    assert not store.home.exists()


def test_lesson_and_question_get_or_create():
    p = Progress()
    first = p.lesson("chain-rule")
    assert p.lesson("chain-rule") is first and p.lessons == {"chain-rule": LessonProgress()}
    q = first.question("q1")
    q.attempts += 1
    assert first.question("q1").attempts == 1


answers = st.one_of(st.none(), st.text(max_size=20))
questions = st.builds(QuestionProgress, attempts=st.integers(0, 50), hints=st.integers(0, 5),
                      skipped=st.booleans(), correct=st.booleans(), answer=answers)
lessons = st.builds(LessonProgress, status=st.sampled_from(progress_module.STATUSES), step=st.integers(0, 40),
                    questions=st.dictionaries(st.text(min_size=1, max_size=8), questions, max_size=4),
                    updated=answers)
items = st.builds(QuizItem, topic=st.text(max_size=10), template=st.text(max_size=10),
                  outcome=st.sampled_from(progress_module.OUTCOMES))
quizzes = st.builds(QuizResult, seed=st.integers(-(2**63), 2**63), topics=st.lists(st.text(max_size=10), max_size=3),
                    items=st.lists(items, max_size=5), when=answers)
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


# ---------------------------------------------------------------- atomic writes


def _files(folder: Path) -> list[str]:
    return sorted(f.name for f in folder.iterdir())


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
    "bad status": (b'{"version": 1, "lessons": {"x": {"status": "finished"}}}', "lessons.x.status: expected one of"),
    "negative step": (b'{"version": 1, "lessons": {"x": {"step": -1}}}', "lessons.x.step"),
    "bool attempts": (b'{"version": 1, "lessons": {"x": {"questions": {"q": {"attempts": true}}}}}',
                      "lessons.x.questions.q.attempts"),
    "unknown key": (b'{"version": 1, "extra": 1}', "extra: unknown key"),
    "bad outcome": (b'{"version": 1, "quizzes": [{"seed": 1, "topics": [], "items": '
                    b'[{"topic": "t", "template": "u", "outcome": "meh"}]}]}', "quizzes[0].items[0].outcome"),
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
    class Frozen(progress_module.datetime):
        @classmethod
        def now(cls, tz=None):
            return progress_module.datetime(2026, 11, 25, 10, 10, 10)

    monkeypatch.setattr(progress_module, "datetime", Frozen)
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


# ---------------------------------------------------------------- reset


def test_reset_one_lesson_keeps_the_rest(store):
    store.save(sample())
    after = store.reset("simple-net")
    assert "simple-net" not in after.lessons and "derivatives" in after.lessons
    assert after.last_lesson is None  # it pointed at the lesson just reset
    assert len(after.quizzes) == 2
    assert store.load() == (after, [])


def test_reset_everything(store):
    store.save(sample())
    assert store.reset() == Progress()
    assert store.load() == (Progress(), [])


def test_resolve_lesson_by_id_number_or_file():
    p = sample()
    assert resolve_lesson("simple-net", p, CATALOG) == "simple-net"
    assert resolve_lesson("2", p, CATALOG) == "partials"
    assert resolve_lesson("derivatives", p, None) == "derivatives"
    with pytest.raises(UsageError, match="unknown lesson 'nope'; known lessons: derivatives, partials, simple-net$"):
        resolve_lesson("nope", p, CATALOG)
    with pytest.raises(UsageError, match="no lesson has any progress yet"):
        resolve_lesson("nope", Progress(), None)


# ---------------------------------------------------------------- scores


def test_quiz_result_counts():
    quiz = sample().quizzes[0]
    assert (quiz.correct, quiz.hinted, quiz.wrong, quiz.skipped, quiz.total) == (1, 1, 1, 1, 4)
    assert quiz.score == 2 and quiz.percent == 50.0
    assert QuizResult(1, [], []).percent is None  # a quiz quit before its first question


def test_topic_scores_weakest_first():
    scores = topic_scores(sample())
    assert scores == [
        TopicScore("sigmoid-net", 0, 1, 0),
        TopicScore("chain-rule", 1, 3, 1),  # wrong, hinted, wrong: the hinted one counts as correct
        TopicScore("simple-net", 1, 2, 0),
        TopicScore("derivatives", 2, 2, 0),
    ]
    assert scores[1].percent == pytest.approx(100 / 3)


def test_ties_put_the_topic_needing_more_hints_first():
    p = Progress(quizzes=[QuizResult(1, [], [QuizItem("a", "t", "correct"), QuizItem("a", "t", "correct"),
                                             QuizItem("b", "t", "hinted"), QuizItem("b", "t", "correct")])])
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
    p.lesson("teachers-own").status = "in-progress"
    summary = summarize(p, CATALOG, path="/x/progress.json")
    assert [lesson.id for lesson in summary.lessons] == ["derivatives", "partials", "simple-net", "teachers-own"]
    net = summary.lessons[2]
    assert (net.title, net.number, net.status, net.step) == ("The simple network", 5, "in-progress", 6)
    assert (net.asked, net.correct, net.hints, net.skipped, net.questions) == (2, 1, 1, 1, 9)
    assert summary.lessons[1].status == "not-started" and summary.lessons[1].asked == 0
    assert summary.last is net
    assert [(q.score, q.total) for q in summary.quizzes] == [(2, 4), (2, 4)]


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
    assert "#  lesson  status  at step  correct  hints  skips".split() in rows
    assert "1 Derivatives done — 1/1 0 0".split() in rows
    assert "2 Partial derivatives not started — — — —".split() in rows
    assert "5 The simple network in progress 7 1/2 1 1".split() in rows  # step index 6 = step 7
    at = lines.index("Last lesson: The simple network (simple-net), at step 7.")
    assert lines[at + 1] == "Continue with backprop learn simple-net"
    assert "2026-11-25 42 chain-rule, simple-net 2/4 50% 1".split() in rows
    assert "— 7 all 2/4 50% 0".split() in rows
    assert "chain-rule 1/3 33% 1".split() in rows
    assert "simple-net 1/2 50% 0".split() in rows
    assert not any(row[:1] == ["sigmoid-net"] for row in rows)  # one item is not enough to call it weak
    assert not any("No lesson started yet" in line for line in lines)
    assert lines[-1] == "Saved in /home/me/progress.json"


def test_a_quiz_over_every_topic_reads_all():
    from backprop_cli.quiz import TOPICS

    p = Progress(quizzes=[QuizResult(3, list(TOPICS), [QuizItem("derivatives", "slope-at", "correct")])])
    rows = _words(_render(summarize(p, CATALOG, path="/p")))
    assert "— 3 all 1/1 100% 0".split() in rows


def test_percentages_round_halves_up_like_the_quizs_own_table():
    from backprop_cli.quiz.session import score_table

    items = [QuizItem("derivatives", "slope-at", "correct")] + [QuizItem("derivatives", "slope-at", "wrong")] * 7
    assert score_table(items).summary == "Score: 1/8 (13%)"
    rows = _words(_render(summarize(Progress(quizzes=[QuizResult(5, ["derivatives"], items)]), CATALOG, path="/p")))
    assert "— 5 derivatives 1/8 13% 0".split() in rows
    assert "derivatives 1/8 13% 0".split() in rows  # the weakest topics


def test_rendered_summary_when_nothing_is_done_yet():
    text = "\n".join(_render(summarize(Progress(), CATALOG, path="/p")))
    assert "No lesson started yet: begin with backprop learn." in text
    assert "No quizzes yet: try backprop quiz." in text
    assert "Last lesson" not in text and "Weakest" not in text
    assert text.count("not started") == 3


def test_quiz_history_shows_the_last_ten():
    p = Progress(quizzes=[QuizResult(seed, [], [QuizItem("t", "u", "correct")]) for seed in range(1000, 1013)])
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
    assert "simple-net in progress 7 1/2 1 1".split() in rows
    assert "Last lesson: simple-net, at step 7.\nContinue with backprop learn simple-net\n" in out
    assert f"Saved in {store.path}" in out


def test_progress_command_lists_not_started_lessons_from_the_course(store, capsys, course):
    store.save(sample())
    assert main(["progress"]) == 0
    assert "2 Partial derivatives not started — — — —".split() in _words(capsys.readouterr().out.splitlines())


def test_progress_json_is_one_document(store, capsys, course):
    store.save(sample())
    assert main(["progress", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["version"] == SCHEMA_VERSION and doc["file"] == str(store.path)
    assert doc["last_lesson"] == "simple-net"
    net = next(lesson for lesson in doc["lessons"] if lesson["id"] == "simple-net")
    assert net == {"id": "simple-net", "title": "The simple network", "number": 5, "status": "in-progress",
                   "step": 6, "asked": 2, "correct": 1, "hints": 1, "skipped": 1, "questions": 9,
                   "updated": "2026-11-25T10:00:00+00:00"}
    assert [lesson["id"] for lesson in doc["lessons"]] == ["derivatives", "partials", "simple-net"]
    assert doc["quizzes"][0] == {"when": "2026-11-25T10:30:00+00:00", "seed": 42,
                                 "topics": ["chain-rule", "simple-net"], "score": 2, "total": 4, "correct": 1,
                                 "hinted": 1, "wrong": 1, "skipped": 1, "percent": 50.0}
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
    assert set(progress.lessons) == {"derivatives"} and len(progress.quizzes) == 2


def test_reset_by_number_and_a_lesson_without_progress(store, capsys, course):
    store.save(sample())
    assert main(["progress", "reset", "5"]) == 0
    assert main(["progress", "reset", "partials"]) == 0
    out = capsys.readouterr().out
    assert "Lesson simple-net reset" in out and "Lesson partials has no progress; nothing to reset." in out
    assert set(store.load()[0].lessons) == {"derivatives"}


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
