"""Checking a learner's answer to a lesson question: the lesson's own mistakes, the context
mistakes its network implies, and follow-through from the learner's earlier answers.

The session and the lesson validator both call :func:`check`, so what the validator proves about
an answer key is exactly what the learner meets.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy

from backprop_cli import checking
from backprop_cli.course.lesson import Lesson, Question
from backprop_cli.expressions import parse


def listed_mistake_name(question: Question, k: int) -> str:
    return f"{question.id}:mistake-{k + 1}"


def listed_mistakes(lesson: Lesson, question: Question) -> list[checking.Mistake]:
    """The mistakes the lesson lists for this question, computed like answers."""
    out = []
    step_index = lesson.spec.steps.index(question.step)
    for k, spec in enumerate(question.step.mistakes):
        loc = ("steps", step_index, "mistakes", k, "answer")
        if question.step.ask == "choice":
            letter = spec.answer.strip().lower()
            options = "abcdefghijklmnopqrstuvwxyz"[: len(question.step.options or ())]
            if letter not in options:
                raise lesson.problem(f"a choice mistake is a letter ({', '.join(options)})", loc)
            value = sympy.Integer(options.index(letter))
        elif question.step.ask == "number":
            value = lesson.value(lesson.parse(spec.answer, loc))
            if not value.is_number:
                raise lesson.problem("a mistake of a number question must be a number", loc)
        else:
            value = lesson.expand(lesson.parse(spec.answer, loc))
        out.append(checking.Mistake(listed_mistake_name(question, k), value, lesson.interpolate(spec.feedback, loc)))
    return out


def context_mistakes(lesson: Lesson, question: Question) -> list[checking.Mistake]:
    """Mistakes the network implies: a missing chain factor, a forward value for a gradient,
    an update added instead of subtracted, σ given for σ(1−σ)."""
    if question.step.ask != "number" or lesson.network is None:
        return []
    from backprop_cli import notation

    out: list[checking.Mistake] = []
    names = {str(s) for s in question.answer_expr.free_symbols}
    expr = question.answer_expr
    # A gradient question: its value is one of the network's derivatives, and its formula is built from
    # derivatives or earlier answers (not just a forward value such as h, which may equal ∂ŷ/∂w2 by chance).
    built = any(n.startswith("d_") for n in names) or bool(question.uses)
    gradient = built and _derivative_named(lesson, question.expected) is not None
    if gradient and expr.is_Mul and len(expr.args) > 1 and all(arg.is_Symbol for arg in expr.args):
        # ∂L/∂w2 = ∂L/∂ŷ · ∂ŷ/∂w2: leaving out any one factor is the classic slip.
        factors = [(_factor_label(lesson, arg), lesson.value(arg)) for arg in expr.args]
        if all(v.is_number for _, v in factors):
            out += checking.chain_mistakes(factors)
    if gradient:
        forward = {notation.name(n.name): lesson.values[n.name] for n in lesson.network.nodes}
        out += checking.forward_value_mistakes(forward)
    for update in lesson.detail.updates:
        if f"new_{update.parameter}" in names or ("lr" in names and update.parameter in names):
            out += checking.update_mistakes(update.old, lesson.definitions["lr"], update.gradient)
    from backprop_cli.mathfunctions import sigmoid

    for node in lesson.network.nodes:
        if isinstance(node.expr, sigmoid):
            asks_local = any(n.startswith(f"d_{node.name}_d_") for n in names)
            s = sympy.Symbol(node.name, real=True)
            if asks_local or sympy.simplify(lesson.expand(expr) - s * (1 - s)) == 0:
                out.append(checking.sigmoid_mistake(lesson.values[node.name]))
    return out


def _derivative_named(lesson: Lesson, value: sympy.Expr) -> str | None:
    """'∂L/∂w2' when ``value`` is one of the network's derivatives (∂L/∂name or a local ∂a/∂b)."""
    from backprop_cli import notation
    from backprop_cli.mathfunctions import numeric

    if lesson.network is None or not value.is_number:
        return None
    target = float(numeric(value))
    for (node, dep), local in lesson.detail.locals.items():
        if _close(float(numeric(local)), target):
            return notation.partial(node, dep)
    for name_, adjoint in lesson.detail.adjoints.items():
        if name_ != "loss" and _close(float(numeric(adjoint)), target):
            return notation.partial("loss", name_)
    return None


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b))


def _factor_label(lesson: Lesson, factor: sympy.Expr) -> str:
    """How feedback names a factor: ∂L/∂ŷ (your answer to question 2), or the name's own ∂a/∂b."""
    from backprop_cli import notation

    by_id = {q.id: q for q in lesson.questions}
    value = lesson.value(factor)
    named = _derivative_named(lesson, value)
    if factor.is_Symbol and factor.name in by_id:
        asked = f"your answer to question {by_id[factor.name].index + 1}"
        return f"{named} ({asked})" if named else asked
    return named or notation.formula(factor)


