"""Index and query benchmarks on the real bank, padded to 500 questions.

Targets (issue 2): query p50 <= 15 ms and p95 <= 40 ms on a 500-question bank (embedding
included); warm re-index with no change <= 1 s; cold index of 500 questions <= 10 s.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import row, time_calls
from interviewer.bank import Bank, load_bank
from interviewer.config import Settings
from interviewer.index import QuestionIndex
from interviewer.retrieval import search

QUERIES = [
    "design the for you feed with cold start for new users",
    "feature store with low latency serving",
    "position bias in ad click prediction",
    "tell me about a time you improved a production model",
    "implement an LRU cache",
    "sampled softmax logQ correction",
    "how do you debug a model whose metrics dropped over a month",
    "online versus batch inference trade-offs",
]


def bank_of(n: int, settings: Settings) -> Bank:
    """The real bank, with copies under new ids if it has fewer than ``n`` questions."""
    base = list(load_bank(settings.knowledge_dir))
    out = list(base)
    i = 0
    while len(out) < n:
        q = base[i % len(base)]
        out.append(q.model_copy(update={"id": f"{q.id}-copy{i}", "text": f"{q.text} (variant {i})"}))
        i += 1
    return Bank(out[:n])


def run() -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        bank = bank_of(500, settings)
        index = QuestionIndex(settings)
        index.encoder.encode(["warm up the model"])
        t = time.perf_counter()
        index.sync(bank)
        cold = (time.perf_counter() - t) * 1000
        rows.append(row("index: cold, 500 questions", [cold], "<= 10000 ms", cold <= 10_000))

        warm = time_calls(lambda: QuestionIndex(settings).sync(bank), repeat=5, warmup=0)
        rows.append(row("index: warm re-index, no change", warm, "<= 1000 ms", max(warm) <= 1000))

        queries = QUERIES * 13
        it = iter(queries * 2)
        lat = time_calls(lambda: search(index, next(it), k=5), repeat=len(queries), warmup=5)
        r = row("query: embed + search, k=5", lat, "p50 <= 15 ms, p95 <= 40 ms", False)
        r["ok"] = r["median_ms"] <= 15 and r["p95_ms"] <= 40
        rows.append(r)

        it2 = iter(queries * 2)
        flt = time_calls(lambda: search(index, next(it2), round="ml_design", max_level="MLE3", k=5), repeat=50)
        r = row("query: with round + level filters", flt, "p50 <= 15 ms, p95 <= 40 ms", False)
        r["ok"] = r["median_ms"] <= 15 and r["p95_ms"] <= 40
        rows.append(r)
    return rows
