#!/usr/bin/env python3
"""Start-up, engine and memory benchmark: median ratios against references measured side by side.

    .venv/bin/python scripts/bench.py [--rounds 7] [--baseline OTHER_VENV/bin/python]

Every command runs as a fresh subprocess with this Python (use the project's venv; NumPy, for the
engine's peer, comes with ``pip install -e ".[bench]"``). The runs of a comparison are interleaved
round by round, and each is timed in CPU seconds (user + system, from the child's rusage): on a
machine shared with others, wall time mostly measures the neighbours. Each ratio is median / median;
the engine's loop against NumPy is timed in this process, in CPU seconds too.
``--baseline`` names the Python of another install (an earlier commit) to compare `train`,
`surface` and `step` against it. Not a test: it prints one table, each row with its target.

The report is a list of sections, each a function returning rows: add one by appending to SECTIONS.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_network import layered, parameter_count

PY = sys.executable
BACKPROP = str(Path(PY).parent / "backprop")
FLOOR_HELP = [PY, "-c", "import typer, rich.console"]
FLOOR_STEP = [PY, "-c", "import sympy, typer, rich.console, yaml"]
WIDTHS = (8, 16, 32, 64)
JSON_WIDTHS = (4, 8, 16, 32)


@dataclass
class Context:
    rounds: int
    folder: Path
    baseline: str | None  # another install's python, or None
    nets: dict[int, str] = field(default_factory=dict)

    def net(self, width: int) -> str:
        if width not in self.nets:
            path = self.folder / f"layered-{width}.yaml"
            path.write_text(layered([2, width, width, 1], "tanh", seed=1), encoding="utf-8")
            self.nets[width] = str(path)
        return self.nets[width]


def run_once(cmd: list[str]) -> tuple[float, int]:
    """(CPU seconds, peak resident memory in KB) of one run of ``cmd``.

    The peak counts the pages a fork inherits before ``exec``: measure memory from a small process.
    """
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = usage.ru_utime + usage.ru_stime
    err = proc.stderr.read().decode() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    return elapsed, usage.ru_maxrss


def medians(commands: dict, rounds: int) -> dict:
    """Median seconds of each command, the runs interleaved round by round after one warm-up."""
    for cmd in commands.values():
        run_once(cmd)  # warm-up: byte-code caches, file cache
    times: dict = {name: [] for name in commands}
    for _ in range(rounds):
        for name, cmd in commands.items():
            times[name].append(run_once(cmd)[0])
    return {name: statistics.median(values) for name, values in times.items()}


def row(label: str, value: float, reference: float, target: float | None, unit: str = "s") -> str:
    ratio = value / reference
    verdict = "" if target is None else ("PASS" if ratio <= target else "over")
    goal = "" if target is None else f"≤ {target:g}"
    return f"{label:<56} {value:10.4g} {unit:<2} {reference:10.4g} {unit:<2} {ratio:7.2f} {goal:>6} {verdict:>5}"


# -- sections ----------------------------------------------------------------------------------
def startup(ctx: Context) -> list[str]:
    m = medians({"help": [BACKPROP, "--help"], "floor": FLOOR_HELP}, ctx.rounds)
    return [row("backprop --help / import typer, rich", m["help"], m["floor"], 1.5)]


#: What any typer command adds to the floor (its option parsing imports pydantic) and what the first
#: SymPy sum adds (Add imports sympy.tensor): paid by every command that reads a formula.
FLOOR_PLUS = [PY, "-c", "import sympy, typer, rich.console, yaml, typer._adapters; sympy.Symbol('a') + 1"]


def one_step(ctx: Context) -> list[str]:
    """`step` and `step --json` against the import floor: a repeat run (from the cache) is the target;
    the first run (``BACKPROP_NO_CACHE=1``: parsed, derived and compiled) is printed beside it."""
    cold = ["env", "BACKPROP_NO_CACHE=1", BACKPROP]
    commands: dict = {"step": [BACKPROP, "step"], "floor": FLOOR_STEP, "plus": FLOOR_PLUS,
                      "step cold": [*cold, "step"], "cold": [*cold, "step", "--network", ctx.net(16), "--json"]}
    commands.update({w: [BACKPROP, "step", "--network", ctx.net(w), "--json"] for w in JSON_WIDTHS})
    m = medians(commands, ctx.rounds)
    lines = [row("  (floor + typer's pydantic + SymPy's first sum) / floor", m["plus"], m["floor"], None),
             row("backprop step (simple), repeat / sympy,typer,rich,yaml", m["step"], m["floor"], 1.3),
             row("  backprop step (simple), first run (NO_CACHE=1) / floor", m["step cold"], m["floor"], None)]
    for width in JSON_WIDTHS:
        label = f"  step --json 2-{width}-{width}-1 tanh ({parameter_count([2, width, width, 1])} params), repeat"
        lines.append(row(label, m[width], m["floor"], 1.5 if width == 16 else None))
    lines.append(row("  step --json 2-16-16-1, first run (BACKPROP_NO_CACHE=1) / floor", m["cold"], m["floor"], None))
    return lines


def many_steps(ctx: Context) -> list[str]:
    m = medians({"many": [BACKPROP, "step", "--steps", "1000", "--json"],
                 "one": [BACKPROP, "step", "--json"]}, ctx.rounds)
    return [row("step --steps 1000 --json / step --json (simple)", m["many"], m["one"], 1.5)]


def memory(ctx: Context) -> list[str]:
    """Peak resident memory of 1000 steps at W = 64 (4,417 parameters) against the import floor's."""
    _, floor = run_once(FLOOR_STEP)
    _, peak = run_once([BACKPROP, "step", "--network", ctx.net(64), "--steps", "1000", "--json"])
    ok = "PASS" if peak <= 300 * 1024 else "over"
    label = f"peak memory: step --steps 1000 --json, W = 64 (floor {floor / 1024:.0f} MB)"
    return [f"{label:<56} {peak / 1024:10.4g} MB {'':>13} {'':>7} {'≤ 300':>6} {ok:>5}"]


