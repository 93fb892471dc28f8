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
from collections.abc import Iterator

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from interviewer.config import Settings
from interviewer.datafiles import load_prompt
from interviewer.followup import Draft, OfflineWriter, Request, leaked_key_points
from interviewer.llm import LLM, LLMUnavailable, get_llm

log = logging.getLogger(__name__)

MAX_REPLY_CHARS = 600
MAX_ANSWER_CHARS = 6000


class LLMWriter:
    """Follow-ups phrased by a chat model through :class:`interviewer.llm.LLM`.

    Transport retries with backoff (429, 5xx, timeouts) are the ``openai`` client's, bounded by
    ``llm.max_retries``; this writer adds ``retries`` more attempts only for replies that arrive
    empty or unusable before anything was shown.
    """

    streams = True

    def __init__(self, llm: LLM, *, retries: int = 1, fallback: OfflineWriter | None = None) -> None:
        self.llm = llm
        self.retries = retries
        self.fallback = fallback or OfflineWriter()
        self._prompt = load_prompt("followup")["llm"]

    @property
    def name(self) -> str:
        return self.llm.name

    def write(self, request: Request) -> Draft:
        offline = self.fallback.compose(request)

        def chunks() -> Iterator[str]:
            yield from self._stream(request, offline, draft)

        draft = Draft(chunks(), engine=self.name)
        return draft

    def messages(self, r: Request, suggestion: str) -> list[BaseMessage]:
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
        problem = "no reply"
        for _attempt in range(self.retries + 1):
            emitted: list[str] = []
            try:
                for piece in self.llm.stream(messages):
                    emitted.append(piece)
                    yield piece
            except Exception as e:  # LLMUnavailable after the client's retries, or a bug: both fall back
                if not isinstance(e, LLMUnavailable):
                    log.exception("LLM follow-up failed unexpectedly")
                problem = e.reason if isinstance(e, LLMUnavailable) else f"{type(e).__name__}: {e}"
                yield from _fallback(draft, problem, offline, after_text=bool(emitted))
                return
            problem = self.check("".join(emitted).strip(), r) or ""
            if not problem:
                return
            if emitted:  # already shown: correct it in the open
                yield from _fallback(draft, problem, offline, after_text=True)
                return
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
    """The writer for ``followups = llm``: the configured endpoint (a clear error if there is none)."""
    llm = get_llm(settings, engine="llm")
    assert llm is not None  # engine="llm" never yields the offline None
    return LLMWriter(llm)
