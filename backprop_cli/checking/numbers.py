"""Number answers: a decimal, a fraction, arithmetic of numbers, or a formula over names that
have values here, marked by the figures typed (see :mod:`.figures`).

A wrong number is matched against the question's candidate computations (the lesson's own
mistakes, then the ones :mod:`.diagnosis` generates from the answer's formula) by the same rules;
an update ``new = old − α·g`` is judged on its step, new − old, to the figures typed. A later step
that is right for the learner's own earlier answers is accepted with a note (follow-through).
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from typing import Any

from backprop_cli import notation
from backprop_cli.checking import figures as fig
from backprop_cli.checking.diagnosis import GENERIC, LISTED, Candidate, Diagnosis, prepare
from backprop_cli.checking.mistakes import generic_mistakes
from backprop_cli.checking.verdict import (
    CHECK_FAILURES,
    Carried,
    Mistake,
    Verdict,
    as_expr,
    invalid,
)
from backprop_cli.errors import ExpressionError


@functools.lru_cache(maxsize=512)  # pragma: no mutate - only the cache size: _expected is a pure function of its arguments, so a larger cache changes memory, never a result
def _expected(expected: Any, exact: bool | None) -> tuple[Decimal | None, bool]:
    """The expected value as a Decimal and whether it is compared exactly (cached per value)."""
    value = fig.decimal(expected)
    is_exact = fig.short_decimal(expected) if exact is None else exact
    return value, is_exact


def check_number(
    text: str,
    expected: Any,
    *,
    exact: bool | None = None,
    mistakes: Sequence[Mistake] = (),
    carried: Sequence[Carried] = (),
    names: Collection[str] = (),
    values: Mapping[str, Any] | None = None,
    diagnosis: Diagnosis | None = None,
    answer_label: str | None = None,
    computed: Collection[str] = (),
    labels: Mapping[str, str] | None = None,
) -> Verdict:
    """Mark a numeric answer (a decimal, a fraction or arithmetic of numbers such as ``-72/4``).

    ``exact=None`` compares exactly when ``expected`` is a rational with a short terminating
    decimal (−18, 1.22, 0.5) and by the tolerance rules otherwise. ``names`` are the symbols of
    the question; ``values`` the numbers of those given to the learner, so that a formula over
    them is evaluated (``w2 - w2 + 1.22``); ``computed`` the names whose value the learner is to
    work out (a formula naming one is sent back, its names written as ``labels`` says). ``diagnosis`` holds the candidate computations (built once
    per question); without it the listed ``mistakes`` and the generic slips are used.
    """
    expected = as_expr(expected)
    expected_value, is_exact = _expected(expected, exact)
    if expected_value is None:
        raise ValueError(f"the expected answer {expected} is not a finite real number")
    if diagnosis is None or mistakes:
        listed = [Candidate(m.name, _float(m.value), m.feedback, tier=LISTED) for m in mistakes]
        generic = [Candidate(m.name, _float(m.value), m.feedback, tier=GENERIC) for m in generic_mistakes(expected)]
        base = diagnosis.candidates if diagnosis is not None else ()
        diagnosis = prepare(float(expected_value), [*listed, *base, *generic],
                            update=diagnosis.update if diagnosis is not None else None)
    carried = [Carried(c.value if isinstance(c.value, float) else as_expr(c.value), tuple(c.from_steps))
               for c in carried]
    try:
        return _check(text, expected_value, is_exact, diagnosis, carried, names, values, answer_label, computed, labels)
    except CHECK_FAILURES:
        return invalid("I could not work out the value of that; please type a plain number")


def _float(value: Any) -> float:
    number = fig.decimal(as_expr(value)) if not isinstance(value, float) else Decimal(repr(value))
    return float(number) if number is not None else float("nan")


def _read(text: Any, names: Collection[str], values: Mapping[str, Any] | None, answer_label: str | None,
          computed: Collection[str], labels: Mapping[str, str] | None) -> tuple[Decimal, str | None, Any] | Verdict:
    """The typed answer as (Decimal, literal, SymPy value), or the invalid verdict saying why."""
    from backprop_cli.expressions import parse

    if not isinstance(text, str):
        return invalid("please type a number")
    stripped = text.strip()
    if fig.looks_like_decimal_comma(stripped):
        return invalid(f"use a decimal point, not a comma: {stripped.replace(',', '.')}")
    try:
        parsed = parse(text, list(names))
    except ExpressionError as error:
        message = str(error)
        if error.message.startswith("unknown name"):
            message += "; the answer here is a number"
        return invalid(message)
    answer = parsed.expr
    if answer.free_symbols:
        known = values or {}
        missing = sorted(s.name for s in answer.free_symbols if s.name not in known)
        if values is None or any(n in computed for n in missing):
            shown = notation.formula(_labelled(answer, labels))
            if len(shown) > 40:
                return invalid("the answer is a number, not a formula")
            return invalid(f"the answer is a number: work out {shown} with the values you know")
        if missing:
            return invalid(_no_value_message(answer, missing, answer_label))
        answer = answer.xreplace({s: as_expr(known[s.name]) for s in answer.free_symbols})
    value = fig.decimal(answer)
    if value is None:
        return invalid("that is not a finite real number I can check (too large, or undefined)")
    return value, parsed.literal, answer


def _labelled(expr: Any, labels: Mapping[str, str] | None) -> Any:
    """``expr`` with each name written as the lesson says it (dL_dz2 → ∂L/∂z2)."""
    import sympy

    if not labels:
        return expr
    return expr.xreplace({s: sympy.Symbol(labels[s.name]) for s in expr.free_symbols if s.name in labels})


def _no_value_message(answer: Any, missing: Sequence[str], answer_label: str | None) -> str:
    """What is really wrong with a formula typed where a number is asked for."""
    shown = " or ".join(notation.name(n) for n in missing)
    if answer_label:
        return f"the answer is a number here: {answer_label} does not depend on {shown}"
    has = "has" if len(missing) == 1 else "have"
    return f"the answer is a number here: {shown} {has} no value in this question, so give the number itself"


def _check(text: Any, expected: Decimal, is_exact: bool, diagnosis: Diagnosis, carried: Sequence[Carried],
           names: Collection[str], values: Mapping[str, Any] | None, answer_label: str | None,
           computed: Collection[str], labels: Mapping[str, str] | None) -> Verdict:
    read = _read(text, names, values, answer_label, computed, labels)
    if isinstance(read, Verdict):
        return read
    answer, literal, value = read
    update = diagnosis.update
    old = fig.decimal(as_expr(update.old)) if update is not None else None

    def hit(target: Decimal, exact_rule: bool, short: bool) -> bool:
        if old is not None:
            return _step_hit(answer, literal, target, old)
        return fig.agrees(answer, literal, target, exact_rule, short)

    def verdict(status: str, message: str = "", **extra: Any) -> Verdict:
        return Verdict(status, message, value=value, literal=literal, **extra)  # type: ignore[arg-type]

    if hit(expected, is_exact, fig.short_decimal_decimal(expected)):
        return verdict("correct")
    if old is not None and update is not None and literal is not None and _is_old(answer, literal, old):
        return _old_value(verdict, literal, old, expected, update.label)
    for option in carried:
        own = fig.decimal(option.value)
        if own is None or fig.tolerant(own, expected, None):
            continue
        if hit(own, False, False):
            return verdict("correct", f"Right for your own {_steps(option.from_steps)}: the difference carries through.",
                           carried_from=option.from_steps)
    found = _diagnose(answer, literal, expected, is_exact, diagnosis, hit, old)
    if found is not None:
        return verdict("incorrect", found.feedback, mistake=found.name)
    if old is not None and fig.tolerant(answer, expected, literal):
        return verdict("incorrect", "Close, but the change from the old weight is off. The step −α·∂L/∂w is small "
                                    "here: work it out to a few figures, then add it to the old weight.",
                       mistake="update-step")
    # Too few figures but right as far as they go: ask again, no penalty. For an exact answer
    # only rounded decimals count (−20 is not "−18 rounded", 1.2 may be 1.22 rounded).
    if literal is not None and fig.rounds_to_short(literal, expected, decimals_only=is_exact):
        ask = "give the exact value" if is_exact else f"give at least {fig.MIN_FIGURES} significant figures"
        return invalid(f"that looks rounded: {ask}")
    if is_exact and literal is not None and fig.fewer_places_of(literal, expected):
        # 1.23 for exactly 1.231: a rounding (fewer decimals, within one unit of the last), but the answer is exact.
        return invalid("that looks rounded, but this answer is exact: give every digit (or a fraction)")
    return verdict("incorrect")


def _step_hit(answer: Decimal, literal: str | None, target: Decimal, old: Decimal) -> bool:
    """An update judged on its step: ``answer`` is ``target`` rounded or cut to the places typed (at
    least three figures, no slack in the last one, places where the step shows), or within 0.1% of
    the step target − old."""
    step = min(abs(target - old), abs(target))  # a step-sized value (−α·g typed alone) is held as tightly
    if abs(answer - target) <= fig.RELATIVE_TOLERANCE * step + fig.ABSOLUTE_FLOOR:
        return True
    if literal is None or max(f for f, _ in fig.readings(literal)) < fig.MIN_FIGURES:
        return False
    # where the new and the old weight round alike the step does not show: 0.999 is 0.9999 cut to
    # three places, but both round to 1.000 there, and 0.999 is 1 − 0.001, the gradient without α
    if not fig.step_shows(target, old, fig.last_place(literal)):
        return False
    return fig.rounds_to(literal, target) and not fig.rounds_to(literal, old)


def _is_old(answer: Decimal, literal: str, old: Decimal) -> bool:
    """The old value as typed: exactly, or rounded to three figures or more (not 0 for 0.01)."""
    return answer == old or (max(f for f, _ in fig.readings(literal)) >= fig.MIN_FIGURES
                             and fig.rounds_to(literal, old))


def _old_value(verdict: Any, literal: str, old: Decimal, expected: Decimal, label: str) -> Verdict:
    """The old value typed for the new one: the step was not taken (or is below the last figure)."""
    said = f"That is the old value of {label}: as typed, the step was not taken."
    if fig.rounds_to(literal, expected):
        return Verdict("invalid", f"{said} The step is smaller than your last figure: give more figures.",
                       mistake="old-value")
    return verdict("incorrect", f"{said} Subtract α·∂L/∂{label} from it.", mistake="old-value")


def _diagnose(answer: Decimal, literal: str | None, expected: Decimal, is_exact: bool, diagnosis: Diagnosis,
              hit: Any, old: Decimal | None) -> Candidate | None:
    """The one explanation that fits the typed number, by precedence; None when none or several fit."""
    matches: list[Candidate] = []
    for candidate in diagnosis.candidates:
        target, short = _candidate_target(f"{candidate.value:.15g}")
        if old is None and fig.tolerant(target, expected, None):
            continue  # a "mistake" that is the right answer must never fire
        if old is not None and abs(target - expected) <= fig.RELATIVE_TOLERANCE * abs(expected - old):
            continue
        if hit(target, is_exact and short, short):
            matches.append(candidate)
    for value in diagnosis.ambiguous:
        if hit(Decimal(f"{value:.15g}"), False, False):
            return None  # two explanations give this number: claim neither
    if not matches:
        return None
    best = min(c.tier for c in matches)
    told = {c.feedback for c in matches if c.tier == best}
    if len(told) != 1:
        return None
    return next(c for c in matches if c.tier == best)


@functools.lru_cache(maxsize=4096)  # pragma: no mutate - only the cache size: a pure function of the text, so a larger cache changes memory, never a result
def _candidate_target(shown: str) -> tuple[Decimal, bool]:
    """A candidate's value (to 15 figures) as the Decimal it is compared as, and whether it has at
    most six figures: the same candidates meet every wrong answer to a question."""
    target = Decimal(shown)
    return target, fig.short_decimal_decimal(target)


def _steps(labels: Sequence[str]) -> str:
    """The earlier answers a carried value used: ``("2",)`` → "answer to step 2",
    ``("question 4", "question 17")`` → "answers to questions 4 and 17"; other labels as given."""
    if not labels:
        return "earlier answer"
    for word in ("step", "question"):
        numbers = [label.removeprefix(f"{word} ") for label in labels]
        if all(n.isdigit() for n in numbers) and (word == "step" or all(lb.startswith(word) for lb in labels)):
            numbers.sort(key=int)
            listed = numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]
            plural = len(numbers) > 1
            return f"answer{'s' if plural else ''} to {word}{'s' if plural else ''} {listed}"
    listed = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    return f"earlier answer{'s' if len(labels) > 1 else ''} ({listed})"
