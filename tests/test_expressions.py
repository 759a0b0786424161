"""The safe formula parser: what learners and network files may write, and what is refused.

Accepted spellings are compared with SymPy expressions built here directly; refused inputs
must give one clear message (exact text for the main cases), and random text must never
raise anything but ExpressionError.
"""

from __future__ import annotations

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_cli.errors import ExpressionError, UsageError
from backprop_cli.expressions import MAX_LENGTH, Parsed, parse, parse_number, symbol
from backprop_cli.mathfunctions import relu, sigmoid

NAMES = ["x", "y", "z", "w1", "w2", "y_hat", "h1", "alpha"]
x, y, z, w1, w2, y_hat, h1, alpha = (symbol(n) for n in NAMES)
R = sympy.Rational

ACCEPTED = [
    ("x^2", x**2),
    ("x**2", x**2),
    ("x²", x**2),
    ("x³ − 1", x**3 - 1),
    ("3x", 3 * x),
    ("3 x", 3 * x),
    ("2(x+1)", 2 * x + 2),
    ("(x+1)(x-1)", (x + 1) * (x - 1)),
    ("x y", x * y),
    ("2·x", 2 * x),
    ("2⋅x", 2 * x),
    ("2×x", 2 * x),
    ("x ÷ 2", x / 2),
    ("−x", -x),
    ("x – 1", x - 1),
    ("+-x", -x),
    ("σ(z)", sigmoid(z)),
    ("sigmoid(z)", sigmoid(z)),
    ("ŷ(1 − ŷ)", y_hat * (1 - y_hat)),
    ("ŷ·(1−ŷ)", y_hat * (1 - y_hat)),
    ("y_hat - y", y_hat - y),
    ("(y - y_hat)^2 / 2", (y - y_hat) ** 2 / 2),
    ("α", alpha),
    ("w1 - α*x", w1 - alpha * x),
    ("e^x", sympy.exp(x)),
    ("exp(x)", sympy.exp(x)),
    ("ln(x)", sympy.log(x)),
    ("log(x)", sympy.log(x)),
    ("√(x)", sympy.sqrt(x)),
    ("sqrt(x)", sympy.sqrt(x)),
    ("x^(1/2)", sympy.sqrt(x)),
    ("tanh(x)", sympy.tanh(x)),
    ("relu(x)", relu(x)),
    ("relu(-1)", 0),
    ("σ(0)", R(1, 2)),
    ("pi", sympy.pi),
    ("π", sympy.pi),
    ("1/3", R(1, 3)),
    ("0.1", R(1, 10)),
    (".5", R(1, 2)),
    ("1e-3", R(1, 1000)),
    ("2.5E2", 250),
    ("x**-1", 1 / x),
    ("2^0.5", sympy.sqrt(2)),
    ("0^0", 1),
    ("w1*x + w2*h1", w1 * x + w2 * h1),
    ("2(x+1)^2", 2 * (x + 1) ** 2),
    ("(x)(y)", x * y),
    ("\tx + 1 ", x + 1),
    ("ŷ", y_hat),  # composed by NFC
    # NFKC: full-width digits, letters and operators as typed with an East Asian input method
    ("２", 2),
    ("ｘ", x),
    ("３ｘ＾２ − ６ｘ", 3 * x**2 - 6 * x),
    ("ｗ１＊ｘ", w1 * x),
    ("w₁·x", w1 * x),  # a subscript is the plain digit
    # a run of superscripts is one exponent, not a tower: x¹⁰ is x**10, not x**1**0
    ("x¹⁰", x**10),
    ("x⁻¹", 1 / x),
    ("x²³", x**23),
    ("2x² + x³", 2 * x**2 + x**3),
    # vulgar fractions are their value
    ("½", R(1, 2)),
    ("½(y − ŷ)²", (y - y_hat) ** 2 / 2),
    ("¾x", R(3, 4) * x),
    ("x^½", sympy.sqrt(x)),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_accepted_spellings(text, expected):
    parsed = parse(text, NAMES)
    assert isinstance(parsed, Parsed)
    assert sympy.simplify(parsed.expr - expected) == 0, parsed.expr
    assert parsed.names <= set(NAMES)
    assert parsed.names == {s.name for s in sympy.sympify(expected).free_symbols}


def test_symbols_are_real_and_shared_across_calls():
    a = parse("w1*x", NAMES).expr
    b = parse("x*w1", {"x": x, "w1": w1}).expr
    assert a == b == w1 * x
    assert all(s.is_real for s in a.free_symbols)


@pytest.mark.parametrize(
    ("text", "literal"),
    [("0.50", "0.50"), ("-0.45295", "-0.45295"), ("+3", "3"), ("1e-3", "1e-3"), ("2x", None), ("1/2", None),
     ("−0.5", "-0.5")],
)
def test_literal_keeps_the_digits_as_typed(text, literal):
    assert parse(text, NAMES).literal == literal


# (text, exact message, column or None)
REFUSED = [
    ("", "the input is empty", None),
    ("   ", "the input is empty", None),
    ("q + 1", "unknown name 'q'", 1),
    ("x + wl", "unknown name 'wl'", 5),
    ("y_ht - y", "unknown name 'y_ht'; did you mean 'y_hat'?", 1),
    ("X", "unknown name 'X'; names are case-sensitive: did you mean 'x'?", 1),
    ("sin(x)", "unknown function 'sin'; the functions are exp, ln, log, relu, sigmoid, sqrt, tanh", 1),
    ("sigmod(x)", "unknown function 'sigmod'; did you mean 'sigmoid'?", 1),
    ("sigmoid x", "'sigmoid' needs brackets, as in sigmoid(z)", 9),
    ("exp", "'exp' needs brackets, as in exp(z)", 1),
    ("exp()", "exp() takes exactly one argument", None),
    ("sigmoid(x, y)", "sigmoid() takes exactly one argument", None),
    ("__import__('os')", "unexpected character '_'", 1),
    ("x.real", "unexpected character '.'", 2),
    ("x[0]", "unexpected character '['", 2),
    ("lambda: 1", "unexpected character ':'", 7),
    ("x; y", "unexpected character ';'", 2),
    ("x = 1", "type just the value or the formula, not an equation (no '=')", 3),
    ("x % 2", "unexpected character '%'", 3),
    ("x @ y", "unexpected character '@'", 3),
    ("'x'", "write the formula itself (for example 3x^2), not f'(x)", 1),
    # columns and spellings are the learner's own, not those of the normalised text
    ("3x^^2", "'^' followed by '^' at column 4", None),
    ("σ(1-σ)", "'σ' needs brackets, as in σ(z)", 6),
    ("σ(q)(1-σ(q))", "unknown name 'q'", 3),
    ("  w1 + W2", "unknown name 'W2'; names are case-sensitive: did you mean 'w2'?", 8),
    ("x\x00", "the input contains control characters", None),
    ("3½", "write a mixed number as a sum: 3 + 1/2, not 3½", 2),  # not 3·½, which would be 1.5
    ("x\udce9", "byte 0xE9 is not valid UTF-8", 2),  # read with surrogateescape: named as the byte
    ("\U0001d431", "unexpected character '\U0001d431'", 1),  # bold 𝐱 is a vector, not x
    ("x\n+1", "the input contains control characters", None),
    ("x // 2", "'/' followed by '/' at column 4", None),
    ("x**", "the formula ends with '**'", None),
    ("(x + 1", "a bracket '(' is never closed", None),
    ("x + 1)", "there is a ')' without its '('", None),
    ("2 3", "two numbers in a row at column 3: is an operator missing?", None),
    ("x/0", "division by zero", None),
    ("1/(x - x)", "division by zero", None),
    ("0^-1", "division by zero (0 to a negative power)", None),
    ("log(0)", "log of a number that is not positive", None),
    ("ln(-1)", "log of a number that is not positive", None),
    ("sqrt(-1)", "square root of a negative number", None),
    ("(-1)^0.5", "a negative number to a fractional power is not real", None),
    ("exp(100000)", "exp() of that number is too large", None),
    ("exp(exp(exp(10)))", "exp() of that number is too large", None),
    ("9**9**9**9", "that power is far too large", None),
    ("2^2^2^2^2", "that power has more than 400 digits; use smaller numbers", None),
    ("x^1000", "exponents above 100 are not supported", None),
    ("1e999", "the number 1e999 is too large or too small", None),
    ("1" * 41, "the number 11111111111111111111... has more than 40 digits", None),
    ("(" * 31 + "x" + ")" * 31, "too deeply nested (more than 30 brackets)", None),
    ("x + 2 $", "unexpected character '$'", 7),  # the last character's column is still known
    ("x" * (MAX_LENGTH + 1), f"the input is too long ({MAX_LENGTH + 1} characters; at most {MAX_LENGTH})", None),
]


@pytest.mark.parametrize(("text", "message", "column"), REFUSED, ids=[r[0][:30] for r in REFUSED])
def test_refused_inputs_have_one_clear_message(text, message, column):
    with pytest.raises(ExpressionError) as caught:
        parse(text, NAMES)
    error = caught.value
    assert error.message == message
    assert error.column == column
    assert "\n" not in str(error)
    assert str(error) == (message if column is None else f"{message} (at column {column})")
    assert isinstance(error, UsageError)  # the CLI maps it to exit code 2


def test_non_text_is_refused():
    for value in (None, 3, b"x", ["x"]):
        with pytest.raises(ExpressionError, match="must be text"):
            parse(value, NAMES)  # type: ignore[arg-type]


def test_max_length_can_be_raised_for_network_files():
    long = " + ".join(["x"] * 20)
    with pytest.raises(ExpressionError, match="too long"):
        parse(long, NAMES, max_length=10)
    assert parse(long, NAMES, max_length=100).expr == 20 * x


def test_parse_number_is_exact_and_refuses_names():
    assert parse_number("0.1") == R(1, 10)
    assert parse_number("-3/4") == R(-3, 4)
    assert parse_number("2^10") == 1024
    assert parse_number("1e-3") == R(1, 1000)
    with pytest.raises(ExpressionError, match="unknown name 'x'"):
        parse_number("x")


# --------------------------------------------------------------------------------------------
# Fuzz: anything at all either parses or raises ExpressionError
# --------------------------------------------------------------------------------------------

PIECES = [
    "x", "y", "w1", "ŷ", "σ", "α", "π", "e", "pi", "q", "sigmoid", "tanh", "relu", "exp", "log", "ln", "sqrt",
    "sin", "0", "1", "2", "9", "0.5", ".5", "1e3", "1e-400", "1e400", "10", "99999", "+", "-", "−", "*", "**",
    "^", "/", "//", "%", "·", "×", "÷", "²", "³", "√", "(", ")", "((", "))", ",", ".", " ", "=", "'", "\"",
    "[", "]", "{", "}", ":", ";", "_", "__", "lambda", "import", "os", "if", "@", "\\", "\t", "\n", "\x00",
    "e^", "^-", "0/0", "1/0", "(-1)", "9**9",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join))
