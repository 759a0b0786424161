"""`backprop step` drawn from the cache: byte for byte the report computed from scratch, never stale,
never from an entry it did not write, and without SymPy on a repeat run.

Every route is compared with the same command run with ``BACKPROP_NO_CACHE=1`` (parsed, derived
and compiled from the file, as before the cache): the expected text is the tool's own, computed
the other way. Every test has its own BACKPROP_HOME (conftest), so its own cache folder.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_engine import random_networks, write

from backprop_cli.cli import main
from backprop_cli.network import cache, calculator
from backprop_cli.network.engine import as_floats
from backprop_cli.network.model import builtin_names, load
from backprop_cli.render.theme import console
from backprop_cli.render.training_step import run_view

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from make_network import layered

SHIPPED = builtin_names()


def outcome(capsys, monkeypatch, args: list[str], *, cached: bool = True) -> tuple[int, str, str]:
    monkeypatch.setenv("BACKPROP_NO_CACHE", "" if cached else "1")
    code = main(["step", *args])
    out, err = capsys.readouterr()
    return code, out, err


def entries() -> list[Path]:
    return sorted(cache.folder().glob("*.json")) if cache.folder().is_dir() else []


def no_loading(monkeypatch) -> None:
    """Any parse of a network file from here on fails the test."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("the network file was parsed again")

    monkeypatch.setattr("backprop_cli.network.model.load", refuse)


def options(network: str) -> list[list[str]]:
    """The option combinations of `backprop step`, with values this network accepts."""
    net = load(network)
    *_, last = names = list(net.parameters)
    first, leaf = names[0], next(iter(net.inputs or net.parameters))
    return [
        [], ["--lr", "0.05"], ["--steps", "3"], ["--steps", "25"], ["--precision", "3"], ["--check"],
        ["--set", f"{first}=3"], ["--set", f"{first}=-0.25", "--set", f"{last}=1e-2", "--lr", "0.2"],
        ["--set", f"{leaf}=1/3"],  # not a plain number: read by the parser, on the ordinary route
        ["--steps", "4", "--check", "--precision", "9"],
        ["--json"], ["--json", "--steps", "4", "--history"], ["--json", "--check"],
        ["--json", "--set", f"{first}=0.125", "--lr", "0.3"],
    ]


def from_graph(network: str, steps: int = 1, check: bool = False) -> str:
    """The report drawn straight from the SymPy graph (the local derivatives printed from SymPy as
    the chains are drawn), as `backprop step` drew it before it had a plain form to cache."""
    from backprop_cli.analysis.nudge import gradient_check

    net, run = calculator.step(network, None, steps)
    buffer = io.StringIO()
    console(file=buffer).print(run_view(net, run, 6, gradient_check(net) if check else None))
    return buffer.getvalue()


@pytest.mark.parametrize("network", SHIPPED)
def test_the_plain_form_draws_what_the_graph_draws(capsys, monkeypatch, network):
    assert not isinstance(calculator.step(network)[0], type(calculator.network_for_step(network)))
    for steps, check in ((1, False), (3, True)):
        args = ["--network", network, "--steps", str(steps), *(["--check"] if check else [])]
        expected = from_graph(network, steps, check)
        assert outcome(capsys, monkeypatch, args, cached=False)[1] == expected
        assert outcome(capsys, monkeypatch, args)[1] == expected
        assert outcome(capsys, monkeypatch, args)[1] == expected


@pytest.mark.parametrize("style", ["NO_COLOR", "FORCE_COLOR", "narrow"])
@pytest.mark.parametrize("network", SHIPPED)
def test_every_option_draws_the_same_text_from_the_cache_as_from_scratch(capsys, monkeypatch, network, style):
    if style == "FORCE_COLOR":  # the styles (escape codes) must be the same too
        monkeypatch.delenv("NO_COLOR")
        monkeypatch.setenv("FORCE_COLOR", "1")
    if style == "narrow":
        monkeypatch.setenv("COLUMNS", "38")
    combos = options(network)
    expected = {i: outcome(capsys, monkeypatch, ["--network", network, *args], cached=False)
                for i, args in enumerate(combos)}
    assert outcome(capsys, monkeypatch, ["--network", network]) == expected[0]  # the first run fills the cache
    (entry,) = entries()
    assert json.loads(entry.read_text(encoding="utf-8"))["view"] is not None
    no_loading(monkeypatch)  # from here on, every combination comes from the entry (or the parser for 1/3)
    for i, args in enumerate(combos):
        if "1/3" in " ".join(args):
            continue
        got = outcome(capsys, monkeypatch, ["--network", network, *args])
        assert got == expected[i], args
        assert got[0] == 0 and got[1]
    if style == "FORCE_COLOR":
        assert "\x1b[" in expected[0][1]


