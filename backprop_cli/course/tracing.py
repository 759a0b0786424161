"""Model tracing for a lesson's number questions: the candidate computations of each question,
generated from its answer formula, the lesson's network and its names (see
:mod:`backprop_cli.checking.diagnosis`), built once per question and cached on the lesson.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

from backprop_cli import notation
from backprop_cli.checking import diagnosis as dx
from backprop_cli.checking.floats import float_value
from backprop_cli.expressions import symbol


def floats(lesson: Any) -> dict[str, float]:
    """Every name with a numeric value in this lesson, as a float (computed once)."""
    cache = lesson.cache
    if "floats" not in cache:
        out: dict[str, float] = {}
        for name, value in lesson.values.items():
            v = _as_float(value)
            if v is not None:
                out[name] = v
        for name in lesson.definitions:
            if name in out:
                continue
            value = lesson.value(symbol(name))
            if value.is_number:
                v = _as_float(value)
                if v is not None:
                    out[name] = v
        cache["floats"] = out
    return cache["floats"]


def _as_float(value: Any) -> float | None:
    v = float_value(value)
    if v is None:
        try:
            import sympy

            v = float(sympy.N(value, 20))
        except (TypeError, ValueError):
            return None
    return v if math.isfinite(v) else None


def given(lesson: Any) -> dict[str, Any]:
    """The names whose values the learner is given (inputs, targets, weights, α, the lesson's
    numeric defines): a formula typed over these is evaluated."""
    if "given" in lesson.cache:
        return lesson.cache["given"]
    out: dict[str, Any] = {}
    if lesson.network is not None:
        out.update(lesson.network.leaves())
        if "lr" in lesson.definitions:
            out["lr"] = lesson.definitions["lr"]
    for name in lesson.spec.setup.define:
        value = lesson.definitions.get(name)
        if value is not None and value.is_number and value.is_Rational:
            out[name] = value
    lesson.cache["given"] = out
    return out


def computed_names(lesson: Any) -> frozenset[str]:
    """Names with a value the learner is to work out (nodes, gradients, earlier answers)."""
    if "computed" not in lesson.cache:
        lesson.cache["computed"] = frozenset(set(floats(lesson)) - set(given(lesson)))
    return lesson.cache["computed"]


def labels(lesson: Any) -> dict[str, str]:
    """How each name reads in the lesson's notation: ŷ, ∂L/∂z2, α, new w2, dy/dx."""
    cache = lesson.cache
    if "labels" in cache:
        return cache["labels"]
    out: dict[str, str] = {n: notation.name(n) for n in lesson.name_table()}
    out["lr"] = "α"
    if lesson.detail is not None:
        for name in lesson.detail.adjoints:
            out[f"d_loss_d_{name}"] = notation.partial("loss", name)
        for node, dep in lesson.detail.locals:
            out[f"d_{node}_d_{dep}"] = notation.partial(node, dep)
        for node in lesson.network.nodes:
            out[f"new_{node.name}"] = f"new {notation.name(node.name)}"
        for update in lesson.detail.updates:
            out[f"new_{update.parameter}"] = f"new {notation.name(update.parameter)}"
    from backprop_cli.course.schema import DerivativeDef

    for name, definition in lesson.spec.setup.define.items():
        match = re.fullmatch(r"d_?([A-Za-z][A-Za-z0-9]*)_d_?([A-Za-z][A-Za-z0-9]*)", name)
        if match:
            out[name] = f"d{notation.name(match.group(1))}/d{notation.name(match.group(2))}"
        elif isinstance(definition, DerivativeDef):
            out[name] = f"d{notation.name(definition.derivative)}/d{notation.name(definition.wrt)}"
    values = floats(lesson)
    for q in lesson.questions:
        if q.step.ask != "number":
            continue
        found = _named_value(lesson, values.get(q.id), q.id)
        if found is None and q.answer_expr.is_Symbol:
            found = out.get(q.answer_expr.name)
        out[q.id] = found or f"your answer to question {q.index + 1}"
    cache["labels"] = out
    return out


def _named_value(lesson: Any, value: float | None, qid: str = "") -> str | None:
    """The network quantity with this value: a node (ŷ), a new weight, or a derivative (∂L/∂z2);
    of several, the one whose names the question's id mentions (dL_dz1 is ∂L/∂z1, not ∂L/∂w1)."""
    if value is None or lesson.network is None:
        return None
    values = floats(lesson)
    found: list[tuple[str, tuple[str, ...]]] = []
    for node in lesson.network.nodes:
        if node.name in values and dx.same(values[node.name], value):
            found.append((notation.name(node.name), (node.name,)))
    for update in lesson.detail.updates:
        if dx.same(_as_float(update.new) or math.nan, value):
            found.append((f"new {notation.name(update.parameter)}", (update.parameter,)))
    for name in _gradient_targets(lesson, value):
        found.append((notation.partial("loss", name), ("loss", name)))
    for (node, dep) in lesson.detail.locals:
        v = values.get(f"d_{node}_d_{dep}")
        if v is not None and dx.same(v, value):
            found.append((notation.partial(node, dep), (node, dep)))
    if not found:
        return None
    return next((label for label, parts in found if _mentions(qid, parts[-1])), found[0][0])


