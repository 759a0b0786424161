"""Plain-text math notation shared by every view: ``3·x² − 6·x + 2``, ``ŷ·(1 − ŷ)``, ``0.547053``.

No Rich here: strings only, so the session, the checker and the renderers agree on how a
formula or a number looks.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sympy

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
GREEK = {"y_hat": "ŷ", "alpha": "α", "sigmoid": "σ", "loss": "L"}


@functools.cache
def _printer_class() -> type:
    """The printer, defined on first use: the views of a cached network never import SymPy."""
    import sympy
    from sympy.printing.str import StrPrinter

    class _Printer(StrPrinter):
        """SymPy's str printer with learner notation: · for ×, superscript powers, ŷ, σ, − ."""

        def __init__(self, values=None, fmt=None):
            super().__init__({"order": "none"})
            self.values = values or {}
            self.fmt = fmt

        def _print_Symbol(self, expr):
            if expr.name in self.values and self.fmt is not None:
                text = self.fmt(self.values[expr.name])
                return f"({text})" if text.startswith("−") else text
            return GREEK.get(expr.name, expr.name)

        def _print_Function(self, expr):
            name = GREEK.get(expr.func.__name__, expr.func.__name__)
            args = [self._print(a) for a in expr.args]
            args = [a[1:-1] if a.startswith("(") and a.endswith(")") and a.count("(") == 1 else a for a in args]
            return f"{name}({', '.join(args)})"

        def _print_Pow(self, expr, rational=False):
            base, exp = expr.as_base_exp()
            if exp == sympy.Rational(1, 2):
                return f"√({self._print(base)})"
            if exp == sympy.Rational(-1, 2):
                return f"1/√({self._print(base)})"
            if exp.is_Integer and exp < 0:
                denominator = sympy.Pow(base, -exp, evaluate=False) if exp != -1 else base
                return f"1/{self._denominator(denominator)}"
            if base == sympy.E:
                return f"exp({self._print(exp)})"
            simple = base.is_Symbol or base.is_Function or (base.is_Integer and base > 0)
            b = self._print(base) if simple else self.parenthesize(base, 1000)
            if base.is_Symbol and base.name in self.values and self.fmt is not None:
                b = f"({self._print(base).strip('()')})"
            if exp.is_Integer and exp > 0:
                return f"{b}{str(int(exp)).translate(_SUPERSCRIPT)}"
            e = self._print(exp) if (exp.is_Symbol or (exp.is_Integer and exp > 0)) else f"({self._print(exp)})"
            return f"{b}^{e}"

        def _denominator(self, d) -> str:
            """A denominator, bracketed only where '/' would otherwise bind wrongly: 1/(x + 1), 1/x², 1/(2·x)."""
            text = self._print(d)
            return f"({text})" if (d.is_Add or d.is_Mul) else text

        def _print_Add(self, expr, order=None):
            terms = list(expr.as_ordered_terms())
            # Lead with a positive term when there is one: "ŷ − y", not "−y + ŷ".
            if terms[0].could_extract_minus_sign():
                for i, t in enumerate(terms):
                    if not t.could_extract_minus_sign():
                        terms.insert(0, terms.pop(i))
                        break
            out = ""
            for i, term in enumerate(terms):
                negative = term.could_extract_minus_sign()
                text = self._print(-term if negative else term)
                if i == 0:
                    out = f"−{text}" if negative else text
                else:
                    out += f" − {text}" if negative else f" + {text}"
            return out

        def _print_Mul(self, expr):
            if expr.could_extract_minus_sign():
                return "−" + self._print(-expr)
            top, bottom = [], []
            for f in expr.args:
                base, exp = f.as_base_exp()
                if f.is_Rational and f.q != 1:
                    if f.p != 1:
                        top.append(sympy.Integer(f.p))
                    bottom.append(sympy.Integer(f.q))
                elif exp.is_Integer and exp < 0 and base != sympy.E:
                    bottom.append(base if exp == -1 else sympy.Pow(base, -exp, evaluate=False))
                elif exp == sympy.Rational(-1, 2):
                    bottom.append(sympy.Pow(base, sympy.Rational(1, 2), evaluate=False))
                else:
                    top.append(f)
            # numbers first, then single symbols and functions, brackets last: 2·x·σ(z)·(1 − σ(z))
            top.sort(key=lambda f: (not f.is_Number, f.is_Add, f.is_Pow))
            text = "·".join(self._factor(f) for f in top) if top else "1"
            if bottom:
                under = "·".join(self._factor(f) for f in bottom)
                if len(bottom) > 1:
                    under = f"({under})"
                elif bottom[0].is_Add or bottom[0].is_Mul:
                    under = self._denominator(bottom[0])
                return f"{text}/{under}"
            return text

        def _factor(self, f):
            text = self._print(f)
            return f"({text})" if f.is_Add else text

        def _print_Rational(self, expr):
            return f"{expr.p}/{expr.q}".replace("-", "−")

        def _print_Integer(self, expr):
            return str(expr.p).replace("-", "−")

        def _print_Float(self, expr):
            return number(expr)

        def _print_Exp1(self, expr):
            return "e"

    return _Printer


