"""What a review asks: quiz templates for the skills that are due, most overdue first."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from backprop_cli.tutor.scheduling import Due
from backprop_cli.tutor.skills import TEMPLATE_SKILLS


@dataclass(frozen=True)
class ReviewPlan:
    skills: tuple[str, ...]  # the skills reviewed, in order
    template_ids: tuple[str, ...]  # one question each, in order


def plan(due: Sequence[Due], count: int, seed: int) -> ReviewPlan:
    """Up to ``count`` templates: the due skills take turns (most overdue first); each turn picks, at
    random but reproducibly from ``seed``, a template exercising that skill, preferring one not yet
    picked."""
    rng = random.Random(f"backprop-review:{seed}")
    skills = [d.skill.id for d in due]
    pools = {skill: sorted(t for t, exercised in TEMPLATE_SKILLS.items() if skill in exercised) for skill in skills}
    skills = [s for s in skills if pools[s]]
    chosen: list[str] = []
    turn = 0
    while skills and len(chosen) < count and turn < count * max(1, len(skills)):
        skill = skills[turn % len(skills)]
        fresh = [t for t in pools[skill] if t not in chosen] or pools[skill]
        chosen.append(rng.choice(fresh))
        turn += 1
    return ReviewPlan(tuple(skills), tuple(chosen))
