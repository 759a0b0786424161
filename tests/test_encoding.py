"""Every command works on an output that cannot encode Unicode (PYTHONIOENCODING=ascii, a latin-1
terminal): normal exit code, no traceback, and the notation spelt in ASCII (d/dx, sigmoid, y_hat)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# (arguments, stdin, expected exit code)
COMMANDS = [
    (["--help"], "", 0),
    (["nudge", "--help"], "", 0),
    (["step"], "", 0),
    (["step", "--json"], "", 0),
    (["derive", "sigmoid(x)^2 - 3x^2", "--at", "x=0.5"], "", 0),
    (["nudge", "w1=0.1"], "", 0),
    (["graph", "--network", "sigmoid"], "", 0),
    (["train", "--steps", "20"], "", 0),
    (["surface"], "", 0),
    (["lessons", "list"], "", 0),
    (["lessons", "show", "1"], "", 0),
    (["progress"], "", 0),
    (["quiz", "--seed", "3", "--count", "2"], "1\nskip\nx\nskip\n", 0),
    (["learn", "derivatives"], "3x^2 - 6x + 2\nhint\n\u00bd\nquit\n", 0),
    (["derive", "x^", "--at", "x=1"], "", 2),  # an error message goes out in ASCII too
]


def run(args: list[str], stdin: str, encoding: str, home) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING=encoding, BACKPROP_HOME=str(home), COLUMNS="100")
    env.pop("PYTHONUTF8", None)
    return subprocess.run([sys.executable, "-m", "backprop_cli", *args], input=stdin.encode(encoding, "replace"),
                          capture_output=True, env=env, timeout=120)


@pytest.mark.parametrize(("args", "stdin", "code"), COMMANDS, ids=[" ".join(c[0]) for c in COMMANDS])
def test_every_command_runs_on_an_ascii_output(args, stdin, code, _isolated_home):
    result = run(args, stdin, "ascii", _isolated_home)
    assert result.returncode == code, result.stderr.decode("ascii", "replace")
    out = result.stdout.decode("ascii")  # raises if a single byte is not ASCII
    err = result.stderr.decode("ascii")
    assert "Traceback" not in err and "UnicodeEncodeError" not in err
    assert out.strip() or err.strip()


def test_the_notation_is_spelt_in_ascii_not_dropped(_isolated_home):
    out = run(["step"], "", "ascii", _isolated_home).stdout.decode("ascii")
    assert "dL/dw1 = dL/dy_hat * dy_hat/dh * dh/dw1" in out
    assert "y_hat" in out and "(y - y_hat)^2/2" in out
    assert "+----" in out and "|" in out  # tables drawn with ASCII boxes
    table = [line for line in out.splitlines() if line.startswith(("|", "+"))][:7]
    assert len({len(line.rstrip()) for line in table}) == 1, table  # spelt before measuring: columns line up
    derive = run(["derive", "sigmoid(x)"], "", "ascii", _isolated_home).stdout.decode("ascii")
    assert "d/dx" in derive and "sigmoid(x)" in derive


@pytest.mark.parametrize("args", [["step"], ["graph", "--network", "sigmoid"], ["lessons", "show", "5"]])
def test_a_latin_1_output_keeps_what_latin_1_has(args, _isolated_home):
    result = run(args, "", "latin-1", _isolated_home)
    assert result.returncode == 0, result.stderr.decode("latin-1")
    out = result.stdout.decode("latin-1")
    assert "Traceback" not in result.stderr.decode("latin-1")
    assert "\u2202" not in out and "dL/d" in out  # ∂ has no latin-1 byte: spelt d
