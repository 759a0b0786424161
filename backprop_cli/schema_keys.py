"""pydantic's validation errors in an author's terms: one explanation per mistake, with the keys
allowed at that place (``hint`` → "did you mean 'hints'?").

pydantic reports a typo'd key twice (the unknown ``hint`` and the missing ``hints``) and a value
that fits no member of an untagged union once per member; an author made one mistake, so one line
is kept: the unknown key with its suggestion, and the member of the union the value was closest to.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Callable, Iterable, Iterator
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

Loc = tuple[Any, ...]


def _flat(annotation: Any, tag: str | None = None) -> Iterator[tuple[str | None, Any]]:
    """The concrete types of an annotation (through Annotated, Optional and unions), with their tags."""
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *meta = get_args(annotation)
        tags = [m.tag for m in meta if type(m).__name__ == "Tag"]
        yield from _flat(inner, tags[0] if tags else tag)
    elif origin is Union or origin is types.UnionType:
        for arg in get_args(annotation):
            yield from _flat(arg, tag)
    else:
        yield tag, annotation


def _is_model(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, BaseModel)


def _member(part: Any, options: list[tuple[str | None, Any]]) -> bool:
    """``part`` of an error's location names a union member (``·ask``, ``ValueDef``,
    ``function-before[_formula(), str]``), not a field."""
    if not isinstance(part, str) or len(options) < 2:
        return False
    return "[" in part or any(part in (tag, getattr(t, "__name__", None)) for tag, t in options)


def _walk(model: type[BaseModel], loc: Loc) -> list[tuple[Any, bool, list[tuple[str | None, Any]]]]:
    """Each part of ``loc`` with whether it names a union member and the types possible before it;
    a last entry (None, False, the types at the end)."""
    options = list(_flat(model))
    out = []
    for part in loc:
        member = _member(part, options)
        out.append((part, member, options))
        if member:
            options = [(tag, t) for tag, t in options if part in (tag, getattr(t, "__name__", None))] or \
                [(tag, t) for tag, t in options if not _is_model(t)]
            continue
        following: list[tuple[str | None, Any]] = []
        for _, t in options:
            if _is_model(t):
                info = t.model_fields.get(part) or next((f for f in t.model_fields.values() if f.alias == part), None)
                if info is not None:
                    following += _flat(info.annotation)
            elif get_origin(t) is list and isinstance(part, int):
                following += _flat(get_args(t)[0])
            elif get_origin(t) is dict:
                following += _flat(get_args(t)[1])
        options = following
    out.append((None, False, options))
    return out


def keys_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """The keys a file may write at ``loc`` (a location as pydantic gives it, members included)."""
    options = _walk(model, loc)[-1][2]
    return [info.alias or name for _, t in options if _is_model(t) for name, info in t.model_fields.items()]


def _union_prefix(model: type[BaseModel], loc: Loc) -> tuple[Loc, str] | None:
    """(the location of the union, the member) when ``loc`` passes an untagged union's member."""
    for i, (part, member, _) in enumerate(_walk(model, loc)[:-1]):
        if member and not part.startswith("·"):
            return loc[:i], part
    return None


def _file_loc(model: type[BaseModel], loc: Loc) -> Loc:
    """The location without union members (``·ask``, ``ValueDef``): the path as the file has it."""
    return tuple(part for part, member, _ in _walk(model, loc)[:-1] if not member)


def _closest_members(model: type[BaseModel], errors: list[dict]) -> list[dict]:
    """Of a value that fits no member of an untagged union, keep the errors of the member it is
    closest to: a mapping is not the text member, and the fewest errors win."""
    groups: dict[Loc, dict[str, list[dict]]] = {}
    for err in errors:
        found = _union_prefix(model, tuple(err["loc"]))
        if found is not None:
            groups.setdefault(found[0], {}).setdefault(found[1], []).append(err)
    dropped: set[int] = set()
    for members in groups.values():
        if len(members) < 2:
            continue
        mapped = {m: e for m, e in members.items() if "[" not in m} or members
        best = min(mapped, key=lambda m: len(mapped[m]))
        dropped.update(id(e) for m, errs in members.items() if m != best for e in errs)
    return [e for e in errors if id(e) not in dropped]


def explain(model: type[Any], errors: Iterable[Any], message: Callable[[Any], str]) -> list[tuple[Loc, str]]:
    """Each remaining error as (the location in the file, the message), unknown keys with a suggestion."""
    errors = _closest_members(model, list(errors))
    out: list[tuple[Loc, str]] = []
    answered: set[tuple[Loc, str]] = set()  # (place, missing key) that an unknown key's suggestion covers
    for err in errors:
        loc = tuple(err["loc"])
        text = message(err)
        if err.get("type") == "extra_forbidden" and loc and isinstance(loc[-1], str):
            allowed = keys_at(model, loc[:-1])
            close = difflib.get_close_matches(loc[-1], allowed, n=1, cutoff=0.6)
            if close:
                text += f"; did you mean '{close[0]}'?"
                answered.add((loc[:-1], close[0]))
        elif err.get("type") == "step_kind" and isinstance(err.get("input"), dict):
            kinds = ["text", "derive", "network", "plot", "ask"]
            typo = next((k for k in err["input"] if isinstance(k, str)
                         and difflib.get_close_matches(k, kinds, n=1, cutoff=0.6)), None)
            if typo is not None:
                text += f" (is '{typo}' meant to be '{difflib.get_close_matches(typo, kinds, n=1, cutoff=0.6)[0]}'?)"
        out.append((loc, text))
    kept = []
    for (loc, text), err in zip(out, errors):
        if err.get("type") == "missing" and (loc[:-1], loc[-1]) in answered:
            continue  # `hint` for `hints`: one mistake, said once
        kept.append((_file_loc(model, loc), text))
    return kept
