"""Hostile files and formulas: each gets one clear line, exit 2, within seconds, never a traceback.

Every case runs the real command in a subprocess whose time bound is enforced by the harness
(``subprocess.run(..., timeout=TIMEOUT)`` kills it and fails the test): before the fix, /dev/zero
grew to gigabytes, a FIFO waited forever and ``x^x^x^x`` at 9 ran for minutes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TIMEOUT = 20
ROOT = Path(__file__).resolve().parent.parent
SIMPLE = ROOT / "backprop_cli" / "networks" / "simple.yaml"


def backprop(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-m", "backprop_cli", *args], capture_output=True, text=True,
                          timeout=TIMEOUT, env=env, cwd=cwd, stdin=subprocess.DEVNULL)


def refused(result: subprocess.CompletedProcess) -> str:
    """The one error line of a refused command (exit 2, no traceback, nothing on stdout)."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stdout[-500:], result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def refused_lesson(result: subprocess.CompletedProcess) -> str:
    """`lessons validate` prints its problem lines, then a count: one problem, exit 2, no traceback."""
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if line.strip() and not line.endswith("found")]
    assert len(problems) == 1, result.stdout + result.stderr
    return problems[0]


# -- files that are not files ---------------------------------------------------------------------


def test_network_from_dev_zero_is_refused_at_once():
    line = refused(backprop("step", "--network", "/dev/zero"))
    assert line == "backprop: error: /dev/zero: is a device, not a regular file"


def test_network_from_a_named_pipe_does_not_wait_for_a_writer(tmp_path):
    fifo = tmp_path / "net.yaml"
    os.mkfifo(fifo)
    line = refused(backprop("step", "--network", str(fifo)))
    assert line == f"backprop: error: {fifo}: is a named pipe, not a regular file"


@pytest.mark.parametrize("command", [["train"], ["graph"], ["nudge", "w1=0.1"], ["surface"]])
def test_every_network_command_refuses_a_device(command):
    line = refused(backprop(*command, "--network", "/dev/zero"))
    assert "/dev/zero: is a device, not a regular file" in line


def test_lesson_from_a_device_or_a_pipe_is_refused(tmp_path):
    fifo = tmp_path / "lesson.yaml"
    os.mkfifo(fifo)
    assert refused_lesson(backprop("lessons", "validate", "/dev/zero")) == "/dev/zero: is a device, not a regular file"
    assert refused_lesson(backprop("lessons", "validate", str(fifo))) == f"{fifo}: is a named pipe, not a regular file"


def test_a_file_over_the_limit_is_refused_without_reading_it_all(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * 3_000_000 + b"\n")
    line = refused(backprop("step", "--network", str(big)))
    assert line == f"backprop: error: {big}: the file is larger than 1000 kB"


def test_the_bounded_read_stops_at_the_limit_plus_one(tmp_path, monkeypatch):
    """The limit does not rest on st_size: a file that reports size 0 is still read at most limit+1 bytes."""
    from backprop_cli import regular_file, yamlfile

    path = tmp_path / "f.yaml"
    path.write_bytes(b"a: 1\n" * 10)
    monkeypatch.setattr(regular_file, "MAX_FILE_BYTES", 12)
    monkeypatch.setattr(yamlfile, "MAX_FILE_BYTES", 12)
    assert len(regular_file.read_bounded(path)) == 13
    with pytest.raises(yamlfile.FileFormatError, match="larger than"):
        yamlfile.load_file(path)


def test_a_file_of_someone_elses_fields_is_not_quoted_back(tmp_path):
    """Run as root, `--network /etc/shadow` printed every account line as an 'unknown field'."""
    secrets = tmp_path / "shadow"
    secrets.write_text("root: $6$s3cr3thash\nadmin: hunter2\npostgres: '!'\n", encoding="utf-8")
    line = refused(backprop("step", "--network", str(secrets)))
    assert line == (f"backprop: error: {secrets}: not a network file: none of its fields is one a network file "
                    "has (name, parameters, loss, …)")
    lesson = refused_lesson(backprop("lessons", "validate", str(secrets)))
    assert lesson.startswith(f"{secrets}: not a lesson file: none of its fields")
    for text in (line, lesson):
        assert "hunter2" not in text and "s3cr3t" not in text and "admin" not in text


def test_control_characters_are_reported_on_one_line_without_the_text(tmp_path):
    environ = tmp_path / "environ"
    environ.write_bytes(b"SECRET=abc\x00PATH=/bin\x00")
    line = refused(backprop("step", "--network", str(environ)))
    assert line == f"backprop: error: {environ}: not valid YAML: control characters are not allowed (character 11)"


# -- numbers Python will not convert -------------------------------------------------------------


