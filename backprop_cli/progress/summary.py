"""What ``backprop progress`` shows, as plain frozen data, and the quiz scores it is built from.

No Rich, no Typer here: ``render/progress_tables.py`` draws these.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from fractions import Fraction
from pathlib import Path
from typing import Any

from backprop_cli.errors import UsageError
from backprop_cli.progress.record import SCHEMA_VERSION, SHIPPED, Attempt, LessonRecord, Progress, QuizItem

#: A topic needs this many quiz items before it can be called weak.
MIN_TOPIC_ATTEMPTS = 2


def percent(score: int, total: int) -> int:
    """A whole percentage, halves rounded up (2/3 → 67, 1/8 → 13): the quiz's closing table and
    ``backprop progress`` show the same figure for the same result."""
    if total == 0:
        return 0
    return int(Fraction(100 * score, total) + Fraction(1, 2))


# ---------------------------------------------------------------- quiz scores


@dataclass(frozen=True)
class TopicScore:
    """Quiz items of one topic: ``correct`` counts answers right with or without a hint;
    ``hinted`` how many of those needed a hint; ``wrong`` and ``skipped`` the rest."""

    topic: str
    correct: int
    total: int
    hinted: int = 0
    wrong: int = 0
    skipped: int = 0

    @property
    def ratio(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def percent(self) -> float:
        return 100.0 * self.ratio


def tally(items: Iterable[QuizItem], order: Sequence[str] = ()) -> list[TopicScore]:
    """Per topic: topics named in ``order`` first, in that order, then the others by name.
    The one count of quiz outcomes (the quiz's closing table and ``progress`` both use it)."""
    counts: dict[str, dict[str, int]] = {}
    for item in items:
        c = counts.setdefault(item.topic, dict.fromkeys(("correct", "hinted", "wrong", "skipped"), 0))
        c[item.outcome] += 1
    topics = [t for t in order if t in counts] + sorted(t for t in counts if t not in order)
    return [TopicScore(t, counts[t]["correct"] + counts[t]["hinted"], sum(counts[t].values()),
                       counts[t]["hinted"], counts[t]["wrong"], counts[t]["skipped"]) for t in topics]


def _all_items(progress: Progress) -> list[QuizItem]:
    return [item for quiz in progress.quizzes for item in quiz.items]


def topic_scores(progress: Progress) -> list[TopicScore]:
    """Every quizzed topic, weakest first: lowest correct ratio, then most hints, then most items."""
    return sorted(tally(_all_items(progress)), key=lambda s: (s.ratio, -s.hinted / s.total, -s.total, s.topic))


def weakest_topics(progress: Progress, limit: int = 3) -> list[TopicScore]:
    """Topics worth reviewing: at least ``MIN_TOPIC_ATTEMPTS`` items and not all right unaided."""
    weak = [s for s in topic_scores(progress)
            if s.total >= MIN_TOPIC_ATTEMPTS and (s.correct < s.total or s.hinted)]
    return weak[:limit]


def template_misses(progress: Progress) -> dict[tuple[str, str], int]:
    """(topic, template) → how often it was answered wrong or skipped; only templates ever missed."""
    misses: dict[tuple[str, str], int] = {}
    for item in _all_items(progress):
        if item.outcome in ("wrong", "skipped"):
            key = (item.topic, item.template)
            misses[key] = misses.get(key, 0) + 1
    return misses


# ---------------------------------------------------------------- the summary `backprop progress` shows


@dataclass(frozen=True)
class LessonSummary:
    id: str
    title: str | None
    number: int | None
    status: str  # not-started, in-progress or done (done stays done when the lesson is reopened)
    asked: int  # in the attempt shown: the one under way, else the newest finished one
    correct: int
    hints: int
    skipped: int
    questions: int | None  # how many the lesson has, when the course catalogue is known
    updated: str | None
    key: str  # how the progress file names it: the id, or id@path for a lesson from a file
    source: str
    finished: int  # finished attempts
    again: bool  # done before, and under way again now
    at_question: int | None  # 1-based: the question a session resumes at
    at_prompt: str | None  # that question's prompt, shortened


@dataclass(frozen=True)
class QuizSummary:
    when: str | None
    seed: int
    topics: tuple[str, ...]
    score: int
    total: int
    correct: int
    hinted: int
    wrong: int
    skipped: int
    percent: float | None
    with_hints: int  # items on which a hint was used, right or not
    finished: bool


@dataclass(frozen=True)
class SkillSummary:
    """One skill of the learner model: mastery by Bayesian Knowledge Tracing, next review by FSRS."""

    id: str
    title: str
    mastery: float  # P(known) in [0, 1]
    opportunities: int  # first tries observed
    mastered: bool
    due: str | None  # ISO time of the next review; None when never practised
    due_now: bool = False


def skill_summaries(progress: Progress, now: datetime | None = None) -> tuple[SkillSummary, ...]:
    """Every skill, in course order (the learner model; see ``tutor/skills.py`` and ``tutor/scheduling.py``)."""
    from backprop_cli.tutor.scheduling import reviews_from, schedule
    from backprop_cli.tutor.skills import Observation as Seen
    from backprop_cli.tutor.skills import trace

    now = now or datetime.now(timezone.utc)
    mastery = trace([Seen(o.skill, o.correct, o.guess) for o in progress.observations])
    due = schedule(reviews_from(progress.observations)) if progress.observations else {}
    out = []
    for skill_id, m in mastery.items():
        when = due[skill_id].due if skill_id in due else None
        out.append(SkillSummary(skill_id, m.skill.title, m.mastery, m.opportunities, m.mastered,
                                when.isoformat(timespec="seconds") if when else None,
                                when is not None and when <= now))
    return tuple(out)


@dataclass(frozen=True)
class Summary:
    path: str
    last_lesson: str | None
    lessons: tuple[LessonSummary, ...]
    quizzes: tuple[QuizSummary, ...]
    weakest: tuple[TopicScore, ...]
    warnings: tuple[str, ...] = ()
    skills: tuple[SkillSummary, ...] = ()

    @property
    def last(self) -> LessonSummary | None:
        return next((lesson for lesson in self.lessons if self.last_lesson in (lesson.key, lesson.id)), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "version": SCHEMA_VERSION,
            "last_lesson": self.last_lesson,
            "lessons": [asdict(lesson) for lesson in self.lessons],
            "quizzes": [{**asdict(q), "topics": list(q.topics)} for q in self.quizzes],
            "weakest_topics": [{**asdict(t), "percent": t.percent} for t in self.weakest],
            "skills": {s.id: {k: v for k, v in asdict(s).items() if k != "id"} for s in self.skills},
            "warnings": list(self.warnings),
        }


def resume_question(attempt: Attempt | None, question_ids: Sequence[str]) -> int | None:
    """Where an attempt resumes, as an index into ``question_ids`` (the lesson as it is now): the first
    question the learner has not moved past. A question inserted since is asked; an answered one is
    not asked again. None when nothing is left (or nothing was started)."""
    if attempt is None or attempt.status != "in-progress":
        return None
    for i, qid in enumerate(question_ids):
        record = attempt.questions.get(qid)
        if record is None or not record.closed:
            return i
    return None


def _lesson_summary(key: str, record: LessonRecord | None, info: Any = None) -> LessonSummary:
    shown = record.shown if record else None
    questions = list(shown.questions.values()) if shown else []
    asked = [q for q in questions if q.asked]
    status = record.status if record else "not-started"
    current = record.current if record else None
    at_question = at_prompt = None
    catalogue = tuple(getattr(info, "questions", ()) or ())
    if current is not None and current.active:
        index = resume_question(current, [qid for qid, _ in catalogue]) if catalogue else None
        if index is not None:
            at_question, at_prompt = index + 1, catalogue[index][1]
    return LessonSummary(
        id=record.id if record else getattr(info, "id", key),
        title=getattr(info, "title", None) or (record.title if record else None),
        number=getattr(info, "number", None),
        status=status,
        asked=len(asked),
        correct=sum(q.correct for q in asked),
        hints=sum(q.hints for q in asked),
        skipped=sum(q.skipped for q in asked),
        questions=getattr(info, "question_count", None),
        updated=record.updated if record else None,
        key=key,
        source=record.source if record else getattr(info, "source", SHIPPED),
        finished=record.finished if record else 0,
        again=status == "done" and current is not None and current.active,
        at_question=at_question,
        at_prompt=at_prompt,
    )


def summarize(progress: Progress, catalog: Iterable[Any] | None = None, *, path: Path | str = "",
              warnings: Iterable[str] = (), extra: Iterable[Any] = ()) -> Summary:
    """Every lesson (the catalogue's, in order, then any others the file knows), quizzes, weak topics.

    ``catalog`` items need ``.id`` and may have ``.key``, ``.title``, ``.number``, ``.question_count``
    and ``.questions`` (pairs of question id and short prompt, in order). ``extra`` describes lessons
    from files the file knows of (matched by key), for their questions.
    """
    known = list(catalog or ())
    keys = [getattr(info, "key", info.id) for info in known]
    lessons = [_lesson_summary(key, progress.lessons.get(key), info) for key, info in zip(keys, known)]
    others = {getattr(info, "key", info.id): info for info in extra}
    lessons += [_lesson_summary(key, record, others.get(key)) for key, record in progress.lessons.items()
                if key not in keys]
    quizzes = tuple(
        QuizSummary(when=q.when, seed=q.seed, topics=tuple(q.topics), score=q.score, total=q.total,
                    correct=q.correct, hinted=q.hinted, wrong=q.wrong, skipped=q.skipped, percent=q.percent,
                    with_hints=q.with_hints, finished=q.finished)
        for q in progress.quizzes
    )
    return Summary(path=str(path), last_lesson=progress.last_lesson, lessons=tuple(lessons), quizzes=quizzes,
                   weakest=tuple(weakest_topics(progress)), warnings=tuple(warnings),
                   skills=skill_summaries(progress))


def resolve_lesson(name: str, progress: Progress, catalog: Iterable[Any] | None = None) -> str:
    """A lesson key from what the learner typed: a shipped lesson's id or number, a key the progress
    file knows (``id@path``), or the id of a lesson from a file when only one such lesson has it."""
    known = list(catalog or ())
    for info in known:
        if name == info.id or name == str(getattr(info, "number", None)):
            return getattr(info, "key", info.id)
    if name in progress.lessons:
        return name
    matches = [key for key, record in progress.lessons.items() if record.id == name
               or (record.source != SHIPPED and Path(record.source) == _absolute(name))]
    if len(matches) == 1:
        return matches[0]
    if matches:  # more than one
        raise UsageError(f"several lessons have the id '{name}': {', '.join(matches)}; name one of these")
    ids = [info.id for info in known] + [key for key in progress.lessons if key not in {i.id for i in known}]
    listing = f"known lessons: {', '.join(ids)}" if ids else "no lesson has any progress yet"
    raise UsageError(f"unknown lesson '{name}'; {listing}")


def _absolute(name: str) -> Path:
    try:
        return Path(name).expanduser().resolve()
    except (OSError, RuntimeError, ValueError):
        return Path(name)
