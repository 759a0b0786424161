"""render/plot.py: the Braille line plot and the heat map, drawn at fixed widths."""

from __future__ import annotations

import io
import itertools
import math
import re

import pytest
from rich.console import Console

from backprop_cli.analysis.calculus import parse_function
from backprop_cli.analysis.derivation import derive_steps
from backprop_cli.render.analysis_views import derivation_tree
from backprop_cli.render.plot import (
    HEAT_CHARS,
    HeatMap,
    LinePlot,
    Marker,
    Overlay,
    Series,
    _clip,
    _thin,
    heat_level,
)
from backprop_cli.render.theme import THEME
from backprop_cli.render.theme import console as themed

BRAILLE = range(0x2800, 0x2900)


def text_lines(plot, width: int) -> list[str]:
    return [t.plain for t in plot.lines(width)]


def test_line_plot_fits_the_width_and_labels_both_ends():
    plot = LinePlot([Series("up", range(11), [v * v for v in range(11)])], height=6, x_label="step")
    for width in (30, 60, 100):
        out = text_lines(plot, width)
        assert max(len(line) for line in out) <= width
        assert [line.split("┤")[0].strip() for line in out[:5]] == ["100", "75", "50", "25", "0"]
        assert out[-2].split() == ["0", "5", "10"]
        assert out[-1].strip() == "step"


def test_a_rising_curve_fills_the_corners_it_passes():
    out = text_lines(LinePlot([Series("up", [0, 1], [0, 1])], height=4), 20)
    rows = [line.split("┤", 1)[-1].split("│", 1)[-1] for line in out[:5]]
    assert rows[0].rstrip()[-1] != " " and rows[4][0] != " "  # top right and bottom left are inked
    assert all(ord(c) in BRAILLE or c == " " for row in rows for c in row)


def test_log_plot_floor_and_ceiling():
    losses = [100.0, 1.0, 0.0, 0.0]  # reaches 0: drawn along the floor
    wild = [100.0, 1e6, 1e300, math.inf]  # leaves through the top
    plot = LinePlot([Series("a", range(4), losses, key="a"), Series("b", range(4), wild, key="b")],
                    height=5, log_y=True, y_floor=1e-4, y_ceiling=1e3)
    out = text_lines(plot, 40)
    assert [line.split("┤")[0].strip() for line in out[:4]] == ["100", "1", "0.01", "0.0001"]  # whole decades
    assert "a" in "".join(out[:4]) and "b" in "".join(out[:4])


def _ticks(out: list[str]) -> list[tuple[int, float]]:
    return [(r, float(line.split("┤")[0].replace("−", "-"))) for r, line in enumerate(out) if "┤" in line]


@pytest.mark.parametrize(("low", "high"), [(-1.0, 7.0), (0.455, 0.9), (-3e-5, 2e-4), (12.0, 13.5), (-250.0, -40.0)])
def test_y_ticks_are_round_evenly_spaced_and_cover_the_curve(low, high):
    """The tangent plot once read 7, 4.82, 2.64, 0.455, −1: uneven rows and numbers nobody would pick."""
    xs = [i / 50 for i in range(51)]
    plot = LinePlot([Series("f", xs, [low + (high - low) * x * x for x in xs])], height=12)
    ticks = _ticks(text_lines(plot, 60))
    rows, values = [r for r, _ in ticks], [v for _, v in ticks]
    assert len(ticks) >= 3 and len({b - a for a, b in itertools.pairwise(rows)}) == 1  # evenly spaced rows
    steps = {round(a - b, 12) for a, b in itertools.pairwise(values)}
    assert len(steps) == 1
    (step,) = steps
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert min(abs(mantissa - m) for m in (1, 2, 2.5, 5)) < 1e-6, step
    assert all(abs(v / step - round(v / step)) < 1e-6 for v in values)  # on multiples of the step
    assert values[0] >= high - 1e-12 and values[-1] <= low + 1e-12  # the whole curve is inside
    assert 8 <= rows[-1] + 1 <= 16  # about the height asked for


def test_nothing_finite_says_so():
    out = text_lines(LinePlot([Series("nan", [0, 1], [math.nan, math.inf])]), 40)
    assert out == ["(nothing to plot: no finite values)"]


