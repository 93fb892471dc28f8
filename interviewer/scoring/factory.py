"""Choosing a scorer by name: the one place that knows which engines exist.

Live interviews, STAR review, ``interviewer score`` and evaluation runs all ask here, so an engine
falls back, names itself and loads its model the same way wherever it is used.
"""

from __future__ import annotations

import threading
from typing import Literal

from interviewer.config import Settings, get_settings
from interviewer.errors import DataError, InputError
from interviewer.rubrics import Rubric, load_rubric
from interviewer.scoring.types import Scorer

Engine = Literal["offline", "llm"]
ENGINES: tuple[str, ...] = ("offline", "llm")

_lock = threading.Lock()
_offline: dict[tuple[str, str], Scorer] = {}


def default_engine(settings: Settings) -> Engine:
    return "llm" if settings.llm.engine == "openai" else "offline"


def get_scorer(engine: str | None = None, settings: Settings | None = None, *, batch: bool = False) -> Scorer:
    """The scorer for ``engine`` (default: the configured one).

    ``llm`` always returns a judge, even without a usable endpoint: it then scores offline and
    marks every assessment as a fallback, so asking for the LLM never silently means offline.
    ``batch`` is for evaluation runs: a private offline scorer whose encoder embeds the next
    items' sentences together (see :class:`interviewer.evaluation.PrimedEncoder`).
    """
    settings = settings or get_settings()
    engine = engine or default_engine(settings)
    if engine == "offline" and batch:
        from interviewer.embeddings import get_encoder
        from interviewer.evaluation import PrimedEncoder
        from interviewer.scoring.offline import OfflineScorer
        from interviewer.service import get_bank

        return OfflineScorer(
            encoder=PrimedEncoder(get_encoder(settings)), rubric=_rubric(settings), bank=lambda: get_bank(settings)
        )
    if engine == "offline":
        return offline_scorer(settings)
    if engine in ("llm", "openai"):
        from interviewer.scoring.judge import LLMJudge

        return LLMJudge.from_settings(settings, fallback=lambda: offline_scorer(settings), rubric=_rubric(settings))
    raise InputError(f"unknown scoring engine {engine!r}: use one of {', '.join(ENGINES)}")


def offline_scorer(settings: Settings | None = None) -> Scorer:
    """One offline scorer per rubric and bank folder: loading its encoder and models takes a second."""
    settings = settings or get_settings()
    key = (str(settings.rubrics_dir), str(settings.knowledge_dir))
    with _lock:
        if key not in _offline:
            from interviewer.scoring.offline import OfflineScorer
            from interviewer.service import get_bank

            _offline[key] = OfflineScorer(rubric=_rubric(settings), bank=lambda: get_bank(settings))
        return _offline[key]


def _rubric(settings: Settings) -> Rubric | None:
    try:
        return load_rubric(settings.rubrics_dir)
    except DataError:
        return None


def rubric_version(settings: Settings) -> str:
    """The rubric digest for cache keys; ``none`` when no rubric can be loaded."""
    rubric = _rubric(settings)
    return rubric.version() if rubric is not None else "none"
