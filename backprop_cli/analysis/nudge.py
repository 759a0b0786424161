"""Nudge experiments on a network, and the finite-difference check of every gradient.

The source's experiment: ∂L/∂w2 = −72, so increasing w2 by 0.1 should change the loss by about
−7.2; the real change is −7.12. Both numbers come from the engine (float route), never typed in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from backprop_cli.errors import UsageError
from backprop_cli.network.engine import Engine
from backprop_cli.network.graph import LOSS, Network


@dataclass(frozen=True)
class NetworkNudgeTerm:
    name: str
    gradient: float  # ∂L/∂name at the starting values
    delta: float
    product: float  # gradient · delta
    old: float
    new: float


@dataclass(frozen=True)
class NetworkNudge:
    """Σ ∂L/∂w·Δw (predicted) against L(w + Δw) − L(w) (actual)."""

    network: str
    terms: tuple[NetworkNudgeTerm, ...]
    predicted: float
    loss_before: float
    loss_after: float
    actual: float
    relative_error: float | None  # |actual − predicted| / |actual|; None when actual is 0


def nudge_network(network: Network, deltas: Mapping[str, float]) -> NetworkNudge:
    """Move the named leaves by their deltas; compare the first-order prediction with reality."""
    engine = Engine(network)
    leaves = {k: float(v) for k, v in network.leaves().items()}
    values = engine.forward(leaves)
    _, adjoint = engine.backward(values)
    _check_loss(network, values[LOSS], "at the starting values")
    moved = dict(leaves)
    terms = []
    for name, delta in deltas.items():
        if not math.isfinite(adjoint[name]):  # else "predicted NaN ... relative error NaN%"
            raise UsageError(f"∂L/∂{name} of {network.name} is not a number at the starting values (the loss "
                             f"has no slope there, or it is too large); nothing to predict from")
        delta = float(delta)
        moved[name] = leaves[name] + delta
        terms.append(NetworkNudgeTerm(name, adjoint[name], delta, adjoint[name] * delta, leaves[name], moved[name]))
    predicted = math.fsum(t.product for t in terms)
    after = engine.forward(moved)[LOSS]
    _check_loss(network, after, "after this nudge")
    actual = after - values[LOSS]
    rel = abs(actual - predicted) / abs(actual) if actual != 0 and math.isfinite(actual) else None
    return NetworkNudge(network.name, tuple(terms), predicted, values[LOSS], after, actual, rel)


def _check_loss(network: Network, loss: float, where: str) -> None:
    if not math.isfinite(loss):  # else NaN compares as neither a rise nor a fall
        raise UsageError(f"the loss of {network.name} is too large to compute {where}; try smaller values")


@dataclass(frozen=True)
class GradientCheck:
    """The analytic gradient beside a central finite difference (L(w+h) − L(w−h)) / 2h."""

    parameter: str
    analytic: float
    numeric: float
    h: float
    relative_error: float  # |analytic − numeric| / max(|analytic|, |numeric|), 0 when both are 0


#: Relative step: h = STEP · max(1, |w|); central differences are then accurate to about 1e-9.
STEP = 1e-6
#: Above this relative error the analytic gradient and the finite difference disagree.
TOLERANCE = 1e-5


def gradient_check(network: Network, leaves: Mapping[str, float] | None = None,
                   names: Iterable[str] | None = None) -> tuple[GradientCheck, ...]:
    """Check ∂L/∂w for each parameter (or each of ``names``) against central finite differences."""
    engine = Engine(network)
    base = {k: float(v) for k, v in (leaves or network.leaves()).items()}
    _, adjoint = engine.backward(engine.forward(base))
    out = []
    for name in names if names is not None else network.parameters:
        h = STEP * max(1.0, abs(base[name]))
        up = engine.forward({**base, name: base[name] + h})[LOSS]
        down = engine.forward({**base, name: base[name] - h})[LOSS]
        numeric = (up - down) / (2 * h)
        analytic = adjoint[name]
        scale = max(abs(analytic), abs(numeric))
        rel = abs(analytic - numeric) / scale if scale > 0 else 0.0
        out.append(GradientCheck(name, analytic, numeric, h, rel if math.isfinite(rel) else math.inf))
    return tuple(out)
