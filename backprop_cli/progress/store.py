"""Where the learner's record lives, and how it is written without ever losing any of it.

``Store.update`` is the one way to write: under a lock file it re-reads the file, lets the caller add
its own work (one lesson attempt, one quiz) to what is there now, and replaces the file atomically
(a temp file in the same folder, fsync, ``os.replace``). Two sessions at once therefore merge instead
of overwriting each other, and a kill at any moment leaves the previous file whole. Stray temp files
of a writer that was killed are removed under the lock.

``Store.load`` never raises: a file it cannot use (bad JSON, wrong shape, a newer format, unreadable)
is renamed aside, never deleted, and the learner starts fresh with a warning. A format-1 file (the
first release) is read, converted, and kept beside the new one as ``progress.json.format-1``.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from backprop_cli.errors import UsageError
from backprop_cli.progress.record import SCHEMA_VERSION, Progress, describe, from_version_1

FILE_NAME = "progress.json"
HOME_ENV = "BACKPROP_HOME"
LOCK_TIMEOUT = 15.0  # seconds to wait for another backprop that is saving
MAX_FILE_BYTES = 64 * 1024 * 1024


class ProgressSaveError(UsageError):
    """The progress file cannot be written (exit 2): the message says where and how to move it."""

    def __init__(self, path: Path, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"cannot save progress to {path}: {reason}; set {HOME_ENV} to a writable folder")


def default_home() -> Path:
    """``$BACKPROP_HOME`` if set, else the platform's user data folder for backprop."""
    env = os.environ.get(HOME_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("backprop", appauthor=False))


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def dumps(progress: Progress) -> str:
    """Human-readable: indent 2, real Unicode (σ, ŷ in answers), a final newline."""
    return json.dumps(progress.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def parse(data: Any) -> Progress:
    """A decoded document as ``Progress``; raises ``ValueError`` naming the first wrong field."""
    from pydantic import ValidationError

    if not isinstance(data, dict):
        raise ValueError(f"the document: expected an object, got {type(data).__name__}")
    version = data.get("version")
    if "version" not in data:
        raise ValueError("version: missing")
    if type(version) is not int or version < 1:
        raise ValueError(f"version: expected an integer ≥ 1, got {json.dumps(version)[:40]}")
    if version == 1:
        data = from_version_1(data)
    try:
        return Progress.model_validate(data)
    except ValidationError as exc:
        raise ValueError(describe(exc.errors())) from None


class Store:
    """Where progress lives; ``load`` never raises, ``update``/``save`` raise only ``ProgressSaveError``."""

    def __init__(self, home: Path | None = None):
        self.home = Path(home) if home is not None else default_home()
        self.path = self.home / FILE_NAME
        self._check_path()
        # Set when an unusable file could not be moved aside: saving would overwrite it.
        self._blocked: str | None = None

    def _check_path(self) -> None:
        try:
            os.lstat(self.path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            if exc.errno == errno.ENAMETOOLONG:
                raise UsageError(f"cannot use {HOME_ENV}={_short(self.home)}: {_reason(exc)}; "
                                 f"set {HOME_ENV} to a writable folder") from None

    # -- reading --------------------------------------------------------------------------------
    def load(self) -> tuple[Progress, list[str]]:
        """The saved progress and any warnings; a fresh ``Progress`` when there is nothing usable."""
        result = self._read()
        if isinstance(result, Progress):
            return result, []
        if result is None:
            return Progress(), []
        return Progress(), [self._set_aside(result)]

    def _read(self) -> Progress | str | None:
        """The file's progress, None when there is no file, or what is wrong with it."""
        try:
            with open(self.path, "rb") as handle:
                raw = handle.read(MAX_FILE_BYTES + 1)
        except (FileNotFoundError, NotADirectoryError):  # no file (or no folder for it) yet
            return None
        except OSError as exc:
            return f"could not be read ({_reason(exc)})"
        if len(raw) > MAX_FILE_BYTES:
            return f"is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB"
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            return "is not valid JSON (not UTF-8 text)"
        except json.JSONDecodeError as exc:
            return f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        except (ValueError, RecursionError):
            return "is not valid JSON"
        version = data.get("version") if isinstance(data, dict) else None
        if type(version) is int and version > SCHEMA_VERSION:
            return (f"was written by a newer backprop (format {version}; this one reads formats 1 to "
                    f"{SCHEMA_VERSION})")
        try:
            progress = parse(data)
        except ValueError as exc:
            return f"has an unexpected shape ({exc})"
        except RecursionError:
            return "has an unexpected shape (nested too deeply)"
        if version == 1:
            self._keep_format_1(raw)
        return progress

    def _keep_format_1(self, raw: bytes) -> None:
        """The first release's file, kept once beside the converted one (best effort)."""
        copy = self.path.with_name(f"{FILE_NAME}.format-1")
        if not copy.exists():
            with contextlib.suppress(OSError):
                _write_atomically(copy, raw.decode("utf-8"))

    def _set_aside(self, problem: str) -> str:
        """Rename the unusable file (never delete it) and say so."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{FILE_NAME}.corrupt-{stamp}")
        n = 1
        while aside.exists() or aside.is_symlink():
            aside = self.path.with_name(f"{FILE_NAME}.corrupt-{stamp}-{n}")
            n += 1
        try:
            os.rename(self.path, aside)
        except OSError as exc:
            self._blocked = f"{self.path} {problem} and could not be moved aside ({_reason(exc)})"
            return (f"progress file {self.path} {problem}; it could not be moved aside "
                    f"({_reason(exc)}), so this session's progress will not be saved")
        return f"progress file {self.path} {problem}; kept it as {aside.name} and started fresh"

    # -- writing --------------------------------------------------------------------------------
    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the lock file while reading, merging and writing; other backprops wait their turn."""
        from filelock import FileLock, Timeout

        try:
            self.home.mkdir(parents=True, exist_ok=True)
            lock = FileLock(str(self.path.with_name(f".{FILE_NAME}.lock")), timeout=LOCK_TIMEOUT)
            lock.acquire()
        except Timeout:
            raise ProgressSaveError(self.path, f"another backprop has held its lock for over "
                                               f"{LOCK_TIMEOUT:.0f} s") from None
        except OSError as exc:
            raise ProgressSaveError(self.path, _reason(exc)) from exc
        try:
            self._clean_temp_files()
            yield
        finally:
            lock.release()

    def update(self, change: Callable[[Progress], None]) -> Progress:
        """Re-read the file, apply ``change`` to what is there now, write it back; returns the result."""
        if self._blocked:
            raise ProgressSaveError(self.path, self._blocked)
        with self.locked():
            result = self._read()
            if isinstance(result, str):  # it went bad since this session began: keep it, start afresh
                self._set_aside(result)
                if self._blocked:
                    raise ProgressSaveError(self.path, self._blocked)
            progress = result if isinstance(result, Progress) else Progress()
            change(progress)
            try:
                _write_atomically(self.path, dumps(progress))
            except OSError as exc:
                raise ProgressSaveError(self.path, _reason(exc)) from exc
        return progress

    def save(self, progress: Progress) -> None:
        """Replace the whole record (tests, imports); sessions use ``update``, which merges."""
        if self._blocked:
            raise ProgressSaveError(self.path, self._blocked)
        with self.locked():
            try:
                _write_atomically(self.path, dumps(progress))
            except OSError as exc:
                raise ProgressSaveError(self.path, _reason(exc)) from exc

    def _clean_temp_files(self) -> None:
        """Temp files left by a writer that was killed mid-write (only ever touched under the lock)."""
        with contextlib.suppress(OSError):
            for stray in self.home.glob(f".{FILE_NAME}.*.tmp"):
                with contextlib.suppress(OSError):
                    stray.unlink()

    def reset(self, key: str | None = None) -> Progress:
        """Start one lesson again (its finished attempts are kept; an unfinished one is stopped), or
        erase everything, keeping the old file aside as ``progress.json.reset-<time>``."""
        if key is None:
            with self.locked():
                if self.path.exists():
                    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
                    try:
                        os.replace(self.path, self.path.with_name(f"{FILE_NAME}.reset-{stamp}"))
                    except OSError as exc:
                        raise ProgressSaveError(self.path, _reason(exc)) from exc
            return Progress()

        def restart(progress: Progress) -> None:
            record = progress.lessons.get(key)
            if record is not None:
                for attempt in record.attempts:
                    if attempt.status == "in-progress":
                        attempt.status = "stopped"
            if progress.last_lesson == key:
                progress.last_lesson = None

        return self.update(restart)


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{FILE_NAME}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:  # Ctrl-C included: never leave a stray temp file behind
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it (POSIX); best effort."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _short(path: Path) -> str:
    text = str(path)
    return text if len(text) <= 60 else text[:28] + "…" + text[-28:]
