"""The learner's record: what the progress file holds, validated by pydantic, and how two copies merge.

Format 2 keeps every attempt at a lesson. A finished lesson opened again gets a new attempt beside
the finished one, so a lesson once done stays done. Lessons are keyed by identity: a shipped lesson
by its id, a lesson from a file by ``id@path``, so a teacher's copy of ``simple-net`` never shares a
record with the shipped one. Questions are keyed by their id in the lesson file, so a lesson edited
between two sessions (a question inserted, moved or removed) resumes at the right question.

Merging is monotonic: what a learner did is only ever added to (tries, hints, a right answer, a
finished attempt). Two sessions that save into one file (a lesson in one terminal, a quiz in the
other) therefore never drop each other's work; see ``store.Store.update``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 2
SHIPPED = "shipped"  # the source of a lesson that comes with backprop
ATTEMPT_STATUSES = ("in-progress", "done", "stopped")
STATUSES = ("not-started", "in-progress", "done")
OUTCOMES = ("correct", "hinted", "wrong", "skipped")
Outcome = Literal["correct", "hinted", "wrong", "skipped"]


def now() -> str:
    """The timestamp format of the file: local time with its offset, to the second."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def new_id() -> str:
    return uuid.uuid4().hex[:12]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False, strict=True)


#: Diagnosed mistakes kept per question (the first ones: what a learner tried first matters most).
MAX_MISTAKES = 10


class Diagnosed(_Model):
    """A wrong answer the checker recognised: the mistake's name and the feedback the learner got."""

    name: str = Field(max_length=200)
    feedback: str = Field(default="", max_length=2000)


class QuestionRecord(_Model):
    """One question in one attempt."""

    attempts: int = Field(default=0, ge=0)  # answers checked (unreadable input does not count)
    hints: int = Field(default=0, ge=0)  # hints shown
    skipped: bool = False
    correct: bool = False
    closed: bool = False  # the learner has moved past it: answered right, or skipped
    answer: str | None = None  # the last answer typed (for follow-through on resume)
    first: Outcome | None = None  # the first try: right, right after a hint, wrong, or skipped
    mistakes: list[Diagnosed] = Field(default_factory=list)  # recognised wrong answers, once each

    @property
    def asked(self) -> bool:
        """Shown and acted on; a question merely shown does not count."""
        return bool(self.attempts or self.hints or self.skipped or self.correct)

    def merge(self, other: QuestionRecord) -> QuestionRecord:
        """Both records' work: counts are maxima, facts once true stay true; ``other``'s answer wins."""
        return QuestionRecord(
            attempts=max(self.attempts, other.attempts),
            hints=max(self.hints, other.hints),
            skipped=(self.skipped or other.skipped) and not (self.correct or other.correct),
            correct=self.correct or other.correct,
            closed=self.closed or other.closed,
            answer=other.answer if other.answer is not None else self.answer,
            first=self.first or other.first,
            mistakes=_union(self.mistakes, other.mistakes),
        )

    def diagnosed(self, name: str, feedback: str) -> None:
        """Note a recognised mistake (once per name, the first ``MAX_MISTAKES``)."""
        self.mistakes = _union(self.mistakes, [Diagnosed(name=name[:200], feedback=feedback[:2000])])


class Attempt(_Model):
    """One run through a lesson, from its first question to its end (or to where the learner left)."""

    id: str = Field(default_factory=new_id, min_length=1, max_length=64)
    started: str | None = None
    updated: str | None = None
    status: Literal["in-progress", "done", "stopped"] = "in-progress"
    at: str | None = None  # the id of the question the learner is at (None at the start or the end)
    questions: dict[str, QuestionRecord] = Field(default_factory=dict)
    seed: int | None = None  # the lesson's fresh numbers (its ``vary``), None for the file's own numbers

    @property
    def asked(self) -> int:
        return sum(q.asked for q in self.questions.values())

    @property
    def active(self) -> bool:
        """Anything worth keeping: a question acted on, or the lesson read to its end."""
        return self.status == "done" or any(q.asked or q.closed for q in self.questions.values())

    def question(self, question_id: str) -> QuestionRecord:
        return self.questions.setdefault(question_id, QuestionRecord())

    def merge(self, other: Attempt) -> Attempt:
        """The same attempt saved by two sessions: everything both did; a finished one stays finished."""
        questions = dict(self.questions)
        for qid, record in other.questions.items():
            questions[qid] = questions[qid].merge(record) if qid in questions else record
        status = max(self.status, other.status, key=("stopped", "in-progress", "done").index)
        return Attempt(id=self.id, started=_earliest(self.started, other.started),
                       updated=_latest(self.updated, other.updated), status=status,
                       at=None if status == "done" else other.at, questions=questions,
                       seed=self.seed if self.seed is not None else other.seed)


