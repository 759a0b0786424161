"""Lessons whose exact arithmetic would run away are refused within seconds, with one clear
``file:line: field: problem`` line and exit code 2 (the time bound is enforced by the harness:
``subprocess.run(timeout=...)`` raises instead of letting a hang pass)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HEADER = "version: 1\nid: {id}\ntitle: t\nsummary: s\norder: 50\n"
QUESTION = ("steps:\n  - id: q1\n    ask: number\n    prompt: what\n    answer: {answer}\n"
            "    hints: [h]\n    explanation: e\n")


def squarings(tmp_path: Path) -> Path:
    lines = [HEADER.format(id="squares"), "setup:\n  define:\n    a0: 1.5\n"]
    lines += [f"    a{k}: a{k - 1}^2\n" for k in range(1, 41)]
    lines.append(QUESTION.format(answer="a40"))
    path = tmp_path / "squares.yaml"
    path.write_text("".join(lines))
    return path


def nested_exp(tmp_path: Path) -> Path:
    lines = [HEADER.format(id="exps"), "setup:\n  define:\n    e0: 2\n"]
    lines += [f"    e{k}: exp(e{k - 1})\n" for k in range(1, 8)]
    lines.append(QUESTION.format(answer="e7"))
    path = tmp_path / "exps.yaml"
    path.write_text("".join(lines))
    return path


def deep_network(tmp_path: Path, x: str, layer: str = "n{k}^2", layers: int = 40) -> Path:
    net = ["version: 1", "name: deep", "description: d", f"inputs: {{x: {x}}}", "targets: {y: 1}",
           "parameters: {w: 1}", "nodes:", "  n0: w*x"]
    net += [f"  n{k}: " + layer.format(k=k - 1) for k in range(1, layers)]
    net += [f"loss: (y - n{layers - 1})^2 / 2", "learning_rate: 0.1"]
    (tmp_path / "deep.yaml").write_text("\n".join(net) + "\n")
    path = tmp_path / "netlesson.yaml"
    path.write_text(HEADER.format(id="deep-net") + "setup:\n  network: deep.yaml\nsteps:\n  - text: hi\n")
    return path


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "backprop_cli", *args], check=False, input=stdin, capture_output=True,
                          text=True, timeout=20)


@pytest.mark.parametrize(
    ("make", "line", "field", "words"),
    [
        (squarings, None, "setup.define.a", "digits, more than a lesson can compute with"),
        (nested_exp, None, "setup.define.e", "too large (it overflows)"),
        # `step` refuses this network at once (the loss overflows); a lesson used to compute it exactly for ever
        (lambda p: deep_network(p, "3", "exp(n{k})", 6), 7, "setup.network", "cannot be used"),
        (lambda p: deep_network(p, "3"), 7, "setup.network", "binary digits"),
        (lambda p: deep_network(p, "0.5"), 7, "setup.network", "binary digits"),  # floats underflow to 0: no overflow
    ],
)
def test_runaway_exact_arithmetic_is_refused_within_seconds(tmp_path, make, line, field, words):
    path = make(tmp_path)
    result = run("lessons", "validate", str(path))
    assert result.returncode == 2, result
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{path}:"), result.stderr
    assert f": {field}" in first and words in first, first
    if line is not None:
        assert first.startswith(f"{path}:{line}: "), first
    assert "Traceback" not in result.stderr


def test_a_runaway_network_is_refused_by_learn_too(tmp_path):
    path = deep_network(tmp_path, "3", "exp(n{k})", 6)
    result = run("learn", str(path), stdin="quit\n")
    assert result.returncode == 2, result
    assert "setup.network" in result.stderr and "Traceback" not in result.stderr
