"""Where a lesson's ``setup.network:`` may point: a built-in network, or a network file in its folder.

A lesson file comes from a teacher, possibly from anyone: its ``network:`` must not become a way to
read (and print, in an error message) an arbitrary file such as the system password file. So:

- a built-in name (``simple``, ``sigmoid``) is the built-in network;
- anything else is a relative path, resolved (symlinks included) against the lesson's folder, that
  must stay inside that folder and name a ``.yaml``, ``.yml`` or ``.json`` file;
- a file that parses but does not look like a network (a mapping with ``loss``, ``nodes`` or
  ``parameters``) is refused without quoting any of it.
"""

from __future__ import annotations

from pathlib import Path

from backprop_cli.errors import UsageError

SUFFIXES = (".yaml", ".yml", ".json")
#: A file is taken for a network file (and its problems shown in detail) only if it has one of these.
NETWORK_FIELDS = ("loss", "nodes", "parameters")


def resolve_network(name: str, base: Path | None) -> str:
    """The name or path to give ``network.model.load`` for a lesson's ``setup.network``.

    Raises UsageError (one line, no file content) for anything outside the rules above.
    """
    from backprop_cli.network.model import builtin_names

    builtins = builtin_names()
    if name in builtins:
        return name
    choices = f"a built-in network ({', '.join(builtins)}) or a network file in the lesson's folder"
    if base is None:
        raise UsageError(f"'{name}' is not a built-in network; a lesson without a folder can use only {choices}")
    if not name.strip() or "\x00" in name or Path(name).is_absolute() or name.startswith("~"):
        raise UsageError(f"give {choices}, as a path relative to the lesson (not {name!r})")
    folder = base.resolve()
    try:
        target = (folder / name).resolve()
    except (OSError, RuntimeError):  # a symlink loop
        raise UsageError(f"{name!r} cannot be resolved (a symlink loop?)") from None
    if not target.is_relative_to(folder):
        raise UsageError(f"{name!r} is outside the lesson's folder; give {choices}")
    if target.suffix.lower() not in SUFFIXES:
        raise UsageError(f"{name!r} is not a network file (one ending in {', '.join(SUFFIXES)}); give {choices}")
    if not target.exists():
        raise UsageError(f"no network file {name!r} in the lesson's folder; give {choices}")
    _check_looks_like_network(target, name)
    return str(target)


def _check_looks_like_network(path: Path, name: str) -> None:
    """Refuse, without quoting it, a file that parses as YAML but is not a network at all."""
    from backprop_cli.yamlfile import load_file

    data, _ = load_file(path)  # bounded, regular files only; YAML errors name only a line
    if not isinstance(data, dict) or not any(key in data for key in NETWORK_FIELDS):
        raise UsageError(f"{name!r} is not a network file (it has none of the fields "
                         f"{', '.join(NETWORK_FIELDS)})")
