"""The app served for real (HTTP, queue, per-session state) and used by two clients at once."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from interviewer.config import PROJECT_ROOT, Settings
from interviewer.testing_openai import OpenAIStubServer, Respond
from interviewer.ui.app import create_app, launch
from interviewer.ui.context import AppContext

ANSWER = "I owned the ranking migration and cut p99 latency from 80 ms to 45 ms, measured in an A/B test."


@pytest.fixture
def served(tmp_path: Path, shared_index, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    demo = create_app(context=AppContext(Settings(data_dir=tmp_path / "data"), preloaded_index=shared_index))
    _, url = launch(demo, port=_free_port(), block=False, quiet=True)
    yield url
    demo.close()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def client(url: str) -> Any:
    from gradio_client import Client

    return Client(url, verbose=False)


def start(c: Any, round_id: str) -> list[dict[str, Any]]:
    out = c.predict("Single round", round_id, "", "MLE3", [], "", False, None, api_name="/interview_start")
    return list(out[0])


def test_two_browsers_keep_their_own_interviews(served: str) -> None:
    a, b = client(served), client(served)
    chat_a, chat_b = start(a, "behavioral"), start(b, "ml_theory")
    assert chat_a[0]["content"] != chat_b[0]["content"]
    after_a = a.predict(ANSWER, api_name="/interview_answer")[0]
    assert [m["role"] for m in after_a] == ["assistant", "user", "assistant"]
    after_b = b.predict("I don't know.", api_name="/interview_answer")[0]
    assert after_b[0]["content"] == chat_b[0]["content"]  # B's own interview, untouched by A's answer
    assert [m["role"] for m in after_b] == ["assistant", "user", "assistant"]
    assert ANSWER not in json.dumps(after_b)


def test_a_long_evaluation_does_not_block_an_interview(served: str, tmp_path: Path) -> None:
    gate = threading.Event()

    def held(_: dict[str, Any]) -> str:
        gate.wait(60)  # the endpoint answers only when the test says so
        return "not the judge's JSON"

    lines = (PROJECT_ROOT / "evals" / "data" / "train.jsonl").read_text().splitlines()[:2]
    data = tmp_path / "two.jsonl"
    data.write_text("\n".join(lines) + "\n")
    with OpenAIStubServer([Respond(held, times=200)], strict=False) as srv:
        a, b = client(served), client(served)
        prefs = a.predict(
            "llm", srv.base_url, "stub-model", "", "whisper", "espeak", False, True, None, api_name="/settings_save"
        )[0]
        from gradio_client import handle_file

        job = a.submit(None, handle_file(str(data)), 0, prefs, api_name="/eval_run")
        deadline = time.monotonic() + 60
        while not srv.chat_requests:  # wait until the run is inside the endpoint call
            assert time.monotonic() < deadline, "the evaluation never called the endpoint"
            time.sleep(0.05)
        start(b, "behavioral")
        reply = b.predict(ANSWER, api_name="/interview_answer")[0]
        assert reply[-1]["role"] == "assistant"
        assert not job.done()  # the interview went through while the evaluation was still running
        gate.set()
        summary = job.result(timeout=120)[0]
    assert "**2 item(s)**" in summary and "fell back to offline" in summary
