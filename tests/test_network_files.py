"""Network files: good files load (YAML and JSON); every bad file is ONE clear error.

Each error must name the file, the line and the field, so a teacher editing a network can go
straight to the mistake; through the CLI it is one line on stderr and exit code 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sympy
import yaml

from backprop_cli.cli import main
from backprop_cli.errors import FileFormatError, UsageError
from backprop_cli.network.engine import Engine
from backprop_cli.network.model import MAX_FORMULA_LENGTH, builtin_names, load

ROOT = Path(__file__).resolve().parents[1]

GOOD = """\
name: good
inputs: {x: 2}
targets: {y: 20}
parameters: {w1: 2, w2: 0.5}
nodes:
  h: x*w1
  y_hat: h*w2
loss: (y - y_hat)^2 / 2
"""


def write(tmp_path: Path, text: str, name: str = "net.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def replace_line(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


# (id, file text, line, field or None, words the problem must contain)
BAD_FILES = [
    ("yaml-syntax", "name: t\ninputs: {x: 2\nparameters: {w1: 1}\nloss: w1*x\n", 3, None, "not valid YAML"),
    ("unknown-key", replace_line(GOOD, "loss:", "lose: 1\nloss:"), 8, "lose", "unknown field"),
    ("unknown-name", replace_line(GOOD, "h: x*w1", "h: x*w_1"), 6, "nodes.h", "unknown name 'w_1'; did you mean 'w1'?"),
    ("unknown-name-case", replace_line(GOOD, "h: x*w1", "h: X*w1"), 6, "nodes.h",
     "names are case-sensitive: did you mean 'x'?"),
    ("unknown-function", replace_line(GOOD, "h: x*w1", "h: sin(x*w1)"), 6, "nodes.h",
     "unknown function 'sin'; the functions are"),
    ("used-before-defined", replace_line(GOOD, "h: x*w1", "h: x*w1*g\n  g: x"), 6, "nodes.h",
     "'g' is used before it is defined"),
    ("loss-uses-unknown", replace_line(GOOD, "loss: (y - y_hat)^2 / 2", "loss: (y - yhat)^2 / 2"), 8, "loss",
     "unknown name 'yhat'; did you mean 'y_hat'?"),
    ("duplicate-parameter-and-node", replace_line(GOOD, "parameters: {w1: 2, w2: 0.5}",
                                                  "parameters: {w1: 2, w2: 0.5, h: 1}"),
     6, "nodes.h", "'h' is already defined in parameters"),
    ("duplicate-input-and-parameter", replace_line(GOOD, "inputs: {x: 2}", "inputs: {x: 2, w1: 3}"),
     4, "parameters.w1", "'w1' is already defined in inputs"),
    ("duplicate-key", replace_line(GOOD, "y_hat: h*w2", "y_hat: h*w2\n  h: x"), 8, "nodes",
     "'h' is given twice (first on line 6)"),
    ("duplicate-top-level-key", GOOD + "name: again\n", 9, None, "'name' is given twice (first on line 1)"),
    ("non-number", replace_line(GOOD, "inputs: {x: 2}", "inputs: {x: abc}"), 2, "inputs.x", "not a number"),
    ("non-number-list", replace_line(GOOD, "inputs: {x: 2}", "inputs: {x: [1, 2]}"), 2, "inputs.x",
     "must be a number, not list"),
    ("bool-value", replace_line(GOOD, "targets: {y: 20}", "targets: {y: true}"), 3, "targets.y",
     "must be a number, not bool"),
    ("bool-formula", replace_line(GOOD, "h: x*w1", "h: yes"), 6, "nodes.h", "must be a formula written as text"),
    ("number-too-large", replace_line(GOOD, "inputs: {x: 2}", "inputs: {x: 1e400}"), 2, "inputs.x",
     "too large"),
    ("formula-too-large", replace_line(GOOD, "h: x*w1", "h: " + "+".join(["x*w1"] * 1300)), 6, "nodes.h",
     f"at most {MAX_FORMULA_LENGTH}"),
    ("formula-syntax", replace_line(GOOD, "h: x*w1", "h: x*(w1"), 6, "nodes.h", "'(' is never closed"),
    ("division-by-zero", replace_line(GOOD, "h: x*w1", "h: x*w1/0"), 6, "nodes.h", "division by zero"),
    ("unused-parameter", replace_line(GOOD, "parameters: {w1: 2, w2: 0.5}",
                                      "parameters: {w1: 2, w2: 0.5,\n  w3: 1}"),
     5, "parameters.w3", "parameter 'w3' is not used"),
    ("loss-without-parameters", replace_line(GOOD, "loss: (y - y_hat)^2 / 2", "loss: y^2"), 8, "loss",
     "does not depend on any parameter"),
    ("reserved-name", replace_line(GOOD, "h: x*w1", "sigmoid: x*w1"), 6, "nodes.sigmoid", "reserved"),
    ("node-named-loss", replace_line(GOOD, "h: x*w1", "loss: x*w1"), 6, "nodes.loss", "reserved"),
    ("bad-name", replace_line(GOOD, "inputs: {x: 2}", "inputs: {x: 2, 2x: 1}"), 2, "inputs.2x",
     "must start with a letter"),
    ("missing-loss", GOOD.replace("loss: (y - y_hat)^2 / 2\n", ""), 1, "loss", "required field is missing"),
    ("alias", replace_line(GOOD, "inputs: {x: 2}", "inputs: {x: &two 2, x2: *two}"), 2, None,
     "aliases"),
    ("version", "version: 2\n" + GOOD, 1, "version", "version 2 is not supported"),
    ("bad-learning-rate", GOOD + "learning_rate: -0.5\n", 9, "learning_rate", "must be a positive number"),
]


@pytest.mark.parametrize(("text", "line", "field", "problem"), [c[1:] for c in BAD_FILES],
                         ids=[c[0] for c in BAD_FILES])
def test_each_bad_file_is_one_error_naming_file_line_and_field(tmp_path, text, line, field, problem):
    path = write(tmp_path, text)
    with pytest.raises(FileFormatError) as caught:
        load(str(path))
    error = caught.value
    message = str(error)
    assert "\n" not in message, message
    assert message.startswith(f"{path}:{line}: "), message
    assert error.path == str(path) and error.line == line
    assert error.field == field
    if field is not None:
        assert f": {field}: " in message
    assert problem in message, message


@pytest.mark.parametrize(("text", "line"), [(c[1], c[2]) for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_cli_reports_a_bad_file_as_one_line_and_exit_2(tmp_path, capsys, text, line):
    path = write(tmp_path, text)
    assert main(["step", "--network", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert f"{path}:{line}: " in err
    assert "Traceback" not in err


def test_several_unknown_keys_are_all_listed_one_per_line(tmp_path, capsys):
    path = write(tmp_path, "foo: 1\n" + replace_line(GOOD, "loss:", "bar: 2\nloss:"))
    with pytest.raises(FileFormatError) as caught:
        load(str(path))
    lines = str(caught.value).splitlines()
    assert lines == [f"{path}:1: foo: unknown field", f"{path}:9: bar: unknown field"]
    assert main(["step", "--network", str(path)]) == 2
    assert capsys.readouterr().err.count("\n") == 2


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"", "must be a mapping"), (b"- a\n- b\n", "must be a mapping"), (b"\xff\xfe\x00", "not UTF-8"),
     (b"just text\n", "must be a mapping")],
    ids=["empty", "list", "binary", "scalar"],
)
def test_files_that_are_not_a_mapping_are_refused(tmp_path, content, problem):
    path = tmp_path / "net.yaml"
    path.write_bytes(content)
    with pytest.raises(FileFormatError) as caught:
        load(str(path))
    assert str(caught.value).startswith(str(path)) and problem in str(caught.value)


def test_a_folder_or_a_missing_file_is_a_usage_error(tmp_path):
    folder = tmp_path / "net.yaml"
    folder.mkdir()
    with pytest.raises(FileFormatError, match="is a folder"):
        load(str(folder))
    with pytest.raises(UsageError) as caught:
        load(str(tmp_path / "missing.yaml"))
    assert "no network" in str(caught.value) and "simple" in str(caught.value) and "sigmoid" in str(caught.value)


def test_json_file_loads_like_the_same_yaml(tmp_path):
    data = {
        "name": "good",
        "inputs": {"x": 2},
        "targets": {"y": 20},
        "parameters": {"w1": 2, "w2": 0.5},
        "nodes": {"h": "x*w1", "y_hat": "h*w2"},
        "loss": "(y - y_hat)^2 / 2",
    }
    from_json = load(str(write(tmp_path, json.dumps(data, indent=2), "net.json")))
    from_yaml = load(str(write(tmp_path, GOOD)))
    assert from_json.leaves() == from_yaml.leaves()
    assert [(n.name, n.expr) for n in from_json.nodes] == [(n.name, n.expr) for n in from_yaml.nodes]
    assert Engine(from_json).step_detail(0.01).after.loss == Engine(from_yaml).step_detail(0.01).after.loss


def test_a_bad_json_file_names_its_line(tmp_path):
    text = '{\n  "name": "j",\n  "inputs": {"x": 2},\n  "parameters": {"w1": 1},\n  "loss": "w1*q"\n}\n'
    path = write(tmp_path, text, "net.json")
    with pytest.raises(FileFormatError) as caught:
        load(str(path))
    assert str(caught.value).startswith(f"{path}:5: loss: unknown name 'q'")


def test_values_are_exact_and_may_be_constant_formulas(tmp_path):
    net = load(str(write(tmp_path, replace_line(GOOD, "inputs: {x: 2}", 'inputs: {x: "1/3"}'))))
    assert net.inputs["x"] == sympy.Rational(1, 3)
    net = load(str(write(tmp_path, replace_line(GOOD, "parameters: {w1: 2, w2: 0.5}",
                                                "parameters: {w1: 0.1, w2: 1e-3}"))))
    # 0.1 in the file is the decimal 1/10, not the binary float nearest to it
    assert net.parameters == {"w1": sympy.Rational(1, 10), "w2": sympy.Rational(1, 1000)}


def test_builtin_networks_are_the_sources(tmp_path):
    assert {"simple", "sigmoid"} <= set(builtin_names())
    simple, sig = load("simple"), load("sigmoid")
    assert simple.leaves() == {"x": 2, "y": 20, "w1": 2, "w2": sympy.Rational(1, 2)}
    assert simple.learning_rate == sympy.Rational(1, 100)
    assert [n.name for n in simple.nodes] == ["h", "y_hat", "loss"]
    assert sig.leaves() == {"x1": 1, "x2": 2, "y": 1, "w1": sympy.Rational(1, 10), "w2": sympy.Rational(-3, 10),
                            "w3": sympy.Rational(1, 2)}
    assert sig.learning_rate == sympy.Rational(1, 10)
    assert [n.name for n in sig.nodes] == ["z1", "h1", "z2", "y_hat", "loss"]
    # a file of the same name in the current folder does not shadow a built-in name, but a path does
    path = write(tmp_path, GOOD, "simple")
    assert load(str(path)).name == "good"


def test_every_local_derivative_is_sympys_derivative():
    """The shown form (ŷ·(1−ŷ)) equals the plain derivative once the node's value is put back."""
    from backprop_cli.expressions import symbol

    for name in ("simple", "sigmoid"):
        net = load(name)
        for node in net.nodes:
            for loc in node.locals:
                direct = sympy.diff(node.expr, symbol(loc.dep))
                restored = loc.shown.xreplace({symbol(node.name): node.expr})
                assert sympy.simplify(restored - direct) == 0, (name, node.name, loc.dep)


