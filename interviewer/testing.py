"""Scripted fakes for unit tests, shipped with the package so other engineers' tests can use them.

Each fake replays exactly the steps it was given and fails loudly when they run out: a test
that silently received a default would be testing nothing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence

from interviewer.scoring.types import Assessment, DimensionScore, KeyPointMatch, ScoringInput

Step = Assessment | Callable[[ScoringInput], Assessment]


class ScriptExhausted(AssertionError):
    """A fake was called more often than its script allows."""


class ScriptedScorer:
    """A :class:`~interviewer.scoring.types.Scorer` returning scripted assessments in order."""

    name = "scripted"

    def __init__(self, steps: Iterable[Step]) -> None:
        self._steps: deque[Step] = deque(steps)
        self.calls: list[ScoringInput] = []

    def assess(self, item: ScoringInput) -> Assessment:
        self.calls.append(item)
        if not self._steps:
            raise ScriptExhausted(
                f"ScriptedScorer: call {len(self.calls)} has no scripted assessment "
                f"(question {item.question_id!r}, answer {item.answer[:60]!r})"
            )
        step = self._steps.popleft()
        return step(item) if callable(step) else step

    @property
    def remaining(self) -> int:
        return len(self._steps)


def assessment(
    levels: dict[str, int | None],
    *,
    key_points: Sequence[str] = (),
    covered: Iterable[int] = (),
    flags: Sequence[str] = (),
    evidence: dict[str, list[str]] | None = None,
    engine: str = "scripted",
) -> Assessment:
    """An assessment from plain numbers: ``covered`` holds 1-based key point indexes."""
    covered = set(covered)
    evidence = evidence or {}
    return Assessment(
        engine=engine,
        scores={
            d: DimensionScore(
                dimension=d,
                level=lv,
                evidence=evidence.get(d, []),
                rationale=f"scripted level {lv}",
                missing="" if lv == 4 else f"scripted: more {d}",
                engine=engine,
            )
            for d, lv in levels.items()
        },
        key_points=[
            KeyPointMatch(
                key_point=kp, index=i, covered=i in covered, similarity=0.8 if i in covered else 0.1, engine=engine
            )
            for i, kp in enumerate(key_points, 1)
        ],
        flags=list(flags),
    )
