"""A class's results: `progress export` writes a learner's record, `report` reads many."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from backprop_cli.cli import main
from backprop_cli.progress import (
    Attempt,
    Diagnosed,
    LessonRecord,
    Progress,
    QuestionRecord,
    QuizItem,
    QuizResult,
    Store,
)


def learner(store_home: Path, monkeypatch, progress: Progress, name: str, out: Path) -> Path:
    monkeypatch.setenv("BACKPROP_HOME", str(store_home))
    Store().save(progress)
    assert main(["progress", "export", "--name", name, "--output", str(out)]) == 0
    return out


def q(first: str, *, correct=True, mistakes=(), hints=0, attempts=1) -> QuestionRecord:
    return QuestionRecord(attempts=attempts, hints=hints, correct=correct, closed=True, first=first,
                          mistakes=[Diagnosed(name=n, feedback=f) for n, f in mistakes])


SIGN = ("sign", "You flipped the sign: ∂L/∂ŷ is ŷ − y.")
HALF = ("half", "The ½ of the loss cancels the 2.")


@pytest.fixture
def exports(tmp_path, monkeypatch, capsys):
    """Three learners: Ada finished simple-net (first try right on both), Bo is part-way with a sign
    slip, Cy finished after a retry (the second attempt does not change her first tries)."""
    def record(*attempts: Attempt) -> Progress:
        return Progress(lessons={"simple-net": LessonRecord(id="simple-net", attempts=list(attempts))},
                        quizzes=[QuizResult(seed=7, topics=[], items=[QuizItem(topic="t", template="u",
                                                                                outcome="correct")])])

    ada = record(Attempt(status="done", questions={"h_value": q("correct"), "dL_dyhat": q("correct")}))
    bo = record(Attempt(questions={"h_value": q("correct"), "dL_dyhat": q("wrong", correct=False, mistakes=[SIGN])}))
    cy = record(Attempt(status="done", questions={"h_value": q("hinted", hints=1),
                                                  "dL_dyhat": q("wrong", attempts=3, mistakes=[SIGN, HALF])}),
                Attempt(status="done", questions={"h_value": q("correct"), "dL_dyhat": q("correct")}))
    paths = [learner(tmp_path / name, monkeypatch, p, name.capitalize(), tmp_path / f"{name}.json")
             for name, p in (("ada", ada), ("bo", bo), ("cy", cy))]
    capsys.readouterr()
    return paths


def test_an_export_is_a_versioned_document_with_first_tries_and_mistakes(exports):
    doc = json.loads(exports[2].read_text(encoding="utf-8"))
    assert (doc["format"], doc["version"], doc["name"]) == ("backprop-learner-record", 1, "Cy")
    [lesson] = doc["lessons"]
    assert (lesson["id"], lesson["status"], lesson["finished_attempts"]) == ("simple-net", "done", 2)
    assert lesson["title"] == "Backpropagation by hand — a two-weight network"  # from the catalogue
    by_id = {question["id"]: question for question in lesson["questions"]}
    assert [question["id"] for question in lesson["questions"]] == ["h_value", "dL_dyhat"]  # lesson order
    assert by_id["h_value"]["number"] == 1 and by_id["h_value"]["prompt"].startswith("What is the hidden value")
    assert by_id["dL_dyhat"]["first"] == "wrong"  # the first attempt's first try, not the retry's
    assert [m["name"] for m in by_id["dL_dyhat"]["mistakes"]] == ["sign", "half"]
    assert doc["quizzes"] == [{"when": None, "seed": 7, "topics": [], "score": 1, "total": 1, "finished": False}]
    assert doc["skills"] == {}


def test_the_class_report_counts_finishers_first_tries_and_common_mistakes(exports, tmp_path, capsys):
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text('{"format": "backprop-learner-record", "version": 1, "name": "Zed", "lessons": "oops"}')
    foreign = tmp_path / "foreign.json"
    foreign.write_text('{"version": 2, "lessons": {}}')  # a progress file, not an export
    assert main(["report", *map(str, exports), str(corrupt), str(foreign), str(tmp_path / "missing.json")]) == 0
    captured = capsys.readouterr()
    errors = captured.err.splitlines()
    assert len(errors) == 3 and all(line.startswith("backprop: warning: ") and line.endswith("; skipped")
                                    for line in errors)
    assert "corrupt.json has an unexpected shape" in errors[0] and "foreign.json is not a backprop learner" in errors[1]
    assert "missing.json cannot be read" in errors[2]
    rows = [line.split() for line in captured.out.splitlines()]
    assert ["Class", "report", "·", "3", "learners"] in rows
    assert any(row[-4:] == ["2/3", "Ada,", "Cy", "Bo"] for row in rows)  # finished: Ada and Cy; Bo in progress
    out = captured.out
    assert "2/3 (67%)" in out  # h_value: Ada and Bo right first; Cy needed a hint
    assert "1/3 (33%)" in out  # dL_dyhat: Ada only
    assert "2× You flipped the sign" in out and "1× The ½ of the loss cancels" in out


def test_the_csv_has_one_row_per_question(exports, capsys):
    assert main(["report", "--csv", *map(str, exports)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["question"], r["learners"], r["first_try"], r["first_try_rate"]) for r in rows] == [
        ("h_value", "3", "2", "0.667"), ("dL_dyhat", "3", "1", "0.333")]
    assert rows[1]["common_mistakes"].startswith("You flipped the sign: ∂L/∂ŷ is ŷ − y. (2)")
    assert rows[0]["finished"] == "2"


def test_the_report_exports_html(exports, tmp_path, capsys):
    page = tmp_path / "class.html"
    assert main(["report", *map(str, exports), "--export", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert "<html" in html.lower() and "Class report" in html and "You flipped the sign" in html


def test_no_usable_file_is_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe")
    assert main(["report", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.json is not JSON; skipped" in err and "nothing to report" in err and "Traceback" not in err


def test_export_needs_a_name_and_a_writable_file(tmp_path, capsys):
    assert main(["progress", "export", "--name", " ", "--output", str(tmp_path / "x.json")]) == 2
    assert main(["progress", "export", "--name", "A", "--output", str(tmp_path / "no" / "x.json")]) == 2
    err = capsys.readouterr().err
    assert "--name must not be empty" in err and "cannot write" in err

