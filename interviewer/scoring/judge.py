"""The LLM engine: a chat model grades one rubric dimension per call, and is trusted only as far as
its quotes can be found in the answer.

A model asked for a score will happily write one; what makes its score worth showing is the
discipline around the call: rubric anchors in the prompt, evidence before the level, temperature
0, a pydantic-validated reply with one retry, and every quote checked verbatim against the answer
(a level whose quotes are not in the answer is lowered, or abstained when nothing is left). The
candidate's text is fenced as data with a per-answer nonce. When the endpoint fails the judge
returns the offline engine's assessment, marked as a fallback: never a silent fake score.

Which key points the answer covers is not asked of the model: the offline engine's coverage
matcher (:mod:`interviewer.scoring.coverage`, local MiniLM) decides it, and each match says so
(``KeyPointMatch.engine == "offline"``). See :meth:`LLMJudge.assess` for why.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from interviewer.bank import DEFAULT_DIMENSIONS, Round
from interviewer.config import Settings
from interviewer.datafiles import load_prompt
from interviewer.llm import LLM, LLMUnavailable, Messages, get_llm
from interviewer.rubrics import Rubric
from interviewer.scoring import guards
from interviewer.scoring.cues import cues
from interviewer.scoring.quotes import locate, verify_quotes
from interviewer.scoring.segment import split_sentences
from interviewer.scoring.types import Assessment, DimensionScore, KeyPointMatch, Scorer, ScoringInput

log = logging.getLogger(__name__)

MAX_QUOTES = 5
#: After the endpoint fails, later assessments fall back at once for this long instead of paying
#: the whole retry budget again on every answer (an interview turn must stay responsive).
COOLDOWN_S = 30.0


@lru_cache(maxsize=1)
def prompt() -> dict[str, Any]:
    return load_prompt("judge")


def prompt_version() -> str:
    """Part of the evaluation cache key: a reworded prompt must not reuse old judgements."""
    return f"judge-v{prompt()['version']}"


class Verdict(BaseModel):
    """The reply the prompt asks for; anything else is malformed and gets one retry."""

    model_config = ConfigDict(extra="ignore")

    evidence: list[str] = Field(default_factory=list)
    rationale: str = ""
    missing: str = ""
    level: int | None = Field(ge=1, le=4)


class MalformedVerdict(ValueError):
    """The model's reply is not the JSON object the prompt asks for."""


_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$", re.IGNORECASE)


def parse_verdict(text: str) -> Verdict:
    """The verdict in a reply, tolerating a code fence or prose around one JSON object."""
    body = _FENCE.sub("", text.strip())
    start, end = body.find("{"), body.rfind("}")
    if start < 0:
        raise MalformedVerdict("the reply contains no JSON object")
    if end <= start:
        raise MalformedVerdict("the JSON object is incomplete (no closing brace): the reply was cut off")
    try:
        data = json.loads(body[start : end + 1])
    except json.JSONDecodeError as e:
        raise MalformedVerdict(f"the JSON is invalid ({e.msg} at character {e.pos})") from None
    if not isinstance(data, dict):
        raise MalformedVerdict("the reply is not a JSON object")
    if "level" not in data:
        raise MalformedVerdict('the key "level" is missing')
    try:
        return Verdict.model_validate(data)
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc']) or 'reply'}: {err['msg']}" for err in e.errors())
        raise MalformedVerdict(problems) from None


@dataclass(frozen=True)
class Fence:
    """Markers around the candidate's text; the nonce makes them impossible to forge from inside.

    One nonce per answer, not per call: the answer is fixed before the nonce exists, and the calls
    for its dimensions then share a prompt prefix a local server can reuse from its cache."""

    open: str
    close: str

    @classmethod
    def new(cls) -> Fence:
        nonce = secrets.token_hex(6)
        return cls(f"<<<CANDIDATE_ANSWER {nonce}>>>", f"<<<END_CANDIDATE_ANSWER {nonce}>>>")


