"""The LLM layer and the scripted OpenAI server, through the real ``openai`` client and ``ChatOpenAI``."""

from __future__ import annotations

import openai
import pytest

from interviewer.config import LLMSettings
from interviewer.llm import LLM, LLMUnavailable, get_llm
from interviewer.testing_openai import (
    BrokenBody,
    JSONReply,
    OpenAIStubServer,
    Reply,
    Respond,
    ScriptExhausted,
    Slow,
    Status,
)


def _client(srv: OpenAIStubServer, **kw: object) -> openai.OpenAI:
    return openai.OpenAI(base_url=srv.base_url, api_key="test-key", **kw)  # type: ignore[arg-type]


def _llm(srv: OpenAIStubServer, **kw: object) -> LLM:
    return LLM(LLMSettings(base_url=srv.base_url, model="stub-model", **kw))  # type: ignore[arg-type]


# -- the stub server, through the raw openai client ---------------------------------------------

def test_stub_serves_plain_and_streamed_completions_and_records_requests() -> None:
    with OpenAIStubServer([Reply("plain reply"), Reply("a streamed reply in pieces", chunk_size=5)]) as srv:
        client = _client(srv)
        plain = client.chat.completions.create(model="m1", messages=[{"role": "user", "content": "first"}])
        stream = client.chat.completions.create(
            model="m1", messages=[{"role": "user", "content": "second"}], stream=True
        )
        deltas = [c.choices[0].delta.content for c in stream if c.choices and c.choices[0].delta.content]
    assert plain.choices[0].message.content == "plain reply"
    assert plain.model == "m1"
    assert len(deltas) > 1 and "".join(deltas) == "a streamed reply in pieces"
    assert [r.body["messages"][0]["content"] for r in srv.chat_requests if r.body] == ["first", "second"]
    assert srv.chat_requests[1].body is not None and srv.chat_requests[1].body["stream"] is True
    assert srv.chat_requests[0].headers["authorization"] == "Bearer test-key"
    assert srv.remaining == 0 and not srv.exhausted


def test_stub_lists_models_and_embeds_deterministically() -> None:
    with OpenAIStubServer(model="tiny") as srv:
        client = _client(srv)
        assert [m.id for m in client.models.list().data] == ["tiny"]
        a = client.embeddings.create(model="e", input=["same text", "other"]).data
        b = client.embeddings.create(model="e", input="same text").data
    assert a[0].embedding == b[0].embedding
    assert a[0].embedding != a[1].embedding
    assert abs(sum(x * x for x in a[0].embedding) - 1.0) < 1e-6
    assert not srv.chat_requests  # models and embeddings consume no chat step


def test_client_retries_429_and_500_then_gets_the_reply() -> None:
    with OpenAIStubServer([Status(429), Status(500), Reply("third time")]) as srv:
        reply = _client(srv, max_retries=2).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x"}]
        )
    assert reply.choices[0].message.content == "third time"
    assert len(srv.chat_requests) == 3


def test_exhausted_script_answers_500_sets_the_flag_and_fails_the_with_block() -> None:
    srv = OpenAIStubServer([Reply("only one")])
    with pytest.raises(ScriptExhausted), srv:
        client = _client(srv, max_retries=3)
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "1"}])
        with pytest.raises(openai.InternalServerError, match="script exhausted"):
            client.chat.completions.create(model="m", messages=[{"role": "user", "content": "2"}])
    assert srv.exhausted
    assert len(srv.chat_requests) == 2  # x-should-retry: false stops the client retrying


def test_respond_computes_replies_from_the_request() -> None:
    with OpenAIStubServer([Respond(lambda body: body["messages"][-1]["content"].upper(), times=2)]) as srv:
        client = _client(srv)
        replies = [client.chat.completions.create(model="m", messages=[{"role": "user", "content": t}]) for t in "ab"]
    got = [r.choices[0].message.content for r in replies]
    assert got == ["A", "B"]


def test_stub_checks_the_api_key_when_given_one() -> None:
    srv = OpenAIStubServer([Reply("never")], api_key="right", strict=False)
    with srv, pytest.raises(openai.AuthenticationError):
        _client(srv).chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    assert srv.remaining == 1


# -- the LLM layer, through ChatOpenAI -------------------------------------------------------------

