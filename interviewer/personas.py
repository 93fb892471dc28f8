"""Interviewer personas: who asks, how strictly, how readily they probe, and how they phrase it.

One YAML file per persona under ``personas/``. A persona overrides only the phrasing it cares
about; everything else comes from the defaults in ``interviewer/prompts/followup.yaml``, so a
new persona is a dozen lines. Placeholders are checked at load time: a typo such as
``{qoute}`` is an error naming the file and field, not a ``KeyError`` in the middle of a round.
"""

from __future__ import annotations

import string
from enum import StrEnum
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from interviewer.bank import DIMENSIONS, Round
from interviewer.datafiles import load_prompt, problems, read_yaml
from interviewer.errors import DataError


class Style(StrEnum):
    warm = "warm"
    neutral = "neutral"
    challenging = "challenging"


#: Which placeholders each template may use; anything else is a load error.
PLACEHOLDERS: dict[str, set[str]] = {
    "acknowledge": set(),
    "ground": {"quote"},
    "area": {"area"},
    "open_area": set(),
    "challenge": {"quote"},
    "move_on": set(),
    "no_answer": set(),
    "reframe": set(),
    "next_question": {"question"},
    "hint": {"hint"},
    "dimension": set(),
    "phase_intros": set(),
    "opening": {"name", "role", "round"},
    "closing": {"name"},
}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _check_placeholders(kind: str, template: str) -> str:
    try:
        used = placeholders(template)
    except ValueError as e:  # unbalanced braces
        raise ValueError(f"malformed template {template!r}: {e}") from None
    unknown = used - PLACEHOLDERS[kind]
    if unknown:
        allowed = ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS[kind])) or "none"
        raise ValueError(f"unknown placeholder(s) {sorted(unknown)} in {template!r}; allowed: {allowed}")
    return template


class Templates(BaseModel):
    """Phrasing variants; a message picks one variant per slot, deterministically per turn."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    acknowledge: list[str] = Field(default_factory=list)
    ground: list[str] = Field(default_factory=list, description="prefix quoting the candidate: {quote}")
    area: list[str] = Field(default_factory=list, description="probe an area named by the outline: {area}")
    open_area: list[str] = Field(default_factory=list, description="probe a gap that has no name to give")
    challenge: list[str] = Field(default_factory=list, description="question an assumption: {quote}")
    move_on: list[str] = Field(default_factory=list)
    no_answer: list[str] = Field(default_factory=list, description="after an empty or 'I don't know' answer")
    reframe: list[str] = Field(default_factory=list, description="before an easier way into an unanswered question")
    next_question: list[str] = Field(default_factory=list, description="introduce a new question: {question}")
    hint: list[str] = Field(default_factory=list, description="a requested nudge: {hint}")
    dimension: dict[str, list[str]] = Field(default_factory=dict, description="probes per rubric dimension")
    phase_intros: dict[str, str] = Field(default_factory=dict, description="said when a phase begins, by phase id")

    @model_validator(mode="after")
    def _valid(self) -> Templates:
        for kind in PLACEHOLDERS:
            value = getattr(self, kind, None)
            if isinstance(value, list):
                for t in value:
                    _check_placeholders(kind, t)
        for dim, texts in self.dimension.items():
            if dim not in DIMENSIONS:
                raise ValueError(f"unknown dimension {dim!r} in templates.dimension; known: {', '.join(DIMENSIONS)}")
            for t in texts:
                _check_placeholders("dimension", t)
        for t in self.phase_intros.values():
            _check_placeholders("phase_intros", t)
        return self

    def over(self, base: Templates) -> Templates:
        """These templates where set, ``base`` elsewhere (per slot, and per key for the dicts)."""
        data: dict[str, Any] = {}
        for name in type(self).model_fields:
            mine, theirs = getattr(self, name), getattr(base, name)
            data[name] = {**theirs, **mine} if isinstance(mine, dict) else (mine or theirs)
        return Templates.model_validate(data)


class Persona(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{1,40}$")
    name: str = Field(min_length=1)
    role: str = Field(min_length=1, description='e.g. "Staff MLE, recommendations"')
    style: Style
    strictness: int = Field(ge=1, le=5, description="the bar: shifts the hire-signal thresholds")
    probing: int = Field(ge=0, le=3, description="follow-ups per question at most (the phase may allow fewer)")
    challenges: bool = Field(default=False, description="questions assumptions when trade-off reasoning is thin")
    minutes: int | None = Field(default=None, ge=5, le=120, description="time budget; default: the round script's")
    rounds: list[Round] = Field(default_factory=list, description="the rounds this persona runs")
    loop: str | None = Field(default=None, description="a panel runs a loop of rounds (rounds/<loop>.yaml)")
    opening: str = Field(min_length=1)
    closing: str = Field(min_length=1)
    prompt: str = Field(default="", description="how this persona talks, for LLM-written follow-ups")
    templates: Templates = Field(default_factory=Templates)

    @field_validator("opening")
    @classmethod
    def _opening(cls, v: str) -> str:
        return _check_placeholders("opening", v.strip())

    @field_validator("closing")
    @classmethod
    def _closing(cls, v: str) -> str:
        return _check_placeholders("closing", v.strip())

    @model_validator(mode="after")
    def _rounds_or_loop(self) -> Persona:
        if self.loop and self.rounds:
            raise ValueError("a panel persona sets 'loop' and leaves 'rounds' empty")
        if not self.loop and not self.rounds:
            raise ValueError("set 'rounds' (the rounds this persona runs) or 'loop' (for a panel)")
        return self

    @cached_property
    def phrasing(self) -> Templates:
        """The persona's templates over the defaults (merged once: it is read on every message)."""
        return self.templates.over(default_templates())

    def opening_line(self, round_title: str) -> str:
        return self.opening.format(name=self.name, role=self.role, round=round_title)

    def closing_line(self) -> str:
        return self.closing.format(name=self.name)


@cache
def default_templates() -> Templates:
    doc = load_prompt("followup")
    try:
        return Templates.model_validate(doc["templates"])
    except (KeyError, ValidationError) as e:
        raise DataError(f"interviewer/prompts/followup.yaml: invalid default templates: {e}") from e


def load_personas(root: Path | str) -> dict[str, Persona]:
    """Every ``*.yaml`` persona under ``root``, validated; all problems reported at once."""
    root = Path(root)
    files = sorted(root.glob("*.yaml")) if root.is_dir() else []
    if not files:
        raise DataError(f"no persona files (*.yaml) in {root}")
    personas: dict[str, Persona] = {}
    found: list[str] = []
    for path in files:
        doc, problem = read_yaml(path)
        if problem:
            found.append(problem)
            continue
        ident = doc.get("id", path.stem)
        try:
            persona = Persona.model_validate(doc)
        except ValidationError as e:
            found.extend(problems(path, "persona", ident, e))
            continue
        if persona.id in personas:
            found.append(f"{path}: persona {persona.id}: field id: duplicate id")
            continue
        personas[persona.id] = persona
    if found:
        raise DataError("personas are invalid", found)
    return personas


def get_persona(personas: dict[str, Persona], persona_id: str) -> Persona:
    try:
        return personas[persona_id]
    except KeyError:
        raise DataError(f"unknown persona {persona_id!r}; known: {', '.join(sorted(personas))}") from None
