"""A quiz as a conversation: which questions to ask (plain or review), marking, scoring and saving.

Scoring, per question (one ``QuizItem`` outcome each):

- ``correct``: right without a hint (wrong tries before it are forgiven: the learner found it);
- ``hinted``: right after at least one hint;
- ``wrong``: three wrong tries, or ``skip`` typed after a wrong try (the learner tried and gave up);
- ``skipped``: ``skip`` before any wrong try (hints or not).

Unreadable input (``invalid``) and ``back`` cost nothing. The score counts correct and hinted
answers (as ``progress.QuizResult.score`` does). The quiz is saved after every question (merged
into the progress file as it is on disk then, by the quiz's own id), so quitting, closing the
terminal or a kill part-way keeps every answer given.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from backprop_cli.interaction import Ask, Event, Feedback, Finished, Hint, Reveal, Say, command_of
from backprop_cli.progress import (
    Observation,
    Progress,
    QuizItem,
    QuizResult,
    Store,
    TopicScore,
    new_id,
    percent,
    tally,
    template_misses,
    topic_scores,
)
from backprop_cli.progress.record import Outcome
from backprop_cli.quiz import TOPIC_TITLES, TOPICS
from backprop_cli.quiz.templates import Question, Template, for_topics

MAX_TRIES = 3
DEFAULT_COUNT = 10


# ---------------------------------------------------------------- which questions


@dataclass(frozen=True)
class Plan:
    """The templates to ask, in order, and what to tell the learner about the choice."""

    templates: tuple[Template, ...]
    notes: tuple[str, ...] = ()


def plan_quiz(seed: int, count: int, topics: Sequence[str] | None = None) -> Plan:
    """A balanced quiz: topics take turns (so every chosen topic appears), templates within a topic
    in a seeded random order; the questions come in teaching order, basics first."""
    rng = random.Random(f"backprop-quiz-plan:{seed}")
    chosen = _round_robin(rng, for_topics(topics), count)
    return Plan(tuple(sorted(chosen, key=lambda t: TOPICS.index(t.topic))))


def _round_robin(rng: random.Random, templates: Sequence[Template], count: int,
                 topic_order: Sequence[str] | None = None) -> list[Template]:
    by_topic: dict[str, list[Template]] = {}
    for t in templates:
        by_topic.setdefault(t.topic, []).append(t)
    order = list(topic_order) if topic_order else list(by_topic)
    if topic_order is None:
        rng.shuffle(order)
    queues: dict[str, list[Template]] = {}
    picked: list[Template] = []
    while len(picked) < count:
        for topic in order:
            if len(picked) == count:
                break
            if not queues.get(topic):
                queues[topic] = list(by_topic[topic])
                rng.shuffle(queues[topic])
            picked.append(queues[topic].pop())
    return picked


def plan_review(seed: int, count: int, topics: Sequence[str] | None, progress: Progress) -> Plan:
    """Review: the templates missed most (wrong or skipped) first, then the weakest topics' templates.

    With no quiz history there is nothing to review: a normal quiz, and a note saying so.
    """
    eligible = for_topics(topics)
    if not any(quiz.items for quiz in progress.quizzes):
        plain = plan_quiz(seed, count, topics)
        return Plan(plain.templates, ("No quiz history to review yet, so this is a normal quiz.",))
    rng = random.Random(f"backprop-quiz-review:{seed}")
    index = {(t.topic, t.id): i for i, t in enumerate(eligible)}
    misses = template_misses(progress)
    missed = sorted((key for key in misses if key in index), key=lambda key: (-misses[key], index[key]))
    first = [eligible[index[key]] for key in missed][:count]
    scores = [s for s in topic_scores(progress) if s.topic in {t.topic for t in eligible}]
    weak_first = [s.topic for s in scores if s.correct < s.total or s.hinted]
    pool = [t for t in eligible if t not in first] or eligible
    in_pool = {t.topic for t in pool}
    topic_order = [t for t in weak_first if t in in_pool] + [t for t in TOPICS if t in in_pool and t not in weak_first]
    fill = _round_robin(rng, pool, count - len(first), topic_order)
    notes = []
    if first:
        notes.append(f"Review: {len(first)} question{'s' if len(first) != 1 else ''} of the kinds you missed "
                     f"most come first ({', '.join(t.title.lower() for t in first[:3])}"
                     f"{', …' if len(first) > 3 else ''}).")
    else:
        notes.append("Nothing missed so far: questions from your weakest topics first.")
    return Plan(tuple(first + fill), tuple(notes))


def make_questions(seed: int, plan: Plan) -> list[Question]:
    """One question per planned template; each draws from its own generator, so a question's numbers
    depend only on the seed, its place and its template."""
    return [t.make(random.Random(f"backprop-quiz:{seed}:{i}:{t.id}")) for i, t in enumerate(plan.templates)]


# ---------------------------------------------------------------- scoring


def _notes(t: TopicScore) -> str:
    parts = [(t.hinted, "with a hint", "with hints"), (t.wrong, "wrong", "wrong"), (t.skipped, "skipped", "skipped")]
    return ", ".join(f"{k} {one if k == 1 else many}" for k, one, many in parts if k)


def score_table(items: Sequence[QuizItem], *, heading: str = "Score", seconds: float | None = None) -> Finished:
    """The closing event: ``Score: 7/10 (70%)``, and a row per topic plus the total."""
    rows = []
    for t in tally(items, TOPICS):
        rows.append((TOPIC_TITLES.get(t.topic, t.topic), f"{t.correct}/{t.total}", f"{percent(t.correct, t.total)}%",
                     _notes(t)))
    score = sum(i.outcome in ("correct", "hinted") for i in items)
    total = len(items)
    everything = TopicScore("", score, total, *(sum(i.outcome == o for i in items) for o in ("hinted", "wrong", "skipped")))
    rows.append(("Total", f"{score}/{total}", f"{percent(score, total)}%", _notes(everything)))
    summary = f"{heading}: {score}/{total} ({percent(score, total)}%)"
    if seconds is not None:
        minutes, secs = divmod(round(seconds), 60)
        summary += f" in {minutes} min {secs} s" if minutes else f" in {secs} s"
    if not any(row[3] for row in rows):  # nothing to note: leave the column out
        return Finished(summary, tuple(row[:3] for row in rows), ("Topic", "Score", "%"))
    return Finished(summary, tuple(rows), ("Topic", "Score", "%", "Notes"))


# ---------------------------------------------------------------- the conversation


@dataclass
class _Current:
    tries: int = 0  # wrong answers so far
    hints: int = 0
    first: Outcome | None = None  # the first thing done: correct, wrong, hinted or skipped


@dataclass
class QuizSession:
    """Asks ``questions`` one by one; implements :class:`backprop_cli.interaction.Conversation`.

    ``clock`` (seconds, e.g. ``time.monotonic``) adds the time taken to the score line and
    ``timestamp`` dates the saved result; leave both None for piped input, so the same seed and the
    same answers always give the same transcript.
    """

    questions: Sequence[Question]
    seed: int
    topics: Sequence[str] = ()
    store: Store | None = None
    clock: Callable[[], float] | None = None
    timestamp: Callable[[], str] | None = None
    notes: Sequence[str] = ()
    warnings: Sequence[str] = ()  # e.g. a progress file that had to be set aside
    replay: str = ""  # the options that replay this quiz, e.g. "--seed 7 --count 3"
    kind: str = "quiz"  # or "review": how its observations are labelled for the learner model
    items: list[QuizItem] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)

    def __post_init__(self):
        self._index = 0
        self._current = _Current()
        self._stopped = False
        self._id = new_id()
        self._when: str | None = None
        self._started_at: float | None = None

    # -- the protocol ---------------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self._stopped or self._index >= len(self.questions)

    def start(self) -> list[Event]:
        self._started_at = self.clock() if self.clock else None
        self._when = self.timestamp() if self.timestamp else None
        count = len(self.questions)
        events: list[Event] = [
            Say(f"{'Review' if self.kind == 'review' else 'Quiz'} · {count} question{'s' if count != 1 else ''}",
                "heading"),
            Say(f"Seed {self.seed} — replay with {self.replay or f'--seed {self.seed}'}", "note"),
        ]
        events += [Say(warning, "warning") for warning in self.warnings]
        events += [Say(note, "note") for note in self.notes]
        events.append(Say("Type hint for a hint, skip to see the answer, quit to stop (your score so far is saved).",
                          "note"))
        if not self.questions:
            self._stopped = True
            return [*events, Say("There are no questions to ask.", "warning")]
        return [*events, self._ask()]

    def answer(self, line: str) -> list[Event]:
        if self.finished:
            return []
        command = command_of(line)  # never a single letter, so "b" answers a choice question
        if command == "hint":
            return self._hint()
        if command == "skip":
            return self._skip()
        if command == "parts":
            return [Say("Working a question out in parts is for lessons; here, type hint for a hint.", "note")]
        if command == "back":
            return [Say("Going back is not available in a quiz: each question stands alone. "
                        "Answer it, or type skip.", "note")]
        if command == "help":
            return [Say("Type your answer, or: hint (next hint), skip (show the answer), quit (stop and save).", "note")]
        if command == "quit":
            self._stopped = True
            return [self.summary()]
        return self._mark(line)

    def save(self) -> None:
        """Merge the items answered so far into the progress file (nothing while none is answered);
        saving again replaces this quiz's own entry, never another one."""
        if not self.items or self.store is None:
            return
        result = QuizResult(
            id=self._id,
            seed=self.seed,
            topics=list(self.topics) or list(TOPICS),
            items=[item.model_copy() for item in self.items],
            when=self._when,
            finished=self._index >= len(self.questions),
            kind="review" if self.kind == "review" else "quiz",
        )
        observations = list(self.observations)

        def add(progress: Progress) -> None:
            progress.put_quiz(result)
            progress.put_observations(observations)

        self.store.update(add)

    def _observe(self, q: Question, first: Outcome) -> None:
        """One observation per skill the template exercises, for the learner model."""
        from backprop_cli.progress import now
        from backprop_cli.tutor.skills import TEMPLATE_SKILLS, guess_for

        guess = guess_for(q.ask_kind, len(q.options))
        for skill in TEMPLATE_SKILLS.get(q.template, ()):
            self.observations.append(Observation(skill=skill, outcome=first, at=now(), guess=guess,
                                                 source=f"{self.kind} {q.template}"))

    # -- scoring ----------------------------------------------------------------------------------
    def summary(self) -> Finished:
        """The score of the items answered so far (the final table, or a partial one)."""
        done = self._index >= len(self.questions) and not self._stopped
        seconds = self.clock() - self._started_at if self.clock and self._started_at is not None else None
        return score_table(self.items, heading="Score" if done else "Score so far", seconds=seconds)

    # -- one question -------------------------------------------------------------------------------
    @property
    def question(self) -> Question:
        return self.questions[self._index]

    def _ask(self) -> Ask:
        q = self.question
        return Ask(
            label=f"Question {self._index + 1} of {len(self.questions)} · {TOPIC_TITLES.get(q.topic, q.topic)}",
            prompt=q.prompt,
            kind=q.ask_kind,
            options=q.options,
            hints_left=len(q.hints) - self._current.hints,
        )

    def _hint(self) -> list[Event]:
        q, current = self.question, self._current
        if current.hints >= len(q.hints):
            return [Say("No more hints for this one: type skip to see the answer.", "note")]
        current.hints += 1
        current.first = current.first or "hinted"
        return [Hint(q.hints[current.hints - 1], current.hints, len(q.hints))]

    def _skip(self) -> list[Event]:
        self._current.first = self._current.first or "skipped"
        outcome: Outcome = "wrong" if self._current.tries else "skipped"
        return [Reveal(self.question.answer_text, self.question.explanation, skipped=True), *self._next(outcome)]

    def _mark(self, line: str) -> list[Event]:
        q, current = self.question, self._current
        verdict = q.check(line)
        if verdict.status == "invalid":
            return [Feedback("invalid", verdict.message, verdict.read_as)]
        current.first = current.first or ("correct" if verdict.correct else "wrong")
        if verdict.correct:
            outcome: Outcome = "hinted" if current.hints else "correct"
            return [Feedback("correct", verdict.message, verdict.read_as), Reveal(q.answer_text, q.explanation),
                    *self._next(outcome)]
        current.tries += 1
        left = MAX_TRIES - current.tries
        if left:
            commands = "hint or skip" if current.hints < len(q.hints) else "skip"
            detail = f"Try again ({left} {'tries' if left > 1 else 'try'} left), or type {commands}."
            return [Feedback("incorrect", verdict.message, verdict.read_as, detail)]
        return [Feedback("incorrect", verdict.message, verdict.read_as, f"That was try {MAX_TRIES}: marked wrong."),
                Reveal(q.answer_text, q.explanation), *self._next("wrong")]

    def _next(self, outcome: Outcome) -> list[Event]:
        q = self.question
        self.items.append(QuizItem(topic=q.topic, template=q.template, outcome=outcome, hints=self._current.hints))
        self._observe(q, self._current.first or outcome)
        self._index += 1
        self._current = _Current()
        self.save()
        if self._index >= len(self.questions):
            return [self.summary()]
        return [self._ask()]


# ---------------------------------------------------------------- building a session


def replay_options(seed: int, count: int, topics: Sequence[str], review: bool) -> str:
    parts = [f"--seed {seed}"]
    if count != DEFAULT_COUNT:
        parts.append(f"--count {count}")
    parts += [f"--topic {t}" for t in topics]
    if review:
        parts.append("--review")
    return " ".join(parts)


def new_quiz(*, seed: int, count: int = DEFAULT_COUNT, topics: Sequence[str] = (), review: bool = False,
             store: Store | None = None, clock: Callable[[], float] | None = None,
             timestamp: Callable[[], str] | None = None) -> QuizSession:
    """Plan the questions (reading the history for ``review``) and make the session."""
    store = store if store is not None else Store()
    # Read the store even for a plain quiz: an unusable file is set aside now, with a warning at the
    # start, rather than silently when the result is saved.
    progress, warnings = store.load()
    plan = plan_review(seed, count, topics, progress) if review else plan_quiz(seed, count, topics)
    return QuizSession(
        questions=make_questions(seed, plan),
        seed=seed,
        topics=list(topics),
        store=store,
        clock=clock,
        timestamp=timestamp,
        notes=plan.notes,
        warnings=warnings,
        replay=replay_options(seed, count, topics, review),
    )