def carried(lesson: Lesson, question: Question, learner: Mapping[str, sympy.Expr]) -> list[checking.Carried]:
    """The answer recomputed from the learner's own earlier answers, where those differ."""
    if question.step.ask != "number" or not question.uses:
        return []
    own = {}
    for qid in sorted(question.uses):
        if qid in learner and learner[qid] != lesson.definitions.get(qid):
            own[qid] = learner[qid]
    if not own:
        return []
    value = lesson.value(question.answer_expr, overrides=own)
    if not value.is_number:
        return []
    labels = {q.id: f"question {q.index + 1}" for q in lesson.questions}
    return [checking.Carried(value, tuple(labels[q] for q in own))]


def check(lesson: Lesson, question: Question, text: str,
          learner: Mapping[str, sympy.Expr] | None = None) -> checking.Verdict:
    """Check ``text`` as an answer to ``question``; ``learner`` holds the learner's earlier answers."""
    mistakes = listed_mistakes(lesson, question)
    step = question.step
    if step.ask == "choice":
        return checking.check_choice(text, list(step.options or ()), int(question.expected), mistakes=mistakes)
    if step.ask == "expression":
        verdict = checking.check_expression(text, question.expected, question.names, mistakes=mistakes)
        return _only_allowed_names(lesson, question, verdict)
    verdict = checking.check_number(
        text,
        question.expected,
        exact=step.exact,
        mistakes=[*mistakes, *context_mistakes(lesson, question)],
        carried=carried(lesson, question, learner or {}),
        names=list(lesson.known_names()),
    )
    return _step_checked(lesson, question, text, verdict)


def _step_checked(lesson: Lesson, question: Question, text: str, verdict: checking.Verdict) -> checking.Verdict:
    """A new weight is w − α·g with a small step: 0.1% of w can be more than the whole step, so the
    0.1% allowance would pass a wrong step (0.5047 for 0.504237). Hold updates to the figures typed."""
    if not verdict.correct or verdict.carried_from or lesson.network is None:
        return verdict
    names = {str(s) for s in question.answer_expr.free_symbols}
    for update in lesson.detail.updates:
        if f"new_{update.parameter}" in names or ("lr" in names and update.parameter in names):
            literal = parse(text, ()).literal if verdict.value is not None else None
            step = question.expected - update.old
            if literal is None or checking.right_to_figures(literal, question.expected):
                return verdict
            if checking.within_tolerance(verdict.value - update.old, step, None):
                return verdict
            return checking.Verdict(
                "incorrect", "Close, but the change from the old weight is off. The step −α·∂L/∂w is small "
                "here: work it out to a few figures, then add it to the old weight.", value=verdict.value,
                mistake="update-step")
    return verdict


def _only_allowed_names(lesson: Lesson, question: Question, verdict: checking.Verdict) -> checking.Verdict:
    """'unknown name x' is the wrong thing to tell a learner who wrote x where the question wants y."""
    import re
    from dataclasses import replace

    from backprop_cli import notation

    found = re.match(r"unknown name '(\w+)'", verdict.message) if verdict.status == "invalid" else None
    if found and found.group(1) in lesson.known_names():
        allowed = ", ".join(notation.name(n) for n in question.names)
        return replace(verdict, message=f"write this answer using only {allowed}: "
                                        f"{notation.name(found.group(1))} is not part of it")
    return verdict


def typed(question: Question) -> str:
    """The answer key as a learner would type it (used by the validator and by `skip`)."""
    from backprop_cli import notation

    if question.step.ask == "choice":
        return "abcdefghijklmnopqrstuvwxyz"[int(question.expected)]
    if question.step.ask == "number":
        return notation.plain(question.expected, 10)
    return sympy.sstr(question.expected)


def shown(question: Question) -> str:
    """The answer key as the learner is shown it."""
    return shown_value(question.step.ask, question.expected, question.step.options)


def options(lesson: Lesson, question: Question) -> tuple[str, ...]:
    """A choice question's options, with ``{{formula}}`` computed."""
    index = lesson.spec.steps.index(question.step)
    return tuple(lesson.interpolate(o, ("steps", index, "options", k)) for k, o in enumerate(question.step.options or ()))


def shown_value(kind: str, value: sympy.Expr, options=None) -> str:
    """A value of a question of this kind as the learner is shown it (answer keys, mistakes)."""
    from backprop_cli import notation

    if kind == "choice":
        i = int(value)
        return f"{'abcdefghijklmnopqrstuvwxyz'[i]}) {options[i]}"
    if kind == "number":
        return notation.number(value, 6)
    return notation.formula(value)


def learner_value(question: Question, text: str) -> sympy.Expr | None:
    """The value a learner's accepted answer stands for (for follow-through); None if unreadable."""
    if question.step.ask != "number":
        return None
    try:
        value = parse(text, ()).expr
    except Exception:  # noqa: BLE001 - an unreadable saved answer simply carries nothing
        return None
    return value if value.is_number else None
