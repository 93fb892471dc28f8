"""The whole app: header, tabs, per-user state, and the queue that keeps users apart.

:func:`create_app` only builds (tests drive it without a server); :func:`launch` serves it.

Concurrency: interview turns run in the default queue group (several at once, so one user's
answer never waits on another's); evaluation runs have their own group of one, and speech its
own, so a long run or a transcription never holds up an interview.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import gradio as gr

from interviewer.config import Settings

from . import evaluation, history, interview, review
from . import settings as settings_tab
from .context import AppContext
from .state import Preferences
from .theme import css, header_html, theme
from .voice import SPEECH_DIR, SPEECH_JS

log = logging.getLogger(__name__)

#: Interview events served at once (each turn is ~0.1-0.4 s of CPU offline).
INTERVIEW_CONCURRENCY = 4
#: Browser sessions' state is kept this long after the tab goes quiet (seconds).
STATE_TTL_S = 6 * 3600
PREFS_KEY = "interviewer-preferences"


def create_app(settings: Settings | None = None, *, context: AppContext | None = None) -> gr.Blocks:
    """Build the Blocks (no server, no model loading: that happens on first use or in ``launch``)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    ctx = context or (AppContext(settings) if settings is not None else AppContext())
    defaults = Preferences.from_settings(ctx.settings)
    with gr.Blocks(title="interviewer · mock interviews for ML engineers", analytics_enabled=False) as demo:
        prefs = gr.BrowserState(defaults.model_dump(), storage_key=PREFS_KEY, secret=ctx.browser_secret())
        key = gr.State(None, time_to_live=STATE_TTL_S)
        header = gr.HTML(header_html(defaults.engine_label()), elem_id="app-header")
        with gr.Tabs():
            with gr.Tab("Mock interview", id="interview"):
                speaker = interview.build(demo, ctx, prefs, key)
            with gr.Tab("STAR review", id="review") as review_tab:
                review.build(demo, ctx, prefs, key, review_tab)
            with gr.Tab("History & progress", id="history") as history_tab:
                history.build(ctx, prefs, key, history_tab)
            with gr.Tab("Evaluation", id="evaluation"):
                evaluation.build(ctx, prefs, key)
            with gr.Tab("Settings", id="settings"):
                settings_view, loaded = settings_tab.build(ctx, prefs, key, header, speaker)
        demo.load(settings_view.load, [prefs, key], loaded, api_visibility="private", show_progress="hidden")
    demo.queue(default_concurrency_limit=INTERVIEW_CONCURRENCY)
    demo.interviewer_context = ctx
    return demo


def launch(
    demo: gr.Blocks,
    *,
    host: str = "127.0.0.1",
    port: int = 7860,
    block: bool = True,
    quiet: bool = False,
) -> tuple[Any, str]:
    """Serve the app (never shared publicly); returns (FastAPI app, local URL)."""
    SPEECH_DIR.mkdir(parents=True, exist_ok=True)
    app, url, _ = demo.launch(
        server_name=host,
        server_port=port,
        share=False,
        prevent_thread_lock=True,
        quiet=quiet,
        show_error=False,
        theme=theme(),
        css=css(),
        footer_links=["gradio"],
        allowed_paths=[str(SPEECH_DIR)],
        head=SPEECH_JS,
        max_file_size="20mb",
    )
    # The model, Chroma and the database load once the page is being served, not before: on
    # two cores a loading thread would only slow the server's start. The first interview
    # start waits for them (a few seconds at most, usually over by then).
    ctx: AppContext | None = getattr(demo, "interviewer_context", None)
    if ctx is not None:
        ctx.warm_up()
    if block:
        demo.block_thread()
    return app, url
