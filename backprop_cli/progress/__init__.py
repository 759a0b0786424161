"""The learner's progress: one versioned JSON file that no crash, bad edit, second window or newer
release can destroy.

- ``record``: the file's content (pydantic models, format 2), every attempt kept, and the merge rules;
- ``store``: the file itself (lock, re-read and merge, atomic replace, unusable files kept aside);
- ``summary``: quiz scores and what ``backprop progress`` shows, as plain data.
"""

from __future__ import annotations

from backprop_cli.progress.record import (
    ATTEMPT_STATUSES,
    OUTCOMES,
    SCHEMA_VERSION,
    SHIPPED,
    STATUSES,
    Attempt,
    Diagnosed,
    LessonRecord,
    Observation,
    Progress,
    QuestionRecord,
    QuizItem,
    QuizResult,
    lesson_key,
    new_id,
    now,
)
from backprop_cli.progress.store import (
    FILE_NAME,
    HOME_ENV,
    ProgressSaveError,
    Store,
    default_home,
    dumps,
    parse,
)
from backprop_cli.progress.summary import (
    MIN_TOPIC_ATTEMPTS,
    LessonSummary,
    QuizSummary,
    SkillSummary,
    Summary,
    TopicScore,
    percent,
    resolve_lesson,
    resume_question,
    skill_summaries,
    summarize,
    tally,
    template_misses,
    topic_scores,
    weakest_topics,
)

__all__ = [
    "ATTEMPT_STATUSES", "FILE_NAME", "HOME_ENV", "MIN_TOPIC_ATTEMPTS", "OUTCOMES", "SCHEMA_VERSION", "SHIPPED",
    "STATUSES", "Attempt", "Diagnosed", "LessonRecord", "LessonSummary", "Observation", "Progress", "ProgressSaveError", "QuestionRecord",
    "QuizItem", "QuizResult", "QuizSummary", "SkillSummary", "Store", "Summary", "TopicScore", "default_home", "dumps",
    "lesson_key", "new_id", "now", "parse", "percent", "resolve_lesson", "resume_question", "skill_summaries", "summarize",
    "tally", "template_misses", "topic_scores", "weakest_topics",
]
