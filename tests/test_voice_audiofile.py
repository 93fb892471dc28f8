"""Loading recordings: any rate, stereo, long, compressed; bad files refused with a clear error."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from interviewer.errors import InputError
from interviewer.voice.audiofile import RATE, Clip, as_clip, from_array, load_audio, resample, to_wav_bytes


def tone(rate: int, seconds: float, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def dominant_freq(x: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(x))
    return float(np.fft.rfftfreq(len(x), 1 / rate)[int(np.argmax(spectrum))])


@pytest.mark.parametrize("rate", [8_000, 22_050, 44_100, 48_000])
def test_any_rate_is_resampled_to_16k_keeping_pitch_and_length(tmp_path: Path, rate: int) -> None:
    path = tmp_path / f"a{rate}.wav"
    sf.write(path, tone(rate, 2.0, 440.0), rate)
    clip = load_audio(path)
    assert clip.rate == RATE
    assert clip.duration_s == pytest.approx(2.0, abs=0.01)
    assert dominant_freq(clip.samples, RATE) == pytest.approx(440.0, abs=2.0)


def test_stereo_is_mixed_to_mono_with_a_note(tmp_path: Path) -> None:
    left, right = tone(44_100, 1.0, 300.0), tone(44_100, 1.0, 300.0)
    path = tmp_path / "stereo.wav"
    sf.write(path, np.stack([left, right], axis=1), 44_100, subtype="PCM_16")
    clip = load_audio(path)
    assert clip.samples.ndim == 1 and clip.duration_s == pytest.approx(1.0, abs=0.01)
    assert np.max(np.abs(clip.samples)) == pytest.approx(0.5, abs=0.02)
    assert any("mono" in n for n in clip.notes)


def test_a_ten_minute_recording_is_trimmed_to_the_limit_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "long.wav"
    rate = 8_000
    with sf.SoundFile(path, "w", samplerate=rate, channels=1, subtype="PCM_16") as f:
        block = tone(rate, 60.0, 200.0)
        for _ in range(10):
            f.write(block)
    clip = load_audio(path, max_s=30.0)
    assert clip.duration_s == pytest.approx(30.0, abs=0.01)
    assert any("10.0 min trimmed to the first 30 s" in n for n in clip.notes)
    whole = load_audio(path)
    assert whole.duration_s == pytest.approx(600.0, abs=0.01) and not whole.notes


def test_compressed_audio_goes_through_pyav(tmp_path: Path) -> None:
    wav = tmp_path / "a.wav"
    sf.write(wav, tone(22_050, 1.5, 500.0), 22_050)
    mp3 = tmp_path / "a.mp3"
    import av

    with av.open(str(mp3), "w") as out:
        stream = out.add_stream("mp3", rate=22_050)
        with av.open(str(wav)) as inp:
            for frame in inp.decode(audio=0):
                for packet in stream.encode(frame):
                    out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    clip = load_audio(mp3, max_s=1.0)
    assert clip.rate == RATE and clip.duration_s == pytest.approx(1.0, abs=0.05)
    assert dominant_freq(clip.samples, RATE) == pytest.approx(500.0, abs=5.0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 40, "not a readable audio file"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 30, "not a readable audio file"),  # truncated header
        (b"just some text, not audio\n" * 50, "not a readable audio file"),
    ],
)
def test_bad_files_raise_input_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        load_audio(path)
    if content:
        with pytest.raises(InputError, match=message):
            load_audio(content)


def test_missing_file_and_folder_are_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_audio(tmp_path / "nope.wav")
    with pytest.raises(InputError, match="not a file"):
        load_audio(tmp_path)


def test_silence_is_recognised() -> None:
    assert Clip(np.zeros(RATE, np.float32)).silent
    assert Clip(np.full(RATE, 1e-4, np.float32)).silent
    assert not Clip(tone(RATE, 1.0)).silent


def test_in_memory_int16_and_bytes_round_trip() -> None:
    x = (tone(48_000, 1.0) * 32767).astype(np.int16)
    clip = from_array(np.stack([x, x], axis=1), 48_000)
    assert clip.duration_s == pytest.approx(1.0, abs=0.01) and np.max(np.abs(clip.samples)) == pytest.approx(
        0.5, abs=0.01
    )
    again = load_audio(to_wav_bytes(clip.samples, RATE))
    assert np.allclose(again.samples, clip.samples, atol=1e-3)


def test_resample_is_identity_at_the_same_rate() -> None:
    x = tone(RATE, 0.5)
    assert resample(x, RATE, RATE) is x or np.array_equal(resample(x, RATE, RATE), x)
    with pytest.raises(InputError):
        resample(x, 0, RATE)


def test_espeak_recording_made_with_sox_at_another_rate_loads(tmp_path: Path) -> None:
    wav, slow = tmp_path / "e.wav", tmp_path / "e8k.wav"
    subprocess.run(["espeak-ng", "-w", str(wav), "A short answer."], check=True)
    subprocess.run(["sox", str(wav), "-r", "8000", "-c", "2", str(slow)], check=True)
    clip = load_audio(slow)
    assert clip.rate == RATE and not clip.silent and clip.duration_s > 0.5


def test_browser_recordings_arrive_as_rate_and_samples() -> None:
    x = (tone(48_000, 2.0) * 32767).astype(np.int16)
    clip = as_clip((48_000, np.stack([x, x], axis=1)), max_s=1.5)
    assert clip.rate == RATE and clip.duration_s == pytest.approx(1.5, abs=0.01)
    assert any("trimmed" in n for n in clip.notes) and any("mono" in n for n in clip.notes)
    with pytest.raises(InputError, match="no samples"):
        as_clip((16_000, np.zeros(0, np.int16)))
    with pytest.raises(InputError, match="pair"):
        as_clip(("16000", x))  # type: ignore[arg-type]
    loaded = Clip(tone(RATE, 3.0))
    assert as_clip(loaded) is loaded and as_clip(loaded, max_s=1.0).duration_s == pytest.approx(1.0)
