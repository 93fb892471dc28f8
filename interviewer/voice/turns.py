"""When has the candidate finished answering? Energy-based voice activity with patience.

Candidates think aloud and pause mid-answer; cutting them off is worse than waiting. So a turn
ends only after speech was heard and then ``silence_s`` (default 3 s) of sustained silence
followed. Speech needs a few loud frames in a row (a click or a cough is not an answer), and
the noise floor adapts so a humming fan does not count as talking.

The detector runs on audio time (samples counted), not the wall clock, so it behaves the same
on a live microphone and on a file fed faster than real time.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np

RATE = 16_000
FRAME_S = 0.03
_FRAME = int(RATE * FRAME_S)
INITIAL_FLOOR_DB = -45.0
FLOOR_RISE_DB = 2.0 * FRAME_S


class Event(Enum):
    SPEECH_STARTED = "speech_started"
    #: A pause inside the answer: the audio before it can be transcribed now, so little is
    #: left to do when the turn ends.
    PIECE = "piece"
    #: A pause after too little audio for a piece of its own: worth transcribing on the chance
    #: that the answer is over (if the candidate goes on, that work is thrown away).
    PAUSED = "paused"
    TURN_ENDED = "turn_ended"


@dataclass
class TurnEvent:
    kind: Event
    #: Audio time (s since the turn's audio began) of the event; for ``TURN_ENDED`` the end
    #: of the last voiced frame, which latency is measured from.
    t: float
    #: ``PIECE``/``PAUSED``: the audio since the previous cut. ``TURN_ENDED``: the remaining tail.
    audio: np.ndarray | None = None
    #: Where ``audio`` starts on the answer's clock (s after the answer's first sample).
    offset_s: float = 0.0
    #: ``TURN_ENDED`` only: the whole answer.
    answer: np.ndarray | None = None


@dataclass
class TurnConfig:
    silence_s: float = 3.0
    #: Silence that cuts a piece for early transcription (never ends the turn).
    pause_s: float = 0.7
    #: Pieces shorter than this wait for the next pause: each transcription call has a fixed
    #: cost (whisper encodes a 30 s window whatever the length), and context helps accuracy.
    min_piece_s: float = 4.0
    #: Without a pause for this long, a piece is cut at the quietest moment between words.
    max_piece_s: float = 20.0
    min_speech_s: float = 0.25
    start_frames: int = 3
    hangover_s: float = 0.3
    #: Audio kept before the first voiced frame and after the last one (soft word edges).
    pad_s: float = 0.3
    #: A frame is voiced when its level is this far above the noise floor...
    margin_db: float = 12.0
    #: ...and above this absolute level (dBFS), so near-silence never counts as speech.
    min_level_db: float = -50.0
    max_turn_s: float = 600.0


def level_db(frame: np.ndarray) -> float:
    """RMS level of float samples in dBFS."""
    rms = float(np.sqrt(np.mean(np.square(frame, dtype=np.float64)))) if len(frame) else 0.0
    return float(20.0 * np.log10(max(rms, 1e-7)))


class TurnDetector:
    """Feed 16 kHz mono float audio in blocks of any size; get ``TurnEvent``s back."""

    def __init__(self, config: TurnConfig | None = None) -> None:
        self.config = config or TurnConfig()
        # A typical room to start with; the first quiet frames pull it down to the real one.
        self.noise_db = INITIAL_FLOOR_DB
        self._carry = np.zeros(0, dtype=np.float32)
        self.reset()

    def reset(self) -> None:
        """Forget the current turn (e.g. audio heard while the interviewer was speaking)."""
        self._frames: list[np.ndarray] = []
        self._levels: list[float] = []
        self._carry = np.zeros(0, dtype=np.float32)
        self.t = 0.0
        self.speaking = False
        self.speech_s = 0.0
        self.voiced_run = 0
        self.first_voiced: int | None = None  # frame index
        self.last_voiced: int | None = None
        self.cut: int | None = None  # frame index where the next piece starts
        self.pause_handled = False

    @property
    def in_speech(self) -> bool:
        return self.first_voiced is not None

    def feed(self, samples: np.ndarray) -> list[TurnEvent]:
        x = np.concatenate([self._carry, np.asarray(samples, dtype=np.float32).reshape(-1)])
        n = len(x) // _FRAME
        self._carry = x[n * _FRAME :]
        events: list[TurnEvent] = []
        for i in range(n):
            event = self._step(x[i * _FRAME : (i + 1) * _FRAME])
            if event is None:
                continue
            events.append(event)
            if event.kind is Event.TURN_ENDED:
                rest = np.concatenate([x[(i + 1) * _FRAME :], self._carry])
                self.reset()
                events.extend(self.feed(rest))  # the next turn may already be in this block
                break
        return events

    def _step(self, frame: np.ndarray) -> TurnEvent | None:
        cfg = self.config
        idx = len(self._frames)
        self._frames.append(frame)
        self.t = (idx + 1) * FRAME_S
        db = level_db(frame)
        self._levels.append(db)
        voiced = db > max(self.noise_db + cfg.margin_db, cfg.min_level_db)
        # The floor follows quiet frames fast down, and creeps up (2 dB/s) under anything
        # louder, so a fan that starts mid-interview stops counting as speech; the dips
        # between words pull it back down before it reaches speech level.
        if db < self.noise_db:
            self.noise_db += (db - self.noise_db) * 0.3
        else:
            self.noise_db += min(db - self.noise_db, FLOOR_RISE_DB)
        self.voiced_run = self.voiced_run + 1 if voiced else 0
        event: TurnEvent | None = None
        if voiced and (self.speaking or self.voiced_run >= cfg.start_frames):
            if not self.speaking:
                self.speaking = True
                if self.first_voiced is None:
                    self.first_voiced = idx + 1 - cfg.start_frames
                    pad = int(cfg.pad_s / FRAME_S)
                    self.cut = max(0, self.first_voiced - pad)
                    # Drop the silence before the answer: it is not part of it.
                    self._frames[: self.cut] = [np.zeros(0, dtype=np.float32)] * self.cut
                    event = TurnEvent(Event.SPEECH_STARTED, self._rel(self.first_voiced))
            self.last_voiced = idx
            self.pause_handled = False
            self.speech_s += FRAME_S
        elif self.last_voiced is None:
            # Still waiting for an answer: keep only the padding's worth of leading silence.
            keep = int(cfg.pad_s / FRAME_S)
            if len(self._frames) > 4 * keep:
                drop = len(self._frames) - keep
                self._frames[:drop] = [np.zeros(0, dtype=np.float32)] * drop
        if self.last_voiced is None or self.first_voiced is None:
            return event
        quiet = (idx - self.last_voiced) * FRAME_S
        if self.speaking and quiet > cfg.hangover_s:
            self.speaking = False
        too_long = (idx - self.first_voiced) * FRAME_S >= cfg.max_turn_s
        if (quiet >= cfg.silence_s and self.speech_s >= cfg.min_speech_s) or too_long:
            return self._end()
        if not self.pause_handled and quiet >= cfg.pause_s:
            self.pause_handled = True
            return self._piece() or self._paused()
        if self.cut is not None and (idx + 1 - self.cut) * FRAME_S >= cfg.max_piece_s:
            # A long stretch without a real pause: cut at the quietest moment of the last
            # second (most likely between words), so the transcription keeps pace with the
            # candidate instead of piling up at the end.
            window = range(max(self.cut + 1, idx - int(1.0 / FRAME_S)), idx + 1)
            dip = min(window, key=lambda i: self._levels[i])
            return self._piece(dip + 1)
        return event

    def flush(self) -> TurnEvent:
        """End the turn now (push-to-talk's Enter): all audio not yet sent as a piece is the
        tail, however it ends."""
        rest = self._carry
        if self.first_voiced is None or self.cut is None:
            audio = np.concatenate([*self._frames, rest]) if self._frames else rest
            event = TurnEvent(Event.TURN_ENDED, len(audio) / RATE, audio, 0.0, answer=audio)
        else:
            end = len(self._frames)
            tail = np.concatenate([self._audio(self.cut, end), rest])
            answer = np.concatenate([self._audio(self._start(), end), rest])
            event = TurnEvent(Event.TURN_ENDED, self._rel(end), tail, self._rel(self.cut), answer=answer)
        self.reset()
        return event

    def _start(self) -> int:
        assert self.cut is not None and self.first_voiced is not None
        return max(0, self.first_voiced - int(self.config.pad_s / FRAME_S))

    def _rel(self, frame_idx: int) -> float:
        """Frame index -> seconds on the answer's clock (which starts at the padded onset)."""
        return (frame_idx - self._start()) * FRAME_S

    def _audio(self, a: int, b: int) -> np.ndarray:
        frames = self._frames[a:b]
        return np.concatenate(frames) if frames else np.zeros(0, dtype=np.float32)

    def _piece(self, end: int | None = None) -> TurnEvent | None:
        assert self.cut is not None and self.last_voiced is not None
        if end is None:
            end = min(len(self._frames), self.last_voiced + 1 + int(self.config.pad_s / FRAME_S))
        if (end - self.cut) * FRAME_S < self.config.min_piece_s:
            return None
        event = TurnEvent(Event.PIECE, self._rel(end), self._audio(self.cut, end), self._rel(self.cut))
        self.cut = end
        return event

    def _paused(self) -> TurnEvent | None:
        assert self.cut is not None and self.last_voiced is not None
        end = min(len(self._frames), self.last_voiced + 1 + int(self.config.pad_s / FRAME_S))
        if end <= self.cut:
            return None
        return TurnEvent(Event.PAUSED, self._rel(self.last_voiced + 1), self._audio(self.cut, end), self._rel(self.cut))

    def _end(self) -> TurnEvent:
        assert self.cut is not None and self.last_voiced is not None
        end = min(len(self._frames), self.last_voiced + 1 + int(self.config.pad_s / FRAME_S))
        start = self._start()
        tail = self._audio(self.cut, end) if end > self.cut else np.zeros(0, dtype=np.float32)
        return TurnEvent(
            Event.TURN_ENDED,
            self._rel(self.last_voiced + 1),
            tail,
            self._rel(self.cut),
            answer=self._audio(start, end),
        )
