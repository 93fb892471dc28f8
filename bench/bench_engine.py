"""Interview engine benchmark: one offline turn, from the answer submitted to the next
interviewer message ready (saving the answer, scoring it with the offline scorer, the follow-up
policy, question retrieval when moving on, and saving the message), over whole simulated rounds
of every type; and what LLM-written follow-ups add beyond the endpoint's own latency.

Targets (issue 5): offline turn p50 <= 150 ms, p95 <= 400 ms; LLM mode adds <= 30 ms beyond the
endpoint and streams its first token as soon as the endpoint sends it.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import row
from interviewer.bank import Round
from interviewer.config import LLMSettings, Settings
from interviewer.followup import Decision, Gap, Request, Target
from interviewer.followup_llm import LLMWriter
from interviewer.index import QuestionIndex
from interviewer.llm import LLM
from interviewer.personas import load_personas
from interviewer.scoring.types import Assessment, Scorer, ScoringInput
from interviewer.service import get_bank
from interviewer.session import Interview, InterviewConfig, default_scorer
from interviewer.simulate import SimulatedCandidate
from interviewer.store import Store
from interviewer.testing_openai import OpenAIStubServer, Reply

PROFILES = ("gap", "strong", "rambling", "idk")
LLM_CALLS = 30
ENDPOINT_DELAY_S = 0.05


class TimedScorer:
    """The real scorer, timed, so a turn splits into scoring and everything the engine adds."""

    def __init__(self, inner: Scorer) -> None:
        self.inner = inner
        self.name = inner.name
        self.last_ms = 0.0

    def assess(self, item: ScoringInput) -> Assessment:
        t = time.perf_counter()
        try:
            return self.inner.assess(item)
        finally:
            self.last_ms = (time.perf_counter() - t) * 1000


def offline_turns(settings: Settings, index: QuestionIndex) -> tuple[dict[str, list[float]], list[float]]:
    """Milliseconds per answer by round, over one interview per round and profile; and, per
    answer, the milliseconds the engine added beyond scoring."""
    bank = get_bank(settings)
    scorer = TimedScorer(default_scorer(settings))
    store = Store(settings.db_url)
    samples: dict[str, list[float]] = {r.value: [] for r in Round}
    overhead: list[float] = []
    for rnd in Round:
        for profile in PROFILES:
            candidate = SimulatedCandidate(profile)
            iv = Interview.create(
                InterviewConfig(round=rnd.value, allow_recent=True),
                settings=settings,
                store=store,
                scorer=scorer,
                index=index,
                bank=bank,
            )
            iv.start().text()
            while not iv.done:
                last = [t for t in iv.transcript() if t.kind in ("question", "followup")][-1]
                text = candidate.answer(bank.get(last.question_id), last.target if last.kind == "followup" else None)
                scorer.last_ms = 0.0
                t = time.perf_counter()
                iv.answer(text).text()
                total = (time.perf_counter() - t) * 1000
                samples[rnd.value].append(total)
                overhead.append(total - scorer.last_ms)
    return samples, overhead


def llm_overhead(settings: Settings) -> tuple[list[float], list[float]]:
    """First-token times, raw endpoint vs through the follow-up writer, against the same server."""
    bank = get_bank(settings)
    persona = load_personas(settings.personas_dir)["behavioral_hiring_manager"]
    question = bank.get("beh-imp-001")
    answer = "I owned the retraining pipeline and we launched it to every user in the feed."
    decision = Decision("probe", "weakest dimension", Gap(Target.dim("impact"), 1.0, quote=answer))
    request = Request(persona, question, decision, answer, "Behavioral", "MLE3", "bench")
    reply = Reply("What changed for users, in numbers, after the launch?", delay=ENDPOINT_DELAY_S, chunk_size=6)
    raw_ms: list[float] = []
    writer_ms: list[float] = []
    with OpenAIStubServer([reply] * (2 * LLM_CALLS + 2)) as srv:
        llm = LLM(LLMSettings(base_url=srv.base_url, model="stub", max_retries=0))
        writer = LLMWriter(llm)
        messages = writer.messages(request, "suggestion")
        for i in range(LLM_CALLS + 1):
            t = time.perf_counter()
            chunks = iter(llm.stream(messages))
            next(chunks)
            first_raw = (time.perf_counter() - t) * 1000
            list(chunks)
            t = time.perf_counter()
            draft = iter(writer.write(request))
            next(draft)
            first_writer = (time.perf_counter() - t) * 1000
            list(draft)
            if i:  # the first pair warms up connections and imports
                raw_ms.append(first_raw)
                writer_ms.append(first_writer)
    return raw_ms, writer_ms


def run() -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        index = QuestionIndex(settings)
        index.sync(get_bank(settings))
        samples, overhead = offline_turns(settings, index)
        everything = [x for xs in samples.values() for x in xs]
        r = row(
            "engine: offline turn, answer -> next message (all rounds)",
            everything,
            "p50 <= 150 ms, p95 <= 400 ms",
            False,
        )
        r["ok"] = r["median_ms"] <= 150 and r["p95_ms"] <= 400
        rows.append(r)
        for rnd, xs in samples.items():
            r = row(f"engine: offline turn, {rnd}", xs, "p50 <= 150 ms, p95 <= 400 ms", False)
            r["ok"] = r["median_ms"] <= 150 and r["p95_ms"] <= 400
            rows.append(r)
        r = row("engine: offline turn, engine's own share (scoring excluded)", overhead, "(informative)", True)
        r["load_average_1m"] = os.getloadavg()[0]
        rows.append(r)
        raw, via = llm_overhead(settings)
        extra = [w - r_ for w, r_ in zip(sorted(via), sorted(raw), strict=True)]
        r = row("engine: LLM follow-up first token, added beyond the endpoint", extra, "p50 <= 30 ms", False)
        r["ok"] = r["median_ms"] <= 30
        r["endpoint_first_token_ms"] = sorted(raw)[len(raw) // 2]
        rows.append(r)
    return rows
