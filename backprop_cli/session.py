"""A guided lesson as a state machine: feed it the learner's lines, get back what to show.

No I/O here (the terminal driver draws and reads). The session works on one *attempt* at the lesson
(``progress.Attempt``): the one under way, or a new one when the lesson was finished before (the
finished attempt stays as it is) or ``restart`` is asked. :meth:`LessonSession.save` merges the attempt
into the progress file as it is on disk now, so a quiz or another lesson in a second terminal is never
overwritten. The session saves after every answer, hint and skip, so an unexpected kill loses at most
the line being typed; the driver saves again on quit, Ctrl-C, Ctrl-D, SIGHUP and SIGTERM.

Where a session resumes is found by question id, not position: the first question of the lesson as it
is now that the learner has not moved past, so an edited lesson neither re-asks an answered question
nor skips a new one.
"""

from __future__ import annotations

import sympy

from backprop_cli.course import answers, identity, short_prompt
from backprop_cli.course.lesson import Lesson, Question
from backprop_cli.course.scaffolds import scaffold
from backprop_cli.course.schema import DeriveStep, NetworkStep, PlotStep, QuestionStep, TextStep
from backprop_cli.interaction import Ask, Event, Feedback, Finished, Hint, Reveal, Say, Show, command_of
from backprop_cli.parts import PartsWalk
from backprop_cli.progress.record import Outcome

NUDGE_AFTER = 2  # wrong answers before the session reminds the learner of hint and skip


