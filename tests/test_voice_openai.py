"""The OpenAI speech backends through the real openai client, against a local server that
speaks the protocol (``/audio/transcriptions`` and ``/audio/speech``) on 127.0.0.1."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import numpy as np
import pytest
import soundfile as sf

from interviewer.config import Settings
from interviewer.errors import InterviewerError
from interviewer.voice.audiofile import RATE, Clip
from interviewer.voice.stt import get_stt
from interviewer.voice.tts import get_tts


class Handler(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict[str, Any]]] = []
    fail = False

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Handler.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        if Handler.fail:
            self._send(500, b'{"error": {"message": "boom"}}', "application/json")
        elif self.path.endswith("/audio/transcriptions"):
            assert b"RIFF" in body and b'name="model"' in body and b"verbose_json" in body
            result = {
                "text": "We used a two tower model.",
                "language": "english",
                "duration": 2.0,
                "segments": [{"id": 0, "start": 0.0, "end": 1.8, "text": " We used a two tower model.",
                              "avg_logprob": -0.2, "no_speech_prob": 0.01}],
                "words": [{"word": w, "start": i * 0.3, "end": i * 0.3 + 0.25}
                          for i, w in enumerate(["We", "used", "a", "two", "tower", "model"])],
            }  # fmt: skip
            self._send(200, json.dumps(result).encode(), "application/json")
        elif self.path.endswith("/audio/speech"):
            req = json.loads(body)
            seconds = 0.1 * len(req["input"].split())
            t = np.arange(int(24_000 * seconds)) / 24_000
            buf = io.BytesIO()
            sf.write(buf, 0.3 * np.sin(2 * np.pi * 330 * t), 24_000, format="WAV", subtype="PCM_16")
            self._send(200, buf.getvalue(), "audio/wav")
        else:
            self._send(404, b"{}", "application/json")

    def _send(self, code: int, data: bytes, kind: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def server() -> Iterator[str]:
    Handler.requests, Handler.fail = [], False
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()


def openai_settings(tmp_path: Any, url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-123456789")
    return Settings(
        data_dir=tmp_path,
        llm={"base_url": url, "max_retries": 0, "timeout_s": 10},  # type: ignore[arg-type]
        voice={"stt": "openai", "tts": "openai"},  # type: ignore[arg-type]
    )


def speechlike() -> Clip:
    t = np.arange(RATE * 2) / RATE
    return Clip((0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32))


def test_openai_transcription_keeps_timings(server: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    stt = get_stt(openai_settings(tmp_path, server, monkeypatch))
    t = stt.transcribe(speechlike())
    assert t.text == "We used a two tower model."
    assert [w.text for w in t.words][:2] == ["We", "used"] and t.words[1].start == pytest.approx(0.3)
    assert t.segments[0].avg_logprob == -0.2 and not t.low_confidence
    assert t.engine == "openai:whisper-1" and t.duration_s == pytest.approx(2.0)
    assert Handler.requests[0]["auth"] == "Bearer sk-test-123456789"


def test_openai_transcription_skips_the_call_for_silence(
    server: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    stt = get_stt(openai_settings(tmp_path, server, monkeypatch))
    t = stt.transcribe(Clip(np.zeros(RATE, np.float32)))
    assert t.empty and "silent" in t.notes[0]
    assert Handler.requests == []


def test_openai_speech_is_one_request_per_sentence(server: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    tts = get_tts(openai_settings(tmp_path, server, monkeypatch))
    chunks = list(tts.synthesize("Thanks. How would you scale the feature store?"))
    assert [c.text for c in chunks] == ["Thanks.", "How would you scale the feature store?"]
    assert all(c.rate == 24_000 for c in chunks)
    assert chunks[1].duration_s == pytest.approx(0.7, abs=0.01)
    sent = [json.loads(r["body"]) for r in Handler.requests]
    assert [s["input"] for s in sent] == ["Thanks.", "How would you scale the feature store?"]
    assert all(s["response_format"] == "wav" and s["voice"] == "alloy" for s in sent)


def test_server_errors_become_clear_errors(server: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = openai_settings(tmp_path, server, monkeypatch)
    Handler.fail = True
    with pytest.raises(InterviewerError, match=r"speech recognition at .*127.0.0.1.* failed"):
        get_stt(settings).transcribe(speechlike())
    with pytest.raises(InterviewerError, match=r"speech synthesis at .* failed"):
        list(get_tts(settings).synthesize("Hello."))


def test_openai_without_key_or_endpoint_says_how_to_fix_it(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    settings = Settings(data_dir=tmp_path, voice={"stt": "openai"})  # type: ignore[arg-type]
    with pytest.raises(InterviewerError, match="OPENAI_API_KEY is not set"):
        get_stt(settings)
