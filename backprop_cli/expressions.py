"""The one safe road from text to SymPy: network formulas, lesson formulas, learner answers.

Nothing here calls ``eval``, ``exec`` or ``sympify`` on the text. The text is tokenised with a
strict regular grammar, the learner's shortcuts (``^``, ``3x``, ``2(x+1)``, ``σ``, ``ŷ``, ``x²``,
``½``, full-width ``２ｘ``: :mod:`backprop_cli.spellings`) are normalised, the result is parsed by
``ast.parse`` and every AST node is checked against a short whitelist while it is turned into
SymPy objects by hand. Sizes are bounded at every stage so
that ``9**9**9**9`` or 5000 characters are refused at once, with a message.
"""

from __future__ import annotations

import ast
import functools
import itertools
import math
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import sympy

from backprop_cli.errors import ExpressionError
from backprop_cli.formula_names import (  # noqa: F401  (NameErrors: for callers)
    NameErrors,
)
from backprop_cli.formula_names import (
    split_names as _split_names,
)
from backprop_cli.formula_names import (
    strict_names as _strict_names,
)
from backprop_cli.formula_names import (
    strict_product as _strict_product,
)
from backprop_cli.formula_names import (
    unknown as _unknown,
)
from backprop_cli.mathfunctions import FUNCTIONS
from backprop_cli.spellings import normalise, normalise_mapped  # noqa: F401  (normalise: for the views)

MAX_LENGTH = 2000  # characters of input
MAX_NESTING = 30  # brackets and operator depth
MAX_LITERAL_DIGITS = 40  # digits in one number
MAX_LITERAL_EXPONENT = 100  # |n| in 1e±n
MAX_RESULT_DIGITS = 400  # decimal digits a constant power may produce
MAX_SYMBOLIC_EXPONENT = 100  # (x+1)**100 at most

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t]+)
  | (?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z][A-Za-z0-9_]*)
  | (?P<op>\*\*|[-+*/(),])
    """,
    re.VERBOSE,
)

CONSTANTS = {"pi": sympy.pi, "e": sympy.E}


@dataclass(frozen=True)
class Parsed:
    """A parsed formula: the SymPy expression and how the text was read."""

    expr: sympy.Expr
    text: str
    #: the numeric literal when the whole input is one (signed) decimal number, else None;
    #: the checker reads significant figures from it.
    literal: str | None
    names: frozenset[str]
    #: the text as the grammar read it, token by token, with the products a learner leaves out
    #: made explicit: "2(x+3)" → ("2", "*", "(", "x", "+", "3", ")"); ``notation.written`` shows it.
    reading: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str  # as the grammar reads it ("**", "sigmoid")
    column: int  # 1-based, in the text the learner typed
    shown: str = ""  # as the learner typed it ("^", "σ"), for messages

    @property
    def said(self) -> str:
        return self.shown or self.text


_UNEXPECTED = {
    "=": "type just the value or the formula, not an equation (no '=')",
    "'": "write the formula itself (for example 3x^2), not f'(x)",
    "′": "write the formula itself (for example 3x^2), not f′(x)",
}


def _tokenise(text: str, origin: list[int], original: str) -> list[_Token]:
    """``text`` (normalised) as tokens; ``origin`` gives each character's column in ``original``."""
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            ch = original[origin[pos] - 1]
            if "\udc80" <= ch <= "\udcff":  # a byte that was not UTF-8, kept by surrogateescape
                raise ExpressionError(f"byte 0x{ord(ch) - 0xDC00:02X} is not valid UTF-8", origin[pos])
            shown = repr(ch) if ch.isprintable() else f"U+{ord(ch):04X}"
            raise ExpressionError(_UNEXPECTED.get(ch, f"unexpected character {shown}"), origin[pos])
        if m.lastgroup != "ws":
            start, end = origin[m.start()], origin[m.end() - 1]
            tokens.append(_Token(m.lastgroup or "", m.group(), start, original[start - 1:end]))
        pos = m.end()
    return tokens


