"""A network as plain data (strings and floats) beside its compiled functions: what `backprop step` reads.

The step's computation and its views need of a network only its names in order, each node's
formula as the file writes it (the parser's ``reading``), its dependencies, each local derivative
as the learner writes it (text: ``(ŷ − y)``, ``ŷ·(1 − ŷ)``), the leaf values as floats, and the
generated functions. :func:`of_network` writes a checked :class:`graph.Network` out so (printing
each local derivative once, with :func:`notation.formula`); :mod:`.cache` keeps that data between
runs, so a repeat run draws the same report without SymPy. Both routes draw from this one shape,
which is what keeps their output byte for byte the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from backprop_cli.network.runtime import Compiled

if TYPE_CHECKING:
    from backprop_cli.network.graph import Network


@dataclass(frozen=True)
class PlainLocal:
    """∂node/∂``dep`` as shown; ``""`` for one no chain shows (``dep`` depends on no parameter)."""

    dep: str
    shown: str


@dataclass(frozen=True)
class PlainNode:
    name: str
    deps: tuple[str, ...]
    reading: tuple[str, ...]  # the formula as written in the file (``notation.written``)
    locals: tuple[PlainLocal, ...]  # one per dep, in the same order


@dataclass(frozen=True)
class PlainNetwork:
    """Stands in for :class:`graph.Network` in the engine, ``calculator.step`` and the step's views."""

    name: str
    description: str
    source: str
    values: Mapping[str, float]  # every leaf, in the order of ``compiled.leaves``
    parameters: Mapping[str, float]
    nodes: tuple[PlainNode, ...]  # empty when only the numbers are needed (``step --json``)
    learning_rate: float | None
    compiled: Compiled = field(repr=False, compare=False)

    def leaves(self) -> dict[str, float]:
        return dict(self.values)

    def with_values(self, overrides: Mapping[str, float]) -> PlainNetwork:
        """The same network with some leaf values replaced (``--set w1=3``); names must be leaves."""
        if not overrides:
            return self
        values = {**self.values, **overrides}
        return replace(self, values=values, parameters={p: values[p] for p in self.parameters})


def of_network(network: Network, compiled: Compiled, values: Mapping[str, float], *, view: bool) -> PlainNetwork:
    """``network`` written out; with ``view``, everything its report shows (else only its numbers)."""
    nodes: tuple[PlainNode, ...] = ()
    if view:
        from backprop_cli import notation

        varies = set(network.parameters)
        for node in network.nodes:
            if any(d in varies for d in node.deps):
                varies.add(node.name)
        nodes = tuple(PlainNode(n.name, n.deps, tuple(n.reading),
                                tuple(PlainLocal(loc.dep, notation.formula(loc.shown) if loc.dep in varies else "")
                                      for loc in n.locals))
                      for n in network.nodes)
    learning_rate = None if network.learning_rate is None else float(network.learning_rate)
    return PlainNetwork(network.name, network.description, network.source, dict(values),
                        {p: values[p] for p in network.parameters}, nodes, learning_rate, compiled)
