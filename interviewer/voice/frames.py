"""The frames that flow through the voice pipeline (microphone -> ... -> speaker).

Each stage reads frames and emits frames, pipecat style, so a stage can be tested alone:
these frames in, these frames out. Every frame records when it was made, which is how the
latency from the end of the candidate's turn to the interviewer's first audio is measured.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from interviewer.voice.delivery import DeliveryMetrics
from interviewer.voice.transcript import Transcript
from interviewer.voice.tts import AudioChunk


@dataclass
class Frame:
    created: float = field(default_factory=time.perf_counter, init=False, repr=False, compare=False)


@dataclass
class AudioIn(Frame):
    """A block of microphone audio: 16 kHz mono float32."""

    samples: np.ndarray = field(repr=False)


@dataclass
class Control(Frame):
    """A key press in push-to-talk mode: ``start`` or ``stop`` recording, or ``quit``."""

    action: str


@dataclass
class SpeechStarted(Frame):
    pass


@dataclass
class SpeechPiece(Frame):
    """Audio of the answer up to a pause, ready to transcribe while the candidate goes on."""

    audio: np.ndarray = field(repr=False)
    offset_s: float


@dataclass
class SpeechPaused(Frame):
    """The candidate paused: the audio since the last piece, transcribed speculatively in case
    the answer is over (then the end of turn needs no more recognition)."""

    audio: np.ndarray = field(repr=False)
    offset_s: float


@dataclass
class TurnEnded(Frame):
    """The candidate has finished: ``tail`` is the audio not yet sent as a piece."""

    tail: np.ndarray = field(repr=False)
    offset_s: float
    duration_s: float


@dataclass
class TranscriptFrame(Frame):
    """A clean answer, ready for the interviewer."""

    transcript: Transcript
    delivery: DeliveryMetrics


@dataclass
class UnclearTranscript(Frame):
    """An answer heard too poorly to score (empty or low confidence): the candidate is asked
    to repeat it; it never reaches the interviewer as if it were clean."""

    transcript: Transcript
    attempt: int


@dataclass
class ReplyText(Frame):
    """One sentence of the interviewer's reply."""

    text: str


@dataclass
class ReplyAudio(Frame):
    chunk: AudioChunk = field(repr=False)
    first: bool = False


@dataclass
class ReplyDone(Frame):
    pass


@dataclass
class SessionOver(Frame):
    """The interviewer has nothing more to ask; sources stop after this."""
