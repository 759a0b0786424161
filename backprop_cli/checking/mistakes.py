"""Builders for the mistakes a lesson or quiz question knows about, as :class:`Mistake` values.

These are the hand-assembled lists the quiz templates use; the lessons get theirs generated
from each answer's formula by :mod:`backprop_cli.checking.diagnosis`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from backprop_cli import notation
from backprop_cli.checking.figures import ABSOLUTE_FLOOR, decimal
from backprop_cli.checking.verdict import Mistake, as_expr


def generic_mistakes(expected: Any) -> list[Mistake]:
    """The slips the checker looks for in every answer: a flipped sign, a factor of 2."""
    return [
        Mistake("sign", -expected, "The size is right but the sign is flipped."),
        Mistake("factor-2", 2 * expected,
                "That is twice the right value: look for a factor of 2 that should not be there."),
        Mistake("factor-2", expected / 2, "That is half the right value: look for a factor of 2 that went missing."),
    ]


def chain_mistakes(factors: Sequence[tuple[str, Any]]) -> list[Mistake]:
    """For each chain-rule factor, the product of the others: the answer with that factor missing."""
    import sympy

    if len(factors) < 2:
        return []
    values = [as_expr(v) for _, v in factors]
    full = sympy.Mul(*values)
    found: list[Mistake] = []
    for i, (label, _) in enumerate(factors):
        others = sympy.Mul(*values[:i], *values[i + 1 :])
        if same_value(others, full) or any(same_value(others, m.value) for m in found):
            continue
        found.append(
            Mistake(
                "missing-factor",
                others,
                f"Almost: the factor {label} is missing. The chain rule multiplies every "
                "local derivative along the path.",
            )
        )
    return found


def update_mistakes(old: Any, lr: Any, gradient: Any) -> list[Mistake]:
    """The usual slips in w ← w − α·∂L/∂w: adding, forgetting α, or giving only the step."""
    old, lr, gradient = as_expr(old), as_expr(lr), as_expr(gradient)
    step_size = lr * gradient
    right = old - step_size
    candidates = [
        Mistake("update-added", old + step_size,
                "You added α·∂L/∂w. Gradient descent subtracts it, w − α·∂L/∂w, to go downhill."),
        Mistake("forgot-rate", old - gradient,
                "You subtracted the whole gradient: multiply it by the learning rate α first."),
        Mistake("update-added", old + gradient,
                "You added the whole gradient: subtract it, scaled by the learning rate, w − α·∂L/∂w."),
        Mistake("step-only", -step_size,
                "That is only the change −α·∂L/∂w: add it to the old weight to get the new one."),
        Mistake("step-only", step_size, "That is α·∂L/∂w, the size of the step: the new weight is w − α·∂L/∂w."),
    ]
    found: list[Mistake] = []
    for mistake in candidates:
        if same_value(mistake.value, right) or any(same_value(mistake.value, m.value) for m in found):
            continue
        found.append(mistake)
    return found


def sigmoid_mistake(sigma: Any) -> Mistake:
    """σ given where its derivative σ·(1 − σ) was asked for."""
    return Mistake("sigma-not-derivative", as_expr(sigma), "That is σ itself, not its derivative: σ′ = σ·(1 − σ).")


def forward_value_mistakes(values: Mapping[str, Any]) -> list[Mistake]:
    """Each forward-pass value, given where a gradient was asked for."""
    found: list[Mistake] = []
    for label, value in values.items():
        value = as_expr(value)
        if any(same_value(value, m.value) for m in found):
            continue
        found.append(Mistake("forward-value", value,
                             f"That is the value of {notation.name(label)} from the forward pass, not a gradient."))
    return found


def same_value(a: Any, b: Any) -> bool:
    """Trusted values (numbers or formulas) that are the same; builders use it to skip repeats."""
    import sympy

    difference = sympy.expand(a - b)
    if difference == 0:
        return True
    if difference.free_symbols:
        from backprop_cli.checking.formulas import compare

        return compare(a, b, find_counterexample=False).equal
    value = decimal(difference)
    scale = decimal(as_expr(b))  # (a plain int is a number too: decimal() takes SymPy values)
    floor = ABSOLUTE_FLOOR * max(Decimal(1), abs(scale)) if scale is not None else ABSOLUTE_FLOOR
    return value is not None and abs(value) <= floor
