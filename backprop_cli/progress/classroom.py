"""A class report from learners' exports: who finished each lesson, and per question how many got
it right on the first try and which diagnosed mistakes were most common. Plain data; drawn by
``render/report.py`` and written as CSV here."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from backprop_cli.progress.sharing import LearnerRecord

#: How many of the most common mistakes a question lists.
TOP_MISTAKES = 3


@dataclass(frozen=True)
class QuestionRow:
    number: int | None
    id: str
    prompt: str | None
    learners: int  # who reached it (answered, hinted or skipped)
    first_try: int  # right on the first try, without a hint
    common: tuple[tuple[str, int], ...]  # (mistake feedback, how many learners made it), most common first

    @property
    def rate(self) -> float | None:
        return self.first_try / self.learners if self.learners else None


@dataclass(frozen=True)
class LessonRow:
    key: str
    id: str
    title: str
    finished: tuple[str, ...]  # learners' names
    in_progress: tuple[str, ...]
    questions: tuple[QuestionRow, ...]


@dataclass(frozen=True)
class ClassReport:
    learners: tuple[str, ...]
    lessons: tuple[LessonRow, ...]


def build(records: Sequence[LearnerRecord]) -> ClassReport:
    lessons: dict[str, dict] = {}
    for record in records:
        for lesson in record.lessons:
            entry = lessons.setdefault(lesson.key, {"id": lesson.id, "title": lesson.title or lesson.id,
                                                    "finished": [], "in_progress": [], "questions": {}})
            if lesson.status == "done":
                entry["finished"].append(record.name)
            elif lesson.status == "in-progress":
                entry["in_progress"].append(record.name)
            for q in lesson.questions:
                row = entry["questions"].setdefault(q.id, {"number": q.number, "prompt": q.prompt, "learners": 0,
                                                           "first_try": 0, "mistakes": Counter()})
                row["number"] = row["number"] or q.number
                row["prompt"] = row["prompt"] or q.prompt
                row["learners"] += 1
                row["first_try"] += q.first == "correct"
                row["mistakes"].update({m.feedback or m.name for m in q.mistakes})
    out = []
    for key, entry in lessons.items():
        questions = sorted(entry["questions"].items(),
                           key=lambda item: (item[1]["number"] is None, item[1]["number"], item[0]))
        rows = tuple(QuestionRow(q["number"], qid, q["prompt"], q["learners"], q["first_try"],
                                 tuple(q["mistakes"].most_common(TOP_MISTAKES)))
                     for qid, q in questions)
        out.append(LessonRow(key, entry["id"], entry["title"], tuple(sorted(entry["finished"])),
                             tuple(sorted(entry["in_progress"])), rows))
    return ClassReport(tuple(r.name for r in records), tuple(out))


def to_csv(report: ClassReport) -> str:
    """One row per question: lesson, question, learners, first-try count and rate, common mistakes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["lesson", "title", "finished", "question", "number", "prompt", "learners", "first_try",
                     "first_try_rate", "common_mistakes"])
    for lesson in report.lessons:
        for q in lesson.questions:
            rate = "" if q.rate is None else f"{q.rate:.3f}"
            mistakes = "; ".join(f"{text} ({n})" for text, n in q.common)
            writer.writerow([lesson.id, lesson.title, len(lesson.finished), q.id, q.number or "", q.prompt or "",
                             q.learners, q.first_try, rate, mistakes])
    return buffer.getvalue()
