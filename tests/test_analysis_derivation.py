"""`analysis.derivation`: the rule named at each step, each step's result against SymPy, the written-out
rule read back by the parser, the source's nudge figures, and every bad input as a UsageError.
"""

from __future__ import annotations

import itertools
import math

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_cli.analysis.calculus import derive, nudge_function, parse_function, variables_of
from backprop_cli.analysis.derivation import RULES, derive_steps
from backprop_cli.analysis.tangent import tangent
from backprop_cli.errors import ExpressionError, UsageError
from backprop_cli.expressions import parse, symbol
from backprop_cli.mathfunctions import to_elementary

x, y, z = symbol("x"), symbol("y"), symbol("z")


def rules(text: str, var: str | None = None) -> list[str]:
    expr, names = parse_function(text)
    return [s.rule for s in derive_steps(expr, var or names[0])]


def equal(a: sympy.Expr, b: sympy.Expr) -> bool:
    return sympy.simplify(to_elementary(a) - to_elementary(b)) == 0


# -- rule names ---------------------------------------------------------------------------------


def test_source_polynomial_uses_sum_power_and_constant_multiple():
    names = rules("x^3 - 3x^2 + 2x + 1")
    assert names[0] == "sum"
    assert {"power", "constant multiple", "constant"} <= set(names)
    assert "chain" not in names and "product" not in names


@pytest.mark.parametrize(
    "text, first, inside",
    [
        ("x*exp(x)", "product", {"variable", "exp"}),
        ("(2x+3)^2", "chain", {"power", "sum", "constant multiple"}),
        ("x/(x+1)", "quotient", {"variable", "sum"}),
        ("sigmoid(2x)", "chain", {"sigmoid", "constant multiple"}),
        ("log(x^2 + 1)", "chain", {"log", "sum", "power"}),
        ("tanh(x)", "tanh", set()),
        ("relu(3x)", "chain", {"relu"}),
        ("2^x", "exponential", set()),
        ("x^x", "general power", set()),
        ("5x", "constant multiple", {"variable"}),
    ],
)
def test_rule_names(text, first, inside):
    names = rules(text)
    assert names[0] == first
    assert inside <= set(names[1:])
    assert set(names) <= set(RULES)


def test_logistic_function_is_chain_or_quotient_and_finds_exp_inside():
    names = rules("1/(1+exp(-z))")
    assert names[0] in ("chain", "quotient")
    assert "exp" in names and "sum" in names


def test_partial_treats_the_other_variable_as_a_constant():
    expr, _ = parse_function("x^2 + y^3")
    steps = derive_steps(expr, "x")
    assert [s.rule for s in steps] == ["sum", "power", "constant"]
    assert steps[2].before == y**3 and steps[2].after == 0
    assert steps[0].after == sympy.diff(expr, x)


def test_chain_step_names_outer_and_inner_and_writes_u_replaced():
    expr, _ = parse_function("(2x+3)^2")
    chain = derive_steps(expr, "x")[0]
    assert "u = 2·x + 3" in chain.explanation
    assert chain.applied == "2·(2·x + 3)·2"  # outer 2u at u = 2x+3, times the inner 2
    outer = derive_steps(expr, "x")[1]
    assert outer.var == "u" and outer.rule == "power" and outer.depth == 1


# -- every step is right ------------------------------------------------------------------------

EXPRESSIONS = [
    "x^3 - 3x^2 + 2x + 1",
    "x*exp(x)",
    "(2x+3)^2",
    "1/(1+exp(-x))",
    "x/(x+1)",
    "sigmoid(2x)",
    "log(x^2+1)",
    "tanh(x^2)",
    "exp(x)/x",
    "3/x",
    "sqrt(3x+1)",
    "x*sigmoid(x)*(x+1)",
    "(x^2+1)^3/(x-2)",
]


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_each_step_is_sympys_derivative_and_the_tree_is_well_formed(text):
    expr, names = parse_function(text)
    steps = derive_steps(expr, names[0])
    assert steps[0].depth == 0 and steps[0].after == sympy.diff(expr, x)
    for previous, step in itertools.pairwise(steps):
        assert step.depth <= previous.depth + 1
    for step in steps:
        var = symbol(step.var)
        assert equal(step.after, sympy.diff(step.before, var)), step
        assert step.explanation and "\n" not in step.explanation


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_written_out_rule_reads_back_as_the_derivative(text):
    """``applied`` is learner notation: the safe parser reads it back, and it equals ``after``."""
    expr, names = parse_function(text)
    for step in derive_steps(expr, names[0]):
        if step.applied:
            back = parse(step.applied, ["x", "u", "v"]).expr
            assert equal(back, step.after), (step.rule, step.applied)


def test_sum_step_has_one_child_per_term():
    expr, _ = parse_function("x^3 - 3x^2 + 2x + 1")
    steps = derive_steps(expr, "x")
    children = [s for s in steps if s.depth == 1]
    assert [c.before for c in children] == list(expr.as_ordered_terms())


