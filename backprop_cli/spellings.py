"""What learners type, as the formula grammar reads it: ``σ`` → sigmoid, ``·`` → *, ``x¹⁰`` → x**10,
``½`` → (1/2), full-width ``３ｘ`` → 3x (NFKC), each character's column kept for messages.

Used by :mod:`backprop_cli.expressions` only; no SymPy here.
"""

from __future__ import annotations

import unicodedata

from backprop_cli.errors import ExpressionError

#: Spellings learners type, mapped to what the grammar reads.
_REPLACEMENTS = [
    ("^", "**"),
    ("·", "*"),
    ("⋅", "*"),
    ("×", "*"),
    ("∗", "*"),
    ("−", "-"),
    ("–", "-"),
    ("÷", "/"),
    ("σ", "sigmoid"),
    ("ŷ", "y_hat"),
    ("α", "alpha"),
    ("π", "pi"),
    ("√", "sqrt "),
]

_SPELLINGS = dict(_REPLACEMENTS)  # every spelling is one character


def normalise(text: str) -> str:
    """Apply the learner-friendly spellings (NFC first, so a composed ŷ is one character)."""
    return normalise_mapped(text)[0]


def _raised(ch: str) -> str | None:
    """What a superscript character stands for (``²`` → ``2``, ``⁻`` → ``-``, ``ⁿ`` → ``n``), else None."""
    if len(ch) != 1 or not unicodedata.decomposition(ch).startswith("<super>"):
        return None
    plain = unicodedata.normalize("NFKC", ch)
    return _SPELLINGS.get(plain, plain)


def _spelt(ch: str, previous: str, column: int) -> str:
    """One character of the learner's text as the grammar reads it.

    Our spellings first (σ, ŷ, ·, −), then superscripts as powers (a run is one exponent:
    ``x¹⁰`` is x**10, ``x⁻¹`` is x**-1), then vulgar fractions (``½`` is (1/2)), then NFKC for
    everything else, so full-width ``２`` and ``ｘ`` and subscript ``w₁`` read as 2, x and w1
    (but not the styled maths letters: ``𝐱`` is refused, not read as x).
    """
    if ch in _SPELLINGS:
        return _SPELLINGS[ch]
    raised = _raised(ch)
    if raised is not None:
        return raised if _raised(previous) is not None else "**" + raised
    if unicodedata.decomposition(ch).startswith("<fraction>"):
        fraction = unicodedata.normalize("NFKC", ch).replace("\u2044", "/")
        if previous.isdigit():
            whole = unicodedata.normalize("NFKC", previous)
            raise ExpressionError(f"write a mixed number as a sum: {whole} + {fraction}, not {previous}{ch}", column)
        return f"({fraction})"
    if "\U0001d400" <= ch <= "\U0001d7ff":  # styled maths letters: bold 𝐱 is a vector, not x
        return ch
    plain = unicodedata.normalize("NFKC", ch)
    return _SPELLINGS.get(plain, plain)  # full-width ＾ is ^, read as **


def normalise_mapped(text: str) -> tuple[str, list[int], str]:
    """(normalised text, the 1-based column each of its characters came from, the NFC original)."""
    if text.isascii():  # most input: of ASCII only ^ is spelt otherwise (no Unicode tables needed)
        if "^" not in text:  # each character is itself, in its own column
            stripped = text.strip()
            lead = len(text) - len(text.lstrip())
            return stripped, list(range(lead + 1, lead + 1 + len(stripped))), text
        return _stripped(["**" if ch == "^" else ch for ch in text], text)
    original = unicodedata.normalize("NFC", text)
    return _stripped([_spelt(ch, original[i - 1] if i else "", i + 1) for i, ch in enumerate(original)], original)


def _stripped(spelt: list[str], original: str) -> tuple[str, list[int], str]:
    """The spelt characters joined and stripped, with the column each character came from."""
    origin: list[int] = []
    for i, new in enumerate(spelt):
        origin.extend([i + 1] * len(new))
    joined = "".join(spelt)
    lead = len(joined) - len(joined.lstrip())
    stripped = joined.strip()
    return stripped, origin[lead:lead + len(stripped)], original
