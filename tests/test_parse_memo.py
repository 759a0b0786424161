"""The parse memo and the parser's fast paths give what the parser itself gives: a formula read
again with more names, one signed number, ASCII input (see expressions.parse and spellings)."""

from __future__ import annotations

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_cli import expressions

_TEXTS = st.lists(st.sampled_from(["x", "y", "xy", "w1", "x1", "e", "pi", "exp", "sigmoid", "2", "0.5", "1e3",
                                   "-", "+", "*", "/", "^", "(", ")", " ", "σ", "ŷ", "y_hat", "=", ","]),
                  min_size=1, max_size=8).map("".join)
_NAMES = st.lists(st.sampled_from(["x", "y", "xy", "w1", "x1", "e", "exp", "y_hat"]), unique=True)


def _outcome(parse, *args, **kwargs):
    try:
        return parse(*args, **kwargs)
    except expressions.ExpressionError as error:
        return ("error", error.message)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_TEXTS, _NAMES, st.booleans(), st.booleans()), min_size=1, max_size=6))
def test_a_remembered_parse_is_the_parse_of_the_same_text_with_these_names(calls):
    """The memo keys a formula by the names it uses when all are known (a lesson's formula read again
    after more names were defined); whatever was parsed before, with whichever names, the answer is
    the parse itself. Symbols given by name or as a mapping; strict and not."""
    for text, names, strict, as_mapping in calls:
        given = {n: expressions.symbol(n) for n in names} if as_mapping else names
        remembered = _outcome(expressions.parse, text, given, strict=strict)
        fresh = _outcome(expressions._parse, text, given, max_length=expressions.MAX_LENGTH, strict=strict)
        assert remembered == fresh, (text, names, strict)


def test_one_signed_number_is_read_as_the_grammar_reads_it():
    for text in ("0.25", "-0.171", "+3", " - 2.5e-3 ", "-0", "007", ".5"):
        quick = expressions._parse(text, (), max_length=100, strict=False)
        by_grammar = expressions._parse(f"({text})", (), max_length=100, strict=False)
        assert quick.expr == by_grammar.expr and type(quick.expr) is type(by_grammar.expr), text
        assert quick.literal == text.replace(" ", "").replace("+", "") and quick.names == frozenset()
    with pytest.raises(expressions.ExpressionError, match="digits"):
        expressions.parse("1" * 400, ())


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_ascii_input_is_spelt_as_character_by_character(text):
    """ASCII skips the Unicode tables: the same text, columns and original as the general route."""
    import unicodedata

    from backprop_cli import spellings

    original = unicodedata.normalize("NFC", text)
    general = spellings._stripped([spellings._spelt(ch, original[i - 1] if i else "", i + 1)
                                   for i, ch in enumerate(original)], original)
    assert spellings.normalise_mapped(text) == general


def test_a_formula_read_again_with_more_names_is_remembered_and_one_with_an_unknown_name_is_not():
    x0, a, b = (expressions.symbol(n) for n in ("x0", "a", "b"))
    first = expressions.parse("2*x0 + sigmoid(x0) - pi", {"x0": x0, "a": a})
    assert expressions.parse("2*x0 + sigmoid(x0) - pi", {"x0": x0, "a": a, "b": b}) is first
    listed = expressions.parse("2*x0 + sigmoid(x0) - pi", ["x0", "b"])
    assert listed is not first  # names listed, not mapped: another key
    assert expressions.parse("2*x0 + sigmoid(x0) - pi", ["x0", "a", "b"]) is listed
    xy = expressions.parse("2xy", ["x", "y"])  # an unknown word: split by the names known here
    assert expressions.parse("2xy", ["x", "y", "xy"]).expr == 2 * expressions.symbol("xy") != xy.expr
    assert expressions.parse("2xy", ["x", "y", "z"]).expr == xy.expr
    assert expressions.parse("x" * 30, ["x"], max_length=30) is expressions.parse("x" * 30, ["x"], max_length=30)


def test_parse_remembers_by_everything_the_result_depends_on():
    x_real, x_plain = sympy.Symbol("x", real=True), sympy.Symbol("x")
    first = expressions.parse("2x + 1", {"x": x_real})
    assert expressions.parse("2x + 1", {"x": x_real}) is first  # remembered
    assert expressions.parse("2x + 1", {"x": x_plain}).expr.free_symbols == {x_plain}  # other symbols
    w1, x1 = expressions.symbol("w1"), expressions.symbol("x1")
    assert expressions.parse("w1x1", {"w1": w1, "x1": x1}).expr == w1 * x1  # a learner's product ...
    with pytest.raises(expressions.ExpressionError):
        expressions.parse("w1x1", {"w1": w1, "x1": x1}, strict=True)  # ... is an author's typo
    with pytest.raises(expressions.ExpressionError):
        expressions.parse("2x + 1", ("x",), max_length=3)
    assert expressions.parse("2x + 1", ("x",)).expr == 2 * expressions.symbol("x") + 1


def test_the_memo_is_bounded():
    for k in range(expressions.PARSE_MEMO_SIZE + 10):
        expressions.parse(str(k), ())
    assert len(expressions._parsed_memo) == expressions.PARSE_MEMO_SIZE  # full, and no fuller
    remembered = {key[0] for key in expressions._parsed_memo}
    assert "0" not in remembered and str(expressions.PARSE_MEMO_SIZE + 9) in remembered  # the oldest went


def test_a_parse_with_many_names_is_not_remembered():
    """A network's 4,000 names in every key made `step` on a 2-64-64-1 network peak at 254 MB."""
    many = [f"w{k}" for k in range(expressions.MEMO_MAX_NAMES + 1)]
    expressions._parsed_memo.clear()  # room for one more, whatever ran before
    before = len(expressions._parsed_memo)
    parsed = expressions.parse("w1*w2 + 17", many)
    assert parsed.expr == expressions._parse("w1*w2 + 17", many, max_length=expressions.MAX_LENGTH, strict=False).expr
    assert len(expressions._parsed_memo) == before
    expressions.parse("w1*w2 + 17", many[: expressions.MEMO_MAX_NAMES])
    assert len(expressions._parsed_memo) == before + 1


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_a_printable_text_has_no_control_character(text):
    """The parser skips the walk through each character when ``str.isprintable`` says the text is
    printable: that must never let a control character (category Cc, tab aside) through."""
    import unicodedata

    if text.isprintable():
        assert not any(unicodedata.category(ch) == "Cc" for ch in text)
