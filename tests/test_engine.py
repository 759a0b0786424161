"""The engine against the source's worked numbers and against independent differentiation.

Every expected number is computed here, independently of the engine: by SymPy from closed forms
written in the test, by SymPy differentiating the fully substituted loss, or by central finite
differences. The only literals are the source's own printed (rounded) numbers and the exact
values the issue fixes for the simple network.
"""

from __future__ import annotations

import importlib.util
import math
from decimal import Decimal
from pathlib import Path

import mpmath
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from backprop_cli.expressions import symbol
from backprop_cli.mathfunctions import to_elementary
from backprop_cli.network.engine import Engine
from backprop_cli.network.graph import LOSS
from backprop_cli.network.model import load

R = sympy.Rational
ROOT = Path(__file__).resolve().parents[1]


def close(a, b, rel=1e-12, abs_=1e-15) -> bool:
    a, b = float(a), float(b)
    return abs(a - b) <= rel * max(abs(a), abs(b)) + abs_


def n30(expr) -> sympy.Float:
    return sympy.N(expr, 30)


#: mpmath versions of the functions a SymPy expression here may contain (ours and SymPy's).
MPMATH_FUNCTIONS = {
    "sigmoid": lambda z: 1 / (1 + mpmath.exp(-z)),
    "relu": lambda z: z if z > 0 else mpmath.mpf(0),
    "step": lambda z: mpmath.mpf(1) if z > 0 else mpmath.mpf(0),
    "Heaviside": lambda z, *_: mpmath.mpf(1) if z > 0 else mpmath.mpf(0),
}


def at30(exprs, point):
    """Evaluate SymPy expressions at ``point`` (symbol → Rational) with 30-digit mpmath.

    The same as ``N(expr.subs(point), 30)`` but with common subexpressions computed once,
    which keeps the property tests fast on nested networks.
    """
    symbols = list(point)
    f = sympy.lambdify(symbols, list(exprs), modules=[MPMATH_FUNCTIONS, "mpmath"], cse=True)
    with mpmath.workdps(30):
        return [float(v) for v in f(*(mpmath.mpf(int(v.p)) / int(v.q) for v in point.values()))]