def test_a_value_the_parser_must_read_takes_the_ordinary_route_and_still_agrees(capsys, monkeypatch):
    args = ["--set", "x=1/3", "--set", "w2=sqrt(2)/4"]
    expected = outcome(capsys, monkeypatch, args, cached=False)
    outcome(capsys, monkeypatch, [])
    assert outcome(capsys, monkeypatch, args) == expected and "0.333333" in expected[1]
    assert len(entries()) == 1  # the file's entry, with the file's own values
    no_loading(monkeypatch)
    assert outcome(capsys, monkeypatch, []) == outcome(capsys, monkeypatch, [], cached=True)


@pytest.mark.parametrize("args", [["--set", "nope=1"], ["--set", "h=2"], ["--set", "w1"], ["--lr", "-1"],
                                  ["--steps", "0"], ["--history"], ["--set", "w1=1\x07"]])
def test_mistakes_are_worded_the_same_on_a_repeat_run(capsys, monkeypatch, args):
    expected = outcome(capsys, monkeypatch, args, cached=False)
    outcome(capsys, monkeypatch, [])
    assert expected[0] == 2 and expected[2]
    assert outcome(capsys, monkeypatch, args) == expected


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=random_networks(max_width=2), steps=st.sampled_from(["1", "2"]))
def test_random_networks_draw_the_same_report_from_the_cache(capsys, monkeypatch, tmp_path, case, steps):
    path = str(write(tmp_path, case[0]))
    args = ["--network", path, "--steps", steps, "--check"]
    expected = outcome(capsys, monkeypatch, args, cached=False)
    if expected[0] == 0:
        assert expected[1] == from_graph(path, int(steps), check=True)
    assert outcome(capsys, monkeypatch, args) == expected  # cold (or warm: hypothesis may repeat a file)
    assert outcome(capsys, monkeypatch, args) == expected  # warm
    assert outcome(capsys, monkeypatch, [*args, "--json"]) == outcome(capsys, monkeypatch, [*args, "--json"],
                                                                        cached=False)


@pytest.mark.parametrize("widths", [[2, 3, 2, 1], [1, 5, 5, 5, 1]])  # the second has more paths than shown
def test_layered_networks_with_many_paths_draw_the_same_report(capsys, monkeypatch, tmp_path, widths):
    path = tmp_path / "layered.yaml"
    path.write_text(layered(widths, "tanh", seed=3), encoding="utf-8")
    args = ["--network", str(path), "--steps", "2"]
    expected = outcome(capsys, monkeypatch, args, cached=False)
    assert expected[1] == from_graph(str(path), 2)
    assert outcome(capsys, monkeypatch, args) == expected
    no_loading(monkeypatch)
    assert outcome(capsys, monkeypatch, args) == expected
    if widths[1:-1] == [5, 5, 5]:
        assert "more paths, not shown" in expected[1]


def test_a_json_entry_is_completed_by_the_first_drawn_step(capsys, monkeypatch):
    """`step --json` keeps only the numbers; the next drawn step adds what the report shows."""
    outcome(capsys, monkeypatch, ["--network", "sigmoid", "--json"])
    (entry,) = entries()
    assert json.loads(entry.read_text(encoding="utf-8"))["view"] is None
    expected = outcome(capsys, monkeypatch, ["--network", "sigmoid"], cached=False)
    assert outcome(capsys, monkeypatch, ["--network", "sigmoid"]) == expected
    assert json.loads(entry.read_text(encoding="utf-8"))["view"] is not None
    no_loading(monkeypatch)
    assert outcome(capsys, monkeypatch, ["--network", "sigmoid"]) == expected