def formula(expr: sympy.Expr) -> str:
    """A SymPy expression as a learner writes it: ``3·x² − 6·x + 2``."""
    return _formula(_kind(expr), expr)


def _kind(value) -> str:
    """The part of a memo's key that keeps equal values of different types apart (1, 1.0, SymPy's 1)."""
    return f"{type(value).__module__}.{type(value).__qualname__}"


@functools.lru_cache(maxsize=2048)  # pragma: no mutate - only the memo's size: the text is a pure function of the expression, so the size changes memory and speed, never a result
def _formula(kind: str, expr: sympy.Expr) -> str:
    """:func:`formula`, remembered: a diagnosis prints the same few formulas for every question and
    every set of fresh numbers (an expression is immutable, and equal ones have the same structure;
    the type is in the key so that 1, 1.0 and SymPy's 1 stay apart)."""
    return _printer_class()().doprint(expr)


_AFTER_OPERATOR = {None, "(", "+", "-", "*", "/", "**", ","}


def written(reading, values=None, digits: int = 6) -> str:
    """A formula in the learner's own order and notation, from the parser's ``reading``:
    ``4(2x+3)`` → ``4·(2·x + 3)`` (SymPy would print 8·x + 12). With ``values``, every name that
    has one is replaced by its number: ``w3·h1`` → ``0.5·0.377541``."""
    out: list[str] = []
    previous = None
    i = 0
    while i < len(reading):
        token = reading[i]
        following = reading[i + 1] if i + 1 < len(reading) else None
        if token == "**":
            after = reading[i + 2] if i + 2 < len(reading) else None
            if following is not None and following.isdigit() and after != "**":
                out.append(following.translate(_SUPERSCRIPT))
                previous = following
                i += 2
                continue
            out.append("^")
        elif token == "*":
            out.append("·")
        elif token in ("+", "-"):
            sign = "−" if token == "-" else "+"
            out.append(sign if previous in _AFTER_OPERATOR else f" {sign} ")
        elif token[0].isalpha() and values is not None and token in values:
            text = number(values[token], digits)
            bare = previous == "(" and following == ")"
            out.append(f"({text})" if text.startswith("−") and not bare else text)
        elif token[0].isalpha():
            out.append(name(token))
        else:
            out.append(token)
        previous = token
        i += 1
    return "".join(out)


def substituted(expr: sympy.Expr, values, digits: int = 6) -> str:
    """The formula with every symbol replaced by its value: ``2·(−0.3)``."""
    return _printer_class()(values, lambda v: number(v, digits)).doprint(expr)


def name(symbol_name: str) -> str:
    """``y_hat`` → ``ŷ``, ``loss`` → ``L``; other names unchanged."""
    return GREEK.get(symbol_name, symbol_name)


