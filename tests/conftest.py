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

from interviewer import service
from interviewer.config import PROJECT_ROOT, Settings, get_settings

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


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A real ``chroma run`` server on 127.0.0.1, for the client-server mode."""
    import shutil
    import subprocess
    import sys
    import time
    import urllib.request

    port = free_port()
    exe = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
    log = tmp_path_factory.mktemp("chroma-server") / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [exe, "run", "--path", str(log.parent / "db"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"chroma server did not start: {log.read_text(errors='replace')[-2000:]}") from None
            time.sleep(0.2)
    yield "127.0.0.1", port
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
