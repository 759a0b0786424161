"""What `backprop step` (and the other network commands) compute: load, override, run.

The one place where options are checked and worded as the learner typed them (``--set``, ``--lr``,
``--steps``, ``--until``): the engine below only raises ``ValueError`` for a program's mistakes.
Plain data in, plain data out, so the CLI stays a few lines and tests can call this directly.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import IO, TYPE_CHECKING, Any

from backprop_cli.errors import DivergenceError, ExpressionError, UsageError
from backprop_cli.network.engine import Engine, as_floats
from backprop_cli.network.graph import LOSS, PLAIN_NUMBER
from backprop_cli.network.plain import PlainNetwork
from backprop_cli.network.results import HistoryEntry, StepDetail

if TYPE_CHECKING:
    from backprop_cli.network.graph import Network

DEFAULT_LR = 0.01
MAX_STEPS = 1_000_000
#: The human report shows this many steps at each end of a long run (the middle is elided).
SHOWN_STEPS = 10


# -- options, checked and worded once ---------------------------------------------------------
def parse_assignments(items: Iterable[str], network: Network, option: str = "--set") -> dict[str, Any]:
    """``["w1=3", "x=0.5"]`` → exact values, each name checked against the network's leaves."""
    from backprop_cli.expressions import parse_number

    leaves = network.leaves()
    out: dict[str, Any] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name or not text.strip():
            raise UsageError(f"{option} {item!r}: write NAME=VALUE, e.g. {option} w1=0.5")
        if name not in leaves:
            known = ", ".join(leaves)
            kind = " (a node is computed, not set)" if any(n.name == name for n in network.nodes) else ""
            raise UsageError(f"{option} {item!r}: '{name}' is not an input, target, constant or parameter"
                             f"{kind}; the network has {known}")
        try:
            value = parse_number(text)
        except ExpressionError as exc:
            raise UsageError(f"{option} {item!r}: {exc}") from None
        if not value.is_number or not value.is_real:
            raise UsageError(f"{option} {item!r}: the value must be a number")
        out[name] = value
    return out


def plain_assignments(items: Iterable[str], leaves: Iterable[str]) -> dict[str, float] | None:
    """``--set`` values that need no parser: plain decimals (``w1=0.5``, ``x=-1e-3``) for known leaves,
    as the floats :func:`parse_assignments` gives them (the same exact value, rounded once); None for
    anything else, which :func:`parse_assignments` then reads (and words, if it is wrong)."""
    from fractions import Fraction

    known = set(leaves)
    out: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name, text = name.strip(), text.strip(" ")
        if not sep or name not in known or not PLAIN_NUMBER.fullmatch(text):
            return None
        exact = Fraction(text)
        out[name] = exact.numerator / exact.denominator
    return out


def learning_rate(lr: float | None, network: Network | PlainNetwork) -> float:
    """``--lr`` if given (it must be positive), else the network's own rate, else 0.01."""
    return rate(lr, None if network.learning_rate is None else float(network.learning_rate))


def rate(lr: float | None, own: float | None) -> float:
    if lr is None:
        return own if own is not None else DEFAULT_LR
    if not math.isfinite(lr) or lr <= 0:
        raise UsageError(f"--lr must be a positive number, not {lr:g}")
    return lr


def check_steps(steps: int, maximum: int = MAX_STEPS) -> int:
    if steps < 1 or steps > maximum:
        raise UsageError(f"--steps must be between 1 and {maximum:,}")
    return steps


def check_until(until: float | None) -> float | None:
    if until is not None and not math.isfinite(until):
        raise UsageError("--until must be a finite number")
    return until


def check_start(engine: Engine, leaves: Mapping[str, float]) -> None:
    """Refuse starting values at which the loss cannot even be computed: no learning rate helps."""
    if not math.isfinite(engine.forward(leaves)[LOSS]):
        raise UsageError("the loss cannot be computed at the starting values (it overflows or is undefined "
                         "before any step); check the values given with --set")


def load(network: str, sets: Iterable[str] = ()) -> Network:
    from backprop_cli.network.model import load as load_network

    net = load_network(network)
    overrides = parse_assignments(sets, net)
    return net.with_values(overrides) if overrides else net


