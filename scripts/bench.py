#!/usr/bin/env python3
"""Start-up and engine benchmark: median wall-time ratios against an import floor, side by side.

    /tmp/venv/bin/python scripts/bench.py [--rounds 7]

Every command runs as a fresh subprocess with this Python (use the project's venv). The runs of
a comparison are interleaved round by round, so a busy machine slows both sides alike; each
ratio is median(command) / median(reference). Not a test: it prints a table with each target.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_network import layered, parameter_count  # noqa: E402

PY = sys.executable
BACKPROP = str(Path(PY).parent / "backprop")
FLOOR_HELP = [PY, "-c", "import typer, rich.console"]
FLOOR_STEP = [PY, "-c", "import sympy, typer, rich.console, yaml"]
WIDTHS = (4, 8, 16, 32)


def run_once(cmd: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"failed ({result.returncode}): {' '.join(cmd)}\n{result.stderr}")
    return elapsed


def medians(commands: dict[str, list[str]], rounds: int) -> dict[str, float]:
    """Median seconds of each command, the runs interleaved round by round after one warm-up."""
    for cmd in commands.values():
        run_once(cmd)  # warm-up: byte-code caches, file cache
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, cmd in commands.items():
            times[name].append(run_once(cmd))
    return {name: statistics.median(values) for name, values in times.items()}


def row(label: str, seconds: float, reference: float, target: float | None) -> str:
    ratio = seconds / reference
    verdict = "" if target is None else ("PASS" if ratio <= target else "over")
    goal = "" if target is None else f"≤ {target:g}"
    return f"{label:<50} {seconds:8.3f} s {reference:8.3f} s {ratio:7.2f} {goal:>6} {verdict:>5}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="runs of each command (default 7)")
    args = parser.parse_args(argv)
    rounds = args.rounds

    with tempfile.TemporaryDirectory() as folder:
        nets = {}
        for width in WIDTHS:
            path = Path(folder) / f"layered-{width}.yaml"
            path.write_text(layered([2, width, width, 1], "tanh", seed=1), encoding="utf-8")
            nets[width] = str(path)

        print(f"python {sys.version.split()[0]} at {PY}; {rounds} interleaved rounds, medians\n")
        print(f"{'command':<50} {'time':>10} {'reference':>10} {'ratio':>7} {'target':>6} {'':>5}")
        lines = []

        m = medians({"help": [BACKPROP, "--help"], "floor": FLOOR_HELP}, rounds)
        lines.append(row("backprop --help / import typer, rich", m["help"], m["floor"], 1.5))

        commands = {"step": [BACKPROP, "step"], "floor": FLOOR_STEP}
        commands.update({w: [BACKPROP, "step", "--network", nets[w], "--json"] for w in WIDTHS})
        m = medians(commands, rounds)
        lines.append(row("backprop step / import sympy, typer, rich, yaml", m["step"], m["floor"], 1.5))
        for width in WIDTHS:
            label = f"  2-{width}-{width}-1 tanh --json ({parameter_count([2, width, width, 1])} params)"
            lines.append(row(label, m[width], m["floor"], 4 if width == 16 else None))

        m = medians({"many": [BACKPROP, "step", "--steps", "1000", "--json"],
                     "one": [BACKPROP, "step", "--json"]}, rounds)
        lines.append(row("step --steps 1000 --json / step --json", m["many"], m["one"], 1.5))

        for line in lines:
            print(line)
        over = [line for line in lines if line.endswith("over")]
        print(f"\n{len(over)} over target" if over else "\nall within target")
    import bench_feedback  # feedback latency per lesson and the validate/import-floor ratio
    bench_feedback.main([f"--rounds={rounds}"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
