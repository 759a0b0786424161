"""What the engine returns: plain frozen results. A step's detail (the forward passes, every
local derivative and adjoint, the updates) and a run's history; the chains that explain each
gradient are built by the engine only when a view reads :attr:`StepDetail.chains`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    import sympy

    from backprop_cli.network.engine import Engine

Value = Union[float, "sympy.Expr"]


@dataclass(frozen=True)
class Factor:
    """One local derivative in a chain: ∂``node``/∂``dep`` = ``formula`` = ``value``."""

    node: str
    dep: str
    formula: sympy.Expr | str  # str: already written out (a network read back from the cache)
    value: Value


@dataclass(frozen=True)
class Path:
    factors: tuple[Factor, ...]  # from the loss down to the parameter
    value: Value


@dataclass(frozen=True)
class Chain:
    """How one parameter's gradient is made: the sum over all paths of the products of factors."""

    parameter: str
    paths: tuple[Path, ...]
    complete: bool  # False when there were more than MAX_PATHS paths (then only the first are kept)
    value: Value


@dataclass(frozen=True)
class Pass:
    """A forward pass: the value of every leaf and node, and the loss."""

    values: Mapping[str, Value]
    loss: Value


@dataclass(frozen=True)
class Update:
    parameter: str
    old: Value
    gradient: Value
    delta: Value  # −α·gradient
    new: Value


@dataclass(frozen=True)
class StepDetail:
    """Everything the source works out by hand for one step; ``chains`` is built when first read."""

    before: Pass
    locals: Mapping[tuple[str, str], Value]  # (node, dep) → value of ∂node/∂dep
    adjoints: Mapping[str, Value]  # name → ∂L/∂name, for nodes and leaves
    gradients: Mapping[str, Value]  # parameter → ∂L/∂parameter
    updates: tuple[Update, ...]
    after: Pass
    engine: Engine = field(repr=False, compare=False)

    @cached_property
    def chains(self) -> tuple[Chain, ...]:
        return tuple(self.engine.chain(p, self.locals, self.gradients[p]) for p in self.engine.network.parameters)


@dataclass(frozen=True)
class HistoryEntry:
    step: int
    loss: float  # before this step's update
    gradients: Mapping[str, float]
    parameters: Mapping[str, float]  # after this step's update


@dataclass(frozen=True)
class Descent:
    """N steps of gradient descent: the losses, and where the parameters ended."""

    lr: float
    steps: int  # updates made
    losses: Sequence[float]  # the loss before each update
    parameters: Mapping[str, float]  # after the last update
    loss_after: float
    diverged_at: int | None  # step at which the loss overflowed or became NaN
    reached: bool  # stopped because the loss fell to ``until``


@dataclass(frozen=True)
class Run:
    """``train``'s result: a descent with its history; ``detail`` (the first step) is worked out when read."""

    network: str
    lr: float
    steps: int
    history: tuple[HistoryEntry, ...]
    parameters: Mapping[str, float]  # after the last update
    loss_after: float
    diverged_at: int | None  # step at which the loss overflowed or became NaN
    engine: Engine = field(repr=False, compare=False)
    start: Mapping[str, float] = field(repr=False, compare=False)

    @cached_property
    def detail(self) -> StepDetail:
        return self.engine.explain_step(self.lr, self.start)
