"""Driving backprop at a pseudo-terminal, as a learner would (shared by the terminal tests)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pexpect


def spawn(home: Path, *args: str, columns: int = 100) -> pexpect.spawn:
    """``python -m backprop_cli ARGS`` at a pty, with its own BACKPROP_HOME, no colour, a dumb TERM."""
    env = dict(os.environ, BACKPROP_HOME=str(home), NO_COLOR="1", TERM="dumb", COLUMNS=str(columns), LINES="40")
    return pexpect.spawn(sys.executable, ["-m", "backprop_cli", *args], env=env, cwd=str(home.parent),
                         encoding="utf-8", timeout=60, dimensions=(40, columns))


def answer(child: pexpect.spawn, text: str) -> None:
    """Wait for the prompt, then type a line."""
    child.expect_exact("›")
    child.sendline(text)


def finish(child: pexpect.spawn) -> int:
    """Wait for the end; the exit code (128 + the signal when killed)."""
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus if child.exitstatus is not None else 128 + child.signalstatus


def saved(home: Path) -> dict:
    return json.loads((home / "progress.json").read_text(encoding="utf-8"))
