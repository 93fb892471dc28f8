"""Which engine scores and writes follow-ups for one user, from their Settings choice.

The app never picks an engine behind the user's back: offline unless they chose an endpoint,
and whatever scored is named in the header, the live feedback and the scorecard.
"""

from __future__ import annotations

from typing import Literal

from interviewer.config import Settings
from interviewer.scoring.factory import default_engine, get_scorer
from interviewer.scoring.types import Scorer


def followup_writer(settings: Settings) -> Literal["offline", "llm"]:
    return default_engine(settings)


def scorer_for(settings: Settings) -> Scorer:
    """The configured scorer; the LLM judge falls back to offline visibly when the endpoint fails."""
    return get_scorer(default_engine(settings), settings=settings)
