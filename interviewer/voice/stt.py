"""Speech to text behind one small interface, offline by default.

``STT.transcribe(clip) -> Transcript``. The offline backend is faster-whisper with the whisper
base model shipped in packages; users with an OpenAI-compatible endpoint can switch to its
transcription API. Both return timings and confidence so delivery feedback and the
low-confidence check work the same whichever backend heard the answer.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Protocol

from interviewer.config import Settings, get_settings
from interviewer.errors import InputError, InterviewerError
from interviewer.voice.audiofile import AudioInput, Clip, as_clip, to_wav_bytes
from interviewer.voice.transcript import Segment, Transcript, Word

log = logging.getLogger(__name__)

SILENT_NOTE = "no speech heard: the recording is silent (check the microphone and its input level)"
NO_SPEECH_NOTE = "no speech detected, only silence or noise"
LOW_CONFIDENCE_NOTE = "the transcript is uncertain; please repeat or correct it"

#: Calibrated on synthetic speech: clean Piper speech scores ~0.95 mean word probability and
#: ~-0.25 avg log-prob, robotic espeak ~0.8; speech in noise as loud as itself drops to ~0.6
#: with a word in four wrong.
MIN_WORD_PROBABILITY = 0.7
MIN_AVG_LOGPROB = -1.0
MAX_NO_SPEECH_PROB = 0.6
MAX_COMPRESSION_RATIO = 2.4


class STT(Protocol):
    """What every speech-to-text backend offers."""

    name: str

    def transcribe(self, clip: Clip) -> Transcript: ...


def judge_confidence(t: Transcript) -> Transcript:
    """Flag a transcript that should be confirmed by the candidate before it is scored.

    Err on the side of asking: scoring words the candidate never said is worse than asking
    them to repeat once.
    """
    if t.empty:
        return t
    reasons = []
    if t.confidence is not None and t.confidence < MIN_WORD_PROBABILITY:
        reasons.append(f"mean word probability {t.confidence:.2f}")
    logprobs = [(s.avg_logprob, s.end - s.start) for s in t.segments if s.avg_logprob is not None]
    if logprobs:
        total = sum(max(d, 1e-3) for _, d in logprobs)
        mean = sum(lp * max(d, 1e-3) for lp, d in logprobs) / total
        if mean < MIN_AVG_LOGPROB:
            reasons.append(f"average log-probability {mean:.2f}")
    if t.no_speech_prob is not None and t.no_speech_prob > MAX_NO_SPEECH_PROB:
        reasons.append(f"no-speech probability {t.no_speech_prob:.2f}")
    if not reasons:
        return t
    return t.model_copy(
        update={"low_confidence": True, "notes": [*t.notes, f"{LOW_CONFIDENCE_NOTE} ({', '.join(reasons)})"]}
    )


def empty_transcript(clip: Clip, note: str, engine: str) -> Transcript:
    return Transcript(text="", duration_s=clip.duration_s, notes=[*clip.notes, note], engine=engine)


class WhisperSTT:
    """faster-whisper, int8 on CPU, greedy decoding, its VAD filter dropping silence.

    Greedy (beam 1) keeps the real-time factor near 0.3 on two cores at a word error rate of a
    few per cent on clear speech; a beam of 5 costs about twice as much for little gain here.
    """

    name = "whisper-base"

    def __init__(
        self,
        model_dir: Path,
        *,
        compute_type: str = "int8",
        language: str | None = "en",
        cpu_threads: int = 2,
        beam_size: int = 1,
    ) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise InterviewerError("faster-whisper is not installed; pip install 'interviewer[voice]'") from None
        self.language = language or None
        self.beam_size = beam_size
        self._model = WhisperModel(str(model_dir), device="cpu", compute_type=compute_type, cpu_threads=cpu_threads)
        self._lock = threading.Lock()

    def transcribe(self, clip: Clip) -> Transcript:
        if clip.silent or clip.duration_s < 0.1:
            return empty_transcript(clip, SILENT_NOTE, self.name)
        with self._lock:
            segments_iter, info = self._model.transcribe(
                clip.samples,
                language=self.language,
                beam_size=self.beam_size,
                vad_filter=True,
                word_timestamps=True,
                condition_on_previous_text=False,
                # No temperature fallback: on garbled audio it retries up to 5 times (30 s for a
                # 10 s clip); a doubtful first pass is flagged for the candidate instead.
                temperature=0.0,
            )
            raw = list(segments_iter)
        segments = [
            Segment(
                text=s.text.strip(),
                start=float(s.start),
                end=float(s.end),
                avg_logprob=float(s.avg_logprob),
                no_speech_prob=float(s.no_speech_prob),
            )
            for s in raw
            if s.text.strip()
        ]
        words = [
            Word(text=w.word.strip(), start=float(w.start), end=float(w.end), probability=float(w.probability))
            for s in raw
            for w in (s.words or [])
            if w.word.strip()
        ]
        text = " ".join(s.text for s in segments if s.text).strip()
        if not text:
            return empty_transcript(clip, NO_SPEECH_NOTE, self.name)
        probs = [w.probability for w in words if w.probability is not None]
        no_speech = [s.no_speech_prob for s in segments if s.no_speech_prob is not None]
        notes = list(clip.notes)
        if any(s.compression_ratio > MAX_COMPRESSION_RATIO for s in raw):
            notes.append("repetitive output (a sign of mis-hearing)")
        return judge_confidence(
            Transcript(
                text=text,
                duration_s=clip.duration_s,
                language=info.language,
                segments=segments,
                words=words,
                confidence=sum(probs) / len(probs) if probs else None,
                no_speech_prob=max(no_speech) if no_speech else None,
                notes=notes,
                engine=self.name,
            )
        )


class OpenAISTT:
    """The ``/audio/transcriptions`` endpoint of OpenAI or any compatible server."""

    def __init__(self, client: Any, *, model: str = "whisper-1", language: str | None = "en") -> None:
        self._client = client
        self.model = model
        self.language = language
        self.name = f"openai:{model}"

    def transcribe(self, clip: Clip) -> Transcript:
        if clip.silent or clip.duration_s < 0.1:
            return empty_transcript(clip, SILENT_NOTE, self.name)
        import openai

        kwargs: dict[str, Any] = {}
        if self.language:
            kwargs["language"] = self.language
        try:
            resp = self._client.audio.transcriptions.create(
                file=("answer.wav", to_wav_bytes(clip.samples, clip.rate), "audio/wav"),
                model=self.model,
                response_format="verbose_json",
                timestamp_granularities=["word", "segment"],
                **kwargs,
            )
        except openai.OpenAIError as e:
            raise InterviewerError(f"speech recognition at {self._client.base_url} failed: {e}") from None
        segments = [
            Segment(
                text=str(_get(s, "text", "")).strip(),
                start=float(_get(s, "start", 0.0)),
                end=float(_get(s, "end", 0.0)),
                avg_logprob=_opt_float(_get(s, "avg_logprob", None)),
                no_speech_prob=_opt_float(_get(s, "no_speech_prob", None)),
            )
            for s in (_get(resp, "segments", None) or [])
        ]
        words = [
            Word(
                text=str(_get(w, "word", "")).strip(),
                start=float(_get(w, "start", 0.0)),
                end=float(_get(w, "end", 0.0)),
            )
            for w in (_get(resp, "words", None) or [])
        ]
        text = str(_get(resp, "text", "") or "").strip()
        if not text:
            return empty_transcript(clip, NO_SPEECH_NOTE, self.name)
        no_speech = [s.no_speech_prob for s in segments if s.no_speech_prob is not None]
        return judge_confidence(
            Transcript(
                text=text,
                duration_s=clip.duration_s,
                language=_get(resp, "language", None),
                segments=segments,
                words=words,
                no_speech_prob=max(no_speech) if no_speech else None,
                notes=list(clip.notes),
                engine=self.name,
            )
        )


def _get(obj: Any, key: str, default: Any) -> Any:
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def openai_client(settings: Settings) -> Any:
    """An OpenAI client for the configured endpoint; a local server needs no key."""
    from openai import OpenAI

    key = settings.llm.api_key()
    if key is None and not settings.llm.base_url:
        raise InterviewerError(
            f"OpenAI speech is configured but ${settings.llm.api_key_env} is not set and no llm.base_url is given; "
            "set one, or use the offline voice (INTERVIEWER_VOICE__STT=whisper, INTERVIEWER_VOICE__TTS=piper)"
        )
    return OpenAI(
        base_url=settings.llm.base_url,
        api_key=key.get_secret_value() if key else "not-needed",
        timeout=settings.llm.timeout_s,
        max_retries=settings.llm.max_retries,
    )


_cache: dict[tuple[str, ...], STT] = {}
_cache_lock = threading.Lock()


def get_stt(settings: Settings | None = None) -> STT:
    """The configured backend, loaded once per process (whisper takes 1-2 s to load)."""
    from interviewer.voice.models import whisper_model_dir

    s = settings or get_settings()
    v = s.voice
    if v.stt == "openai":
        return OpenAISTT(openai_client(s), model=v.openai_stt_model, language=v.language)
    key = ("whisper", str(s.data_dir), v.whisper_compute_type, v.language)
    with _cache_lock:
        if key not in _cache:
            model_dir = whisper_model_dir(s.data_dir / "models")
            _cache[key] = WhisperSTT(model_dir, compute_type=v.whisper_compute_type, language=v.language)
        return _cache[key]


def transcribe_file(source: AudioInput, *, stt: STT | None = None, settings: Settings | None = None) -> Transcript:
    """A recording (path, uploaded bytes, or Gradio's ``(rate, samples)``) -> transcript.

    Bad files raise ``InputError``; recordings past ``voice.max_record_s`` are trimmed, with a
    note in the transcript.
    """
    s = settings or get_settings()
    clip = as_clip(source, max_s=s.voice.max_record_s)
    if clip.duration_s == 0:
        raise InputError("the recording holds no samples")
    return (stt or get_stt(s)).transcribe(clip)
