"""Voice in the interview view: record or upload an answer, read the transcript, fix it, send it;
hear the interviewer, sentence by sentence.

The transcript goes into the answer box, never straight to the interviewer: speech recognition
mishears, and the candidate must be able to correct it first. What was heard is kept beside the
interview (``PendingSpeech``) until the answer is sent, so the delivery of the answer is saved
with it, and an uncertain transcript sent without a correction is not scored as clean. When the
voice packages or models are missing, the controls say so and text mode works as before.

The interviewer's speech is a queue of one WAV file per sentence: each is written as soon as it
is synthesised and the page (``SPEECH_JS``) plays them in order, so speech starts with the first
sentence. Gradio's own streaming audio would need ffmpeg on the server; this needs nothing.
"""

from __future__ import annotations

import html
import importlib.util
import json
import secrets
import shutil
import tempfile
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr
import numpy as np

from interviewer.config import Settings
from interviewer.errors import InputError

from .context import AppContext
from .notify import guarded, warn
from .state import Preferences

if TYPE_CHECKING:
    from interviewer.voice.delivery import SpokenAnswer
    from interviewer.voice.transcript import Transcript

UNAVAILABLE = "Voice is not available on this server: {why}. Text answers work as usual."
#: Where sentence clips are written; served to the page (``launch(allowed_paths=...)``).
SPEECH_DIR = Path(tempfile.gettempdir()) / "interviewer-speech"
#: Clips older than this are deleted when new speech is made.
SPEECH_TTL_S = 3600

#: Plays the clips of the latest ``.iv-speech`` element in order (added to the page's <head>).
SPEECH_JS = """
<script>
(() => {
  const s = {id: null, clips: [], next: 0, auto: true, busy: false, audio: new Audio()};
  window.ivSpeech = s;
  const play = () => {
    if (s.next >= s.clips.length) { s.busy = false; return; }
    s.busy = true;
    s.audio.src = s.clips[s.next++];
    s.audio.play().catch(() => { s.busy = false; });
  };
  s.audio.addEventListener("ended", play);
  const sync = () => {
    const el = document.querySelector(".iv-speech");
    if (!el) return;
    if (el.dataset.id !== s.id) {
      s.audio.pause(); s.id = el.dataset.id; s.next = 0; s.busy = false; s.auto = el.dataset.autoplay === "1";
    }
    s.clips = JSON.parse(el.dataset.clips || "[]");
    if (s.auto && !s.busy) play();
  };
  document.addEventListener("click", (e) => {
    if (!e.target.closest(".iv-replay")) return;
    s.audio.pause(); s.next = 0; s.auto = true; s.busy = false; play();
  });
  new MutationObserver(sync).observe(document.documentElement, {subtree: true, childList: true, attributes: true,
    attributeFilter: ["data-clips"]});
})();
</script>
"""


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


@dataclass
class PendingSpeech:
    """What was heard for the current question and put into the answer box, until it is sent."""

    question_id: str | None
    transcript: Transcript
    shown: str  # the answer box right after the transcript went in
    edited: bool = False  # the candidate changed the box between two recordings

    def add(self, t: Transcript, before: str, shown: str) -> PendingSpeech:
        """A second recording for the same answer: one transcript, its timings after the first."""
        from interviewer.voice.transcript import merge

        joined = merge([self.transcript, t.shifted(self.transcript.duration_s)])
        edited = self.edited or " ".join(before.split()) != " ".join(self.shown.split())
        return PendingSpeech(self.question_id, joined, shown, edited)


def spoken_for(pending: PendingSpeech | None, question_id: str | None, sent: str) -> SpokenAnswer | None:
    """How the answer being sent was spoken, if it was (a recording for another question is stale)."""
    if pending is None or pending.question_id != question_id:
        return None
    from interviewer.voice.delivery import spoken_answer

    spoken = spoken_answer(pending.transcript, sent=sent, shown=pending.shown)
    return spoken.model_copy(update={"corrected": True}) if pending.edited else spoken