def _mentions(qid: str, name: str) -> bool:
    """dL_dyhat mentions y_hat; dL_dz1 mentions z1 but not w1."""
    return name.replace("_", "").lower() in qid.replace("_", "").lower()


def _gradient_targets(lesson: Any, value: float) -> list[str]:
    """The nodes and parameters (not inputs or targets) whose ∂L/∂name has this value."""
    values = floats(lesson)
    out = []
    for name in lesson.detail.adjoints:
        if name == "loss" or name in lesson.network.inputs or name in lesson.network.targets \
                or name in lesson.network.constants:
            continue
        v = values.get(f"d_loss_d_{name}")
        if v is not None and dx.same(v, value):
            out.append(name)
    return out


def answer_label(lesson: Any, question: Any) -> str | None:
    """The answer's name when it is a derivative the lesson defines as a constant (dy/dx of
    y = 2x + 3): then "dy/dx does not depend on x" is true. None otherwise."""
    from backprop_cli.course.schema import DerivativeDef

    expr = question.answer_expr
    if not expr.is_Symbol or not isinstance(lesson.spec.setup.define.get(expr.name), DerivativeDef):
        return None
    return labels(lesson).get(expr.name) if _readable(lesson, expr.name) else None


def _show(lesson: Any, expr: Any) -> str:
    """A part of a formula in the lesson's notation, each name by its label."""
    names = labels(lesson)
    return _shown(expr, tuple(sorted((s.name, names.get(s.name, s.name)) for s in expr.free_symbols)))


@functools.lru_cache(maxsize=2048)  # pragma: no mutate - only the cache size: the text is a pure function of the formula and its labels, so a larger cache changes memory, never a text
def _shown(expr: Any, labelled: tuple[tuple[str, str], ...]) -> str:
    """:func:`_show` for a formula whose names read as ``labelled`` (name, label): remembered, as
    every set of fresh numbers shows the same parts with the same labels."""
    import sympy

    label = dict(labelled)
    return notation.formula(expr.xreplace({s: sympy.Symbol(label[s.name]) for s in expr.free_symbols}))


def update_of(lesson: Any, question: Any) -> Any:
    """The engine's update this question asks for (new = old − α·g), or None."""
    if lesson.network is None or question.step.ask != "number":
        return None
    names = {s.name for s in question.answer_expr.free_symbols}
    for update in lesson.detail.updates:
        if f"new_{update.parameter}" in names or ("lr" in names and update.parameter in names):
            return update
    return None


def diagnosis(lesson: Any, question: Any, listed: list) -> dx.Diagnosis:
    """The question's candidate computations, generated once and cached."""
    key = ("diagnosis", question.id)
    cache = lesson.cache
    if key not in cache:
        cache[key] = _build(lesson, question, listed)
    return cache[key]


def generated(lesson: Any, question: Any) -> dx.Diagnosis:
    """Only what the generator finds (no listed mistakes, no generic slips): for the linter."""
    return _build(lesson, question, [], generic=False)


def _build(lesson: Any, question: Any, listed: list, *, generic: bool = True) -> dx.Diagnosis:
    from backprop_cli.checking.mistakes import generic_mistakes

    traced = _traced(lesson, question)
    if traced is None:
        return dx.Diagnosis()
    expected, rule, generated_ = traced
    candidates: list[dx.Candidate] = []
    for m in listed:
        v = _as_float(m.value)
        if v is not None:
            candidates.append(dx.Candidate(m.name, v, m.feedback, dx.LISTED))
    candidates += generated_
    if generic:  # in floats: −x, 2x and x/2 are exact in binary, as they were through a 17-digit Float
        for m in generic_mistakes(expected):
            candidates.append(dx.Candidate(m.name, float(m.value) + 0.0, m.feedback, dx.GENERIC))
    return dx.prepare(expected, candidates, rule)


def _traced(lesson: Any, question: Any) -> tuple[float, dx.UpdateRule | None, list[dx.Candidate]] | None:
    """(the answer as a float, the update rule, the candidates generated from the question's
    structure), worked out once per question and shared by the learner's diagnosis and the
    validator's notes; None when the answer has no float value."""
    key = ("traced", question.id)
    if key not in lesson.cache:
        lesson.cache[key] = _trace(lesson, question)
    return lesson.cache[key]