class LessonRecord(_Model):
    """Every attempt at one lesson, oldest first."""

    id: str = Field(min_length=1, max_length=200)
    source: str = SHIPPED  # "shipped", or the lesson file's absolute path
    title: str | None = None
    attempts: list[Attempt] = Field(default_factory=list)

    @property
    def status(self) -> str:
        """``done`` once any attempt finished (reopening never undoes it); ``in-progress`` while one is
        under way with something done; otherwise ``not-started``."""
        if any(a.status == "done" for a in self.attempts):
            return "done"
        if any(a.status == "in-progress" and a.active for a in self.attempts):
            return "in-progress"
        return "not-started"

    @property
    def current(self) -> Attempt | None:
        """The attempt a session resumes: the newest one still in progress."""
        return next((a for a in reversed(self.attempts) if a.status == "in-progress"), None)

    @property
    def shown(self) -> Attempt | None:
        """The attempt a summary describes: the one under way, else the newest finished one."""
        current = self.current
        if current is not None and current.active:
            return current
        return next((a for a in reversed(self.attempts) if a.status == "done"), current)

    @property
    def finished(self) -> int:
        return sum(a.status == "done" for a in self.attempts)

    @property
    def updated(self) -> str | None:
        stamps = [a.updated for a in self.attempts if a.updated]
        return max(stamps) if stamps else None

    def put(self, attempt: Attempt) -> None:
        """Add an attempt or merge it into the saved one with its id. A newer attempt under way ends
        the older unfinished ones (``learn --restart``): they are kept, marked stopped."""
        for i, saved in enumerate(self.attempts):
            if saved.id == attempt.id:
                self.attempts[i] = saved.merge(attempt)
                break
        else:
            if not attempt.active:
                return  # opened and left at once: nothing to keep
            for saved in self.attempts:
                if saved.status == "in-progress":
                    saved.status = "stopped"
            self.attempts.append(attempt)


class QuizItem(_Model):
    topic: str
    template: str
    outcome: Outcome
    hints: int = Field(default=0, ge=0)  # hints used on it, whatever the outcome


class QuizResult(_Model):
    id: str = Field(default_factory=new_id, min_length=1, max_length=64)
    seed: int
    topics: list[str]
    items: list[QuizItem] = Field(default_factory=list)
    when: str | None = None  # ISO time; None when input was piped, so transcripts are reproducible
    finished: bool = False  # every question asked (False: stopped part-way, or still under way)
    kind: Literal["quiz", "review"] = "quiz"  # a review draws its questions from the skills due

    def _count(self, outcome: str) -> int:
        return sum(1 for item in self.items if item.outcome == outcome)

    @property
    def correct(self) -> int:
        return self._count("correct")

    @property
    def hinted(self) -> int:
        """Correct after a hint."""
        return self._count("hinted")

    @property
    def wrong(self) -> int:
        return self._count("wrong")

    @property
    def skipped(self) -> int:
        return self._count("skipped")

    @property
    def with_hints(self) -> int:
        """Items on which a hint was used, whether or not they were then answered right."""
        return sum(1 for item in self.items if item.hints or item.outcome == "hinted")

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def score(self) -> int:
        """Correct answers, with or without a hint (each counts 1)."""
        return self.correct + self.hinted

    @property
    def percent(self) -> float | None:
        return 100.0 * self.score / self.total if self.total else None

    def merge(self, other: QuizResult) -> QuizResult:
        """The same quiz saved twice: the longer list of items is the later one."""
        later = other if len(other.items) >= len(self.items) else self
        return later.model_copy(update={"finished": self.finished or other.finished})


class Observation(_Model):
    """A first try at a question that exercises a skill: what the learner model learns from. The
    skills' mastery (Bayesian Knowledge Tracing) and review schedule (FSRS) are computed from these,
    so two sessions' observations merge by simple union and nothing is double-counted."""

    id: str = Field(default_factory=new_id, min_length=1, max_length=64)
    skill: str = Field(min_length=1, max_length=80)
    outcome: Outcome
    at: str | None = None  # ISO time
    guess: float = Field(default=0.15, ge=0, le=1)  # P(G) of the question (1/options for a choice)
    source: str = Field(default="", max_length=300)  # "lesson KEY QUESTION" or "quiz TEMPLATE" or "review TEMPLATE"

    @property
    def correct(self) -> bool:
        return self.outcome == "correct"


