"""Text to speech behind one small interface, sentence by sentence.

``TTS.synthesize(text)`` yields one ``AudioChunk`` per sentence so playback can start while the
rest is still being synthesised. Offline default: the bundled Piper voice (natural, ~0.2-0.9 s a
sentence); espeak-ng as a fallback (robotic, ~20 ms); OpenAI speech when configured.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from interviewer.config import Settings, get_settings
from interviewer.errors import InputError, InterviewerError
from interviewer.voice.sentences import split_sentences

log = logging.getLogger(__name__)

#: Longer text is refused: a reply is a few sentences, and synthesis time grows with length.
MAX_CHARS = 20_000


@dataclass
class AudioChunk:
    """Mono float32 samples in [-1, 1]; ``text`` is the sentence they speak."""

    samples: np.ndarray
    rate: int
    text: str = ""

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.rate if self.rate else 0.0


class TTS(Protocol):
    """What every text-to-speech backend offers."""

    name: str

    def synthesize(self, text: str) -> Iterator[AudioChunk]: ...


def _check_text(text: str) -> list[str]:
    if len(text) > MAX_CHARS:
        raise InputError(f"text to speak is {len(text)} characters; the limit is {MAX_CHARS}")
    return split_sentences(text)


class PiperTTS:
    """The bundled en_US-joe-medium Piper voice (22.05 kHz).

    The voice samples noise for timing and timbre, so each rendition of a sentence differs a
    little: natural for an interviewer, but enough to change what whisper hears in a hard phrase.
    ``deterministic=True`` turns the noise off, so test fixtures and benchmarks hear the same
    audio on every run.
    """

    name = "piper:en_US-joe-medium"

    def __init__(self, *, deterministic: bool = False) -> None:
        try:
            from piper import PiperVoice, SynthesisConfig
        except ImportError:
            raise InterviewerError("piper-tts is not installed; pip install 'interviewer[voice]'") from None
        from interviewer.voice.models import piper_voice_files

        model, config = piper_voice_files()
        self._voice = PiperVoice.load(model, config)
        self._syn_config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0) if deterministic else None
        self._lock = threading.Lock()
        # The phonemizer initialises on first use (~0.2 s): pay that here, not on the first reply.
        for _ in self._voice.synthesize("Ready."):
            pass

    def synthesize(self, text: str) -> Iterator[AudioChunk]:
        for sentence in _check_text(text):
            with self._lock:
                parts = [c.audio_float_array for c in self._voice.synthesize(sentence, syn_config=self._syn_config)]
                rate = self._voice.config.sample_rate
            if parts:
                yield AudioChunk(np.concatenate(parts).astype(np.float32), rate, sentence)


class EspeakTTS:
    """espeak-ng through a subprocess: always available where the Debian package is."""

    name = "espeak-ng"

    def __init__(self, voice: str = "en-us", words_per_minute: int = 165) -> None:
        exe = shutil.which("espeak-ng")
        if exe is None:
            raise InterviewerError(
                "espeak-ng is not installed; run scripts/install-system-deps.sh (or apt-get install espeak-ng)"
            )
        self._exe = exe
        self.voice = voice
        self.words_per_minute = words_per_minute

    def synthesize(self, text: str) -> Iterator[AudioChunk]:
        import soundfile as sf

        for sentence in _check_text(text):
            # Text goes in on stdin, never argv: a sentence starting with "-" is not an option.
            proc = subprocess.run(
                [self._exe, "--stdout", "-v", self.voice, "-s", str(self.words_per_minute)],
                input=sentence.encode("utf-8"),
                capture_output=True,
                timeout=60,
                check=False,
            )
            if proc.returncode != 0 or not proc.stdout:
                raise InterviewerError(
                    f"espeak-ng failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[:200]}"
                )
            samples, rate = sf.read(io.BytesIO(proc.stdout), dtype="float32")
            yield AudioChunk(np.asarray(samples, dtype=np.float32).reshape(-1), int(rate), sentence)


class OpenAITTS:
    """The ``/audio/speech`` endpoint of OpenAI or any compatible server, one request a sentence."""

    def __init__(self, client: Any, *, model: str = "gpt-4o-mini-tts", voice: str = "alloy") -> None:
        self._client = client
        self.model = model
        self.voice = voice
        self.name = f"openai:{model}"

    def synthesize(self, text: str) -> Iterator[AudioChunk]:
        import openai
        import soundfile as sf

        for sentence in _check_text(text):
            try:
                resp = self._client.audio.speech.create(
                    model=self.model, voice=self.voice, input=sentence, response_format="wav"
                )
                data = resp.read() if hasattr(resp, "read") else bytes(resp.content)
            except openai.OpenAIError as e:
                raise InterviewerError(f"speech synthesis at {self._client.base_url} failed: {e}") from None
            try:
                samples, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
            except Exception as e:
                raise InterviewerError(f"speech synthesis returned audio that cannot be read as WAV: {e}") from None
            yield AudioChunk(samples.mean(axis=1).astype(np.float32), int(rate), sentence)


_cache: dict[str, TTS] = {}
_cache_lock = threading.Lock()


def get_tts(settings: Settings | None = None) -> TTS:
    """The configured voice, loaded once per process; Piper falls back to espeak-ng, loudly."""
    from interviewer.voice.stt import openai_client

    s = settings or get_settings()
    v = s.voice
    if v.tts == "openai":
        return OpenAITTS(openai_client(s), model=v.openai_tts_model, voice=v.openai_tts_voice)
    with _cache_lock:
        if v.tts not in _cache:
            if v.tts == "espeak":
                _cache[v.tts] = EspeakTTS()
            else:
                try:
                    _cache[v.tts] = PiperTTS()
                except Exception as e:
                    log.warning("Piper voice unavailable (%s); falling back to espeak-ng", e)
                    _cache[v.tts] = EspeakTTS()
        return _cache[v.tts]


def synthesize_to_array(tts: TTS, text: str) -> tuple[np.ndarray, int]:
    """All of a text as one array (for ``interviewer speak -o`` and the browser's audio player)."""
    chunks = list(tts.synthesize(text))
    if not chunks:
        raise InputError("nothing to say: the text holds no words")
    rate = chunks[0].rate
    gap = np.zeros(int(0.15 * rate), dtype=np.float32)  # a breath between sentences
    parts: list[np.ndarray] = []
    for c in chunks:
        samples = c.samples if c.rate == rate else _resample(c.samples, c.rate, rate)
        parts.extend([samples, gap])
    return np.concatenate(parts[:-1]), rate


def _resample(x: np.ndarray, src: int, dst: int) -> np.ndarray:
    from interviewer.voice.audiofile import resample

    return resample(x, src, dst)
