"""A learner's record for a teacher: ``backprop progress export`` writes it, ``backprop report`` reads
many. The document is versioned and self-describing (``format``), so a foreign or damaged file is
recognised and skipped with one line instead of being half-read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backprop_cli.progress.record import Diagnosed, Outcome, Progress, now

FORMAT: Literal["backprop-learner-record"] = "backprop-learner-record"
VERSION: Literal[1] = 1
MAX_EXPORT_BYTES = 16 * 1024 * 1024


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class QuestionResult(_Doc):
    id: str
    number: int | None = None  # its place in the lesson, from 1, when the lesson is known
    prompt: str | None = None
    first: Outcome | None = None  # the first try in the learner's first attempt
    attempts: int = Field(default=0, ge=0)
    hints: int = Field(default=0, ge=0)
    correct: bool = False
    skipped: bool = False
    mistakes: list[Diagnosed] = Field(default_factory=list)


class LessonResult(_Doc):
    key: str
    id: str
    title: str | None = None
    status: Literal["not-started", "in-progress", "done"]
    finished_attempts: int = Field(default=0, ge=0)
    questions: list[QuestionResult] = Field(default_factory=list)


class QuizSummaryDoc(_Doc):
    when: str | None = None
    seed: int
    topics: list[str]
    score: int
    total: int
    finished: bool


class LearnerRecord(_Doc):
    format: Literal["backprop-learner-record"]
    version: Literal[1]
    name: str = Field(min_length=1, max_length=200)
    exported: str
    lessons: list[LessonResult] = Field(default_factory=list)
    quizzes: list[QuizSummaryDoc] = Field(default_factory=list)
    skills: dict[str, float] = Field(default_factory=dict)  # skill → mastery in [0, 1], where recorded


def build(progress: Progress, name: str, catalog: Iterable[Any] = ()) -> LearnerRecord:
    """The export of one learner's record. Questions are those of the learner's first attempt at each
    lesson (first tries are what a class report compares), in the lesson's order when it is known."""
    known = {getattr(info, "key", info.id): info for info in catalog}
    lessons = []
    for key, record in progress.lessons.items():
        info = known.get(key)
        order = [qid for qid, _ in getattr(info, "questions", ())]
        prompts = dict(getattr(info, "questions", ()))
        first_attempt = next((a for a in record.attempts if a.active), None)
        questions = []
        if first_attempt is not None:
            ids = [qid for qid in order if qid in first_attempt.questions]
            ids += [qid for qid in first_attempt.questions if qid not in ids]
            for qid in ids:
                q = first_attempt.questions[qid]
                if not (q.asked or q.closed):
                    continue
                questions.append(QuestionResult(
                    id=qid, number=order.index(qid) + 1 if qid in order else None, prompt=prompts.get(qid),
                    first=q.first, attempts=q.attempts, hints=q.hints, correct=q.correct, skipped=q.skipped,
                    mistakes=list(q.mistakes)))
        status = record.status
        lessons.append(LessonResult(key=key, id=record.id, title=getattr(info, "title", None) or record.title,
                                    status=status,  # type: ignore[arg-type]
                                    finished_attempts=record.finished, questions=questions))
    quizzes = [QuizSummaryDoc(when=q.when, seed=q.seed, topics=list(q.topics), score=q.score, total=q.total,
                              finished=q.finished) for q in progress.quizzes]
    from backprop_cli.progress.summary import skill_summaries

    skills = {s.id: round(s.mastery, 6) for s in skill_summaries(progress) if s.opportunities}
    return LearnerRecord(format=FORMAT, version=VERSION, name=name, exported=now(), lessons=lessons,
                         quizzes=quizzes, skills=skills)


def dumps(record: LearnerRecord) -> str:
    return json.dumps(record.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def read(path: Path) -> LearnerRecord:
    """One export, or ``ValueError`` saying in a few words why it is not one."""
    from pydantic import ValidationError

    from backprop_cli.progress.record import describe

    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_EXPORT_BYTES + 1)  # pragma: no mutate - one byte past the limit is enough to see a file is over it; reading a byte or two more changes nothing
    except OSError as exc:
        raise ValueError(f"cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_EXPORT_BYTES:
        raise ValueError(f"is larger than {MAX_EXPORT_BYTES // (1024 * 1024)} MB")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ValueError("is not JSON") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("is not a backprop learner record (no \"format\": \"backprop-learner-record\")")
    if data.get("version") != VERSION:
        raise ValueError(f"is a learner record of version {data.get('version')!r}; this backprop reads "
                         f"version {VERSION}")
    try:
        return LearnerRecord.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"has an unexpected shape ({describe(exc.errors())})") from None


def read_many(paths: Sequence[Path]) -> tuple[list[tuple[Path, LearnerRecord]], list[str]]:
    """The exports that could be read, and one problem line for each file that could not."""
    records, problems = [], []
    for path in paths:
        try:
            records.append((path, read(path)))
        except ValueError as exc:
            problems.append(f"{path} {exc}; skipped")
    return records, problems
