"""Renderers for the computed views a lesson shows (`Show` events): derivations and network tables."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from backprop_cli import notation as nt
from backprop_cli.render import training_step as step_views
from backprop_cli.render.conversation import show_renderer

DIGITS = 6


@show_renderer("derivation")
def derivation(data) -> RenderableType:
    """d/dx of an expression: SymPy's two-dimensional form, then the rules one by one."""
    from backprop_cli.analysis.derivation import derive_steps
    from backprop_cli.render.analysis_views import derivation_tree

    expr, var = data
    steps = derive_steps(expr, var)
    v = nt.name(str(var))
    return Group(
        Text(pretty_derivative(expr, var, steps[0].after if steps else 0)),
        derivation_tree(steps, title=f"d/d{v}, rule by rule"),
        Text.assemble(("Result: ", "heading"), (f"{nt.formula(steps[0].after) if steps else '0'}", "value")),
    )


def pretty_derivative(expr, var, result) -> str:
    """SymPy's unicode pretty printing of d(expr)/d(var) = result, in the learner's names (ŷ, σ)."""
    import sympy

    from backprop_cli.mathfunctions import sigmoid

    def shown(e):
        e = sympy.sympify(e).replace(sigmoid, sympy.Function("σ"))
        return e.xreplace({s: sympy.Symbol(nt.name(s.name)) for s in e.free_symbols})

    equation = sympy.Eq(sympy.Derivative(shown(expr), shown(var)), shown(result), evaluate=False)
    return sympy.pretty(equation, use_unicode=True)


@show_renderer("forward")
def forward(data) -> RenderableType:
    network, detail, _ = data
    return step_views.forward_table(network, detail.before, DIGITS)


@show_renderer("backward")
def backward(data) -> RenderableType:
    _network, detail, _ = data
    return step_views.backward_view(detail, DIGITS)


@show_renderer("update")
def update(data) -> RenderableType:
    _network, detail, lr = data
    return step_views.update_table(detail, lr, DIGITS)


@show_renderer("after")
def after(data) -> RenderableType:
    network, detail, _ = data
    return Group(
        step_views.forward_table(network, detail.after, DIGITS, title="Forward pass after the update"),
        step_views.loss_line("New loss", detail.after.loss, DIGITS, before=detail.before.loss),
    )


@show_renderer("tangent")
def tangent(data) -> RenderableType:
    from backprop_cli.render.analysis_views import tangent_plot

    return tangent_plot(data)


@show_renderer("surface")
def surface(data) -> RenderableType:
    from backprop_cli.render.analysis_views import surface_view

    return surface_view(data)


@show_renderer("training")
def training(data) -> RenderableType:
    from backprop_cli.render.analysis_views import train_view

    return train_view(data)
