"""``--export FILE``: keep what a view showed, as SVG, HTML or plain text (Rich's console recording).

The extension is checked before any work is done, so a typo costs nothing; the console that
draws the view records it, and :func:`save` writes the recording in the format the name asks for.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from backprop_cli.errors import UsageError

FORMATS = (".svg", ".html", ".txt")


def check_path(path: str | None) -> Path | None:
    """The export path, or a usage error (exit 2) for an extension we cannot write."""
    if path is None:
        return None
    target = Path(path)
    if target.suffix.lower() not in FORMATS:
        raise UsageError(f"--export {path!r}: the file name must end in {', '.join(FORMATS)}")
    if target.parent != Path("") and not target.parent.is_dir():
        raise UsageError(f"--export {path!r}: the folder {str(target.parent)!r} does not exist")
    return target


def console_for(path: Path | None, **kwargs) -> Console:
    """The themed console; it records what it prints when there is somewhere to export it.

    With NO_COLOR set the theme's console writes no escape codes at all (not even bold): the views
    then tell things apart by characters (curve keys, the heat map's character ramp).
    """
    from backprop_cli.render.theme import console

    return console(record=path is not None, **kwargs)


def save(console: Console, path: Path | None, title: str = "backprop") -> None:
    """Write the recording; the format follows the extension (checked by :func:`check_path`)."""
    if path is None:
        return
    suffix = path.suffix.lower()
    try:
        if suffix == ".svg":
            console.save_svg(str(path), title=title)
        elif suffix == ".html":
            console.save_html(str(path))
        else:
            console.save_text(str(path))
    except OSError as exc:
        raise UsageError(f"--export {str(path)!r}: cannot write it ({exc.strerror or exc})") from None
