"""The loss over two parameters on a grid, with the gradient-descent path walking down it.

The other parameters are held at their values, and the descent moves only the two shown, so the
path really lies on the surface drawn. The grid is evaluated numerically with the engine's
float forward pass (the network's generated function).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from backprop_cli.analysis import option_number
from backprop_cli.errors import UsageError
from backprop_cli.network.calculator import check_start, check_steps, learning_rate
from backprop_cli.network.engine import Engine
from backprop_cli.network.graph import Network

DEFAULT_STEPS = 30
MAX_CELLS = 200


@dataclass(frozen=True)
class Surface:
    network: str
    params: tuple[str, str]  # (across, up)
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    xs: tuple[float, ...]  # cell centres across
    ys: tuple[float, ...]  # cell centres up (increasing)
    losses: tuple[tuple[float, ...], ...]  # losses[j][i] at (xs[i], ys[j]); NaN where undefined
    path: tuple[tuple[float, float, float], ...]  # (x, y, loss): the start, then after each step
    lr: float
    diverged_at: int | None
    fixed: Mapping[str, float]  # other parameters, held at these values
    lowest: tuple[float, float, float]  # the grid cell with the least loss (x, y, loss)
    valley: tuple[tuple[int, int], ...]  # cells (i, j) that are the least loss of their row or column
    #: the curve where the loss is exactly 0 ("w1·w2 = 10"), when it is one; else None
    zero_curve: str | None = None

    def cell(self, x: float, y: float) -> tuple[int, int] | None:
        """The grid cell (i, j) that holds the point, or None outside the range."""
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            return None
        i = min(len(self.xs) - 1, int((x - x0) / (x1 - x0) * len(self.xs)))
        j = min(len(self.ys) - 1, int((y - y0) / (y1 - y0) * len(self.ys)))
        return i, j


def parse_params(text: str | None, network: Network) -> tuple[str, str]:
    """``"w1,w2"`` → two distinct parameters of the network (default: its first two)."""
    known = list(network.parameters)
    if text is None:
        if len(known) < 2:
            raise UsageError(f"the surface needs two parameters; {network.name} has only {', '.join(known)}")
        return known[0], known[1]
    names = [p.strip() for p in text.split(",") if p.strip()]
    if len(names) != 2 or names[0] == names[1]:
        raise UsageError(f"--params {text!r}: name two different parameters, e.g. --params {','.join(known[:2])}")
    for name in names:
        if name not in known:
            raise UsageError(f"--params: '{name}' is not a parameter of {network.name} (it has {', '.join(known)})")
    return names[0], names[1]


def parse_ranges(text: str | None, params: tuple[str, str]) -> dict[str, tuple[float, float]]:
    """``"w1=0:5,w2=0:4"`` → {name: (low, high)}; names must be the shown parameters."""
    if not text:
        return {}
    out: dict[str, tuple[float, float]] = {}
    for item in (p.strip() for p in text.split(",") if p.strip()):
        name, sep, span = item.partition("=")
        name = name.strip()
        low, colon, high = span.partition(":")
        if not sep or not colon or not low.strip() or not high.strip():
            raise UsageError(f"--range {item!r}: write NAME=LOW:HIGH, e.g. --range {params[0]}=0:5")
        if name not in params:
            raise UsageError(f"--range {item!r}: '{name}' is not one of the shown parameters ({', '.join(params)})")
        lo, hi = (option_number(end, f"--range {item!r}", "LOW and HIGH must be numbers") for end in (low, high))
        if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi:
            raise UsageError(f"--range {item!r}: LOW must be below HIGH")
        out[name] = (lo, hi)
    return out


def _plane(network: Network, params: tuple[str, str]) -> Network:
    """The same graph with every other parameter turned into a constant (so descent moves only two)."""
    others = {k: v for k, v in network.parameters.items() if k not in params}
    return Network(network.name, network.description, network.source, network.inputs, network.targets,
                   MappingProxyType({**network.constants, **others}),
                   MappingProxyType({p: network.parameters[p] for p in params}), network.nodes,
                   network.learning_rate)


def _nice_range(values: list[float]) -> tuple[float, float]:
    """Around the path with a margin, rounded outward to a round step."""
    lo, hi = min(values), max(values)
    span = hi - lo
    pad = max(0.5 * span, 0.25 * abs(hi + lo) / 2, 0.5)
    lo, hi = lo - pad, hi + pad
    step = 10 ** math.floor(math.log10((hi - lo) / 4))
    return round(math.floor(lo / step) * step, 12), round(math.ceil(hi / step) * step, 12)


def loss_surface(network: Network, params: tuple[str, str] | None = None,
                 ranges: Mapping[str, tuple[float, float]] | None = None, lr: float | None = None,
                 steps: int = DEFAULT_STEPS, cols: int = 60, rows: int = 20) -> Surface:
    """Descend in the plane of ``params``, then evaluate the loss on a ``cols`` × ``rows`` grid."""
    check_steps(steps, 100_000)
    params = params or parse_params(None, network)
    cols, rows = max(4, min(cols, MAX_CELLS)), max(4, min(rows, MAX_CELLS))
    plane = _plane(network, params)
    rate = learning_rate(lr, network)
    engine = Engine(plane)
    start = engine.floats()
    check_start(engine, start)
    p, q = params
    points = [(start[p], start[q])]
    run = engine.descend(rate, steps, start, on_step=lambda loss, grads, xy: points.append((xy[0], xy[1])))
    del points[run.steps + 1:]  # none after a divergence
    path_losses = [*run.losses, run.loss_after]
    path = [(x, y, loss) for (x, y), loss in zip(points, path_losses)
            if math.isfinite(x) and math.isfinite(y) and math.isfinite(loss)]
    ranges = dict(ranges or {})
    finite = path or [(start[p], start[q], math.nan)]
    x_range = ranges.get(p) or _nice_range([pt[0] for pt in finite])
    y_range = ranges.get(q) or _nice_range([pt[1] for pt in finite])
    xs = tuple(x_range[0] + (i + 0.5) * (x_range[1] - x_range[0]) / cols for i in range(cols))
    ys = tuple(y_range[0] + (j + 0.5) * (y_range[1] - y_range[0]) / rows for j in range(rows))
    losses = tuple(tuple(_loss(engine, start, p, q, x, y) for x in xs) for y in ys)
    lowest = min(((xs[i], ys[j], losses[j][i]) for j in range(rows) for i in range(cols)
                  if math.isfinite(losses[j][i])), key=lambda t: t[2], default=(math.nan, math.nan, math.nan))
    fixed = {k: float(v) for k, v in network.parameters.items() if k not in params}
    return Surface(network.name, params, x_range, y_range, xs, ys, losses, tuple(path), rate, run.diverged_at,
                   fixed, lowest, _valley(losses), zero_curve(network, params))


def _loss(engine: Engine, start: dict[str, float], p: str, q: str, x: float, y: float) -> float:
    loss = engine.loss({**start, p: x, q: y})
    return loss if math.isfinite(loss) else math.nan


def _valley(losses: tuple[tuple[float, ...], ...]) -> tuple[tuple[int, int], ...]:
    """Cells that are the lowest of their column or of their row, away from the edges: the valley floor."""
    rows, cols = len(losses), len(losses[0])
    cells: set[tuple[int, int]] = set()
    for i in range(cols):
        column = [(losses[j][i], j) for j in range(rows) if math.isfinite(losses[j][i])]
        if column:
            j = min(column)[1]
            if 0 < j < rows - 1:
                cells.add((i, j))
    for j in range(rows):
        row = [(losses[j][i], i) for i in range(cols) if math.isfinite(losses[j][i])]
        if row:
            i = min(row)[1]
            if 0 < i < cols - 1:
                cells.add((i, j))
    return tuple(sorted(cells))



def zero_curve(network: Network, params: tuple[str, str]) -> str | None:
    """``"w1·w2 = 10"`` when the loss over the two parameters is c·f(p, q)^(2k), c > 0, f a polynomial
    in both: the minimum is then L = 0 along the whole curve f = 0, not at a point. Else None.

    Only small polynomials are tried (SymPy's factor_list); anything else is None, never slow.
    """
    import sympy

    from backprop_cli import notation as nt

    try:
        leaves = network.leaves()
        inlined: dict[str, sympy.Expr] = {}
        for node in network.nodes:  # every node written in the leaves, others than the two at their values
            inlined[node.name] = node.expr.xreplace({
                s: inlined[s.name] if s.name in inlined else leaves[s.name]
                for s in node.expr.free_symbols if s.name in inlined or (s.name in leaves and s.name not in params)})
        expr = inlined[network.loss.name]
        p, q = (next((s for s in expr.free_symbols if s.name == n), None) for n in params)
        if p is None or q is None or sympy.count_ops(expr) > 60 or not expr.is_polynomial(p, q):
            return None
        coeff, factors = sympy.factor_list(sympy.expand(expr), p, q)
        if coeff <= 0 or len(factors) != 1:
            return None
        (f, power), = factors
        if power % 2 or not (f.has(p) and f.has(q)) or sympy.Poly(f, q).degree() > 2:
            return None
        at = leaves[p.name]  # the curve must be real where the descent starts (p² + q² + 1 = 0 is not)
        # the roots of a polynomial of degree ≤ 2 in q: sympy.roots, not solve (solve simplifies, and
        # simplify imports sympy.physics: a quarter of a second of every lessons validate)
        if not any(root.is_real for root in sympy.roots(sympy.Poly(f.xreplace({p: at}), q))):
            return None
        constant = f.as_independent(p, q, as_Add=True)[0]
        lhs = f - constant
        if lhs.could_extract_minus_sign():
            lhs, constant = -lhs, -constant
        return f"{nt.formula(lhs)} = {nt.formula(-constant)}"
    except Exception:  # noqa: BLE001 - a caption, never worth failing the picture for
        return None
