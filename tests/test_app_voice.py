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
from interviewer.ui.testing import drain, handler, is_skip
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


def natural(tmp_path: Path, text: str) -> Path:
    """Speech from the Piper voice: clear enough that recognition is confident (espeak is not)."""
    import soundfile as sf

    from interviewer.voice.tts import PiperTTS, synthesize_to_array

    samples, rate = synthesize_to_array(PiperTTS(deterministic=True), text)
    wav = tmp_path / "natural.wav"
    sf.write(wav, samples, rate)
    return wav


def test_a_spoken_answer_is_sent_with_its_delivery(demo: gr.Blocks, tmp_path: Path) -> None:
    """The browser voice path end to end: a WAV uploaded, transcribed, checked, sent; the answer turn
    keeps how it was said, and the scorecard shows the delivery."""
    out = handler(demo, "interview_start")("Single round", "behavioral", "", "MLE3", [], "", False, PREFS, None)
    live = out[0]
    transcribe = handler(demo, "transcribe")
    wav = natural(tmp_path, "I owned the retraining pipeline, so latency fell from ninety to forty milliseconds.")
    text, status = transcribe(str(wav), "", PREFS, None, live)
    assert "retraining pipeline" in text.lower() and "low confidence" not in status
    assert live.speech is not None and live.speech.question_id == live.iv.state.question_id

    drain(handler(demo, "interview_answer")(live, text))
    assert live.speech is None  # used once
    answer = next(t for t in live.iv.transcript() if t.kind == "answer")
    speech = answer.notes["speech"]
    assert speech["stt_engine"].startswith("whisper") and speech["heard"] == text
    assert not speech["corrected"] and not speech["low_confidence"]
    assert speech["delivery"]["words"] >= 12 and 80 < speech["delivery"]["words_per_minute"] < 260
    assert answer.scores is not None and "uncertain_transcript" not in answer.scores["flags"]

    # A second answer: the transcript is corrected before it is sent, and that is recorded.
    text, _ = transcribe(str(wav), "", PREFS, None, live)
    drain(handler(demo, "interview_answer")(live, text + " It was a shared project."))
    second = [t for t in live.iv.transcript() if t.kind == "answer"][1]
    assert second.notes["speech"]["corrected"]

    from interviewer.report import Report
    from interviewer.ui.scorecard import summary_html

    report = Report.model_validate(live.iv.end())
    assert report.delivery is not None and len(report.delivery.answers) == 2
    assert "Delivery of the spoken answers" in summary_html(report)


def test_an_uncertain_transcript_sent_unchanged_is_not_clean() -> None:
    from interviewer.ui.voice import PendingSpeech, spoken_for
    from interviewer.voice.testing import transcript_of

    heard = transcript_of("the lost function was cross and trophy", confidence=0.4, low_confidence=True)
    pending = PendingSpeech("q1", heard, heard.text)
    assert spoken_for(pending, "q1", heard.text).uncertain  # type: ignore[union-attr]
    assert not spoken_for(pending, "q1", "the loss function was cross entropy").uncertain  # type: ignore[union-attr]
    assert spoken_for(pending, "q2", heard.text) is None  # a recording for another question is stale
    # two recordings for one answer: one transcript on one clock; an edit in between is a correction
    both = pending.add(transcript_of("and we tuned it"), heard.text + " edited", heard.text + " edited and we tuned it")
    assert both.edited and both.transcript.words[-1].start > heard.duration_s
    assert not spoken_for(both, "q1", heard.text + " edited and we tuned it").uncertain  # type: ignore[union-attr]


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