def test_markers_are_drawn_where_they_belong():
    plot = LinePlot([Series("line", [0, 10], [0, 10])], height=5, markers=[Marker(10, 10, "●")])
    out = text_lines(plot, 30)
    assert out[0].rstrip().endswith("●")


def test_thinning_keeps_extremes_and_ends():
    ys = [math.sin(i / 50) * (1 + (i == 7777) * 10) for i in range(20000)]
    xs, kept = _thin(range(20000), ys, 400)
    assert len(kept) <= 420 and xs[0] == 0 and xs[-1] == 19999
    assert max(kept) == max(ys) and min(kept) == min(ys)
    assert xs == sorted(xs)


def test_clip_segment_to_the_canvas():
    assert _clip((-10, 5), (10, 5), 4, 8) == ((0, 5), (4, 5))
    assert _clip((-10, -10), (-1, -1), 4, 8) is None
    (a, b) = _clip((2, 4), (2, -1e300), 4, 8)
    assert a == (2, 4) and b[1] == pytest.approx(0)


def test_heat_levels_are_ordered_and_bounded():
    levels = [heat_level(v, 0.0, 100.0) for v in (0.0, 0.01, 1.0, 10.0, 100.0)]
    assert levels == sorted(levels) and levels[0] == 0 and levels[-1] == len(HEAT_CHARS) - 1
    assert heat_level(math.nan, 0, 1) is None and heat_level(5, 5, 5) == 0


def test_heat_map_without_colour_uses_the_ramp_and_places_overlays():
    values = [[float(i + 10 * j) for i in range(8)] for j in range(4)]  # grows to the right and up
    heat = HeatMap(values, (0.0, 8.0), (0.0, 4.0), [Overlay(0, 0, "S"), Overlay(7, 3, "E")], "a", "b")
    out = [t.plain for t in heat.lines(colour=False)]
    grid = [line.split("┤", 1)[-1].split("│", 1)[-1] for line in out[1:5]]
    assert grid[0][-1] == "E" and grid[3][0] == "S"  # top row is the highest b
    assert grid[0][-2] == "@"
    for row in grid:  # darker to the right, never lighter
        ramp = [HEAT_CHARS.index(c) for c in row if c in HEAT_CHARS]
        assert ramp == sorted(ramp)
    assert out[-1].strip() == f"loss 0 [{HEAT_CHARS}] 37"


def test_heat_map_with_colour_paints_backgrounds(monkeypatch):
    monkeypatch.delenv("NO_COLOR")
    values = [[0.0, 1.0], [2.0, 3.0]]
    console = Console(file=io.StringIO(), width=40, color_system="truecolor", force_terminal=True, theme=THEME)
    console.print(HeatMap(values, (0, 1), (0, 1)))
    # a background colour code (Rich caches a style's codes, so the colour system may be coarser here)
    assert re.search(r"\x1b\[[0-9;]*(48;[25];|;4[0-7]m|;10[0-7]m)", console.file.getvalue())


def test_derivation_tree_at_a_fixed_width():
    expr, _ = parse_function("x*exp(x)")
    console = themed(file=io.StringIO(), width=60)
    console.print(derivation_tree(derive_steps(expr, "x")))
    out = console.file.getvalue().splitlines()
    assert out[0] == "step by step"
    assert out[1].startswith("└── product rule  d/dx x·exp(x) = 1·exp(x) + x·exp(x) = ")
    assert "    (u·v)′ = u′·v + u·v′ with u = x, v = exp(x)" in out
    assert any(line.startswith("    ├── variable rule  d/dx x = 1") for line in out)
    assert any(line.startswith("    └── exp rule  d/dx exp(x) = exp(x)") for line in out)
    assert max(len(line) for line in out) <= 60


def test_a_curve_that_leaves_through_the_top_keeps_its_steps_on_the_x_axis():
    """The axis once ended where a diverging curve left the plot, so a dip-then-blow-up read as convergence."""
    losses = [162.0, 40.0, 1.0, 90.0, 900.0, 1e5, 1e8, 1e12, 1e16]
    out = text_lines(LinePlot([Series("α = 0.05", range(len(losses)), losses)], height=8, y_ceiling=200.0), 50)
    assert out[-1].split() == ["0", "4", "8"]