def marginal(ctx: Context) -> list[str]:
    """The engine's compiled loop against a hand-written NumPy loop, per step, in this process."""
    try:
        import numpy  # noqa: F401
    except ImportError:
        return ["marginal step cost: skipped (NumPy is a benchmark extra: pip install -e '.[bench]')"]
    from backprop_cli.network.engine import Engine
    from backprop_cli.network.model import load

    lines = []
    steps = 200
    for width in WIDTHS:
        engine = Engine(load(ctx.net(width)))
        start = engine.floats()
        lr = float(engine.network.learning_rate or 0.01)
        peer = NumpyPeer(start, width)
        engine.descend(lr, 2, start)  # compiled, warm
        a, b = [], []
        for _ in range(max(ctx.rounds, 5)):
            t = time.process_time()
            engine.descend(lr, steps, start)
            a.append(time.process_time() - t)
            t = time.process_time()
            peer.descend(lr, steps)
            b.append(time.process_time() - t)
        ours, theirs = statistics.median(a) / steps, statistics.median(b) / steps
        run = engine.descend(lr, 1000, start)
        loss, params = peer.descend(lr, 1000)
        gap = max(abs(run.loss_after - loss), *(abs(run.parameters[k] - v) for k, v in params.items()))
        label = f"step cost W={width:<2} ({parameter_count([2, width, width, 1])} params) / NumPy; 1000 steps Δ {gap:.0e}"
        if gap > 1e-9:
            label += " DIFFERENT"
        lines.append(row(label, ours * 1e6, theirs * 1e6, 6.5 if width == 32 else None, "µs"))
    return lines