def write(tmp_path: Path, text: str, name: str = "net.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# The simple network of the source: x=2, y=20, w1=2, w2=0.5, lr 0.01
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def simple():
    return load("simple")


@pytest.fixture(scope="module")
def sigmoid_net():
    return load("sigmoid")


def test_simple_network_exact_step_matches_the_source(simple):
    leaves = simple.leaves()
    assert leaves == {"x": 2, "y": 20, "w1": 2, "w2": R(1, 2)}
    assert all(isinstance(v, sympy.Rational) for v in leaves.values())

    d = Engine(simple).step_detail(R(1, 100), leaves, exact=True)

    assert d.before.loss == 162
    assert d.adjoints["y_hat"] == -18
    assert d.gradients == {"w1": -18, "w2": -72}
    new = {u.parameter: u.new for u in d.updates}
    assert new == {"w1": R("2.18"), "w2": R("1.22")}
    assert all(isinstance(v, sympy.Rational) for v in new.values())
    # The source prints 107.88 (it squared 14.6808 as 215.76); the exact value is:
    assert d.after.loss == R("107.76294432")
    assert d.after.values["y_hat"] == R("5.3192")
    # Update rows carry old, gradient and −α·gradient consistently.
    for u in d.updates:
        assert u.delta == -R(1, 100) * u.gradient
        assert u.new == u.old + u.delta


def test_simple_network_float_route_agrees_with_exact_route(simple):
    engine = Engine(simple)
    exact = engine.step_detail(R(1, 100), exact=True)
    floats = engine.step_detail(0.01)
    assert isinstance(floats.before.loss, float)
    for name, value in exact.before.values.items():
        assert close(floats.before.values[name], value), name
    for name, value in exact.adjoints.items():
        assert close(floats.adjoints[name], value), name
    for ue, uf in zip(exact.updates, floats.updates):
        assert ue.parameter == uf.parameter
        assert close(uf.new, ue.new)
    assert close(floats.after.loss, exact.after.loss)


def test_simple_network_after_30_steps_matches_the_source(simple):
    run = Engine(simple).train(0.01, 30)
    assert run.steps == 30 and run.diverged_at is None
    assert round(run.parameters["w1"], 3) == 3.391
    assert round(run.parameters["w2"], 3) == 2.949
    # The source's check: ŷ = x·w1·w2 ≈ 20
    assert abs(2 * run.parameters["w1"] * run.parameters["w2"] - 20) < 1e-3
    # History: the first entry is the first step, the last entry's parameters are the result.
    assert run.history[0].loss == 162.0
    assert run.history[0].gradients == {"w1": -18.0, "w2": -72.0}
    assert run.history[-1].parameters == run.parameters
    assert [h.step for h in run.history] == list(range(1, 31))
    losses = [h.loss for h in run.history]
    assert losses == sorted(losses, reverse=True)  # a small enough rate: the loss only goes down


# --------------------------------------------------------------------------------------------
# The sigmoid network of the source: x1=1, x2=2, w1=0.1, w2=-0.3, w3=0.5, y=1, lr 0.1
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sigmoid_step(sigmoid_net):
    return Engine(sigmoid_net).step_detail(0.1)


def _sigmoid_values(d):
    """The numbers the source prints, in its order, read from one engine step."""
    new = {u.parameter: u.new for u in d.updates}
    return {
        "z1": d.before.values["z1"],
        "h1": d.before.values["h1"],
        "z2": d.before.values["z2"],
        "y_hat": d.before.values["y_hat"],
        "loss": d.before.loss,
        "dL/dy_hat": d.adjoints["y_hat"],
        "y_hat(1-y_hat)": d.locals[("y_hat", "z2")],
        "dL/dz2": d.adjoints["z2"],
        "dL/dw3": d.gradients["w3"],
        "dh1/dz1": d.locals[("h1", "z1")],
        "dL/dz1": d.adjoints["z1"],
        "dL/dw1": d.gradients["w1"],
        "dL/dw2": d.gradients["w2"],
        "w1'": new["w1"],
        "w2'": new["w2"],
        "w3'": new["w3"],
        "new loss": d.after.loss,
    }


#: What the source prints. "rounded": the engine's value rounded to the printed decimals is the
#: printed number. "carried": the source multiplied already-rounded intermediates (and printed
#: ŷ(1−ŷ) = 0.24758 where 0.54705·0.45295 = 0.24779), so only agreement to 0.1% is expected.
SOURCE_SIGMOID = [
    ("z1", "-0.50", "rounded"),
    ("h1", "0.3775", "rounded"),
    ("z2", "0.18875", "carried"),
    ("y_hat", "0.54705", "rounded"),
    ("loss", "0.10258", "rounded"),
    ("dL/dy_hat", "-0.45295", "rounded"),
    ("y_hat(1-y_hat)", "0.24758", "carried"),
    ("dL/dz2", "-0.11222", "carried"),
    ("dL/dw3", "-0.04239", "carried"),
    ("dh1/dz1", "0.2350", "rounded"),
    ("dL/dz1", "-0.01318", "carried"),
    ("dL/dw1", "-0.01318", "carried"),
    ("dL/dw2", "-0.02636", "carried"),
    ("w1'", "0.10132", "rounded"),
    ("w2'", "-0.29736", "rounded"),
    ("w3'", "0.50424", "rounded"),
    ("new loss", "0.1023", "rounded"),
]


@pytest.mark.parametrize(("name", "printed", "kind"), SOURCE_SIGMOID, ids=[r[0] for r in SOURCE_SIGMOID])
def test_sigmoid_network_matches_every_number_the_source_prints(sigmoid_step, name, printed, kind):
    value = _sigmoid_values(sigmoid_step)[name]
    source = Decimal(printed)
    if kind == "rounded":
        places = -source.as_tuple().exponent
        assert round(Decimal(repr(value)), places) == source, f"{name} = {value!r}, the source prints {printed}"
    else:
        assert abs(value - float(source)) <= 1e-3 * abs(float(source)), f"{name} = {value!r} vs {printed}"


def test_sigmoid_network_against_closed_forms_computed_by_sympy(sigmoid_net, sigmoid_step):
    """Independent of the engine: the network written out by hand, differentiated by SymPy."""
    w1, w2, w3, t = sympy.symbols("w1 w2 w3 t", real=True)
    x1, x2, y = 1, 2, 1
    point = {w1: R(1, 10), w2: R(-3, 10), w3: R(1, 2)}

    def sig(z):
        return 1 / (1 + sympy.exp(-z))

    z1 = w1 * x1 + w2 * x2
    h1 = sig(z1)
    z2 = w3 * h1
    y_hat = sig(z2)
    loss = (y - y_hat) ** 2 / 2

    at = {k: v.xreplace(point) for k, v in {"z1": z1, "h1": h1, "z2": z2, "y_hat": y_hat}.items()}
    # The source's own closed form for h1.
    assert sympy.simplify(at["h1"] - 1 / (1 + sympy.exp(R(1, 2)))) == 0
    assert at["z1"] == R(-1, 2)

    def downstream_of(node_value):
        """∂loss/∂node: the loss written from the node on, differentiated at the node's value."""
        return sympy.diff(expr_from[node_value](t), t).subs(t, at[node_value])

    expr_from = {
        "y_hat": lambda v: (y - v) ** 2 / 2,
        "z2": lambda v: (y - sig(v)) ** 2 / 2,
        "h1": lambda v: (y - sig(point[w3] * v)) ** 2 / 2,
        "z1": lambda v: (y - sig(point[w3] * sig(v))) ** 2 / 2,
    }
    gradients = {str(w): sympy.diff(loss, w).xreplace(point) for w in (w1, w2, w3)}
    lr = R(1, 10)
    after = {w: point[w] - lr * gradients[str(w)] for w in point}

    expected = {
        **{k: v for k, v in at.items()},
        "loss": loss.xreplace(point),
        "dL/dy_hat": downstream_of("y_hat"),
        "y_hat(1-y_hat)": sympy.diff(sig(t), t).subs(t, at["z2"]),
        "dL/dz2": downstream_of("z2"),
        "dL/dw3": gradients["w3"],
        "dh1/dz1": sympy.diff(sig(t), t).subs(t, at["z1"]),
        "dL/dz1": downstream_of("z1"),
        "dL/dw1": gradients["w1"],
        "dL/dw2": gradients["w2"],
        "w1'": after[w1],
        "w2'": after[w2],
        "w3'": after[w3],
        "new loss": loss.xreplace(after),
    }
    got = _sigmoid_values(sigmoid_step)
    assert set(got) == set(expected)
    for name, exact in expected.items():
        assert close(got[name], n30(exact)), f"{name}: engine {got[name]!r}, SymPy {n30(exact)}"
    assert close(sigmoid_step.adjoints["h1"], n30(downstream_of("h1")))

    # The exact route gives the same numbers, as SymPy expressions.
    exact = Engine(sigmoid_net).step_detail(lr, exact=True)
    for name, value in _sigmoid_values(exact).items():
        assert isinstance(value, sympy.Basic)
        assert close(n30(value), n30(expected[name])), name


def test_sigmoid_w1_chain_is_the_sources_chain(sigmoid_step):
    chain = next(c for c in sigmoid_step.chains if c.parameter == "w1")
    assert chain.complete and len(chain.paths) == 1
    (path,) = chain.paths
    assert [(f.node, f.dep) for f in path.factors] == [
        (LOSS, "y_hat"), ("y_hat", "z2"), ("z2", "h1"), ("h1", "z1"), ("z1", "w1"),
    ]
    y, y_hat, w3, h1, x1 = (symbol(n) for n in ("y", "y_hat", "w3", "h1", "x1"))
    expected = [y_hat - y, y_hat * (1 - y_hat), w3, h1 * (1 - h1), x1]
    for factor, form in zip(path.factors, expected):
        assert sympy.simplify(factor.formula - form) == 0, (factor.node, factor.dep, factor.formula)
    # Each factor's number is its formula at the forward values, and the product is the gradient.
    values = {symbol(k): v for k, v in sigmoid_step.before.values.items()}
    for factor in path.factors:
        assert close(factor.value, float(factor.formula.xreplace(values)))
    product = math.prod(f.value for f in path.factors)
    assert close(product, path.value) and close(path.value, chain.value)
    assert close(chain.value, sigmoid_step.gradients["w1"])


def test_every_chain_multiplies_out_to_its_gradient(sigmoid_step):
    assert [c.parameter for c in sigmoid_step.chains] == ["w1", "w2", "w3"]
    for chain in sigmoid_step.chains:
        total = sum(p.value for p in chain.paths)
        assert close(total, sigmoid_step.gradients[chain.parameter])
        for p in chain.paths:
            assert p.factors[0].node == LOSS and p.factors[-1].dep == chain.parameter
            # consecutive factors link up: ∂a/∂b · ∂b/∂c
            assert all(a.dep == b.node for a, b in zip(p.factors, p.factors[1:]))


# --------------------------------------------------------------------------------------------
# A node feeding several others: the gradients add
# --------------------------------------------------------------------------------------------

SHARED = """\
name: shared
inputs: {x: 1.5}
targets: {y: 0.25}
parameters: {a: 0.7, b: -1.2, c: 0.4}
nodes:
  h: tanh(a*x)
  u: b*h
  v: c*h^2
  y_hat: u + v + h
loss: (y - y_hat)^2 / 2
"""


def test_a_node_used_by_three_others_sums_its_paths(tmp_path):
    net = load(str(write(tmp_path, SHARED)))
    assert [n.name for n in net.nodes if "h" in n.deps] == ["u", "v", "y_hat"]
    d = Engine(net).step_detail(0.1)

    a, b, c, x, y = sympy.symbols("a b c x y", real=True)
    h = sympy.tanh(a * x)
    loss = (y - (b * h + c * h**2 + h)) ** 2 / 2
    point = {a: R("0.7"), b: R("-1.2"), c: R("0.4"), x: R("1.5"), y: R("0.25")}
    for p in (a, b, c):
        assert close(d.gradients[str(p)], n30(sympy.diff(loss, p).xreplace(point))), p

    chain = next(ch for ch in d.chains if ch.parameter == "a")
    assert len(chain.paths) == 3
    assert sorted(p.factors[1].node for p in chain.paths) == ["y_hat"] * 3
    assert sorted(p.factors[1].dep for p in chain.paths) == ["h", "u", "v"]
    assert close(sum(p.value for p in chain.paths), d.gradients["a"])
    # ∂L/∂h is the sum over its three consumers of ∂L/∂consumer · ∂consumer/∂h
    by_consumer = sum(d.adjoints[n] * d.locals[(n, "h")] for n in ("u", "v", "y_hat"))
    assert close(d.adjoints["h"], by_consumer)
    # Exact route agrees.
    exact = Engine(net).step_detail(R(1, 10), exact=True)
    assert close(n30(exact.gradients["a"]), d.gradients["a"])


# --------------------------------------------------------------------------------------------
# Property tests: random small networks, three independent routes to the same gradients
# --------------------------------------------------------------------------------------------

ACTIVATIONS = {
    # name: (formula text with {z}, SymPy form written independently of the tool's functions)
    "sigmoid": ("sigmoid({z})", lambda z: 1 / (1 + sympy.exp(-z))),
    "tanh": ("tanh({z})", sympy.tanh),
    "relu": ("relu({z})", lambda z: sympy.Max(0, z)),
    "none": ("{z}", lambda z: z),
    "softsign": ("{z}/sqrt(1 + {z}^2)", lambda z: z / sympy.sqrt(1 + z**2)),  # exp-free
}

values = st.integers(-200, 200).map(lambda k: R(k, 100))  # in [−2, 2], exact decimals


def _text(v: sympy.Rational) -> str:
    return str(Decimal(v.p) / Decimal(v.q))


@st.composite
def random_networks(draw, max_width=3):
    """(YAML text, {name: SymPy over leaves}, leaf values, relu input nodes, symbols)."""
    n_in = draw(st.integers(1, 3))
    widths = draw(st.lists(st.integers(1, max_width), min_size=1, max_size=2))
    n_out = draw(st.integers(1, 2))
    reuse = draw(st.booleans())
    sym = {}

    def leaf(name, section, value):
        sections[section][name] = value
        sym[name] = sympy.Symbol(name, real=True)

    sections = {"inputs": {}, "targets": {}, "parameters": {}}
    nodes: list[tuple[str, str]] = []
    full: dict[str, sympy.Expr] = {}
    relu_inputs: list[str] = []
    for i in range(1, n_in + 1):
        leaf(f"x{i}", "inputs", draw(values))
        full[f"x{i}"] = sym[f"x{i}"]
    previous = [f"x{i}" for i in range(1, n_in + 1)]

    def neuron(name, sources, layer_tag):
        terms, expr = [], 0
        for j, s in enumerate(sources, 1):
            w = f"w{layer_tag}_{j}"
            leaf(w, "parameters", draw(values))
            terms.append(f"{w}*{s}")
            expr += sym[w] * full[s]
        b = f"b{layer_tag}"
        leaf(b, "parameters", draw(values))
        nodes.append((name, " + ".join(terms) + f" + {b}"))
        full[name] = expr + sym[b]

    for layer, width in enumerate(widths, 1):
        current = []
        for i in range(1, width + 1):
            z, h = f"z{layer}_{i}", f"h{layer}_{i}"
            neuron(z, previous, f"{layer}_{i}")
            act = draw(st.sampled_from(sorted(ACTIVATIONS)))
            text, form = ACTIVATIONS[act]
            nodes.append((h, text.format(z=z)))
            full[h] = form(full[z])
            if act == "relu":
                relu_inputs.append(z)
            current.append(h)
        previous = current
    loss_terms, loss_expr = [], 0
    for k in range(1, n_out + 1):
        out, target = f"y_hat{k}", f"y{k}"
        neuron(out, previous, f"o_{k}")
        if reuse and k == 1:
            # a skip connection: the first hidden node feeds the output directly as well
            leaf("s", "parameters", draw(values))
            name, text = nodes[-1]
            nodes[-1] = (name, f"{text} + s*h1_1")
            full[name] = full[name] + sym["s"] * full["h1_1"]
        leaf(target, "targets", draw(values))
        loss_terms.append(f"({target} - {out})^2")
        loss_expr += (sym[target] - full[out]) ** 2
    lines = ["name: random"]
    for section, items in sections.items():
        lines.append(f"{section}:")
        lines += [f"  {k}: {_text(v)}" for k, v in items.items()]
    lines.append("nodes:")
    lines += [f"  {k}: {v}" for k, v in nodes]
    lines.append(f"loss: ({' + '.join(loss_terms)}) / 2")
    full[LOSS] = loss_expr / 2
    leaves = {k: v for s in sections.values() for k, v in s.items()}
    return "\n".join(lines) + "\n", full, leaves, relu_inputs, sym


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(random_networks())
def test_random_networks_gradients_match_sympy_and_finite_differences(tmp_path, case):
    text, full, leaves, relu_inputs, sym = case
    net = load(str(write(tmp_path, text)))
    assert net.leaves() == leaves
    engine = Engine(net)
    d = engine.step_detail(0.05)
    assume(all(abs(d.before.values[z]) >= 1e-3 for z in relu_inputs))
    point = {sym[k]: v for k, v in leaves.items()}
    params = list(net.parameters)

    # (0) the tool's own formulas, fully substituted and rewritten elementary, equal ours
    substituted = {}
    for node in net.nodes:
        substituted[node.name] = node.expr.xreplace({symbol(d_): substituted.get(d_, symbol(d_)) for d_ in node.deps})
    ours = full[LOSS].xreplace(point)
    theirs = to_elementary(substituted[LOSS]).xreplace({symbol(k): v for k, v in leaves.items()})
    assert close(n30(theirs), n30(ours), rel=1e-12, abs_=1e-14)
    assert close(d.before.loss, n30(ours), rel=1e-12, abs_=1e-14)

    # (a) SymPy differentiating the fully substituted loss, at 30 digits
    expected = at30([sympy.diff(full[LOSS], sym[p]) for p in params], point)
    for p, want in zip(params, expected):
        assert close(d.gradients[p], want, rel=1e-9, abs_=1e-12), (p, d.gradients[p], want, text)

    # (b) central finite differences on the engine's forward pass
    h = 1e-6
    base = {k: float(v) for k, v in leaves.items()}
    for p in params:
        plus, minus = dict(base), dict(base)
        plus[p] += h
        minus[p] -= h
        fd = (engine.forward(plus)[LOSS] - engine.forward(minus)[LOSS]) / (2 * h)
        tolerance = 1e-5 * abs(d.gradients[p]) + 1e-8 * (1 + abs(d.before.loss))
        assert abs(fd - d.gradients[p]) <= tolerance, (p, fd, d.gradients[p], text)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(random_networks(max_width=2))
def test_random_networks_float_route_equals_exact_route(tmp_path, case):
    """The exact route (SymPy numbers, for lessons) and the float route (the generated functions) agree.

    Narrower networks than above: exact values of nested sigmoids grow quickly, and SymPy
    checks their signs numerically on every operation.
    """
    text, _, leaves, relu_inputs, _ = case
    engine = Engine(load(str(write(tmp_path, text))))
    floats = {k: float(v) for k, v in leaves.items()}
    values = engine.forward(floats)
    assume(all(abs(values[z]) >= 1e-3 for z in relu_inputs))
    _, adjoints = engine.backward(values)

    exact_values = engine.forward_exact(leaves)
    _, exact_adjoints = engine.backward_exact(exact_values)
    names = [n.name for n in engine.network.nodes] + list(leaves)
    assert all(isinstance(exact_adjoints[n], sympy.Basic) for n in names)
    numbers = at30([exact_values[n] for n in names] + [exact_adjoints[n] for n in names], {})
    for i, name in enumerate(names):
        assert close(values[name], numbers[i], rel=1e-10, abs_=1e-12), name
        assert close(adjoints[name], numbers[len(names) + i], rel=1e-10, abs_=1e-12), f"∂L/∂{name}"


# --------------------------------------------------------------------------------------------
# A generated layered network (the benchmark's generator) trains like any other
# --------------------------------------------------------------------------------------------


def _generator():
    spec = importlib.util.spec_from_file_location("make_network", ROOT / "scripts" / "make_network.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_layered_network_loads_and_its_gradients_check(tmp_path):
    gen = _generator()
    assert gen.parameter_count([2, 16, 16, 1]) == 337
    net = load(str(write(tmp_path, gen.layered([2, 4, 3, 2], "tanh", seed=3))))
    assert len(net.parameters) == gen.parameter_count([2, 4, 3, 2]) == 2 * 4 + 4 + 4 * 3 + 3 + 3 * 2 + 2
    assert [n.name for n in net.nodes][-3:] == ["z_3_2", "y_hat2", LOSS]
    engine = Engine(net)
    d = engine.step_detail(0.01)
    base = {k: float(v) for k, v in net.leaves().items()}
    h = 1e-6
    for p in net.parameters:
        plus, minus = dict(base), dict(base)
        plus[p] += h
        minus[p] -= h
        fd = (engine.forward(plus)[LOSS] - engine.forward(minus)[LOSS]) / (2 * h)
        assert abs(fd - d.gradients[p]) <= 1e-5 * abs(d.gradients[p]) + 1e-9, p
    run = engine.train(0.05, 20)
    assert run.loss_after < run.history[0].loss


# --------------------------------------------------------------------------------------------
# σ knows its own sign: the exact step never evaluates σ numerically to learn a fact
# --------------------------------------------------------------------------------------------


def test_sigmoid_facts_come_from_its_form_and_are_never_claimed_for_a_complex_argument():
    from backprop_cli.mathfunctions import sigmoid, surely_real

    x = sympy.Symbol("x", real=True)
    nested = sigmoid(sympy.Rational(1, 10) - sigmoid(sympy.Rational(-1, 5)) / 2) ** 2 - 3
    for value in (sigmoid(x), sigmoid(nested), sigmoid(-sigmoid(x) * 7)):
        assert value.is_real and value.is_positive and value.is_finite
        assert value.is_zero is False and value.is_extended_negative is False and value.is_infinite is False
    assert surely_real(nested) and surely_real(sympy.tanh(x) * sympy.exp(-x) + x**3)
    for not_by_form in (1 / x, sympy.log(x), sympy.sqrt(x), sympy.Symbol("c"), sympy.I * x):
        assert not surely_real(not_by_form)
    pole = sigmoid(sympy.I * sympy.pi)  # 1/(1 + e^(−iπ)) = 1/0: neither finite nor "not real"
    assert pole.is_finite is None and pole.is_positive is None and pole.is_infinite is None
    assert sigmoid(2 * sympy.I * sympy.pi).is_real is not False  # σ(2πi) = 1/2
    assert sigmoid(sympy.Symbol("c")).is_extended_negative is None


def test_the_exact_sigmoid_step_never_evaluates_sigma_numerically(monkeypatch):
    """Asking a nested exact value's sign used to evaluate its whole σ chain (155 times for the
    seed network's step, most of a lesson's build); the values are those of the float route."""
    from backprop_cli.mathfunctions import numeric, sigmoid

    calls = []
    original = sigmoid._eval_evalf
    monkeypatch.setattr(sigmoid, "_eval_evalf", lambda self, prec: calls.append(prec) or original(self, prec))
    net = load(str(ROOT / "backprop_cli" / "networks" / "sigmoid.yaml"))
    engine = Engine(net)
    exact = engine.step_detail(net.learning_rate, exact=True)
    assert calls == []
    floats = engine.step_detail(float(net.learning_rate))
    for name, value in exact.after.values.items():
        assert float(numeric(value)) == pytest.approx(floats.after.values[name], rel=1e-12, abs=1e-15), name
    assert calls  # numeric() did evaluate: the patch was in place
