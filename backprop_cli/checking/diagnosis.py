"""Model tracing: the right and the buggy computations of a step, generated from its structure.

Like the Cognitive Tutor and Andes, the checker does not wait for an author to list every slip:
from a step's formula (a chain of local derivatives, an update rule, a sum of terms) it generates
the likely computations, each with an explanation built from the names in the formula, and a
typed number is matched against them by the answer's own tolerance rules (:mod:`.numbers`).

Every candidate is a float computed once per question. Precedence (``tier``) decides between
explanations of the same number: the lesson's own mistakes, then chain links, activations and
update slips, then the formula's terms and factors, then neighbours (the previous answer, a
forward value), then the generic sign and factor 2. Two explanations of one number in the same
tier are recorded as ambiguous, and neither is ever claimed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LISTED, STRUCTURE, FORMULA, NEIGHBOUR, GENERIC = range(5)  # tiers: the order of precedence
SAME = 1e-9  # two candidates closer than this (relatively) are one number
ALLOWANCE = 0.001  # a candidate this close to the answer (0.1%; of the step for an update) also fits it


@dataclass(frozen=True)
class Candidate:
    """One way of computing the step: its value and what to tell a learner who gets it."""

    name: str
    value: float
    feedback: str
    tier: int = STRUCTURE


@dataclass(frozen=True)
class UpdateRule:
    """The step is ``new = old − α·g``: graded on new − old; ``label`` names the parameter."""

    old: Any  # the exact old value (SymPy)
    label: str


@dataclass(frozen=True)
class Diagnosis:
    candidates: tuple[Candidate, ...] = ()
    ambiguous: tuple[float, ...] = ()  # numbers two explanations give: never claimed
    update: UpdateRule | None = None

    def finds(self, value: float, *, tiers: Iterable[int] = (STRUCTURE, FORMULA, NEIGHBOUR)) -> Candidate | None:
        """The generated candidate (of ``tiers``) with this value, if one."""
        wanted = set(tiers)
        return next((c for c in self.candidates if c.tier in wanted and same(c.value, value)), None)


def same(a: float, b: float) -> bool:
    return abs(a - b) <= SAME * max(1.0, abs(a), abs(b))


def prepare(expected: float, candidates: Iterable[Candidate], update: UpdateRule | None = None) -> Diagnosis:
    """Keep the finite candidates that differ from the answer; of one number keep the explanation
    of the highest precedence, and record a number two explanations of one tier share as ambiguous
    (the listed mistakes are in the author's order of precedence: the first one wins)."""
    old = float(update.old) if update is not None else None
    # what the answer's own rule would accept: 0.1% of the answer, or of the step for an update
    fits = ALLOWANCE * (abs(expected - old) if old is not None else abs(expected))
    kept: list[Candidate] = []
    ambiguous: list[float] = []
    for candidate in sorted(candidates, key=lambda c: c.tier):
        v = candidate.value
        if not math.isfinite(v) or abs(v - expected) <= fits or same(v, expected) or (old is not None and same(v, old)):
            continue
        if ambiguous and any(same(v, a) for a in ambiguous):
            continue
        twin = next((k for k in kept if same(k.value, v)), None)
        if twin is None:
            kept.append(candidate)
        elif twin.tier == candidate.tier != LISTED and twin.feedback != candidate.feedback:
            kept.remove(twin)
            ambiguous.append(v)
    return Diagnosis(tuple(kept), tuple(ambiguous), update)


# --- chains of local derivatives -----------------------------------------------------------


@dataclass(frozen=True)
class Swap:
    """A wrong value a learner may use for one link, with what to say."""

    name: str
    value: float
    feedback: str


@dataclass(frozen=True)
class Link:
    """One factor of a product: ∂ŷ/∂z2 = ŷ·(1 − ŷ) = 0.2350."""

    label: str  # "∂ŷ/∂z2"
    value: float
    formula: str = ""  # "ŷ·(1 − ŷ)", when it says more than the label
    swaps: tuple[Swap, ...] = ()
    flipped: str = ""  # how the link reads with its sign flipped: "y − ŷ" for ŷ − y

    @property
    def named(self) -> str:
        return f"{self.label} = {self.formula}" if self.formula and self.formula != self.label else self.label


def chain_candidates(links: Sequence[Link], *, chain: bool = True) -> list[Candidate]:
    """A product of links: each one dropped, each used twice, each replaced by a likely wrong
    value (σ for σ′), each difference with its sign flipped."""
    out: list[Candidate] = []
    values = [link.value for link in links]
    full = math.prod(values)
    why = " The chain rule multiplies every local derivative along the path." if chain else ""
    for i, link in enumerate(links):
        others = math.prod(values[:i] + values[i + 1:])
        if len(links) > 1:
            out.append(Candidate("missing-factor", others, f"Almost: the factor {link.named} is missing.{why}"))
            out.append(Candidate("factor-twice", others * link.value**2,
                                 f"The factor {link.named} is used twice: it enters the product once."))
        for swap in link.swaps:
            out.append(Candidate(swap.name, others * swap.value, swap.feedback))
        if link.flipped:
            out.append(Candidate("sign", -full, f"The sign is flipped. Check {link.label} = {link.formula or link.label}, "
                                                f"not {link.flipped}."))
    return out


def sigmoid_swaps(label: str, output: str, output_value: float, inner: str, inner_value: float | None) -> tuple[Swap, ...]:
    """σ used for its slope σ′ = σ·(1 − σ), and σ′ taken at the neuron's input instead of its output."""
    swaps = [Swap("sigma-not-derivative", output_value,
                  f"You used σ = {output} in place of its slope {label} = {output}·(1 − {output}).")]
    if inner_value is not None:
        swaps.append(Swap("sigma-prime-wrong-node", inner_value * (1 - inner_value),
                          f"σ′ uses the neuron's output: {label} = {output}·(1 − {output}), "
                          f"not {inner}·(1 − {inner})."))
    swaps.append(Swap("one-minus-sigma", 1 - output_value,
                      f"That uses only 1 − {output}: the slope {label} is the product {output}·(1 − {output})."))
    return tuple(swaps)


def tanh_swaps(label: str, output: str, output_value: float) -> tuple[Swap, ...]:
    """tanh used for its slope 1 − tanh²."""
    return (Swap("tanh-not-derivative", output_value,
                 f"You used tanh = {output} in place of its slope {label} = 1 − {output}²."),)


def power_swaps(label: str, base: str, base_value: float, power: int) -> tuple[Swap, ...]:
    """xⁿ for n·xⁿ⁻¹: the power not brought down, or not lowered."""
    slope = f"{power}·{_power(base, power - 1)}"
    return (
        Swap("power-not-differentiated", base_value**power,
             f"You used {_power(base, power)} itself in place of its slope {label} = {slope}."),
        Swap("power-not-reduced", power * base_value**power,
             f"The power rule lowers the power by one: {label} = {slope}, not {power}·{_power(base, power)}."),
    )


def input_swaps(label: str, dep: str, own: str, others: Sequence[tuple[str, str, float]]) -> tuple[Swap, ...]:
    """∂z/∂w = x, the input w multiplies: another weight's input used instead. ``others`` are
    (that weight, its input, the input's value) of the same node."""
    return tuple(Swap("other-input", value,
                      f"That uses {inp}, the input {weight} multiplies: {label} = {own}, the input {dep} multiplies.")
                 for weight, inp, value in others)


def _power(base: str, n: int) -> str:
    return base if n == 1 else base + str(n).translate(str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻"))


# --- updates -------------------------------------------------------------------------------


def update_candidates(old: float, lr: float, gradient: float, parameter: str,
                      others: Mapping[str, float] = {}) -> list[Candidate]:
    """The slips in ``new = old − α·g``, explained in the parameter's own names."""
    g = f"∂L/∂{parameter}"
    step = lr * gradient
    if gradient < 0:
        wrong_way = (f"The step went the wrong way: {g} is negative, so −α·{g} is positive and {parameter} "
                     f"goes up. Subtracting a negative gradient raises the weight.")
    else:
        wrong_way = f"You added α·{g}. Gradient descent subtracts it, {parameter} − α·{g}, to go downhill."
    out = [
        Candidate("update-wrong-way", old + step, wrong_way),
        Candidate("forgot-rate", old - gradient,
                  f"The learning rate is missing: multiply {g} by α before subtracting it."),
        Candidate("forgot-rate", old + gradient,
                  f"That adds the whole gradient: subtract it, scaled by the learning rate, {parameter} − α·{g}."),
        Candidate("step-only", -step, f"That is only the change −α·{g}: add it to the old {parameter}."),
        Candidate("step-only", step, f"That is α·{g}, the size of the step: the new value is {parameter} − α·{g}."),
    ]
    for other, value in others.items():
        out.append(Candidate("other-gradient", old - lr * value,
                             f"That uses ∂L/∂{other}. Each weight moves by its own gradient, {g}."))
    return out


# --- the formula's own terms and factors -----------------------------------------------------


def formula_candidates(expr: Any, values: Mapping[Any, float], show: Any) -> list[Candidate]:
    """Slips read off the answer's formula: a term dropped or with its sign flipped, a factor
    dropped or used twice, the ½ dropped or used twice. ``show`` writes a part in the lesson's
    notation; ``values`` maps each symbol to its float."""
    from backprop_cli.checking.floats import float_value

    def value(e: Any) -> float:
        v = float_value(e, values)
        return math.nan if v is None else v

    out: list[Candidate] = []
    coefficient, rest = expr.as_coeff_Mul()
    if abs(float(coefficient)) == 0.5:
        whole = float(coefficient) * value(rest)
        out.append(Candidate("half-missing", 2 * whole, "The ½ is missing.", FORMULA))
        out.append(Candidate("half-twice", whole / 2, "The ½ is used twice.", FORMULA))
    if expr.is_Add:  # (a SymPy sum always has two terms or more)
        total = value(expr)
        shown = show(expr)
        for term in expr.args:
            if term.is_number:
                continue
            t = value(term)
            negative = term.could_extract_minus_sign()
            part = show(-term if negative else term)
            turned = "subtracted, not added" if negative else "added, not subtracted"
            out.append(Candidate("sign-of-term", total - 2 * t, f"The answer is {shown}: {part} is {turned}.",
                                 FORMULA))
            out.append(Candidate("missing-term", total - t, f"The answer is {shown}: the term {part} is missing.",
                                 FORMULA))
    factors = [f for f in expr.args if not f.is_number] if expr.is_Mul else []
    if factors:  # (a single factor gives nothing: chain_candidates names a missing or doubled factor of two or more)
        links = [Link(show(f), value(f)) for f in factors]
        scale = value(expr) / math.prod(link.value for link in links) if all(link.value for link in links) else 1.0
        for c in chain_candidates(links, chain=False):
            if c.name in ("missing-factor", "factor-twice"):
                out.append(Candidate(c.name, c.value * scale, c.feedback, FORMULA))
    return out


def neighbour_candidates(previous: tuple[str, float] | None, forward: Mapping[str, float]) -> list[Candidate]:
    """The previous question's answer (``previous`` = what it asked, its value), and (for a
    gradient) each forward value."""
    out = []
    if previous is not None:
        asked, v = previous
        out.append(Candidate("previous-answer", v, f"That is the answer to the previous question, {asked}.", NEIGHBOUR))
    for label, v in forward.items():
        out.append(Candidate("forward-value", v, f"That is the value of {label} from the forward pass, not a gradient.",
                             NEIGHBOUR))
    return out
