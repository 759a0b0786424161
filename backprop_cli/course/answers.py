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
    return [listed_mistake(lesson, question, k) for k in range(len(question.step.mistakes))]


def listed_mistake(lesson: Lesson, question: Question, k: int) -> checking.Mistake:
    """The question's ``k``-th listed mistake, computed like an answer (a problem at its line if not)."""
    spec = question.step.mistakes[k]
    step_index = lesson.step_index(question.step)
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
            free = ", ".join(sorted(str(s) for s in value.free_symbols))
            raise lesson.problem(f"a mistake of a number question must be a number, but it depends on {free}", loc)
    else:
        value = lesson.expand(lesson.parse(spec.answer, loc))
    feedback = lesson.interpolate(spec.feedback, ("steps", step_index, "mistakes", k, "feedback"))
    return checking.Mistake(listed_mistake_name(question, k), value, feedback)


def use_mistakes(lesson: Lesson, question: Question, mistakes: list[checking.Mistake]) -> None:
    """Check this question against these listed mistakes (the validator: those that could be computed)."""
    lesson.cache[("listed", question.id)] = mistakes


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
    from backprop_cli.course import tracing

    number = tracing._as_float(value)
    if number is None:
        return []
    labels = {q.id: f"question {q.index + 1}" for q in lesson.questions}
    return [checking.Carried(number, tuple(labels[q] for q in own))]


def check(lesson: Lesson, question: Question, text: str,
          learner: Mapping[str, sympy.Expr] | None = None) -> checking.Verdict:
    """Check ``text`` as an answer to ``question``; ``learner`` holds the learner's earlier answers.

    A number question is matched against its candidate computations (the lesson's own mistakes
    first, then those generated from its formula: :mod:`backprop_cli.course.tracing`)."""
    key = ("listed", question.id)
    if key not in lesson.cache:
        lesson.cache[key] = listed_mistakes(lesson, question)
    mistakes = lesson.cache[key]
    step = question.step
    if step.ask == "choice":
        return checking.check_choice(text, list(step.options or ()), int(question.expected), mistakes=mistakes)
    if step.ask == "expression":
        verdict = checking.check_expression(text, question.expected, question.names, mistakes=mistakes)
        return _only_allowed_names(lesson, question, verdict)
    from backprop_cli.course import tracing

    return checking.check_number(
        text,
        question.expected,
        exact=step.exact,
        carried=carried(lesson, question, learner or {}),
        names=list(lesson.name_table()),
        values=tracing.given(lesson),
        computed=tracing.computed_names(lesson),
        diagnosis=tracing.diagnosis(lesson, question, mistakes),
        answer_label=tracing.answer_label(lesson, question),
        labels=tracing.labels(lesson),
    )


def _only_allowed_names(lesson: Lesson, question: Question, verdict: checking.Verdict) -> checking.Verdict:
    """'unknown name x' is the wrong thing to tell a learner who wrote x where the question wants y."""
    import re
    from dataclasses import replace

    from backprop_cli import notation

    found = re.match(r"unknown name '(\w+)'", verdict.message) if verdict.status == "invalid" else None
    if found and found.group(1) in lesson.name_table():
        allowed = ", ".join(notation.name(n) for n in question.names)
        return replace(verdict, message=f"write this answer using only {allowed}: "
                                        f"{notation.name(found.group(1))} is not part of it")
    return verdict


def typed(question: Question) -> str:
    """The answer key as a learner would type it (used by the validator and by `skip`)."""
    return typed_value(question.step.ask, question.expected)


def typed_value(kind: str, value: sympy.Expr) -> str:
    """A value of a question of this kind as a learner would type it (keys, listed mistakes)."""
    from backprop_cli import notation

    if kind == "choice":
        return "abcdefghijklmnopqrstuvwxyz"[int(value)]
    if kind == "number":
        from backprop_cli.course.lesson import display_value

        return notation.plain(display_value(value), 10)
    return sympy.sstr(value)


def shown(question: Question) -> str:
    """The answer key as the learner is shown it."""
    return shown_value(question.step.ask, question.expected, question.step.options)


def options(lesson: Lesson, question: Question) -> tuple[str, ...]:
    """A choice question's options, with ``{{formula}}`` computed."""
    index = lesson.step_index(question.step)
    return tuple(lesson.interpolate(o, ("steps", index, "options", k)) for k, o in enumerate(question.step.options or ()))


def shown_value(kind: str, value: sympy.Expr, options=None) -> str:
    """A value of a question of this kind as the learner is shown it (answer keys, mistakes)."""
    from backprop_cli import notation

    if kind == "choice":
        i = int(value)
        return f"{'abcdefghijklmnopqrstuvwxyz'[i]}) {options[i]}"
    if kind == "number":
        from backprop_cli.course.lesson import display_value

        return notation.number(display_value(value), 6)
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
