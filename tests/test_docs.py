"""The reference docs cannot drift: every key and function they document exists, and every key and
function the code accepts is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from backprop_cli.course.schema import LessonFile, QuestionStep, Setup
from backprop_cli.expressions import CONSTANTS
from backprop_cli.mathfunctions import FUNCTIONS
from backprop_cli.network.model import NetworkFile

DOCS = Path(__file__).resolve().parent.parent / "docs"


def table(document: str, heading: str) -> list[list[str]]:
    """The rows of the first Markdown table after ``heading``, as lists of cell texts."""
    text = (DOCS / document).read_text(encoding="utf-8")
    start = text.index(heading)
    lines = text[start:].splitlines()
    rows = []
    for line in lines if heading.startswith("|") else lines[1:]:
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            if not set(cells[0]) <= set("- "):
                rows.append(cells)
        elif rows:
            break
    return rows[1:]  # without the header


def keys(rows: list[list[str]]) -> set[str]:
    return {name for row in rows for name in re.findall(r"`([^`]+)`", row[0])}


def fields(model) -> set[str]:
    return {info.alias or name for name, info in model.model_fields.items()}


@pytest.mark.parametrize("heading, model", [
    ("### Lesson keys", LessonFile), ("### Setup keys", Setup), ("### Question keys", QuestionStep),
])
def test_every_lesson_key_is_documented_and_exists(heading, model):
    assert keys(table("lessons.md", heading)) == fields(model)


def test_required_lesson_keys_are_documented_as_required():
    for heading, model in (("### Lesson keys", LessonFile), ("### Question keys", QuestionStep)):
        documented = {keys([row]).pop(): row[1] for row in table("lessons.md", heading) if len(keys([row])) == 1}
        for name, info in model.model_fields.items():
            if name in documented:
                assert (documented[name] == "yes") == info.is_required(), (heading, name)


def test_every_network_key_is_documented_with_whether_it_is_required():
    rows = table("networks.md", "## Keys")
    assert keys(rows) == fields(NetworkFile)
    for row in rows:
        name = keys([row]).pop()
        assert (row[1] == "yes") == NetworkFile.model_fields[name].is_required(), name


def test_every_function_and_constant_is_documented():
    documented = keys(table("networks.md", "| function |"))
    assert {name.split("(")[0] for name in documented} == set(FUNCTIONS) - {"ln"}
    aliases = {cell.strip("`").split("(")[0] for row in table("networks.md", "| function |") for cell in [row[1]]
               if cell}
    assert "ln" in aliases and "σ" in aliases
    assert keys(table("networks.md", "| constant |")) == set(CONSTANTS)


def test_the_documented_because_values_are_the_schemas():
    from typing import get_args

    from backprop_cli.course.schema import Because

    row = next(r for r in table("lessons.md", "### Question keys") if "`because`" in r[0])
    allowed = set(get_args(Because.model_fields["is_"].annotation))
    assert allowed == {"negative", "positive", "zero"} and all(value in row[3] for value in allowed)


def test_the_documented_json_keys_are_the_ones_step_prints():
    import json

    from backprop_cli.cli import main

    documented = keys(table("networks.md", "## What `backprop step --json` prints"))
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["step", "--json"]) == 0
    printed = set(json.loads(out.getvalue()))
    assert printed <= documented and documented - printed <= {"history"}


def test_the_documented_skills_are_the_learner_models():
    from backprop_cli.tutor.skills import SKILLS

    rows = table("lessons.md", "| skill | what it is |")
    assert [keys([row]).pop() for row in rows] == [skill.id for skill in SKILLS]
    assert [row[1] for row in rows] == [skill.description for skill in SKILLS]
