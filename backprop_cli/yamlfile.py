"""Reading YAML content files (networks, lessons) safely, with line numbers for every field.

PyYAML's ``safe_load`` forgets where things were. We compose the same text once more with the
safe loader to map each field path to its line, so that every problem can be reported as
``file:line: field: problem``. Aliases are refused (no billion-laughs), duplicate keys are
refused (PyYAML would silently keep the last one), files are size-bounded (only regular files
are read, and never more than the limit), and whole numbers too long for Python to convert are
refused with their line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

from backprop_cli.errors import FileFormatError
from backprop_cli.regular_file import MAX_FILE_BYTES, read_bounded

#: Digits in one whole number. Python refuses to convert more than 4300 (640 at the lowest setting),
#: and no network or lesson needs more than the expression parser's 40.
MAX_INT_DIGITS = 100
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
#: libyaml's safe loader when PyYAML was built with it (about 10× faster), else the pure-Python one.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Loc = tuple[str | int, ...]


@dataclass
class Lines:
    """Maps a field path such as ``("nodes", "z1")`` to the 1-based line it is written on."""

    by_path: dict[Loc, int] = field(default_factory=dict)

    def line(self, loc: Iterable[str | int]) -> int | None:
        loc = tuple(loc)
        while loc:
            if loc in self.by_path:
                return self.by_path[loc]
            loc = loc[:-1]
        return self.by_path.get((), None)


def field_name(loc: Iterable[str | int]) -> str:
    """``("steps", 3, "answer")`` → ``steps[3].answer`` (0-based as in the file's list)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _check_scalar(node: yaml.Node, loc: Loc, source: str) -> None:
    """Numbers YAML would turn into Python values that break later: 5,000 digits, .inf, .nan."""
    if not isinstance(node, yaml.ScalarNode) or node.tag not in (_INT_TAG, _FLOAT_TAG):
        return
    text = node.value.lstrip("+-")
    if node.tag == _INT_TAG and text[:2].lower() in ("0x", "0o", "0b"):
        text = text[2:]
    digits = sum(ch.isalnum() for ch in text) if node.tag == _INT_TAG else sum(ch.isdigit() for ch in text)
    problem = None
    if node.tag == _FLOAT_TAG and text.lower() in (".inf", ".nan"):
        problem = f"{node.value} is not a finite number"
    elif digits > MAX_INT_DIGITS:
        kind = "a whole number" if node.tag == _INT_TAG else "a number"
        problem = f"{kind} of {digits:,} digits is too long (at most {MAX_INT_DIGITS})"
    if problem:
        raise FileFormatError(source, problem, node.start_mark.line + 1, field_name(loc) or None)


class _Aliased(Exception):
    """A node met twice while walking: the file uses an alias (its line is found by the events)."""


def _meet(node: yaml.Node, met: set[int] | None) -> None:
    """Composing shares an anchored node wherever an alias names it: a node met twice is an alias."""
    if met is not None:
        if id(node) in met:
            raise _Aliased
        met.add(id(node))


def _walk(node: yaml.Node, loc: Loc, lines: Lines, source: str, met: set[int] | None = None) -> None:
    _meet(node, met)
    lines.by_path.setdefault(loc, node.start_mark.line + 1)
    _check_scalar(node, loc, source)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            _meet(key_node, met)
            key = key_node.value
            line = key_node.start_mark.line + 1
            _check_scalar(key_node, loc, source)
            if key in seen:
                raise FileFormatError(
                    source, f"'{key}' is given twice (first on line {seen[key]})", line, field_name(loc) or None
                )
            seen[key] = line
            at = (*loc, key)
            lines.by_path[at] = line
            _walk(value_node, at, lines, source, met)
            lines.by_path[at] = line
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            at = (*loc, i)
            lines.by_path[at] = item.start_mark.line + 1
            _walk(item, at, lines, source, met)


def load_text(text: str, source: str) -> tuple[Any, Lines]:
    """Parse YAML (JSON is YAML too) into plain data and its line map."""
    if len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        raise FileFormatError(source, f"the file is larger than {MAX_FILE_BYTES // 1000} kB")
    try:
        return _load_sound(text, source)
    except (_Aliased, yaml.YAMLError, FileFormatError, RecursionError):
        return _load_checked(text, source)  # the problem, found and worded exactly as by the full route


def _load_sound(text: str, source: str) -> tuple[Any, Lines]:
    """The usual case in one pass: composed once, walked (a node met twice is an alias), constructed.
    Anything unusual raises, and :func:`_load_checked` finds and words the first problem (an alias
    first of all: its events run over the whole file before anything else is looked at)."""
    loader = SAFE_LOADER(text)
    try:
        root = loader.get_single_node()
        lines = Lines()
        if root is not None:
            _walk(root, (), lines, source, set())
        data = loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()
    return data, lines


def _load_checked(text: str, source: str) -> tuple[Any, Lines]:
    """Every check in order: aliases (by the parser's events, with their line), then the
    composed nodes (duplicate keys, numbers too long), then the data."""
    try:
        for event in yaml.parse(text, Loader=SAFE_LOADER):
            if isinstance(event, yaml.AliasEvent):
                raise FileFormatError(
                    source, "YAML aliases (*name) are not supported; write the value out",
                    event.start_mark.line + 1 if event.start_mark is not None else None,
                )
        return _load_sound(text, source)  # no alias: composed once, the line map and the data from the same nodes
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise FileFormatError(source, f"not valid YAML: {problem}", line) from None
    except yaml.YAMLError as exc:  # a reader error: one line, without the text around it
        reason = getattr(exc, "reason", None) or str(exc).splitlines()[0]
        position = getattr(exc, "position", None)
        where = f" (character {position + 1})" if isinstance(position, int) else ""
        raise FileFormatError(source, f"not valid YAML: {reason}{where}") from None


def load_file(path: Path | str) -> tuple[Any, Lines]:
    """Read a regular file of at most :data:`MAX_FILE_BYTES` and parse it.

    Devices, named pipes and sockets are refused before a byte is read (``st_size`` is 0 for them,
    and /dev/zero never ends while a pipe may never begin); the read itself is bounded as well, so a
    file that grows while it is read cannot get past the limit.
    """
    path = Path(path)
    try:
        raw = read_bounded(path)
    except FileNotFoundError:
        raise FileFormatError(str(path), "no such file") from None
    except IsADirectoryError:
        raise FileFormatError(str(path), "is a folder, not a file") from None
    except OSError as exc:
        raise FileFormatError(str(path), exc.strerror or "cannot be read") from None
    if len(raw) > MAX_FILE_BYTES:
        raise FileFormatError(str(path), f"the file is larger than {MAX_FILE_BYTES // 1000} kB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileFormatError(str(path), f"not UTF-8 text (byte {exc.start})") from None
    return load_text(text, str(path))


M = TypeVar("M")


def validate(model: type[M], data: Any, lines: Lines, source: str) -> M:
    """Validate plain data against a pydantic model; every problem becomes file:line: field: problem."""
    from pydantic import ValidationError

    if not isinstance(data, dict):
        raise FileFormatError(source, "the file must be a mapping of fields (name: value)", lines.line(()))
    fields = getattr(model, "model_fields", {})
    if data and fields and not any(isinstance(key, str) and key in fields for key in data):
        # Not this kind of file at all (/etc/shadow as a network): say so without echoing its lines
        # as "unknown field" problems.
        kind = model.__name__.removesuffix("File").lower()
        required = [name for name, info in fields.items() if info.is_required()]
        raise FileFormatError(source, f"not a {kind} file: none of its fields is one a {kind} file has "
                              f"({', '.join(required)}, …)")
    try:
        return model.model_validate(data)  # type: ignore[attr-defined]
    except ValidationError as exc:
        from backprop_cli.schema_keys import explain

        problems = [FileFormatError(source, message, lines.line(loc), field_name(loc) or None)
                    for loc, message in explain(model, exc.errors(include_url=False), _message)]
        raise FileProblems(problems) from None


def _message(err: dict) -> str:
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    if kind == "value_error" and "error" in err.get("ctx", {}):
        return str(err["ctx"]["error"])  # our own validators' words, without pydantic's "Value error, "
    msg = str(err.get("msg", "invalid"))
    return msg[0].lower() + msg[1:] if msg else "invalid"


class FileProblems(FileFormatError):
    """Several problems in one file; printed one per line."""

    def __init__(self, problems: list[FileFormatError]):
        self.problems = problems
        first = problems[0]
        super().__init__(first.path, first.problem, first.line, first.field)
        self.args = ("\n".join(str(p) for p in problems),)

    def __str__(self) -> str:
        return self.args[0]
