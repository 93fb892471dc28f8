"""What speech recognition hands to the rest of the product.

A transcript keeps its timings and confidence, not just the text: delivery feedback is computed
from word timestamps, and a shaky transcript must be flagged so the interviewer asks the
candidate to repeat instead of scoring words the candidate may never have said.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class Word(BaseModel):
    text: str
    start: float
    end: float
    probability: float | None = None


class Segment(BaseModel):
    text: str
    start: float
    end: float
    avg_logprob: float | None = None
    no_speech_prob: float | None = None


class Transcript(BaseModel):
    text: str
    duration_s: float = Field(description="length of the audio heard, in seconds")
    language: str | None = None
    segments: list[Segment] = Field(default_factory=list)
    words: list[Word] = Field(default_factory=list, description="empty when the backend gives no word timings")
    confidence: float | None = Field(default=None, description="mean word probability (0-1), when known")
    no_speech_prob: float | None = Field(default=None, description="the highest no-speech probability of a segment")
    low_confidence: bool = False
    notes: list[str] = Field(default_factory=list, description="why it is empty, trimmed or flagged")
    engine: str = ""

    @property
    def empty(self) -> bool:
        return not self.text.strip()

    def shifted(self, offset_s: float) -> Transcript:
        """The same transcript with every timing moved later: pieces transcribed one by one are
        stitched into one answer on a common clock."""
        return self.model_copy(
            update={
                "segments": [
                    s.model_copy(update={"start": s.start + offset_s, "end": s.end + offset_s}) for s in self.segments
                ],
                "words": [
                    w.model_copy(update={"start": w.start + offset_s, "end": w.end + offset_s}) for w in self.words
                ],
            }
        )


def merge(parts: list[Transcript], duration_s: float | None = None) -> Transcript:
    """One transcript from consecutive pieces whose timings are already on a common clock."""
    if not parts:
        return Transcript(text="", duration_s=duration_s or 0.0)
    words = [w for p in parts for w in p.words]
    probs = [w.probability for w in words if w.probability is not None]
    no_speech = [p.no_speech_prob for p in parts if p.no_speech_prob is not None and not p.empty]
    heard = [p for p in parts if not p.empty] or parts
    notes = list(dict.fromkeys(n for p in heard for n in p.notes))
    return Transcript(
        text=" ".join(p.text.strip() for p in parts if not p.empty),
        duration_s=duration_s if duration_s is not None else sum(p.duration_s for p in parts),
        language=next((p.language for p in parts if p.language), None),
        segments=[s for p in parts for s in p.segments],
        words=words,
        confidence=sum(probs) / len(probs) if probs else None,
        no_speech_prob=max(no_speech) if no_speech else None,
        low_confidence=any(p.low_confidence for p in parts if not p.empty),
        notes=notes,
        engine=parts[0].engine,
    )
