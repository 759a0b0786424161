"""The compiled-network cache behind `step --json`: the same document, only from files it made, never stale.

Every test has its own BACKPROP_HOME (conftest), so its own cache folder.
"""

from __future__ import annotations

import json
import os

import pytest

from backprop_cli.cli import main
from backprop_cli.network import cache

NET = ("name: two\ninputs: {x: 0.5}\ntargets: {y: 0.25}\nparameters: {w: 0.3, v: -0.2}\n"
       "nodes:\n  h: tanh(w*x)\n  out: v*h + w\nloss: (y - out)^2/2\nlearning_rate: 0.1\n")


def step_json(capsys, *args: str) -> dict:
    code = main(["step", "--json", *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def entries() -> list[str]:
    folder = cache.folder()
    return sorted(p.name for p in folder.glob("*.json")) if folder.is_dir() else []


def no_loading(monkeypatch) -> None:
    """Any parse of a network file from here on fails the test."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("the network file was parsed again")

    monkeypatch.setattr("backprop_cli.network.model.load", refuse)


def test_a_repeat_run_is_served_from_the_cache_with_the_same_document(capsys, tmp_path, monkeypatch):
    path = tmp_path / "two.yaml"
    path.write_text(NET, encoding="utf-8")
    first = step_json(capsys, "--network", str(path), "--steps", "5", "--history")
    assert len(entries()) == 1
    no_loading(monkeypatch)
    assert step_json(capsys, "--network", str(path), "--steps", "5", "--history") == first
    again = step_json(capsys, "--network", str(path), "--steps", "7", "--lr", "0.05")
    assert again["steps"] == 7 and again["lr"] == 0.05 and again["loss"] == first["loss"]


def test_built_in_networks_are_cached_too(capsys, monkeypatch):
    first = step_json(capsys, "--network", "sigmoid")
    no_loading(monkeypatch)
    assert step_json(capsys, "--network", "sigmoid") == first


def test_an_edited_file_is_a_new_entry_never_a_stale_one(capsys, tmp_path):
    path = tmp_path / "two.yaml"
    path.write_text(NET, encoding="utf-8")
    before = step_json(capsys, "--network", str(path))
    path.write_text(NET.replace("w: 0.3", "w: 0.4"), encoding="utf-8")
    after = step_json(capsys, "--network", str(path))
    assert after["parameters"]["w"] != before["parameters"]["w"] and len(entries()) == 2
    path.write_text(NET, encoding="utf-8")
    assert step_json(capsys, "--network", str(path)) == before


@pytest.mark.parametrize("source", [
    "def forward(leaves):\n    return __import__('os').system('echo owned')\n",
    "def forward(leaves):\n    return leaves.__class__\n",
    "def forward(leaves):\n    return open\n",
    "def forward(leaves):\n    return (1). real\n",
])
def test_an_entry_with_anything_the_generator_does_not_write_is_ignored(capsys, tmp_path, source):
    path = tmp_path / "two.yaml"
    path.write_text(NET, encoding="utf-8")
    good = step_json(capsys, "--network", str(path))
    (entry,) = entries()
    stored = cache.folder() / entry
    document = json.loads(stored.read_text(encoding="utf-8"))
    document["source"] = source
    stored.write_text(json.dumps(document), encoding="utf-8")
    assert not cache.checked(source)
    assert step_json(capsys, "--network", str(path)) == good  # compiled from the file again
    assert json.loads(stored.read_text(encoding="utf-8"))["source"] != source  # and the entry rewritten


def test_the_generated_source_passes_the_check_and_a_broken_entry_is_ignored(capsys, tmp_path):
    path = tmp_path / "two.yaml"
    path.write_text(NET, encoding="utf-8")
    good = step_json(capsys, "--network", str(path))
    (entry,) = entries()
    stored = cache.folder() / entry
    assert cache.checked(json.loads(stored.read_text(encoding="utf-8"))["source"])
    stored.write_text("{not json", encoding="utf-8")
    assert step_json(capsys, "--network", str(path)) == good


def test_set_and_no_cache_take_the_ordinary_route(capsys, tmp_path, monkeypatch):
    path = tmp_path / "two.yaml"
    path.write_text(NET, encoding="utf-8")
    plain = step_json(capsys, "--network", str(path))
    changed = step_json(capsys, "--network", str(path), "--set", "w=0.4")
    assert changed["parameters"]["w"] != plain["parameters"]["w"]
    assert len(entries()) == 1  # a run with --set is not cached under the file's key
    monkeypatch.setenv("BACKPROP_NO_CACHE", "1")
    path.write_text(NET.replace("v: -0.2", "v: -0.3"), encoding="utf-8")
    step_json(capsys, "--network", str(path))
    assert len(entries()) == 1


def test_a_step_that_raises_loads_the_network_on_the_cached_route(capsys, tmp_path):
    """1/0 in the loop: the node-by-node step needs the network, loaded then from the file."""
    path = tmp_path / "r.yaml"
    path.write_text("name: r\ninputs: {x: 0}\nparameters: {w: 1, b: 2}\nnodes:\n  d: -1/x\n  q: relu(d)\n"
                    "loss: (w*b + q - 1)^2\n", encoding="utf-8")
    first = step_json(capsys, "--network", str(path), "--steps", "3")
    assert len(entries()) == 1
    assert step_json(capsys, "--network", str(path), "--steps", "3") == first


def test_an_unwritable_cache_folder_is_not_an_error(capsys, tmp_path, monkeypatch):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder would be", encoding="utf-8")
    monkeypatch.setenv("BACKPROP_HOME", str(blocked))
    assert step_json(capsys, "--network", "simple")["loss"] == 162.0
    assert not os.path.isdir(blocked)
