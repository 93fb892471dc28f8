"""The question bank: YAML files under ``knowledge/`` validated into :class:`Question` models.

Every error names the file, the question id and the field, because the bank is written by
hand and a message like "validation error" sends the author hunting through 500 entries.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from interviewer.datafiles import read_yaml
from interviewer.errors import DataError


class Round(StrEnum):
    ml_design = "ml_design"
    ml_theory = "ml_theory"
    behavioral = "behavioral"
    coding = "coding"


class Level(StrEnum):
    MLE1 = "MLE1"
    MLE2 = "MLE2"
    MLE3 = "MLE3"
    MLE4 = "MLE4"

    @property
    def rank(self) -> int:
        return int(self.value[-1])


class Difficulty(StrEnum):
    easy = "easy"
    medium = "medium"
    hard = "hard"


#: Rubric dimensions a question may name; the rubric files define them fully.
DIMENSIONS = (
    "ownership",
    "impact",
    "tradeoffs",
    "star",
    "coverage",
    "communication",
    "depth",
    "correctness",
)

DEFAULT_DIMENSIONS: dict[Round, list[str]] = {
    Round.behavioral: ["ownership", "impact", "tradeoffs", "star"],
    Round.ml_design: ["coverage", "tradeoffs"],
    Round.ml_theory: ["coverage", "tradeoffs"],
    Round.coding: ["coverage", "correctness"],
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Probe(_Strict):
    """A follow-up the interviewer may ask, aimed at one key point or one rubric dimension."""

    text: str = Field(min_length=1)
    key_point: int | None = Field(default=None, ge=1, description="1-based index into key_points")
    dimension: str | None = None

    @field_validator("text")
    @classmethod
    def _strip(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("follow-up text is empty")
        return v

    @model_validator(mode="after")
    def _one_target(self) -> Probe:
        if (self.key_point is None) == (self.dimension is None):
            raise ValueError("a follow-up targets exactly one of key_point or dimension")
        if self.dimension is not None and self.dimension not in DIMENSIONS:
            raise ValueError(f"unknown dimension {self.dimension!r}; known: {', '.join(DIMENSIONS)}")
        return self


class Example(_Strict):
    input: str
    output: str
    explanation: str | None = None


class Complexity(_Strict):
    time: str
    space: str


class Question(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{2,80}$")
    round: Round
    topic: str = Field(min_length=1)
    tags: list[str] = Field(default_factory=list)
    level: Level
    difficulty: Difficulty
    text: str
    key_points: list[str] = Field(min_length=1)
    follow_ups: list[Probe] = Field(default_factory=list)
    dimensions: list[str] = Field(default_factory=list)
    outline: list[str] = Field(default_factory=list, description="reference answer outline")
    # behavioral
    competency: str | None = None
    strong_signals: list[str] = Field(default_factory=list)
    # coding
    constraints: list[str] = Field(default_factory=list)
    examples: list[Example] = Field(default_factory=list)
    complexity: Complexity | None = None

    @field_validator("text", "topic")
    @classmethod
    def _non_empty(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("must not be empty")
        return v

    @field_validator("key_points", "outline", "strong_signals", "constraints")
    @classmethod
    def _non_empty_items(cls, v: list[str]) -> list[str]:
        out = [s.strip() for s in v]
        if any(not s for s in out):
            raise ValueError("contains an empty entry")
        return out

    @field_validator("follow_ups")
    @classmethod
    def _targets_exist(cls, v: list[Probe], info: ValidationInfo) -> list[Probe]:
        n = len(info.data.get("key_points") or [])
        for i, probe in enumerate(v):
            if probe.key_point is not None and probe.key_point > n:
                raise ValueError(f"[{i}] targets key_point {probe.key_point} but there are {n} key points")
        return v

    @field_validator("dimensions")
    @classmethod
    def _known_dimensions(cls, v: list[str]) -> list[str]:
        unknown = [d for d in v if d not in DIMENSIONS]
        if unknown:
            raise ValueError(f"unknown dimensions {unknown}; known: {', '.join(DIMENSIONS)}")
        return v

    @property
    def rubric_dimensions(self) -> list[str]:
        return list(self.dimensions) or list(DEFAULT_DIMENSIONS[self.round])

    def content_hash(self) -> str:
        """Changes whenever anything an index or a scorer could see changes."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def search_text(self) -> str:
        """What gets embedded: topic and question. Key points would add ~3x the tokens (and the
        encoder's cost is linear in tokens) while pulling paraphrased questions toward answers."""
        return f"{self.topic}: {self.text}"


class Bank:
    """All questions, by id, in file order."""

    def __init__(self, questions: Iterable[Question]) -> None:
        self._by_id: dict[str, Question] = {}
        for q in questions:
            self._by_id[q.id] = q

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Question]:
        return iter(self._by_id.values())

    def __contains__(self, qid: object) -> bool:
        return qid in self._by_id

    def get(self, qid: str) -> Question:
        try:
            return self._by_id[qid]
        except KeyError:
            raise KeyError(f"no question with id {qid!r} in the bank") from None

    def by_round(self, rnd: Round | str) -> list[Question]:
        rnd = Round(rnd)
        return [q for q in self if q.round == rnd]


def _format_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(question)"


def _load_file(path: Path) -> tuple[list[Question], list[str]]:
    errors: list[str] = []
    doc, problem = read_yaml(path)
    if problem:
        return [], [problem]
    if not isinstance(doc.get("questions"), list):
        return [], [f"{path}: expected a mapping with a 'questions' list at the top level"]
    defaults = {k: doc[k] for k in ("round", "topic", "level", "difficulty", "tags") if k in doc}
    questions: list[Question] = []
    for i, item in enumerate(doc["questions"]):
        if not isinstance(item, dict):
            errors.append(f"{path}: questions[{i}]: expected a mapping, got {type(item).__name__}")
            continue
        qid = item.get("id", f"questions[{i}]")
        merged = {**defaults, **item}
        try:
            questions.append(Question.model_validate(merged))
        except ValidationError as e:
            for err in e.errors():
                errors.append(f"{path}: question {qid}: field {_format_loc(err['loc'])}: {err['msg']}")
    return questions, errors


def load_bank(root: Path | str, *, strict: bool = True) -> Bank:
    """Load every ``*.yaml`` under ``root``.

    With ``strict`` any error raises :class:`DataError` listing all of them, so an author sees
    every problem in one run rather than one per run.
    """
    bank, errors = validate_bank(root)
    if errors and strict:
        raise DataError("question bank is invalid", errors)
    return bank


def validate_bank(root: Path | str) -> tuple[Bank, list[str]]:
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"question bank folder not found: {root}", [])
    files = sorted(p for p in root.rglob("*.yaml") if p.is_file())
    if not files:
        raise DataError(f"no *.yaml files in {root}", [])
    questions: list[Question] = []
    errors: list[str] = []
    seen: dict[str, Path] = {}
    for path in files:
        qs, errs = _load_file(path)
        errors.extend(errs)
        for q in qs:
            if q.id in seen:
                errors.append(f"{path}: question {q.id}: field id: duplicate id, first defined in {seen[q.id]}")
                continue
            seen[q.id] = path
            questions.append(q)
    return Bank(questions), errors