def test_a_5000_digit_integer_in_a_network_names_file_line_and_field(tmp_path):
    net = tmp_path / "big.yaml"
    text = SIMPLE.read_text(encoding="utf-8")
    assert "{x: 2}" in text
    net.write_text(text.replace("{x: 2}", "{x: " + "9" * 5000 + "}", 1), encoding="utf-8")
    line_no = next(i for i, line in enumerate(net.read_text().splitlines(), 1) if "9" * 50 in line)
    line = refused(backprop("step", "--network", str(net)))
    assert line == (f"backprop: error: {net}:{line_no}: inputs.x: a whole number of 5,000 digits is too long "
                    "(at most 100)")


@pytest.mark.parametrize(("value", "problem"), [
    ("0x" + "f" * 5000, "a whole number of 5,000 digits is too long (at most 100)"),  # hex: no 'digits' at all
    ("1" + "0" * 5000 + ".5", "a number of 5,002 digits is too long (at most 100)"),  # float('inf') before
    (".inf", ".inf is not a finite number"),  # was "not a number: unknown name 'inf'"
    (".NaN", ".NaN is not a finite number"),
])
def test_other_numbers_python_cannot_use_name_file_line_and_field(tmp_path, value, problem):
    net = tmp_path / "num.yaml"
    net.write_text(SIMPLE.read_text(encoding="utf-8").replace("{x: 2}", "{x: " + value + "}", 1), encoding="utf-8")
    line = refused(backprop("graph", "--network", str(net)))
    assert line == f"backprop: error: {net}:5: inputs.x: {problem}"


def test_a_5000_digit_integer_as_a_key_is_refused_too(tmp_path):
    net = tmp_path / "key.yaml"
    net.write_text(SIMPLE.read_text(encoding="utf-8") + "\n? " + "7" * 5000 + "\n: 1\n", encoding="utf-8")
    line = refused(backprop("graph", "--network", str(net)))
    assert "a whole number of 5,000 digits is too long" in line


def test_a_5000_digit_integer_in_a_lesson_names_file_line_and_field(tmp_path):
    lesson = tmp_path / "big.yaml"
    lesson.write_text(_lesson("simple").replace("order: 900", "order: " + "1" * 5000), encoding="utf-8")
    line = refused_lesson(backprop("lessons", "validate", str(lesson)))
    assert line == f"{lesson}:5: order: a whole number of 5,000 digits is too long (at most 100)"


# -- formulas whose value is astronomically large ---------------------------------------------------


@pytest.mark.parametrize(("expr", "at", "part", "size"), [
    ("x^x^x^x", "x=9", "its part x^(x^x)", "about 10^369,693,100, beyond 10^4000"),
    ("((x^100)^100)^100", "x=1e100", "it", "about 10^100,000,000, beyond 10^4000"),
    ("exp(exp(exp(exp(x))))", "x=10", "its part exp(exp(x))", "about 10^9,566, beyond 10^4000"),
])
def test_derive_refuses_values_too_large_to_compute(expr, at, part, size):
    line = refused(backprop("derive", expr, "--at", at))
    assert line.startswith("backprop: error: ")
    assert f": {part} would be {size}; refused" in line
    assert "OverflowError" not in line


def test_derive_refuses_exact_numbers_of_millions_of_digits():
    """1.0001^1000000 is only about 10^43, but exactly it is a fraction of 8 million digits."""
    line = refused(backprop("derive", "((x^100)^100)^100", "--at", "x=1.0001"))
    assert "would need exact numbers of about 8,428,846 digits (at most 20,000); refused" in line


def test_derive_nudge_to_an_enormous_point_is_refused():
    line = refused(backprop("derive", "x^x^x", "--at", "x=2", "--nudge", "x=7"))
    assert "at x = 9" in line and "refused" in line


def _nested(function: str, depth: int) -> str:
    text = "x"
    for _ in range(depth):
        text = f"{function}({text})"
    return text


def test_derive_of_deeply_nested_sigmoids_is_evaluated_in_seconds():
    """SymPy evaluated σ's argument again at every level: 12 deep took minutes (2.5× per level)."""
    result = backprop("derive", _nested("sigmoid", 16), "--at", "x=2", "--no-plot")
    assert result.returncode == 0, result.stderr
    assert "At x = 2:" in result.stdout


def test_derive_of_nested_logs_of_a_negative_is_refused_before_sympy_carries_i_pi():
    line = refused(backprop("derive", _nested("log", 14), "--at", "x=0.5"))
    assert line.endswith("at x = 0.5: its part log(log(x)) is not a real number")


def test_derive_of_a_product_of_59_factors_is_refused_not_worked_for_minutes():
    """The product rule on n factors: n steps of n terms of n factors (26 s for 59, minutes to print)."""
    product = "*".join(f"sigmoid({i}x)" for i in range(1, 60))
    line = refused(backprop("derive", product))
    assert "the step-by-step derivative is too long to show (more than 20,000 parts" in line


