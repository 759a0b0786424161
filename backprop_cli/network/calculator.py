"""What `backprop step` (and the other network commands) compute: load, override, run.

Plain data in, plain data out, so the CLI stays a few lines and tests can call this directly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from backprop_cli.errors import ExpressionError, UsageError
from backprop_cli.network.engine import Engine, Run, ensure_finite
from backprop_cli.network.graph import Network

DEFAULT_LR = 0.01
MAX_STEPS = 1_000_000


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


def learning_rate(lr: float | None, network: Network) -> float:
    if lr is None:
        return float(network.learning_rate) if network.learning_rate is not None else DEFAULT_LR
    if not math.isfinite(lr) or lr <= 0:
        raise UsageError(f"--lr must be a positive number, not {lr:g}")
    return lr


def load(network: str, sets: Iterable[str] = ()) -> Network:
    from backprop_cli.network.model import load as load_network

    net = load_network(network)
    overrides = parse_assignments(sets, net)
    return net.with_values(overrides) if overrides else net


def step(network: str, lr: float | None = None, steps: int = 1, sets: Iterable[str] = ()) -> tuple[Network, Run]:
    """Run ``steps`` gradient-descent steps; raises on divergence (with the step number)."""
    if steps < 1 or steps > MAX_STEPS:
        raise UsageError(f"--steps must be between 1 and {MAX_STEPS:,}")
    net = load(network, sets)
    run = Engine(net).train(learning_rate(lr, net), steps)
    return net, ensure_finite(run)


def run_to_json(run: Run, network: Network) -> dict[str, Any]:
    """The `--json` document: full precision floats, no rounding."""
    before = run.detail.before.values
    return {
        "network": run.network,
        "lr": run.lr,
        "forward": {n.name: before[n.name] for n in network.hidden},
        "loss": run.detail.before.loss,
        "gradients": {p: float(g) for p, g in run.detail.gradients.items()},
        "parameters": dict(run.parameters),
        "loss_after": run.loss_after,
        "history": [
            {"step": h.step, "loss": h.loss, "gradients": dict(h.gradients), "parameters": dict(h.parameters)}
            for h in run.history
        ],
    }