class Progress(_Model):
    version: int = SCHEMA_VERSION
    last_lesson: str | None = None  # a lesson key
    lessons: dict[str, LessonRecord] = Field(default_factory=dict)  # by lesson key
    quizzes: list[QuizResult] = Field(default_factory=list)
    observations: list[Observation] = Field(default_factory=list)  # in the order they happened

    def put_observations(self, observations: Iterable[Observation]) -> None:
        known = {o.id for o in self.observations}
        for observation in observations:
            if observation.id not in known:
                self.observations.append(observation)
                known.add(observation.id)

    def put_attempt(self, key: str, lesson_id: str, source: str, title: str | None, attempt: Attempt) -> None:
        record = self.lessons.get(key)
        if record is None:
            if not attempt.active:
                return
            record = self.lessons[key] = LessonRecord(id=lesson_id, source=source, title=title)
        if title:
            record.title = title
        record.put(attempt)

    def put_quiz(self, quiz: QuizResult) -> None:
        for i, saved in enumerate(self.quizzes):
            if saved.id == quiz.id:
                self.quizzes[i] = saved.merge(quiz)
                return
        if quiz.items:
            self.quizzes.append(quiz)


def _union(a: list[Diagnosed], b: list[Diagnosed]) -> list[Diagnosed]:
    names = {d.name for d in a}
    return (list(a) + [d for d in b if d.name not in names])[:MAX_MISTAKES]


def lesson_key(lesson_id: str, source: str) -> str:
    """How the file names a lesson: its id when shipped, ``id@path`` when it comes from a file."""
    return lesson_id if source == SHIPPED else f"{lesson_id}@{source}"


def _earliest(a: str | None, b: str | None) -> str | None:
    return min(x for x in (a, b) if x) if (a or b) else None


def _latest(a: str | None, b: str | None) -> str | None:
    return max(x for x in (a, b) if x) if (a or b) else None


# ---------------------------------------------------------------- format 1 (the first release)


def from_version_1(data: dict[str, Any]) -> dict[str, Any]:
    """A format-1 document as a format-2 one: each lesson's record becomes its one attempt; questions
    answered right or skipped count as passed; quizzes keep their items. Unknown shapes are left for
    the model to report."""
    out: dict[str, Any] = {key: value for key, value in data.items() if key not in ("lessons", "quizzes")}
    out["version"] = SCHEMA_VERSION
    lessons = data.get("lessons", {})
    if isinstance(lessons, dict):
        converted = {}
        for lesson_id, old in lessons.items():
            if not isinstance(old, dict):
                converted[lesson_id] = old
                continue
            questions = {}
            for qid, q in (old.get("questions") or {}).items():
                if isinstance(q, dict):
                    q = {**q, "closed": bool(q.get("correct") or q.get("skipped"))}
                questions[qid] = q
            status = old.get("status", "not-started")
            attempts = []
            if status != "not-started" or questions:
                attempts.append({"id": "format-1", "updated": old.get("updated"), "questions": questions,
                                 # an unknown status is passed on as it is, for the model to report
                                 "status": {"done": "done", "in-progress": "in-progress",
                                            "not-started": "in-progress"}.get(status, status)})
            converted[lesson_id] = {"id": lesson_id, "source": SHIPPED, "attempts": attempts}
        out["lessons"] = converted
    else:
        out["lessons"] = lessons
    quizzes = data.get("quizzes", [])
    if isinstance(quizzes, list):
        out["quizzes"] = [{**q, "id": f"format-1-{i}", "finished": True} if isinstance(q, dict) else q
                          for i, q in enumerate(quizzes)]
    else:
        out["quizzes"] = quizzes
    return out


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def describe(errors: Iterable[Any]) -> str:
    """The first validation error as ``lessons.x.attempts[0].status: <message>``."""
    for error in errors:
        where = ""
        for part in error.get("loc", ()):
            where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
        kind = str(error.get("type", ""))
        message = {"missing": "missing", "extra_forbidden": "unknown key"}.get(kind) or _lower(error.get("msg", ""))
        return f"{where or 'the document'}: {message or 'invalid'}"
    return "invalid"
