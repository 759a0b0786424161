"""The README tells the truth: every `$ backprop …` example in it is run, and what it shows is compared
with what the tool prints.

How a README example is read (so that it may be shortened, but never wrong):

- a ```text block holds one or more examples; each starts with a line ``$ <command>`` that runs
  ``backprop`` (possibly after ``printf … |`` or before ``| python …``) and runs to the next ``$`` line;
- a line that starts with ``…`` (after spaces) elides any number of output lines;
- every other non-blank line must be printed by the command, in the same order; between two shown
  lines with no ``…`` between them the tool may print only blank lines (nothing left out silently);
- lines are compared with runs of spaces collapsed, so a table column may be padded differently,
  but every number, word and symbol must match;
- an example whose command reads no input from ``printf`` gets, as its input, the answers the example
  shows typed at the prompt (``› skip``), one per line.

Each command runs in a shell with ``backprop`` and ``python`` on the PATH (this interpreter), its own
empty BACKPROP_HOME, NO_COLOR=1 and the README's width (COLUMNS=92), with a time limit, in a folder
where the repository's files (``lessons/…``, ``tests/data/…``) are found by their relative names.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
WIDTH = 92
TIMEOUT = 60
PROMPT = "›"


@dataclass(frozen=True)
class Example:
    command: str
    shown: tuple[str, ...]  # the lines shown after it (blank lines dropped, "…" kept as the marker)
    line: int  # where the command is in the README (1-based)

    @property
    def answers(self) -> str:
        typed = [ln.split(PROMPT, 1)[1].strip() for ln in self.shown if ln.lstrip().startswith(PROMPT)]
        return "".join(f"{t}\n" for t in typed)


def examples(text: str) -> list[Example]:
    out: list[Example] = []
    lines = text.splitlines()
    inside = False
    current: tuple[str, int] | None = None
    shown: list[str] = []

    def close() -> None:
        nonlocal current, shown
        if current is not None:
            out.append(Example(current[0], tuple(shown), current[1]))
        current, shown = None, []

    for number, line in enumerate(lines, start=1):
        if line.startswith("```"):
            close()
            inside = line.strip() == "```text"
            continue
        if not inside:
            continue
        if line.startswith("$ "):
            close()
            if re.search(r"(^|\|\s*)backprop\b", line[2:]):
                current = (line[2:].strip(), number)
            continue
        if current is not None and line.strip():
            shown.append("…" if line.lstrip().startswith("…") else line.rstrip())
    close()
    return out


def _squeeze(line: str) -> str:
    return " ".join(line.split())


def mismatch(shown: tuple[str, ...], printed: list[str]) -> str | None:
    """None when ``shown`` is what ``printed`` says (under the rules above), else what differs.

    Without a leading "…" the first shown line must be the first line printed (blank lines aside).
    """
    at = 0  # the next printed line to look at
    free = False  # may skip printed lines: only after "…"
    for want in shown:
        if want == "…":
            free = True
            continue
        target = _squeeze(want)
        if free:
            found = next((k for k in range(at, len(printed)) if _squeeze(printed[k]) == target), None)
            if found is None:
                return f"not printed (after line {at} of the output): {want!r}"
            at = found
        else:
            while at < len(printed) and not printed[at].strip():
                at += 1
            if at >= len(printed) or _squeeze(printed[at]) != target:
                got = printed[at] if at < len(printed) else "(end of output)"
                return f"shown {want!r}, but the tool printed {got!r} there"
        at += 1
        free = False
    return None


@pytest.fixture(scope="module")
def shims(tmp_path_factory) -> Path:
    """A folder with `backprop` and `python` for this interpreter, first on the PATH."""
    folder = tmp_path_factory.mktemp("bin")
    backprop = folder / "backprop"
    backprop.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m backprop_cli "$@"\n', encoding="utf-8")
    backprop.chmod(backprop.stat().st_mode | stat.S_IXUSR)
    (folder / "python").symlink_to(sys.executable)
    return folder


ALL = examples(README.read_text(encoding="utf-8"))


def test_the_readme_shows_examples_of_every_command():
    commands = {re.search(r"backprop (\w+)", e.command).group(1) for e in ALL}
    assert {"lessons", "learn", "step", "quiz", "derive", "nudge", "train", "graph"} <= commands
    assert all(e.shown for e in ALL), [e.command for e in ALL if not e.shown]


@pytest.mark.parametrize("example", ALL, ids=[f"line{e.line}" for e in ALL])
def test_readme_example_is_what_the_tool_prints(example: Example, shims: Path, tmp_path: Path):
    env = {**os.environ, "PATH": f"{shims}{os.pathsep}{os.environ.get('PATH', '')}",
           "BACKPROP_HOME": str(tmp_path / "home"), "NO_COLOR": "1", "COLUMNS": str(WIDTH),
           "PYTHONPATH": str(README.parent)}
    env.pop("FORCE_COLOR", None)
    work = tmp_path / "work"  # the repository's files by their relative names; anything written stays here
    work.mkdir()
    for entry in README.parent.iterdir():
        if not entry.name.startswith("."):
            (work / entry.name).symlink_to(entry)
    piped = example.command.lstrip().startswith("printf")
    result = subprocess.run(["bash", "-c", example.command], capture_output=True, text=True, timeout=TIMEOUT,
                            env=env, cwd=work, input=None if piped else example.answers)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), (result.returncode, result.stderr)  # 1: a run shown diverging
    problem = mismatch(example.shown, result.stdout.splitlines())
    assert problem is None, f"README line {example.line}: $ {example.command}\n{problem}"


# -- the comparison itself catches drift ------------------------------------------------------------


PRINTED = ["Loss: 162", "", "  w1   2   −18", "  w2   0.5   −72", "New loss: 107.763"]


@pytest.mark.parametrize(("shown", "ok"), [
    (("Loss: 162", "w1 2 −18", "w2 0.5 −72"), True),  # spacing differs: fine
    (("Loss: 162", "…", "New loss: 107.763"), True),  # an elision
    (("…", "w2   0.5   −72"), True),
    (("w1   2   −18",), False),  # the start of the output left out without "…"
    (("Loss: 162", "w2   0.5   −72"), False),  # a line left out without "…"
    (("Loss: 162", "w1   2   −18.0"), False),  # a number that is not printed
    (("New loss: 107.763", "Loss: 162"), False),  # out of order
    (("Loss: NaN",), False),
])
def test_mismatch_rules(shown, ok):
    assert (mismatch(tuple(shown), PRINTED) is None) is ok


def test_examples_are_read_from_text_blocks_only():
    text = "```sh\n$ backprop learn\n```\n```text\n$ backprop step\nLoss: 162\n  … more\n$ backprop nudge w2=0.1\n› skip\nx\n```"
    found = examples(text)
    assert [e.command for e in found] == ["backprop step", "backprop nudge w2=0.1"]
    assert found[0].shown == ("Loss: 162", "…")
    assert found[1].answers == "skip\n"