def test_derive_of_a_tall_tower_at_a_small_point_is_refused():
    """x^x^…^x (30 x's) at 0.7 is small, but SymPy's evalf re-evaluates the tower level by level."""
    line = refused(backprop("derive", "^".join(["x"] * 30), "--at", "x=0.7"))
    assert "it stacks 29 powers with the variable in the exponent (x^x^x…); at most 8 are evaluated" in line


def test_derive_of_a_tower_of_eight_is_still_evaluated():
    result = backprop("derive", "^".join(["x"] * 9), "--at", "x=0.7", "--no-plot")
    assert result.returncode == 0, result.stderr
    assert "At x = 0.7:" in result.stdout


def test_derive_still_evaluates_ordinary_large_values():
    result = backprop("derive", "exp(x)", "--at", "x=700", "--no-plot")
    assert result.returncode == 0, result.stderr
    assert "f(700) = exp(700) = 1.01423×10³⁰⁴" in result.stdout


def test_nudge_on_a_network_with_a_tower_of_powers_is_one_line(tmp_path):
    net = tmp_path / "tower.yaml"
    text = SIMPLE.read_text(encoding="utf-8")
    assert "y_hat: h*w2" in text and "w1: 2" in text
    net.write_text(text.replace("y_hat: h*w2", "y_hat: h^h^h*w2").replace("w1: 2", "w1: 9"), encoding="utf-8")
    line = refused(backprop("nudge", "w2=0.1", "--network", str(net)))
    assert line == "backprop: error: the loss of simple is too large to compute at the starting values; try smaller values"


def test_nudge_where_the_gradient_is_not_a_number_says_so(tmp_path):
    """sqrt at 0 has no slope: the nudge used to print 'predicted NaN' and 'relative error NaN%'."""
    net = tmp_path / "root.yaml"
    text = SIMPLE.read_text(encoding="utf-8")
    net.write_text(text.replace("loss: (y - y_hat)^2 / 2", "loss: sqrt(y - y_hat)"), encoding="utf-8")
    line = refused(backprop("nudge", "w2=-0.1", "--network", str(net), "--set", "w2=5"))
    assert "∂L/∂w2 of simple is not a number at the starting values" in line


# -- a lesson's network: names only a network file in the lesson's folder ---------------------------


def _lesson(network: str) -> str:
    return f"""version: 1
id: hostile
title: Hostile
summary: a lesson that points elsewhere
order: 900
setup:
  network: {network}
steps:
  - title: T
    text: hi
  - id: q
    ask: number
    prompt: "1?"
    answer: 1
    hints: [one]
    explanation: one
"""


def _lesson_at(tmp_path: Path, network: str) -> Path:
    folder = tmp_path / "course" / "lessons"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "hostile.yaml"
    path.write_text(_lesson(network), encoding="utf-8")
    return path


@pytest.mark.parametrize(("network", "words"), [
    ("/etc/passwd", "as a path relative to the lesson (not '/etc/passwd')"),
    ("../../x.yaml", "'../../x.yaml' is outside the lesson's folder"),
    ("~/x.yaml", "as a path relative to the lesson"),
])
def test_lesson_network_outside_its_folder_is_refused(tmp_path, network, words):
    (tmp_path / "x.yaml").write_text(SIMPLE.read_text(encoding="utf-8"), encoding="utf-8")  # exists: still refused
    path = _lesson_at(tmp_path, network)
    line = refused_lesson(backprop("lessons", "validate", str(path)))
    assert line.startswith(f"{path}:7: setup.network: network: ")
    assert words in line
    assert "root:" not in line


def test_lesson_network_symlink_out_of_the_folder_is_refused(tmp_path):
    path = _lesson_at(tmp_path, "net.yaml")
    (path.parent / "net.yaml").symlink_to("/etc/passwd")
    line = refused_lesson(backprop("lessons", "validate", str(path)))
    assert "'net.yaml' is outside the lesson's folder" in line


def test_lesson_network_that_is_not_a_network_is_not_quoted(tmp_path):
    path = _lesson_at(tmp_path, "secrets.yaml")
    (path.parent / "secrets.yaml").write_text("password: hunter2\ntoken: [abc]\n", encoding="utf-8")
    line = refused_lesson(backprop("lessons", "validate", str(path)))
    assert "'secrets.yaml' is not a network file" in line
    assert "hunter2" not in line and "password" not in line


def test_lesson_network_that_is_not_yaml_named_is_refused(tmp_path):
    path = _lesson_at(tmp_path, "notes.txt")
    (path.parent / "notes.txt").write_text("secret words\n", encoding="utf-8")
    line = refused_lesson(backprop("lessons", "validate", str(path)))
    assert "'notes.txt' is not a network file (one ending in .yaml, .yml, .json)" in line
    assert "secret" not in line


def test_lesson_network_inside_its_folder_still_works(tmp_path):
    path = _lesson_at(tmp_path, "nets/mine.yaml")
    (path.parent / "nets").mkdir()
    (path.parent / "nets" / "mine.yaml").write_text(SIMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    result = backprop("lessons", "validate", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 lesson file OK" in result.stdout
