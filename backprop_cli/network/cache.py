"""A network kept between runs, keyed by the file's content: a repeat `backprop step` without SymPy.

Parsing, deriving and generating a network costs a good part of a second (SymPy's import alone is
most of a seed network's run); a repeat run on the same file needs none of it. A run that compiles
a network saves, in the user cache folder (``$BACKPROP_HOME/cache`` if set, else platformdirs'
user cache folder), named by a hash of the file's bytes, of this code's own source and of the
Python version (a changed file, or a changed generator, is a different entry):

- always: the generated ``forward``/``descend`` source and the leaf values (floats), enough for
  ``step --json``;
- after a drawn ``step``, also its view (:class:`plain.PlainNetwork`): the description, each node's
  reading and dependencies, each local derivative as text, and the source of ``explain``, so the
  report is drawn from plain data. A ``--set`` of plain numbers (``w1=0.5``, ``x=1e-3``) is applied to
  the entry's values; any other value, or an unknown name, takes the ordinary route.

Reading an entry back compiles code from a file, so an entry is trusted only after checks: a digest
of its content (a truncated or edited file is ignored), names that are names, and every piece of
code kept to what the generator writes: digits, letters, spaces and the operators ``+-*/(),=<>:``
only (no strings, no brackets but round ones); a dot only between digits (no attribute access);
and every name one of a few keywords or the generator's own (``v12``, ``g3``, the functions of
:data:`runtime.FUNCTIONS`): such code can only do arithmetic and call those functions. Its text is
printed only through the themed console, which strips control characters. Anything else, or any
error, and the entry is ignored (the network is compiled from its file again).
Set ``BACKPROP_NO_CACHE=1`` to turn the cache off.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backprop_cli import cache_files
from backprop_cli.errors import FileFormatError
from backprop_cli.network.graph import LOSS, NAME_PATTERN
from backprop_cli.network.plain import PlainLocal, PlainNetwork, PlainNode
from backprop_cli.network.runtime import FUNCTIONS, Compiled, namespace
from backprop_cli.regular_file import MAX_FILE_BYTES, read_bounded

if TYPE_CHECKING:
    from backprop_cli.network.graph import Network

FORMAT = 2
_HERE = Path(__file__).resolve().parent
_CODE = (_HERE / "graph.py", _HERE / "compile.py", _HERE / "float_printer.py", _HERE / "runtime.py",
         _HERE / "float_functions.py", _HERE / "model.py", _HERE / "plain.py", _HERE.parent / "mathfunctions.py",
         _HERE.parent / "expressions.py", _HERE.parent / "notation.py", _HERE.parent / "yamlfile.py", Path(__file__).resolve())

_CHARACTERS = re.compile(r"[A-Za-z0-9_ \t\n.+\-*/(),=<>:]*")  # no quotes, no [ ] { }, no backslash
_LONE_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)")  # a dot not inside a number: attribute access
_NAME = re.compile(r"(?<![\w.])[A-Za-z_]\w*")  # names (not the e of 1e-05)
_KEYWORDS = {"def", "return", "while", "if", "not", "is", "None", "try", "except", "break", "and", "or"}
_LOCALS = {"leaves", "values", "lr", "steps", "until", "append", "on_step", "done", "status", "loss", "grads",
           "forward", "descend", "explain"}
_OWN = re.compile(r"(?:[vgl]\d+|_c\d+_\d+)")


@dataclass(frozen=True)
class View:
    """What drawing a step needs besides the numbers (see :class:`plain.PlainNetwork`)."""

    description: str
    nodes: tuple[PlainNode, ...]
    explain: str  # the source of ``explain``


@dataclass(frozen=True)
class Entry:
    """A network's compiled form, its values, and (after a drawn step) its view."""

    name: str
    leaves: tuple[str, ...]
    values: tuple[float, ...]
    nodes: tuple[str, ...]
    parameters: tuple[str, ...]
    learning_rate: float | None
    source: str
    view: View | None


def folder() -> Path:
    return cache_files.folder("networks")


def file_bytes(name_or_path: str) -> bytes | None:
    """The bytes of a built-in network or of a regular file (never a pipe or a device), else None."""
    builtin = _HERE.parent / "networks" / f"{name_or_path}.yaml"
    path = builtin if NAME_PATTERN.fullmatch(name_or_path) and builtin.is_file() else Path(name_or_path)
    try:
        data = read_bounded(path)
    except (OSError, FileFormatError):
        return None
    return data if len(data) <= MAX_FILE_BYTES else None


def key(data: bytes) -> str:
    hasher = hashlib.sha256(f"{FORMAT} {sys.version}".encode())
    for path in _CODE:
        hasher.update(path.read_bytes())
    hasher.update(data)
    return hasher.hexdigest()[:40]


