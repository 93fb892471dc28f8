"""The one door to a chat model: ``offline`` (no model at all) or any OpenAI-compatible endpoint.

Every LLM feature (the judge, LLM-written follow-ups) goes through :class:`LLM`, so retries,
timeouts and error wording live in one place. Retrying with exponential backoff on 429, 5xx,
timeouts and dropped connections is the ``openai`` client's own (it also honours ``Retry-After``);
this module sets the budget and, once it is spent, raises :class:`LLMUnavailable` with a reason a
person can act on. Callers catch exactly that and fall back to the offline engine *visibly*
(the engine name and ``fallback_reason`` say so): a silent fake score is the one thing a coach
must never produce.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from pydantic import ValidationError

from interviewer.config import LLMSettings, Settings, get_settings
from interviewer.errors import InterviewerError

log = logging.getLogger(__name__)

#: Messages as LangChain takes them: message objects or ``(role, content)`` pairs.
Messages = Sequence[BaseMessage | tuple[str, str]]

#: A placeholder key for endpoints that need none (llama.cpp, vLLM, Ollama): the client insists on one.
NO_KEY = "not-needed"


#: Finish reasons that mean the reply stopped before the model meant it to.
CUT_OFF = {"length": "the server's token limit or a full context", "content_filter": "a content filter"}


class LLMUnavailable(InterviewerError):
    """The endpoint could not produce a reply after the retry budget; fall back, and say so."""

    def __init__(self, model: str, reason: str) -> None:
        super().__init__(f"LLM {model} unavailable: {reason}")
        self.model = model
        self.reason = reason


class LLM:
    """A configured chat endpoint: ``complete`` for a whole reply, ``stream`` for tokens as they come."""

    def __init__(self, config: LLMSettings, chat: BaseChatModel | None = None) -> None:
        self.config = config
        self.chat = chat if chat is not None else chat_model(config)

    @property
    def name(self) -> str:
        """How reports name this engine, e.g. ``llm:gpt-4o-mini``."""
        return f"llm:{self.config.model}"

    def complete(self, messages: Messages, **params: Any) -> str:
        """The reply's text. ``params`` are per-call model settings (e.g. ``temperature``)."""
        chat = self.chat.bind(**params) if params else self.chat
        try:
            reply = chat.invoke(list(messages))
        except Exception as e:  # classified below; anything unknown propagates unchanged
            raise self._unavailable(e) from e
        return _text(reply.content)

    def stream(self, messages: Messages, **params: Any) -> Iterator[str]:
        """Text deltas as the endpoint sends them; the first one is yielded as soon as it arrives.

        A reply the server cut off (its token limit, a full context, a content filter) raises
        :class:`LLMUnavailable` after its text: a half question must not pass for a whole one.
        """
        chat = self.chat.bind(**params) if params else self.chat
        finish = None
        try:
            for chunk in chat.stream(list(messages)):
                finish = chunk.response_metadata.get("finish_reason") or finish
                text = _text(chunk.content)
                if text:
                    yield text
        except Exception as e:
            raise self._unavailable(e) from e
        if finish in CUT_OFF:
            raise LLMUnavailable(self.config.model, f"the reply was cut off ({CUT_OFF[finish]})")

    def _unavailable(self, e: Exception) -> Exception:
        reason = describe(e, self.config)
        if reason is None:
            return e
        log.info("%s unavailable: %s", self.name, reason)
        return LLMUnavailable(self.config.model, reason)


def describe(e: BaseException, config: LLMSettings) -> str | None:
    """A one-line reason for an endpoint failure, or ``None`` when ``e`` is not one (a bug)."""
    attempts = config.max_retries + 1
    tries = f"after {attempts} attempt{'s' if attempts > 1 else ''}"
    where = config.base_url or "the OpenAI API"
    if isinstance(e, openai.APITimeoutError):
        return f"no reply from {where} within {config.timeout_s:g} s ({tries})"
    if isinstance(e, openai.APIConnectionError):
        return f"cannot connect to {where} ({tries})"
    if isinstance(e, openai.RateLimitError):
        return f"rate limited by {where} (HTTP 429, {tries})"
    if isinstance(e, openai.AuthenticationError):
        return f"{where} refused the API key in ${config.api_key_env} (HTTP 401)"
    if isinstance(e, openai.NotFoundError):
        return f"{where} has no model {config.model!r} or no chat-completions route (HTTP 404)"
    if isinstance(e, openai.APIStatusError):
        retried = f", {tries}" if e.status_code >= 500 else ""
        body = e.body.get("message") if isinstance(e.body, dict) else None
        return f"{where} answered HTTP {e.status_code}{retried}: {_short(str(body or e.message))}"
    if isinstance(e, openai.APIError | ValidationError | ValueError | KeyError | TypeError):
        return f"{where} sent a reply that is not a chat completion: {_short(str(e))}"
    return None


def chat_model(config: LLMSettings, *, streaming: bool = False) -> BaseChatModel:
    """A ``ChatOpenAI`` for ``config``; raises :class:`LLMUnavailable` when no key can be found."""
    from langchain_openai import ChatOpenAI

    key = config.api_key()
    if key is None and config.base_url is None:
        raise LLMUnavailable(config.model, f"no API key: set ${config.api_key_env} or configure llm.base_url")
    # ``streaming`` only when asked: set to False explicitly, it also turns ``.stream()`` into one chunk.
    extra: dict[str, Any] = {"streaming": True} if streaming else {}
    return ChatOpenAI(
        model=config.model,
        base_url=config.base_url,
        api_key=key or NO_KEY,
        temperature=config.temperature,
        timeout=config.timeout_s,
        max_retries=config.max_retries,
        stream_usage=False,  # many compatible servers reject stream_options
        **extra,
    )


def get_llm(settings: Settings | LLMSettings | None = None, *, engine: str | None = None) -> LLM | None:
    """The configured model, or ``None`` for the offline engine.

    ``engine`` overrides ``llm.engine`` (``"llm"`` and ``"openai"`` both mean the endpoint), so a
    command-line ``--engine llm`` works without editing the settings.
    """
    if settings is None:
        settings = get_settings()
    config = settings.llm if isinstance(settings, Settings) else settings
    chosen = engine or config.engine
    if chosen == "offline":
        return None
    if chosen not in ("llm", "openai"):
        raise InterviewerError(f"unknown engine {chosen!r}: use offline or llm")
    return LLM(config)


def _text(content: str | list[Any]) -> str:
    if isinstance(content, str):
        return content
    return "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in content)


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
