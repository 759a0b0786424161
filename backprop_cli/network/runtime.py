"""What the generated code of a network runs with, and runs in: no SymPy here.

The generator (:mod:`.compile`) writes a small module per network; this module holds what that code
may call (:data:`FUNCTIONS`, nothing else: ``__builtins__`` is empty), the status codes its
``descend`` returns, :func:`namespace` which compiles such source, and :class:`Compiled`, the
functions of one network with the order of their arguments. A network read back from the cache
(:mod:`.cache`) needs only this module, not SymPy.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from backprop_cli.errors import FileFormatError
from backprop_cli.network.float_functions import NUMERIC_FUNCTIONS, _num_pow

if TYPE_CHECKING:
    from backprop_cli.network.graph import Network

#: The errors a float step may raise (1/0, a float power that overflows, math domain errors).
ERRORS = (ArithmeticError, ValueError)

# Status codes returned by the generated ``descend``.
DONE, DIVERGED, REACHED, RAISED = range(4)


def _sign(z: float) -> float:
    return 1.0 if z > 0 else (-1.0 if z < 0 else (0.0 if z == 0 else math.nan))


#: Every callable the generated code can reach, by the name it uses.
FUNCTIONS: dict[str, Callable[..., float]] = {
    "_sigmoid": NUMERIC_FUNCTIONS["sigmoid"],
    "_relu": NUMERIC_FUNCTIONS["relu"],
    "_step": NUMERIC_FUNCTIONS["step"],
    "_exp": NUMERIC_FUNCTIONS["exp"],
    "_log": NUMERIC_FUNCTIONS["log"],
    "_sqrt": NUMERIC_FUNCTIONS["sqrt"],
    "_tanh": NUMERIC_FUNCTIONS["tanh"],
    "_pow": _num_pow,
    "_abs": abs,
    "_sign": _sign,
    "_float": float,
    "_ERRORS": ERRORS,  # type: ignore[dict-item]
    "_nan": math.nan,  # type: ignore[dict-item]
    "_inf": math.inf,  # type: ignore[dict-item]
}


class CompileError(Exception):
    """The graph holds something the printer does not know: a bug, or a network too large to compile."""


def namespace(source: str) -> dict:
    """Compile generated source; its functions see only :data:`FUNCTIONS` (no builtins)."""
    try:
        code = compile(source, "<backprop network>", "exec")
    except (RecursionError, MemoryError, SyntaxError) as exc:
        raise CompileError(f"the network is too large to compile ({type(exc).__name__})") from None
    namespace: dict = {"__builtins__": {}, **FUNCTIONS}
    exec(code, namespace)  # noqa: S102 - generated from the checked graph (see compile.py) or checked (cache.py)
    return namespace


@dataclass
class Compiled:
    """The generated functions of one network and the order of their arguments and results."""

    leaves: tuple[str, ...]  # the arguments, in order
    nodes: tuple[str, ...]  # the forward pass's results, in order (the loss last)
    parameters: tuple[str, ...]
    locals: tuple[tuple[str, str], ...]  # (node, dep) in the order ``explain`` returns them
    source: str
    forward: Callable[[Sequence[float]], tuple[float, ...]]
    descend: Callable[..., tuple[int, int, tuple[float, ...]]]
    network: Network | None = field(repr=False)
    loader: Callable[[], Network] | None = field(default=None, repr=False)  # when network is None
    #: the source of ``explain``: generated on first use (only the views that show a step need it),
    #: or given (a network read back from the cache)
    explain_source: str | None = field(default=None, repr=False)
    _explain: Callable | None = field(default=None, repr=False)

    def explain(self, values: Sequence[float]) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """(every local derivative's value, ∂L/∂name for every leaf and node), from all values."""
        if self._explain is None:
            self._explain = self._explain_function()
        return self._explain(values)

    def explain_text(self) -> str:
        """The source of ``explain`` (generated from the network the first time)."""
        if self.explain_source is None:
            from backprop_cli.network.compile import explain_source

            if self.network is None:
                assert self.loader is not None
                self.network = self.loader()
                self.locals = tuple((n.name, loc.dep) for n in reversed(self.network.nodes) for loc in n.locals)
            try:
                self.explain_source = explain_source(self.network, self.leaves + self.nodes)
            except CompileError as exc:
                raise FileFormatError(self.network.source, str(exc)) from None
        return self.explain_source

    def _explain_function(self) -> Any:
        return namespace(self.explain_text())["explain"]
