"""Shared fixtures. Every test runs against a private data directory: no test touches the
user's sessions or index, and tests can run in parallel."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from interviewer import service  # noqa: E402
from interviewer.config import PROJECT_ROOT, Settings, get_settings  # noqa: E402

ROOT = PROJECT_ROOT


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings pointing at a fresh data dir; the process-wide handles are reset around it."""
    monkeypatch.setenv("INTERVIEWER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    get_settings.cache_clear()
    service.reset()
    s = get_settings()
    yield s
    get_settings.cache_clear()
    service.reset()


@pytest.fixture(scope="session")
def shared_index(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One index of the real bank for the whole run: read-only tests share it to save time."""
    from interviewer.bank import load_bank
    from interviewer.index import QuestionIndex

    data = tmp_path_factory.mktemp("shared-index")
    s = Settings(data_dir=data)
    index = QuestionIndex(s)
    index.sync(load_bank(s.knowledge_dir))
    return index
