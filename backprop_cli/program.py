"""``backprop`` run as a program: the console script and ``python -m backprop_cli`` start here.

The collector is tuned first, before Typer, Rich and the rest are imported (as the program, not as a
library: :func:`backprop_cli.cli.main` called with arguments leaves the caller's collector alone).
"""

from __future__ import annotations

import gc

#: objects allocated between two young-generation collections when running as the program
GC_THRESHOLD = 200_000


def tune_collector() -> None:
    """Collect cyclic garbage every 200,000 new objects instead of 700, as mypy does. SymPy (and
    the imports before it) allocate millions of small acyclic objects, and each young collection
    walked them: 8% of a `lessons validate`, for no memory saved (78 MB either way)."""
    gc.set_threshold(GC_THRESHOLD, 30, 30)


def main() -> None:
    """Run the command line as the program (exits with its code)."""
    tune_collector()
    from backprop_cli.cli import main as run

    run()
