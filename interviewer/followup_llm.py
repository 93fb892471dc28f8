"""LLM-written follow-ups: any LangChain chat model, streamed, with a visible offline fallback.

The policy has already chosen the gap; the model only phrases the question. It is told the gap
by its *area* (an outline heading, a rubric dimension, a bank follow-up), never the key point
itself, so it cannot give away what it was never shown; its reply is still leak-checked. The
candidate's answer is fenced as data. Failures before the first token are retried with
backoff; a failure after text has streamed, or an unusable reply, is corrected in the open:
the transcript shows ``[offline follow-up: <why>]`` and the offline phrasing, and the report
lists the fallback.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from interviewer.config import Settings
from interviewer.datafiles import load_prompt
from interviewer.followup import Draft, OfflineWriter, Request, leaked_key_points

log = logging.getLogger(__name__)

MAX_REPLY_CHARS = 600
MAX_ANSWER_CHARS = 6000


class LLMWriter:
    name = "llm"
    streams = True

    def __init__(
        self,
        model: BaseChatModel,
        *,
        retries: int = 2,
        backoff_s: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        fallback: OfflineWriter | None = None,
    ) -> None:
        self.model = model
        self.retries = retries
        self.backoff_s = backoff_s
        self.sleep = sleep
        self.fallback = fallback or OfflineWriter()
        self._prompt = load_prompt("followup")["llm"]

    def write(self, request: Request) -> Draft:
        offline = self.fallback.compose(request)

        def chunks() -> Iterator[str]:
            yield from self._stream(request, offline, draft)

        draft = Draft(chunks(), engine="llm")
        return draft

    def messages(self, r: Request, suggestion: str) -> list[Any]:
        p = r.persona
        system = self._prompt["system"].format(
            name=p.name,
            role=p.role,
            round=r.round_title,
            level=r.level,
            style=p.style.value,
            persona_prompt=p.prompt,
        )
        user = self._prompt["user"].format(
            question=r.question.text,
            action=r.decision.action,
            gap=describe_gap(r),
            notes=describe_notes(r),
            suggestion=suggestion,
            answer=r.answers[-MAX_ANSWER_CHARS:].replace("</answer>", "</ answer>"),
        )
        return [SystemMessage(content=system), HumanMessage(content=user)]

    def _stream(self, r: Request, offline: str, draft: Draft) -> Iterator[str]:
        messages = self.messages(r, offline)
        problem = "no attempt made"
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff_s * 2 ** (attempt - 1))
            emitted: list[str] = []
            try:
                for chunk in self.model.stream(messages):
                    piece = _text(chunk.content)
                    if piece:
                        emitted.append(piece)
                        yield piece
            except Exception as e:  # every transport or API error ends in the same fallback
                problem = explain(e)
                log.warning("LLM follow-up attempt %d failed: %s", attempt + 1, problem)
                if emitted:
                    yield from _fallback(draft, f"the model failed mid-reply: {problem}", offline, after_text=True)
                    return
                continue
            text = "".join(emitted).strip()
            unusable = self.check(text, r)
            if unusable is None:
                return
            if emitted:
                yield from _fallback(draft, unusable, offline, after_text=True)
                return
            problem = unusable
        yield from _fallback(draft, f"{problem} (after {self.retries + 1} attempts)", offline, after_text=False)

    @staticmethod
    def check(text: str, r: Request) -> str | None:
        """Why a reply cannot be used as the follow-up, or None."""
        if not text:
            return "empty reply"
        if len(text) > MAX_REPLY_CHARS:
            return f"reply too long ({len(text)} characters)"
        if text.lstrip().startswith(("{", "[", "<")) or "<answer>" in text:
            return "malformed reply"
        leaked = leaked_key_points(text, r.question, r.answers)
        if leaked:
            return f"reply gave away key point(s) {leaked}"
        return None


def _fallback(draft: Draft, reason: str, offline: str, *, after_text: bool) -> Iterator[str]:
    draft.engine = "offline-fallback"
    draft.fallback_reason = reason
    yield ("\n\n" if after_text else "") + f"[offline follow-up: {reason}] {offline}"


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(b if isinstance(b, str) else str(b.get("text", "")) for b in content)
    return ""


def explain(e: Exception) -> str:
    """A short reason fit for a transcript: status codes and timeouts, not stack traces."""
    status = getattr(e, "status_code", None)
    name = type(e).__name__
    if "Timeout" in name or isinstance(e, TimeoutError):
        return "the model timed out"
    if status == 429:
        return "rate limited (HTTP 429)"
    if status:
        return f"HTTP {status} from the model endpoint"
    if "Connection" in name:
        return "cannot reach the model endpoint"
    return f"{name}: {str(e)[:120]}"


def describe_gap(r: Request) -> str:
    gap = r.decision.gap
    if gap is None:
        return "none"
    if r.decision.action == "challenge" and gap.quote:
        return f'the candidate claimed "{gap.quote}" without justifying it ({gap.target.label})'
    if gap.target.kind == "dimension":
        return f"the answer is weak on {gap.target.label}"
    if gap.area:
        return f"the answer has not covered {gap.area}"
    if gap.probe:
        return f"the answer has not covered what this asks: {gap.probe}"
    return "the answer leaves out part of what a complete answer covers"


def describe_notes(r: Request) -> str:
    """Hidden notes for the model: what the candidate said near the gap, never the key point."""
    gap = r.decision.gap
    if gap and gap.quote:
        return f'the candidate\'s words nearest to the gap: "{gap.quote}"'
    return "the candidate said nothing near this gap"


def llm_writer(settings: Settings) -> LLMWriter:
    """The writer for ``followups = llm``, on the project's chat-model factory."""
    from interviewer.llm import chat_model  # type: ignore[attr-defined]

    return LLMWriter(chat_model(settings), retries=settings.llm.max_retries)