def partial(top: str, bottom: str) -> str:
    return f"∂{name(top)}/∂{name(bottom)}"


def number(value, digits: int = 6) -> str:
    """A value to ``digits`` significant figures, no trailing zeros, a real minus sign.

    Integers and short exact decimals are shown in full (``−18``, ``1.22``, ``107.76294432``)
    when they fit in ``digits`` + 6 figures, so exact results never look rounded.
    """
    try:
        hash(value)
    except TypeError:  # not hashable: worked out afresh, not remembered
        return _number_of(value, digits)
    return _number(_kind(value), value, digits)


@functools.lru_cache(maxsize=4096)  # pragma: no mutate - only the memo's size: the text is a pure function of the value, so the size changes memory and speed, never a result
def _number(kind: str, value, digits: int) -> str:
    """:func:`number`, remembered: a lesson shows the same values in its texts, hints and checks
    (the type is in the key: 2, 2.0 and SymPy's 2 are equal, with one hash)."""
    return _number_of(value, digits)


def _number_of(value, digits: int) -> str:
    """:func:`number` itself."""
    if not isinstance(value, float | int) and _is_sympy(value):
        if value.is_Rational:
            frac = Fraction(int(value.p), int(value.q))
            exact = _exact_decimal(frac, digits + 6)
            if exact is not None:
                return exact.replace("-", "−")
        from backprop_cli.mathfunctions import numeric

        precise = numeric(value)
        value = float(precise)
        if (value == 0 or math.isinf(value)) and precise.is_finite and not precise.is_zero:
            return _beyond_floats(precise, digits)  # σ′(1000) ≈ 5×10⁻⁴³⁵ is not 0
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if value == int(value) and abs(value) < 10 ** (digits + 6):
        return str(int(value)).replace("-", "−")
    return _shown(f"{value:.{digits}g}")


def _beyond_floats(value, digits: int) -> str:
    """A SymPy Float too small or too large for a machine float, written as m×10ⁿ."""
    import mpmath

    return _shown(mpmath.nstr(value._to_mpmath(value._prec), digits, min_fixed=0, max_fixed=0))


def _shown(text: str) -> str:
    """``1.50e-07`` → ``1.5×10⁻⁷``, ``0.250`` → ``0.25``: no trailing zeros, a real minus sign."""
    if "e" in text:
        mantissa, exp = text.split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        text = f"{mantissa}×10{str(int(exp)).translate(_SUPERSCRIPT)}"
    elif "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace("-", "−")


def _is_sympy(value) -> bool:
    import sympy

    return isinstance(value, sympy.Basic)


def _exact_decimal(frac: Fraction, max_figures: int) -> str | None:
    """The terminating decimal of ``frac`` if it has at most ``max_figures`` significant figures."""
    q = frac.denominator
    twos = fives = 0
    while q % 2 == 0:
        q //= 2
        twos += 1
    while q % 5 == 0:
        q //= 5
        fives += 1
    if q != 1:
        return None
    places = max(twos, fives)
    scaled = abs(frac.numerator) * (10**places // frac.denominator)
    digits = str(scaled).rjust(places + 1, "0")
    if len(str(scaled).strip("0")) > max_figures:
        return None
    whole, fractional = digits[: len(digits) - places], digits[len(digits) - places :]
    text = whole + ("." + fractional if places else "")
    return ("-" if frac < 0 else "") + text


def plain(value, digits: int = 6) -> str:
    """Like :func:`number` but ASCII (for prompts a learner might copy, and JSON-friendly text)."""
    text = number(value, digits)
    if "×10" in text:
        mantissa, exp = text.split("×10")
        sup = "⁰¹²³⁴⁵⁶⁷⁸⁹⁻"
        text = mantissa + "e" + exp.translate(str.maketrans(sup, "0123456789-"))
    return text.replace("−", "-")
