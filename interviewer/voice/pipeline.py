"""The voice pipeline as a chain of small processors: frames in, frames out.

    microphone -> TurnTaking -> Transcription -> ConfidenceGate -> Responder -> Speech -> Playback

Processors are plain generators, so a stage is pulled only when the next needs a frame: while
the interviewer's reply is synthesised and played, the microphone is not read (half duplex:
the interviewer never hears itself). The interview engine is a seam, ``Reply``: the candidate's
answer text and how it was heard (delivery, confidence) in, the interviewer's reply out as text
pieces (sentences or LLM tokens).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Protocol

import numpy as np

from interviewer.voice.audiofile import Clip
from interviewer.voice.delivery import SpokenAnswer, measure, spoken_answer
from interviewer.voice.frames import (
    AudioIn,
    Control,
    Frame,
    ReplyAudio,
    ReplyDone,
    ReplyText,
    SessionOver,
    SpeechPaused,
    SpeechPiece,
    SpeechStarted,
    TranscriptFrame,
    TurnEnded,
    UnclearTranscript,
)
from interviewer.voice.sentences import sentences_of, speakable
from interviewer.voice.stt import STT
from interviewer.voice.transcript import Transcript, merge
from interviewer.voice.tts import TTS, AudioChunk
from interviewer.voice.turns import RATE, Event, TurnConfig, TurnDetector

log = logging.getLogger(__name__)

#: The interview engine as the voice loop sees it: (answer text, how it was heard) -> reply text pieces.
Reply = Callable[[str, SpokenAnswer], Iterable[str]]

REPEAT_PROMPT = "Sorry, I didn't catch that clearly. Could you say it again?"
NOTHING_HEARD_PROMPT = "I didn't hear anything. Please answer when you're ready."


class Processor:
    """A pipeline stage. Override ``process``; frames it does not handle pass through."""

    def process(self, frame: Frame) -> Iterator[Frame]:
        yield frame

    def run(self, frames: Iterable[Frame]) -> Iterator[Frame]:
        for frame in frames:
            yield from self.process(frame)


class Pipeline:
    def __init__(self, processors: list[Processor]) -> None:
        self.processors = processors

    def run(self, frames: Iterable[Frame]) -> Iterator[Frame]:
        stream: Iterable[Frame] = frames
        for p in self.processors:
            stream = p.run(stream)
        return iter(stream)


class TurnTaking(Processor):
    """Microphone audio -> speech start, pieces cut at pauses, end of turn (after sustained
    silence). Audio never goes further: later stages only see the answer."""

    def __init__(self, config: TurnConfig | None = None) -> None:
        self.detector = TurnDetector(config)

    def process(self, frame: Frame) -> Iterator[Frame]:
        if not isinstance(frame, AudioIn):
            yield frame
            return
        for ev in self.detector.feed(frame.samples):
            if ev.kind is Event.SPEECH_STARTED:
                yield SpeechStarted()
            elif ev.kind is Event.PIECE and ev.audio is not None:
                yield SpeechPiece(ev.audio, ev.offset_s)
            elif ev.kind is Event.PAUSED and ev.audio is not None:
                yield SpeechPaused(ev.audio, ev.offset_s)
            elif ev.kind is Event.TURN_ENDED:
                answer = ev.answer if ev.answer is not None else np.zeros(0, dtype=np.float32)
                yield TurnEnded(ev.audio if ev.audio is not None else answer[:0], ev.offset_s, len(answer) / RATE)


class PushToTalk(Processor):
    """Enter to start, Enter to stop: the turn is exactly what was recorded in between, for
    candidates who prefer to decide themselves when they are done. Pauses inside the
    recording still cut pieces for early transcription, so stopping is answered as fast."""

    def __init__(self, config: TurnConfig | None = None) -> None:
        base = config or TurnConfig()
        self.config = replace(base, silence_s=float("inf"), max_turn_s=float("inf"))
        self.detector: TurnDetector | None = None

    def process(self, frame: Frame) -> Iterator[Frame]:
        if isinstance(frame, AudioIn):
            if self.detector is not None:
                for ev in self.detector.feed(frame.samples):
                    if ev.kind is Event.PIECE and ev.audio is not None:
                        yield SpeechPiece(ev.audio, ev.offset_s)
                    elif ev.kind is Event.PAUSED and ev.audio is not None:
                        yield SpeechPaused(ev.audio, ev.offset_s)
            return
        if isinstance(frame, Control) and frame.action == "start" and self.detector is None:
            self.detector = TurnDetector(self.config)
            yield SpeechStarted()
            return
        if isinstance(frame, Control) and frame.action == "stop" and self.detector is not None:
            ev = self.detector.flush()
            self.detector = None
            answer = ev.answer if ev.answer is not None else np.zeros(0, dtype=np.float32)
            tail = ev.audio if ev.audio is not None else answer
            yield TurnEnded(tail, ev.offset_s, len(answer) / RATE)
            return
        yield frame


class Transcription(Processor):
    """Pieces are transcribed in the background while the candidate is still talking; at a
    pause, the rest is transcribed speculatively. When the turn ends after the silence window,
    the transcript is usually complete already: only a tail heard after the last pause is
    left to do."""

    def __init__(self, stt: STT) -> None:
        self.stt = stt
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stt")
        self._pending: list[Future[Transcript]] = []
        self._speculative: tuple[float, int, Future[Transcript]] | None = None

    def _submit(self, audio: np.ndarray, offset_s: float) -> Future[Transcript]:
        clip = Clip(audio.astype(np.float32, copy=False))
        return self._pool.submit(lambda: self.stt.transcribe(clip).shifted(offset_s))

    def _drop_speculative(self) -> None:
        if self._speculative is not None:
            self._speculative[2].cancel()  # only if not started; a running one finishes unused
            self._speculative = None

    def process(self, frame: Frame) -> Iterator[Frame]:
        if isinstance(frame, SpeechPiece):
            self._drop_speculative()
            self._pending.append(self._submit(frame.audio, frame.offset_s))
            return
        if isinstance(frame, SpeechPaused):
            self._drop_speculative()
            self._speculative = (frame.offset_s, len(frame.audio), self._submit(frame.audio, frame.offset_s))
            return
        if isinstance(frame, TurnEnded):
            yield frame
            if len(frame.tail) or not self._pending:
                self._pending.append(self._tail(frame))
            else:
                self._drop_speculative()
            parts, self._pending = [f.result() for f in self._pending], []
            transcript = merge(parts, duration_s=frame.duration_s)
            yield TranscriptFrame(transcript, measure(transcript))
            return
        yield frame

    def _tail(self, frame: TurnEnded) -> Future[Transcript]:
        """The speculative transcript when nothing but silence came after it, else a new one."""
        spec, self._speculative = self._speculative, None
        if spec is not None:
            offset, n, future = spec
            if abs(offset - frame.offset_s) < 1e-6 and n <= len(frame.tail) and Clip(frame.tail[n:]).silent:
                return future
            future.cancel()
        return self._submit(frame.tail, frame.offset_s)

    def run(self, frames: Iterable[Frame]) -> Iterator[Frame]:
        try:
            yield from super().run(frames)
        finally:
            self._pool.shutdown(wait=False, cancel_futures=True)


class ConfidenceGate(Processor):
    """Empty or doubtful transcripts become a request to repeat, up to ``max_attempts``; after
    that the answer goes on, still flagged ``low_confidence`` for whoever scores it."""

    def __init__(self, max_attempts: int = 2) -> None:
        self.max_attempts = max_attempts
        self.attempt = 0

    def process(self, frame: Frame) -> Iterator[Frame]:
        if not isinstance(frame, TranscriptFrame):
            yield frame
            return
        t = frame.transcript
        unclear = t.empty or t.low_confidence
        if unclear and (t.empty or self.attempt + 1 < self.max_attempts):
            self.attempt += 1
            yield UnclearTranscript(t, self.attempt)
            yield ReplyText(NOTHING_HEARD_PROMPT if t.empty else REPEAT_PROMPT)
            yield ReplyDone()
            return
        self.attempt = 0
        yield frame


class Responder(Processor):
    """Hands a clean answer (or one still doubtful after the repeats) to the engine, with its
    delivery and confidence, and streams the reply out sentence by sentence."""

    def __init__(self, reply: Reply, is_over: Callable[[], bool] | None = None) -> None:
        self.reply = reply
        self.is_over = is_over or (lambda: False)

    def process(self, frame: Frame) -> Iterator[Frame]:
        yield frame
        if isinstance(frame, TranscriptFrame):
            spoken = spoken_answer(frame.transcript, frame.delivery)
            for sentence in sentences_of(self.reply(frame.transcript.text, spoken)):
                yield ReplyText(sentence)
            yield ReplyDone()
            if self.is_over():
                yield SessionOver()


class Speech(Processor):
    """Reply sentences -> audio, synthesised as each sentence arrives."""

    def __init__(self, tts: TTS) -> None:
        self.tts = tts
        self._first = True

    def process(self, frame: Frame) -> Iterator[Frame]:
        yield frame
        if isinstance(frame, ReplyText):
            for chunk in self.tts.synthesize(speakable(frame.text)):
                yield ReplyAudio(chunk, first=self._first)
                self._first = False
        elif isinstance(frame, ReplyDone):
            self._first = True


class Sink(Protocol):
    """Where the interviewer's voice goes: a speaker, a file, or nowhere."""

    def play(self, chunk: AudioChunk) -> None: ...

    def wait(self) -> None: ...


