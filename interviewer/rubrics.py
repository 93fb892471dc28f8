"""Rubrics: per dimension, levels 1-4 with behavioural anchors, and the rounds that use it.

One YAML file per dimension under ``rubrics/``. The ``version`` of a rubric feeds the cache key
of evaluation runs, so editing an anchor invalidates cached judgements.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import ClassVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from interviewer.bank import DIMENSIONS, Round
from interviewer.errors import DataError


class LevelAnchor(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=1)
    anchors: list[str] = Field(min_length=1, description="what an answer at this level shows")


class Dimension(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    description: str = Field(min_length=1)
    rounds: list[Round] = Field(min_length=1)
    version: int = 1
    levels: dict[int, LevelAnchor]

    @field_validator("id")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in DIMENSIONS:
            raise ValueError(f"unknown dimension {v!r}; known: {', '.join(DIMENSIONS)}")
        return v

    @model_validator(mode="after")
    def _four_levels(self) -> Dimension:
        if sorted(self.levels) != [1, 2, 3, 4]:
            raise ValueError(f"levels must be exactly 1, 2, 3 and 4, got {sorted(self.levels)}")
        return self


class Rubric:
    """The set of dimensions, and which apply to which round."""

    REQUIRED: ClassVar[dict[Round, tuple[str, ...]]] = {
        Round.behavioral: ("ownership", "impact", "tradeoffs", "star"),
        Round.ml_design: ("tradeoffs", "coverage"),
        Round.ml_theory: ("tradeoffs", "coverage"),
    }

    def __init__(self, dimensions: list[Dimension]) -> None:
        self.dimensions = {d.id: d for d in dimensions}

    def __getitem__(self, dim_id: str) -> Dimension:
        return self.dimensions[dim_id]

    def for_round(self, rnd: Round | str) -> list[Dimension]:
        rnd = Round(rnd)
        return [d for d in self.dimensions.values() if rnd in d.rounds]

    def version(self) -> str:
        """A digest of every anchor: changes whenever the rubric's meaning may have changed."""
        blob = json.dumps({k: d.model_dump(mode="json") for k, d in sorted(self.dimensions.items())}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]


def load_rubric(root: Path | str) -> Rubric:
    root = Path(root)
    files = sorted(root.glob("*.yaml")) if root.is_dir() else []
    if not files:
        raise DataError(f"no rubric files (*.yaml) in {root}")
    dims: list[Dimension] = []
    problems: list[str] = []
    for path in files:
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            problems.append(f"{path}: malformed YAML: {e}")
            continue
        if not isinstance(doc, dict):
            problems.append(f"{path}: expected a mapping describing one dimension")
            continue
        try:
            dims.append(Dimension.model_validate(doc))
        except ValidationError as e:
            for err in e.errors():
                field = ".".join(str(p) for p in err["loc"]) or "(dimension)"
                problems.append(f"{path}: dimension {doc.get('id', '?')}: field {field}: {err['msg']}")
    rubric = Rubric(dims)
    for rnd, required in Rubric.REQUIRED.items():
        have = {d.id for d in rubric.for_round(rnd)}
        for dim in required:
            if dim not in have:
                problems.append(f"{root}: round {rnd.value} needs dimension {dim!r}")
    if problems:
        raise DataError("rubrics are invalid", problems)
    return rubric