def _implicit_products(tokens: Sequence[_Token], known: Collection[str], strict: bool = False) -> list[str]:
    """Insert the ``*`` a learner leaves out: ``3x``, ``2(x+1)``, ``(a)(b)``, ``x y``, ``2xy``.

    ``strict`` (a formula an author wrote in a file): names are never split, an unknown name is
    reported with every other one, and only a number or ``)`` may stand before a factor without ``*``."""
    if strict:
        _strict_names(tokens, known, CONSTANTS)
    else:
        tokens = _split_names(tokens, known, CONSTANTS)
    out: list[str] = []
    previous: _Token | None = None
    depth = 0
    for index, tok in enumerate(tokens):
        if tok.kind == "name" and tok.text not in FUNCTIONS and tok.text not in known and tok.text not in CONSTANTS:
            _unknown(tokens, index, known)
        if previous is not None:
            ends_value = previous.kind in ("number", "name") or previous.text == ")"
            starts_value = tok.kind == "name" or tok.text == "(" or (
                tok.kind == "number" and previous.text == ")"
            )
            if previous.kind == "name" and previous.text in FUNCTIONS:
                ends_value = False
                if tok.text != "(":
                    raise ExpressionError(
                        f"'{previous.said}' needs brackets, as in {previous.said}(z)", tok.column
                    )
            if ends_value and starts_value:
                if strict:
                    _strict_product(previous, tok)
                out.append("*")
        if tok.text == "(":
            depth += 1
            if depth > MAX_NESTING:
                raise ExpressionError(f"too deeply nested (more than {MAX_NESTING} brackets)")
        elif tok.text == ")":
            depth -= 1
        out.append(tok.text if tok.kind != "number" else f"_n{len(out)}")
        previous = tok
    if tokens and tokens[-1].kind == "name" and tokens[-1].text in FUNCTIONS:
        raise ExpressionError(f"'{tokens[-1].said}' needs brackets, as in {tokens[-1].said}(z)", tokens[-1].column)
    return out


def _literal_value(text: str) -> sympy.Rational:
    mantissa, _, exponent = text.lower().partition("e")
    digits = mantissa.replace(".", "").lstrip("0")
    if len(digits) > MAX_LITERAL_DIGITS:
        raise ExpressionError(f"the number {text[:20]}... has more than {MAX_LITERAL_DIGITS} digits")
    if exponent and abs(int(exponent)) > MAX_LITERAL_EXPONENT:
        raise ExpressionError(f"the number {text} is too large or too small")
    return sympy.Rational(text)


def _log10_abs(value: sympy.Number) -> float:
    if value.is_Rational:
        return math.log10(abs(int(value.p))) - math.log10(int(value.q))
    return math.log10(abs(float(value)))


