"""The lesson file schema, version 1 (documented for authors in docs/lessons.md).

Strict on purpose: unknown keys are errors, so a typo is reported instead of silently ignored.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    WithJsonSchema,
    model_validator,
)

SCHEMA_VERSION = 1
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_]{0,40}$"


def _formula(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("must be a formula (text or a number)")
    text = repr(value) if isinstance(value, float) else str(value)
    if not text.strip():
        raise ValueError("must not be empty")
    return text


def _prose(value: Any) -> str:
    if isinstance(value, bool):
        raise ValueError("YAML reads yes/no/on/off/true/false as a truth value: put the text in quotes")
    if isinstance(value, int | float):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be non-empty text")
    return value


#: What editors are told (``backprop lessons schema``): YAML numbers are fine where text is read.
TEXT_OR_NUMBER = WithJsonSchema({"type": ["string", "number"]})
Formula = Annotated[str, BeforeValidator(_formula), TEXT_OR_NUMBER]
Prose = Annotated[str, BeforeValidator(_prose), TEXT_OR_NUMBER]
Name = Annotated[str, Field(pattern=NAME_PATTERN)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DerivativeDef(Strict):
    derivative: Name
    wrt: Name


class ValueDef(Strict):
    value: Formula
    at: dict[Name, Formula]


Define = DerivativeDef | ValueDef | Formula


class Setup(Strict):
    symbols: list[Name] = []
    network: str | None = None
    learning_rate: Formula | None = None
    define: dict[Name, Define] = {}


class StepBase(Strict):
    title: str | None = None
    optional: bool = False


class TextStep(StepBase):
    text: Prose


class DeriveSpec(Strict):
    expr: Formula
    wrt: Name


class DeriveStep(StepBase):
    derive: DeriveSpec


class NetworkStep(StepBase):
    network: Literal["forward", "backward", "update", "after"]


class PlotSpec(Strict):
    """One of the source's pictures: a tangent line, the loss surface, or a training curve."""

    tangent: Name | None = None  # a define (a function of one symbol) ...
    wrt: Name | None = None  # ... of this symbol
    at: Formula | None = None  # ... touched at this point
    surface: list[Name] | None = Field(default=None, min_length=2, max_length=2)  # two parameters
    training: int | None = Field(default=None, ge=1, le=10_000)  # steps of gradient descent
    steps: int | None = Field(default=None, ge=1, le=10_000)  # descent steps drawn on the surface


class PlotStep(StepBase):
    plot: PlotSpec


class MistakeSpec(Strict):
    answer: Formula
    feedback: Prose


class Because(Strict):
    value: Formula
    is_: Literal["negative", "positive", "zero"] = Field(alias="is")


def _known_skill(name: str) -> str:
    """A skill of the learner model (``tutor/skills.py``; listed in docs/lessons.md)."""
    import difflib

    from backprop_cli.tutor.skills import SKILL_IDS

    if name not in SKILL_IDS:
        close = difflib.get_close_matches(name, SKILL_IDS, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise ValueError(f"unknown skill '{name}'; {hint}the skills are: {', '.join(SKILL_IDS)}")
    return name


SkillName = Annotated[str, AfterValidator(_known_skill)]


class QuestionStep(StepBase):
    id: Name
    ask: Literal["number", "expression", "choice"]
    prompt: Prose
    answer: Formula
    exact: bool | None = None
    names: list[Name] | None = None
    options: list[Prose] | None = None
    because: Because | None = None
    hints: list[Prose] = Field(min_length=1)
    explanation: Prose
    mistakes: list[MistakeSpec] = []
    skills: list[SkillName] = []  # what the question exercises: the learner model's evidence
    bare: Prose | None = None  # the prompt without its formula, once every skill named is mastered
    drill: bool = False  # a repeated drill: optional once every skill named is mastered

    @model_validator(mode="after")
    def _fading_needs_skills(self) -> QuestionStep:
        if (self.bare is not None or self.drill) and not self.skills:
            raise ValueError("'bare' and 'drill' fade with mastery: name the question's skills too")
        return self


def _step_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("ask", "text", "derive", "network", "plot"):
            if key in value:
                return "·" + key
        return None
    if isinstance(value, BaseModel):
        return {"QuestionStep": "·ask", "TextStep": "·text", "DeriveStep": "·derive", "NetworkStep": "·network",
                "PlotStep": "·plot"}[
            type(value).__name__
        ]
    return None


Step = Annotated[
    Annotated[QuestionStep, Tag("·ask")]
    | Annotated[TextStep, Tag("·text")]
    | Annotated[DeriveStep, Tag("·derive")]
    | Annotated[NetworkStep, Tag("·network")]
    | Annotated[PlotStep, Tag("·plot")],
    Discriminator(
        _step_kind,
        custom_error_type="step_kind",
        custom_error_message="a step needs one of: text, derive, network, plot, ask",
    ),
]


class VaryRange(Strict):
    """Values from ``min`` to ``max`` in steps of ``step`` (both ends included)."""

    min: Formula
    max: Formula
    step: Formula


#: A setup value a learner may get fresh numbers for: a range, or a list of values to pick from.
Vary = VaryRange | Annotated[list[Formula], Field(min_length=2, max_length=200)]


class LessonFile(Strict):
    version: int = SCHEMA_VERSION
    id: str = Field(pattern=ID_PATTERN, max_length=40)
    title: Prose
    summary: Prose
    order: int = Field(ge=0, le=999)
    requires: list[str] = []
    setup: Setup = Setup()
    vary: dict[Name, Vary] = {}  # fresh numbers on request: a network value or a numeric define each
    steps: list[Step] = Field(min_length=1)