_atoms = st.sampled_from(["x", "2", "3x", "x^2", "(x+1)"])
_funcs = st.sampled_from(["exp", "sigmoid", "tanh", "log"])


@st.composite
def _formulas(draw, depth=0):
    if depth >= 2 or draw(st.booleans()):
        return draw(_atoms)
    kind = draw(st.sampled_from(["+", "*", "/", "f", "^"]))
    a, b = draw(_formulas(depth + 1)), draw(_formulas(depth + 1))
    if kind == "f":
        name = draw(_funcs)
        return f"{name}({a}^2 + 1)" if name == "log" else f"{name}({a})"
    if kind == "^":
        return f"({a})^2"
    if kind == "/":
        return f"({a})/({b}^2 + 1)"
    return f"({a}){kind}({b})"


@settings(max_examples=60, deadline=None)
@given(_formulas())
def test_random_formulas_derive_step_by_step_like_sympy(text):
    expr = parse(text, ["x"]).expr
    if not expr.has(x):
        return
    steps = derive_steps(expr, "x")
    assert steps[0].after == sympy.diff(expr, x)
    for step in steps:
        assert step.rule in RULES
        assert equal(step.after, sympy.diff(step.before, symbol(step.var)))


# -- derive(): the point, the gradient, the nudge -----------------------------------------------


def test_source_single_variable_nudge_0_2_against_0_231():
    result = derive("x^3 - 3x^2 + 2x + 1", at="x=2", nudge="x=0.1")
    f = x**3 - 3 * x**2 + 2 * x + 1
    two, dx = sympy.Integer(2), sympy.Rational(1, 10)
    assert result.value == f.subs(x, two)
    assert result.partials[0].value == sympy.diff(f, x).subs(x, two)
    n = result.nudge
    assert n.predicted == sympy.diff(f, x).subs(x, two) * dx
    assert n.actual == f.subs(x, two + dx) - f.subs(x, two)
    # the source's figures: predicted 0.2, actual 0.231
    assert (n.predicted, n.actual) == (sympy.Rational("0.2"), sympy.Rational("0.231"))
    assert n.relative_error == pytest.approx(float((n.actual - n.predicted) / n.actual))


def test_source_two_variable_nudge_2_2_against_2_25():
    result = derive("x^2 + y^2", at="x=3,y=4", nudge="x=0.1,y=0.2")
    f = x**2 + y**2
    point = {x: 3, y: 4}
    assert [p.var for p in result.partials] == ["x", "y"]
    assert [p.value for p in result.partials] == [sympy.diff(f, v).subs(point) for v in (x, y)]
    n = result.nudge
    moved = {x: sympy.Rational("3.1"), y: sympy.Rational("4.2")}
    assert n.actual == f.subs(moved) - f.subs(point)
    assert n.predicted == sum(t.slope * t.delta for t in n.terms)
    assert (n.predicted, n.actual) == (sympy.Rational("2.2"), sympy.Rational("2.25"))
    assert n.moved == {"x": sympy.Rational("3.1"), "y": sympy.Rational("4.2")}


def test_wrt_chooses_partials_and_simplified_form_is_equivalent():
    result = derive("x*y + y^2", wrt="y")
    assert [p.var for p in result.partials] == ["y"]
    assert result.partials[0].derivative == x + 2 * y
    quotient = derive("x/(x+1)").partials[0]
    assert equal(quotient.simplified, quotient.derivative)
    assert sympy.count_ops(quotient.simplified) < sympy.count_ops(quotient.derivative)


def test_nudge_with_one_of_two_variables():
    n = nudge_function(x**2 * y, {"x": sympy.Integer(1), "y": sympy.Integer(2)}, {"y": sympy.Rational(1, 2)})
    assert [t.var for t in n.terms] == ["y"]
    assert n.predicted == sympy.Rational(1, 2) and n.actual == sympy.Rational(1, 2)
    assert n.relative_error == 0


def test_variables_of_skips_numbers_functions_and_constants():
    assert variables_of("1e5*x + e^y - sigmoid(w1*x) + pi") == ("x", "y", "w1")
    assert variables_of("3x^2 + σ(z)") == ("x", "z")


def test_tangent_samples_touch_the_curve_at_the_point():
    t = tangent(x**3 - 3 * x**2 + 2 * x + 1, "x", sympy.Integer(2), sympy.Integer(2))
    assert (t.x0, t.y0, t.slope) == (2.0, 1.0, 2.0)
    middle = len(t.xs) // 2
    assert t.xs[middle] == pytest.approx(2.0) and t.ys[middle] == pytest.approx(t.tangent_ys[middle])
    assert all(math.isfinite(v) for v in t.ys)
    log_curve = tangent(sympy.log(x), "x", sympy.Rational(1, 2), 2)
    assert any(math.isnan(v) for v in log_curve.ys)  # log is undefined left of 0: NaN, not a crash


