"""Forward pass, backward pass (the chain rule, summed over paths), update, and many steps.

The local derivatives come from the graph, derived once by SymPy. Here they are turned into
plain Python float functions (``lambdify``) so that a thousand steps cost little more than one.
The same walk also runs exactly, on SymPy numbers, for lessons that must show exact values.

Results are plain frozen dataclasses; they carry their own explanation (each gradient's chain
of local derivatives), so every view shows the same truth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Mapping, Union

import sympy

from backprop_cli.errors import DivergenceError, UsageError
from backprop_cli.mathfunctions import NUMERIC_FUNCTIONS
from backprop_cli.network.graph import LOSS, Network

Value = Union[float, sympy.Expr]

#: More paths than this and a gradient's explanation is shown per consumer instead.
MAX_PATHS = 24


@dataclass(frozen=True)
class Factor:
    """One local derivative in a chain: ∂``node``/∂``dep`` = ``formula`` = ``value``."""

    node: str
    dep: str
    formula: sympy.Expr
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
    """Everything the source works out by hand for one step."""

    before: Pass
    locals: Mapping[tuple[str, str], Value]  # (node, dep) → value of ∂node/∂dep
    adjoints: Mapping[str, Value]  # name → ∂L/∂name, for nodes and leaves
    gradients: Mapping[str, Value]  # parameter → ∂L/∂parameter
    chains: tuple[Chain, ...]
    updates: tuple[Update, ...]
    after: Pass


@dataclass(frozen=True)
class HistoryEntry:
    step: int
    loss: float  # before this step's update
    gradients: Mapping[str, float]
    parameters: Mapping[str, float]  # after this step's update


@dataclass(frozen=True)
class Run:
    network: str
    lr: float
    steps: int
    detail: StepDetail  # of the first step
    history: tuple[HistoryEntry, ...]
    parameters: Mapping[str, float]  # after the last update
    loss_after: float
    diverged_at: int | None  # step at which the loss overflowed or became NaN


class Engine:
    """A compiled network: numeric forward/backward functions and the exact route."""

    def __init__(self, network: Network):
        self.network = network
        # which leaves each name depends on: the chain view walks only paths that reach a parameter
        reach: dict[str, set[str]] = {p: {p} for p in network.leaves()}
        for node in network.nodes:
            reach[node.name] = set().union(*(reach[d] for d in node.deps))
        self._reach = reach
        self._compiled: list[tuple[str, tuple[str, ...], Callable, Callable]] | None = None

    # -- numeric (float) ---------------------------------------------------------------------
    def _compile(self):
        if self._compiled is None:
            from backprop_cli.expressions import symbol

            compiled = []
            modules = [NUMERIC_FUNCTIONS, "math"]
            for node in self.network.nodes:
                args = [symbol(d) for d in node.deps]
                forward = sympy.lambdify(args, node.expr, modules=modules, cse=False, docstring_limit=0)
                own = symbol(node.name)
                locals_ = sympy.lambdify([own, *args], [loc.shown for loc in node.locals], modules=modules,
                                         cse=False, docstring_limit=0)
                compiled.append((node.name, node.deps, forward, locals_))
            self._compiled = compiled
        return self._compiled

    def forward(self, leaves: Mapping[str, float]) -> dict[str, float]:
        values = dict(leaves)
        for name, deps, forward, _ in self._compile():
            try:
                values[name] = float(forward(*(values[d] for d in deps)))
            except (OverflowError, ZeroDivisionError, ValueError):
                values[name] = math.nan
        return values

    def backward(self, values: Mapping[str, float]) -> tuple[dict[tuple[str, str], float], dict[str, float]]:
        """(local derivative values, ∂L/∂name for every name)."""
        local_values: dict[tuple[str, str], float] = {}
        adjoint = dict.fromkeys(values, 0.0)
        adjoint[LOSS] = 1.0
        for name, deps, _, locals_ in reversed(self._compile()):
            try:
                parts = locals_(values[name], *(values[d] for d in deps))
            except (OverflowError, ZeroDivisionError, ValueError):
                parts = [math.nan] * len(deps)
            upstream = adjoint[name]
            for dep, part in zip(deps, parts):
                part = float(part)
                local_values[(name, dep)] = part
                adjoint[dep] += upstream * part
        return local_values, adjoint

    # -- exact (SymPy numbers) ---------------------------------------------------------------
    def forward_exact(self, leaves: Mapping[str, sympy.Expr]) -> dict[str, sympy.Expr]:
        from backprop_cli.expressions import symbol

        values = dict(leaves)
        for node in self.network.nodes:
            values[node.name] = node.expr.xreplace({symbol(d): values[d] for d in node.deps})
        return values

    def backward_exact(self, values):
        from backprop_cli.expressions import symbol

        local_values = {}
        adjoint = dict.fromkeys(values, sympy.Integer(0))
        adjoint[LOSS] = sympy.Integer(1)
        for node in reversed(self.network.nodes):
            subs = {symbol(d): values[d] for d in node.deps}
            subs[symbol(node.name)] = values[node.name]
            for loc in node.locals:
                part = loc.shown.xreplace(subs)
                local_values[(node.name, loc.dep)] = part
                adjoint[loc.dep] = adjoint[loc.dep] + adjoint[node.name] * part
        return local_values, adjoint

    # -- one step, explained -----------------------------------------------------------------
    def step_detail(self, lr: Value, leaves: Mapping[str, Value] | None = None, *, exact: bool = False) -> StepDetail:
        """Forward, backward, update and the new forward pass, with every intermediate value."""
        if leaves is None:
            leaves = self.network.leaves()
        if not exact:
            leaves = {k: float(v) for k, v in leaves.items()}
            lr = float(lr)
        forward = self.forward_exact if exact else self.forward
        backward = self.backward_exact if exact else self.backward
        values = forward(leaves)
        local_values, adjoint = backward(values)
        params = list(self.network.parameters)
        gradients = {p: adjoint[p] for p in params}
        updates = tuple(
            Update(p, values[p], gradients[p], -lr * gradients[p], values[p] - lr * gradients[p]) for p in params
        )
        new_leaves = dict(leaves)
        new_leaves.update({u.parameter: u.new for u in updates})
        after = forward(new_leaves)
        return StepDetail(
            before=Pass(values, values[LOSS]),
            locals=local_values,
            adjoints=adjoint,
            gradients=gradients,
            chains=tuple(self.chain(p, local_values, gradients[p]) for p in params),
            updates=updates,
            after=Pass(after, after[LOSS]),
        )

    def chain(self, parameter: str, local_values, gradient: Value) -> Chain:
        """All paths from the loss down to ``parameter``, each a product of local derivatives."""
        net = self.network
        by_node = {n.name: n for n in net.nodes}
        paths: list[Path] = []
        complete = True

        def walk(name: str, trail: list[Factor]):
            nonlocal complete
            if len(paths) >= MAX_PATHS:
                complete = False
                return
            if name == parameter:
                value = 1
                for f in trail:
                    value = value * f.value
                paths.append(Path(tuple(trail), value))
                return
            node = by_node.get(name)
            if node is None:
                return
            for loc in node.locals:
                if self._depends(loc.dep, parameter):
                    walk(loc.dep, [*trail, Factor(name, loc.dep, loc.shown, local_values[(name, loc.dep)])])

        walk(LOSS, [])
        return Chain(parameter, tuple(paths), complete, gradient)

    def _depends(self, name: str, parameter: str) -> bool:
        return parameter in self._reach.get(name, ())

    # -- many steps --------------------------------------------------------------------------
    def check_start(self, leaves: Mapping[str, float]) -> None:
        """Refuse starting values at which the loss cannot even be computed: no learning rate helps."""
        loss = self.forward(leaves)[LOSS]
        if not math.isfinite(loss):
            raise UsageError("the loss cannot be computed at the starting values (it overflows or is undefined "
                             "before any step); check the values given with --set")

    def train(self, lr: float, steps: int, leaves: Mapping[str, Value] | None = None,
              *, until: float | None = None) -> Run:
        """Gradient descent for ``steps`` steps (or until the loss is at most ``until``)."""
        if steps < 1:
            raise UsageError("--steps must be at least 1")
        lr = float(lr)
        if not math.isfinite(lr) or lr <= 0:
            raise UsageError(f"the learning rate must be a positive number, not {lr:g}")
        leaves = {k: float(v) for k, v in (leaves or self.network.leaves()).items()}
        self.check_start(leaves)
        detail = self.step_detail(lr, leaves)
        params = list(self.network.parameters)
        history: list[HistoryEntry] = []
        diverged_at = None
        current = dict(leaves)
        loss = detail.before.loss
        for step in range(1, steps + 1):
            values = self.forward(current)
            loss = values[LOSS]
            if not math.isfinite(loss):
                diverged_at = step
                break
            if until is not None and loss <= until:
                break
            _, adjoint = self.backward(values)
            grads = {p: adjoint[p] for p in params}
            for p in params:
                current[p] = current[p] - lr * grads[p]
            history.append(HistoryEntry(step, loss, grads, {p: current[p] for p in params}))
            if not all(math.isfinite(current[p]) for p in params):
                diverged_at = step
                break
        final = self.forward(current)
        loss_after = final[LOSS]
        if diverged_at is None and not math.isfinite(loss_after):
            diverged_at = len(history) + 1
        return Run(
            network=self.network.name,
            lr=lr,
            steps=len(history),
            detail=detail,
            history=tuple(history),
            parameters={p: current[p] for p in params},
            loss_after=loss_after,
            diverged_at=diverged_at,
        )


def ensure_finite(run: Run) -> Run:
    """Raise :class:`DivergenceError` if the run overflowed; commands that need a result call this."""
    if run.diverged_at is not None:
        detail = "overflowed or became NaN"
        raise DivergenceError(run.diverged_at, run.lr, detail)
    return run
