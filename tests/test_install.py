"""The package as a user gets it: a built wheel carries its data files and works from any folder,
and `backprop --help` starts without importing SymPy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sympy", "mpmath", "pydantic", "yaml")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        check=True, capture_output=True, text=True, timeout=120,
    )
    (built,) = out.glob("backprop_cli-*.whl")
    return built


def test_wheel_contains_the_networks_and_the_lessons(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "backprop_cli/networks/simple.yaml" in names
    assert "backprop_cli/networks/sigmoid.yaml" in names
    assert "backprop_cli/cli.py" in names and "backprop_cli/__main__.py" in names
    lessons = sorted(p.name for p in (ROOT / "lessons").glob("*.yaml"))
    for lesson in lessons:
        assert f"backprop_cli/lessons/{lesson}" in names
    entry_points = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    ).decode()
    assert "backprop = backprop_cli.program:main" in entry_points


def test_installed_wheel_works_from_another_folder(wheel, tmp_path):
    """Unpacked into its own folder (as pip would), run from elsewhere: data files are found."""
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
        check=True, capture_output=True, text=True, timeout=120,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "NO_COLOR": "1"}
    where = subprocess.run(
        [sys.executable, "-c", "import backprop_cli; print(backprop_cli.__file__)"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(target), where  # the wheel's copy, not the repository's
    result = subprocess.run(
        [sys.executable, "-m", "backprop_cli", "step", "--network", "sigmoid", "--json"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["network"] == "sigmoid" and doc["lr"] == 0.1
    human = subprocess.run(
        [sys.executable, "-m", "backprop_cli", "step"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60,
    )
    assert human.returncode == 0, human.stderr
    assert "New loss: 107.763" in human.stdout


def _modules_after(args: list[str]) -> tuple[int, list[str]]:
    code = (
        "import sys, json\n"
        "from backprop_cli.cli import main\n"
        f"code = main({args!r})\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))\n"
        "sys.stderr.write(json.dumps([code, heavy]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    code_, heavy = json.loads(result.stderr.strip().splitlines()[-1])
    return code_, heavy


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["--help"], []),
        (["--version"], []),
        # Typer (0.29+) itself validates a command's options with pydantic: not ours to avoid.
        (["step", "--help"], ["pydantic"]),
    ],
)
def test_help_does_not_import_sympy_or_the_file_readers(args, allowed):
    code, heavy = _modules_after(args)
    assert code == 0
    assert [m for m in heavy if m not in allowed] == [], f"backprop {' '.join(args)} imported {heavy}"


def test_a_step_does_import_sympy():
    """The check above is live: the same probe sees SymPy once a command needs it."""
    code, heavy = _modules_after(["step", "--json"])
    assert code == 0 and "sympy" in heavy


def test_console_script_runs():
    script = Path(sys.executable).parent / "backprop"
    if not script.exists():
        pytest.skip("no console script next to this Python (not installed with pip)")
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("backprop ")


def test_the_command_line_tunes_the_collector_only_as_the_program(tmp_path):
    """``main()`` run as the program collects garbage less often (SymPy's many small objects) and
    freezes the collector on the way out (the shutdown collections walked every SymPy object again:
    145 ms of a `lessons validate`), after its output is written; called with arguments (as the
    tests do) it leaves the caller's collector alone."""
    code = (
        "import gc, sys\n"
        "from backprop_cli.cli import main\n"
        "before = gc.get_threshold()\n"
        "assert main(['--version']) == 0 and gc.get_freeze_count() == 0 and gc.get_threshold() == before\n"
        "sys.argv = ['backprop', 'step', '--steps', '1']\n"
        "try:\n    main()\nexcept SystemExit as leaving:\n"
        "    sys.stderr.write(f'{leaving.code} {gc.get_freeze_count() > 1000} {gc.get_threshold()[0]}')\n"
    )
    env = {**os.environ, "BACKPROP_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert result.stderr.strip().splitlines()[-1] == "0 True 200000"
    assert "Gradient" in result.stdout or "∂" in result.stdout or "loss" in result.stdout.lower()


def test_the_program_tunes_the_collector_before_importing_typer():
    """The console script's entry (``program.main``) tunes the collector before Typer, Rich and
    the command modules are imported (their imports ran young collections at the default 700)."""
    code = (
        "import builtins, gc, sys\n"
        "from backprop_cli import program\n"
        "assert 'typer' not in sys.modules and 'backprop_cli.cli' not in sys.modules\n"
        "real, seen = builtins.__import__, []\n"
        "def spy(name, *args, **kwargs):\n"
        "    if name == 'typer' and not seen:\n"
        "        seen.append(gc.get_threshold()[0])\n"
        "    return real(name, *args, **kwargs)\n"
        "builtins.__import__ = spy\n"
        "sys.argv = ['backprop', '--version']\n"
        "try:\n    program.main()\nexcept SystemExit as leaving:\n"
        "    sys.stderr.write(f'{leaving.code} {seen}')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stderr.strip().splitlines()[-1] == "0 [200000]"
    assert result.stdout.startswith("backprop ")
