"""A teacher's tools: a template to start a lesson from, the JSON Schemas that editors check files
against, and adding a finished lesson (with its network) to the user's lessons folder.

Nothing here draws or reads the terminal; the commands in ``commands/authoring.py`` do.
"""

from __future__ import annotations

import filecmp
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backprop_cli.errors import UsageError

SCHEMA_COMMENT = "# yaml-language-server: $schema={schema}"

NETWORK_SKELETON = """\
# yaml-language-server: $schema=network.schema.json
# A network for backprop (write `backprop network schema > network.schema.json` for the schema).
# Every formula uses + - * / ^, implicit products (2x, w1*x1) and sigmoid, tanh, relu, exp, log (ln),
# sqrt. Nodes are computed in the order written; each may use the names above it.
version: 1
name: {name}
description: one input, one tanh hidden unit, a linear output, squared-error loss
inputs: {{x: 1.5}}                 # the example's input values
targets: {{y: 0.5}}                # what the output should be
parameters: {{w1: 0.8, w2: -0.4}}  # what gradient descent changes
nodes:
  h: tanh(w1*x)
  y_hat: w2*h
loss: (y - y_hat)^2 / 2
learning_rate: 0.1               # optional: the step size α (lessons may override it)
"""

LESSON_TEMPLATE = """\
# yaml-language-server: $schema=lesson.schema.json
# A backprop lesson (write `backprop lessons schema > lesson.schema.json` beside it for completion
# and checking in your editor). Check it with `backprop lessons validate {file}`, preview it with
# `backprop lessons play {file}`, take it with `backprop learn {file}`. The guide: docs/lessons.md.
version: 1
id: {id}                          # lowercase letters, digits and dashes; not a shipped lesson's id
title: {title}
summary: A worked example of one gradient step, from a slope to an update.
order: 100                        # after the shipped lessons (1-6) in the menu
setup:
  symbols: [u]                    # free variables (not the network's names) that formulas may use
  network: {network}              # a built-in network (simple, sigmoid) or a file beside this one
  define:                         # named formulas; each may use the names above it
    f: u^2 + 3u
    df: {{derivative: f, wrt: u}}
    slope: {{value: df, at: {{u: 2}}}}
    height: {{value: f, at: {{u: 2}}}}
steps:
  - title: A slope                 # any step may have a title
    text: |
      Every number in a lesson is computed from its formulas. The slope of f at u = 2 is
      {{{{slope}}}}, and the network's prediction is {{{{y_hat}}}}.
  - derive: {{expr: f, wrt: u}}     # a derivation, rule by rule
  - plot: {{tangent: f, wrt: u, at: 2}}
  - id: slope_at_2                 # a number question; its id can be used by later answers
    ask: number
    prompt: What is the slope of f(u) = u² + 3u at u = 2?
    answer: slope
    hints:
      - "Differentiate term by term: f′(u) = 2u + 3."
      - Put u = 2 into 2u + 3.
    explanation: "f′(2) = 2·2 + 3 = {{{{slope}}}}."
    mistakes:                      # wrong answers you expect, each with its own feedback
      - answer: height                # a formula, like every answer
        feedback: That is the height of f, not its slope.
  - id: derivative_formula         # an expression question: any equivalent formula is accepted
    ask: expression
    prompt: Write f′(u), the derivative of u² + 3u.
    answer: df
    hints: [The power rule gives 2u for u²; the derivative of 3u is 3.]
    explanation: "f′(u) = {{{{df}}}}."
  - network: forward               # the engine's tables: forward, backward, update, after
  - id: direction                  # a choice question; `because` keeps the right option right
    ask: choice
    prompt: "∂L/∂w2 is {{{{d_loss_d_w2}}}}. Should w2 go up or down to lower the loss?"
    options: [up, down]
    answer: {direction_letter}
    because: {{value: d_loss_d_w2, is: {sign}}}
    hints: [Gradient descent moves against the sign of the gradient.]
    explanation: "The step is −α·∂L/∂w2 = {{{{-lr * d_loss_d_w2}}}}."
  - id: updated_w2
    ask: number
    optional: true                 # a side path: skipping it costs nothing
    prompt: "With α = {{{{lr}}}}, what is the new w2 = w2 − α·∂L/∂w2?"
    answer: new_w2
    hints: ["w2 − α·∂L/∂w2 with the numbers above."]
    explanation: "w2 becomes {{{{new_w2}}}}."
"""


@dataclass(frozen=True)
class Written:
    """What ``new_lesson`` wrote."""

    lesson: Path
    network: Path | None = None


def _title_from(lesson_id: str) -> str:
    return lesson_id.replace("-", " ").capitalize()