def test_llm_complete_and_stream_through_chatopenai() -> None:
    with OpenAIStubServer([JSONReply({"level": 3}), Reply("streamed through langchain", chunk_size=4)]) as srv:
        llm = _llm(srv, temperature=0.0)
        assert llm.complete([("system", "be terse"), ("user", "hello")]) == '{"level": 3}'
        pieces = list(llm.stream([("user", "again")]))
    assert len(pieces) > 1 and "".join(pieces) == "streamed through langchain"
    first = srv.chat_requests[0].body or {}
    assert first["model"] == "stub-model" and first["temperature"] == 0.0
    assert [m["role"] for m in first["messages"]] == ["system", "user"]
    assert (srv.chat_requests[1].body or {}).get("stream") is True
    assert llm.name == "llm:stub-model"


def test_llm_retries_429_with_backoff_then_succeeds() -> None:
    with OpenAIStubServer([Status(429), Status(503), Reply("ok")]) as srv:
        assert _llm(srv, max_retries=2).complete([("user", "x")]) == "ok"
    assert len(srv.chat_requests) == 3


def test_llm_raises_unavailable_after_the_retry_budget() -> None:
    srv = OpenAIStubServer([Status(500), Status(500)])
    with srv, pytest.raises(LLMUnavailable, match=r"HTTP 500, after 2 attempts") as err:
        _llm(srv, max_retries=1).complete([("user", "x")])
    assert err.value.model == "stub-model"
    assert len(srv.chat_requests) == 2


def test_llm_timeout_becomes_unavailable() -> None:
    with OpenAIStubServer([Slow(10)]) as srv, pytest.raises(LLMUnavailable, match=r"no reply .* within 0\.3 s"):
        _llm(srv, timeout_s=0.3, max_retries=0).complete([("user", "x")])


def test_llm_rate_limit_and_garbage_bodies_are_named() -> None:
    with OpenAIStubServer([Status(429, retry_after=None), BrokenBody()]) as srv:
        llm = _llm(srv, max_retries=0)
        with pytest.raises(LLMUnavailable, match="rate limited"):
            llm.complete([("user", "x")])
        with pytest.raises(LLMUnavailable, match="not a chat completion"):
            llm.complete([("user", "x")])


def test_streaming_failure_is_unavailable_too() -> None:
    with OpenAIStubServer([Status(500)]) as srv, pytest.raises(LLMUnavailable):
        list(_llm(srv, max_retries=0).stream([("user", "x")]))


def test_get_llm_offline_is_none_and_missing_key_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_SUCH_KEY_VAR", raising=False)
    assert get_llm(LLMSettings()) is None
    with pytest.raises(LLMUnavailable, match=r"\$NO_SUCH_KEY_VAR"):
        get_llm(LLMSettings(api_key_env="NO_SUCH_KEY_VAR"), engine="llm")
    local = get_llm(LLMSettings(base_url="http://127.0.0.1:9/v1", api_key_env="NO_SUCH_KEY_VAR"), engine="llm")
    assert local is not None and local.name == "llm:gpt-4o-mini"


def test_unreachable_endpoint_is_unavailable() -> None:
    from conftest import free_port

    llm = LLM(LLMSettings(base_url=f"http://127.0.0.1:{free_port()}/v1", max_retries=0, timeout_s=2))
    with pytest.raises(LLMUnavailable, match="cannot connect"):
        llm.complete([("user", "x")])


@pytest.mark.parametrize(("finish", "why"), [("length", "token limit"), ("content_filter", "content filter")])
def test_a_streamed_reply_cut_off_by_the_server_is_not_passed_as_whole(finish: str, why: str) -> None:
    cut = "What did you measure after the launch, and how did you"
    with OpenAIStubServer([Reply(cut, finish_reason=finish, chunk_size=8)]) as srv:
        pieces: list[str] = []
        with pytest.raises(LLMUnavailable, match=f"cut off .*{why}"):
            for piece in _llm(srv, max_retries=0).stream([("user", "x")]):
                pieces.append(piece)
    assert "".join(pieces) == cut  # what arrived was shown; the caller corrects it in the open
    with OpenAIStubServer([Reply("A whole question?", finish_reason="stop")]) as srv:
        assert "".join(_llm(srv).stream([("user", "x")])) == "A whole question?"
