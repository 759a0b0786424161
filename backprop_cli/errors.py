"""One error family for everything a user can get wrong, and the exit codes it maps to.

Logic raises these; only ``cli.main`` turns them into a message line and an exit code,
so no command has to remember the convention.
"""

from __future__ import annotations

import sys

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class BackpropError(Exception):
    """Base of every error the user should see as one line, never as a traceback."""

    exit_code = EXIT_FAILURE


class UsageError(BackpropError):
    """Bad options, names or values given on the command line or at a prompt."""

    exit_code = EXIT_USAGE


class FileFormatError(UsageError):
    """A network or lesson file that cannot be used; the message names file, line and field."""

    def __init__(self, path: str, problem: str, line: int | None = None, field: str | None = None):
        self.path = str(path)
        self.problem = problem
        self.line = line
        self.field = field
        where = self.path if line is None else f"{self.path}:{line}"
        what = f"{field}: {problem}" if field else problem
        super().__init__(f"{where}: {what}")


class ExpressionError(UsageError):
    """Text that is not a formula we accept; ``column`` is 1-based when known."""

    def __init__(self, message: str, column: int | None = None):
        self.message = message
        self.column = column
        super().__init__(message if column is None else f"{message} (at column {column})")


class DivergenceError(BackpropError):
    """The loss overflowed or became NaN during training."""

    def __init__(self, step: int, lr: float, detail: str):
        self.step = step
        self.lr = lr
        super().__init__(
            f"the loss {detail} at step {step} with learning rate {lr:g}; "
            f"try a smaller learning rate (e.g. --lr {lr / 10:g})"
        )


def warn(message: str) -> None:
    """One warning line on stderr, the same everywhere: ``backprop: warning: ...``."""
    try:
        sys.stderr.write(f"backprop: warning: {message}\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # stderr closed or gone: a warning is not worth a crash
        pass