class _Converter:
    """Walks the whitelisted AST and builds SymPy objects by hand."""

    def __init__(self, symbols: Mapping[str, sympy.Symbol], literals: Mapping[str, str]):
        self.symbols = symbols
        self.literals = literals
        self.names: set[str] = set()

    def convert(self, node: ast.AST, depth: int = 0) -> sympy.Expr:
        if depth > MAX_NESTING * 3:
            raise ExpressionError("the formula is nested too deeply")
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            return self._sum(node, depth)
        if isinstance(node, ast.BinOp):
            left = self.convert(node.left, depth + 1)
            right = self.convert(node.right, depth + 1)
            op = type(node.op)  # + and − were taken above, as one flat sum
            if op is ast.Mult:
                return sympy.Mul(left, right)
            if op is ast.Div:
                if right.is_zero:
                    raise ExpressionError("division by zero")
                return sympy.Mul(left, sympy.Pow(right, -1))
            if op is ast.Pow:
                return self._power(left, right)
            raise ExpressionError(f"the operator '{_OPERATOR_NAMES.get(op, op.__name__)}' is not allowed")
        if isinstance(node, ast.UnaryOp):
            operand = self.convert(node.operand, depth + 1)
            if isinstance(node.op, ast.USub):
                return sympy.Mul(-1, operand)
            if isinstance(node.op, ast.UAdd):
                return operand
            raise ExpressionError("only + and - may stand before a value")
        if isinstance(node, ast.Name):
            if node.id in self.literals:
                return _literal_value(self.literals[node.id])
            if node.id in self.symbols:
                self.names.add(node.id)
                return self.symbols[node.id]
            if node.id in CONSTANTS:
                return CONSTANTS[node.id]
            raise ExpressionError(f"'{node.id}' is a function: call it as {node.id}(z)")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                raise ExpressionError("only the functions " + ", ".join(sorted(FUNCTIONS)) + " may be called")
            if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
                raise ExpressionError(f"{node.func.id}() takes exactly one argument")
            arg = self.convert(node.args[0], depth + 1)
            if node.func.id in ("log", "ln") and arg.is_number and not arg.is_positive:
                raise ExpressionError("log of a number that is not positive")
            if node.func.id == "sqrt" and arg.is_number and arg.is_negative:
                raise ExpressionError("square root of a negative number")
            if node.func.id == "exp" and arg.is_number and arg.is_real and float(arg) > 10000:
                raise ExpressionError("exp() of that number is too large")
            return FUNCTIONS[node.func.id](arg)
        if isinstance(node, ast.Tuple):
            raise ExpressionError("one formula only: no commas (a decimal point is written '.')")
        raise ExpressionError(f"'{type(node).__name__}' is not part of a formula")

    def _sum(self, node: ast.BinOp, depth: int) -> sympy.Expr:
        """``a + b − c + ...``: flat in the text, so one level however many terms (a neuron
        with 100 inputs is not "nested too deeply"), converted left to right, added at once."""
        chain = []
        current: ast.expr = node
        while isinstance(current, ast.BinOp) and isinstance(current.op, (ast.Add, ast.Sub)):
            chain.append((current.op, current.right))
            current = current.left
        terms = [self.convert(current, depth + 1)]
        for op, right in reversed(chain):
            value = self.convert(right, depth + 1)
            terms.append(value if isinstance(op, ast.Add) else sympy.Mul(-1, value))
        return sympy.Add(*terms)

    def _power(self, base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
        if exponent.is_Number:
            if abs(exponent) > MAX_RESULT_DIGITS * 1000:
                raise ExpressionError("that power is far too large")
            if base.is_Number:
                if base.is_zero:
                    if exponent.is_negative:
                        raise ExpressionError("division by zero (0 to a negative power)")
                elif abs(float(exponent)) * abs(_log10_abs(base)) > MAX_RESULT_DIGITS:
                    raise ExpressionError(
                        f"that power has more than {MAX_RESULT_DIGITS} digits; use smaller numbers"
                    )
                if base.is_negative and not exponent.is_Integer:
                    raise ExpressionError("a negative number to a fractional power is not real")
            elif abs(exponent) > MAX_SYMBOLIC_EXPONENT:
                raise ExpressionError(f"exponents above {MAX_SYMBOLIC_EXPONENT} are not supported")
        return sympy.Pow(base, exponent)


_OPERATOR_NAMES = {ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.BitXor: "^", ast.BitAnd: "&"}


#: how many parse results are remembered (a lesson and its checks read a few hundred formulas)
PARSE_MEMO_SIZE = 4096  # pragma: no mutate - only the memo's size: a remembered parse is the parse itself (tests/test_parse_memo.py), so the size changes memory and speed, never a result
#: Parses with more names than this are not remembered: the key holds every name, so a network of
#: 4,000 weights made each parse O(names) and the memo hundreds of MB (a lesson has at most ~60).
MEMO_MAX_NAMES = 64
_parsed_memo: OrderedDict[tuple, Parsed] = OrderedDict()


def parse(
    text: str,
    names: Collection[str] | Mapping[str, sympy.Symbol] = (),
    *,
    max_length: int = MAX_LENGTH,
    strict: bool = False,
) -> Parsed:
    """Parse ``text`` into SymPy, allowing only ``names``, numbers and the known functions.

    ``names`` may map names to the SymPy symbols to use, or just list them (real symbols are made).
    ``strict`` is for formulas read from a lesson or network file: a learner's ``w1x1`` is read as
    w1·x1, an author's is refused (a typo ``new_ww`` must not pass as new_w·w), and a product of
    names needs ``*``; a number or a closing bracket may still stand before a factor (``3x``, ``2(x+1)``).
    Raises :class:`ExpressionError` with a one-line reason for anything else.

    A result (immutable) is remembered, keyed by everything it depends on (:func:`_memo_key`): the
    text, the names it uses (with their symbols), ``max_length`` and ``strict``; the memo is bounded
    (least recently used out), and only parses with at most :data:`MEMO_MAX_NAMES` names are
    remembered. Errors are not remembered.
    """
    if not isinstance(text, str):
        raise ExpressionError("a formula must be text")
    if len(names) > MEMO_MAX_NAMES:  # a big network: each formula is parsed once, and a key this
        return _parse(text, names, max_length=max_length, strict=strict)  # size would cost O(names)
    key = _memo_key(text, names, max_length, strict)
    if key is None:  # the parser refuses it: errors are not remembered
        return _parse(text, names, max_length=max_length, strict=strict)
    found = _parsed_memo.get(key)
    if found is not None:
        _parsed_memo.move_to_end(key)
        return found
    found = _parse(text, names, max_length=max_length, strict=strict)
    _parsed_memo[key] = found
    if len(_parsed_memo) > PARSE_MEMO_SIZE:
        _parsed_memo.popitem(last=False)
    return found


@functools.lru_cache(maxsize=PARSE_MEMO_SIZE)
def _tokens(text: str) -> tuple[str, tuple[_Token, ...]]:
    """The normalised text and its tokens, worked out once per text (the memo's key and the parse
    both need them). Raises ExpressionError for a character no formula has (not remembered)."""
    source, origin, original = normalise_mapped(text)
    return source, tuple(_tokenise(source, origin, original))


def _memo_key(text: str, names: Collection[str] | Mapping[str, sympy.Symbol], max_length: int,
              strict: bool) -> tuple | None:
    """What a parse depends on. When every name in the text is known here (or is a function or a
    constant), only those names and their symbols: a lesson's formula read again after more names
    were defined is the same formula. An unknown name makes the result depend on every name (``2xy``
    splits into known names, or it is an error), so then all of them are in the key. None for a text
    whose tokens the parser refuses."""
    if len(text) > max_length:
        return None
    try:
        _, tokens = _tokens(text)
    except ExpressionError:
        return None
    mapping = isinstance(names, Mapping)
    used: dict[str, object] = {}
    for tok in tokens:
        if tok.kind == "name" and tok.text not in used:
            known = names.get(tok.text) if isinstance(names, Mapping) else (tok.text in names or None)
            if known is None and tok.text not in FUNCTIONS and tok.text not in CONSTANTS:
                return (text, mapping, frozenset(names.items() if isinstance(names, Mapping) else names),
                        max_length, strict)
            used[tok.text] = known
    return (text, mapping, frozenset(used.items()), max_length, strict, "used names only")


def _parse(text: str, names: Collection[str] | Mapping[str, sympy.Symbol], *, max_length: int,
           strict: bool) -> Parsed:
    """:func:`parse` itself, without the memo."""
    if not isinstance(text, str):
        raise ExpressionError("a formula must be text")
    if len(text) > max_length:
        raise ExpressionError(f"the input is too long ({len(text)} characters; at most {max_length})")
    # (a printable text has no control character: the common case skips the walk through each one)
    if not text.isprintable() and any(unicodedata.category(ch) == "Cc" and ch not in "\t" for ch in text):
        raise ExpressionError("the input contains control characters")
    source, tokens = _tokens(text)
    if not source:
        raise ExpressionError("the input is empty")
    if tokens and tokens[-1].kind == "number" and (len(tokens) == 1 or (len(tokens) == 2 and tokens[0].text in "+-")):
        # one signed number (most answers, and the only input with a literal): no grammar needed
        value = _literal_value(tokens[-1].text)
        literal = tokens[-1].text if len(tokens) == 1 else tokens[0].text.replace("+", "") + tokens[-1].text
        return Parsed(expr=-value if tokens[0].text == "-" else value, text=source, literal=literal,
                      names=frozenset(), reading=tuple(t.text for t in tokens))
    symbols: Mapping[str, sympy.Symbol]
    if isinstance(names, Mapping):
        symbols = names
    else:
        symbols = {n: symbol(n) for n in names}
    pieces = _implicit_products(tokens, symbols, strict)
    literals = {p: t.text for p, t in zip(pieces_numbers(pieces), (t for t in tokens if t.kind == "number"))}
    code = " ".join(pieces)
    try:
        tree = ast.parse(code, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        raise ExpressionError(_syntax_hint(tokens)) from None
    converter = _Converter(symbols, literals)
    try:
        expr = converter.convert(tree.body)
    except RecursionError:
        raise ExpressionError("the formula is nested too deeply") from None
    if expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise ExpressionError("division by zero")
    if expr.has(sympy.I):
        raise ExpressionError("that is not a real number")
    reading = tuple(literals.get(p, p) for p in pieces)
    return Parsed(expr=expr, text=source, literal=None, names=frozenset(converter.names), reading=reading)


def pieces_numbers(pieces: list[str]) -> list[str]:
    """The placeholder names standing for number literals, in order."""
    return [p for p in pieces if p.startswith("_n")]


def _syntax_hint(tokens: Sequence[_Token]) -> str:
    opens = sum(t.text == "(" for t in tokens)
    closes = sum(t.text == ")" for t in tokens)
    if opens > closes:
        return "a bracket '(' is never closed"
    if closes > opens:
        return "there is a ')' without its '('"
    if tokens and tokens[-1].kind == "op" and tokens[-1].text not in ")":
        return f"the formula ends with '{tokens[-1].said}'"
    for a, b in itertools.pairwise(tokens):
        if a.kind == "number" and b.kind == "number":
            return f"two numbers in a row at column {b.column}: is an operator missing?"
        if a.kind == "op" and b.kind == "op" and a.text not in "()" and b.text not in "()-+":
            return f"'{a.said}' followed by '{b.said}' at column {b.column}"
    return "this is not a formula I can read"


def parse_number(text: str) -> sympy.Expr:
    """Parse a constant (a number or a formula of numbers only): values in network files."""
    parsed = parse(text, ())
    return parsed.expr


def symbol_in(expr: sympy.Expr, name: str) -> sympy.Symbol:
    """The symbol called ``name`` in ``expr`` (whatever its assumptions), else :func:`symbol`'s."""
    found = next((s for s in expr.free_symbols if s.name == name), None)
    return found if found is not None else symbol(name)


@functools.lru_cache(maxsize=4096)  # pragma: no mutate - only the cache size: SymPy makes the same Symbol for the same name anyway
def symbol(name: str) -> sympy.Symbol:
    """The one way a name becomes a SymPy symbol, so that every module's ``w1`` is the same
    (remembered: a Symbol is immutable, and SymPy makes the same one for the same name anyway)."""
    return sympy.Symbol(name, real=True)
