"""The learner's progress: one versioned JSON file that no crash, bad edit or newer release can destroy.

The dataclasses below are the store's *working state*: lessons and the quiz update them as the
learner goes and call ``Store.save``. ``Store.save`` writes atomically (temp file in the same folder,
fsync, ``os.replace``), so a kill mid-write leaves the previous file whole. ``Store.load`` validates
the file strictly; a file it cannot use (bad JSON, wrong shape, a newer format, unreadable) is renamed
aside, never deleted, and the learner starts fresh with a warning instead of a traceback.

No Rich, no Typer here: the summary is plain frozen data that ``render/progress.py`` draws.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

from backprop_cli.errors import UsageError

SCHEMA_VERSION = 1
FILE_NAME = "progress.json"
HOME_ENV = "BACKPROP_HOME"
STATUSES = ("not-started", "in-progress", "done")
OUTCOMES = ("correct", "hinted", "wrong", "skipped")
#: A topic needs this many quiz items before it can be called weak.
MIN_TOPIC_ATTEMPTS = 2


def now() -> str:
    """The timestamp format of the file: local time with its offset, to the second."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


# ---------------------------------------------------------------- working state (mutable)


@dataclass
class QuestionProgress:
    attempts: int = 0
    hints: int = 0
    skipped: bool = False
    correct: bool = False
    answer: str | None = None  # the learner's last accepted (or last) answer text, for follow-through

    @property
    def asked(self) -> bool:
        """Shown and acted on; a question merely created by ``lesson().questions`` does not count."""
        return bool(self.attempts or self.hints or self.skipped or self.correct)


@dataclass
class LessonProgress:
    status: str = "not-started"  # one of STATUSES
    step: int = 0  # index of the next step to show
    questions: dict[str, QuestionProgress] = field(default_factory=dict)  # by question id
    updated: str | None = None

    def question(self, question_id: str) -> QuestionProgress:
        """Get or create the record of one question."""
        return self.questions.setdefault(question_id, QuestionProgress())


@dataclass
class QuizItem:
    topic: str
    template: str
    outcome: str  # one of OUTCOMES


@dataclass
class QuizResult:
    seed: int
    topics: list[str]
    items: list[QuizItem]
    when: str | None = None  # ISO time; None when input was piped, so transcripts are reproducible

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
    def total(self) -> int:
        return len(self.items)

    @property
    def score(self) -> int:
        """Correct answers, with or without a hint (each counts 1)."""
        return self.correct + self.hinted

    @property
    def percent(self) -> float | None:
        return 100.0 * self.score / self.total if self.total else None


@dataclass
class Progress:
    version: int = SCHEMA_VERSION
    last_lesson: str | None = None
    lessons: dict[str, LessonProgress] = field(default_factory=dict)
    quizzes: list[QuizResult] = field(default_factory=list)

    def lesson(self, lesson_id: str) -> LessonProgress:
        """Get or create a lesson's record."""
        return self.lessons.setdefault(lesson_id, LessonProgress())


# ---------------------------------------------------------------- JSON, validated by hand


def to_json(progress: Progress) -> dict[str, Any]:
    """The file's document (also what ``progress --json`` builds on)."""
    return asdict(progress)


def dumps(progress: Progress) -> str:
    """Human-readable: indent 2, real Unicode (σ, ŷ in answers), a final newline."""
    return json.dumps(to_json(progress), indent=2, ensure_ascii=False) + "\n"


class _Shape(Exception):
    """Where the document differs from the schema: ``lessons.simple-net.step: expected ...``."""


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _object(value: Any, where: str, required: Iterable[str], optional: Iterable[str]) -> dict:
    if not isinstance(value, dict):
        raise _Shape(f"{where}: expected an object, got {_show(value)}")
    required, optional = tuple(required), tuple(optional)
    for key in value:
        if key not in required and key not in optional:
            raise _Shape(f"{_join(where, key)}: unknown key")
    for key in required:
        if key not in value:
            raise _Shape(f"{_join(where, key)}: missing")
    return value


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _int(value: Any, where: str, minimum: int | None = 0) -> int:
    if type(value) is not int or (minimum is not None and value < minimum):  # bool is not an int here
        bound = "" if minimum is None else f" ≥ {minimum}"
        raise _Shape(f"{where}: expected an integer{bound}, got {_show(value)}")
    return value