class NumpyPeer:
    """The same 2-W-W-1 tanh network written by hand in NumPy (the loss of every step kept, as the engine does)."""

    def __init__(self, leaves: dict[str, float], width: int):
        import numpy as np

        widths = [2, width, width, 1]
        self.x = np.array([leaves["x1"], leaves["x2"]])
        self.y = np.array([leaves["y"]])
        self.start = []
        for layer in range(1, 4):
            rows, cols = widths[layer], widths[layer - 1]
            self.start.append(np.array([[leaves[f"w_{layer}_{i}_{j}"] for j in range(1, cols + 1)]
                                        for i in range(1, rows + 1)]))
            self.start.append(np.array([leaves[f"b_{layer}_{i}"] for i in range(1, rows + 1)]))

    def descend(self, lr: float, steps: int):
        import numpy as np

        w1, b1, w2, b2, w3, b3 = (a.copy() for a in self.start)
        x, y, tanh, outer = self.x, self.y, np.tanh, np.outer
        losses = []
        for _ in range(steps):
            h1 = tanh(w1 @ x + b1)
            h2 = tanh(w2 @ h1 + b2)
            d3 = w3 @ h2 + b3 - y
            losses.append(0.5 * float(d3 @ d3))
            dz2 = (w3.T @ d3) * (1 - h2 * h2)
            dz1 = (w2.T @ dz2) * (1 - h1 * h1)
            w3 -= lr * outer(d3, h2)
            b3 -= lr * d3
            w2 -= lr * outer(dz2, h1)
            b2 -= lr * dz2
            w1 -= lr * outer(dz1, x)
            b1 -= lr * dz1
        d3 = w3 @ tanh(w2 @ tanh(w1 @ x + b1) + b2) + b3 - y
        params = {}
        for layer, (w, b) in enumerate(((w1, b1), (w2, b2), (w3, b3)), start=1):
            for i in range(w.shape[0]):
                params[f"b_{layer}_{i + 1}"] = float(b[i])
                for j in range(w.shape[1]):
                    params[f"w_{layer}_{i + 1}_{j + 1}"] = float(w[i, j])
        return 0.5 * float(d3 @ d3), params


def views(ctx: Context) -> list[str]:
    """`train`, `surface` and `step` on the seed networks against another install (--baseline).

    `step` twice: a repeat run (from the cache) and a first run (``BACKPROP_NO_CACHE=1``), which
    must not be slower than the baseline's (the cache's bookkeeping is paid there).
    """
    if ctx.baseline is None:
        return ["train / surface against the previous engine: skipped (give --baseline OTHER/bin/python)"]
    old = str(Path(ctx.baseline).parent / "backprop")
    cases = {"train": ["train"], "train --network sigmoid": ["train", "--network", "sigmoid"],
             "surface": ["surface"], "surface --network sigmoid": ["surface", "--network", "sigmoid"],
             "step, repeat": ["step"], "step, first run (NO_CACHE=1)": ["step"],
             "step --json W=16": ["step", "--json", "--network", ctx.net(16)]}
    commands = {}
    for name, args in cases.items():
        env = ["env", "BACKPROP_NO_CACHE=1"] if "NO_CACHE" in name else []
        commands[("new", name)] = [*env, BACKPROP, *args]
        commands[("old", name)] = [*env, old, *args]
    m = medians(commands, ctx.rounds)
    return [row(f"{name} / the same with the baseline", m[("new", name)], m[("old", name)],
                1.05 if "first run" in name else 1.0 if name.startswith(("train", "surface")) else None)
            for name in cases]


#: The report, in order. Another benchmark adds itself here with one line.
SECTIONS: list[Callable[[Context], list[str]]] = [startup, one_step, many_steps, memory, views, marginal]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="runs of each command (default 7)")
    parser.add_argument("--baseline", help="the python of another install, to compare train/surface/step")
    args = parser.parse_args(argv)
    from bench_feedback import compile_bytecode

    for python in filter(None, (PY, args.baseline)):
        compile_bytecode(python)  # as installed: bytecode written (see compile_bytecode)
    with tempfile.TemporaryDirectory() as folder:
        os.environ["BACKPROP_HOME"] = str(Path(folder) / "home")  # the cache and progress of these runs only
        ctx = Context(args.rounds, Path(folder), args.baseline)
        print(f"python {sys.version.split()[0]} at {PY}; {args.rounds} interleaved rounds, medians\n")
        print(f"{'measure':<56} {'value':>13} {'reference':>13} {'ratio':>7} {'target':>6} {'':>5}")
        lines: list[str] = []
        for section in SECTIONS:
            for line in section(ctx):
                print(line, flush=True)
                lines.append(line)
        over = [line for line in lines if line.endswith("over")]
        print(f"\n{len(over)} over target" if over else "\nall within target")
    import bench_feedback  # feedback latency per lesson and the validate/import-floor ratio
    bench_feedback.main([f"--rounds={args.rounds}"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
