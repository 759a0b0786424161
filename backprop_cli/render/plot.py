"""Terminal plots drawn with Rich: a Braille line plot (loss curves, tangent lines) and a heat map.

Drawn here rather than with plotext because plotext's API changed completely between 5.x and 6.x;
Rich text also keeps NO_COLOR, narrow terminals and ``--export`` working the same way as every
other view. Both plots size themselves to the width Rich offers them, so they shrink with the
terminal. Without colour, curves are told apart by their key letters and the heat map by a
character ramp.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from backprop_cli import notation as nt

#: Styles for successive curves.
PALETTE = ("cyan", "magenta", "yellow", "green", "red", "blue", "bright_white", "bright_black")
#: Braille dot bits by (column, row) inside a 2 × 4 cell.
_DOTS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))
MIN_PLOT_WIDTH = 12


@dataclass(frozen=True)
class Series:
    label: str
    xs: Sequence[float]
    ys: Sequence[float]
    style: str = ""
    key: str = ""  # a letter drawn on the curve, so curves can be told apart without colour


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    char: str
    style: str = "bold"


def _nice_label(value: float) -> str:
    return nt.number(value, 3)


@dataclass
class LinePlot:
    """Curves in a Braille canvas with a y axis (linear or log) and an x axis."""

    series: Sequence[Series]
    height: int = 12
    log_y: bool = False
    x_label: str = ""
    y_label: str = ""
    markers: Sequence[Marker] = field(default_factory=tuple)
    max_width: int | None = None
    #: values below are drawn at the floor (a log plot of a loss that reaches 0 ends along the bottom)
    y_floor: float | None = None
    #: values above leave the plot through its top edge (a diverging curve does not squash the others)
    y_ceiling: float | None = None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width if self.max_width is None else min(self.max_width, options.max_width)
        yield from self.lines(width)

    def _y(self, y: float) -> float | None:
        """The plotted coordinate of a value (log10 on a log plot); None when it cannot be drawn."""
        if math.isnan(y):
            return None
        if self.y_floor is not None:
            y = max(y, self.y_floor)
        if math.isinf(y) or (self.log_y and y <= 0):
            return None
        return math.log10(y) if self.log_y else y

    def _in_range(self, t: float) -> bool:
        if self.y_ceiling is None:
            return True
        top = self._y(self.y_ceiling)
        return top is None or t <= top

    def _label_y(self, t: float) -> str:
        return _nice_label(10**t if self.log_y else t)

    def lines(self, width: int) -> list[Text]:
        """The plot as lines of at most ``width`` cells (the plot area shrinks to fit)."""
        budget = 8 * max(MIN_PLOT_WIDTH, width)  # a few points per Braille dot column is plenty
        series = [Series(s.label, *_thin(s.xs, s.ys, budget), s.style, s.key) for s in self.series]
        return self._lines(series, width)

    def _lines(self, all_series: Sequence[Series], width: int) -> list[Text]:
        plotted = [(x, self._y(y)) for s in all_series for x, y in zip(s.xs, s.ys)]
        plotted += [(m.x, self._y(m.y)) for m in self.markers]
        points = [(x, y) for x, y in plotted if y is not None and math.isfinite(x) and self._in_range(y)]
        if not points:
            return [Text("(nothing to plot: no finite values)", style="muted")]
        # the x axis spans every drawable step, so a curve that leaves through the top is seen to leave
        xs = [x for x, y in plotted if y is not None and math.isfinite(x)]
        x0, x1 = min(xs), max(xs)
        y0, y1 = min(p[1] for p in points), max(p[1] for p in points)
        if x1 == x0:
            x0, x1 = x0 - 1, x1 + 1
        if y1 == y0:
            pad = abs(y0) * 0.1 or 1.0
            y0, y1 = y0 - pad, y1 + pad
        floor = None if self.y_floor is None else self._y(self.y_floor)
        on_floor = floor is not None and y0 == floor  # a value was drawn at the floor: it is the bottom tick
        y0, y1, rows, ticks = _y_axis(y0, y1, max(3, self.height), whole=self.log_y and y1 - y0 >= 2,
                                      base=y0 if on_floor else None)
        labels = [self._label_y(ticks[r]) if r in ticks else "" for r in range(rows)]
        margin = max(len(s) for s in labels)
        cols = max(MIN_PLOT_WIDTH, width - margin - 1)
        canvas = _Canvas(cols, rows, x0, x1, y0, y1)
        for s in all_series:
            canvas.polyline([(x, self._y(y)) for x, y in zip(s.xs, s.ys)], s.style)
        for k, s in enumerate(all_series):
            if s.key:
                canvas.key_on_curve([(x, self._y(y)) for x, y in zip(s.xs, s.ys)], s.key, s.style, k,
                                    len(all_series))
        for m in self.markers:
            y = self._y(m.y)
            if y is not None:
                canvas.mark(m.x, y, m.char, m.style)
        out: list[Text] = []
        if self.y_label:
            out.append(Text(self.y_label, style="heading"))
        for r in range(rows):
            line = Text()
            line.append(labels[r].rjust(margin), style="muted")
            line.append("┤" if labels[r] else "│", style="muted")
            line.append_text(canvas.row(r))
            out.append(line)
        out.append(Text(" " * margin + "└" + "─" * cols, style="muted"))
        out.append(Text(" " * (margin + 1) + _x_ticks(x0, x1, cols), style="muted"))
        if self.x_label:
            out.append(Text(" " * (margin + 1) + self.x_label.center(cols).rstrip(), style="muted"))
        return out


def _thin(xs: Sequence[float], ys: Sequence[float], budget: int) -> tuple[list[float], list[float]]:
    """At most about ``budget`` points: each bucket keeps its lowest and highest point, in order,
    so a long curve's shape (and any bouncing) survives while drawing stays quick."""
    xs, ys = list(xs), list(ys)
    if len(ys) <= budget:
        return xs, ys
    size = -(-len(ys) // (budget // 2))
    out: list[int] = []
    for start in range(0, len(ys), size):
        idx = [i for i in range(start, min(start + size, len(ys))) if not math.isnan(ys[i])]
        if idx:
            out.extend(sorted({min(idx, key=ys.__getitem__), max(idx, key=ys.__getitem__)}))
    if out and out[-1] != len(ys) - 1:
        out.append(len(ys) - 1)
    return [xs[i] for i in out], [ys[i] for i in out]


def _nice_step(span: float, whole: bool) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ᵏ (whole numbers only if ``whole``) that cuts ``span`` into at
    most four parts."""
    raw = span / 4
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        step = factor * power
        if step >= raw * (1 - 1e-9) and (not whole or step == round(step)):
            return step
    return max(1.0, 10.0 * power)


def _y_axis(y0: float, y1: float, height: int, whole: bool,
            base: float | None = None) -> tuple[float, float, int, dict[int, float]]:
    """The y axis on round numbers: the range widened to whole steps of a nice size (on a log plot
    over two decades or more, whole decades), and about ``height`` rows, chosen so that every tick
    falls exactly on a row, evenly spaced. ``base``, if given, is the bottom tick (a plot's floor).
    Returns (bottom, top, rows, {row: tick value})."""
    step = _nice_step(y1 - y0, whole)
    bottom = base if base is not None else math.floor(y0 / step + 1e-9) * step
    parts = max(1, math.ceil((y1 - bottom) / step - 1e-9))
    per = max(1, round((height - 1) / parts))
    rows = parts * per + 1
    return bottom, bottom + parts * step, rows, {i * per: bottom + (parts - i) * step for i in range(parts + 1)}


def _x_ticks(x0: float, x1: float, cols: int) -> str:
    """Labels at the left end, the middle and the right end of the x axis (without overlapping)."""
    line = [" "] * cols
    for frac in (0.0, 0.5, 1.0):
        text = _nice_label(x0 + frac * (x1 - x0))
        start = int(frac * (cols - 1)) - (len(text) // 2 if 0 < frac < 1 else (len(text) - 1 if frac == 1 else 0))
        start = max(0, min(cols - len(text), start))
        if all(c == " " for c in line[max(0, start - 1):start + len(text) + 1]):
            line[start:start + len(text)] = text
    return "".join(line).rstrip()


class _Canvas:
    """Braille cells: each character holds 2 × 4 dots; each cell remembers the style that drew it."""

    def __init__(self, cols: int, rows: int, x0: float, x1: float, y0: float, y1: float):
        self.cols, self.rows = cols, rows
        self.x0, self.x1, self.y0, self.y1 = x0, x1, y0, y1
        self.bits = [[0] * cols for _ in range(rows)]
        self.styles = [[""] * cols for _ in range(rows)]
        self.chars: dict[tuple[int, int], tuple[str, str]] = {}

    def _pixel(self, x: float, y: float) -> tuple[int, int]:
        px = round((x - self.x0) / (self.x1 - self.x0) * (2 * self.cols - 1))
        py = round((self.y1 - y) / (self.y1 - self.y0) * (4 * self.rows - 1))
        return px, py

    def _dot(self, px: int, py: int, style: str) -> None:
        if 0 <= px < 2 * self.cols and 0 <= py < 4 * self.rows:
            c, r = px // 2, py // 4
            self.bits[r][c] |= _DOTS[px % 2][py % 4]
            self.styles[r][c] = style

    def polyline(self, points: Sequence[tuple[float, float | None]], style: str) -> None:
        previous = None
        for x, y in points:
            if y is None or not math.isfinite(x):
                previous = None
                continue
            here = self._fpixel(x, y)
            if previous is None:
                self._dot(round(here[0]), round(here[1]), style)
            else:
                clipped = _clip(previous, here, 2 * self.cols - 1, 4 * self.rows - 1)
                if clipped is not None:
                    a, b = clipped
                    for px, py in _segment((round(a[0]), round(a[1])), (round(b[0]), round(b[1]))):
                        self._dot(px, py, style)
            previous = here

    def _fpixel(self, x: float, y: float) -> tuple[float, float]:
        return ((x - self.x0) / (self.x1 - self.x0) * (2 * self.cols - 1),
                (self.y1 - y) / (self.y1 - self.y0) * (4 * self.rows - 1))

    def mark(self, x: float, y: float, char: str, style: str) -> None:
        px, py = self._pixel(x, y)
        if 0 <= px < 2 * self.cols and 0 <= py < 4 * self.rows:
            self.chars[(py // 4, px // 2)] = (char, style)

    def key_on_curve(self, points, key: str, style: str, index: int, count: int) -> None:
        """Write the curve's key letter on it, each curve at a different place along x."""
        finite = [(x, y) for x, y in points if y is not None and math.isfinite(x) and y <= self.y1]
        if not finite:
            return
        k = min(len(finite) - 1, int(len(finite) * (index + 1) / (count + 1)))
        self.mark(finite[k][0], finite[k][1], key, f"bold {style}".strip())

    def row(self, r: int) -> Text:
        out = Text()
        for c in range(self.cols):
            if (r, c) in self.chars:
                char, style = self.chars[(r, c)]
                out.append(char, style=style)
            elif self.bits[r][c]:
                out.append(chr(0x2800 + self.bits[r][c]), style=self.styles[r][c])
            else:
                out.append(" ")
        return out


def _clip(a: tuple[float, float], b: tuple[float, float], right: float, bottom: float):
    """The part of segment a–b inside [0, right] × [0, bottom] (Liang–Barsky), or None."""
    (x0, y0), (x1, y1) = a, b
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x0), (dx, right - x0), (-dy, y0), (dy, bottom - y0)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None
    return (x0 + t0 * dx, y0 + t0 * dy), (x0 + t1 * dx, y0 + t1 * dy)


def _segment(a: tuple[int, int], b: tuple[int, int]):
    """The pixels of a straight line from a to b (Bresenham), capped so huge jumps stay cheap."""
    (x0, y0), (x1, y1) = a, b
    dx, dy = abs(x1 - x0), -abs(y1 - y0)
    if max(dx, -dy) > 4000:
        yield b
        return
    sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
    err = dx + dy
    while True:
        yield x0, y0
        if (x0, y0) == (x1, y1):
            return
        e2 = 2 * err
        if e2 >= dy:
            err += dy
            x0 += sx
        if e2 <= dx:
            err += dx
            y0 += sy


# -- heat map -------------------------------------------------------------------------------------

#: Low → high loss: a viridis-like ramp of background colours, and a character ramp without colour.
HEAT_COLOURS = ("#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58",
                "#b5de2b", "#fde725")
HEAT_CHARS = " .:-=+*#%@"


def heat_level(value: float, low: float, high: float, levels: int = len(HEAT_CHARS)) -> int | None:
    """0 … levels−1 on a log-like scale above the lowest value (the valley stays visible)."""
    if not math.isfinite(value):
        return None
    span = high - low
    if span <= 0:
        return 0
    floor = span * 1e-3
    t = math.log1p((value - low) / floor) / math.log1p(span / floor)
    return max(0, min(levels - 1, int(t * levels)))


@dataclass(frozen=True)
class Overlay:
    """A character drawn on a heat-map cell (path points, start, end, minimum, valley)."""

    i: int
    j: int
    char: str


@dataclass
class HeatMap:
    """A grid of values (``values[j][i]``, j upward) as coloured cells, with overlays and axes."""

    values: Sequence[Sequence[float]]
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    overlays: Sequence[Overlay] = field(default_factory=tuple)
    x_label: str = ""
    y_label: str = ""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        colour = not console.no_color and console.color_system is not None
        for line in self.lines(colour):
            line.no_wrap = True
            line.overflow = "crop"
            yield line

    def bounds(self) -> tuple[float, float]:
        finite = [v for row in self.values for v in row if math.isfinite(v)]
        return (min(finite), max(finite)) if finite else (0.0, 0.0)

    def lines(self, colour: bool) -> list[Text]:
        rows, cols = len(self.values), len(self.values[0])
        low, high = self.bounds()
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        labels = {0: _nice_label(y1), rows // 2: _nice_label((y0 + y1) / 2), rows - 1: _nice_label(y0)}
        margin = max(len(v) for v in labels.values())
        marks = {(o.j, o.i): o.char for o in self.overlays}
        out: list[Text] = []
        if self.y_label:
            out.append(Text(f"↑ {self.y_label}", style="heading"))
        for r in range(rows):
            j = rows - 1 - r  # the top line shows the highest y
            line = Text()  # no base style: the cells must not inherit the axis's dim
            line.append(labels.get(r, "").rjust(margin), style="muted")
            line.append("┤" if r in labels else "│", style="muted")
            for i in range(cols):
                level = heat_level(self.values[j][i], low, high)
                char = marks.get((j, i))
                if colour:
                    if level is None:
                        line.append(char or "?", style="bold red")
                        continue
                    fg = "#000000" if level >= 7 else "#ffffff"
                    line.append(char or " ", style=f"bold {fg} on {HEAT_COLOURS[level]}")
                else:
                    line.append(char or ("?" if level is None else HEAT_CHARS[level]))
            out.append(line)
        out.append(Text(" " * margin + "└" + "─" * cols, style="muted"))
        out.append(Text(" " * (margin + 1) + _x_ticks(x0, x1, cols), style="muted"))
        if self.x_label:
            out.append(Text(" " * (margin + 1) + f"{self.x_label} →".center(cols).rstrip(), style="heading"))
        out.append(self.legend(colour, low, high, margin + 1))
        return out

    def legend(self, colour: bool, low: float, high: float, indent: int) -> Text:
        line = Text(" " * indent + "loss ")
        line.append(_nice_label(low), style="value")
        if colour:
            line.append(" ")
            for level in range(len(HEAT_CHARS)):
                line.append(" ", style=f"on {HEAT_COLOURS[level]}")
            line.append(" ")
        else:
            line.append(f" [{HEAT_CHARS}] ")
        line.append(_nice_label(high), style="value")
        return line
