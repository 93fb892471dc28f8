"""The terminal voice loop end to end, headless: a fake microphone through ALSA's file device
(it plays a raw recording as the capture stream; playback goes to /dev/null), real whisper,
the real Piper voice, and the real ``interviewer voice`` command in a subprocess (PortAudio
reads the ALSA configuration once per process, so each case gets its own)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from interviewer.voice.wer import word_error_rate

pytestmark = [pytest.mark.voice, pytest.mark.slow]

ANSWERS = [
    "Batch normalization keeps activations stable during training.",
    "I would start with a simple baseline model.",
    "Precision matters more when false alarms are costly.",
]
CLI = [sys.executable, "-m", "interviewer.cli"]


def alsa_env(tmp_path: Path, pcm: str) -> dict[str, str]:
    conf = tmp_path / "asound.conf"
    conf.write_text(f"</usr/share/alsa/alsa.conf>\n{pcm}\n")
    env = dict(os.environ)
    env |= {"ALSA_CONFIG_PATH": str(conf), "INTERVIEWER_DATA_DIR": str(tmp_path / "data")}
    env.pop("OPENAI_API_KEY", None)
    return env


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three spoken answers, each followed by 12 s of silence, as 16 kHz s16le raw audio."""
    from interviewer.voice.audiofile import resample
    from interviewer.voice.tts import PiperTTS

    tts = PiperTTS(deterministic=True)
    rng = np.random.default_rng(0)
    # Leading silence: the device reads ahead, and what it read while the opening played is dropped.
    parts = [np.zeros(2 * 16_000, np.float32)]
    for answer in ANSWERS:
        for chunk in tts.synthesize(answer):
            parts.append(0.6 * resample(chunk.samples, chunk.rate, 16_000))
        parts.append(np.zeros(16_000 * 12, np.float32))  # outlasts the read-ahead dropped at each pause, under load too
    audio = np.concatenate(parts) + rng.normal(0, 3e-4, sum(map(len, parts))).astype(np.float32)
    raw = tmp_path_factory.mktemp("mic") / "answers.raw"
    (np.clip(audio, -1, 1) * 32767).astype("<i2").tofile(raw)
    return raw


def voice(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``interviewer voice`` with the environment's microphone (see ``mic_env``)."""
    return subprocess.run(
        [*CLI, "voice", *args], env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL
    )


def mic_env(recording: Path, tmp_path: Path) -> dict[str, str]:
    pcm = f'pcm.!default {{ type file slave.pcm "null" file "/dev/null" infile "{recording}" format "raw" }}'
    return alsa_env(tmp_path, pcm)


def test_voice_echo_loop_through_a_fake_microphone(recording: Path, tmp_path: Path) -> None:
    proc = voice(mic_env(recording, tmp_path), "--echo")
    out = proc.stdout
    assert proc.returncode == 0, proc.stderr[-2000:]
    heard = re.findall(r"^you: (.*)$", out, flags=re.M)
    assert len(heard) == 3, out
    for said, got in zip(ANSWERS, heard, strict=True):
        assert word_error_rate(said, got) <= 0.3, (said, got)
    assert word_error_rate(" ".join(ANSWERS), " ".join(heard)) <= 0.10
    echoed = re.findall(r"^interviewer: I heard: (.*)$", out, flags=re.M)
    assert echoed == heard
    assert "             That's it.\n             Your set-up works.\n" in out
    assert re.search(r"^delivery: \d+ words/min, [\d.]+ fillers/min, \d+ long pause\(s\)", out, flags=re.M)


def test_voice_interview_with_the_real_engine_saves_delivery(recording: Path, tmp_path: Path) -> None:
    """microphone -> STT -> the interview engine -> TTS, headless: the spoken answers are saved as
    the candidate's turns with their delivery, and the session's report shows it."""
    env = mic_env(recording, tmp_path)
    proc = voice(env, "--round", "ml_theory", "--level", "MLE2", "--max-answers", "2")
    out = proc.stdout
    assert proc.returncode == 0, proc.stderr[-2000:]
    heard = re.findall(r"^you: (.*)$", out, flags=re.M)
    assert len(heard) == 2, out
    # 15 words: one slip is 7 %; the 10 % bound over more speech is the echo test's and test_voice_stt's
    assert word_error_rate(" ".join(ANSWERS[:2]), " ".join(heard)) <= 0.2
    session = re.search(r"resume with: interviewer voice --resume (\w+)", out)
    assert session, out
    shown = subprocess.run(
        [*CLI, "sessions", "show", session.group(1), "--json"], env=env, capture_output=True, text=True, timeout=120
    )
    assert shown.returncode == 0, shown.stderr[-2000:]
    data = json.loads(shown.stdout)
    answers = [t for t in data["turns"] if t["role"] == "candidate"]
    assert [a["text"] for a in answers] == heard
    delivery = data["report"]["delivery"]
    assert delivery["summary"]["answers"] == 2 and delivery["typed_answers"] == 0
    assert all(a["stt_engine"].startswith("whisper") and a["metrics"]["words"] >= 7 for a in delivery["answers"])


def test_no_sound_card_suggests_text_mode(tmp_path: Path) -> None:
    # The default device points at a sound card that does not exist, as on a server.
    env = alsa_env(tmp_path, "pcm.!default { type hw card 99 }\nctl.!default { type hw card 99 }")
    proc = subprocess.run([*CLI, "voice", "--echo"], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "no audio input device found" in proc.stderr and "interviewer chat" in proc.stderr
    listed = subprocess.run([*CLI, "voice", "--list-devices"], env=env, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0 and "no audio devices found" in listed.stdout
    # the interview options are chat's, and a bad one is named before any device is looked for
    for args, message in (
        (["--level", "MLE9"], "bad option: level"),
        (["--context", str(tmp_path / "missing-jd.txt")], "cannot read --context file"),
    ):
        bad = voice(env, "--round", "behavioral", *args)
        assert bad.returncode == 2 and message in bad.stderr, bad.stderr


def test_an_unknown_device_name_lists_the_choices(recording: Path, tmp_path: Path) -> None:
    proc = voice(mic_env(recording, tmp_path), "--echo", "--input-device", "usb headset")
    assert proc.returncode == 2
    assert "no input device 'usb headset'; available: 0: default" in proc.stderr


def test_missing_portaudio_library_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from interviewer.errors import InterviewerError
    from interviewer.voice import audio

    fake = tmp_path / "fake_sd"
    fake.mkdir()
    (fake / "sounddevice.py").write_text("raise OSError('PortAudio library not found')\n")
    monkeypatch.syspath_prepend(str(fake))
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    with pytest.raises(InterviewerError, match=r"PortAudio library is missing .* interviewer chat"):
        audio.sounddevice()
