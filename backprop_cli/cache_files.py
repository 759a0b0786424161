"""The user cache folder (``$BACKPROP_HOME/cache`` if set, else platformdirs' user cache folder):
one JSON document per key in a folder per kind (``networks``, ``lessons``), written atomically, and
each folder kept to the :data:`KEEP` newest entries, so that editing a file a hundred times does not
leave a hundred entries behind. Nothing here is ever needed: a missing or unreadable entry only
means the work is done again, so every failure to write is quiet.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

#: Entries kept per folder (the newest, by modification time); a lookup refreshes nothing, so an
#: entry in use is the one written last time its file changed.
KEEP = 200


def enabled() -> bool:
    """False when ``BACKPROP_NO_CACHE`` is set (to anything but 0): every cache is then off."""
    return os.environ.get("BACKPROP_NO_CACHE", "") in ("", "0")


def folder(kind: str) -> Path:
    home = os.environ.get("BACKPROP_HOME")
    if home:
        return Path(home) / "cache" / kind
    import platformdirs

    return Path(platformdirs.user_cache_dir("backprop", appauthor=False)) / kind


def read(kind: str, key: str) -> Any:
    """The document saved under ``key``; raises OSError or ValueError when there is none to use."""
    return json.loads((folder(kind) / f"{key}.json").read_text(encoding="utf-8"))


def write(kind: str, key: str, document: Any) -> None:
    """Save ``document`` under ``key`` (atomically: a reader sees the old entry or the new one),
    then drop the oldest entries beyond :data:`KEEP`."""
    target = folder(kind) / f"{key}.json"
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, target)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        return
    prune(target.parent, KEEP)


def prune(path: Path, keep: int) -> None:
    """Remove all but the ``keep`` newest ``*.json`` entries of ``path`` (another process may be
    pruning too: an entry already gone is fine)."""
    with contextlib.suppress(OSError):
        entries = list(path.glob("*.json"))
        if len(entries) <= keep:
            return
        dated = []
        for entry in entries:
            with contextlib.suppress(OSError):
                dated.append((entry.stat().st_mtime_ns, entry.name, entry))
        for _, _, entry in sorted(dated)[: max(0, len(dated) - keep)]:
            with contextlib.suppress(OSError):
                entry.unlink()