NET = ("name: two\ndescription: a tanh and a sum\ninputs: {x: 0.5}\ntargets: {y: 0.25}\n"
       "parameters: {w: 0.3, v: -0.2}\nnodes:\n  h: tanh(w*x)\n  out: v*h + w\nloss: (y - out)^2/2\n")


def test_an_edited_file_draws_its_own_numbers_never_the_old_ones(capsys, monkeypatch, tmp_path):
    path = tmp_path / "two.yaml"
    path.write_text(NET, encoding="utf-8")
    args = ["--network", str(path)]
    before = outcome(capsys, monkeypatch, args)
    for edit in (NET.replace("w: 0.3", "w: 0.4"), NET.replace("v*h + w", "v*h + w*w"),
                 NET.replace("a tanh and a sum", "edited")):
        path.write_text(edit, encoding="utf-8")
        expected = outcome(capsys, monkeypatch, args, cached=False)
        assert expected != before
        assert outcome(capsys, monkeypatch, args) == expected
        assert outcome(capsys, monkeypatch, args) == expected


def tamper(change) -> Path:
    (entry,) = entries()
    document = json.loads(entry.read_text(encoding="utf-8"))
    change(document)
    entry.write_text(json.dumps(document), encoding="utf-8")
    return entry


def sign(document: dict) -> None:
    document["digest"] = cache.digest(document)


def formula_text(document: dict, text: str) -> None:
    document["view"]["nodes"][-1][2][-1] = text


@pytest.mark.parametrize("change", [
    lambda d: formula_text(d, "a lie"),  # the digest no longer matches
    lambda d: d.update(values=[v + 1 for v in d["values"]]),
    lambda d: d["view"].update(description="changed"),
    lambda d: (d["view"].update(explain="def explain(values):\n    return open\n"), sign(d)),
    lambda d: (d["view"].update(explain=d["view"]["explain"] + "x = (1).real\n"), sign(d)),
    lambda d: (d["view"]["nodes"][0][0].append("os.system"), sign(d)),  # not a name
    lambda d: (d["view"]["nodes"][0][0].append("h"), d["view"]["nodes"][0][2].append(""), sign(d)),  # used before made
    lambda d: (d["view"]["nodes"].pop(), sign(d)),
    lambda d: (d["view"]["nodes"][0].__setitem__(2, [1]), sign(d)),
    lambda d: (d.update(nodes=[*d["nodes"][:-1], "out"]), sign(d)),  # the loss is not last
    lambda d: (d.update(values=d["values"][:-1]), sign(d)),
    lambda d: d.clear(),
])
def test_a_tampered_entry_is_ignored_and_rewritten(capsys, monkeypatch, tmp_path, change):
    path = tmp_path / "two.yaml"
    path.write_text(NET, encoding="utf-8")
    args = ["--network", str(path), "--steps", "2"]
    expected = outcome(capsys, monkeypatch, args, cached=False)
    assert outcome(capsys, monkeypatch, args) == expected
    entry = tamper(change)
    assert cache.lookup(path.read_bytes()) is None
    assert outcome(capsys, monkeypatch, args) == expected
    assert cache.lookup(path.read_bytes()) is not None  # written again from the file
    assert outcome(capsys, monkeypatch, args) == expected and entry.exists()


@pytest.mark.parametrize("content", ["", "{not json", "[]", "null", '{"digest": 1}', "\x00\x01"])
def test_a_corrupt_entry_is_ignored(capsys, monkeypatch, content):
    expected = outcome(capsys, monkeypatch, [], cached=False)
    outcome(capsys, monkeypatch, [])
    (entry,) = entries()
    entry.write_text(content, encoding="utf-8")
    assert outcome(capsys, monkeypatch, []) == expected


def test_text_read_back_is_printed_without_its_control_characters(capsys, monkeypatch, tmp_path):
    """An entry edited by hand and signed again is shown as it says; the console still strips escapes."""
    path = tmp_path / "two.yaml"
    path.write_text(NET, encoding="utf-8")
    args = ["--network", str(path)]
    outcome(capsys, monkeypatch, args)
    tamper(lambda d: (d["view"].update(description="ring\x07 \x1b[2Jcleared"), formula_text(d, "h\x1b]0;x\x07"),
                      d["view"]["nodes"][0][1].append("\x1b[31m"), sign(d)))
    code, out, _ = outcome(capsys, monkeypatch, args)
    assert code == 0 and "two: ring" in out and "cleared" in out
    assert not any(ord(c) < 32 and c != "\n" for c in out), repr(out)


