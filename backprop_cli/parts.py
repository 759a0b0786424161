"""Working a composite question out one part at a time (a scaffold), inside a lesson session.

The session hands the learner to a :class:`PartsWalk` when they ask for the parts (offered after two
misses), and takes them back when the walk ends: each part is asked and checked like a number
question (two misses, or ``skip``, show its value and move on, so a scaffold never traps anyone),
``hint`` shows the part's formula, ``back`` returns to the question at once. No I/O: events out.
"""

from __future__ import annotations

from backprop_cli import notation
from backprop_cli.course.scaffolds import Scaffold
from backprop_cli.interaction import Ask, Event, Feedback, Hint, Say, command_of

MISSES_PER_PART = 2


class PartsWalk:
    def __init__(self, scaffold: Scaffold, question_number: int):
        self.scaffold = scaffold
        self.number = question_number
        self.index = 0
        self.misses = 0
        self.done = False

    def start(self) -> list[Event]:
        n = len(self.scaffold.parts)
        names = ", ".join(p.label for p in self.scaffold.parts)
        return [Say(f"Question {self.number} in {n} parts: {names}; then {self.scaffold.combine}.", "note"),
                self._ask()]

    def answer(self, line: str) -> list[Event]:
        command = command_of(line)
        if command == "back":
            return self._end("Back to the whole question.")
        if command == "hint":
            part = self.scaffold.parts[self.index]
            if part.given:
                text = f"Put in the values from the forward pass: {part.given}."
            else:
                text = f"{part.label} was worked out earlier in the lesson: scroll back, or type skip."
            return [Hint(text, 1, 1)]
        if command == "skip":
            return self._reveal(skipped=True)
        return self._check(line)

    def _ask(self) -> Ask:
        part = self.scaffold.parts[self.index]
        return Ask(f"Part {self.index + 1} of {len(self.scaffold.parts)} of question {self.number} · "
                   "answer with a number", part.prompt, "number", (), 1)

    def _check(self, line: str) -> list[Event]:
        from backprop_cli import checking

        part = self.scaffold.parts[self.index]
        verdict = checking.check_number(line, part.expected)
        if verdict.status == "invalid":
            return [Feedback("invalid", verdict.message, verdict.read_as)]
        if verdict.correct:
            return [Feedback("correct", "", verdict.read_as), *self._next()]
        self.misses += 1
        if self.misses >= MISSES_PER_PART:
            return [Feedback("incorrect", verdict.message, verdict.read_as), *self._reveal(skipped=False)]
        return [Feedback("incorrect", verdict.message, verdict.read_as)]

    def _reveal(self, *, skipped: bool) -> list[Event]:
        part = self.scaffold.parts[self.index]
        from backprop_cli.course.lesson import display_value

        value = notation.number(display_value(part.expected), 6)
        lead = "Skipped: " if skipped else "It is "
        return [Say(f"{lead}{part.label} = {value}.", "note"), *self._next()]

    def _next(self) -> list[Event]:
        self.index += 1
        self.misses = 0
        if self.index < len(self.scaffold.parts):
            return [self._ask()]
        return self._end(f"All parts done. Now {self.scaffold.combine}.")

    def _end(self, message: str) -> list[Event]:
        self.done = True
        return [Say(message, "note")]
