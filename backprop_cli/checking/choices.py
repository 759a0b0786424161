"""Multiple choice: an option's letter, number or text."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from backprop_cli.checking.verdict import Mistake, Verdict, invalid


def check_choice(
    text: str, options: Sequence[str], correct: int, *, mistakes: Sequence[Mistake] = ()
) -> Verdict:
    """Mark a multiple-choice answer: the option's text, its letter (a, b, …) or its number (1, 2, …).

    ``correct`` is the 0-based index of the right option; the verdict's ``value`` is the
    0-based index of the option chosen. A mistake's ``value`` is the 0-based index of the
    wrong option it explains.
    """
    import sympy

    if not 0 <= correct < len(options):
        raise ValueError(f"correct={correct} is not an index into {len(options)} options")
    letters = [chr(ord("a") + i) for i in range(len(options))]
    if len(letters) > 1:
        listing = ", ".join(letters[:-1]) + " or " + letters[-1]
    else:
        listing = letters[0]
    ask = f"answer with a letter: {listing} (or the option's number or text)"
    if not isinstance(text, str) or len(text) > 500:
        return invalid(ask)
    chosen = _choice_index(text, options, letters)
    if chosen is None:
        return invalid(ask if text.strip() else "the answer is empty; " + ask)
    if chosen == correct:
        return Verdict("correct", value=sympy.Integer(chosen))
    for mistake in mistakes:
        if mistake.value == chosen:
            return Verdict("incorrect", mistake.feedback, value=sympy.Integer(chosen), mistake=mistake.name)
    return Verdict("incorrect", value=sympy.Integer(chosen))


def _choice_index(text: str, options: Sequence[str], letters: Sequence[str]) -> int | None:
    said = _plain(text)
    for i, option in enumerate(options):
        if said == _plain(option):
            return i
    said = said.strip("().:")
    if said in letters:
        return letters.index(said)
    if said.isdigit() and said.isascii() and 1 <= int(said) <= len(options):
        return int(said) - 1
    return None


def _plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())
