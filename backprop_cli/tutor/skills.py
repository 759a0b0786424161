"""The skills (knowledge components) the course teaches, and mastery by Bayesian Knowledge Tracing.

Bayesian Knowledge Tracing (Corbett & Anderson, 1995) treats each skill as known or not known and
updates the probability that it is known after every first try at a question that exercises it:

- ``prior``  P(L0): known before any practice;
- ``learn``  P(T): learnt at one opportunity (a question and its explanation);
- ``slip``   P(S): a wrong first try although the skill is known;
- ``guess``  P(G): a right first try although it is not.

After a right first try P(L) becomes P(L)(1−S) / (P(L)(1−S) + (1−P(L))G); after a wrong one (a hint
or a skip first counts as wrong) P(L)S / (P(L)S + (1−P(L))(1−G)); then P(L) += (1−P(L))·T.

Defaults, and why: ``prior`` 0.1 (the course starts from "what is a derivative", so assume little);
``learn`` 0.2 (every question is followed by its worked explanation, a stronger opportunity than a
bare drill; Cognitive Tutor fits typically land between 0.05 and 0.3); ``slip`` 0.1 (arithmetic slips
happen to people who know the idea); ``guess`` 0.15 for a typed number or formula (rarely right by
chance, but a prompt that shows the formula, or a value carried from the previous step, can carry a
learner who lacks the skill) and 1/(number of options) for a choice. A skill counts as mastered at
P(L) ≥ 0.95, the threshold Cognitive Tutor and OATutor use: with these values, three right first
tries in a row from the start.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Skill:
    id: str
    title: str
    description: str


SKILLS: tuple[Skill, ...] = (
    Skill("power-rule", "Power rule", "d/dx xⁿ = n·xⁿ⁻¹"),
    Skill("sum-constant-rules", "Sum and constant rules", "differentiate term by term; constants factor out"),
    Skill("slope-at-point", "Slope at a point", "evaluate a derivative at a given input"),
    Skill("linear-approximation", "Linear approximation", "predict a small change: Δf ≈ f′·Δx"),
    Skill("partial-derivative", "Partial derivatives", "differentiate in one input, the others held fixed"),
    Skill("gradient-vector", "The gradient", "the vector of partial derivatives and its direction"),
    Skill("chain-rule", "Chain rule", "the derivative of a composition: outer′ × inner′"),
    Skill("forward-pass", "Forward pass", "compute a network's values and loss from its inputs"),
    Skill("squared-loss-derivative", "Squared-loss derivative", "∂L/∂ŷ = ŷ − y for L = ½(y − ŷ)²"),
    Skill("sigmoid-derivative", "Sigmoid derivative", "σ′(z) = σ(z)·(1 − σ(z))"),
    Skill("backprop-chain", "Chaining through a network", "a weight's gradient as a product of local derivatives"),
    Skill("update-rule", "Update rule", "w ← w − α·∂L/∂w"),
    Skill("learning-rate", "Choosing a learning rate", "too small crawls, too large overshoots and diverges"),
)
SKILL_IDS = tuple(skill.id for skill in SKILLS)
BY_ID = {skill.id: skill for skill in SKILLS}

#: The skills each quiz template exercises.
TEMPLATE_SKILLS: Mapping[str, tuple[str, ...]] = {
    "derivative-at-point": ("power-rule", "sum-constant-rules", "slope-at-point"),
    "linear-approximation": ("linear-approximation", "slope-at-point"),
    "partial-symbolic": ("partial-derivative", "power-rule"),
    "partial-at-point": ("partial-derivative", "slope-at-point"),
    "gradient-components": ("gradient-vector", "partial-derivative"),
    "gradient-approximation": ("gradient-vector", "linear-approximation"),
    "chain-power": ("chain-rule", "slope-at-point"),
    "chain-symbolic": ("chain-rule", "power-rule"),
    "loss-output-gradient": ("squared-loss-derivative",),
    "weight-gradient": ("backprop-chain", "squared-loss-derivative"),
    "loss-direction": ("squared-loss-derivative", "gradient-vector"),
    "sigmoid-derivative": ("sigmoid-derivative",),
    "sigmoid-w3-gradient": ("backprop-chain", "sigmoid-derivative"),
    "update": ("update-rule",),
    "new-loss": ("update-rule", "forward-pass"),
    "learning-rate": ("learning-rate",),
}


def unknown_skills(names: Iterable[str]) -> list[str]:
    return [name for name in names if name not in BY_ID]


# ---------------------------------------------------------------- Bayesian Knowledge Tracing


@dataclass(frozen=True)
class BKTParams:
    prior: float = 0.1
    learn: float = 0.2
    slip: float = 0.1
    guess: float = 0.15


DEFAULT = BKTParams()
MASTERED = 0.95


def guess_for(kind: str, options: int = 0) -> float:
    """P(G) for a question: 1/options for a choice, the default for a typed number or formula."""
    return 1.0 / options if kind == "choice" and options > 1 else DEFAULT.guess


def update(mastery: float, correct: bool, params: BKTParams = DEFAULT) -> float:
    """P(L) after one observed first try (Bayes on the observation, then the chance to learn)."""
    known, slip, guess = mastery, params.slip, params.guess
    if correct:
        posterior = known * (1 - slip) / (known * (1 - slip) + (1 - known) * guess)
    else:
        posterior = known * slip / (known * slip + (1 - known) * (1 - guess))
    return posterior + (1 - posterior) * params.learn


@dataclass(frozen=True)
class Observation:
    """One first try at a question exercising ``skill``: right or not, and its guess rate."""

    skill: str
    correct: bool
    guess: float = DEFAULT.guess


@dataclass(frozen=True)
class Mastery:
    skill: Skill
    mastery: float  # P(L) in [0, 1]
    opportunities: int

    @property
    def mastered(self) -> bool:
        return self.mastery >= MASTERED


def trace(observations: Sequence[Observation], params: BKTParams = DEFAULT) -> dict[str, Mastery]:
    """Every skill's mastery after ``observations`` (in the order they happened)."""
    state = {skill.id: params.prior for skill in SKILLS}
    counts = dict.fromkeys(SKILL_IDS, 0)
    for obs in observations:
        if obs.skill not in state:
            continue  # a skill a newer backprop knows: kept in the file, not traced here
        state[obs.skill] = update(state[obs.skill], obs.correct,
                                  BKTParams(params.prior, params.learn, params.slip, obs.guess))
        counts[obs.skill] += 1
    return {skill.id: Mastery(skill, state[skill.id], counts[skill.id]) for skill in SKILLS}
