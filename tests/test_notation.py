"""Learner notation: how formulas and numbers are written everywhere, and that it reads back."""

from __future__ import annotations

import pytest
import sympy

from backprop_cli.expressions import parse
from backprop_cli.notation import formula, number, plain, substituted
from backprop_cli.render.safe_text import ascii_spelling

NAMES = ["x", "y", "z", "y_hat", "w1", "w2", "x1", "x2", "h"]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("3x^2 - 6x + 2", "3·x² − 6·x + 2"),
        ("-y + y_hat", "ŷ − y"),
        ("(y - y_hat)^2/2", "(y − ŷ)²/2"),
        ("w1*x1 + w2*x2", "w1·x1 + w2·x2"),
        ("sigmoid(z)*(1 - sigmoid(z))", "σ(z)·(1 − σ(z))"),
        ("1/(1 + exp(-z))", "1/(1 + exp(−z))"),
        ("exp(-z)/(1 + exp(-z))^2", "exp(−z)/(1 + exp(−z))²"),
        ("2^x", "2^x"),
        ("x^(y+1)", "x^(y + 1)"),
        ("x^(-1/2)/2", "1/(2·√(x))"),
        ("2x/(x^2 + 1)", "2·x/(x² + 1)"),
        ("1/(2x)", "1/(2·x)"),
        ("x^-2", "1/x²"),
        ("(2x + 3)^2", "(2·x + 3)²"),
    ],
)
def test_formula_reads_as_a_learner_writes_and_parses_back(text, shown):
    expr = parse(text, NAMES).expr
    assert formula(expr) == shown
    assert sympy.simplify(parse(shown, NAMES).expr - expr) == 0  # what we show, a learner can type
    # on an output that cannot encode Unicode it is spelt in ASCII, and that too can be typed back
    spelt = ascii_spelling(shown)
    assert spelt.isascii()
    assert sympy.simplify(parse(spelt, NAMES).expr - expr) == 0, spelt


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (sympy.Rational("107.76294432"), "107.76294432"),  # exact decimals in full, never rounded
        (-18, "−18"),
        (0.5470529418638644, "0.547053"),
        (1.5e-5, "1.5×10⁻⁵"),
        (sympy.Rational(1, 3), "0.333333"),
        (162.0, "162"),
        (float("nan"), "NaN"),
    ],
)
def test_number(value, shown):
    assert number(value) == shown
    if shown != "NaN":
        assert parse(ascii_spelling(shown)).expr == parse(shown).expr  # 1.5×10⁻⁵ → 1.5*10^-5


def test_plain_is_ascii_and_typeable():
    assert plain(-1.5e-5) == "-1.5e-5"
    assert parse(plain(-1.5e-5)).expr == sympy.Rational("-1.5e-5")


def test_substituted_brackets_negative_values():
    expr = parse("w1*x1 + w2*x2", NAMES).expr
    assert substituted(expr, {"w1": 0.1, "x1": 1, "w2": -0.3, "x2": 2}) == "0.1·1 + (−0.3)·2"


def test_sigmoid_tail_keeps_its_digits():
    x = sympy.Symbol("x", real=True)
    from backprop_cli.mathfunctions import numeric, sigmoid

    slope = sympy.diff(sigmoid(x), x).subs(x, 50)
    assert float(numeric(slope)) == pytest.approx(1.9287498479639178e-22, rel=1e-12)


def test_exact_values_beyond_a_machine_float_keep_their_size():
    """σ′(1000) ≈ 5.08×10⁻⁴³⁵ was shown as 0 (the float underflowed): a slope that is not zero."""
    import mpmath

    from backprop_cli.mathfunctions import sigmoid

    x = sympy.Integer(1000)
    tiny = mpmath.nstr(mpmath.exp(mpmath.mpf(-1000)), 6)  # the oracle: mpmath on e^-1000
    assert tiny == "5.07596e-435"
    assert number(sympy.exp(-1000)) == "5.07596×10⁻⁴³⁵"
    assert number(sigmoid(x) * (1 - sigmoid(x))) == "5.07596×10⁻⁴³⁵"
    assert number(-sympy.exp(1000), 3) == "−1.97×10⁴³⁴"
    assert number(sympy.Integer(0)) == "0" and number(sympy.exp(-2), 3) == "0.135"


def test_a_remembered_formula_is_the_formula_printed_afresh():
    """``formula`` remembers its text per expression (a diagnosis prints the same formulas for every
    question and every set of fresh numbers): the text is what the printer gives now, for equal
    expressions built again, and 1, 1.0 and SymPy's 1 (equal, with one hash) are printed each as itself."""
    import sympy

    from backprop_cli import notation

    x, y = sympy.symbols("x y", real=True)
    exprs = [3 * x**2 - 6 * x + 2, x * (1 - x), sympy.Rational(-1, 2) * (y - x) ** 2, sympy.Float("0.1") * x,
             sympy.exp(-x) / (1 + sympy.exp(-x)), sympy.Symbol("y_hat") - 1, sympy.Integer(1), 1, 1.0, -2.5]
    afresh = [notation._printer_class()().doprint(e) for e in exprs]
    for _ in range(2):
        assert [notation.formula(e) for e in exprs] == afresh
        assert [notation.formula(e) for e in reversed(exprs)] == afresh[::-1]
    assert notation.formula(1.0) == "1.0" and notation.formula(1) == "1" == notation.formula(sympy.Integer(1))
    assert notation.formula(3 * x**2 - 6 * x + 2) == "3·x² − 6·x + 2"


def test_a_remembered_number_is_the_number_written_afresh():
    """``number`` remembers its text per value and type: equal values of different types (2, 2.0,
    SymPy's 2, a Decimal) are each written as themselves, and NaN and -0.0 as always."""
    from decimal import Decimal

    import sympy

    from backprop_cli import notation

    values = [2, 2.0, sympy.Integer(2), sympy.Float(2), Decimal("2.0"), sympy.Rational(1, 3), 1 / 3, -0.0, 0.0,
              float("nan"), float("inf"), Decimal("1.2300"), sympy.Rational(10**20 + 1, 10**19), 107.76294432]
    afresh = [notation._number_of(v, 6) for v in values]
    for _ in range(2):
        assert [notation.number(v) for v in values] == afresh
        assert [notation.number(v) for v in reversed(values)] == afresh[::-1]
    assert notation.number(sympy.Rational(-18)) == "−18" and notation.number(107.76294432, 4) == "107.8"
