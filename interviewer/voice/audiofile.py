"""Audio files in, 16 kHz mono float samples out (the only shape speech recognition takes).

Candidates upload whatever their recorder made: another sample rate, stereo, a ten-minute
ramble, or by mistake a PDF. Each case gets resampled, trimmed with a note, or refused with an
``InputError`` that names the problem, never a codec traceback.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from interviewer.errors import InputError

RATE = 16_000
#: Below this RMS (about -60 dBFS) a recording is treated as silence: nothing to transcribe.
SILENCE_RMS = 1e-3


@dataclass
class Clip:
    """Mono float32 samples in [-1, 1] at ``rate`` Hz, plus what loading had to change."""

    samples: np.ndarray
    rate: int = RATE
    notes: list[str] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.rate if self.rate else 0.0

    @property
    def rms(self) -> float:
        return float(np.sqrt(np.mean(np.square(self.samples, dtype=np.float64)))) if len(self.samples) else 0.0

    @property
    def silent(self) -> bool:
        return self.rms < SILENCE_RMS


def to_float_mono(samples: np.ndarray) -> np.ndarray:
    """Any integer or float PCM, any channel count (frames x channels) -> mono float32."""
    x = np.asarray(samples)
    if x.dtype.kind in "iu":
        info = np.iinfo(x.dtype)
        scale = float(max(abs(info.min), info.max))
        offset = 0.0 if x.dtype.kind == "i" else (info.max + 1) / 2
        x = (x.astype(np.float32) - offset) / scale
    else:
        x = x.astype(np.float32, copy=False)
    if x.ndim == 2:
        x = x.mean(axis=1, dtype=np.float32)
    elif x.ndim != 1:
        raise InputError(f"audio must be 1-D or frames x channels, got shape {x.shape}")
    return np.nan_to_num(x, nan=0.0, posinf=1.0, neginf=-1.0)


def resample(samples: np.ndarray, src_rate: int, dst_rate: int = RATE) -> np.ndarray:
    """Band-limited resampling with FFmpeg's swresample (via PyAV, already there for decoding):
    a tenth of the import cost of scipy.signal, which matters for a command-line tool."""
    if src_rate == dst_rate or len(samples) == 0:
        return samples.astype(np.float32, copy=False)
    if src_rate <= 0:
        raise InputError(f"bad sample rate {src_rate}")
    try:
        import av
    except ImportError:  # pragma: no cover - PyAV comes with faster-whisper
        from scipy.signal import resample_poly

        g = math.gcd(int(src_rate), int(dst_rate))
        return resample_poly(samples, dst_rate // g, src_rate // g).astype(np.float32)
    frame = av.AudioFrame.from_ndarray(
        np.ascontiguousarray(samples, dtype=np.float32)[None, :], format="flt", layout="mono"
    )
    frame.sample_rate = int(src_rate)
    resampler = av.AudioResampler(format="flt", layout="mono", rate=int(dst_rate))
    parts = [f.to_ndarray().reshape(-1) for f in (*resampler.resample(frame), *resampler.resample(None))]
    return np.concatenate(parts).astype(np.float32, copy=False) if parts else np.zeros(0, np.float32)


def from_array(samples: np.ndarray, rate: int, *, max_s: float | None = None) -> Clip:
    """In-memory audio (a browser recording, a microphone buffer) -> a 16 kHz mono clip."""
    notes: list[str] = []
    x = np.asarray(samples)
    if max_s is not None and len(x) > max_s * rate:
        notes.append(f"recording of {len(x) / rate / 60:.1f} min trimmed to the first {_fmt_s(max_s)}")
        x = x[: int(max_s * rate)]
    mono = to_float_mono(x)
    if x.ndim == 2 and x.shape[1] > 1:
        notes.append(f"{x.shape[1]} channels mixed down to mono")
    return Clip(resample(mono, rate), RATE, notes)


#: What a recording can arrive as: a file path, uploaded bytes, a ``(rate, samples)`` pair (what
#: Gradio's microphone component gives), or a clip already loaded.
AudioInput = str | Path | bytes | tuple[int, np.ndarray] | Clip


def as_clip(value: AudioInput, *, max_s: float | None = None) -> Clip:
    """Any accepted form of a recording -> a 16 kHz mono clip (trimmed to ``max_s``)."""
    if isinstance(value, Clip):
        if max_s is not None and value.duration_s > max_s:
            return from_array(value.samples, value.rate, max_s=max_s)
        return value
    if isinstance(value, tuple):
        if len(value) != 2 or not isinstance(value[0], int | np.integer):
            raise InputError("in-memory audio must be a (sample_rate, samples) pair")
        rate, samples = value
        if np.asarray(samples).size == 0:
            raise InputError("the recording holds no samples")
        return from_array(np.asarray(samples), int(rate), max_s=max_s)
    return load_audio(value, max_s=max_s)


def load_audio(source: str | Path | bytes, *, max_s: float | None = None) -> Clip:
    """Read a file (WAV, FLAC, OGG, and via PyAV also MP3/WebM/M4A) as a 16 kHz mono clip.

    Only the first ``max_s`` seconds are read, so a very long recording costs no more memory
    than the limit it is trimmed to.
    """
    src, name = _open(source)
    try:
        return _load_soundfile(src, max_s)
    except _NotReadable:
        pass
    try:
        return _load_pyav(src, max_s)
    except _NotReadable as e:
        raise InputError(f"{name} is not a readable audio file ({e}); record a WAV, FLAC, OGG, MP3 or WebM") from None


class _NotReadable(Exception):
    pass


def _open(source: str | Path | bytes) -> tuple[str | bytes, str]:
    """A path stays a path (decoders read only what they need); bytes stay bytes."""
    if isinstance(source, bytes | bytearray):
        if not source:
            raise InputError("the uploaded audio is empty (0 bytes)")
        return bytes(source), "the uploaded audio"
    path = Path(source)
    if not path.exists():
        raise InputError(f"audio file not found: {path}")
    if not path.is_file():
        raise InputError(f"not a file: {path}")
    if path.stat().st_size == 0:
        raise InputError(f"{path} is empty (0 bytes): not an audio recording")
    return str(path), str(path)


def _stream(src: str | bytes) -> str | io.BytesIO:
    return io.BytesIO(src) if isinstance(src, bytes) else src


def _load_soundfile(src: str | bytes, max_s: float | None) -> Clip:
    import soundfile as sf

    try:
        with sf.SoundFile(_stream(src)) as f:
            rate, frames, channels = f.samplerate, f.frames, f.channels
            limit = frames if max_s is None else min(frames, int(max_s * rate))
            x = f.read(limit, dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError) as e:
        raise _NotReadable(str(e)) from None
    notes: list[str] = []
    if limit < frames:
        notes.append(f"recording of {frames / rate / 60:.1f} min trimmed to the first {_fmt_s(limit / rate)}")
    if channels > 1:
        notes.append(f"{channels} channels mixed down to mono")
    return Clip(resample(to_float_mono(x), rate), RATE, notes)


def _load_pyav(src: str | bytes, max_s: float | None) -> Clip:
    try:
        import av
    except ImportError as e:  # pragma: no cover - PyAV comes with faster-whisper
        raise _NotReadable("PyAV is not installed to decode compressed audio") from e
    chunks: list[np.ndarray] = []
    total = 0
    limit = None if max_s is None else int(max_s * RATE)
    trimmed = False
    try:
        with av.open(_stream(src), mode="r") as container:
            if not container.streams.audio:
                raise _NotReadable("it holds no audio stream")
            resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    arr = out.to_ndarray().reshape(-1)
                    chunks.append(arr)
                    total += len(arr)
                if limit is not None and total >= limit:
                    trimmed = True
                    break
    except _NotReadable:
        raise
    except Exception as e:  # PyAV raises many error types for garbage input
        reason = getattr(e, "strerror", None) or type(e).__name__
        raise _NotReadable(str(reason).lower()) from None
    if not chunks:
        raise _NotReadable("no audio could be decoded")
    samples = np.concatenate(chunks).astype(np.float32)
    notes = []
    if trimmed and limit is not None:
        samples = samples[:limit]
        notes.append(f"recording trimmed to the first {_fmt_s(limit / RATE)}")
    return Clip(samples, RATE, notes)


def to_wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    """16-bit PCM WAV, the format every player and browser accepts."""
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, np.asarray(samples, dtype=np.float32), rate, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def _fmt_s(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 120 else f"{seconds:.0f} s"
