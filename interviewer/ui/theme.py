"""Look and feel: a theme with system fonts (offline: no font CDN), the stylesheet, and the header."""

from __future__ import annotations

import html
from functools import cache
from importlib import resources

import gradio as gr

SYSTEM_FONTS = ("ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif")
MONO_FONTS = ("ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace")


def theme() -> gr.themes.Base:
    # The stock themes load Google Fonts; an offline app must not wait on a CDN.
    return gr.themes.Soft(
        primary_hue="indigo",
        secondary_hue="sky",
        neutral_hue="slate",
        font=list(SYSTEM_FONTS),
        font_mono=list(MONO_FONTS),
        radius_size="md",
    )


@cache
def css() -> str:
    return resources.files("interviewer.ui").joinpath("style.css").read_text(encoding="utf-8")


def header_html(engine: str) -> str:
    """The title bar; the active engine is always in view, since it decides what every score means."""
    kind = "offline" if engine == "offline" else "llm"
    return (
        '<div class="iv-header">'
        '<div class="iv-brand"><span class="iv-logo" aria-hidden="true">◆</span>'
        "<span><strong>interviewer</strong> · mock interviews for ML engineers</span></div>"
        f'<div class="iv-engine iv-engine-{kind}" role="status" aria-live="polite" id="active-engine">'
        f"Engine: <strong>{html.escape(engine)}</strong></div>"
        "</div>"
    )
