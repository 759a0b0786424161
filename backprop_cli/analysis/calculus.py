"""The ``backprop derive`` computation: a function typed on the command line, its partial
derivatives, their values at a point, a nudge's predicted against actual change, and the samples of
the tangent-line picture. The step-by-step rules are in :mod:`backprop_cli.analysis.derivation`.

- :func:`derive`: the whole ``backprop derive`` computation from the command-line texts.
- :func:`nudge_function`: predicted change (slope · Δ) against the actual change.
- :func:`tangent`: the samples for the picture of a curve and its tangent line.
"""

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sympy

from backprop_cli import notation as nt
from backprop_cli.analysis.derivation import DerivationStep, derive_steps
from backprop_cli.errors import ExpressionError, UsageError
from backprop_cli.expressions import CONSTANTS, normalise, parse, parse_number, symbol
from backprop_cli.mathfunctions import FUNCTIONS

MAX_VARIABLES = 10
#: Short Greek names, never read as products of letters.
_GREEK = {"mu", "nu", "xi", "pi", "rho", "tau", "phi", "chi", "psi", "eta"}
#: Numbers first so that ``1e5`` is not read as the name ``e5``.
_WORD = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[A-Za-z][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Partial:
    """One derivative (or partial derivative) with its steps and its value at the point."""

    var: str
    derivative: sympy.Expr
    simplified: sympy.Expr  # the same as ``derivative`` unless SymPy finds a shorter form
    steps: tuple[DerivationStep, ...]
    value: sympy.Expr | None  # at the point, when one was given


@dataclass(frozen=True)
class NudgeTerm:
    var: str
    slope: sympy.Expr  # ∂f/∂var at the point
    delta: sympy.Expr
    product: sympy.Expr  # slope · delta


@dataclass(frozen=True)
class FunctionNudge:
    """Δf ≈ Σ ∂f/∂v · Δv (predicted) against f(point + Δ) − f(point) (actual)."""

    terms: tuple[NudgeTerm, ...]
    predicted: sympy.Expr
    before: sympy.Expr  # f(point)
    after: sympy.Expr  # f(point + Δ)
    actual: sympy.Expr
    moved: Mapping[str, sympy.Expr]  # the point after the nudge
    relative_error: float | None  # |actual − predicted| / |actual|; None when actual is 0


@dataclass(frozen=True)
class Derivation:
    """Everything `backprop derive` shows."""

    expr: sympy.Expr
    text: str
    variables: tuple[str, ...]  # in the order they first appear
    partials: tuple[Partial, ...]  # one per variable asked for (--wrt), else one per variable
    point: Mapping[str, sympy.Expr] | None
    value: sympy.Expr | None  # f at the point
    nudge: FunctionNudge | None
    notes: tuple[str, ...] = ()  # how an ambiguous name was read (``xy``: one variable, not x·y)


def letter_pieces(word: str) -> tuple[str, ...]:
    """``xy`` → (x, y), ``w1x1`` → (w1, x1): a word made of single letters (each with its digits)
    that could be a product; () for anything else (``theta``, ``y_hat`` and ``x`` itself)."""
    if word in _GREEK or not re.fullmatch(r"(?:[A-Za-z]\d*)+", word):
        return ()
    pieces = tuple(re.findall(r"[A-Za-z]\d*", word))
    return pieces if 1 < len(pieces) <= 3 else ()  # theta, loss, rate: names, not products


def variables_of(text: str, known: Sequence[str] = ()) -> tuple[str, ...]:
    """The names a formula uses (not functions or constants), in order of first appearance.

    A word of several letters written straight before '(' is a call, not a variable, unless it is
    also used on its own: ``sin(x)`` is then refused as an unknown function instead of being read
    as the product sin·x. A word such as ``xy`` is the product x·y when each of its letters is a
    variable on its own elsewhere (``2xy + x^2 + y``) or is named in ``known`` (the command's
    ``--wrt``/``--at``), as a learner means it; otherwise it is one variable (see :func:`derive`'s note).
    """
    normalised = normalise(text)
    called = {m.group(1) for m in re.finditer(r"([A-Za-z][A-Za-z0-9_]+)\s*\(", normalised)}
    alone = {m.group(1) for m in re.finditer(r"([A-Za-z][A-Za-z0-9_]*)(?!\s*\(|[A-Za-z0-9_])", normalised)}
    seen: list[str] = []
    for word in _WORD.findall(normalised):
        if (word[0].isalpha() and word not in FUNCTIONS and word not in CONSTANTS and word not in seen
                and not keyword.iskeyword(word)  # `import`, `lambda`: never variables (the parser says why)
                and (word not in called or word in alone)):
            seen.append(word)
    return tuple(_split_products(seen, known))


def _split_products(words: Sequence[str], known: Sequence[str]) -> list[str]:
    single = set(words) | set(known)
    out: list[str] = []
    for word in words:
        pieces = letter_pieces(word)
        if pieces and word not in known and all(p in single for p in pieces):
            out.extend(p for p in pieces if p not in out)  # the parser reads the word as their product
        elif word not in out:
            out.append(word)
    return out


def parse_function(text: str, known: Sequence[str] = ()):
    """Parse ``text`` (via the one safe parser) allowing the names it uses; → (expr, variables).
    ``known`` are names the command line gives (``--wrt``, ``--at``): see :func:`variables_of`."""
    names = variables_of(text, known)
    if len(names) > MAX_VARIABLES:
        raise UsageError(f"the expression uses {len(names)} names; at most {MAX_VARIABLES}")
    parsed = parse(text, {n: symbol(n) for n in names})
    variables = tuple(n for n in names if n in parsed.names)
    if not variables:
        raise UsageError(f"'{text}' has no variable to differentiate (it is the constant {nt.plain(parsed.expr)})")
    return parsed.expr, variables


def parse_values(text: str, names: Sequence[str], option: str) -> dict[str, sympy.Expr]:
    """``"x=2,y=4"`` → exact values for known names (each value a number or a formula of numbers)."""
    out: dict[str, sympy.Expr] = {}
    for item in (p for p in text.split(",") if p.strip()):
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name or not value.strip():
            raise UsageError(f"{option} {item.strip()!r}: write NAME=VALUE, e.g. {option} {names[0]}=2")
        if name not in names:
            raise UsageError(f"{option} {item.strip()!r}: '{name}' is not in the expression "
                             f"(it uses {', '.join(names)})")
        if name in out:
            raise UsageError(f"{option}: '{name}' is given twice")
        try:
            number = parse_number(value)
        except ExpressionError as exc:
            raise UsageError(f"{option} {item.strip()!r}: {exc}") from None
        out[name] = number
    if not out:
        raise UsageError(f"{option} needs NAME=VALUE pairs, e.g. {option} {names[0]}=2")
    return out


def _evaluate(expr: sympy.Expr, point: Mapping[str, sympy.Expr], what: str) -> sympy.Expr:
    from backprop_cli.analysis.bounds import check_evaluable

    check_evaluable(expr, point, what, _point_text(point))  # before SymPy builds 9^(9^9) exactly
    value = expr.xreplace({symbol(k): v for k, v in point.items()})
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise UsageError(f"{what} is not defined at {_point_text(point)}")
    if value.has(sympy.I) or value.is_real is False:
        raise UsageError(f"{what} is not a real number at {_point_text(point)}")
    if not math.isfinite(float(sympy.N(value, 30))):
        raise UsageError(f"{what} is too large to show at {_point_text(point)}")
    return value


def _point_text(point: Mapping[str, sympy.Expr]) -> str:
    """``x = 2, y = 1×10¹⁰⁰`` (a huge whole number in powers of ten, not its hundred digits)."""
    def shown(v: sympy.Expr) -> str:
        if v.is_Integer and abs(v) >= 10**15:
            return nt.number(float(v))
        return nt.number(v)

    return ", ".join(f"{nt.name(k)} = {shown(v)}" for k, v in point.items())


def _simplest(expr: sympy.Expr) -> sympy.Expr:
    """A shorter equivalent form if ``together``/``factor`` find one (small expressions only)."""
    if sympy.count_ops(expr) > 40:
        return expr
    best, best_ops = expr, sympy.count_ops(expr)
    for tidy in (sympy.together, sympy.factor):
        try:
            candidate = tidy(expr)
        except (sympy.PolynomialError, TypeError, ValueError):  # pragma: no cover - defensive
            continue
        ops = sympy.count_ops(candidate)
        if ops < best_ops:
            best, best_ops = candidate, ops
    return best


def derive(text: str, wrt: str | None = None, at: str | None = None, nudge: str | None = None) -> Derivation:
    """``backprop derive``: parse, derive each asked partial step by step, evaluate, nudge."""
    named = [w.strip() for w in (wrt or "").split(",")]
    named += [item.partition("=")[0].strip() for option in (at, nudge) if option for item in option.split(",")]
    expr, variables = parse_function(text, [n for n in named if n])
    notes = tuple(f"'{v}' is read as one variable; for the product {'·'.join(letter_pieces(v))} write "
                  f"{'*'.join(letter_pieces(v))}" for v in variables if letter_pieces(v))
    if wrt:
        chosen = tuple(dict.fromkeys(w.strip() for w in wrt.split(",") if w.strip()))
        for w in chosen:
            if w not in variables:
                raise UsageError(f"--wrt {w!r}: the expression's variables are {', '.join(variables)}")
        if not chosen:
            raise UsageError("--wrt needs a variable name")
    else:
        chosen = variables
    point = None
    if at is not None:
        point = parse_values(at, variables, "--at")
        missing = [v for v in variables if v not in point]
        if missing:
            raise UsageError(f"--at: give a value for {', '.join(missing)} too "
                             f"(the expression uses {', '.join(variables)})")
        point = {v: point[v] for v in variables}
    value = _evaluate(expr, point, nt.formula(expr)) if point else None
    partials = []
    for var in chosen:
        steps = derive_steps(expr, var)
        derivative = steps[0].after
        slope = _evaluate(derivative, point, f"d/d{var}") if point else None
        partials.append(Partial(var, derivative, _simplest(derivative), steps, slope))
    moved = None
    if nudge is not None:
        if point is None:
            raise UsageError("--nudge needs --at: the point to nudge from")
        moved = nudge_function(expr, point, parse_values(nudge, variables, "--nudge"))
    return Derivation(expr, text, variables, tuple(partials), point, value, moved, notes)


def nudge_function(expr: sympy.Expr, point: Mapping[str, sympy.Expr],
                   deltas: Mapping[str, sympy.Expr]) -> FunctionNudge:
    """The source's experiment: f′·Δx predicts the change of f; compare with the real change."""
    terms = []
    for var, delta in deltas.items():
        slope = _evaluate(sympy.diff(expr, symbol(var)), point, f"d/d{var}")
        terms.append(NudgeTerm(var, slope, delta, slope * delta))
    predicted = sympy.Add(*(t.product for t in terms))
    moved = {k: v + deltas.get(k, 0) for k, v in point.items()}
    before = _evaluate(expr, point, nt.formula(expr))
    after = _evaluate(expr, moved, nt.formula(expr))
    actual = after - before
    return FunctionNudge(tuple(terms), predicted, before, after, actual, moved, relative_error(actual, predicted))


def relative_error(actual, predicted) -> float | None:
    """|actual − predicted| / |actual|, or None when the actual change is 0."""
    a, p = float(sympy.N(actual, 30)), float(sympy.N(predicted, 30))
    if a == 0:
        return None
    return abs(a - p) / abs(a)
