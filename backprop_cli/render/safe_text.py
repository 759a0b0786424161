"""Text that is safe to print, whatever it came from and wherever it goes.

Three jobs, no Rich and no heavy imports (``cli.main`` uses this before anything else):

- :func:`clean` takes control characters out of text that came from a learner or a file (an
  answer echoed from a pipe, a lesson's Markdown, an error quoting a file), so an escape sequence
  such as ``\\e]0;title\\a`` cannot retitle, recolour or clear the learner's terminal. Newlines
  and tabs stay: lesson Markdown needs them.
- :func:`ascii_spelling` writes the tool's notation in plain ASCII (``∂L/∂w1`` → ``dL/dw1``,
  ``σ`` → ``sigmoid``, ``ŷ`` → ``y_hat``, ``x²`` → ``x^2``, box drawing → ``-|+``: the spellings
  a learner types, so an ASCII transcript can be typed back), and
  :func:`install_fallback` makes stdout and stderr use it for every character their encoding
  cannot take (``PYTHONIOENCODING=ascii``, a latin-1 terminal), instead of ending in
  ``UnicodeEncodeError``.
- :func:`fold_width` reads full-width forms typed with an East Asian input method (``２``,
  ``ｘ``, ``（``) as the ASCII they stand for.
"""

from __future__ import annotations

import codecs
import re
import sys
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing_extensions import Buffer