def digest(document: dict) -> str:
    """The digest an entry carries of the rest of its content."""
    body = {k: v for k, v in document.items() if k != "digest"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def lookup(data: bytes) -> Entry | None:
    """The entry for a file with these bytes, if there is one and it passes every check."""
    try:
        raw = cache_files.read("networks", key(data))
        if not isinstance(raw, dict) or raw.get("digest") != digest(raw):
            return None
        leaves, nodes = _names(raw["leaves"]), _names(raw["nodes"], loss=True)
        entry = Entry(str(raw["name"]), leaves, tuple(float(v) for v in raw["values"]), nodes,
                      _names(raw["parameters"]),
                      None if raw["learning_rate"] is None else float(raw["learning_rate"]), str(raw["source"]),
                      None if raw["view"] is None else _view(raw["view"], leaves, nodes))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if (len(entry.values) != len(entry.leaves) or not set(entry.parameters) <= set(entry.leaves)
            or not entry.nodes or entry.nodes[-1] != LOSS or not checked(entry.source)):
        return None
    return entry


def _view(raw: Any, leaves: tuple[str, ...], names: tuple[str, ...]) -> View:
    """The view part of an entry, checked: node for node, dependencies that come before it."""
    if not isinstance(raw, dict) or not isinstance(raw["nodes"], list) or len(raw["nodes"]) != len(names):
        raise ValueError("view")
    known = set(leaves)
    nodes = []
    for name, (deps, reading, shown) in zip(names, raw["nodes"]):
        deps, reading, shown = _names(deps, loss=True), _texts(reading), _texts(shown)
        if len(shown) != len(deps) or not set(deps) <= known:
            raise ValueError("view")
        nodes.append(PlainNode(name, deps, reading, tuple(PlainLocal(d, s) for d, s in zip(deps, shown))))
        known.add(name)
    explain = raw["explain"]
    if not isinstance(raw["description"], str) or not isinstance(explain, str) or not checked(explain):
        raise ValueError("view")
    return View(raw["description"], tuple(nodes), explain)


def store(data: bytes, network: PlainNetwork, values: dict[str, float]) -> None:
    """Save a compiled network with ``values`` (the file's own), and its view if it has one.

    Quietly does nothing if the folder cannot be written.
    """
    compiled = network.compiled
    view = None
    if network.nodes:
        view = {"description": network.description,
                "nodes": [[list(n.deps), list(n.reading), [loc.shown for loc in n.locals]] for n in network.nodes],
                "explain": compiled.explain_text()}
    document: dict[str, Any] = {
        "format": FORMAT, "name": network.name, "leaves": list(compiled.leaves),
        "values": [values[n] for n in compiled.leaves], "nodes": list(compiled.nodes),
        "parameters": list(compiled.parameters), "learning_rate": network.learning_rate,
        "source": compiled.source, "view": view}
    document["digest"] = digest(document)
    cache_files.write("networks", key(data), document)


def checked(source: str) -> bool:
    """Whether ``source`` holds only what the generator writes (see the module docstring).

    Only these characters; a dot only between two digits (a number, never an attribute); and
    every name one of the generator's: so the code can only compute and call :data:`FUNCTIONS`.
    """
    if not _CHARACTERS.fullmatch(source) or _LONE_DOT.search(source):
        return False
    return all(word in _KEYWORDS or word in _LOCALS or word in FUNCTIONS or _OWN.fullmatch(word)
               for word in set(_NAME.findall(source)))


def network(entry: Entry, source: str, load_network: Callable[[], Network]) -> PlainNetwork:
    """The entry as a network with its functions; without a view, ``load_network()`` gives the
    graph if a step needs the explained path (a formula that raises, on the ``--json`` route)."""
    functions = namespace(entry.source)
    view = entry.view
    if view is None:
        compiled = Compiled(entry.leaves, entry.nodes, entry.parameters, (), entry.source, functions["forward"],
                            functions["descend"], None, loader=load_network)
    else:
        locals_ = tuple((n.name, loc.dep) for n in reversed(view.nodes) for loc in n.locals)
        compiled = Compiled(entry.leaves, entry.nodes, entry.parameters, locals_, entry.source, functions["forward"],
                            functions["descend"], None, explain_source=view.explain)
    values = dict(zip(entry.leaves, entry.values))
    return PlainNetwork(entry.name, "" if view is None else view.description, source, values,
                        {p: values[p] for p in entry.parameters}, () if view is None else view.nodes,
                        entry.learning_rate, compiled)


def _names(items: Any, *, loss: bool = False) -> tuple[str, ...]:
    if not isinstance(items, list) or not all(isinstance(i, str) and (NAME_PATTERN.fullmatch(i) or (loss and i == LOSS))
                                              for i in items):
        raise ValueError("names")
    return tuple(items)


def _texts(items: Any) -> tuple[str, ...]:
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError("texts")
    return tuple(items)
