"""Training curves: gradient descent at one or several learning rates, loss by step.

The engine's :meth:`Engine.descend` does the work; it is called in chunks so that a long run can
report progress, and only the losses are kept (not a million history rows).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from backprop_cli.analysis import option_number
from backprop_cli.errors import UsageError
from backprop_cli.network.calculator import (
    check_start,
    check_steps,
    check_until,
    learning_rate,
)
from backprop_cli.network.engine import Engine
from backprop_cli.network.graph import Network

MAX_RATES = 8


@dataclass(frozen=True)
class Curve:
    """One learning rate's run: ``losses[k]`` is the loss after k updates (finite values only)."""

    lr: float
    losses: tuple[float, ...]
    steps: int  # updates made
    parameters: Mapping[str, float]  # after the last update
    final_loss: float  # may be inf or NaN when the run diverged
    diverged_at: int | None  # the engine's: the loss overflowed or became NaN at this step
    grew_at: int | None  # when the final loss is above the first: the first step whose loss was above it
    reached: bool  # stopped early because the loss fell to --until

    @property
    def diverging(self) -> bool:
        return self.diverged_at is not None or self.grew_at is not None

    @property
    def verdict(self) -> str:
        """What the curve did, in one word.

        ``overflow`` / ``grows``: diverging; ``reached``: stopped at --until; ``converged``: the loss
        fell to about 0 (a billionth of its start); ``bouncing``: it was more than twice as low
        before (it overshoots back and forth); ``falling``: still going down over the last tenth
        of the run; ``levelling``: barely changing any more.
        """
        if self.diverged_at is not None:
            return "overflow"
        if self.grew_at is not None:
            return "grows"
        if self.reached:
            return "reached"
        if not self.losses:
            return "levelling"
        first, final = self.losses[0], self.losses[-1]
        if final <= first * 1e-9:
            return "converged"
        if final > 2 * min(self.losses) or _oscillates(self.losses[-max(4, len(self.losses) // 10):]):
            return "bouncing"
        if final < 0.99 * self.losses[int(0.9 * (len(self.losses) - 1))]:
            return "falling"
        return "levelling"


@dataclass(frozen=True)
class Training:
    network: str
    initial: Mapping[str, float]  # the parameters before training
    curves: tuple[Curve, ...]
    until: float | None


def parse_rates(text: str | None, network: Network) -> tuple[float, ...]:
    """``"0.001,0.01,0.05"`` → rates (each positive); None → the network's own rate."""
    if text is None:
        return (learning_rate(None, network),)
    rates = []
    for item in (p.strip() for p in text.split(",")):
        if not item:
            continue
        value = option_number(item, f"--lr {item!r}", "not a number (write e.g. --lr 0.001,0.01,0.05)")
        rates.append(learning_rate(value, network))
    if not rates:
        raise UsageError("--lr needs at least one rate, e.g. --lr 0.01")
    if len(rates) > MAX_RATES:
        raise UsageError(f"--lr: at most {MAX_RATES} rates at once")
    return tuple(dict.fromkeys(rates))


def train_curves(network: Network, rates: Sequence[float], steps: int, until: float | None = None,
                 on_progress: Callable[[int], None] | None = None) -> Training:
    """Run gradient descent from the network's values once per rate; ``on_progress(k)`` after k steps."""
    check_steps(steps)
    check_until(until)
    engine = Engine(network)
    start = engine.floats()
    check_start(engine, start)
    curves = tuple(_curve(engine, start, lr, steps, until, on_progress) for lr in rates)
    return Training(network.name, {p: start[p] for p in network.parameters}, curves, until)


def _curve(engine: Engine, start: dict[str, float], lr: float, steps: int, until: float | None,
           on_progress: Callable[[int], None] | None) -> Curve:
    chunk = max(200, steps // 50)
    leaves = dict(start)
    losses: list[float] = []
    done = 0
    diverged_at = None
    final_loss = math.nan
    while done < steps:
        want = min(chunk, steps - done)
        run = engine.descend(lr, want, leaves, until=until)
        losses.extend(run.losses)
        leaves.update(run.parameters)
        final_loss = run.loss_after
        if run.diverged_at is not None:
            diverged_at = done + run.diverged_at
        done += run.steps
        if on_progress is not None:
            on_progress(run.steps)
        if run.diverged_at is not None or run.steps < want:
            break  # diverged, or reached --until
    if on_progress is not None and done < steps:
        on_progress(steps - done)  # the bar ends full even when the run stopped early
    if math.isfinite(final_loss):
        losses.append(final_loss)
    grew_at = None
    if losses and (not math.isfinite(final_loss) or final_loss > losses[0]):
        grew_at = next((k for k, loss in enumerate(losses) if loss > losses[0]), None)
        if grew_at is None and diverged_at is None:
            grew_at = len(losses)
    reached = until is not None and math.isfinite(final_loss) and final_loss <= until
    parameters = {p: leaves[p] for p in engine.network.parameters}
    return Curve(lr, tuple(losses), done, parameters, final_loss, diverged_at, grew_at, reached)


def _oscillates(tail: Sequence[float]) -> bool:
    """Up, down, up, down… by more than 10%: gradient descent overshooting back and forth."""
    steps = [b - a for a, b in itertools.pairwise(tail)]
    turns = sum(1 for a, b in itertools.pairwise(steps) if a * b < 0)
    return len(steps) >= 3 and turns >= len(steps) // 2 and max(tail) > 1.1 * min(tail)