def _bool(value: Any, where: str) -> bool:
    if type(value) is not bool:
        raise _Shape(f"{where}: expected true or false, got {_show(value)}")
    return value


def _str(value: Any, where: str, *, optional: bool = False, choices: tuple[str, ...] = ()) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or (choices and value not in choices):
        expected = f"one of {', '.join(choices)}" if choices else "a string"
        raise _Shape(f"{where}: expected {expected}, got {_show(value)}")
    return value


def _question(data: Any, where: str) -> QuestionProgress:
    d = _object(data, where, (), ("attempts", "hints", "skipped", "correct", "answer"))
    return QuestionProgress(
        attempts=_int(d.get("attempts", 0), _join(where, "attempts")),
        hints=_int(d.get("hints", 0), _join(where, "hints")),
        skipped=_bool(d.get("skipped", False), _join(where, "skipped")),
        correct=_bool(d.get("correct", False), _join(where, "correct")),
        answer=_str(d.get("answer"), _join(where, "answer"), optional=True),
    )


def _lesson(data: Any, where: str) -> LessonProgress:
    d = _object(data, where, (), ("status", "step", "questions", "updated"))
    questions = d.get("questions", {})
    if not isinstance(questions, dict):
        raise _Shape(f"{_join(where, 'questions')}: expected an object, got {_show(questions)}")
    return LessonProgress(
        status=_str(d.get("status", "not-started"), _join(where, "status"), choices=STATUSES),
        step=_int(d.get("step", 0), _join(where, "step")),
        questions={qid: _question(q, f"{where}.questions.{qid}") for qid, q in questions.items()},
        updated=_str(d.get("updated"), _join(where, "updated"), optional=True),
    )


def _quiz(data: Any, where: str) -> QuizResult:
    d = _object(data, where, ("seed", "topics", "items"), ("when",))
    topics, items = d["topics"], d["items"]
    if not isinstance(topics, list):
        raise _Shape(f"{where}.topics: expected a list, got {_show(topics)}")
    if not isinstance(items, list):
        raise _Shape(f"{where}.items: expected a list, got {_show(items)}")
    parsed_items = []
    for i, item in enumerate(items):
        at = f"{where}.items[{i}]"
        it = _object(item, at, ("topic", "template", "outcome"), ())
        parsed_items.append(QuizItem(
            topic=_str(it["topic"], f"{at}.topic"),
            template=_str(it["template"], f"{at}.template"),
            outcome=_str(it["outcome"], f"{at}.outcome", choices=OUTCOMES),
        ))
    return QuizResult(
        seed=_int(d["seed"], f"{where}.seed", minimum=None),
        topics=[_str(t, f"{where}.topics[{i}]") for i, t in enumerate(topics)],
        items=parsed_items,
        when=_str(d.get("when"), f"{where}.when", optional=True),
    )


def from_json(data: Any) -> Progress:
    """Validate a version-1 document; raises ``_Shape`` naming the first field that is wrong."""
    d = _object(data, "", ("version",), ("last_lesson", "lessons", "quizzes"))
    lessons, quizzes = d.get("lessons", {}), d.get("quizzes", [])
    if not isinstance(lessons, dict):
        raise _Shape(f"lessons: expected an object, got {_show(lessons)}")
    if not isinstance(quizzes, list):
        raise _Shape(f"quizzes: expected a list, got {_show(quizzes)}")
    return Progress(
        version=_int(d["version"], "version", minimum=1),
        last_lesson=_str(d.get("last_lesson"), "last_lesson", optional=True),
        lessons={lid: _lesson(lesson, f"lessons.{lid}") for lid, lesson in lessons.items()},
        quizzes=[_quiz(q, f"quizzes[{i}]") for i, q in enumerate(quizzes)],
    )


# ---------------------------------------------------------------- the store


class ProgressSaveError(UsageError):
    """The progress file cannot be written (exit 2): the message says where and how to move it."""

    def __init__(self, path: Path, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"cannot save progress to {path}: {reason}; set {HOME_ENV} to a writable folder")


def default_home() -> Path:
    """``$BACKPROP_HOME`` if set, else the platform's user data folder for backprop."""
    env = os.environ.get(HOME_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("backprop", appauthor=False))


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