def network_for_step(name_or_path: str, sets: Iterable[str] = (), *, view: bool = True) -> PlainNetwork:
    """The network `backprop step` runs, with ``--set`` applied: from the cache when this file ran
    before (no parsing, no SymPy), else loaded, compiled and kept there for the next run.

    ``view``: also what the report shows (a drawn step), not only the numbers (``--json``).
    """
    from backprop_cli import cache_files
    from backprop_cli.network import cache, plain

    data = cache.file_bytes(name_or_path) if cache_files.enabled() else None
    entry = cache.lookup(data) if data is not None else None
    if entry is not None and (entry.view is not None or not view):
        overrides = plain_assignments(sets, entry.leaves)
        if overrides is not None:
            return cache.network(entry, name_or_path, lambda: load(name_or_path)).with_values(overrides)
    base = load(name_or_path)
    overrides = parse_assignments(sets, base)
    net = base.with_values(overrides) if overrides else base
    engine = Engine(net)
    out = plain.of_network(net, engine.compiled, engine.floats(), view=view)
    if data is not None:
        cache.store(data, out, as_floats(base.leaves()))  # the file's own values, whatever --set said
    return out


# -- `backprop step` ---------------------------------------------------------------------------
@dataclass(frozen=True)
class StepRun:
    """N steps from the network's values: the first in detail (worked out when shown), the ends of the rest."""

    network: str
    lr: float
    steps: int
    first: HistoryEntry  # step 1: the loss before it, its gradients, the parameters after it
    rows: tuple[HistoryEntry, ...]  # the first and the last SHOWN_STEPS steps
    parameters: Mapping[str, float]  # after the last update
    loss_after: float
    engine: Engine = field(repr=False, compare=False)
    start: Mapping[str, float] = field(repr=False, compare=False)

    @cached_property
    def detail(self) -> StepDetail:
        return self.engine.explain_step(self.lr, self.start)

    @property
    def history(self) -> tuple[HistoryEntry, ...]:
        return self.rows


class _Rows:
    """``on_step`` keeping step 1 and the first and last SHOWN_STEPS steps (not a million rows)."""

    def __init__(self, params: tuple[str, ...], keep: int = SHOWN_STEPS):
        self.params, self.keep = params, keep
        self.head: list[HistoryEntry] = []
        self.tail: deque[HistoryEntry] = deque(maxlen=keep)
        self.count = 0

    def __call__(self, loss: float, grads: tuple[float, ...], params: tuple[float, ...]) -> None:
        self.count += 1
        entry = HistoryEntry(self.count, loss, dict(zip(self.params, grads)), dict(zip(self.params, params)))
        (self.head if len(self.head) < self.keep else self.tail).append(entry)


def step(network: str | Network | PlainNetwork, lr: float | None = None, steps: int = 1, sets: Iterable[str] = ()
         ) -> tuple[Network | PlainNetwork, StepRun]:
    """Run ``steps`` gradient-descent steps; raises on divergence (with the step number)."""
    check_steps(steps)
    net = load(network, sets) if isinstance(network, str) else network
    rate = learning_rate(lr, net)
    engine = Engine(net)
    start = engine.floats()
    check_start(engine, start)
    rows = _Rows(tuple(net.parameters))
    run = engine.descend(rate, steps, start, on_step=rows)
    if run.diverged_at is not None:
        raise DivergenceError(run.diverged_at, rate, "overflowed or became NaN")
    all_rows = (*rows.head, *rows.tail)
    return net, StepRun(net.name, rate, run.steps, all_rows[0], all_rows, run.parameters, run.loss_after,
                        engine, start)


