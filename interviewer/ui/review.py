"""STAR story review (wired once interviewer.review lands)."""

from __future__ import annotations

import gradio as gr

from .context import AppContext


def build(ctx: AppContext, prefs: gr.BrowserState, key: gr.State) -> None:
    gr.Markdown("STAR review is coming.")