def test_fuzz_token_soup_only_raises_expression_error(text):
    _parse_or_expression_error(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_fuzz_arbitrary_text_only_raises_expression_error(text):
    _parse_or_expression_error(text)


def _parse_or_expression_error(text: str) -> None:
    try:
        parsed = parse(text, NAMES)
    except ExpressionError as error:
        assert error.message and "\n" not in str(error)
        return
    assert isinstance(parsed.expr, sympy.Expr)
    assert not parsed.expr.has(sympy.zoo, sympy.nan, sympy.oo, sympy.I)
    assert parsed.expr.free_symbols <= {symbol(n) for n in NAMES}


def test_a_long_flat_sum_is_not_nested():
    """A neuron with many inputs is one flat sum: 150 terms parse (only brackets count as nesting)."""
    names = [f"w{i}" for i in range(150)] + [f"x{i}" for i in range(150)]
    text = " + ".join(f"w{i}*x{i}" for i in range(150)) + " - w0"
    expr = parse(text, names, max_length=10_000).expr
    expected = sum(symbol(f"w{i}") * symbol(f"x{i}") for i in range(150)) - symbol("w0")
    assert expr == expected


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        ("2xy - 6x^2", ["x", "y"], "2*x*y - 6*x**2"),  # an unknown name made wholly of known ones
        ("w1x", ["w1", "x"], "w1*x"),
        ("2x(y^2+1)", ["x", "y"], "2*x*(y**2 + 1)"),
    ],
)
def test_names_run_together_are_read_as_a_product(text, names, expected):
    symbols = {n: sympy.Symbol(n, real=True) for n in names}
    assert parse(text, symbols).expr == sympy.sympify(expected, locals=symbols)


