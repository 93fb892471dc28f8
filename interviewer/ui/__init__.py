"""The browser app: one module per view, wired together by :func:`interviewer.ui.app.create_app`.

Views hold no state of their own: everything a user has (the live interview, their engine
choice, an uploaded dataset) lives in ``gr.State`` / ``gr.BrowserState``, so two people using
the app at once share nothing but the read-only bank, index and session database.
"""

from .gradio_import import speed_up_gradio_import

speed_up_gradio_import()  # before any view imports gradio: see gradio_import