def build_messages(item: ScoringInput, dimension: str, rubric: Rubric | None, fence: Fence) -> Messages:
    """The system and user messages grading ``dimension`` of ``item``."""
    p = prompt()
    dim = rubric.dimensions.get(dimension) if rubric is not None else None
    if dim is not None:
        anchors = "\n".join(
            f"{lvl}. {dim.levels[lvl].label}\n" + "\n".join(f"   - {a}" for a in dim.levels[lvl].anchors)
            for lvl in sorted(dim.levels)
        )
        name, description = dim.name, " ".join(dim.description.split())
    else:
        anchors = "1 = none of the evidence, 2 = partial, 3 = solid, 4 = exemplary"
        name, description = dimension, ""
    reference = p["reference"].format(points="\n".join(f"- {k}" for k in item.reference)) if item.reference else ""
    no_reference = p["no_reference"] if dimension == "coverage" and not item.reference else ""
    user = p["user"].format(
        round=Round(item.round).value,
        question=item.question,
        reference=reference.strip(),
        no_reference=no_reference.strip(),
        name=name,
        dimension=dimension,
        description=description,
        anchors=anchors,
        open=fence.open,
        close=fence.close,
        answer=item.answer,
    )
    return [("system", p["system"]), ("human", user)]


def injected_spans(answer: str) -> list[tuple[int, int]]:
    """Character spans of sentences that address the grader: never evidence, whatever a model says."""
    return [(s.start, s.end) for s in split_sentences(answer) if cues(s.text).injection]


def check_evidence(answer: str, verdict: Verdict, excluded: list[tuple[int, int]]) -> DimensionScore:
    """The verdict with only verbatim, non-injected quotes, and the level those quotes still support.

    A quote the model paraphrased slightly (whitespace, curly quotes) is repaired to the exact span
    of the answer; one whose words are not there is dropped. Each dropped quote means the level
    rested partly on something the candidate did not say, so it is lowered one step; a level
    above 1 with no verifiable quote left is not supported at all, so the judge abstains.
    """
    kept: list[str] = []
    for quote in verdict.evidence:
        span = locate(answer, quote)
        if span is None:
            continue
        start = answer.find(span)
        if any(start < e and s < start + len(span) for s, e in excluded):
            continue
        kept.append(span)
    kept = verify_quotes(answer, kept, strict=False)[:MAX_QUOTES]
    dropped = len(verdict.evidence) - len(kept)
    level, rationale = verdict.level, verdict.rationale.strip()
    if level is not None and level > 1 and not kept:
        why = f"{dropped} quote(s) not found in the answer" if dropped else "no quote"
        rationale = f"abstained: the judge proposed level {level} with {why} to support it. {rationale}".strip()
        level = None
    elif level is not None and level > 1 and dropped:
        rationale = f"{rationale} (lowered from {level}: {dropped} quote(s) not found in the answer were dropped)"
        level -= 1
    missing = verdict.missing.strip()
    return DimensionScore(dimension="", level=level, evidence=kept, rationale=rationale, missing=missing)


def median_verdict(scores: list[DimensionScore]) -> DimensionScore:
    """The sample at the median level (the lower median: doubt goes to the cautious side).

    Abstentions win only as a majority; ``confidence`` is the share of samples at the chosen level.
    """
    levels = [s.level for s in scores]
    if sum(lv is None for lv in levels) * 2 > len(levels):
        chosen = next(s for s in scores if s.level is None)
        agree = sum(lv is None for lv in levels)
    else:
        target = statistics.median_low([lv for lv in levels if lv is not None])
        chosen = next(s for s in scores if s.level == target)
        agree = sum(lv == target for lv in levels)
    return chosen.model_copy(update={"confidence": round(agree / len(scores), 3)})


def fallback_engine(llm_name: str) -> str:
    """How a fallback is named wherever an engine is shown: it says what was asked for."""
    return f"offline (fallback from {llm_name})"


def mark_fallback(assessment: Assessment, llm_name: str, reason: str) -> Assessment:
    engine = fallback_engine(llm_name)
    scores = {d: s.model_copy(update={"engine": engine}) for d, s in assessment.scores.items()}
    return assessment.model_copy(update={"engine": engine, "scores": scores, "fallback_reason": reason})


