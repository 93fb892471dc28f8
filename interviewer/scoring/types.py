"""The scoring seam: one function, three callers (live interviews, STAR review, evaluation runs)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from pydantic import BaseModel, Field

from interviewer.bank import Round


class ScoringInput(BaseModel):
    """What every engine scores: the ``interviewer score`` JSON contract, as a model."""

    round: Round
    question: str
    answer: str
    reference: list[str] = Field(default_factory=list, description="key points or a reference outline")
    question_id: str | None = None
    dimensions: list[str] | None = Field(default=None, description="default: the round's rubric dimensions")


class DimensionScore(BaseModel):
    dimension: str
    level: int | None = Field(default=None, ge=1, le=4, description="None = abstained, insufficient evidence")
    evidence: list[str] = Field(default_factory=list, description="verbatim quotes from the answer")
    rationale: str = ""
    missing: str = Field(default="", description="what would raise the level by one")
    engine: str = "offline"
    confidence: float | None = None


class KeyPointMatch(BaseModel):
    key_point: str
    index: int
    covered: bool
    similarity: float
    evidence: str | None = None
    engine: str = Field(default="offline", description="who matched it: the LLM judge reuses the offline matcher")
    contradicted: bool = Field(
        default=False, description="the answer states this point backwards; ``evidence`` quotes the sentence"
    )


class Assessment(BaseModel):
    engine: str
    scores: dict[str, DimensionScore]
    key_points: list[KeyPointMatch] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list, description="e.g. empty, gibberish, off_topic, injection")
    fallback_reason: str | None = Field(default=None, description="set when a requested engine failed over")

    @property
    def covered(self) -> list[KeyPointMatch]:
        return [k for k in self.key_points if k.covered]

    @property
    def missed(self) -> list[KeyPointMatch]:
        return [k for k in self.key_points if not k.covered]

    def to_contract(self) -> dict[str, object]:
        """The exact ``interviewer score --json`` output."""
        return {
            "engine": self.engine,
            "scores": {
                dim: {"level": s.level, "evidence": s.evidence, "rationale": s.rationale, "missing": s.missing}
                for dim, s in self.scores.items()
            },
        }


@runtime_checkable
class Scorer(Protocol):
    name: str

    def assess(self, item: ScoringInput) -> Assessment: ...