# -- bad input: one clear UsageError ------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"text": "x^^2"}, "'^' followed by '^'"),
        ({"text": "x +"}, "ends with '+'"),
        ({"text": "__import__('os')"}, "unexpected character"),
        ({"text": "7"}, "no variable"),
        ({"text": "x^2", "wrt": "y"}, "--wrt 'y'"),
        ({"text": "x^2", "at": "y=2"}, "'y' is not in the expression"),
        ({"text": "x^2", "at": "x"}, "write NAME=VALUE"),
        ({"text": "x^2", "at": "x=two"}, "--at 'x=two'"),
        ({"text": "x^2", "at": "x=1,x=2"}, "given twice"),
        ({"text": "x*y", "at": "x=1"}, "give a value for y"),
        ({"text": "x^2", "nudge": "x=0.1"}, "--nudge needs --at"),
        ({"text": "x^2", "at": "x=1", "nudge": "q=1"}, "'q' is not in the expression"),
        ({"text": "1/x", "at": "x=0"}, "not defined at x = 0"),
        ({"text": "log(x)", "at": "x=-1"}, "not a real number"),
        ({"text": "exp(x)", "at": "x=1000"}, "too large"),
    ],
)
def test_bad_input_is_one_usage_error(kwargs, fragment):
    text = kwargs.pop("text")
    with pytest.raises(UsageError) as info:
        derive(text, **kwargs)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_expression_errors_are_usage_errors():
    with pytest.raises(ExpressionError):
        derive("x +* 2")
    assert issubclass(ExpressionError, UsageError)


@pytest.mark.parametrize("text", ["sin(x)", "cos(x) + x", "abs(x)"])
def test_an_unknown_function_is_refused_not_read_as_a_product(text):
    """sin(x) was read as sin·x and differentiated with respect to a variable called 'sin'."""
    with pytest.raises(UsageError, match="unknown function"):
        derive(text)


def test_a_single_letter_before_a_bracket_is_still_a_product():
    result = derive("x(x+1)")
    assert result.variables == ("x",)


# Letters run together (2xy): a product when each letter is a variable of its own, as a learner means
# it; one variable, with a note saying how to write the product, when nothing says so.

def test_letters_run_together_are_a_product_when_each_letter_is_a_variable():
    x, y, w1, x1 = (sympy.Symbol(n, real=True) for n in ("x", "y", "w1", "x1"))
    result = derive("2xy + x^2 + y")
    assert result.variables == ("x", "y") and result.expr == 2 * x * y + x**2 + y and not result.notes
    assert [p.derivative for p in result.partials] == [2 * y + 2 * x, 2 * x + 1]
    assert derive("w1x1 + w1 + x1").expr == w1 * x1 + w1 + x1


def test_the_command_line_can_name_the_letters_of_a_product():
    result = derive("2xy", at="x=1,y=2")
    assert result.variables == ("x", "y") and result.value == 4 and not result.notes
    assert derive("2xy", wrt="x,y").partials[0].derivative == 2 * sympy.Symbol("y", real=True)


def test_an_unexplained_run_together_word_is_one_variable_and_the_learner_is_told():
    result = derive("2xy")
    assert result.variables == ("xy",) and result.notes == ("'xy' is read as one variable; for the product x·y write x*y",)
    assert derive("2xy", at="xy=3").value == 6
    assert not derive("theta^2 + x").notes and not derive("eta*x + e").notes  # names, not products
    assert derive("theta^2 + t + h").variables == ("theta", "t", "h")


@pytest.mark.parametrize("text", ["x^3 - 3x^2 + 2x + 1", "log(x)", "sqrt(x) - 1/x", "sigmoid(2x) * tanh(x)",
                                  "relu(x - 1) + exp(-x^2)", "(x - 1)^(-2)", "e^x - pi"])
def test_tangent_samples_are_what_lambdify_gives(text):
    """The picture's samples come from the checker's float evaluator (no generated code); SymPy's
    lambdify is the independent route: the same numbers, and NaN at the same places."""
    from backprop_cli.mathfunctions import NUMERIC_FUNCTIONS

    expr = parse(text, ["x"]).expr
    (var,) = expr.free_symbols
    t = tangent(expr, "x", sympy.Rational(3, 2), 1)
    f = sympy.lambdify([var], expr, modules=[NUMERIC_FUNCTIONS, "math"])
    for x_, y in zip(t.xs, t.ys, strict=True):
        try:
            want = float(f(x_))
        except (ArithmeticError, ValueError, TypeError):
            want = math.nan
        if not math.isfinite(want):
            assert math.isnan(y), (text, x_)
        else:
            assert y == pytest.approx(want, rel=1e-12, abs=1e-300), (text, x_)
