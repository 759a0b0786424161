"""Names in a formula: the suggestions for an unknown one, the learner's run-together ``w1x1`` read
as w1·x1, and the strict reading of a formula an author wrote in a file (no splitting, every unknown
name reported, a product of names written with ``*``). Used by :mod:`backprop_cli.expressions` only.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import Any

from backprop_cli.errors import ExpressionError
from backprop_cli.mathfunctions import FUNCTIONS


def suggest(name: str, known: Collection[str], cutoff: float = 0.6) -> str:
    lowered = {k.lower(): k for k in known}
    if name.lower() in lowered:
        return f"; names are case-sensitive: did you mean '{lowered[name.lower()]}'?"
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=cutoff)
    return f"; did you mean '{close[0]}'?" if close else ""


def split_names(tokens: Sequence[Any], known: Collection[str], constants: Collection[str]) -> list[Any]:
    """``2xy`` for 2·x·y: an unknown name that splits wholly into known names becomes those names."""
    out: list[Any] = []
    for tok in tokens:
        parts = None
        if tok.kind == "name" and tok.text not in known and tok.text not in FUNCTIONS and tok.text not in constants:
            parts = split_word(tok.text, known)
        if parts and len(parts) > 1:
            column = tok.column
            for part in parts:
                out.append(replace(tok, text=part, column=column, shown=part))
                column += len(part)
        else:
            out.append(tok)
    return out


def split_word(word: str, known: Collection[str]) -> list[str] | None:
    """``xy`` → ``[x, y]`` when every piece is a known name (longest pieces first); else None."""
    if not word:
        return []
    for end in range(len(word), 0, -1):
        head = word[:end]
        if head in known:
            rest = split_word(word[end:], known)
            if rest is not None:
                return [head, *rest]
    return None


class NameErrors(ExpressionError):
    """Every unknown name of one formula (a file's formula: one unknown name does not hide the next)."""

    def __init__(self, errors: list[ExpressionError]):
        self.errors = errors
        super().__init__("; ".join(e.message for e in errors), errors[0].column)


def strict_names(tokens: Sequence[Any], known: Collection[str], constants: Collection[str]) -> None:
    """A file's formula: every name must be known as written; a run-together ``new_ww`` is not read
    as ``new_w·w`` but refused, with the product spelled out (and a close name, if there is one)."""
    errors: list[ExpressionError] = []
    for index, tok in enumerate(tokens):
        if tok.kind != "name" or tok.text in known or tok.text in FUNCTIONS or tok.text in constants:
            continue
        parts = split_word(tok.text, known)
        if parts and len(parts) > 1:
            close = suggest(tok.text, known, cutoff=0.8)  # new_ww: new_w; w1x1: not x1
            errors.append(ExpressionError(f"unknown name '{tok.text}'{close or ';'} write {'*'.join(parts)} "
                                          "if you mean a product", tok.column))
            continue
        try:
            unknown(tokens, index, known)
        except ExpressionError as exc:
            errors.append(exc)
    if errors:
        raise NameErrors(errors)


def unknown(tokens: Sequence[Any], index: int, known: Collection[str]) -> None:
    """Raise the error for an unknown name (or function) at ``tokens[index]``."""
    tok = tokens[index]
    called = index + 1 < len(tokens) and tokens[index + 1].text == "("
    if called and len(tok.text) > 1 and not suggest(tok.text, known):
        hint = suggest(tok.text, FUNCTIONS) or "; the functions are " + ", ".join(sorted(FUNCTIONS))
        raise ExpressionError(f"unknown function '{tok.text}'{hint}", tok.column)
    hint = suggest(tok.text, [*known, *FUNCTIONS])
    raise ExpressionError(f"unknown name '{tok.text}'{hint}", tok.column)


def strict_product(previous: Any, tok: Any) -> None:
    """In a file, only a number or a closing bracket may stand before a factor without ``*``."""
    if previous.kind == "number" or previous.text == ")":
        return
    if tok.text == "(":
        raise ExpressionError(f"write {previous.said}*(…) for a product: in a file a name is not "
                              f"multiplied by the bracket after it ('{previous.said}' is not a function)", tok.column)
    raise ExpressionError(f"write {previous.said}*{tok.said} for a product: in a file names standing side "
                          "by side are not multiplied", tok.column)