# -- `backprop step --json` ---------------------------------------------------------------------
class _HistoryFile:
    """``on_step`` writing each step as one row of doubles to a temporary file (streamed, not held)."""

    def __init__(self, width: int):
        import tempfile
        from array import array

        self.array = array
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close(), after the document
        self.width = 1 + 2 * width
        self.count = 0
        self.first: tuple[tuple[float, ...], tuple[float, ...]] | None = None
        self.map: Any = None
        self.view: Any = None

    def __call__(self, loss: float, grads: tuple[float, ...], params: tuple[float, ...]) -> None:
        if self.first is None:
            self.first = (grads, params)
        self.array("d", (loss, *grads, *params)).tofile(self.file)
        self.count += 1

    def column(self, index: int) -> list[float]:
        """One column (0: the loss, then the gradients, then the parameters) of the rows written."""
        if self.view is None:
            import mmap

            self.file.flush()
            self.map = mmap.mmap(self.file.fileno(), 0, access=mmap.ACCESS_READ)
            self.view = memoryview(self.map).cast("d")
        return self.view[index::self.width].tolist()

    def close(self) -> None:
        if self.view is not None:
            self.view.release()
            self.map.close()
        self.file.close()


class _FirstStep:
    """``on_step`` keeping only step 1 (the default document's gradients)."""

    def __init__(self) -> None:
        self.first: tuple[tuple[float, ...], tuple[float, ...]] | None = None

    def __call__(self, loss: float, grads: tuple[float, ...], params: tuple[float, ...]) -> None:
        if self.first is None:
            self.first = (grads, params)


def write_json(out: IO[str], network: Network | PlainNetwork, lr: float | None = None, steps: int = 1, *,
               history: bool = False, extra: Mapping[str, Any] | None = None) -> None:
    """The `--json` document, full-precision floats; with ``history``, every step as arrays.

    ``history`` is ``{"step": [...], "loss": [...], "gradients": {name: [...]}, "parameters":
    {name: [...]}}``: the loss before each step, its gradients, the parameters after it. Nothing is
    written unless the run succeeds (a divergence raises first: no half document).
    """
    check_steps(steps)
    engine = Engine(network)
    _write(out, engine, network.name, learning_rate(lr, network), steps, history, extra)


def _write(out: IO[str], engine: Engine, name: str, rate_: float, steps: int, history: bool,
           extra: Mapping[str, Any] | None) -> None:
    import json

    start = engine.floats()
    check_start(engine, start)
    c = engine.compiled
    params = c.parameters
    values = engine.forward(start)
    recorder: _HistoryFile | _FirstStep = _HistoryFile(len(params)) if history else _FirstStep()
    try:
        if history:
            run = engine.descend(rate_, steps, start, on_step=recorder)
        else:  # only step 1 is recorded; the rest runs without a callback
            run = engine.descend(rate_, 1, start, on_step=recorder)
            if steps > 1 and run.diverged_at is None:
                more = engine.descend(rate_, steps - 1, {**start, **run.parameters})
                diverged = None if more.diverged_at is None else more.diverged_at + 1
                run = type(run)(rate_, run.steps + more.steps, (), more.parameters, more.loss_after, diverged, False)
        if run.diverged_at is not None:
            raise DivergenceError(run.diverged_at, rate_, "overflowed or became NaN")
        assert recorder.first is not None
        grads, _ = recorder.first
        head = {
            "network": name,
            "lr": rate_,
            "steps": run.steps,
            "forward": {n: values[n] for n in c.nodes[:-1]},
            "loss": values[LOSS],
            "gradients": dict(zip(params, grads)),
            "parameters": dict(run.parameters),
            "loss_after": run.loss_after,
            **(extra or {}),
        }
        text = json.dumps(head, indent=2)
        if not isinstance(recorder, _HistoryFile):
            out.write(text + "\n")
            return
        out.write(text[:-2] + ',\n  "history": {\n')
        out.write(f'    "step": {json.dumps(list(range(1, recorder.count + 1)))},\n')
        out.write(f'    "loss": {json.dumps(recorder.column(0))},\n')
        for key, offset in (("gradients", 1), ("parameters", 1 + len(params))):
            out.write(f'    "{key}": {{\n')
            for i, param in enumerate(params):
                comma = "," if i < len(params) - 1 else ""
                out.write(f'      {json.dumps(param)}: {json.dumps(recorder.column(offset + i))}{comma}\n')
            out.write("    }" + ("," if key == "gradients" else "") + "\n")
        out.write("  }\n}\n")
    finally:
        if isinstance(recorder, _HistoryFile):
            recorder.close()
