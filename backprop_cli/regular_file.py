"""Reading a file a user names, safely: a regular file only (a device, a named pipe or a socket is
refused before a byte is read: /dev/zero never ends, a pipe may never begin) and never more than a
bound. Shared by the YAML loader, the compiled-network cache and validate's result cache; no YAML
here, so the cache's fast path stays light.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from backprop_cli.errors import FileFormatError

MAX_FILE_BYTES = 1_000_000  # a lesson or network file


def read_bounded(path: Path, limit: int | None = None) -> bytes:
    """At most ``limit`` (default :data:`MAX_FILE_BYTES`) + 1 bytes of a regular file (more than
    ``limit`` means too large); anything but a regular file is a FileFormatError, a folder an
    IsADirectoryError."""
    limit = MAX_FILE_BYTES if limit is None else limit
    kind = not_regular(os.stat(path).st_mode)
    if kind:
        raise FileFormatError(str(path), f"is {kind}, not a regular file")
    # O_NONBLOCK: if a pipe replaced the file since the stat, opening it still does not wait.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as handle:
        kind = not_regular(os.fstat(handle.fileno()).st_mode)
        if kind:
            raise FileFormatError(str(path), f"is {kind}, not a regular file")
        return handle.read(limit + 1)


def not_regular(mode: int) -> str:
    """'' for a regular file, else what it is, in words."""
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        raise IsADirectoryError
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "something else"
