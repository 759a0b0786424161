"""Scaffolds: a composite number question broken into its parts, generated from its formula.

When a learner misses a composite question twice, the session offers to work it out one part at a
time (as Andes and OATutor do), then returns to the question. The parts come from the same analysis
as the diagnosis (:mod:`backprop_cli.course.tracing`), never from hand-written text:

- an update (new w = w − α·∂L/∂w): the gradient, then the step α·∂L/∂w;
- a gradient along one path of the network: each local derivative of the chain;
- any other product of at least two factors over names the learner can read: each factor.

Each part has an exact expected value (checked like any number answer) and its formula as a hint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backprop_cli import notation
from backprop_cli.expressions import symbol


@dataclass(frozen=True)
class Part:
    label: str  # "∂ŷ/∂z2"
    formula: str  # "ŷ·(1 − ŷ)" (or "" when the label says it all)
    expected: Any  # the exact value
    given: str = ""  # the values its formula needs: "ŷ = 0.547053"

    @property
    def prompt(self) -> str:
        return f"What is {self.label}" + (f" = {self.formula}" if self.formula else "") + "?"


@dataclass(frozen=True)
class Scaffold:
    parts: tuple[Part, ...]
    combine: str  # how the parts make the answer: "multiply them: ∂L/∂w3 = ∂L/∂ŷ · ∂ŷ/∂z2 · ∂z2/∂w3"


def scaffold(lesson: Any, question: Any) -> Scaffold | None:
    """The parts of a composite number question, or None when it has no useful parts."""
    from backprop_cli.course import tracing

    if question.step.ask != "number":
        return None
    key = ("scaffold", question.id)
    if key in lesson.cache:
        return lesson.cache[key]
    found = _update(lesson, question, tracing) or _chain(lesson, question, tracing) or _product(lesson, question, tracing)
    lesson.cache[key] = found
    return found


def _update(lesson: Any, question: Any, tracing: Any) -> Scaffold | None:
    update = tracing.update_of(lesson, question)
    if update is None:
        return None
    w = notation.name(update.parameter)
    gradient = notation.partial("loss", update.parameter)
    lr = lesson.definitions.get("lr", lesson.values.get("lr"))
    if lr is None:
        return None
    parts = (Part(gradient, "", update.gradient),
             Part(f"the step α·{gradient}", f"{notation.number(lr, 6)}·{gradient}", lr * update.gradient,
                  f"α = {notation.number(lr, 6)}"))
    return Scaffold(parts, f"subtract the step from the old value: new {w} = {w} − α·{gradient}")


def _chain(lesson: Any, question: Any, tracing: Any) -> Scaffold | None:
    expected = tracing._as_float(question.expected)
    if expected is None or lesson.network is None or tracing._forward_value(lesson, expected):
        return None
    links = tracing._chain(lesson, expected, question.id)
    if len(links) < 2:
        return None
    parts = []
    for link in links:
        name = _local_name(lesson, link.label)
        if name is None:
            return None
        formula = link.formula if link.formula and link.formula != link.label else ""
        node, dep = name[2:].split("_d_", 1) if "_d_" in name[2:] else (name, "")
        local = next((loc.shown for n in lesson.network.nodes if n.name == node for loc in n.locals if loc.dep == dep),
                     None)
        parts.append(Part(link.label, formula, lesson.value(symbol(name)), _given(lesson, local, tracing)))
    product = " · ".join(link.label for link in links)
    target = tracing.labels(lesson).get(question.id, "the answer")
    return Scaffold(tuple(parts), f"multiply them: {target} = {product}")


def _given(lesson: Any, expr: Any, tracing: Any) -> str:
    """The values the names of ``expr`` have in the forward pass: "ŷ = 0.547053, y = 1"."""
    if expr is None or expr.is_Symbol:  # a name alone: its value would be the answer itself
        return ""
    values, labels = tracing.floats(lesson), tracing.labels(lesson)
    names = sorted((s.name for s in expr.free_symbols if s.name in values), key=str)
    return ", ".join(f"{labels.get(n, notation.name(n))} = {notation.number(values[n], 6)}" for n in names)


def _local_name(lesson: Any, label: str) -> str | None:
    """The lesson's name (d_NODE_d_DEP) of a local derivative, from its label (∂NODE/∂DEP)."""
    for (node, dep) in lesson.detail.locals:
        if notation.partial(node, dep) == label:
            return f"d_{node}_d_{dep}"
    return None


def _product(lesson: Any, question: Any, tracing: Any) -> Scaffold | None:
    expr = question.answer_expr
    if not expr.is_Mul:
        return None
    factors = [f for f in expr.args if not f.is_number]
    if len(factors) < 2 or not all(tracing._readable(lesson, s.name) for s in expr.free_symbols):
        return None
    given = tracing.given(lesson)
    if sum(not (f.is_Symbol and f.name in given) for f in factors) < 2:
        return None  # "what is w2?" is no help: at least two parts must be worked out
    labels = tracing.labels(lesson)
    parts = []
    for factor in factors:
        value = lesson.value(factor)
        if not value.is_number:
            return None
        shown = tracing._show(lesson, factor)
        label = labels.get(factor.name, shown) if factor.is_Symbol else shown
        parts.append(Part(label, "" if label == shown else shown, value, _given(lesson, factor, tracing)))
    whole = labels.get(question.id)
    product = tracing._show(lesson, expr)
    return Scaffold(tuple(parts), f"multiply them: {whole} = {product}" if whole else f"multiply them: {product}")