class Playback(Processor):
    """Queues reply audio on the sink; at the end of a reply waits for it to finish.

    ``on_playing`` (first chunk of a reply) and ``on_played`` (reply finished) let the loop
    stop the microphone meanwhile, so the interviewer's voice is never taken for an answer.
    """

    def __init__(
        self,
        sink: Sink,
        on_played: Callable[[], None] | None = None,
        on_playing: Callable[[], None] | None = None,
    ) -> None:
        self.sink = sink
        self.on_played = on_played
        self.on_playing = on_playing

    def process(self, frame: Frame) -> Iterator[Frame]:
        if isinstance(frame, ReplyAudio):
            if frame.first and self.on_playing:
                self.on_playing()
            self.sink.play(frame.chunk)
        yield frame
        if isinstance(frame, ReplyDone):
            self.sink.wait()
            if self.on_played:
                self.on_played()


def voice_pipeline(
    stt: STT,
    tts: TTS,
    reply: Reply,
    sink: Sink,
    *,
    turns: TurnConfig | None = None,
    push_to_talk: bool = False,
    is_over: Callable[[], bool] | None = None,
    on_played: Callable[[], None] | None = None,
    on_playing: Callable[[], None] | None = None,
) -> Pipeline:
    """The standard chain, from microphone frames to the speaker."""
    listen: Processor = PushToTalk(turns) if push_to_talk else TurnTaking(turns)
    return Pipeline(
        [
            listen,
            Transcription(stt),
            ConfidenceGate(),
            Responder(reply, is_over),
            Speech(tts),
            Playback(sink, on_played, on_playing),
        ]
    )
