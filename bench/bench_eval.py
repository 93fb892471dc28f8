"""Evaluation-run benchmark: ``eval`` of 500 items with the offline engine, cold cache.

The train and held-out items are replicated (with new ids) to 500 and run through the same code
path as ``interviewer eval`` (dataset loading, cache lookups and writes, scoring, metrics), with a
fresh result cache so every item is really scored.

Target (issue 4): ``eval`` of 500 items offline <= 60 s.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import row
from interviewer.config import PROJECT_ROOT, Settings
from interviewer.evaluation import EvalItem, ResultCache, load_dataset, run_eval
from interviewer.scoring.factory import get_scorer, rubric_version

N = 500
TARGET_S = 60.0


def items(n: int = N) -> list[EvalItem]:
    base = [*load_dataset(PROJECT_ROOT / "evals/data/train.jsonl").items,
            *load_dataset(PROJECT_ROOT / "evals/data/heldout.jsonl").items]
    return [base[i % len(base)].model_copy(update={"id": f"{base[i % len(base)].id}-r{i // len(base)}"})
            for i in range(n)]


def run() -> list[dict[str, Any]]:
    data = items()
    settings = Settings()
    scorer = get_scorer("offline", settings, batch=True)  # as `interviewer eval` runs it
    scorer.assess(data[0].scoring_input())  # load the encoder and models outside the timing
    with tempfile.TemporaryDirectory() as tmp:
        cache = ResultCache(Path(tmp) / "cache.sqlite3")
        t, cpu = time.perf_counter(), time.process_time()
        run_ = run_eval(data, scorer, cache=cache, rubric_version=rubric_version(settings), progress=False)
        run_.dimensions()
        cold, cold_cpu = time.perf_counter() - t, time.process_time() - cpu
        t = time.perf_counter()
        rerun = run_eval(data, scorer, cache=cache, rubric_version=rubric_version(settings), progress=False)
        warm = time.perf_counter() - t
        cache.close()
    per_item = [cold * 1000 / len(data)] * len(data)
    rows = [
        row(f"eval: {len(data)} items offline, cold cache", [cold * 1000], f"<= {TARGET_S * 1000:.0f} ms",
            cold <= TARGET_S, per_item_ms=per_item[0], cpu_s=round(cold_cpu, 1)),
        row(f"eval: {len(data)} items, unchanged re-run (cache)", [warm * 1000], "no scoring calls",
            rerun.scored == 0),
    ]
    return rows


if __name__ == "__main__":
    for r in run():
        cpu = f", CPU {r['cpu_s']} s" if "cpu_s" in r else ""
        print(f"{r['name']}: {r['median_ms'] / 1000:.1f} s{cpu} (target {r['target']}, ok={r['ok']}), "
              f"peak RSS {r['peak_rss_mb']:.0f} MB")
