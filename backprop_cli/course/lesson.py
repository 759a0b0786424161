"""A lesson made ready to teach: every formula parsed, every define and answer computed by SymPy.

The file only names formulas; this module turns them into exact values (``Rational`` where the
arithmetic is rational, symbolic constants such as σ(−1/2) otherwise) so that what the learner is
shown and what they are checked against come from one computation.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sympy

from backprop_cli.course.schema import (
    DerivativeDef,
    DeriveStep,
    LessonFile,
    NetworkStep,
    QuestionStep,
    TextStep,
    ValueDef,
)
from backprop_cli.errors import ExpressionError, FileFormatError
from backprop_cli.expressions import Parsed, parse, symbol
from backprop_cli.yamlfile import FileProblems, Lines

INTERPOLATION = re.compile(r"\{\{(.*?)\}\}")
#: A lesson computes exactly: a value (or a network's estimated values) with more binary digits than
#: this is refused with a clear problem instead of keeping SymPy busy for minutes.
MAX_EXACT_BITS = 20_000


@dataclass(frozen=True)
class Question:
    """A question with its computed answer (``expected``) and what is needed to check it."""

    index: int  # position among the lesson's questions, from 0
    step: QuestionStep
    expected: sympy.Expr  # exact value (number questions), expression, or the choice index
    uses: frozenset[str]  # earlier question ids its answer formula names (for follow-through)
    answer_expr: sympy.Expr  # the answer formula, over names (before substitution)
    names: Mapping[str, sympy.Symbol]  # for expression questions: the names the learner may use

    @property
    def id(self) -> str:
        return self.step.id


@dataclass
class Lesson:
    """A validated lesson file with its evaluation environment."""

    spec: LessonFile
    source: str
    lines: Lines
    network: Any = None  # backprop_cli.network.graph.Network
    detail: Any = None  # the engine's exact StepDetail for the network, if any
    symbols: dict[str, sympy.Symbol] = field(default_factory=dict)
    #: name → expression over ``symbols`` (defines, computed network names, question answers)
    definitions: dict[str, sympy.Expr] = field(default_factory=dict)
    #: symbol name → value for numeric evaluation (the network's forward values)
    values: dict[str, sympy.Expr] = field(default_factory=dict)
    questions: list[Question] = field(default_factory=list)
    seed: int | None = None  # the seed of the lesson's fresh numbers (``vary``); None: the file's own
    #: what is worked out once per lesson and reused for every answer (floats, labels, diagnoses)
    cache: dict = field(default_factory=dict, repr=False, compare=False)
    #: names whose define or question failed while building (validation goes on): a formula using
    #: one is skipped (:class:`Skipped`), not reported again; "*" when the network could not be loaded
    failed: set[str] = field(default_factory=set)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def title(self) -> str:
        return self.spec.title

    # -- evaluation ---------------------------------------------------------------------------
    def known_names(self) -> dict[str, sympy.Symbol]:
        return dict(self.name_table())

    def name_table(self) -> dict[str, sympy.Symbol]:
        """The names of :meth:`known_names`, the table itself (not a copy): read it, never change it."""
        sizes = (len(self.symbols), len(self.definitions))  # the build only ever adds names: sizes tell a change
        found = self.cache.get("known_names")
        if found is None or found[0] != sizes:
            names = dict(self.symbols)
            for name in self.definitions:
                names.setdefault(name, symbol(name))
            found = self.cache["known_names"] = (sizes, names)
        return found[1]

    def parse(self, text: str, loc: tuple) -> sympy.Expr:
        """Parse a formula of this lesson, reporting problems at ``loc`` of the file."""
        key = ("parse", text, len(self.symbols), len(self.definitions))
        if key in self.cache:
            return self.cache[key]
        expr = self.parsed(text, loc).expr
        self.cache[key] = expr
        return expr

    def parsed(self, text: str, loc: tuple) -> Parsed:
        """A formula of the file, read strictly (an author's ``w1x1`` is a typo, not a product).

        Every unknown name is a problem of its own; a formula naming a define or question that
        already failed raises :class:`Skipped` (its problem is already reported)."""
        names = self.name_table()
        if self.failed - {"*"}:
            names = dict(names)
            for name in self.failed - {"*"}:
                names.setdefault(name, symbol(name))
        try:
            found = parse(text, names, strict=True)
        except ExpressionError as exc:
            errors = getattr(exc, "errors", [exc])
            if "*" in self.failed and all(e.message.startswith("unknown ") for e in errors):
                raise Skipped(self.source, "uses a name of the network that could not be loaded") from None
            if len(errors) > 1:
                raise FileProblems([self.problem(e.message, loc) for e in errors]) from None
            raise self.problem(exc.message, loc) from None
        if found.names & self.failed:
            raise Skipped(self.source, f"uses {', '.join(sorted(found.names & self.failed))}, which failed")
        return found

    def expand(self, expr: sympy.Expr, overrides: Mapping[str, sympy.Expr] | None = None) -> sympy.Expr:
        """Replace defined names by their definitions (``overrides`` first), leaving free symbols."""
        key = ("definitions", len(self.definitions))  # names are only ever added, never redefined
        if key not in self.cache:
            self.cache[key] = {symbol(n): e for n, e in self.definitions.items()}
        table = self.cache[key]
        if overrides:
            table = dict(table)
            table.update({symbol(n): e for n, e in overrides.items()})
        for _ in range(50):
            new = expr.xreplace(table)
            if new == expr:
                return expr
            expr = new
        return expr  # pragma: no cover - definitions are acyclic by construction

    def value(self, expr: sympy.Expr, overrides: Mapping[str, sympy.Expr] | None = None) -> sympy.Expr:
        """Expand and substitute the network's values: a number when the formula is fully determined."""
        if not overrides:
            quick = self._value_at_once(expr)
            if quick is not None:
                return quick
        return self._value_in_steps(expr, overrides)

    def _value_in_steps(self, expr: sympy.Expr, overrides: Mapping[str, sympy.Expr] | None = None) -> sympy.Expr:
        """:meth:`value` as defined: expand every defined name, then substitute the network's values."""
        expanded = self.expand(expr, overrides)
        if self.values:
            expanded = expanded.xreplace(self._value_table())
        return expanded

    def _value_table(self) -> dict[sympy.Symbol, sympy.Expr]:
        key = ("values", len(self.values))  # set once, with the network
        if key not in self.cache:
            self.cache[key] = {symbol(n): v for n, v in self.values.items()}
        return self.cache[key]

    def _value_at_once(self, expr: sympy.Expr) -> sympy.Expr | None:
        """:meth:`value` in one substitution into the (small) formula: each name it uses is replaced
        by its definition with the network's values already in (worked out once per name), so the
        large exact values are never walked again. None where that is not the same as
        :meth:`_value_in_steps`: a definition that still names a defined name."""
        values = self._value_table()
        memo = self.cache.setdefault(("valued", len(self.values)), {})  # a name is never redefined
        table: dict[sympy.Symbol, sympy.Expr] = {}
        for free in expr.free_symbols:
            name = free.name
            if name in self.definitions and free == symbol(name):
                if name not in memo:
                    valued = self.definitions[name]
                    free_names = frozenset(s.name for s in valued.free_symbols)
                    if values and free_names:  # (the engine's exact values name nothing: no second walk)
                        valued = valued.xreplace(values)
                        free_names = frozenset(s.name for s in valued.free_symbols)
                    memo[name] = (valued, free_names)
                valued, names = memo[name]
                if any(n in self.definitions for n in names):
                    return None
                table[free] = valued
            elif free in values:
                table[free] = values[free]
        return expr.xreplace(table) if table else expr

    def interpolate(self, text: str, loc: tuple) -> str:
        """Replace each ``{{formula}}`` by its value (or, if it is not a number, by the formula)."""
        from backprop_cli import notation

        def one(match: re.Match) -> str:
            key = ("shown", match.group(1).strip(), len(self.symbols), len(self.definitions))
            if key not in self.cache:
                expr = self.value(self.parse(match.group(1).strip(), loc))
                self.cache[key] = notation.number(display_value(expr)) if expr.is_number else notation.formula(expr)
            return self.cache[key]

        return INTERPOLATION.sub(one, text)

    def step_index(self, step: Any) -> int:
        """Where ``step`` (one of this lesson's steps) stands in the file: found by identity, once
        per lesson (``steps.index`` compared whole pydantic models, step by step, at every call)."""
        if "step_index" not in self.cache:
            self.cache["step_index"] = {id(s): i for i, s in enumerate(self.spec.steps)}
        found = self.cache["step_index"].get(id(step))
        return found if found is not None else self.spec.steps.index(step)

    def problem(self, message: str, loc: tuple) -> FileFormatError:
        from backprop_cli.yamlfile import field_name

        return FileFormatError(self.source, message, self.lines.line(loc), field_name(loc) or None)


class Skipped(FileFormatError):
    """A check left out because something it depends on already failed (and was reported): not a
    problem of its own, so that one mistake does not bring a cascade of follow-on errors."""


def display_value(value: sympy.Expr):
    """A value as it is shown to six figures: rationals exact, others through their float when it
    is safely inside the float range (sympy.N on nested sigmoids took most of `lessons validate`)."""
    from backprop_cli.checking.floats import float_value

    if value.is_Rational:
        return value
    quick = float_value(value)
    return quick if quick is not None and 1e-250 < abs(quick) < 1e250 else value


def build(spec: LessonFile, source: str, lines: Lines, base: Path | None,
          problems: list[FileFormatError] | None = None,
          overrides: Mapping[str, sympy.Expr] | None = None, seed: int | None = None,
          network: Any = None) -> Lesson:
    """Compute a lesson's environment: network values, defines, and every question's answer.

    Every define and question is tried, one failure not hiding the next (what depends on a failed
    one is skipped, not reported again). With ``problems`` given, they are added to it and the
    lesson, without its failed parts, is returned; otherwise they are raised together.
    ``overrides`` replace network values and numeric defines (fresh numbers: ``course/vary.py``);
    ``network``, the network the file names as already loaded (by the same file's first build), saves
    reading and compiling it again."""
    found: list[FileFormatError] = []
    lesson = Lesson(spec=spec, source=source, lines=lines, seed=seed)
    overrides = overrides or {}

    def attempt(fn, *args, fails: str | None = None):
        try:
            return fn(*args)
        except FileFormatError as exc:
            collect(found, exc)
            if fails:
                lesson.failed.add(fails)
            return None

    setup = spec.setup
    for name in setup.symbols:
        lesson.symbols[name] = symbol(name)
    if setup.network is not None:
        attempt(_attach_network, lesson, setup.network, base, overrides, network, fails="*")
    for name, definition in setup.define.items():
        loc = ("setup", "define", name)
        if name in lesson.name_table():
            found.append(lesson.problem(f"'{name}' is already defined", loc))
            continue
        if name in overrides:
            lesson.definitions[name] = overrides[name]
            continue
        value = attempt(_defined, lesson, definition, loc, fails=name)
        if value is not None:
            lesson.definitions[name] = value
    seen: set[str] = set()
    for i, step in enumerate(spec.steps):
        if isinstance(step, QuestionStep):
            at = ("steps", i)
            if step.id in seen or step.id in lesson.name_table():
                found.append(lesson.problem(f"the id '{step.id}' is already used", (*at, "id")))
                continue
            seen.add(step.id)
            question = attempt(_question, lesson, step, i, len(lesson.questions), fails=step.id)
            if question is None:
                continue
            lesson.questions.append(question)
            if step.ask == "number":
                lesson.definitions[step.id] = question.expected
    if problems is not None:
        problems.extend(found)
    elif found:
        raise FileProblems(found)
    return lesson


def _defined(lesson: Lesson, definition, loc: tuple) -> sympy.Expr:
    """A define's value, bounded in size (see ``_bounded``)."""
    return _bounded(lesson, _define(lesson, definition, loc), loc)


def collect(problems: list[FileFormatError], exc: FileFormatError) -> None:
    """Add a raised problem (or several) to ``problems``; a :class:`Skipped` check adds nothing."""
    if isinstance(exc, Skipped):
        return
    problems.extend(p for p in getattr(exc, "problems", [exc]) if not isinstance(p, Skipped))


def _attach_network(lesson: Lesson, name: str, base: Path | None,
                    overrides: Mapping[str, sympy.Expr] | None = None, loaded: Any = None) -> None:
    from backprop_cli.course.network_ref import resolve_network
    from backprop_cli.errors import BackpropError
    from backprop_cli.network.engine import Engine
    from backprop_cli.network.graph import LOSS
    from backprop_cli.network.model import load as load_network

    try:
        net = loaded if loaded is not None else load_network(resolve_network(name, base))
    except BackpropError as exc:
        raise lesson.problem(f"network: {exc}", ("setup", "network")) from None
    leaves = {k: v for k, v in (overrides or {}).items() if k in net.leaves()}
    if leaves:
        net = net.with_values(leaves)
    lr = net.learning_rate
    if lesson.spec.setup.learning_rate is not None:
        lr = lesson.parse(lesson.spec.setup.learning_rate, ("setup", "learning_rate"))
    if lr is None:
        raise lesson.problem("the network has no learning_rate; give setup.learning_rate", ("setup", "network"))
    bits = _network_bits(net)
    if bits > MAX_EXACT_BITS:
        raise lesson.problem(f"the network's exact values would need more than {MAX_EXACT_BITS} binary digits "
                             "(a lesson computes exactly): use smaller powers or fewer layers", ("setup", "network"))
    engine = Engine(net)
    try:  # the float route first: a loss that cannot even be computed would hang the exact one
        loss = engine.forward({k: float(v) for k, v in net.leaves().items()})[LOSS]
    except (ArithmeticError, ValueError):
        loss = math.nan
    if not math.isfinite(loss):
        raise lesson.problem("the network cannot be used: its loss cannot be computed at the starting values "
                             "(it overflows or is undefined)", ("setup", "network"))
    detail = engine.step_detail(lr, exact=True)
    lesson.network, lesson.detail = net, detail
    for leaf in net.leaves():
        lesson.symbols[leaf] = symbol(leaf)
    for node in net.nodes:
        lesson.symbols[node.name] = symbol(node.name)
    lesson.values.update(detail.before.values)
    computed = {"lr": sympy.nsimplify(lr) if not isinstance(lr, sympy.Basic) else lr}
    for name_, adj in detail.adjoints.items():
        computed[f"d_loss_d_{name_}"] = adj
    for (node, dep), value in detail.locals.items():
        computed[f"d_{node}_d_{dep}"] = value
    for update in detail.updates:
        computed[f"new_{update.parameter}"] = update.new
    for node in net.nodes:
        computed[f"new_{node.name}"] = detail.after.values[node.name]
    lesson.definitions.update(computed)


def _bounded(lesson: Lesson, value: sympy.Expr, loc: tuple) -> sympy.Expr:
    """``value``, if it is small enough to compute with exactly and (as a number) finite."""
    from backprop_cli.checking.floats import safe_to_evaluate

    for atom in value.atoms(sympy.Rational):
        bits = int(atom.p).bit_length() + int(atom.q).bit_length()
        if bits > MAX_EXACT_BITS:
            raise lesson.problem(f"the exact value has about {int(bits * 0.30103)} digits, more than a lesson "
                                 "can compute with", loc)
    if value.is_number and not value.is_Rational and not safe_to_evaluate(value, {}):
        raise lesson.problem("the value is too large (it overflows) or undefined", loc)
    return value


def _network_bits(net) -> int:
    """A rough upper bound of the binary digits of the network's exact values: powers multiply the
    digits of their base, products and sums add them (the backward pass multiplies along paths)."""
    sizes: dict[str, int] = {}
    for name_, value in net.leaves().items():
        v = sympy.Rational(value)
        sizes[name_] = int(v.p).bit_length() + int(v.q).bit_length()

    def size(expr) -> int:
        if expr.is_Symbol:
            return sizes.get(expr.name, 1)
        if expr.is_Rational:
            return int(expr.p).bit_length() + int(expr.q).bit_length()
        if expr.is_Pow and expr.exp.is_Integer:
            return size(expr.base) * max(1, abs(int(expr.exp)))
        return sum(size(a) for a in expr.args) or 1

    total = 0
    for node in net.nodes:
        sizes[node.name] = min(size(node.expr), 10**9)
        total = min(total + sizes[node.name], 10**9)
    return total


def _define(lesson: Lesson, definition, loc: tuple) -> sympy.Expr:
    if isinstance(definition, DerivativeDef):
        if definition.derivative not in lesson.definitions:
            raise lesson.problem(f"'{definition.derivative}' is not defined above", (*loc, "derivative"))
        if definition.wrt not in lesson.symbols:
            raise lesson.problem(f"'{definition.wrt}' is not one of the setup's symbols", (*loc, "wrt"))
        from backprop_cli.differentiate import derivative

        return derivative(lesson.definitions[definition.derivative], lesson.symbols[definition.wrt])
    if isinstance(definition, ValueDef):
        expr = lesson.expand(lesson.parse(definition.value, (*loc, "value")))
        point = {}
        for var, text in definition.at.items():
            if var not in lesson.symbols:
                raise lesson.problem(f"'{var}' is not one of the setup's symbols", (*loc, "at", var))
            point[lesson.symbols[var]] = lesson.value(lesson.parse(text, (*loc, "at", var)))
        return expr.xreplace(point)
    return lesson.expand(lesson.parse(definition, loc))


def _fields_fit_kind(lesson: Lesson, step: QuestionStep, i: int) -> None:
    """Options and facts belong to choices, names to formulas, exact to numbers (all reported)."""
    belongs = {"options": "choice", "because": "choice", "names": "expression", "exact": "number"}
    found = [lesson.problem(f"{field_} belongs to {kind} questions only", ("steps", i, field_))
             for field_, kind in belongs.items() if getattr(step, field_) is not None and step.ask != kind]
    if step.ask == "choice":
        if not step.options or len(step.options) < 2:
            found.append(lesson.problem("a choice question needs at least two options", ("steps", i, "options")))
        letters = "abcdefghijklmnopqrstuvwxyz"[: max(len(step.options or ()), 2)]
        if step.answer.strip().lower() not in letters:
            found.append(lesson.problem(f"the answer of a choice question is a letter ({', '.join(letters)})",
                                        ("steps", i, "answer")))
    if found:
        raise FileProblems(found)


def _question(lesson: Lesson, step: QuestionStep, i: int, index: int) -> Question:
    loc = ("steps", i, "answer")
    _fields_fit_kind(lesson, step, i)
    if step.ask == "choice":
        expected = sympy.Integer("abcdefghijklmnopqrstuvwxyz".index(step.answer.strip().lower()))
        return Question(index, step, expected, frozenset(), expected, {})
    parsed = lesson.parsed(step.answer, loc)
    question_ids = {q.id for q in lesson.questions}
    uses = frozenset(n for n in parsed.names if n in question_ids)
    if step.ask == "number":
        expected = _bounded(lesson, lesson.value(parsed.expr), loc)
        if not expected.is_number:
            free = ", ".join(sorted(str(s) for s in expected.free_symbols))
            raise lesson.problem(f"a number question's answer must be a number, but it depends on {free}", loc)
        from backprop_cli.checking.floats import float_value

        if float_value(expected) is None and not expected.is_real:  # a finite float is real: no evalf
            raise lesson.problem("the answer is not a real number", loc)
        return Question(index, step, expected, uses, parsed.expr, {})
    expected = lesson.expand(parsed.expr)
    allowed = step.names if step.names is not None else list(lesson.symbols)
    for n in step.names or ():
        if n not in lesson.symbols:
            raise lesson.problem(f"'{n}' is not one of the lesson's symbols", ("steps", i, "names"))
    names = {n: lesson.symbols[n] for n in allowed}
    stray = {str(s) for s in expected.free_symbols} - set(names)
    if stray:
        raise lesson.problem(f"the answer uses {', '.join(sorted(stray))}, which the learner may not use", loc)
    return Question(index, step, expected, uses, parsed.expr, names)


# Re-exported for type hints elsewhere.
__all__ = ["DeriveStep", "Lesson", "NetworkStep", "Question", "QuestionStep", "Skipped", "TextStep", "build", "collect"]
