"""Settings: engine choice per browser, the typed key kept out of storage, a real endpoint test,
and an LLM engine that fails falling back visibly in the interview (real openai client, real HTTP)."""

from __future__ import annotations

import json
from pathlib import Path

import gradio as gr
import pytest

from interviewer.config import Settings
from interviewer.testing_openai import OpenAIStubServer, Reply, Status
from interviewer.ui.app import create_app
from interviewer.ui.context import AppContext
from interviewer.ui.state import Preferences
from interviewer.ui.testing import handler, is_skip

KEY = "sk-typed-in-the-browser-0123456789"


@pytest.fixture
def demo(tmp_path: Path, shared_index, monkeypatch: pytest.MonkeyPatch) -> gr.Blocks:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    return create_app(context=AppContext(Settings(data_dir=tmp_path / "data"), preloaded_index=shared_index))


def save(demo: gr.Blocks, **kw) -> tuple:  # type: ignore[no-untyped-def, type-arg]
    args = {
        "engine": "offline",
        "base_url": "",
        "model": "gpt-4o-mini",
        "typed_key": "",
        "stt": "whisper",
        "tts": "espeak",
        "speak": False,
        "autoplay": True,
        "prefs": None,
        "key": None,
        **kw,
    }
    return handler(demo, "settings_save")(**args)


def test_offline_is_the_default_and_shown_in_the_header(demo: gr.Blocks) -> None:
    engine, *_, header, speaker = handler(demo, "load")(None, None)
    assert engine == "offline" and "Engine: <strong>offline</strong>" in header
    assert speaker.visible is False
    prefs, key, header, status, speaker = save(demo, speak=True)
    assert Preferences.load(prefs).engine == "offline" and key is None
    assert "offline" in header and "offline" in status
    assert speaker.visible is True


def test_the_typed_key_is_used_but_never_stored(demo: gr.Blocks) -> None:
    prefs, key, header, _status, _ = save(demo, engine="llm", typed_key=KEY, model="gpt-x")
    assert key == KEY
    assert KEY not in json.dumps(prefs)  # what the browser keeps in localStorage
    assert "llm:gpt-x @ api.openai.com" in header
    settings = Preferences.load(prefs).settings(Settings(), key)
    secret = settings.llm.api_key()
    assert secret is not None and secret.get_secret_value() == KEY
    assert KEY not in json.dumps(settings.masked()) and KEY not in repr(settings)
    reloaded = handler(demo, "load")(prefs, key)
    assert reloaded[0] == "llm" and reloaded[2] == "gpt-x"


def test_bad_engine_settings_are_refused_with_a_reason(demo: gr.Blocks) -> None:
    with pytest.warns(UserWarning, match="needs a key"):
        assert is_skip(save(demo, engine="llm"))
    with pytest.warns(UserWarning, match="not an http"):
        assert is_skip(save(demo, engine="llm", base_url="ftp://example"))
    prefs = save(demo, engine="llm", base_url="http://127.0.0.1:9/v1/")[0]
    assert Preferences.load(prefs).base_url == "http://127.0.0.1:9/v1"


def test_connection_test_talks_to_a_real_endpoint(demo: gr.Blocks) -> None:
    check = handler(demo, "settings_test")
    assert "needs no connection" in check("offline", "", "", "", None)
    with OpenAIStubServer([Reply("ready")], api_key=KEY) as srv:
        ok = check("llm", srv.base_url, "stub-model", KEY, None)
        assert ok.startswith("**Connected**") and "'ready'" in ok
        assert srv.chat_requests[0].headers.get("authorization") == f"Bearer {KEY}"
    with OpenAIStubServer([Status(500, "boom")], strict=False) as srv:
        assert check("llm", srv.base_url, "stub-model", "", None).startswith("**Not connected:**")
    with OpenAIStubServer([], api_key=KEY) as srv:
        refused = check("llm", srv.base_url, "stub-model", "wrong-key", None)
        assert "Not connected" in refused and "401" in refused


def test_a_failing_llm_engine_falls_back_visibly_in_the_interview(demo: gr.Blocks) -> None:
    with OpenAIStubServer([], strict=False) as srv:  # every call: HTTP 500
        prefs = save(demo, engine="llm", base_url=srv.base_url, model="stub-model")[0]
        start = handler(demo, "interview_start")
        live = start("Single round", "behavioral", "", "MLE3", [], "", True, prefs, None)[0]
        assert "llm:stub-model" in live.engine
        text = "I led the ranking migration and cut p99 latency from 80 ms to 45 ms, measured in an A/B test."
        turn = handler(demo, "interview_answer")(live, text)
        echo = next(turn)  # an endpoint takes seconds: the answer shows before it is scored
        assert echo[1][-1] == {"role": "user", "content": text} and echo[2] == ""
        out = [echo, *turn]
        feedback = out[-1][4].value
        assert "fallback" in feedback  # scored offline because the endpoint failed, and it says so
        assert srv.chat_requests  # the endpoint was really asked
        handler(demo, "interview_end")(live)
        summary = handler(demo, "show_scorecard")(live)[1]
        assert "Fallbacks" in summary
