"""The network file: its schema, and loading a built-in name or a path into a checked graph.

A network is written as formulas in the source's own notation (see ``networks/*.yaml``).
Every problem is reported as ``file:line: field: problem`` through one :class:`FileFormatError`.
"""

from __future__ import annotations

import keyword
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from backprop_cli.errors import FileFormatError, UsageError
from backprop_cli.network.graph import NAME_PATTERN

MAX_FORMULA_LENGTH = 5000
MAX_NAMES = 5000
#: Names a network may not use: the functions, the constants, and the loss itself.
RESERVED = {"sigmoid", "tanh", "relu", "exp", "log", "ln", "sqrt", "step", "e", "pi", "loss", "L"}
SCHEMA_VERSION = 1


def _number_text(value: Any) -> str:
    """Values may be YAML numbers or constant formulas as text ("1e-3", "1/3")."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"must be a number, not {type(value).__name__} {value!r}"[:120])
    return repr(value) if isinstance(value, float) else str(value)


def _formula_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("must be a formula written as text")
    text = str(value)
    if len(text) > MAX_FORMULA_LENGTH:
        raise ValueError(f"formula too large ({len(text)} characters; at most {MAX_FORMULA_LENGTH})")
    return text


_TEXT_OR_NUMBER = WithJsonSchema({"type": ["string", "number"]})  # for `backprop network schema`
Number = Annotated[str, BeforeValidator(_number_text), _TEXT_OR_NUMBER]
Formula = Annotated[str, BeforeValidator(_formula_text), _TEXT_OR_NUMBER]


class NetworkFile(BaseModel):
    """What a network file may say; unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = SCHEMA_VERSION
    name: str = Field(min_length=1, max_length=80)
    description: str = ""
    inputs: dict[str, Number] = {}
    targets: dict[str, Number] = {}
    constants: dict[str, Number] = {}
    parameters: dict[str, Number] = Field(min_length=1)
    nodes: dict[str, Formula] = {}
    loss: Formula
    learning_rate: Number | None = None


def builtin_names() -> list[str]:
    folder = resources.files("backprop_cli") / "networks"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load(name_or_path: str):
    """Load, validate and compile a network (a built-in name or a file path) into a graph."""
    from backprop_cli.network.graph import compile_network
    from backprop_cli.yamlfile import load_file, load_text, validate

    builtin = resources.files("backprop_cli") / "networks" / f"{name_or_path}.yaml"
    if NAME_PATTERN.match(name_or_path) and builtin.is_file():
        source = f"{name_or_path}.yaml (built-in)"
        data, lines = load_text(builtin.read_text(encoding="utf-8"), source)
    else:
        path = Path(name_or_path)
        if not path.exists():
            known = ", ".join(builtin_names())
            raise UsageError(f"no network '{name_or_path}': give a built-in name ({known}) or a file path")
        source = str(path)
        data, lines = load_file(path)
    spec = validate(NetworkFile, data, lines, source)
    if spec.version != SCHEMA_VERSION:
        raise FileFormatError(source, f"version {spec.version} is not supported (this tool reads {SCHEMA_VERSION})",
                              lines.line(("version",)), "version")
    _check_names(spec, lines, source)
    return compile_network(spec, lines, source)


def _check_names(spec: NetworkFile, lines, source: str) -> None:
    seen: dict[str, str] = {}
    total = 0
    for section in ("inputs", "targets", "constants", "parameters", "nodes"):
        for name in getattr(spec, section):
            total += 1
            where = lines.line((section, name))
            field = f"{section}.{name}"
            if not NAME_PATTERN.match(name) or keyword.iskeyword(name):
                raise FileFormatError(source, "a name must start with a letter and use only letters, "
                                      "digits and _ (at most 41 characters)", where, field)
            if name in RESERVED:
                raise FileFormatError(source, f"'{name}' is reserved (a function, a constant or the loss)",
                                      where, field)
            if name in seen:
                raise FileFormatError(source, f"'{name}' is already defined in {seen[name]}", where, field)
            seen[name] = section
    if total > MAX_NAMES:
        raise FileFormatError(source, f"too many names ({total}; at most {MAX_NAMES})")