@pytest.mark.parametrize("text", [
    "", "~", "a: 1\n", "[1, 2.5, -3e2, .5]\n", "a: 2024-01-01\nb: 0x1F\nc: 'x'\n", "- {a: [1, {b: null}]}\n",
    "a: 1\n---\nb: 2\n", "a: [1\n", "a: !!python/object:os.system ls\n", "a: &x 1\nb: *x\n", "a: 1\na: 2\n",
])
def test_the_data_is_what_yaml_itself_loads_from_the_same_text(text):
    """The line map and the data are built from one composition of the text; the data must be
    exactly PyYAML's own safe load of it, and a text it refuses is refused (as one FileFormatError)."""
    from backprop_cli.yamlfile import SAFE_LOADER, load_text

    try:
        expected = ("data", yaml.load(text, Loader=SAFE_LOADER))
    except yaml.YAMLError:
        expected = ("refused",)
    try:
        got = ("data", load_text(text, "t.yaml")[0])
    except FileFormatError:
        got = ("refused",)
    if text in ("a: &x 1\nb: *x\n", "a: 1\na: 2\n"):  # aliases and repeated keys: refused on purpose
        assert got == ("refused",)
    else:
        assert got == expected


def test_every_shipped_file_loads_to_what_yaml_loads():
    from backprop_cli.yamlfile import SAFE_LOADER, load_text

    for path in [*ROOT.glob("lessons/*.yaml"), *ROOT.glob("backprop_cli/networks/*.yaml")]:
        text = path.read_text(encoding="utf-8")
        assert load_text(text, str(path))[0] == yaml.load(text, Loader=SAFE_LOADER), path


