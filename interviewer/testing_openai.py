"""A real OpenAI-compatible HTTP server on 127.0.0.1 that replies from a script.

Tests of the LLM path run the real ``openai`` client (and ``ChatOpenAI`` on top of it) against
this server, so retries, timeouts, SSE streaming and JSON parsing are exercised for real; only
the model is scripted. Each chat request consumes the next step of the script::

    with OpenAIStubServer([Status(429), Reply("hi"), Slow(5, "late")]) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="x")
        ...
    assert len(srv.chat_requests) == 3

When the script runs out the server answers HTTP 500 "script exhausted" (with
``x-should-retry: false`` so clients give up at once), sets :attr:`OpenAIStubServer.exhausted`,
and, unless ``strict=False``, raises :class:`ScriptExhausted` when the ``with`` block ends: a
test that makes more calls than it planned fails loudly instead of passing by accident.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class ScriptExhausted(AssertionError):
    """The code under test made more chat requests than the script had steps."""


@dataclass(frozen=True)
class Reply:
    """A normal completion with ``text`` (streamed in ``chunk_size``-character deltas when asked)."""

    text: str
    delay: float = 0.0
    chunk_size: int = 8
    finish_reason: str = "stop"


def JSONReply(obj: Any, delay: float = 0.0) -> Reply:
    """A completion whose text is ``obj`` serialised as JSON."""
    return Reply(json.dumps(obj), delay=delay)


def Malformed(text: str = '{"evidence": ["unterminated', delay: float = 0.0) -> Reply:
    """A completion whose text is not the JSON the caller asked for (truncated JSON by default)."""
    return Reply(text, delay=delay)


def Slow(seconds: float, text: str = "too late") -> Reply:
    """A completion sent only after ``seconds``: long enough to trip the client's timeout."""
    return Reply(text, delay=seconds)


@dataclass(frozen=True)
class Status:
    """An HTTP error (429, 500, 503, 401...). ``retry_after`` (seconds) keeps client backoff short."""

    code: int
    message: str = ""
    retry_after: float | None = 0.01


@dataclass(frozen=True)
class BrokenBody:
    """HTTP 200 whose body is not a chat completion at all: a misbehaving proxy or server."""

    body: bytes = b"<html>502 bad gateway</html>"
    content_type: str = "text/html"


@dataclass(frozen=True)
class Respond:
    """Reply computed from the request (its JSON body), for ``times`` requests.

    For concurrent callers, whose request order is not fixed: ``fn`` returns a reply text or a step.
    """

    fn: Callable[[dict[str, Any]], str | Reply | Status | BrokenBody]
    times: int = 1


Step = Reply | Status | BrokenBody | Respond


@dataclass
class Recorded:
    """One request the server received, as the client sent it."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    at: float = field(default_factory=time.monotonic)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list((self.body or {}).get("messages", []))

    def text(self) -> str:
        """Every message's content joined: what a test greps for."""
        return "\n".join(str(m.get("content", "")) for m in self.messages)