def test_an_unwritable_cache_folder_is_not_an_error(capsys, monkeypatch, tmp_path):
    expected = outcome(capsys, monkeypatch, [], cached=False)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder would be", encoding="utf-8")
    monkeypatch.setenv("BACKPROP_HOME", str(blocked))
    assert outcome(capsys, monkeypatch, []) == expected
    assert outcome(capsys, monkeypatch, []) == expected


PLAIN = st.from_regex(r"[+-]?(?:\d{1,20}(?:\.\d{0,20})?|\.\d{1,20})(?:[eE][+-]?\d{1,2})?", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(text=PLAIN, pad=st.sampled_from(["", " ", "  "]))
def test_a_plain_set_value_is_the_float_the_parser_gives(text, pad):
    """``--set w1=TEXT`` applied to the cached values is the same float as through the parser."""
    net = load("simple")
    item = f"w1={pad}{text}{pad}"
    parsed = as_floats(net.with_values(calculator.parse_assignments([item], net)).leaves())["w1"]
    plain = calculator.plain_assignments([item], net.leaves())
    assert plain == {"w1": parsed}
    exact = Fraction(text)
    assert plain["w1"] == exact.numerator / exact.denominator


@pytest.mark.parametrize("item", ["w1=1/3", "w1=sqrt(2)", "w1=0.5\n", "w1=\t1", "w1=", "w1", "nope=1", "h=1",
                                  "w1=1e100", "w1=0x10", "w1=1_000"])
def test_anything_else_is_left_to_the_parser(item):
    assert calculator.plain_assignments([item], load("simple").leaves()) is None


# --------------------------------------------------------------------------------------------
# In a fresh process: what a repeat run imports
# --------------------------------------------------------------------------------------------

PROBE = """
import sys
from backprop_cli.cli import main
code = main(sys.argv[1:])
heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sympy', 'yaml', 'mpmath'})
print('IMPORTED', code, ','.join(heavy) or '-')
"""


def probe(home: Path, *args: str, no_cache: bool = False) -> tuple[str, str]:
    env = {**os.environ, "BACKPROP_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "100",
           "BACKPROP_NO_CACHE": "1" if no_cache else ""}
    proc = subprocess.run([sys.executable, "-c", PROBE, "step", *args], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    report, _, last = proc.stdout.rstrip("\n").rpartition("\n")
    return report, last


def test_a_repeat_step_imports_neither_sympy_nor_yaml(tmp_path):
    home = tmp_path / "home"
    first, imported = probe(home)
    assert imported == "IMPORTED 0 mpmath,sympy,yaml"  # the first run parses and derives
    for args in ([], ["--lr", "0.1", "--steps", "3"], ["--set", "w1=3", "--check"], ["--json"], ["--precision", "2"]):
        report, imported = probe(home, *args)
        assert imported == "IMPORTED 0 -", args
        assert report == probe(home, *args, no_cache=True)[0], args
    assert probe(home)[0] == first


def test_a_repeat_step_in_a_fresh_process_follows_edits_and_ignores_a_broken_entry(tmp_path):
    home, path = tmp_path / "home", tmp_path / "two.yaml"
    path.write_text(NET, encoding="utf-8")
    first, _ = probe(home, "--network", str(path))
    assert probe(home, "--network", str(path)) == (first, "IMPORTED 0 -")
    path.write_text(NET.replace("w: 0.3", "w: 0.7"), encoding="utf-8")
    edited, imported = probe(home, "--network", str(path))
    assert imported != "IMPORTED 0 -" and edited != first  # a new file: parsed again
    assert edited == probe(home, "--network", str(path), no_cache=True)[0]
    entry = home / "cache" / "networks" / f"{cache.key(path.read_bytes())}.json"
    text = entry.read_text(encoding="utf-8")
    assert "0.7" in text
    entry.write_text(text.replace("0.7", "0.8"), encoding="utf-8")
    assert probe(home, "--network", str(path))[0] == edited  # the digest fails: compiled again
    assert probe(home, "--network", str(path)) == (edited, "IMPORTED 0 -")
