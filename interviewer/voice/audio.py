"""Microphone and speaker through sounddevice (PortAudio).

Everything here fails with an ``InterviewerError`` that says what is missing and points to
text mode, never with a PortAudio traceback: many machines (servers, containers, CI) have no
sound card at all, and the product must still be usable there.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import numpy as np

from interviewer.errors import InterviewerError
from interviewer.voice.audiofile import RATE, resample
from interviewer.voice.frames import AudioIn, Control, Frame
from interviewer.voice.tts import AudioChunk

log = logging.getLogger(__name__)

TEXT_MODE_HINT = "use text mode instead: interviewer chat"


def sounddevice() -> ModuleType:
    """Import sounddevice, turning a missing PortAudio library into advice."""
    try:
        import sounddevice as sd
    except OSError as e:  # the Python package is there, libportaudio2 is not
        raise InterviewerError(
            f"audio is unavailable: the PortAudio library is missing ({e}); "
            f"install it with scripts/install-system-deps.sh (Debian: libportaudio2), or {TEXT_MODE_HINT}"
        ) from None
    except ImportError:
        raise InterviewerError(
            f"audio is unavailable: sounddevice is not installed (pip install 'interviewer[voice]'); {TEXT_MODE_HINT}"
        ) from None
    return sd


def list_devices() -> list[dict[str, Any]]:
    """Every PortAudio device, with its index, name and channel counts."""
    sd = sounddevice()
    try:
        devices = sd.query_devices()
    except Exception as e:
        raise InterviewerError(f"cannot list audio devices: {e}; {TEXT_MODE_HINT}") from None
    default_in, default_out = (sd.default.device[0], sd.default.device[1]) if devices else (-1, -1)
    return [
        {
            "index": i,
            "name": d["name"],
            "inputs": d["max_input_channels"],
            "outputs": d["max_output_channels"],
            "default_samplerate": d["default_samplerate"],
            "default_input": i == default_in,
            "default_output": i == default_out,
        }
        for i, d in enumerate(devices)
    ]


def resolve_device(spec: str | int | None, kind: str) -> int | None:
    """A device index from a number or part of its name; None keeps the system default.

    Checked up front so a typo gets the list of choices, not a PortAudio error mid-interview.
    """
    devices = list_devices()
    channels = "inputs" if kind == "input" else "outputs"
    usable = [d for d in devices if d[channels] > 0]
    if not usable:
        raise InterviewerError(f"no audio {kind} device found; {TEXT_MODE_HINT}")
    if spec is None or spec == "":
        return None
    if isinstance(spec, int) or str(spec).isdigit():
        idx = int(spec)
        if any(d["index"] == idx for d in usable):
            return idx
    else:
        matches = [d for d in usable if str(spec).lower() in d["name"].lower()]
        if len(matches) == 1:
            return int(matches[0]["index"])
        if len(matches) > 1:
            names = ", ".join(f"{d['index']}: {d['name']}" for d in matches)
            raise InterviewerError(f"{kind} device {spec!r} is ambiguous ({names}); give its number")
    names = "; ".join(f"{d['index']}: {d['name']}" for d in usable)
    raise InterviewerError(f"no {kind} device {spec!r}; available: {names} (see interviewer voice --list-devices)")


class Microphone:
    """Blocks of 16 kHz mono float audio from an input device.

    Opens at 16 kHz when the device allows it, else at its own rate with resampling. ``pause``
    stops capture while the interviewer speaks, so it does not transcribe itself.
    """

    def __init__(self, device: int | None = None, block_s: float = 0.1) -> None:
        sd = sounddevice()
        self._sd = sd
        self.rate = RATE
        try:
            self._stream = self._open(device, RATE, block_s)
        except sd.PortAudioError:
            try:
                native = int(sd.query_devices(device, "input")["default_samplerate"])
                self.rate = native
                self._stream = self._open(device, native, block_s)
            except Exception as e:
                raise InterviewerError(
                    f"cannot open the microphone ({e}); check --input-device, or {TEXT_MODE_HINT}"
                ) from None
        self.block = int(self.rate * block_s)
        self.controls: queue.Queue[str] = queue.Queue()
        self._closed = threading.Event()

    def _open(self, device: int | None, rate: int, block_s: float) -> Any:
        # 16-bit integers: every capture device speaks them natively, and raw sources (the ALSA
        # file plugin used for headless tests) are read as such, not reinterpreted as floats.
        return self._sd.InputStream(
            samplerate=rate, channels=1, dtype="int16", device=device, blocksize=int(rate * block_s)
        )

    def read(self) -> np.ndarray:
        """One block, resampled to 16 kHz."""
        data, overflowed = self._stream.read(self.block)
        if overflowed:
            log.debug("microphone input overflowed: a block was lost")
        x = np.asarray(data, dtype=np.float32).reshape(-1) / 32768.0
        return resample(x, self.rate, RATE) if self.rate != RATE else x

    def frames(self) -> Iterator[Frame]:
        """Audio blocks interleaved with key presses, until ``close``."""
        while not self._closed.is_set():
            while not self.controls.empty():
                yield Control(self.controls.get_nowait())
            if self._closed.is_set():
                break
            if not self._stream.active:
                self._stream.start()
            yield AudioIn(self.read())

    def pause(self) -> None:
        if self._stream.active:
            self._stream.stop()

    def resume(self) -> None:
        if not self._stream.active and not self._closed.is_set():
            self._stream.start()

    def close(self) -> None:
        self._closed.set()
        try:
            self._stream.close()
        except Exception:  # closing twice, or a device that vanished
            log.debug("closing the microphone failed", exc_info=True)


class Speaker:
    """Plays chunks in order on a background thread, so the next sentence is synthesised while
    this one is heard. ``wait`` blocks until everything queued has been played."""

    def __init__(self, device: int | None = None) -> None:
        self._sd = sounddevice()
        self.device = device
        self._queue: queue.Queue[AudioChunk | None] = queue.Queue()
        self._stream: Any = None
        self._rate = 0
        self.error: Exception | None = None
        self._thread = threading.Thread(target=self._run, name="speaker", daemon=True)
        self._thread.start()

    def play(self, chunk: AudioChunk) -> None:
        if self.error is not None:
            raise InterviewerError(f"audio playback failed: {self.error}; {TEXT_MODE_HINT}")
        self._queue.put(chunk)

    def wait(self) -> None:
        self._queue.join()
        if self.error is not None:
            raise InterviewerError(f"audio playback failed: {self.error}; {TEXT_MODE_HINT}")

    def _run(self) -> None:
        while True:
            chunk = self._queue.get()
            try:
                if chunk is None:
                    return
                if self.error is None:
                    self._write(chunk)
            except Exception as e:  # reported on the caller's thread by play/wait
                self.error = e
            finally:
                self._queue.task_done()

    def _write(self, chunk: AudioChunk) -> None:
        if self._stream is None or self._rate != chunk.rate:
            if self._stream is not None:
                self._stream.close()
            self._stream = self._sd.OutputStream(samplerate=chunk.rate, channels=1, dtype="float32", device=self.device)
            self._stream.start()
            self._rate = chunk.rate
        self._stream.write(np.ascontiguousarray(chunk.samples, dtype=np.float32).reshape(-1, 1))

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=5)
        if self._stream is not None:
            self._stream.close()
