"""Round scripts as data: phases with turn and time budgets, and loops that chain rounds.

A script says *what kind of conversation* a round is (requirements, design, deep dive,
trade-offs; or a ladder from fundamentals to depth); the follow-up policy decides *what* to ask
within it. Scripts live in ``rounds/*.yaml`` (``settings.rounds_dir``); see ``rounds/README.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from interviewer.bank import DIMENSIONS, Round
from interviewer.datafiles import problems, read_yaml
from interviewer.errors import DataError
from interviewer.personas import Persona, get_persona

#: Focus entries besides rubric dimensions.
FOCUS_KINDS = ("key_points", "challenge")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScriptedProbe(_Strict):
    """A follow-up every question of the phase gets, unless the answers already cover it."""

    text: str = Field(min_length=1)
    dimension: str
    unless: str | None = Field(default=None, description="regex: skip the probe when the answers match it")

    @field_validator("dimension")
    @classmethod
    def _dim(cls, v: str) -> str:
        if v not in DIMENSIONS:
            raise ValueError(f"unknown dimension {v!r}; known: {', '.join(DIMENSIONS)}")
        return v

    @field_validator("unless")
    @classmethod
    def _regex(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as e:
                raise ValueError(f"not a valid regular expression: {e}") from None
        return v

    def applies(self, answers: str) -> bool:
        return not (self.unless and re.search(self.unless, answers))


class Phase(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    title: str = Field(min_length=1)
    ask: Literal["new", "continue"]
    questions: int = Field(default=0, ge=0, le=10, description="new questions asked in this phase")
    followups: int = Field(ge=0, le=5, description="follow-ups per question in this phase")
    turns: int = Field(ge=1, le=30, description="candidate answers in this phase at most")
    minutes: float = Field(gt=0, le=120)
    level_offset: int = Field(default=0, ge=-3, le=3)
    focus: list[str] = Field(default_factory=list)
    focus_terms: list[str] = Field(default_factory=list)
    intro: str | None = None
    prompt: ScriptedProbe | None = None

    @field_validator("focus")
    @classmethod
    def _focus(cls, v: list[str]) -> list[str]:
        unknown = [f for f in v if f not in DIMENSIONS and f not in FOCUS_KINDS]
        if unknown:
            kinds, dims = ", ".join(FOCUS_KINDS), ", ".join(DIMENSIONS)
            raise ValueError(f"unknown focus {unknown}; use {kinds} or a dimension: {dims}")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Phase:
        if self.ask == "new" and self.questions < 1:
            raise ValueError("a phase that asks new questions needs questions >= 1")
        if self.ask == "continue" and self.questions:
            raise ValueError("a 'continue' phase probes the current question; set questions: 0")
        if self.turns < self.questions:
            raise ValueError(f"turns ({self.turns}) must allow one answer per question ({self.questions})")
        return self


class RoundScript(_Strict):
    kind: Literal["round"] = "round"
    id: str = Field(pattern=r"^[a-z0-9_-]{1,40}$")
    round: Round
    title: str = Field(min_length=1)
    minutes: float = Field(gt=0, le=240)
    phases: list[Phase] = Field(min_length=1)

    @model_validator(mode="after")
    def _phases(self) -> RoundScript:
        if self.phases[0].ask != "new":
            raise ValueError("phases[0] must ask a new question (ask: new)")
        ids = [p.id for p in self.phases]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate phase ids {dupes}")
        return self

    @property
    def max_turns(self) -> int:
        return sum(p.turns for p in self.phases)

    def phase_index(self, phase_id: str) -> int:
        for i, p in enumerate(self.phases):
            if p.id == phase_id:
                return i
        raise KeyError(f"round script {self.id!r} has no phase {phase_id!r}")


class LoopStage(_Strict):
    round: str = Field(description="a round script id")
    persona: str


class Loop(_Strict):
    kind: Literal["loop"]
    id: str = Field(pattern=r"^[a-z0-9_-]{1,40}$")
    title: str = Field(min_length=1)
    stages: list[LoopStage] = Field(min_length=1)


@dataclass(frozen=True)
class Scripts:
    rounds: dict[str, RoundScript]
    loops: dict[str, Loop]

    def round(self, script_id: str) -> RoundScript:
        try:
            return self.rounds[script_id]
        except KeyError:
            raise DataError(f"unknown round {script_id!r}; known: {', '.join(sorted(self.rounds))}") from None


@dataclass(frozen=True)
class Plan:
    """The stages of an interview, and the panel persona hosting them when it is a loop."""

    stages: list[Stage]
    host: Persona | None = None


@dataclass(frozen=True)
class Stage:
    """One round of an interview: the script, and the persona who runs it."""

    script: RoundScript
    persona: Persona

    @property
    def minutes(self) -> float:
        return float(self.persona.minutes or self.script.minutes)


def load_scripts(root: Path | str) -> Scripts:
    root = Path(root)
    files = sorted(root.glob("*.yaml")) if root.is_dir() else []
    if not files:
        raise DataError(f"no round scripts (*.yaml) in {root}")
    rounds: dict[str, RoundScript] = {}
    loops: dict[str, Loop] = {}
    found: list[str] = []
    for path in files:
        doc, problem = read_yaml(path)
        if problem:
            found.append(problem)
            continue
        kind = doc.get("kind", "round")
        ident = doc.get("id", path.stem)
        model: type[RoundScript] | type[Loop] = Loop if kind == "loop" else RoundScript
        try:
            item = model.model_validate(doc)
        except ValidationError as e:
            found.extend(problems(path, kind, ident, e))
            continue
        target: dict = loops if isinstance(item, Loop) else rounds
        if item.id in target:
            found.append(f"{path}: {kind} {item.id}: field id: duplicate id")
        target[item.id] = item
    if found:
        raise DataError("round scripts are invalid", found)
    return Scripts(rounds, loops)


def check_catalog(personas: dict[str, Persona], scripts: Scripts) -> list[str]:
    """Cross-file problems: a persona's round without a script, a loop naming a missing persona."""
    found: list[str] = []
    for p in personas.values():
        for rnd in p.rounds:
            if rnd.value not in scripts.rounds:
                found.append(f"persona {p.id}: field rounds: no round script with id {rnd.value!r}")
        if p.loop and p.loop not in scripts.loops:
            found.append(f"persona {p.id}: field loop: no loop {p.loop!r} in the round scripts")
    for loop in scripts.loops.values():
        for i, st in enumerate(loop.stages):
            where = f"loop {loop.id}: field stages[{i}]"
            script = scripts.rounds.get(st.round)
            persona = personas.get(st.persona)
            if script is None:
                found.append(f"{where}.round: no round script {st.round!r}")
            if persona is None:
                found.append(f"{where}.persona: no persona {st.persona!r}")
            elif script is not None and script.round not in persona.rounds:
                found.append(f"{where}.persona: {st.persona} does not run {script.round.value} rounds")
    return found


