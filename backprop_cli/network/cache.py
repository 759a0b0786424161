"""A compiled network kept between runs, keyed by the file's content: `step --json` without SymPy.

Parsing, deriving and generating a 337-parameter network costs about half a second; a repeat run
of `step --json` on the same file needs none of it. After a run compiles a network, its generated
source and its leaf values (floats) are saved in the user cache folder (``$BACKPROP_HOME/cache`` if
set, else platformdirs' user cache folder), named by a hash of the file's bytes, of this code's own
source and of the Python version; a changed file, or a changed generator, is a different entry.

Reading an entry back compiles code from a file, so an entry is trusted only after a check that
keeps it to what the generator writes: digits, letters, spaces and the operators ``+-*/(),=<>:``
only (no strings, no brackets but round ones); a dot only between digits (no attribute access);
and every name one of a few keywords or the generator's own (``v12``, ``g3``, the functions of
:data:`compile.FUNCTIONS`): such code can only do arithmetic and call those functions. Anything
else, or any error, and the entry is ignored (the network is compiled from its file again).
Set ``BACKPROP_NO_CACHE=1`` to turn the cache off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backprop_cli.network.runtime import FUNCTIONS, Compiled, namespace

FORMAT = 1
MAX_BYTES = 1_000_000  # the network file limit (yamlfile); bigger files take the ordinary route
_HERE = Path(__file__).resolve().parent
_CODE = (_HERE / "graph.py", _HERE / "compile.py", _HERE / "model.py", _HERE.parent / "mathfunctions.py",
         _HERE.parent / "expressions.py", Path(__file__).resolve())

_CHARACTERS = re.compile(r"[A-Za-z0-9_ \t\n.+\-*/(),=<>:]*")  # no quotes, no [ ] { }, no backslash
_LONE_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)")  # a dot not inside a number: attribute access
_NAME = re.compile(r"(?<![\w.])[A-Za-z_]\w*")  # names (not the e of 1e-05)
_KEYWORDS = {"def", "return", "while", "if", "not", "is", "None", "try", "except", "break", "and", "or"}
_LOCALS = {"leaves", "values", "lr", "steps", "until", "append", "on_step", "done", "status", "loss", "grads",
           "forward", "descend"}
_OWN = re.compile(r"(?:[vgl]\d+|_c\d+_\d+)")


@dataclass(frozen=True)
class Entry:
    """What `step --json` needs of a network, without SymPy."""

    name: str
    leaves: tuple[str, ...]
    values: tuple[float, ...]
    nodes: tuple[str, ...]
    parameters: tuple[str, ...]
    learning_rate: float | None
    source: str


def enabled() -> bool:
    return os.environ.get("BACKPROP_NO_CACHE", "") in ("", "0")


def folder() -> Path:
    home = os.environ.get("BACKPROP_HOME")
    if home:
        return Path(home) / "cache" / "networks"
    import platformdirs

    return Path(platformdirs.user_cache_dir("backprop", appauthor=False)) / "networks"


def file_bytes(name_or_path: str) -> bytes | None:
    """The bytes of a built-in network or of a regular file (never a pipe or a device), else None."""
    from backprop_cli.network.model import NAME_PATTERN

    builtin = _HERE.parent / "networks" / f"{name_or_path}.yaml"
    path = builtin if NAME_PATTERN.match(name_or_path) and builtin.is_file() else Path(name_or_path)
    try:
        with open(path, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            data = handle.read(MAX_BYTES + 1)
    except OSError:
        return None
    return data if len(data) <= MAX_BYTES else None


def key(data: bytes) -> str:
    digest = hashlib.sha256(f"{FORMAT} {sys.version}".encode())
    for path in _CODE:
        digest.update(path.read_bytes())
    digest.update(data)
    return digest.hexdigest()[:40]


def lookup(data: bytes) -> Entry | None:
    """The entry for a file with these bytes, if there is one and it passes the check."""
    try:
        raw = json.loads((folder() / f"{key(data)}.json").read_text(encoding="utf-8"))
        entry = Entry(str(raw["name"]), _names(raw["leaves"]), tuple(float(v) for v in raw["values"]),
                      _names(raw["nodes"]), _names(raw["parameters"]),
                      None if raw["learning_rate"] is None else float(raw["learning_rate"]), str(raw["source"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if len(entry.values) != len(entry.leaves) or not checked(entry.source):
        return None
    return entry


def store(data: bytes, compiled: Compiled, values: dict[str, float], name: str,
          learning_rate: float | None) -> None:
    """Save a compiled network (quietly does nothing if the folder cannot be written)."""
    document = {"name": name, "leaves": list(compiled.leaves), "values": [values[n] for n in compiled.leaves],
                "nodes": list(compiled.nodes), "parameters": list(compiled.parameters),
                "learning_rate": learning_rate, "source": compiled.source}
    target = folder() / f"{key(data)}.json"
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(document), encoding="utf-8")
        os.replace(temporary, target)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def checked(source: str) -> bool:
    """Whether ``source`` holds only what the generator writes (see the module docstring).

    Only these characters; a dot only between two digits (a number, never an attribute); and
    every name one of the generator's: so the code can only compute and call :data:`FUNCTIONS`.
    """
    if not _CHARACTERS.fullmatch(source) or _LONE_DOT.search(source):
        return False
    return all(word in _KEYWORDS or word in _LOCALS or word in FUNCTIONS or _OWN.fullmatch(word)
               for word in set(_NAME.findall(source)))


def compiled(entry: Entry, load_network) -> Compiled:
    """The entry's functions; ``load_network()`` gives the network if a step needs the explained path."""
    functions = namespace(entry.source)
    return Compiled(entry.leaves, entry.nodes, entry.parameters, (), entry.source, functions["forward"],
                    functions["descend"], None, loader=load_network)


def _names(items: Any) -> tuple[str, ...]:
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError("names")
    return tuple(items)
