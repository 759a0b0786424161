"""Answers of several numbers typed together (``3, -2``): each component by the number rules."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from backprop_cli.checking.numbers import check_number
from backprop_cli.checking.verdict import Mistake, Verdict


def check_components(text: str, expected: Sequence[Any], labels: Sequence[str], *,
                     mistakes: Sequence[Mistake] = (), exact: bool = False) -> Verdict:
    """Mark ``a, b`` against ``expected``; a mistake's value is a tuple of components."""
    import sympy

    parts = [p for p in re.split(r"[,;]", text.strip().strip("()[]")) if p.strip()]
    n = len(expected)
    if len(parts) != n:
        example = ", ".join(("3", "-2", "0.5", "1")[:n])
        return Verdict("invalid", f"type the {n} components separated by commas, e.g. {example}")
    verdicts = [check_number(p, e, exact=exact) for p, e in zip(parts, expected)]
    for label, v in zip(labels, verdicts):
        if v.status == "invalid":
            return Verdict("invalid", f"{label}: {v.message}")
    if all(v.correct for v in verdicts):
        return Verdict("correct", "", value=sympy.Tuple(*(v.value for v in verdicts)))
    for mistake in mistakes:
        if all(check_number(p, m, exact=False).correct for p, m in zip(parts, mistake.value)):
            return Verdict("incorrect", mistake.feedback, mistake=mistake.name)
    right = [label for label, v in zip(labels, verdicts) if v.correct]
    wrong = [(label, v) for label, v in zip(labels, verdicts) if not v.correct]
    message = "; ".join(f"{label} is not right" + (f" ({v.message})" if v.message else "") for label, v in wrong)
    if right:
        message = f"{', '.join(right)} is right; " + message
    return Verdict("incorrect", message, mistake=next((v.mistake for _, v in wrong if v.mistake), None))
