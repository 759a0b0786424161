"""The activation functions the tutor knows, symbolic (SymPy) and numeric (for lambdify).

Each function keeps its own local derivative next to it, micrograd-style: SymPy's ``fdiff``
returns the form a learner is taught (σ·(1−σ), not e^−z/(1+e^−z)²), which is what the
engine shows in every chain-rule factor.
"""

from __future__ import annotations

import functools

import sympy

# The float versions (NUMERIC_FUNCTIONS) live beside the generated code that calls them, free of
# SymPy: a network read back from the cache runs without importing it. Importable from here too.
from backprop_cli.network.float_functions import NUMERIC_FUNCTIONS, _num_pow  # noqa: F401


class sigmoid(sympy.Function):
    """σ(z) = 1 / (1 + e^(−z))."""

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    @classmethod
    def eval(cls, z):
        # Only a literal 0: asking ``is_zero`` of a nested exact value makes SymPy evaluate it numerically.
        if z.is_Number and z.is_zero:
            return sympy.Rational(1, 2)
        return None

    def _eval_rewrite_as_exp(self, z, **kwargs):
        return 1 / (1 + sympy.exp(-z))

    def _eval_evalf(self, prec):
        z = self.args[0]
        if z.is_number:
            # z is evaluated once, here: inside 1/(1 + exp(−z)) SymPy evaluates it again at each
            # level, so σ(σ(…σ(x)…)) twelve deep took minutes (2.5× per level).
            value = z._eval_evalf(prec + 10) if not z.is_Number else z
            if value is None or not value.is_Number:
                value = z
            return (1 / (1 + sympy.exp(-value)))._eval_evalf(prec)
        return None

    # Facts known from the form, so SymPy never evaluates σ numerically to learn a sign: its generic
    # handlers do (``Expr._eval_is_extended_negative`` evaluates to 2 digits), and in a network's exact
    # values, where σ nests inside σ, each such question evaluated the whole chain again. For a real z,
    # 0 < σ(z) < 1; whether z is real is read from its form first (``surely_real``), asked of SymPy after.
    def _real_argument(self) -> bool:
        return surely_real(self.args[0]) or self.args[0].is_real is True

    def _eval_is_real(self):
        # not False for a complex z: σ(2πi) = 1/2 is real
        return True if self._real_argument() else None

    def _eval_is_positive(self):
        return True if self._real_argument() else None

    _eval_is_extended_real = _eval_is_real
    _eval_is_extended_positive = _eval_is_positive
    _eval_is_finite = _eval_is_positive

    def _eval_is_extended_negative(self):
        return False if self._real_argument() else None

    _eval_is_zero = _eval_is_extended_negative
    _eval_is_infinite = _eval_is_extended_negative


@functools.lru_cache(maxsize=4096)
def surely_real(expr: sympy.Expr) -> bool:
    """True when ``expr`` is real by its form alone: rationals and real symbols combined by +, ×,
    whole powers and the functions that map reals to reals (σ, tanh, exp, relu, step). False means
    "not known this way" (SymPy's own assumptions may still know)."""
    if expr.is_Rational:
        return True
    if expr.is_Symbol:
        return expr.is_real is True
    if expr.is_Add or expr.is_Mul:
        return all(surely_real(a) for a in expr.args)
    if expr.is_Pow:
        return bool(expr.exp.is_Integer and not expr.exp.is_negative and surely_real(expr.base))
    if isinstance(expr, (sigmoid, sympy.tanh, sympy.exp, relu, step)):
        return surely_real(expr.args[0])
    return False


class step(sympy.Function):
    """The derivative of relu: 1 for z > 0, else 0 (we take 0 at the kink)."""

    @classmethod
    def eval(cls, z):
        if z.is_number and z.is_real:
            return sympy.Integer(1) if z.is_positive else sympy.Integer(0)
        return None

    def fdiff(self, argindex=1):
        return sympy.Integer(0)


class relu(sympy.Function):
    """relu(z) = max(0, z)."""

    def fdiff(self, argindex=1):
        return step(self.args[0])

    @classmethod
    def eval(cls, z):
        if z.is_number and z.is_real:
            return z if z.is_positive else sympy.Integer(0)
        return None

    def _eval_rewrite_as_Max(self, z, **kwargs):
        return sympy.Max(0, z)


#: Functions a formula may call, as the learner types them.
FUNCTIONS = {
    "sigmoid": sigmoid,
    "tanh": sympy.tanh,
    "relu": relu,
    "exp": sympy.exp,
    "log": sympy.log,
    "ln": sympy.log,
    "sqrt": sympy.sqrt,
}


def to_elementary(expr: sympy.Expr) -> sympy.Expr:
    """Replace our own functions by their definitions (for independent checks and simplify)."""
    return expr.replace(sigmoid, lambda z: 1 / (1 + sympy.exp(-z))).replace(
        relu, lambda z: sympy.Max(0, z)
    ).replace(step, lambda z: sympy.Heaviside(z, 0))


def _complement(e: sympy.Expr):
    """``1 − σ(a)`` → ``σ(−a)`` and ``1 − tanh(a)²`` → ``sech(a)²``: the same values without the
    cancellation that leaves no correct digit when σ(a) or tanh(a) is within 1e−30 of 1."""
    if not e.is_Add or len(e.args) != 2 or sympy.Integer(1) not in e.args:
        return None
    rest = e.args[0] if e.args[1] == 1 else e.args[1]
    if not (rest.is_Mul and len(rest.args) == 2 and rest.args[0] == -1):
        return None
    term = rest.args[1]
    if isinstance(term, sigmoid):
        return sigmoid(-term.args[0])
    if term.is_Pow and term.exp == 2 and isinstance(term.base, sympy.tanh):
        return sympy.sech(term.base.args[0]) ** 2
    return None


def numeric(expr: sympy.Expr, digits: int = 30) -> sympy.Float:
    """An exact value as a SymPy Float with ``digits`` correct digits, even far out on a sigmoid's tails."""
    stable = expr.replace(lambda e: _complement(e) is not None, _complement)
    return sympy.N(stable, digits)
