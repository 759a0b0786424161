"""Forward pass, backward pass (the chain rule, summed over paths), update, and many steps.

Two separate paths:

- :meth:`Engine.descend` runs N steps inside one function generated for the network
  (:mod:`backprop_cli.network.compile`): only the losses are kept, and each step's gradients and
  parameters only when a caller asks for them (``on_step``).
- :meth:`Engine.explain_step` works one step out with every intermediate value, for the views that
  show it; each gradient's explanation (its chain of local derivatives) is built only when a view
  reads :attr:`StepDetail.chains`. The same step also runs exactly, on SymPy numbers, for lessons.

Arguments are checked here only as a program's errors (``ValueError``); what a learner typed is
checked, and worded, in the command layer (:mod:`backprop_cli.network.calculator`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from backprop_cli.network.graph import LOSS
from backprop_cli.network.plain import PlainLocal, PlainNetwork, PlainNode
from backprop_cli.network.results import (
    Chain,
    Descent,
    Factor,
    HistoryEntry,
    Pass,
    Path,
    Run,
    StepDetail,
    Update,
    Value,
)
from backprop_cli.network.runtime import DIVERGED, DONE, RAISED, REACHED, Compiled

if TYPE_CHECKING:  # SymPy is imported where exact numbers are used: a cached network runs without it
    import sympy

    from backprop_cli.network.graph import Local, Network, Node

#: More paths than this and a gradient's explanation is shown per consumer instead.
MAX_PATHS = 24


OnStep = Callable[[float, tuple[float, ...], tuple[float, ...]], Any]


def as_floats(leaves: Mapping[str, Value]) -> dict[str, float]:
    """Leaf values as floats: an exact value rounded once (the same float on every route)."""
    if all(isinstance(v, float | int) for v in leaves.values()):
        return {k: float(v) for k, v in leaves.items()}
    import sympy

    # p/q is correctly rounded, as float(Rational) is, and ten times faster (thousands of weights)
    return {k: v.p / v.q if isinstance(v, sympy.Rational) else float(v) for k, v in leaves.items()}


class _NotFinite(Exception):
    def __init__(self, parameters: tuple[float, ...]):
        self.parameters = parameters


def _stop_when_not_finite(loss: float, grads: tuple[float, ...], params: tuple[float, ...]) -> None:
    if not all(math.isfinite(p) for p in params):
        raise _NotFinite(params)


class Engine:
    """A network with its generated float functions (compiled on first use) and the exact route.

    The network is a :class:`graph.Network` or its plain form (:class:`plain.PlainNetwork`, which
    `backprop step` draws from and the cache keeps): the float route and the chains work on both;
    the exact route needs the graph.
    """

    def __init__(self, network: Network | PlainNetwork):
        self.network = network
        self._compiled: Compiled | None = None
        self._dependents: dict[str, frozenset[str]] = {}
        self._floats: dict[str, float] | None = None

    @property
    def compiled(self) -> Compiled:
        if self._compiled is None:
            # a network read back from the cache (plain.PlainNetwork) brings its compiled functions
            if isinstance(self.network, PlainNetwork):
                self._compiled = self.network.compiled
            else:
                from backprop_cli.network.compile import compile_engine

                self._compiled = compile_engine(self.network)
        return self._compiled

    def _graph(self) -> Network:
        """The SymPy graph, for the exact route (a network read back from the cache has none)."""
        if isinstance(self.network, PlainNetwork):
            raise ValueError("the exact route needs the network's graph, not its plain form")
        return self.network

    def floats(self, leaves: Mapping[str, Value] | None = None) -> dict[str, float]:
        """Leaf values as floats (the network's own when ``leaves`` is None, converted once)."""
        if leaves is None:
            if self._floats is None:
                self._floats = as_floats(self.network.leaves())
            return dict(self._floats)
        return as_floats(leaves)

    # -- numeric (float) ---------------------------------------------------------------------
    def forward(self, leaves: Mapping[str, float]) -> dict[str, float]:
        c = self.compiled
        values = dict(leaves)
        values.update(zip(c.nodes, c.forward(tuple(float(leaves[n]) for n in c.leaves))))
        return values

    def loss(self, leaves: Mapping[str, float]) -> float:
        """Only the loss, for float leaf values (a surface evaluates it a thousand times)."""
        c = self.compiled
        return c.forward(tuple(leaves[n] for n in c.leaves))[-1]

    def backward(self, values: Mapping[str, float]) -> tuple[dict[tuple[str, str], float], dict[str, float]]:
        """(local derivative values, ∂L/∂name for every name)."""
        c = self.compiled
        names = c.leaves + c.nodes
        local_values, adjoints = c.explain(tuple(float(values[n]) for n in names))
        return dict(zip(c.locals, local_values)), dict(zip(names, adjoints))

    # -- exact (SymPy numbers) ---------------------------------------------------------------
    def forward_exact(self, leaves: Mapping[str, sympy.Expr]) -> dict[str, sympy.Expr]:
        from backprop_cli.expressions import symbol

        values = dict(leaves)
        for node in self._graph().nodes:
            values[node.name] = node.expr.xreplace({symbol(d): values[d] for d in node.deps})
        return values

    def backward_exact(self, values):
        import sympy

        from backprop_cli.expressions import symbol

        local_values = {}
        adjoint = dict.fromkeys(values, sympy.Integer(0))
        adjoint[LOSS] = sympy.Integer(1)
        for node in reversed(self._graph().nodes):
            subs = {symbol(d): values[d] for d in node.deps}
            subs[symbol(node.name)] = values[node.name]
            for loc in node.locals:
                part = loc.shown.xreplace(subs)
                local_values[(node.name, loc.dep)] = part
                adjoint[loc.dep] = adjoint[loc.dep] + adjoint[node.name] * part
        return local_values, adjoint

    # -- one step, explained -----------------------------------------------------------------
    def explain_step(self, lr: Value, leaves: Mapping[str, Value] | None = None, *, exact: bool = False) -> StepDetail:
        """Forward, backward, update and the new forward pass, with every intermediate value."""
        if leaves is None:
            leaves = self.network.leaves()
        if not exact:
            leaves = self.floats(leaves)
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
        return StepDetail(Pass(values, values[LOSS]), local_values, adjoint, gradients, updates,
                          Pass(after, after[LOSS]), self)

    #: The name the lessons, the quiz and the graph view know it by.
    step_detail = explain_step

    def chain(self, parameter: str, local_values, gradient: Value) -> Chain:
        """All paths from the loss down to ``parameter``, each a product of local derivatives.

        Walked with an explicit stack (a chain of 5,000 nodes is 5,000 factors deep), in the same
        order as a recursive walk: a node's local derivatives in the order the node lists them.
        """
        by_node: dict[str, Node | PlainNode] = {n.name: n for n in self.network.nodes}
        reach = self._depends_on(parameter)
        paths: list[Path] = []
        complete = True
        # each entry: (name, trail) where trail is a linked list (factor, rest) from this name up to the loss
        stack: list[tuple[str, tuple | None]] = [(LOSS, None)]
        while stack:
            if len(paths) >= MAX_PATHS:
                complete = False
                break
            name, trail = stack.pop()
            if name == parameter:
                factors: list[Factor] = []
                while trail is not None:
                    factors.append(trail[0])
                    trail = trail[1]
                factors.reverse()
                value: Value = 1
                for f in factors:
                    value = value * f.value
                paths.append(Path(tuple(factors), value))
                continue
            node = by_node.get(name)
            if node is None:
                continue
            locals_: Sequence[Local | PlainLocal] = node.locals
            for loc in reversed(locals_):
                if loc.dep in reach:
                    factor = Factor(name, loc.dep, loc.shown, local_values[(name, loc.dep)])
                    stack.append((loc.dep, (factor, trail)))
        return Chain(parameter, tuple(paths), complete, gradient)

    def _depends_on(self, parameter: str) -> frozenset[str]:
        """The names whose value depends on ``parameter`` (itself included), found once per parameter."""
        if parameter not in self._dependents:
            names = {parameter}
            for node in self.network.nodes:
                if any(d in names for d in node.deps):
                    names.add(node.name)
            self._dependents[parameter] = frozenset(names)
        return self._dependents[parameter]

    # -- many steps --------------------------------------------------------------------------
    def descend(self, lr: float, steps: int, leaves: Mapping[str, Value] | None = None, *,
                until: float | None = None, on_step: OnStep | None = None) -> Descent:
        """Gradient descent for ``steps`` steps (or until the loss is at most ``until``).

        ``on_step(loss, gradients, parameters)`` is called after each update with tuples in the order
        of ``network.parameters``: the loss before the update, the gradients, the parameters after.
        """
        lr = float(lr)
        if steps < 0 or not math.isfinite(lr) or lr <= 0:
            raise ValueError(f"descend needs steps ≥ 0 and a positive learning rate, not {steps}, {lr}")
        c = self.compiled
        given = self.floats(leaves)
        start = [given[n] for n in c.leaves]
        where = [c.leaves.index(p) for p in c.parameters]
        done, status, current, losses = self._run(start, where, lr, steps, until, on_step)
        diverged_at = done + 1 if status == DIVERGED else None
        if not all(math.isfinite(current[i]) for i in where):
            # An update made a parameter inf or NaN; a later loss need not show it (relu(NaN) is 0).
            # Rare, so not checked on every step: run again, stopping at the first such update.
            done, status, current, losses = self._run(start, where, lr, done, until, _stop_when_not_finite)
            diverged_at = done
        final = c.forward(tuple(current))[-1]
        if diverged_at is None and not math.isfinite(final):
            diverged_at = done + 1
        parameters = {p: current[i] for p, i in zip(c.parameters, where)}
        return Descent(lr, done, losses, parameters, final, diverged_at, status == REACHED)

    def _run(self, start: list[float], where: list[int], lr: float, steps: int, until: float | None,
             on_step: OnStep | None) -> tuple[int, int, list[float], list[float]]:
        """(steps made, how it stopped, the leaves at the end, the loss before each step)."""
        c = self.compiled
        current = list(start)
        losses: list[float] = []
        done, status = 0, DONE
        try:
            while done < steps:  # pragma: no mutate - at done == steps (<=) descend runs 0 steps: it returns DONE having made none, and the loop ends the same
                status, made, params = c.descend(tuple(current), lr, steps - done, until, losses.append, on_step)
                done += made
                for i, value in zip(where, params):
                    current[i] = value
                if status != RAISED:
                    break
                # A formula raised (1/0, an overflowing power): this step again, node by node, as
                # the explained path computes it (a node that raises is NaN, the others go on).
                status = self._careful_step(current, where, lr, until, losses, on_step)
                if status != DONE:
                    break
                done += 1
        except _NotFinite as stop:
            done = len(losses)
            for i, value in zip(where, stop.parameters):
                current[i] = value
            status = DONE
        return done, status, current, losses

    def _careful_step(self, current: list[float], where: list[int], lr: float, until: float | None,
                      losses: list[float], on_step: OnStep | None) -> int:
        c = self.compiled
        values = self.forward(dict(zip(c.leaves, current)))
        loss = values[LOSS]
        if not math.isfinite(loss):
            return DIVERGED
        if until is not None and loss <= until:
            return REACHED
        _, adjoint = self.backward(values)
        grads = tuple(adjoint[p] for p in c.parameters)
        for i, g in zip(where, grads):
            current[i] = current[i] - lr * g
        losses.append(loss)
        if on_step is not None:
            on_step(loss, grads, tuple(current[i] for i in where))
        return DONE

    def train(self, lr: float, steps: int, leaves: Mapping[str, Value] | None = None,
              *, until: float | None = None) -> Run:
        """:meth:`descend` keeping every step's gradients and parameters (for short runs and tests)."""
        params = tuple(self.network.parameters)
        rows: list[tuple[float, tuple[float, ...], tuple[float, ...]]] = []
        start = self.floats(leaves)
        run = self.descend(lr, steps, start, until=until, on_step=lambda *row: rows.append(row))
        history = tuple(HistoryEntry(k, loss, dict(zip(params, g)), dict(zip(params, p)))
                        for k, (loss, g, p) in enumerate(rows[:run.steps], start=1))
        return Run(self.network.name, run.lr, run.steps, history, run.parameters, run.loss_after,
                   run.diverged_at, self, start)