class Store:
    """Where progress lives; ``load`` never raises, ``save`` raises only ``ProgressSaveError``."""

    def __init__(self, home: Path | None = None):
        self.home = Path(home) if home is not None else default_home()
        self.path = self.home / FILE_NAME
        # Set when an unusable file could not be moved aside: saving would overwrite it.
        self._blocked: str | None = None

    def load(self) -> tuple[Progress, list[str]]:
        """The saved progress and any warnings; a fresh ``Progress`` when there is nothing usable."""
        if not self.path.exists() and not self.path.is_symlink():
            return Progress(), []
        problem = self._problem_reading()
        if isinstance(problem, Progress):
            return problem, []
        return Progress(), [self._set_aside(problem)]

    def _problem_reading(self) -> Progress | str:
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            return f"could not be read ({_reason(exc)})"
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            return "is not valid JSON (not UTF-8 text)"
        except json.JSONDecodeError as exc:
            return f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        except (ValueError, RecursionError):
            return "is not valid JSON"
        version = data.get("version") if isinstance(data, dict) else None
        if type(version) is int and version > SCHEMA_VERSION:
            return (f"was written by a newer backprop (format {version}; this one reads format "
                    f"{SCHEMA_VERSION})")
        try:
            return from_json(data)
        except _Shape as exc:
            return f"has an unexpected shape ({exc})"
        except RecursionError:
            return "has an unexpected shape (nested too deeply)"

    def _set_aside(self, problem: str) -> str:
        """Rename the unusable file (never delete it) and say so."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{FILE_NAME}.corrupt-{stamp}")
        n = 1
        while aside.exists() or aside.is_symlink():
            aside = self.path.with_name(f"{FILE_NAME}.corrupt-{stamp}-{n}")
            n += 1
        try:
            os.rename(self.path, aside)
        except OSError as exc:
            self._blocked = f"{self.path} {problem} and could not be moved aside ({_reason(exc)})"
            return (f"progress file {self.path} {problem}; it could not be moved aside "
                    f"({_reason(exc)}), so this session's progress will not be saved")
        return f"progress file {self.path} {problem}; kept it as {aside.name} and started fresh"

    def save(self, progress: Progress) -> None:
        """Write atomically: the file on disk is always either the old version or the new one."""
        if self._blocked:
            raise ProgressSaveError(self.path, self._blocked)
        text = dumps(progress)
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.home, prefix=f".{FILE_NAME}.", suffix=".tmp")
        except OSError as exc:
            raise ProgressSaveError(self.path, _reason(exc)) from exc
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException as exc:  # Ctrl-C included: never leave a stray temp file behind
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            if isinstance(exc, OSError):
                raise ProgressSaveError(self.path, _reason(exc)) from exc
            raise
        _fsync_folder(self.home)

    def reset(self, lesson_id: str | None = None) -> Progress:
        """Forget one lesson (its record, and ``last_lesson`` if it pointed there) or everything."""
        if lesson_id is None:
            progress = Progress()
        else:
            progress, _ = self.load()
            progress.lessons.pop(lesson_id, None)
            if progress.last_lesson == lesson_id:
                progress.last_lesson = None
        self.save(progress)
        return progress


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it (POSIX); best effort."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------- scores


def percent(score: int, total: int) -> int:
    """A whole percentage, halves rounded up (2/3 → 67, 1/8 → 13): the quiz's closing table and
    ``backprop progress`` show the same figure for the same result."""
    if total == 0:
        return 0
    return int(Fraction(100 * score, total) + Fraction(1, 2))


@dataclass(frozen=True)
class TopicScore:
    """Quiz items of one topic across every quiz: ``correct`` counts answers right with or without a
    hint (as ``QuizResult.score`` does); ``hinted`` says how many of those needed a hint."""

    topic: str
    correct: int
    total: int
    hinted: int = 0

    @property
    def ratio(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def percent(self) -> float:
        return 100.0 * self.ratio


def topic_scores(progress: Progress) -> list[TopicScore]:
    """Every quizzed topic, weakest first: lowest correct ratio, then most hints, then most items."""
    counts: dict[str, list[int]] = {}
    for quiz in progress.quizzes:
        for item in quiz.items:
            c = counts.setdefault(item.topic, [0, 0, 0])
            c[0] += item.outcome in ("correct", "hinted")
            c[1] += 1
            c[2] += item.outcome == "hinted"
    scores = [TopicScore(topic, correct, total, hinted) for topic, (correct, total, hinted) in counts.items()]
    return sorted(scores, key=lambda s: (s.ratio, -s.hinted / s.total, -s.total, s.topic))


def weakest_topics(progress: Progress, limit: int = 3) -> list[TopicScore]:
    """Topics worth reviewing: at least ``MIN_TOPIC_ATTEMPTS`` items and not all right unaided."""
    weak = [s for s in topic_scores(progress)
            if s.total >= MIN_TOPIC_ATTEMPTS and (s.correct < s.total or s.hinted)]
    return weak[:limit]


def template_misses(progress: Progress) -> dict[tuple[str, str], int]:
    """(topic, template) → how often it was answered wrong or skipped; only templates ever missed."""
    misses: dict[tuple[str, str], int] = {}
    for quiz in progress.quizzes:
        for item in quiz.items:
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
    status: str
    step: int  # index of the next step to show
    asked: int
    correct: int
    hints: int
    skipped: int
    questions: int | None  # how many the lesson has, when the course catalogue is known
    updated: str | None


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


@dataclass(frozen=True)
class Summary:
    path: str
    last_lesson: str | None
    lessons: tuple[LessonSummary, ...]
    quizzes: tuple[QuizSummary, ...]
    weakest: tuple[TopicScore, ...]
    warnings: tuple[str, ...] = ()

    @property
    def last(self) -> LessonSummary | None:
        return next((lesson for lesson in self.lessons if lesson.id == self.last_lesson), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "version": SCHEMA_VERSION,
            "last_lesson": self.last_lesson,
            "lessons": [asdict(lesson) for lesson in self.lessons],
            "quizzes": [{**asdict(q), "topics": list(q.topics)} for q in self.quizzes],
            "weakest_topics": [{**asdict(t), "percent": t.percent} for t in self.weakest],
            "warnings": list(self.warnings),
        }


def _lesson_summary(lesson_id: str, record: LessonProgress | None, info: Any = None) -> LessonSummary:
    record = record or LessonProgress()
    asked = [q for q in record.questions.values() if q.asked]
    return LessonSummary(
        id=lesson_id,
        title=getattr(info, "title", None),
        number=getattr(info, "number", None),
        status=record.status,
        step=record.step,
        asked=len(asked),
        correct=sum(q.correct for q in asked),
        hints=sum(q.hints for q in asked),
        skipped=sum(q.skipped for q in asked),
        questions=getattr(info, "question_count", None),
        updated=record.updated,
    )


def summarize(progress: Progress, catalog: Iterable[Any] | None = None, *, path: Path | str = "",
              warnings: Iterable[str] = ()) -> Summary:
    """Every lesson (the catalogue's, in order, then any others the file knows), quizzes, weak topics.

    ``catalog`` items need ``.id`` and may have ``.title``, ``.number``, ``.question_count``.
    """
    known = list(catalog or ())
    lessons = [_lesson_summary(info.id, progress.lessons.get(info.id), info) for info in known]
    listed = {info.id for info in known}
    lessons += [_lesson_summary(lid, record) for lid, record in progress.lessons.items() if lid not in listed]
    quizzes = tuple(
        QuizSummary(when=q.when, seed=q.seed, topics=tuple(q.topics), score=q.score, total=q.total,
                    correct=q.correct, hinted=q.hinted, wrong=q.wrong, skipped=q.skipped, percent=q.percent)
        for q in progress.quizzes
    )
    return Summary(path=str(path), last_lesson=progress.last_lesson, lessons=tuple(lessons), quizzes=quizzes,
                   weakest=tuple(weakest_topics(progress)), warnings=tuple(warnings))


def resolve_lesson(name: str, progress: Progress, catalog: Iterable[Any] | None = None) -> str:
    """A lesson id from what the learner typed: an id or a lesson number from the catalogue, or an id
    the progress file knows (a teacher's own lesson, or one the catalogue no longer lists)."""
    known = list(catalog or ())
    for info in known:
        if name == info.id or name == str(getattr(info, "number", None)):
            return info.id
    if name in progress.lessons:
        return name
    ids = [info.id for info in known] + [lid for lid in progress.lessons if lid not in {i.id for i in known}]
    listing = f"known lessons: {', '.join(ids)}" if ids else "no lesson has any progress yet"
    raise UsageError(f"unknown lesson '{name}'; {listing}")