def new_lesson(lesson_id: str, folder: Path, network: str | None = None) -> Written:
    """Write ``folder/ID.yaml``, a commented lesson that validates as written and uses every step
    kind once. ``network``: a built-in name, or a file to use (a skeleton is written there when it
    does not exist yet). Never overwrites a file."""
    from backprop_cli.course.schema import ID_PATTERN

    if not re.fullmatch(ID_PATTERN, lesson_id) or len(lesson_id) > 40:
        raise UsageError(f"'{lesson_id}' is not a lesson id: use lowercase letters, digits and dashes "
                         "(e.g. my-first-lesson), at most 40 characters")
    target = folder / f"{lesson_id}.yaml"
    written_network = None
    reference = network or "simple"
    if network and network not in _builtin_names():
        net_path = Path(network)
        if net_path.is_absolute() or ".." in net_path.parts:
            raise UsageError(f"--network {network}: give a built-in name or a file name inside {folder}")
        net_target = folder / net_path
        if not net_target.exists():
            written_network = net_target
        reference = net_path.as_posix()
    for path in (target, written_network):
        if path is not None and path.exists():
            raise UsageError(f"{path} already exists; choose another id or folder")
    if written_network is not None:
        written_network.parent.mkdir(parents=True, exist_ok=True)
        written_network.write_text(NETWORK_SKELETON.format(name=written_network.stem), encoding="utf-8")
    sign = _gradient_sign(folder, reference, "w2")
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(LESSON_TEMPLATE.format(
        id=lesson_id, title=_title_from(lesson_id), network=reference, file=target.name,
        direction_letter="a" if sign == "negative" else "b", sign=sign,
    ), encoding="utf-8")
    return Written(target, written_network)


def _builtin_names() -> list[str]:
    from backprop_cli.network.model import builtin_names

    return list(builtin_names())


def _gradient_sign(folder: Path, reference: str, parameter: str) -> str:
    """The sign of ∂L/∂parameter for the template's choice question, from the engine itself."""
    from backprop_cli.network.engine import Engine
    from backprop_cli.network.model import load

    path = folder / reference if reference not in _builtin_names() else None
    net = load(str(path) if path else reference)
    if parameter not in net.parameters:
        raise UsageError(f"the template asks about {parameter}; the network {reference} has no parameter "
                         f"{parameter} (it has {', '.join(net.parameters)}): start from a built-in network "
                         "or the skeleton, then edit")
    lr = net.learning_rate if net.learning_rate is not None else 0.1
    value = Engine(net).step_detail(lr, exact=True).gradients[parameter]
    return "negative" if value < 0 else "positive"


# ---------------------------------------------------------------- JSON Schemas for editors


def lesson_schema() -> dict[str, Any]:
    from backprop_cli.course.schema import LessonFile

    return _schema(LessonFile, "backprop lesson", "A lesson file for backprop (docs/lessons.md).")


def network_schema() -> dict[str, Any]:
    from backprop_cli.network.model import NetworkFile

    return _schema(NetworkFile, "backprop network", "A network file for backprop (docs/networks.md).")


def _schema(model: Any, title: str, description: str) -> dict[str, Any]:
    schema = model.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = title
    schema["description"] = description
    return schema


def dumps_schema(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- adding a lesson to the menu


@dataclass(frozen=True)
class Added:
    lesson: Path
    network: Path | None
    id: str
    title: str


def add_lesson(path: Path, folder: Path, *, force: bool = False) -> Added:
    """Copy a valid lesson (and its network file, when it has one of its own) into ``folder``.
    Refuses an id already in the menu and a different file already there, unless ``force``."""
    from backprop_cli.course import catalog, load

    if not path.is_file():
        raise UsageError(f"no lesson file '{path}'")
    lesson = load(path)  # refuses an invalid lesson with its file:line: field: problem
    source_folder = path.resolve().parent
    target = folder / path.name
    network = lesson.spec.setup.network
    net_source = net_target = None
    if network and network not in _builtin_names():
        from backprop_cli.course.network_ref import resolve_network

        net_source = Path(resolve_network(network, source_folder))  # the loader's rule: inside the folder
        net_target = folder / net_source.relative_to(source_folder)
    for info in catalog():
        if info.id == lesson.id and Path(info.path).resolve() != target.resolve():
            where = "a shipped lesson" if info.source == "shipped" else str(info.path)
            raise UsageError(f"the id '{lesson.id}' is already used by {where}; give this lesson an id of its own")
    for source, destination in ((path, target), (net_source, net_target)):
        if source is None or destination is None:
            continue
        if destination.exists() and not filecmp.cmp(source, destination, shallow=False) and not force:
            raise UsageError(f"{destination} already exists and differs; add --force to replace it")
    folder.mkdir(parents=True, exist_ok=True)
    if path.resolve() != target.resolve():
        shutil.copyfile(path, target)
    if net_source is not None and net_target is not None and net_source != net_target.resolve():
        net_target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(net_source, net_target)
    return Added(target, net_target, lesson.id, lesson.title)
