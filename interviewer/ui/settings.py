"""Settings: the engine (offline, or an OpenAI-compatible endpoint) and the voice options.

Choices are this browser's own: saved in its localStorage (``gr.BrowserState``), applied to
the next interview, review or evaluation it starts, and shown in the header. The API key is
the one exception: it stays in the tab's server-side state and is never written anywhere.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlparse

import gradio as gr

from interviewer.errors import InputError

from .context import AppContext
from .notify import describe, guarded, info
from .state import Preferences
from .theme import header_html
from .voice import voice_problem

ENGINES = [("Offline (default: no network, no API key)", "offline"), ("OpenAI-compatible endpoint", "llm")]
STT = [("Offline: faster-whisper", "whisper"), ("The endpoint's transcription", "openai")]
TTS = [
    ("Offline: Piper voice", "piper"),
    ("Offline: espeak-ng (robotic, fast)", "espeak"),
    ("The endpoint's speech", "openai"),
]


def check_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise InputError(f"the base URL {url!r} is not an http(s) URL, e.g. http://127.0.0.1:11434/v1")
    return url.rstrip("/")


class SettingsView:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def defaults(self) -> dict[str, Any]:
        return Preferences.from_settings(self.ctx.settings).model_dump()

    def _choose(
        self, engine: str, base_url: str, model: str, stt: str, tts: str, speak: bool, autoplay: bool, prefs: Any
    ) -> Preferences:
        old = Preferences.load(prefs)
        return Preferences.model_validate(
            {
                **old.model_dump(),
                "engine": engine,
                "base_url": check_url(base_url),
                "model": (model or "").strip() or self.ctx.settings.llm.model,
                "stt": stt,
                "tts": tts,
                "speak": bool(speak),
                "autoplay": bool(autoplay),
            }
        )

    @guarded
    def save(
        self,
        engine: str,
        base_url: str,
        model: str,
        typed_key: str,
        stt: str,
        tts: str,
        speak: bool,
        autoplay: bool,
        prefs: Any,
        key: str | None,
    ) -> tuple[Any, ...]:
        p = self._choose(engine, base_url, model, stt, tts, speak, autoplay, prefs)
        key = (typed_key or "").strip() or key
        settings = p.settings(self.ctx.settings, key)
        if p.engine == "llm" and settings.llm.api_key() is None and not p.base_url:
            raise InputError(
                f"the OpenAI API needs a key: type it above, set ${settings.llm.api_key_env} on the server, "
                "or give the base URL of a local endpoint"
            )
        voice = voice_problem(settings)
        note = f" Voice: {voice}." if voice else ""
        info(f"Settings saved. Engine: {p.engine_label(key)}.{note}")
        status = f"Saved. New interviews, reviews and evaluations use **{p.engine_label(key)}**.{note}"
        return p.model_dump(), key, header_html(p.engine_label(key)), status, *speaker_update(p)

    @guarded
    def test_connection(self, engine: str, base_url: str, model: str, typed_key: str, key: str | None) -> str:
        """One tiny request to the endpoint, with no retries: does it answer, and how fast?"""
        if engine == "offline":
            return "The offline engine needs no connection."
        from interviewer.llm import LLM, LLMUnavailable

        p = Preferences(engine="llm", base_url=check_url(base_url), model=(model or "").strip() or "gpt-4o-mini")
        settings = p.settings(self.ctx.settings, (typed_key or "").strip() or key)
        config = settings.llm.model_copy(update={"max_retries": 0, "timeout_s": min(settings.llm.timeout_s, 15.0)})
        start = time.perf_counter()
        try:
            reply = LLM(config).complete([("user", "Reply with the single word: ready")], max_tokens=5)
        except LLMUnavailable as e:
            return f"**Not connected:** {e.reason}"
        except Exception as e:  # any other failure is the endpoint's, and worth showing as is
            return f"**Not connected:** {describe(e)}"
        ms = (time.perf_counter() - start) * 1000
        return f"**Connected** to {p.engine_label()}: it replied {reply.strip()[:40]!r} in {ms:.0f} ms."

    def load(self, prefs: Any, key: str | None) -> tuple[Any, ...]:
        """Fill the form and the header from what this browser saved."""
        p = Preferences.load(prefs) if prefs else Preferences.from_settings(self.ctx.settings)
        return (
            p.engine,
            p.base_url,
            p.model,
            p.stt,
            p.tts,
            p.speak,
            p.autoplay,
            header_html(p.engine_label(key)),
            *speaker_update(p),
        )


def speaker_update(p: Preferences) -> tuple[Any]:
    return (gr.HTML(visible=p.speak),)


def build(
    ctx: AppContext, prefs: gr.BrowserState, key: gr.State, header: gr.HTML, speaker: gr.HTML
) -> tuple[SettingsView, list[Any]]:
    view = SettingsView(ctx)
    d = Preferences.from_settings(ctx.settings)
    with gr.Row(equal_height=False):
        with gr.Column():
            gr.Markdown("### Engine\nWhat scores your answers and writes the follow-up questions.")
            engine = gr.Radio(ENGINES, value=d.engine, label="Engine")
            base_url = gr.Textbox(
                d.base_url,
                label="Endpoint base URL",
                placeholder="empty: api.openai.com · e.g. http://127.0.0.1:8080/v1",
            )
            model = gr.Textbox(d.model, label="Model")
            typed_key = gr.Textbox(
                label="API key (kept in this tab only, never saved; or set it on the server)",
                type="password",
                placeholder="not needed for a local endpoint",
            )
            with gr.Row():
                save = gr.Button("Save settings", variant="primary")
                test = gr.Button("Test connection")
            status = gr.Markdown(elem_id="settings-status")
        with gr.Column():
            gr.Markdown("### Voice")
            stt = gr.Radio(STT, value=d.stt, label="Speech recognition")
            tts = gr.Radio(TTS, value=d.tts, label="Interviewer's voice")
            speak = gr.Checkbox(d.speak, label="Read the interviewer's messages aloud")
            autoplay = gr.Checkbox(d.autoplay, label="Play speech automatically")
            problem = voice_problem(ctx.settings)
            gr.Markdown(f"Voice on this server: {'available' if problem is None else problem}.")
    form = [engine, base_url, model, stt, tts, speak, autoplay]
    save.click(
        view.save,
        [engine, base_url, model, typed_key, stt, tts, speak, autoplay, prefs, key],
        [prefs, key, header, status, speaker],
        api_name="settings_save",
    )
    test.click(view.test_connection, [engine, base_url, model, typed_key, key], status, api_name="settings_test")
    return view, [*form, header, speaker]
