"""Voice in the app: a recording becomes editable answer text; the interviewer is spoken sentence by
sentence into WAV clips the page plays in order. Real audio (espeak-ng), real speech recognition."""

from __future__ import annotations

import re
import shutil
import subprocess
import wave
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import numpy as np
import pytest

from interviewer.config import Settings
from interviewer.ui.app import create_app
from interviewer.ui.context import AppContext
from interviewer.ui.testing import handler, is_skip
from interviewer.ui.voice import SPEECH_DIR, voice_problem

pytestmark = pytest.mark.voice

PREFS = {"speak": True, "tts": "espeak", "stt": "whisper", "autoplay": True}


@pytest.fixture
def demo(tmp_path: Path, shared_index, monkeypatch: pytest.MonkeyPatch) -> gr.Blocks:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    return create_app(context=AppContext(Settings(data_dir=tmp_path / "data"), preloaded_index=shared_index))


def spoken(tmp_path: Path, text: str) -> Path:
    espeak = shutil.which("espeak-ng")
    assert espeak, "espeak-ng is needed: scripts/install-system-deps.sh"
    wav = tmp_path / "said.wav"
    subprocess.run([espeak, "-w", str(wav), text], check=True)
    return wav


def test_voice_is_available_here() -> None:
    assert voice_problem(Settings()) is None


def test_a_recording_goes_into_the_answer_box_to_be_checked(demo: gr.Blocks, tmp_path: Path) -> None:
    transcribe = handler(demo, "transcribe")
    wav = spoken(tmp_path, "I rebuilt the feature pipeline and cut training time in half.")
    text, status = transcribe(str(wav), "First, some context.", PREFS, None)
    assert text.startswith("First, some context. ") and "pipeline" in text.lower()
    assert "words/min" in status and "whisper" in status


def test_silence_and_non_audio_files_are_messages(demo: gr.Blocks, tmp_path: Path) -> None:
    transcribe = handler(demo, "transcribe")
    silent = tmp_path / "silent.wav"
    with wave.open(str(silent), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(np.zeros(16000 * 2, dtype="<i2").tobytes())
    with pytest.warns(UserWarning, match="No speech"):
        text, status = transcribe(str(silent), "kept", PREFS, None)
    assert is_skip(text) and "Nothing recognised" in status
    fake = tmp_path / "notes.wav"
    fake.write_text("this is not audio at all")
    with pytest.warns(UserWarning):
        assert is_skip(transcribe(str(fake), "kept", PREFS, None))


def test_the_interviewer_is_spoken_sentence_by_sentence(demo: gr.Blocks) -> None:
    speak = handler(demo, "speak")
    message = "Thanks for joining. Tell me about a model you shipped. What did you measure?"
    live = SimpleNamespace(chat=[{"role": "assistant", "content": message}])
    updates = list(speak(live, PREFS, None))
    assert len(updates) == 4  # one update per sentence as it is ready, then the final one
    assert "more coming" in updates[0] and "more coming" not in updates[-1]
    clips = re.findall(r"/gradio_api/file=([^&\"]+?\.wav)", updates[-1])
    assert len(clips) == 3
    for clip in clips:
        path = Path(clip)
        assert path.parent.parent == SPEECH_DIR
        with wave.open(str(path)) as w:
            assert w.getnframes() > w.getframerate() * 0.3  # real speech, not an empty file
    assert "data-autoplay='1'" in updates[-1]
    assert is_skip(list(speak(live, {**PREFS, "speak": False}, None))[-1])  # speech off: nothing made