def test_a_name_that_does_not_split_stays_unknown_and_commas_are_explained():
    with pytest.raises(ExpressionError, match="unknown name 'xyz'"):
        parse("xyz", ["x", "y"])
    with pytest.raises(ExpressionError, match="unknown name 'x'"):  # a single letter before '(' is no function
        parse("2x(y+1)", [])
    with pytest.raises(ExpressionError, match="one formula only: no commas"):
        parse("3, 40", ["x"])


def test_the_ascii_spellings_help_documents_mean_what_the_symbols_mean():
    from backprop_cli.interaction import ASCII_SPELLINGS

    pairs = [pair.split(" for ") for pair in ASCII_SPELLINGS.split(", ")]
    assert len(pairs) >= 6
    for ascii, spelled in pairs:
        if ascii == "*":  # an operator: shown between two factors
            ascii, spelled = f"2{ascii}x", f"2{spelled}x"
        assert ascii.isascii() and not spelled.isascii()
        assert parse(ascii, NAMES).expr == parse(spelled, NAMES).expr, (ascii, spelled)
    for ascii, spelled in (("x - 1", "x − 1"), ("sqrt(x)", "√(x)"), ("x**2", "x²"), ("2^(1/2)", "2^½")):
        assert parse(ascii, NAMES).expr == parse(spelled, NAMES).expr  # the README's other spellings
