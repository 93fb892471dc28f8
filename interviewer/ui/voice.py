"""Voice in the interview view: record or upload an answer, read the transcript, fix it, send it;
hear the interviewer, sentence by sentence.

The transcript goes into the answer box, never straight to the interviewer: speech recognition
mishears, and the candidate must be able to correct it first. When the voice packages or models
are missing, the controls say so and text mode works as before.
"""

from __future__ import annotations

import html
import importlib.util
import shutil
from collections.abc import Iterator
from typing import Any

import gradio as gr
import numpy as np

from interviewer.config import Settings
from interviewer.errors import InputError

from .context import AppContext
from .notify import guarded, warn
from .state import Preferences

UNAVAILABLE = "Voice is not available on this server: {why}. Text answers work as usual."


def voice_problem(settings: Settings) -> str | None:
    """Why voice cannot work here, or None. Cheap: checks packages, never loads a model."""
    if importlib.util.find_spec("interviewer.voice.stt") is None:
        return "the voice package is not installed"
    if settings.voice.stt == "whisper" and importlib.util.find_spec("faster_whisper") is None:
        return "faster-whisper is not installed (pip install 'interviewer[voice]')"
    if settings.voice.tts == "piper" and importlib.util.find_spec("piper") is None and not shutil.which("espeak-ng"):
        return "neither the Piper voice nor espeak-ng is installed"
    if settings.voice.tts == "espeak" and not shutil.which("espeak-ng"):
        return "espeak-ng is not installed (scripts/install-system-deps.sh)"
    return None


def delivery_line(transcript: Any) -> str:
    from interviewer.voice.delivery import measure

    m = measure(transcript)
    parts = [f"{transcript.duration_s:.1f} s heard", f"{m.words} words"]
    if m.words_per_minute is not None:
        parts.append(f"{m.words_per_minute:.0f} words/min")
    if m.filler_count:
        parts.append(f"{m.filler_count} filler word(s)")
    if m.long_pauses:
        parts.append(f"{len(m.long_pauses)} long pause(s)")
    return " · ".join(parts)


class VoiceView:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    @guarded
    def transcribe(
        self, audio: str | None, current: str, prefs: dict[str, Any] | None, key: str | None
    ) -> tuple[Any, str]:
        """Recording -> transcript in the answer box (appended to what is there), to be checked."""
        if not audio:
            return gr.skip(), ""
        settings = Preferences.load(prefs).settings(self.ctx.settings, key)
        problem = voice_problem(settings)
        if problem:
            raise InputError(UNAVAILABLE.format(why=problem))
        from interviewer.voice.stt import transcribe_file

        t = transcribe_file(audio, settings=settings)
        notes = "; ".join(t.notes)
        if t.empty:
            warn("No speech was recognised in the recording" + (f" ({notes})" if notes else "") + ": try again.")
            return gr.skip(), f"<p class='iv-muted'>Nothing recognised. {html.escape(notes)}</p>"
        if t.low_confidence:
            warn("The transcript may be wrong (low confidence): check it in the answer box, or record again.")
        text = f"{current.rstrip()} {t.text}".strip() if (current or "").strip() else t.text
        line = delivery_line(t) + (f" · {notes}" if notes else "")
        flag = " <b class='iv-fallback'>low confidence: check it</b>" if t.low_confidence else ""
        return text, (
            f"<p>Transcript added to your answer: read it, correct it, then send.{flag}</p>"
            f"<p class='iv-muted'>{html.escape(line)} · {html.escape(t.engine)}</p>"
        )

    def speak(self, live: Any, prefs: dict[str, Any] | None, key: str | None) -> Iterator[Any]:
        """The interviewer's latest message as audio, one sentence at a time (streamed)."""
        p = Preferences.load(prefs)
        if not p.speak or live is None or not live.chat or live.chat[-1]["role"] != "assistant":
            yield gr.skip()
            return
        settings = p.settings(self.ctx.settings, key)
        if voice_problem(settings):
            yield gr.skip()
            return
        from interviewer.voice.tts import get_tts

        try:
            for chunk in get_tts(settings).synthesize(str(live.chat[-1]["content"])):
                pcm = (np.clip(chunk.samples, -1.0, 1.0) * 32767).astype(np.int16)
                yield (chunk.rate, pcm)
        except Exception as e:  # speech is a nicety: the text is on screen already
            warn(f"Could not speak the message: {e}")
            yield gr.skip()


def build(ctx: AppContext, prefs: gr.BrowserState, key: gr.State, answer: gr.Textbox) -> tuple[VoiceView, gr.Audio]:
    """The voice controls under the answer box; returns the speaker for the turn events to feed."""
    view = VoiceView(ctx)
    problem = voice_problem(ctx.settings)
    with gr.Accordion("Answer by voice", open=False):
        if problem:
            gr.HTML(f"<p class='iv-muted'>{html.escape(UNAVAILABLE.format(why=problem))}</p>")
        mic = gr.Audio(
            sources=["microphone", "upload"],
            type="filepath",
            label="Record or upload your answer (the transcript goes into the answer box for you to check)",
            elem_id="voice-answer",
            interactive=problem is None,
        )
        heard = gr.HTML(elem_id="voice-status")
    speaker = gr.Audio(
        label="Interviewer's voice",
        streaming=True,
        autoplay=True,
        interactive=False,
        visible=True,
        elem_id="interviewer-voice",
    )
    for event in (mic.stop_recording, mic.upload):
        event(
            view.transcribe,
            [mic, answer, prefs, key],
            [answer, heard],
            concurrency_id="stt",
            concurrency_limit=1,
        )
    return view, speaker