def plan_stages(
    personas: dict[str, Persona],
    scripts: Scripts,
    *,
    persona: str | None = None,
    round: str | None = None,
    loop: bool = False,
) -> Plan:
    """The rounds of an interview from what the user asked for; errors say what would work."""
    problems_ = check_catalog(personas, scripts)
    if problems_:
        raise DataError("personas and round scripts do not fit together", problems_)
    chosen = get_persona(personas, persona) if persona else None
    if loop or (chosen and chosen.loop):
        if chosen and not chosen.loop:
            raise DataError(f"persona {chosen.id} runs single rounds; a loop uses a panel persona")
        if round:
            raise DataError("a loop runs every round of the loop; drop --round or --loop")
        host = chosen or next((p for p in sorted(personas.values(), key=lambda p: p.id) if p.loop), None)
        if host is None or host.loop is None:
            raise DataError("no panel persona (one with a 'loop') to run a loop")
        stages = [Stage(scripts.round(st.round), personas[st.persona]) for st in scripts.loops[host.loop].stages]
        return Plan(stages, host)
    script = scripts.round(round or (chosen.rounds[0].value if chosen else Round.ml_design.value))
    if chosen is None:
        chosen = _specialist(personas, script.round)
    elif script.round not in chosen.rounds:
        runs = ", ".join(r.value for r in chosen.rounds)
        raise DataError(f"persona {chosen.id} does not run {script.round.value} rounds (it runs: {runs})")
    return Plan([Stage(script, chosen)])


def _specialist(personas: dict[str, Persona], rnd: Round) -> Persona:
    """The persona made for this round: one that runs it alone, else any that runs it."""
    runs = [p for p in sorted(personas.values(), key=lambda p: p.id) if rnd in p.rounds]
    if not runs:
        raise DataError(f"no persona runs {rnd.value} rounds")
    return min(runs, key=lambda p: len(p.rounds))
