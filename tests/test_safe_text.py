"""Text printed from a learner or a file never carries a control character to the terminal, and an
output that cannot encode Unicode gets ASCII spellings instead of a UnicodeEncodeError."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.markdown import Markdown
from rich.table import Table
from rich.text import Text

from backprop_cli.render.safe_text import FALLBACK, ascii_spelling, clean, fold_width, one_line
from backprop_cli.render.theme import console

#: C0 and C1 controls and DEL, newline and tab excepted; and the bidirectional overrides.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

# Text that is mostly the troublesome characters: ESC, BEL, CSI/OSC pieces, C1, surrogates, bidi.
hostile_text = st.lists(
    st.one_of(
        st.sampled_from(["\x1b", "\x07", "\x9b", "\x9d", "[", "]", ";", "0", "2J", "\\", "\r", "\n", "\t",
                         "\x00", "\x7f", "\u202e", "\udce9", "m", "c", "P"]),
        st.characters(),
    ),
    max_size=40,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(hostile_text)
def test_cleaned_text_has_no_control_character_but_newline_and_tab(text):
    cleaned = clean(text)
    assert not FORBIDDEN.search(cleaned)
    assert clean(cleaned) == cleaned  # cleaning twice changes nothing (the console cleans nested renders)
    assert "\n" not in one_line(text) and "\t" not in one_line(text)


@settings(max_examples=150, deadline=None)
@given(hostile_text)
def test_nothing_the_console_prints_from_a_text_carries_a_control_character(text):
    out = io.StringIO()
    con = console(file=out, width=60)  # NO_COLOR is set by conftest: Rich adds no codes of its own
    con.print(Text(text))
    con.print(Markdown(text))
    table = Table("name")
    table.add_row(text)
    con.print(table)
    assert not FORBIDDEN.search(out.getvalue().replace("\n", ""))


@pytest.mark.parametrize(("raw", "shown"), [
    ("a\x1b]0;pwned\x07b", "apwnedb"),  # a window title: the introducer goes, the words stay visible
    ("\x1b[31mred\x1b[0m", "red"),  # a colour, wholly
    ("\x1b[2J\x1b[H", ""),  # clear screen, cursor home
    ("x\x1bcy", "xy"),  # ESC c resets the terminal
    ("\x9b2Jz", "z"),  # 8-bit CSI
    ("left\u202eright", "leftright"),  # a right-to-left override
    ("\udce9", "\ufffd"),  # an undecodable byte
    ("line one\n\tindented", "line one\n\tindented"),  # Markdown keeps its newlines and tabs
    ("∂L/∂ŷ = ŷ − y", "∂L/∂ŷ = ŷ − y"),  # ordinary text untouched
])
def test_clean_examples(raw, shown):
    assert clean(raw) == shown


def test_a_lesson_title_with_an_escape_reaches_the_console_without_it():
    out = io.StringIO()
    console(file=out, width=80).print(Markdown("# Evil \x1b]0;pwned\x07 lesson\n\nText \x1b[31mred\x1b[0m."))
    printed = out.getvalue()
    assert "\x1b" not in printed and "\x07" not in printed
    assert "pwned" in printed and "lesson" in printed and "red" in printed  # the rest of the text survives


@pytest.mark.parametrize(("text", "ascii"), [
    ("∂L/∂w1 = ∂L/∂ŷ · ∂ŷ/∂w1", "dL/dw1 = dL/dy_hat * dy_hat/dw1"),
    ("σ(z)·(1 − σ(z))", "sigmoid(z)*(1 - sigmoid(z))"),  # as a learner types it
    ("3·x² − 6·x + 2", "3*x^2 - 6*x + 2"),
    ("5.5×10⁻¹⁰", "5.5*10^-10"),  # a run of superscripts is one exponent
    ("xⁿ", "x^n"),
    ("Σ ∂L/∂w·Δw", "sum dL/dw*delta_w"),
    ("∇f", "grad f"),
    ("w ← w − α·∂L/∂w", "w <- w - alpha*dL/dw"),
    ("└── a │ b ┤", "+-- a | b +"),
    ("✓ done", "ok done"),
    ("f′(x) — slope", "f'(x) - slope"),
    ("y\u0302", "y_hat"),  # a decomposed ŷ
    ("w₁", "w1"),
])
def test_ascii_spellings(text, ascii):
    assert ascii_spelling(text) == ascii


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_the_fallback_encodes_anything_in_ascii_and_latin_1(text):
    text = clean(text)
    assert text.encode("ascii", FALLBACK).decode("ascii").isascii()
    text.encode("latin-1", FALLBACK)  # never raises


def test_the_fallback_keeps_what_latin_1_can_print():
    assert "x² · 3 − 1".encode("latin-1", FALLBACK).decode("latin-1") == "x² · 3 - 1"


def test_full_width_forms_fold_to_ascii():
    assert fold_width("ｘ＋２（ｙ）　ｈｉｎｔ") == "x+2(y) hint"
    assert fold_width("x² ½ ŷ") == "x² ½ ŷ"  # only the full-width block: superscripts mean something
