"""The source's pictures inside a lesson, computed by the same code as `backprop derive`,
`backprop surface` and `backprop train`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backprop_cli.course.schema import PlotSpec

if TYPE_CHECKING:
    from backprop_cli.interaction import Show


def plot(lesson, spec: PlotSpec, loc: tuple) -> Show:
    """A `Show` event for one plot step; raises the lesson's FileFormatError when it cannot be drawn."""
    from backprop_cli.interaction import Show

    return Show(*picture(lesson, spec, loc))


def picture(lesson, spec: PlotSpec, loc: tuple) -> tuple[str, Any]:
    """(the kind of picture, what it shows) for one plot step: what :func:`plot` shows, and what the
    validator draws (without the conversation's event types); raises the lesson's FileFormatError
    when it cannot be drawn."""
    kinds = [k for k in ("tangent", "surface", "training") if getattr(spec, k) is not None]
    if len(kinds) != 1:
        raise lesson.problem("a plot is one of: tangent, surface, training", loc)
    kind = kinds[0]
    if kind == "tangent":
        from backprop_cli.analysis.tangent import tangent

        if (spec.tangent is None or spec.tangent not in lesson.definitions
                or spec.wrt is None or spec.wrt not in lesson.symbols or spec.at is None):
            raise lesson.problem("a tangent plot needs a define (tangent:), its symbol (wrt:) and a point (at:)", loc)
        expr = lesson.definitions[spec.tangent]
        var = lesson.symbols[spec.wrt]
        x0 = lesson.value(lesson.parse(spec.at, (*loc, "at")))
        slope = lesson.value(expr.diff(var).subs(var, x0))
        if not (x0.is_number and slope.is_number):
            raise lesson.problem("the tangent point must be a number", (*loc, "at"))
        return "tangent", tangent(expr, spec.wrt, x0, slope)
    if lesson.network is None:
        raise lesson.problem(f"a {kind} plot needs setup.network", loc)
    lr = float(lesson.definitions["lr"])
    if kind == "surface":
        from backprop_cli.analysis.surface import loss_surface

        assert spec.surface is not None  # the kind says so; the schema asks for exactly two names
        first, second = spec.surface
        for name in (first, second):
            if name not in lesson.network.parameters:
                raise lesson.problem(f"'{name}' is not a parameter of the network", (*loc, "surface"))
        return "surface", loss_surface(lesson.network, (first, second), lr=lr, steps=spec.steps or 30,
                                       cols=48, rows=16)
    from backprop_cli.analysis.training import train_curves

    assert spec.training is not None  # the only kind left
    return "training", train_curves(lesson.network, (lr,), spec.training)