def _trace(lesson: Any, question: Any) -> tuple[float, dx.UpdateRule | None, list[dx.Candidate]] | None:
    values = floats(lesson)
    expected = _as_float(question.expected)
    if expected is None:
        return None
    candidates: list[dx.Candidate] = []
    rule = None
    update = update_of(lesson, question)
    if update is not None:
        lr = values.get("lr", math.nan)
        others = {u.parameter: _as_float(u.gradient) or math.nan for u in lesson.detail.updates
                  if u.parameter != update.parameter}
        candidates += dx.update_candidates(_as_float(update.old) or 0.0, lr, _as_float(update.gradient) or math.nan,
                                           notation.name(update.parameter), others)
        rule = dx.UpdateRule(update.old, notation.name(update.parameter))
    links = _chain(lesson, expected, question.id) if not _forward_value(lesson, expected) else []
    if links:
        candidates += dx.chain_candidates(links, chain=len(links) > 1)
        forward = {notation.name(n.name): values[n.name] for n in lesson.network.nodes if n.name in values}
        candidates += dx.neighbour_candidates(None, forward)
    points = {symbol(n): v for n, v in values.items()}
    if update is None and all(_readable(lesson, s.name) for s in question.answer_expr.free_symbols):
        candidates += dx.formula_candidates(question.answer_expr, points, lambda e: _show(lesson, e))
    previous = _previous(lesson, question)
    if previous is not None:
        candidates += dx.neighbour_candidates(previous, {})
    return expected, rule, candidates


def _readable(lesson: Any, name: str) -> bool:
    """A name whose label a learner can read in an explanation (ŷ, ∂L/∂z2, dx; not demo_lr)."""
    label = labels(lesson).get(name, name)
    return not label.startswith("your answer") and (not label.isidentifier() or len(label) <= 3)


def _forward_value(lesson: Any, value: float) -> bool:
    """The value of a leaf or node of the forward pass (h1 = ∂z2/∂w3 is asked as h1)."""
    values = floats(lesson)
    names = [*lesson.network.leaves(), *(n.name for n in lesson.network.nodes)] if lesson.network else []
    return any(n in values and dx.same(values[n], value) for n in names)


def _previous(lesson: Any, question: Any) -> tuple[str, float] | None:
    earlier = [q for q in lesson.questions[: question.index] if q.step.ask == "number"]
    if not earlier:
        return None
    q = earlier[-1]
    v = floats(lesson).get(q.id)
    label = labels(lesson)[q.id]
    asked = f"question {q.index + 1}" + (f" ({label})" if _readable(lesson, q.id) else "")
    return (asked, v) if v is not None else None


def _chain(lesson: Any, expected: float, qid: str) -> list[dx.Link]:
    """The chain of local derivatives whose product is this question's value (one path only)."""
    if lesson.network is None:
        return []
    values = floats(lesson)
    paths: set[tuple] = set()
    for (node, dep) in lesson.detail.locals:
        v = values.get(f"d_{node}_d_{dep}")
        if v is not None and dx.same(v, expected) and node != "loss":
            paths.add(((node, dep),))
    targets = _gradient_targets(lesson, expected)
    mentioned = [t for t in targets if _mentions(qid, t)]
    target = (mentioned or targets)[0] if len(mentioned) == 1 or len(targets) == 1 else None
    if target is not None:
        for chain in lesson.detail.chains:
            for path in chain.paths:
                steps = [(f.node, f.dep) for f in path.factors]
                for i, (_, dep) in enumerate(steps):
                    if dep == target:
                        paths.add(tuple(steps[: i + 1]))
    if len(paths) != 1:
        return []
    return [_link(lesson, node, dep) for node, dep in paths.pop()]


def _link(lesson: Any, node: str, dep: str) -> dx.Link:
    import sympy

    from backprop_cli.mathfunctions import sigmoid

    values = floats(lesson)
    label = notation.partial(node, dep)
    owner = lesson.network.node(node)
    local = next(loc for loc in owner.locals if loc.dep == dep)
    shown = local.shown
    formula, flipped = notation.formula(shown), ""
    if shown.is_Add and len(shown.args) == 2:
        plus = [t for t in shown.args if not t.could_extract_minus_sign()]
        minus = [-t for t in shown.args if t.could_extract_minus_sign()]
        if len(plus) == 1 and len(minus) == 1:
            formula = f"{notation.formula(plus[0])} − {notation.formula(minus[0])}"
            flipped = f"{notation.formula(minus[0])} − {notation.formula(plus[0])}"
    swaps: tuple[dx.Swap, ...] = ()
    argument = owner.expr.args[0] if owner.expr.args else None
    if argument is not None and argument == symbol(dep) and node in values:
        out, inner = notation.name(node), notation.name(dep)
        if isinstance(owner.expr, sigmoid):
            swaps = dx.sigmoid_swaps(label, out, values[node], inner, values.get(dep))
        elif isinstance(owner.expr, sympy.tanh):
            swaps = dx.tanh_swaps(label, out, values[node])
    if owner.expr.is_Pow and owner.expr.base == symbol(dep) and owner.expr.exp.is_Integer and dep in values:
        swaps = dx.power_swaps(label, notation.name(dep), values[dep], int(owner.expr.exp))
    weights = lesson.network.parameters
    if dep in weights and local.shown.is_Symbol and local.shown.name in values:  # ∂z1/∂w1 = x1: x2 taken instead
        others = [(notation.name(o.dep), notation.name(o.shown.name), values[o.shown.name]) for o in owner.locals
                  if o.dep != dep and o.dep in weights and o.shown.is_Symbol and o.shown != local.shown
                  and o.shown.name in values]
        swaps += dx.input_swaps(label, notation.name(dep), notation.name(local.shown.name), others)
    return dx.Link(label, values.get(f"d_{node}_d_{dep}", math.nan), formula, swaps, flipped)
