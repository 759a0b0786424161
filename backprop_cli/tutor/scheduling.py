"""When each skill is due for review: FSRS (the ``fsrs`` package, as in Anki) over the learner's
first tries. Each first try at a question that exercises a skill is a review of that skill: right
on the first try is *Good*, right after a hint is *Hard*, wrong or skipped is *Again*. Replaying the
observations in time order gives each skill's card; fuzzing is off, so the same record always gives
the same schedule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from backprop_cli.tutor.skills import BY_ID, SKILL_IDS, Skill


@dataclass(frozen=True)
class Review:
    """One first try, as FSRS sees it."""

    skill: str
    at: datetime
    outcome: str  # correct, hinted, wrong, skipped


@dataclass(frozen=True)
class Due:
    skill: Skill
    due: datetime | None  # None: never practised
    reviews: int
    stability: float | None

    def is_due(self, now: datetime) -> bool:
        return self.due is not None and self.due <= now


def _rating(outcome: str):
    from fsrs import Rating

    return {"correct": Rating.Good, "hinted": Rating.Hard}.get(outcome, Rating.Again)


def schedule(reviews: Iterable[Review]) -> dict[str, Due]:
    """Every skill's next due time after ``reviews`` (any order; replayed by time)."""
    from fsrs import Card, Scheduler

    scheduler = Scheduler(enable_fuzzing=False)
    cards: dict[str, Card] = {}
    counts = dict.fromkeys(SKILL_IDS, 0)
    for review in sorted(reviews, key=lambda r: r.at):
        if review.skill not in BY_ID:
            continue
        card = cards.get(review.skill) or Card(card_id=SKILL_IDS.index(review.skill) + 1, due=review.at)
        cards[review.skill], _ = scheduler.review_card(card, _rating(review.outcome), review_datetime=review.at)
        counts[review.skill] += 1
    out = {}
    for skill_id in SKILL_IDS:
        final = cards.get(skill_id)
        out[skill_id] = Due(BY_ID[skill_id], final.due if final else None, counts[skill_id],
                            final.stability if final else None)
    return out


def due_now(schedule_: dict[str, Due], now: datetime | None = None) -> list[Due]:
    """The skills due at ``now``, most overdue first."""
    now = now or datetime.now(timezone.utc)
    due = [d for d in schedule_.values() if d.is_due(now)]
    return sorted(due, key=lambda d: (when(d), d.skill.id))


def next_due(schedule_: dict[str, Due], now: datetime | None = None) -> Due | None:
    now = now or datetime.now(timezone.utc)
    later = [d for d in schedule_.values() if d.due is not None and d.due > now]
    return min(later, key=when, default=None)


def when(due: Due) -> datetime:
    """A practised skill's due time (for sorting; never called for a skill never practised)."""
    assert due.due is not None
    return due.due


def parse_time(stamp: str | None) -> datetime | None:
    """An ISO time from the progress file (with its offset), or None."""
    if not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def reviews_from(observations: Sequence) -> list[Review]:
    """The record's observations (``progress.Observation``) that carry a time, as reviews."""
    out = []
    for obs in observations:
        at = parse_time(obs.at)
        if at is not None:
            out.append(Review(obs.skill, at, obs.outcome))
    return out