#: An escape sequence: a CSI (colours, cursor moves, clear screen) as a whole, since its end is
#: well defined; of an OSC (window title, hyperlink, clipboard) or a DCS/SOS/PM/APC string only the
#: introducer, so its payload shows as plain text (Rich drops the BEL that would end it before we
#: see the text, so "up to the end" could swallow the rest of a lesson); ESC and one more character
#: (ESC c resets the terminal, ESC \ ends a string). The 8-bit C1 forms go with the other controls.
_ESCAPE = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]?    # CSI
  | \x1b\][0-9;]*             # OSC introducer and its parameters
  | \x1b[ -/]*[0-~]?           # ESC and its final character (ESC P, X, ^, _ introduce strings)
  | \x9b[0-?]*[ -/]*[@-~]?      # 8-bit CSI
    """,
    re.VERBOSE,
)
#: C0 controls but newline and tab, DEL, C1 controls, and the bidirectional overrides that can
#: make printed text read differently from what it is (U+202A-U+202E, U+2066-U+2069).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(text: str) -> str:
    """``text`` without control characters or escape sequences; newlines and tabs are kept.

    A lone surrogate (an undecodable byte read with ``surrogateescape``) becomes U+FFFD.
    """
    text = str(text)
    if text.isprintable():  # the common case: nothing to do
        return text
    text = _ESCAPE.sub("", text)
    text = _CONTROL.sub("", text)
    return _SURROGATE.sub("\ufffd", text)


def one_line(text: str) -> str:
    """:func:`clean`, and newlines and tabs made spaces: for echoing one answer or one error."""
    return clean(text).replace("\r", " ").replace("\n", " ").replace("\t", " ")


# --- full-width input -------------------------------------------------------------------------

_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = ord(" ")  # the ideographic space


def fold_width(text: str) -> str:
    """Full-width ASCII forms (U+FF01-U+FF5E, the ideographic space) as plain ASCII: ``ｘ＋２`` → ``x+2``."""
    return text.translate(_FULL_WIDTH)


# --- ASCII spellings for an output that cannot take Unicode -----------------------------------

ASCII_SPELLINGS: dict[str, str] = {
    "∂": "d", "σ": "sigmoid", "ŷ": "y_hat", "α": "alpha", "η": "eta", "π": "pi", "θ": "theta",
    "λ": "lambda", "μ": "mu", "ε": "epsilon", "√": "sqrt",
    "·": "*", "⋅": "*", "×": "*", "∗": "*", "÷": "/", "⁄": "/", "−": "-", "–": "-", "—": "-",
    "‐": "-", "‑": "-", "±": "+/-", "≈": "~", "≤": "<=", "≥": ">=", "≠": "!=", "∞": "inf",
    "→": "->", "←": "<-", "↑": "^", "↓": "v", "⇒": "=>", "…": "...", "⋮": ":", "′": "'", "″": "''",
    "‘": "'", "’": "'", "“": '"', "”": '"', "›": ">", "‹": "<", "«": "<<", "»": ">>",
    "✓": "ok", "✔": "ok", "✗": "x", "✘": "x", "•": "*", "●": "o", "○": "o", "◆": "*", "■": "#",
    "½": "1/2", "¼": "1/4", "¾": "3/4", "°": " deg", "\u00a0": " ", "\u0302": "_hat", "\ufffd": "?",
}
_OPERATORS = {"Σ": "sum", "∑": "sum", "∇": "grad"}
_BOX_HORIZONTAL = set("─━═╌╍┄┅┈┉╴╶╸╺")
_BOX_VERTICAL = set("│┃║╎╏┆┇┊┋╵╷╹╻")
_SHADES = {"█": "#", "▓": "#", "▒": "+", "░": ".", "▀": "^", "▄": "_", "▌": "|", "▐": "|"}


def _superscript(ch: str) -> str | None:
    """The plain character a superscript stands for (``²`` → ``2``, ``ⁿ`` → ``n``), else None."""
    if len(ch) == 1 and unicodedata.decomposition(ch).startswith("<super>"):
        plain = unicodedata.normalize("NFKC", ch)
        return ASCII_SPELLINGS.get(plain, plain)  # ⁻ is a raised − , spelt -
    return None


def _one(ch: str, following: str) -> str:
    if ch in ASCII_SPELLINGS:
        return ASCII_SPELLINGS[ch]
    if ch == "Δ":  # Δw1 → delta_w1; a lone Δ (a column heading) → delta
        return "delta_" if following.isalnum() else "delta"
    if ch in _OPERATORS:  # ∇f → grad f, Σ ∂L → sum dL
        return _OPERATORS[ch] + (" " if following.isalnum() else "")
    if ch in _BOX_HORIZONTAL:
        return "-"
    if ch in _BOX_VERTICAL:
        return "|"
    if "\u2500" <= ch <= "\u257f":  # corners and junctions
        return "+"
    if ch in _SHADES or "\u2580" <= ch <= "\u259f":
        return _SHADES.get(ch, "#")
    if "\u2800" <= ch <= "\u28ff":  # braille plot dots
        return "." if ch != "\u2800" else " "
    if "\ud800" <= ch <= "\udfff":
        return "?"
    plain = unicodedata.normalize("NFKD", ch)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    if plain and plain.isascii() and plain.isprintable():
        return plain  # é → e, ｘ → x, ₁ → 1
    return "?"


def _spell(text: str, start: int, end: int) -> tuple[str, int]:
    """ASCII for ``text[start:end]``, running on past ``end`` while a superscript continues
    (so ``10⁻¹⁰`` is ``10^-10`` even where ``¹`` alone could be printed); returns (ascii, new end)."""
    out: list[str] = []
    i = start
    while i < end or (i < len(text) and i > start and _superscript(text[i]) and _superscript(text[i - 1])):
        ch = text[i]
        raised = _superscript(ch)
        if raised is not None:
            previous = text[i - 1] if i > 0 else ""
            out.append(raised if _superscript(previous) else "^" + raised)
        else:
            out.append(_one(ch, text[i + 1] if i + 1 < len(text) else ""))
        i += 1
    return "".join(out), i


def ascii_spelling(text: str) -> str:
    """``text`` with every non-ASCII character spelt in ASCII: ``∂L/∂w1 = ŷ − y`` → ``dL/dw1 = y_hat - y``."""
    text = unicodedata.normalize("NFC", text)
    if text.isascii():
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i].isascii():
            out.append(text[i])
            i += 1
            continue
        end = i + 1
        while end < len(text) and not text[end].isascii():
            end += 1
        spelt, i = _spell(text, i, end)
        out.append(spelt)
    return "".join(out)


FALLBACK = "backprop-ascii"


def _fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    spelt, end = _spell(exc.object, exc.start, exc.end)
    try:
        spelt.encode(exc.encoding)
    except (UnicodeError, LookupError):
        spelt = spelt.encode("ascii", "replace").decode("ascii")
    return spelt, end


codecs.register_error(FALLBACK, _fallback)


class _AsciiEncoder(codecs.IncrementalEncoder):
    def encode(self, input: str, final: bool = False) -> bytes:
        return codecs.ascii_encode(input, FALLBACK)[0]


class _AsciiDecoder(codecs.IncrementalDecoder):
    def decode(self, input: Buffer, final: bool = False) -> str:
        return codecs.ascii_decode(bytes(input), self.errors)[0]


def _search(name: str) -> codecs.CodecInfo | None:
    if name.replace("-", "_") != FALLBACK.replace("-", "_"):
        return None
    return codecs.CodecInfo(
        name=FALLBACK,
        encode=lambda text, errors="strict": (codecs.ascii_encode(text, FALLBACK)[0], len(text)),
        decode=codecs.ascii_decode,
        incrementalencoder=_AsciiEncoder,
        incrementaldecoder=_AsciiDecoder,
    )


codecs.register(_search)


def install_fallback(*streams) -> None:
    """Make ``streams`` (default: stdout and stderr) spell in ASCII what their encoding cannot
    take, rather than raise. Harmless on UTF-8 streams (a lone surrogate becomes '?').

    A plain ``ascii`` stream is switched to an ASCII codec of our own name: Click takes a stream
    that says "ascii" for a misconfigured one and writes UTF-8 to it behind its back (``--help``).
    """
    for stream in streams or (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            if codecs.lookup(stream.encoding or "utf-8").name == "ascii":
                reconfigure(encoding=FALLBACK, errors=FALLBACK)
            else:
                reconfigure(errors=FALLBACK)
        except (ValueError, OSError, AttributeError, LookupError):  # closed, or not a real TextIOWrapper
            pass


def can_encode(text: str, stream=None) -> bool:
    """Whether ``stream`` (default stdout) can print ``text`` as it is."""
    encoding = getattr(stream or sys.stdout, "encoding", None) or "utf-8"
    if encoding == FALLBACK:  # our ASCII codec never fails: ask what plain ASCII can take
        encoding = "ascii"
    try:
        text.encode(encoding)
    except (UnicodeError, LookupError):
        return False
    return True