class VoiceView:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    @guarded
    def transcribe(
        self, audio: str | None, current: str, prefs: dict[str, Any] | None, key: str | None, live: Any = None
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
            warn(
                "The transcript may be wrong (low confidence): correct it in the answer box, or record again. "
                "Sent unchanged, it is not scored."
            )
        text = f"{current.rstrip()} {t.text}".strip() if (current or "").strip() else t.text
        remember(live, t, current or "", text)
        line = delivery_line(t) + (f" · {notes}" if notes else "")
        flag = (
            " <b class='iv-fallback'>low confidence: correct it or record again (sent unchanged, it is not scored)</b>"
            if t.low_confidence
            else ""
        )
        return text, (
            f"<p>Transcript added to your answer: read it, correct it, then send.{flag}</p>"
            f"<p class='iv-muted'>{html.escape(line)} · {html.escape(t.engine)}</p>"
        )

    def speak(self, live: Any, prefs: dict[str, Any] | None, key: str | None) -> Iterator[Any]:
        """The interviewer's latest message as audio clips, one per sentence, each sent when ready."""
        p = Preferences.load(prefs)
        if not p.speak or live is None or not live.chat or live.chat[-1]["role"] != "assistant":
            yield gr.skip()
            return
        settings = p.settings(self.ctx.settings, key)
        if voice_problem(settings):
            yield gr.skip()
            return
        from interviewer.voice.tts import get_tts

        folder = _speech_folder()
        clips: list[str] = []
        try:
            for i, chunk in enumerate(get_tts(settings).synthesize(str(live.chat[-1]["content"]))):
                path = folder / f"{i:03d}.wav"
                write_wav(path, chunk.samples, chunk.rate)
                clips.append(f"/gradio_api/file={path}")
                yield player_html(folder.name, clips, p.autoplay, done=False)
        except Exception as e:  # speech is a nicety: the text is on screen already
            warn(f"Could not speak the message: {e}")
        yield player_html(folder.name, clips, p.autoplay, done=True)


def remember(live: Any, t: Transcript, before: str, shown: str) -> None:
    """Keep what was heard with the interview until the answer is sent (nothing without one).
    ``before`` is the answer box when the recording arrived, ``shown`` the box with it added."""
    iv = getattr(live, "iv", None)
    if iv is None or iv.done:
        return
    qid = iv.progress.question
    pending: PendingSpeech | None = live.speech
    if pending is not None and pending.question_id == qid:
        live.speech = pending.add(t, before, shown)
    else:
        live.speech = PendingSpeech(qid, t, shown, edited=bool(before.strip()))


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def player_html(speech_id: str, clips: list[str], autoplay: bool, *, done: bool) -> str:
    """The clips for the page's player, with a real button to hear them (again)."""
    state = f"{len(clips)} sentence(s)" + ("" if done else ", more coming")
    data = html.escape(json.dumps(clips))
    return (
        f"<div class='iv-speech' data-id='{speech_id}' data-autoplay='{int(autoplay)}' data-clips='{data}'>"
        f"<button type='button' class='iv-replay'>{'Replay' if autoplay else 'Play'} the interviewer's message</button>"
        f" <span class='iv-muted'>{state}</span></div>"
    )


def _speech_folder() -> Path:
    SPEECH_DIR.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - SPEECH_TTL_S
    for old in SPEECH_DIR.iterdir():
        if old.is_dir() and old.stat().st_mtime < cutoff:
            shutil.rmtree(old, ignore_errors=True)
    folder = SPEECH_DIR / secrets.token_hex(8)
    folder.mkdir()
    return folder


def build(
    ctx: AppContext, prefs: gr.BrowserState, key: gr.State, answer: gr.Textbox, live: gr.State
) -> tuple[VoiceView, gr.HTML]:
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
    speaker = gr.HTML(visible=False, elem_id="interviewer-voice")
    for event in (mic.stop_recording, mic.upload):
        event(
            view.transcribe,
            [mic, answer, prefs, key, live],
            [answer, heard],
            concurrency_id="stt",
            concurrency_limit=1,
        )
    return view, speaker
