"""The command line: one Typer app; each area registers its commands; errors become exit codes here.

Nothing heavy is imported at start-up (no SymPy): ``backprop --help`` stays as fast as Typer itself.
"""

from __future__ import annotations

import contextlib
import gc
import sys

import typer

from backprop_cli import __version__
from backprop_cli.errors import EXIT_INTERRUPTED, EXIT_USAGE, BackpropError
from backprop_cli.program import tune_collector
from backprop_cli.render.safe_text import clean, install_fallback

app = typer.Typer(
    name="backprop",
    help="A terminal tutor for backpropagation: derivatives, the chain rule, and training a network by hand.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"backprop {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """A terminal tutor for backpropagation."""


def _register() -> None:
    from backprop_cli.commands import learn, pictures, progress, quiz, review, step

    for module in (step, learn, quiz, review, pictures, progress):
        module.register(app)


_register()


def _error(message: str) -> None:
    sys.stderr.write(f"backprop: error: {clean(message)}\n")  # a message may quote a file or an answer


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; every known failure is one line on stderr and an exit code, never a traceback.

    Typer may bring its own copy of Click, so Click's exceptions are recognised by their shape
    (``exit_code`` and ``format_message``), not by importing a particular module.
    """
    install_fallback()  # PYTHONIOENCODING=ascii: spell ∂ as d rather than end in UnicodeEncodeError
    if argv is None:  # as the program (not called by a test); program.main has done this before any import
        tune_collector()
    try:
        result = app(args=argv, prog_name="backprop", standalone_mode=False)
    except BackpropError as exc:
        _error(str(exc))
        code = exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("\nbackprop: interrupted\n")
        code = EXIT_INTERRUPTED
    except BrokenPipeError:
        code = 0
    except Exception as exc:  # noqa: BLE001 - Click's own exceptions, whichever copy of Click raised them
        code = _click_exception(exc)
    else:
        code = result if isinstance(result, int) else 0
    if argv is None:
        with contextlib.suppress(BrokenPipeError):
            sys.stdout.flush()
        # Leaving: every object left is moved out of the collector's sight, so the interpreter's
        # collections at shutdown do not walk SymPy's hundreds of thousands of objects (and the
        # caches a lesson fills) one last time: 145 ms of a `lessons validate`, 90 ms of a bare
        # `import sympy`. Nothing is lost: output is flushed, files and progress are written and
        # closed by now, atexit handlers still run, and the memory goes back with the process.
        gc.freeze()
        raise SystemExit(code)
    return code


def _click_exception(exc: Exception) -> int:
    kind = type(exc).__name__
    ctx = getattr(exc, "ctx", None)
    if kind == "NoArgsIsHelpError" and ctx is not None:  # a bare command group: help was wanted
        sys.stdout.write(ctx.get_help() + "\n")
        return 0
    if kind == "Abort":  # Ctrl-D or Ctrl-C inside a Click prompt
        sys.stderr.write("\nbackprop: interrupted\n")
        return EXIT_INTERRUPTED
    if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
        message = exc.format_message()
        if exc.exit_code == EXIT_USAGE:
            path = ctx.command_path if ctx is not None else "backprop"
            message += f" (see '{path} --help')"
        _error(message)
        return int(exc.exit_code)
    if kind == "Exit":
        return int(getattr(exc, "exit_code", 0))
    raise exc