class LLMJudge:
    """The ``llm`` :class:`~interviewer.scoring.types.Scorer`."""

    def __init__(
        self,
        llm: LLM | None,
        *,
        fallback: Callable[[], Scorer],
        rubric: Rubric | None = None,
        samples: int = 1,
        model: str | None = None,
        unavailable: str | None = None,
        cooldown_s: float = COOLDOWN_S,
    ) -> None:
        """``llm=None`` with ``unavailable`` set: the endpoint cannot be used at all (e.g. no key)."""
        if llm is None and unavailable is None:
            raise ValueError("LLMJudge needs an LLM, or the reason there is none")
        self.llm = llm
        self.name = llm.name if llm is not None else f"llm:{model or '?'}"
        self.rubric = rubric
        self.samples = samples
        self.cooldown_s = cooldown_s
        self._fallback_factory = fallback
        self._fallback: Scorer | None = None
        self._lock = threading.Lock()
        self._down_reason = unavailable
        self._down_until = float("inf") if llm is None else 0.0

    @property
    def identity(self) -> str:
        """What decides the judge's levels, for evaluation cache keys: the model *and the endpoint
        serving it* ("llama3" on Ollama and on vLLM are different models: other weights,
        quantisation, chat template), the prompt version and the sampling. The rubric and the
        item are keyed by the evaluation itself.

        Timeouts and retries are left out: they decide whether a reply arrives, not what it says,
        and fallbacks are never cached. The offline matcher's version is left out too: the key
        points stored with a cached result are its, but an evaluation reads only the levels, and
        a retrained matcher should not cost a paid re-run.
        """
        if self.llm is None:
            return f"{self.name}|unavailable"
        c = self.llm.config
        return f"{c.model}@{endpoint(self.llm)}|{prompt_version()}|t={c.temperature}|n={self.samples}"

    @classmethod
    def from_settings(cls, settings: Settings, *, fallback: Callable[[], Scorer], rubric: Rubric | None) -> LLMJudge:
        try:
            llm = get_llm(settings, engine="llm")
        except LLMUnavailable as e:
            return cls(None, fallback=fallback, rubric=rubric, model=settings.llm.model, unavailable=e.reason)
        return cls(llm, fallback=fallback, rubric=rubric, samples=settings.llm.samples)

    # -- Scorer -------------------------------------------------------------------------------
    def assess(self, item: ScoringInput) -> Assessment:
        """The model's levels per dimension, with the offline matcher's key-point coverage.

        Key points are matched offline, not by the model, because that is the cheapest honest
        source. It costs no call and no output tokens, only the offline engine's local pass
        (about 0.2 CPU-seconds for an unseen 300-word answer), run while the model is being
        asked, so a turn waits no longer for it. Every round gets matches, also those whose
        dimensions do not include ``coverage``, where asking the model would add a call.
        ``similarity`` keeps the meaning the follow-up policy relies on (how near a missed point
        came, whether its sentence is worth quoting back), where a model would only say yes or
        no. And an answer gets the same matches in both modes and on every replay. The price:
        the model's ``coverage`` level and the covered/missed lists are two opinions that can
        disagree, so each match names its engine.

        The offline assessment made here also serves a dimension whose reply was malformed and
        the fallback when the endpoint fails. If the offline engine itself breaks, the model's
        levels still stand: the assessment has no key points and says so in its flags.
        """
        dims = item.dimensions or DEFAULT_DIMENSIONS[Round(item.round)]
        guard = "empty" if guards.is_empty(item.answer) else "gibberish" if guards.is_gibberish(item.answer) else None
        if guard is not None:  # nothing to grade: no call, no invented level
            why = {"empty": "the answer is empty", "gibberish": "the answer is not readable text"}[guard]
            abstain = {
                d: DimensionScore(
                    dimension=d,
                    level=None,
                    rationale=f"abstained: {why}",
                    missing="answer the question asked with a real attempt",
                    engine=self.name,
                )
                for d in dims
            }
            offline = self._try_offline(item)
            return Assessment(engine=self.name, scores=abstain, flags=[guard], key_points=key_points_of(offline))
        if time.monotonic() < self._down_until:
            return self._fall_back(item, f"{self._down_reason} (endpoint not retried yet)")
        pending = _offline_pool().submit(self._try_offline, item)  # local CPU while the model is asked
        excluded = injected_spans(item.answer)
        fence = Fence.new()
        scores: dict[str, DimensionScore] = {}
        malformed: list[str] = []
        try:
            for dim in dims:
                score = self._grade(item, dim, excluded, fence)
                if score is None:
                    malformed.append(dim)
                    offline = pending.result() or self._offline(item)
                    fb = offline.scores.get(dim) or DimensionScore(dimension=dim, level=None)
                    score = fb.model_copy(
                        update={
                            "engine": fallback_engine(self.name),
                            "rationale": f"the LLM's reply was malformed twice; offline engine: {fb.rationale}",
                        }
                    )
                scores[dim] = score
        except LLMUnavailable as e:
            self._down_reason, self._down_until = e.reason, time.monotonic() + self.cooldown_s
            return self._fall_back(item, e.reason, pending.result())
        offline = pending.result()
        engine = self.name if not malformed else f"{self.name}+offline"
        reason = f"malformed LLM output for {', '.join(malformed)}: scored offline" if malformed else None
        flags = ["injection"] if excluded else []
        if offline is None:
            flags.append("key_points_unavailable")
        return Assessment(
            engine=engine, scores=scores, key_points=key_points_of(offline), flags=flags, fallback_reason=reason
        )

    # -- one dimension --------------------------------------------------------------------------
    def _grade(
        self, item: ScoringInput, dim: str, excluded: list[tuple[int, int]], fence: Fence
    ) -> DimensionScore | None:
        """The median of ``samples`` checked verdicts, or ``None`` when every sample was malformed."""
        assert self.llm is not None
        samples = []
        for _ in range(self.samples):
            verdict = self._ask(item, dim, fence)
            if verdict is not None:
                samples.append(check_evidence(item.answer, verdict, excluded))
        if not samples:
            return None
        best = median_verdict(samples)
        return best.model_copy(update={"dimension": dim, "engine": self.name})

    def _ask(self, item: ScoringInput, dim: str, fence: Fence) -> Verdict | None:
        assert self.llm is not None
        messages = list(build_messages(item, dim, self.rubric, fence))
        reply = self.llm.complete(messages)
        try:
            return parse_verdict(reply)
        except MalformedVerdict as e:
            log.info("%s: malformed verdict for %s (%s); retrying once", self.name, dim, e)
            retry = prompt()["retry"].format(problem=str(e))
            messages += [("ai", reply), ("human", retry)]
        try:
            return parse_verdict(self.llm.complete(messages))
        except MalformedVerdict as e:
            log.warning("%s: malformed verdict for %s after a retry: %s", self.name, dim, e)
            return None

    # -- the offline engine: key points, and the fallback ------------------------------------------
    def _offline(self, item: ScoringInput) -> Assessment:
        with self._lock:  # the offline scorer keeps caches that are not meant for concurrent writers
            if self._fallback is None:
                self._fallback = self._fallback_factory()
            return self._fallback.assess(item)

    def _try_offline(self, item: ScoringInput) -> Assessment | None:
        """The offline assessment, or ``None`` (logged) when the offline engine cannot run."""
        try:
            return self._offline(item)
        except Exception:  # a broken matcher must not cost the model's levels
            log.exception("%s: the offline engine failed; this assessment has no key-point matches", self.name)
            return None

    def _fall_back(self, item: ScoringInput, reason: str, offline: Assessment | None = None) -> Assessment:
        log.warning("%s unavailable, scoring offline: %s", self.name, reason)
        return mark_fallback(offline or self._offline(item), self.name, reason)


@lru_cache(maxsize=1)
def _offline_pool() -> ThreadPoolExecutor:
    """Where offline passes run beside the model's calls: the turn waits for the slower of the two
    (the model, by far), not their sum. Two workers: passes serialise on each judge's lock anyway."""
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="judge-offline")


def key_points_of(offline: Assessment | None) -> list[KeyPointMatch]:
    """The offline matcher's key points, named as its own whatever engine graded the levels."""
    if offline is None:
        return []
    return [k.model_copy(update={"engine": "offline"}) for k in offline.key_points]


def endpoint(llm: LLM) -> str:
    """The base URL the client really calls, normalised (host case, trailing slash).

    Without ``llm.base_url`` the ``openai`` client takes ``$OPENAI_BASE_URL`` or the OpenAI API,
    so the configured value alone would not say which server answers.
    """
    client = getattr(llm.chat, "root_client", None)
    url = str(getattr(client, "base_url", "") or llm.config.base_url or "https://api.openai.com/v1")
    return url.rstrip("/")
