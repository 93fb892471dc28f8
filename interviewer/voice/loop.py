"""A spoken interview: the pipeline driven by a microphone, until the interviewer is done.

The interview engine plugs in through three callables (opening question, reply to an answer and
how it was heard, whether the interview is over), so this loop knows nothing about rounds or scoring, and tests
can drive it with scripted replies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from interviewer.voice.delivery import SessionDelivery, SpokenAnswer, summarize
from interviewer.voice.frames import (
    Frame,
    ReplyAudio,
    ReplyDone,
    ReplyText,
    SessionOver,
    TranscriptFrame,
    TurnEnded,
    UnclearTranscript,
)
from interviewer.voice.pipeline import Reply, Sink, voice_pipeline
from interviewer.voice.sentences import sentences_of
from interviewer.voice.stt import STT
from interviewer.voice.tts import TTS
from interviewer.voice.turns import TurnConfig


class Source(Protocol):
    """What the loop listens to (a ``Microphone``): frames until closed, and deaf while the
    interviewer speaks."""

    def frames(self) -> Iterator[Frame]: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def close(self) -> None: ...


@dataclass
class VoiceResult:
    answers: list[TranscriptFrame] = field(default_factory=list)
    unclear: list[UnclearTranscript] = field(default_factory=list)
    #: Seconds from each end of turn to the first audio of the reply to it.
    latencies_s: list[float] = field(default_factory=list)

    @property
    def delivery(self) -> SessionDelivery:
        return summarize([a.delivery for a in self.answers])


def run_voice_interview(
    source: Source,
    sink: Sink,
    stt: STT,
    tts: TTS,
    reply: Reply,
    *,
    opening: Iterable[str] = (),
    is_over: Callable[[], bool] | None = None,
    turns: TurnConfig | None = None,
    push_to_talk: bool = False,
    max_answers: int | None = None,
    on_frame: Callable[[Frame], None] | None = None,
) -> VoiceResult:
    """Speak the opening, then listen, transcribe, reply and speak until the engine says the
    interview is over, ``max_answers`` answers were given, or the source ends."""
    result = VoiceResult()
    pipeline = voice_pipeline(
        stt,
        tts,
        reply,
        sink,
        turns=turns,
        push_to_talk=push_to_talk,
        is_over=is_over,
        on_playing=source.pause,
        on_played=source.resume,
    )

    def frames() -> Iterator[Frame]:
        opened = False
        for sentence in sentences_of(opening):
            opened = True
            yield ReplyText(sentence)
        if opened:
            yield ReplyDone()
        yield from source.frames()

    turn_end: float | None = None
    try:
        for frame in pipeline.run(frames()):
            if on_frame:
                on_frame(frame)
            if isinstance(frame, TurnEnded):
                turn_end = frame.created
            elif isinstance(frame, TranscriptFrame):
                result.answers.append(frame)
            elif isinstance(frame, UnclearTranscript):
                result.unclear.append(frame)
            elif isinstance(frame, ReplyAudio) and frame.first and turn_end is not None:
                result.latencies_s.append(frame.created - turn_end)
                turn_end = None
            elif isinstance(frame, SessionOver) or (isinstance(frame, ReplyDone) and _enough(result, max_answers)):
                break
    finally:
        source.close()
    return result


def _enough(result: VoiceResult, max_answers: int | None) -> bool:
    return max_answers is not None and len(result.answers) >= max_answers


class Conversation(Protocol):
    """The interview engine as a spoken interview needs it (the seam it plugs into)."""

    def opening(self) -> Iterable[str]: ...

    def reply(self, answer: str, spoken: SpokenAnswer | None = None) -> Iterable[str]: ...

    def is_over(self) -> bool: ...


class EchoConversation:
    """A microphone check: says back what it heard, so a candidate can test their set-up
    (levels, device, transcription quality) before a real interview."""

    def __init__(self, rounds: int = 3) -> None:
        self.rounds = rounds
        self.heard: list[str] = []

    def opening(self) -> Iterable[str]:
        return ["Microphone check. Say a sentence or two, then stay quiet until I answer."]

    def reply(self, answer: str, spoken: SpokenAnswer | None = None) -> Iterable[str]:
        self.heard.append(answer)
        yield f"I heard: {answer}"
        if self.is_over():
            yield "That's it. Your set-up works."
        else:
            yield "Say something else, or press Control C to stop."

    def is_over(self) -> bool:
        return len(self.heard) >= self.rounds


class InterviewConversation:
    """``interviewer.session.Interview`` as a spoken ``Conversation``."""

    def __init__(self, interview: Any) -> None:
        self.interview = interview
        self.session_id: str = interview.session_id

    def opening(self) -> Iterable[str]:
        return self.interview.start()

    def reply(self, answer: str, spoken: SpokenAnswer | None = None) -> Iterable[str]:
        """The answer with its delivery saved on the turn; an uncertain transcript is not scored as clean."""
        return self.interview.answer(answer, speech=spoken)

    def is_over(self) -> bool:
        return bool(self.interview.done)