class OpenAIStubServer:
    """``POST /v1/chat/completions`` (plain and SSE), ``GET /v1/models``, ``POST /v1/embeddings``."""

    def __init__(
        self,
        steps: Iterable[Step] = (),
        *,
        model: str = "stub-model",
        strict: bool = True,
        api_key: str | None = None,
    ) -> None:
        self.model = model
        self.strict = strict
        self.api_key = api_key
        self.requests: list[Recorded] = []
        self.exhausted = False
        self._steps: deque[Step] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.add(*steps)

    # -- script -------------------------------------------------------------------------------
    def add(self, *steps: Step) -> None:
        """Append steps; a test can extend the script between phases."""
        with self._lock:
            for step in steps:
                if isinstance(step, Respond):
                    self._steps.extend(Respond(step.fn, 1) for _ in range(step.times))
                else:
                    self._steps.append(step)

    @property
    def remaining(self) -> int:
        with self._lock:
            return len(self._steps)

    @property
    def chat_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def _next(self, body: dict[str, Any]) -> Reply | Status | BrokenBody | None:
        with self._lock:
            if not self._steps:
                self.exhausted = True
                return None
            step = self._steps.popleft()
        if isinstance(step, Respond):
            out = step.fn(body)
            return Reply(out) if isinstance(out, str) else out
        return step

    # -- lifecycle ----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """What to give a client as ``base_url`` (ends in ``/v1``)."""
        if self._httpd is None:
            raise RuntimeError("the stub server is not running: use it as a context manager or call start()")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> OpenAIStubServer:
        handler = type("Handler", (_Handler,), {"stub": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), name="openai-stub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()  # wakes handlers sleeping in a Slow step
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> OpenAIStubServer:
        return self.start()

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.stop()
        if self.strict and self.exhausted and exc_type is None:
            raise ScriptExhausted(
                f"the code under test made {len(self.chat_requests)} chat request(s), more than the script had"
            )


class _Handler(BaseHTTPRequestHandler):
    stub: OpenAIStubServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: pytest shows failures, not access logs
        pass

    # -- routing -------------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._record(None)
        if self.path.rstrip("/").endswith("/models"):
            model = {"id": self.stub.model, "object": "model", "owned_by": "stub"}
            self._json(200, {"object": "list", "data": [model]})
        else:
            self._error(404, f"no route GET {self.path}", "not_found")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._record(None)
            self._error(400, "request body is not JSON", "invalid_request_error")
            return
        self._record(body)
        if self.stub.api_key is not None and self.headers.get("Authorization") != f"Bearer {self.stub.api_key}":
            self._error(401, "invalid api key", "invalid_api_key")
        elif self.path.endswith("/chat/completions"):
            self._chat(body)
        elif self.path.endswith("/embeddings"):
            self._embeddings(body)
        else:
            self._error(404, f"no route POST {self.path}", "not_found")

    def _record(self, body: dict[str, Any] | None) -> None:
        rec = Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        with self.stub._lock:
            self.stub.requests.append(rec)

    # -- chat ------------------------------------------------------------------------------------
    def _chat(self, body: dict[str, Any]) -> None:
        step = self.stub._next(body)
        if step is None:
            self._error(500, "script exhausted: the test scripted fewer replies than were requested",
                        "script_exhausted", headers={"x-should-retry": "false"})
        elif isinstance(step, Status):
            headers = {"retry-after-ms": str(int(step.retry_after * 1000))} if step.retry_after is not None else {}
            self._error(step.code, step.message or f"scripted HTTP {step.code}", _ERROR_TYPES.get(step.code, "error"),
                        headers=headers)
        elif isinstance(step, BrokenBody):
            self._send(200, step.body, step.content_type)
        else:
            if step.delay and self.stub._closing.wait(step.delay):
                return
            if body.get("stream"):
                self._stream(step, body)
            else:
                self._json(200, self._completion(step, body))

    def _completion(self, step: Reply, body: dict[str, Any]) -> dict[str, Any]:
        n = int(body.get("n") or 1)
        return {
            "id": _id(step.text),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model") or self.stub.model,
            "choices": [
                {"index": i, "message": {"role": "assistant", "content": step.text},
                 "finish_reason": step.finish_reason, "logprobs": None}
                for i in range(n)
            ],
            "usage": _usage(body, step.text),
        }

    def _stream(self, step: Reply, body: dict[str, Any]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        base = {"id": _id(step.text), "object": "chat.completion.chunk", "created": int(time.time()),
                "model": body.get("model") or self.stub.model}
        pieces = [step.text[i : i + step.chunk_size] for i in range(0, len(step.text), step.chunk_size)] or [""]
        try:
            for i, piece in enumerate(pieces):
                delta = {"role": "assistant", "content": piece} if i == 0 else {"content": piece}
                self._event({**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
            self._event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": step.finish_reason}]})
            if (body.get("stream_options") or {}).get("include_usage"):
                self._event({**base, "choices": [], "usage": _usage(body, step.text)})
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _event(self, obj: dict[str, Any]) -> None:
        self.wfile.write(b"data: " + json.dumps(obj).encode() + b"\n\n")
        self.wfile.flush()

    # -- embeddings ------------------------------------------------------------------------------
    def _embeddings(self, body: dict[str, Any]) -> None:
        """Deterministic unit vectors from a hash of each input: stable, not meaningful."""
        import numpy as np

        inputs = body.get("input", [])
        texts = [inputs] if isinstance(inputs, str) else list(inputs)
        dims = int(body.get("dimensions") or 16)
        data = []
        for i, text in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(str(text).encode()).digest()[:8], "little")
            vec = np.random.default_rng(seed).standard_normal(dims)
            data.append({"object": "embedding", "index": i, "embedding": (vec / np.linalg.norm(vec)).tolist()})
        self._json(200, {"object": "list", "data": data, "model": body.get("model") or self.stub.model,
                         "usage": {"prompt_tokens": 0, "total_tokens": 0}})

    # -- plumbing --------------------------------------------------------------------------------
    def _json(self, code: int, obj: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self._send(code, json.dumps(obj).encode(), "application/json", headers)

    def _error(self, code: int, message: str, kind: str, headers: dict[str, str] | None = None) -> None:
        self._json(code, {"error": {"message": message, "type": kind, "code": kind, "param": None}}, headers)

    def _send(self, code: int, payload: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout); nothing to tell it


_ERROR_TYPES = {400: "invalid_request_error", 401: "invalid_api_key", 404: "not_found",
                429: "rate_limit_exceeded", 500: "server_error", 503: "overloaded"}


def _id(text: str) -> str:
    return "chatcmpl-" + hashlib.sha1(text.encode()).hexdigest()[:12]


def _usage(body: dict[str, Any], text: str) -> dict[str, int]:
    prompt = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))
    completion = len(text.split())
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
