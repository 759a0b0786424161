"""`lessons validate` file by file (course/validation.py) says exactly what lint_course and
vary.check say, and a remembered result is the result a fresh run gives, until anything it
depends on changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_validate_all import FIVE, RUNNABLE

from backprop_cli.cli import main
from backprop_cli.course import lesson_files, validation, vary
from backprop_cli.course.lint import lint_course

NETWORK = """\
version: 1
name: tiny
learning_rate: 0.1
inputs: {x: 2}
targets: {y: 3}
parameters: {w: 0.5}
nodes:
  y_hat: w*x
loss: (y - y_hat)^2 / 2
"""

OWN_NETWORK = """\
version: 1
id: own-net
title: Its own network
summary: A lesson naming a network file in its folder.
order: 2
requires: [five]
setup:
  network: tiny.yaml
steps:
  - id: q1
    ask: number
    prompt: What is ŷ?
    answer: y_hat
    hints: [w times x]
    explanation: "ŷ = {{y_hat}}."
"""


def _broken(folder: Path) -> list[Path]:
    """Files with problems of every kind: schema, names, keys, mistakes, a repeated id, a network file."""
    (folder / "tiny.yaml").write_text(NETWORK, encoding="utf-8")
    texts = {"five.yaml": FIVE, "runnable.yaml": RUNNABLE, "again.yaml": RUNNABLE, "own.yaml": OWN_NETWORK,
             "schema.yaml": "version: 1\nid: x\n", "yaml.yaml": "id: [unclosed\n"}
    paths = []
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(folder / name)
    return paths


def _old_route(paths: list[Path] | None) -> tuple[list[str], list[str]]:
    notes: list[str] = []
    built: list = []
    problems = lint_course(paths, notes, built)
    problems += vary.check(built)
    return notes, [str(p) for p in problems]


def _validate(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["lessons", "validate", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_file_by_file_says_what_lint_course_and_vary_check_say(tmp_path):
    broken = _broken(tmp_path)
    assert validation.run(broken, cache=False) == _old_route(broken)
    notes, problems = validation.run(None, cache=False)
    assert (notes, problems) == _old_route(None)
    assert any(notes) and problems == []
    assert len(_old_route(broken)[1]) > 8  # the broken files really are broken


def test_a_remembered_result_is_the_fresh_one(tmp_path, capsys, monkeypatch):
    broken = [str(p) for p in _broken(tmp_path)]
    def entries() -> int:
        return len(list(validation.folder().iterdir())) if validation.folder().exists() else 0

    for args in (broken, []):
        before = entries()
        fresh = _validate(capsys, "--no-cache", *args)
        assert entries() == before  # --no-cache remembers nothing
        assert _validate(capsys, *args) == fresh  # checked, and remembered
        assert entries() > before
    remembered = sorted(validation.folder().iterdir())
    assert len(remembered) == len(lesson_files()) + len(broken) - 1  # broken YAML: not remembered

    def not_again(path):
        if path.name != "yaml.yaml":
            raise AssertionError(f"{path} checked again")
        return checked(path)

    checked = validation.check_file
    monkeypatch.setattr(validation, "check_file", not_again)
    for args in (broken, []):
        assert _validate(capsys, *args) == _validate(capsys, *args)
    monkeypatch.setattr(validation, "check_file", checked)
    assert _validate(capsys, *broken) == _validate(capsys, "--no-cache", *broken)


def test_an_edited_lesson_or_network_file_is_checked_again(tmp_path, capsys):
    (tmp_path / "tiny.yaml").write_text(NETWORK, encoding="utf-8")
    lesson = tmp_path / "own.yaml"
    lesson.write_text(OWN_NETWORK, encoding="utf-8")
    code, _, err = _validate(capsys, str(lesson))
    assert code == 0 and err == ""
    lesson.write_text(OWN_NETWORK.replace("answer: y_hat", "answer: y_hatt"), encoding="utf-8")
    code, _, err = _validate(capsys, str(lesson))
    assert code == 2 and "unknown name 'y_hatt'" in err
    lesson.write_text(OWN_NETWORK, encoding="utf-8")
    assert _validate(capsys, str(lesson))[0] == 0
    (tmp_path / "tiny.yaml").write_text(NETWORK.replace("y_hat: w*x", "y_hut: w*x").replace("- y_hat", "- y_hut"),
                                        encoding="utf-8")
    code, _, err = _validate(capsys, str(lesson))
    assert code == 2 and "y_hat" in err and err == _validate(capsys, "--no-cache", str(lesson))[2]
    (tmp_path / "tiny.yaml").unlink()
    code, _, err = _validate(capsys, str(lesson))
    assert code == 2 and "tiny.yaml" in err


def test_a_damaged_entry_is_ignored_and_no_cache_reads_and_writes_nothing(tmp_path, capsys, monkeypatch):
    lesson = tmp_path / "five.yaml"
    lesson.write_text(FIVE, encoding="utf-8")
    fresh = _validate(capsys, "--no-cache", str(lesson))
    assert not validation.folder().exists()
    monkeypatch.setenv("BACKPROP_NO_CACHE", "1")
    assert _validate(capsys, str(lesson)) == fresh
    assert not validation.folder().exists()
    monkeypatch.delenv("BACKPROP_NO_CACHE")
    assert _validate(capsys, str(lesson)) == fresh
    [entry] = validation.folder().iterdir()
    document = json.loads(entry.read_text(encoding="utf-8"))
    document["problems"] = ["a line no run would print"]
    entry.write_text(json.dumps(document), encoding="utf-8")
    assert "a line no run would print" in _validate(capsys, str(lesson))[2]  # it is read ...
    assert _validate(capsys, "--no-cache", str(lesson)) == fresh  # ... but not with --no-cache
    for damage in ("{", json.dumps({**document, "problems": [3]}), json.dumps({**document, "format": 0})):
        entry.write_text(damage, encoding="utf-8")
        assert _validate(capsys, str(lesson)) == fresh


@pytest.mark.parametrize("name", ["/dev/zero", "../outside.yaml"])
def test_a_network_that_is_not_a_file_in_the_folder_is_never_read_for_the_key(tmp_path, capsys, name):
    lesson = tmp_path / "lesson.yaml"
    lesson.write_text(OWN_NETWORK.replace("network: tiny.yaml", f"network: {name}"), encoding="utf-8")
    fresh = _validate(capsys, "--no-cache", str(lesson))
    assert fresh[0] == 2
    assert _validate(capsys, str(lesson)) == fresh == _validate(capsys, str(lesson))
