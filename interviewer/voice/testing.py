"""Scripted fakes of the voice seams, for unit tests of the pipeline and of its users.

Each fake plays a script and fails loudly when the script runs out: a test that triggers one
more transcription or reply than it planned for should break, not pass on a default.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from interviewer.voice.audiofile import Clip
from interviewer.voice.delivery import SpokenAnswer
from interviewer.voice.transcript import Transcript, Word
from interviewer.voice.tts import AudioChunk


class ScriptExhausted(AssertionError):
    """A fake was called more often than its script allows."""


def transcript_of(
    text: str, *, seconds_per_word: float = 0.4, confidence: float = 0.95, low_confidence: bool = False
) -> Transcript:
    """A plausible transcript with evenly spaced word timings."""
    words = [
        Word(text=w, start=i * seconds_per_word, end=(i + 0.8) * seconds_per_word, probability=confidence)
        for i, w in enumerate(text.split())
    ]
    return Transcript(
        text=text,
        duration_s=len(words) * seconds_per_word,
        language="en",
        words=words,
        confidence=confidence if words else None,
        low_confidence=low_confidence,
        engine="fake",
    )


class FakeSTT:
    """Returns the scripted transcripts in order, recording the clips it was given."""

    name = "fake-stt"

    def __init__(self, script: Iterable[Transcript | str]) -> None:
        self._script = [transcript_of(s) if isinstance(s, str) else s for s in script]
        self.heard: list[Clip] = []

    def transcribe(self, clip: Clip) -> Transcript:
        self.heard.append(clip)
        if not self._script:
            raise ScriptExhausted(f"FakeSTT: no scripted transcript left for call {len(self.heard)}")
        return self._script.pop(0)

    @property
    def remaining(self) -> int:
        return len(self._script)


class FakeTTS:
    """One chunk of silence per sentence, its length scaled to the text; at most ``limit``
    sentences (None: unlimited) before it refuses."""

    name = "fake-tts"

    def __init__(self, rate: int = 16_000, limit: int | None = None) -> None:
        self.rate = rate
        self.limit = limit
        self.spoken: list[str] = []

    def synthesize(self, text: str) -> Iterator[AudioChunk]:
        from interviewer.voice.sentences import split_sentences

        for sentence in split_sentences(text):
            if self.limit is not None and len(self.spoken) >= self.limit:
                raise ScriptExhausted(f"FakeTTS: asked to speak more than {self.limit} sentences: {sentence!r}")
            self.spoken.append(sentence)
            yield AudioChunk(
                np.zeros(int(self.rate * 0.05 * max(1, len(sentence.split()))), np.float32), self.rate, sentence
            )


class ScriptedReplies:
    """The engine seam (answer -> reply pieces) playing scripted replies, keeping the answers."""

    def __init__(self, replies: Iterable[str | Iterable[str]]) -> None:
        self._replies = [[r] if isinstance(r, str) else list(r) for r in replies]
        self.answers: list[str] = []
        self.spoken: list[SpokenAnswer | None] = []

    def __call__(self, answer: str, spoken: SpokenAnswer | None = None) -> Iterator[str]:
        self.answers.append(answer)
        self.spoken.append(spoken)
        if not self._replies:
            raise ScriptExhausted(f"ScriptedReplies: no reply left for answer {len(self.answers)}: {answer[:60]!r}")
        yield from self._replies.pop(0)

    @property
    def over(self) -> bool:
        return not self._replies


class MemorySink:
    """A speaker that keeps what it was given instead of playing it."""

    def __init__(self) -> None:
        self.chunks: list[AudioChunk] = []
        self.waits = 0

    def play(self, chunk: AudioChunk) -> None:
        self.chunks.append(chunk)

    def wait(self) -> None:
        self.waits += 1
