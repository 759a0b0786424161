"""The cache folders stay small: each keeps its newest entries only, so a lesson edited a hundred
times (each version a new entry) or many networks do not fill the disk; writes are atomic and quiet."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backprop_cli import cache_files
from backprop_cli.cli import main
from backprop_cli.course import lesson_files, validation


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("BACKPROP_NO_CACHE", raising=False)


def test_the_oldest_entries_go_beyond_the_limit(monkeypatch):
    monkeypatch.setattr(cache_files, "KEEP", 3)
    for i in range(6):
        cache_files.write("lessons", f"k{i}", {"i": i})
        os.utime(cache_files.folder("lessons") / f"k{i}.json", ns=(i * 10**9, i * 10**9))  # k5 newest
    cache_files.prune(cache_files.folder("lessons"), cache_files.KEEP)
    assert sorted(p.name for p in cache_files.folder("lessons").iterdir()) == ["k3.json", "k4.json", "k5.json"]
    assert cache_files.read("lessons", "k5") == {"i": 5}
    with pytest.raises(OSError):
        cache_files.read("lessons", "k0")
    assert not cache_files.folder("networks").exists()  # each kind has its own folder


def test_a_write_that_cannot_be_made_is_quiet(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("BACKPROP_HOME", str(blocker))
    cache_files.write("lessons", "k", {"a": 1})  # no exception, nothing written
    assert blocker.read_text() == "not a folder"


def test_validating_many_versions_of_a_lesson_keeps_the_folder_small(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cache_files, "KEEP", 2)
    lesson = tmp_path / "derivatives.yaml"
    text = lesson_files()[0].read_text(encoding="utf-8")
    for k in range(4):  # four edits: four versions, four entries written
        lesson.write_text(text + f"# edit {k}\n", encoding="utf-8")
        assert main(["lessons", "validate", str(lesson)]) == 0
    capsys.readouterr()
    assert len(list(validation.folder().glob("*.json"))) == 2
    assert main(["lessons", "validate", str(lesson)]) == 0  # the last version is still remembered
    assert "1 lesson file OK" in capsys.readouterr().out


def test_step_entries_are_kept_small_too(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cache_files, "KEEP", 1)
    for w in ("0.5", "0.25"):
        network = Path(tmp_path / f"net{w}.yaml")
        network.write_text("version: 1\nname: tiny\nlearning_rate: 0.1\ninputs: {x: 2}\ntargets: {y: 3}\n"
                           f"parameters: {{w: {w}}}\nnodes:\n  y_hat: w*x\nloss: (y - y_hat)^2 / 2\n", encoding="utf-8")
        assert main(["step", "--network", str(network), "--json"]) == 0
    capsys.readouterr()
    assert len(list(cache_files.folder("networks").glob("*.json"))) == 1