ONE_PASS_CASES = [
    "a: &x 1\nb: *x\n", "a: &x [1, 2]\nb:\n  - *x\n", "&k key: 1\n*k : 2\n", "base: &b {p: 1}\nd:\n  <<: *b\n  q: 2\n",
    "a: &r [1, *r]\n", "a: *nope\n", "a: &x 1\nb: *x\nc: [\n", "a: &x 1\nb: *x\nc: 1" + "1" * 200 + "\n",
    "c: 1" + "1" * 200 + "\nb: &x 1\nd: *x\n", "a: 1\na: 2\nb: &x 1\nc: *x\n", "a: [1, 2\n", "", "# a comment\n",
    "- 1\n- 2\n", "a: {b: {c: [1, {d: e}]}}\n", "a: .inf\n", "\x00", "a: b: c\n", "x: " + "[" * 2000 + "]" * 2000 + "\n",
    "a: 0x" + "f" * 200 + "\n", "key: &a 1\nother: 2\n", "a: !!python/object:os.system x\n", "a: 2001-12-14\n",
    "a: 1\n---\nb: 2\n", "- &a x\n- y\n- *a\n",
]


def _outcome(load, text: str) -> tuple:
    try:
        data, lines = load(text, "t.yaml")
    except FileFormatError as exc:
        return ("refused", str(exc))
    except Exception as exc:  # noqa: BLE001 - the same failure either way is what is compared
        return ("raised", type(exc).__name__)
    return ("data", repr(data), sorted(lines.by_path.items(), key=repr))


@pytest.mark.parametrize("text", ONE_PASS_CASES)
def test_the_one_pass_load_says_what_the_full_route_says(text):
    """A file is composed once, and an alias is known by a node met twice; anything unusual goes the
    full route (the parser's events for an alias's line, then the nodes). Either way the result, or
    the problem and its line, is the full route's: an alias anywhere (value, list item, key, merge,
    recursive, undefined) is refused at the alias's line, before a syntax error or a long number after it."""
    from backprop_cli.yamlfile import _load_checked, load_text

    assert _outcome(load_text, text) == _outcome(_load_checked, text)


def test_every_shipped_file_takes_the_one_pass_route_to_the_same_result():
    from backprop_cli import yamlfile

    for path in [*ROOT.glob("lessons/*.yaml"), *ROOT.glob("backprop_cli/networks/*.yaml")]:
        text = path.read_text(encoding="utf-8")
        assert _outcome(yamlfile._load_sound, text) == _outcome(yamlfile._load_checked, text), path