class LessonSession:
    def __init__(self, lesson: Lesson, store, progress, *, restart: bool = False, number: int | None = None):
        from backprop_cli.progress import Attempt, now

        self.lesson = lesson
        self.store = store
        self.progress = progress
        self.number = number
        self.key, self.source = identity(lesson)
        record = progress.lessons.get(self.key)
        current = None if restart or record is None else record.current
        if current is not None and current.seed != lesson.seed:  # other numbers: a new attempt
            current = None
        self.attempt = (current.model_copy(deep=True) if current is not None
                        else Attempt(started=now(), seed=lesson.seed))
        self.resumed = self.attempt.active
        self.position = self._resume_position() if self.resumed else 0
        self.question: Question | None = None
        self.hints_shown = 0
        self.wrong_streak = 0
        self.finished = False
        self.learner: dict[str, sympy.Expr] = {}
        self.observations: list = []  # first tries this session, for the learner model
        self.optional_now: set[str] = set()  # drills made optional by mastery this session
        self.walk: PartsWalk | None = None  # while the learner works a question out in parts
        for q in lesson.questions:  # in order: a formula answer may use the earlier answers
            saved = self.attempt.questions.get(q.id)
            if saved is not None and saved.answer is not None:
                value = answers.learner_value(q, saved.answer)
                if value is None and q.step.ask == "number":  # a formula typed over the lesson's names
                    value = self._number_of(answers.check(lesson, q, saved.answer, self.learner))
                if value is not None:
                    self.learner[q.id] = value

    def _resume_position(self) -> int:
        """The step of the first question not yet passed; after the last question when all are."""
        from backprop_cli.progress import resume_question

        steps = self.lesson.spec.steps
        index = resume_question(self.attempt, [q.id for q in self.lesson.questions])
        if index is not None:
            return steps.index(self.lesson.questions[index].step)
        if not self.lesson.questions:
            return 0
        return steps.index(self.lesson.questions[-1].step) + 1

    # -- the Conversation protocol --------------------------------------------------------------
    def start(self) -> list[Event]:
        label = f"Lesson {self.number}: " if self.number else ""
        events: list[Event] = [Say(f"{label}{self.lesson.title}", "heading"), Say(self.lesson.spec.summary, "note")]
        if self.lesson.seed is not None:
            events.append(Say(f"Fresh numbers (seed {self.lesson.seed}): replay them with "
                              f"backprop learn {self.lesson.id} --seed {self.lesson.seed}.", "note"))
        if not self.resumed:
            events.append(Say("Type 'hint', 'skip', 'back', 'help' or 'quit' at any prompt.", "note"))
            return events + self._advance()
        done = sum(1 for q in self.lesson.questions if self._record(q.id) is not None and self._record(q.id).closed)
        events.append(Say(f"Welcome back: {done} of {len(self.lesson.questions)} questions done. Here is where "
                          "you left off (type 'back' to revisit the previous question).", "note"))
        return events + self._context() + self._advance()

    def answer(self, line: str) -> list[Event]:
        if self.finished or self.question is None:
            return []
        command = command_of(line)
        if self.walk is not None and command not in ("help", "quit"):
            return self._in_parts(line)
        if command == "parts":
            return self._parts()
        if command == "hint":
            return self._hint()
        if command == "skip":
            return self._skip()
        if command == "back":
            return self._back()
        if command == "help":
            from backprop_cli.interaction import help_text

            return [Say(help_text(), "note")]
        if command == "quit":
            self.save()
            return []
        return self._check(line)

    def save(self) -> None:
        """Merge this attempt into the progress file as it is now (a new attempt that has nothing in
        it yet is not written: opening a lesson and leaving at once changes nothing)."""
        from backprop_cli.progress import now

        self.attempt.updated = now()
        attempt, key = self.attempt.model_copy(deep=True), self.key
        observations = list(self.observations)

        def add(progress) -> None:
            progress.put_attempt(key, self.lesson.id, self.source, self.lesson.title, attempt)
            progress.put_observations(observations)
            if attempt.active:
                progress.last_lesson = key

        self.progress = self.store.update(add)

    @staticmethod
    def _number_of(verdict) -> sympy.Expr | None:
        """The number an answer stands for (a typed number, or a formula the checker evaluated with
        the lesson's values), for follow-through; None when it is not a number."""
        value = getattr(verdict, "value", None)
        return value if value is not None and getattr(value, "is_number", False) else None

    def _record(self, question_id: str):
        return self.attempt.questions.get(question_id)

    def _first_try(self, state, outcome: Outcome) -> None:
        """The first thing the learner did at a question: kept, and one observation per skill the
        question exercises, for the learner model (a hint or a skip first counts as not right)."""
        from backprop_cli.progress import Observation, now
        from backprop_cli.tutor.skills import guess_for

        if state.first is not None:
            return
        state.first = outcome
        q = self._current()
        guess = guess_for(q.step.ask, len(q.step.options or ()))
        for skill in getattr(q.step, "skills", None) or ():
            self.observations.append(Observation(skill=skill, outcome=outcome, at=now(), guess=guess,
                                                 source=f"lesson {self.key} {q.id}"))

    # -- steps ----------------------------------------------------------------------------------
    def _advance(self) -> list[Event]:
        """Show steps from the current position until a question (asked) or the end."""
        events: list[Event] = []
        steps = self.lesson.spec.steps
        while self.position < len(steps):
            step = steps[self.position]
            if step.title:
                events.append(Say(step.title + (" (optional)" if step.optional else ""), "heading"))
            if not isinstance(step, QuestionStep):
                events += self.events_for(self.lesson, self.position)
            else:
                self.question = self._question_at(self.position)
                self.hints_shown = 0
                self.wrong_streak = 0
                self.attempt.at = self.question.id
                events.append(self._ask())
                return events
            self.position += 1
        return events + self._finish()

    def _context(self) -> list[Event]:
        """On resuming: the text and views since the previous question, so the question has its setting."""
        steps = self.lesson.spec.steps
        start = self.position
        while start > 0 and not isinstance(steps[start - 1], QuestionStep):
            start -= 1
        if start == self.position and start > 0:  # resuming right after a question: show what it led to
            return []
        events: list[Event] = []
        for position in range(start, self.position):
            title = steps[position].title
            if title:
                events.append(Say(title, "heading"))
            events += self.events_for(self.lesson, position)
        return events

    @staticmethod
    def events_for(lesson: Lesson, position: int) -> list[Event]:
        """What a text, derivation or network step shows (also used by `lessons show`)."""
        step = lesson.spec.steps[position]
        loc = ("steps", position)
        if isinstance(step, TextStep):
            return [Say(lesson.interpolate(step.text, (*loc, "text")))]
        if isinstance(step, DeriveStep):
            expr = lesson.expand(lesson.parse(step.derive.expr, (*loc, "derive", "expr")))
            return [Show("derivation", (expr, lesson.symbols[step.derive.wrt]))]
        if isinstance(step, NetworkStep):
            return [Show(step.network, (lesson.network, lesson.detail, lesson.definitions["lr"]))]
        if isinstance(step, PlotStep):
            from backprop_cli.course.plots import plot

            return [plot(lesson, step.plot, (*loc, "plot"))]
        return []

    def _question_at(self, position: int) -> Question:
        step = self.lesson.spec.steps[position]
        return next(q for q in self.lesson.questions if q.step is step)

    def _ask(self) -> Ask:
        q = self._current()
        total = len(self.lesson.questions)
        mastered = self.mastered(q)
        if mastered and q.step.drill:
            self.optional_now.add(q.id)
        optional = ""
        if q.step.optional:
            optional = " (optional)"
        elif q.id in self.optional_now:
            optional = " (optional: you have mastered this)"
        kinds = {"number": "a number", "expression": "a formula", "choice": "a letter"}
        label = f"Question {q.index + 1} of {total}{optional} · answer with {kinds[q.step.ask]}"
        if mastered and q.step.bare is not None:  # help fades: the formula is no longer handed over
            prompt = self.lesson.interpolate(q.step.bare, ("steps", self.position, "bare"))
        else:
            prompt = self.lesson.interpolate(q.step.prompt, ("steps", self.position, "prompt"))
        return Ask(label, prompt, q.step.ask, answers.options(self.lesson, q), len(q.step.hints) - self.hints_shown)

    def mastered(self, q: Question) -> bool:
        """Every skill the question names is mastered (BKT, over the saved record and this session)."""
        from backprop_cli.tutor.skills import Observation, trace

        if not q.step.skills:
            return False
        ids = {o.id for o in self.observations}
        seen = [o for o in self.progress.observations if o.id not in ids] + self.observations
        state = trace([Observation(o.skill, o.correct, o.guess) for o in seen])
        return all(state[skill].mastered for skill in q.step.skills)

    def _optional(self, q: Question) -> bool:
        return q.step.optional or q.id in self.optional_now

    def _current(self) -> Question:
        """The question being asked (every answer, hint and skip happens at one)."""
        assert self.question is not None
        return self.question

    def _state(self):
        return self.attempt.question(self._current().id)

    # -- answers --------------------------------------------------------------------------------
    def _check(self, line: str) -> list[Event]:
        q = self._current()
        verdict = answers.check(self.lesson, q, line, self.learner)
        if verdict.status == "invalid":
            return [Feedback("invalid", verdict.message, verdict.read_as)]
        state = self._state()
        revisit = state.closed  # back at a question already passed: the record stays as it was
        if not revisit:
            state.attempts += 1
            state.answer = line.strip()
            self._first_try(state, "correct" if verdict.correct else "wrong")
            value = self._number_of(verdict) if q.step.ask == "number" else None
            if value is not None:
                self.learner[q.id] = value
        if verdict.correct:
            if not revisit:
                state.correct = True
                state.closed = True
            detail = ""
            if verdict.carried_from:
                detail = f"With the exact earlier values the answer is {answers.shown(q)}."
            events: list[Event] = [Feedback("correct", verdict.message, verdict.read_as, detail)]
            events.append(self._reveal(skipped=False))
            return events + self._next()
        self.wrong_streak += 1
        if verdict.mistake and not revisit:
            state.diagnosed(verdict.mistake, verdict.message)
        events = [Feedback("incorrect", verdict.message, verdict.read_as)]  # the message names any counterexample
        if self.wrong_streak >= NUDGE_AFTER:
            left = len(q.step.hints) - self.hints_shown
            tip = "Type 'hint' for a hint, or 'skip' to see the answer." if left else "Type 'skip' to see the answer."
            parts = scaffold(self.lesson, q) if not revisit else None
            if parts is not None:
                tip = (f"This one has {len(parts.parts)} parts: type 'parts' to work them out one at a time, "
                       + tip[len("Type "):].replace("Type", "type"))
            events.append(Say(tip, "note"))
        self.save()
        return events

    def _parts(self) -> list[Event]:
        """Break the question into its parts (a scaffold generated from its formula), if it has any."""
        q = self._current()
        found = scaffold(self.lesson, q)
        if found is None:
            return [Say("This question does not break into smaller parts; type 'hint' or 'skip'.", "note")]
        self.walk = PartsWalk(found, q.index + 1)
        return self.walk.start()

    def _in_parts(self, line: str) -> list[Event]:
        assert self.walk is not None
        events = self.walk.answer(line)
        if self.walk.done:
            self.walk = None
            self.wrong_streak = 0
            events.append(self._ask())
        return events

    def _hint(self) -> list[Event]:
        q = self._current()
        hints = q.step.hints
        if self.hints_shown >= len(hints):
            return [Say("No more hints for this question; type 'skip' to see the answer.", "note")]
        text = self.lesson.interpolate(hints[self.hints_shown], ("steps", self.position, "hints", self.hints_shown))
        self.hints_shown += 1
        state = self._state()
        if not state.closed:
            state.hints = max(state.hints, self.hints_shown)
            self._first_try(state, "hinted")
            self.save()
        return [Hint(text, self.hints_shown, len(hints))]

    def _skip(self) -> list[Event]:
        state = self._state()
        if not state.closed:
            state.skipped = not self._optional(self._current())
            state.closed = True
            self._first_try(state, "skipped")
        return [self._reveal(skipped=True), *self._next()]

    def _back(self) -> list[Event]:
        earlier = [q for q in self.lesson.questions if q.index < self._current().index]
        if not earlier:
            return [Say("This is the first question; there is nothing to go back to.", "note")]
        target = earlier[-1]
        self.position = self.lesson.spec.steps.index(target.step)
        self.question = target
        self.hints_shown = 0
        self.wrong_streak = 0
        self.attempt.at = target.id
        return [Say("Back to the previous question.", "note"), self._ask()]

    def _reveal(self, *, skipped: bool) -> Reveal:
        q = self._current()
        explanation = self.lesson.interpolate(q.step.explanation, ("steps", self.position, "explanation"))
        return Reveal(answers.shown(q), explanation, skipped)

    def _next(self) -> list[Event]:
        self.position += 1
        self.question = None
        self.save()
        return self._advance()

    def _finish(self) -> list[Event]:
        self.finished = True
        self.question = None
        self.attempt.status = "done"
        self.attempt.at = None
        rows = []
        first_time = 0
        counted = 0
        for q in self.lesson.questions:
            s = self.attempt.questions.get(q.id)
            if self._optional(q) and (s is None or not s.correct):
                result = "optional, skipped"
            elif s is None or s.skipped or not s.correct:
                result = "skipped"
            elif s.attempts == 1 and s.hints == 0:
                result = "✓ first try"
            else:
                extra = []
                if s.attempts > 1:
                    extra.append(f"{s.attempts} tries")
                if s.hints:
                    extra.append(f"{s.hints} hint{'s' if s.hints > 1 else ''}")
                result = "✓ " + ", ".join(extra)
            if not self._optional(q):
                counted += 1
                first_time += result == "✓ first try"
            rows.append((str(q.index + 1), short_prompt(self.lesson, q), result))
        self.save()
        left_out = len(rows) - counted
        uncounted = f" ({left_out} optional question{'s' if left_out != 1 else ''} not counted)" if left_out else ""
        summary = (f"Lesson complete: {self.lesson.title}. {first_time} of {counted} questions right on the "
                   f"first try{uncounted}.")
        events: list[Event] = [Finished(summary, tuple(rows), ("#", "question", "result"))]
        moved = self.skills_moved()
        if moved:
            events.append(Say("Skills that moved: " + " · ".join(moved) + ".", "note"))
        return events

    def skills_moved(self) -> list[str]:
        """Each skill this session observed, with its mastery before and after: "chain rule 10% → 52%"."""
        from backprop_cli.tutor.skills import BY_ID, Observation, trace

        if not self.observations:
            return []
        saved = [Observation(o.skill, o.correct, o.guess) for o in self.progress.observations
                 if o.id not in {n.id for n in self.observations}]
        now = [Observation(o.skill, o.correct, o.guess) for o in self.observations]
        before, after = trace(saved), trace(saved + now)
        seen = dict.fromkeys(o.skill for o in self.observations if o.skill in BY_ID)
        return [f"{BY_ID[k].title.lower()} {before[k].mastery:.0%} → {after[k].mastery:.0%}" for k in seen]
