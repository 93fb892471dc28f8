"""Search over the real bank: the CLI contract and bad queries."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from interviewer.errors import InputError
from interviewer.index import QuestionIndex
from interviewer.retrieval import Hit, search, spread_topics


def test_empty_query_is_refused(shared_index: QuestionIndex) -> None:
    with pytest.raises(InputError, match="empty"):
        search(shared_index, " \n\t ")


def test_huge_query_is_truncated_not_an_error(shared_index: QuestionIndex) -> None:
    hits = search(shared_index, "design an LRU cache " * 5000, k=3)  # ~100 KB
    assert len(hits) == 3


def test_filters_combine(shared_index: QuestionIndex) -> None:
    hits = search(shared_index, "ranking model", round="ml_design", max_level="MLE2", k=10)
    assert hits, "expected ml_design questions at MLE1-2"
    assert all(h.round == "ml_design" and h.level in ("MLE1", "MLE2") for h in hits)


def test_spread_topics_puts_unasked_topics_first() -> None:
    hits = [Hit(f"q{i}", "ml_theory", t, "MLE2", "x", 1 - i / 10) for i, t in enumerate(["a", "a", "b", "c"])]
    assert [h.id for h in spread_topics(hits, asked_topics={"b"}, k=3)] == ["q0", "q3", "q1"]


def test_cli_json_contract(shared_index: QuestionIndex) -> None:
    # Reuse the session's index so the subprocess only checks it is up to date.
    env = {"INTERVIEWER_DATA_DIR": str(shared_index.settings.data_dir), "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "interviewer.cli", "questions", "search", "LRU cache", "--round", "coding"]
    res = subprocess.run([*cmd, "--k", "3", "--json"], capture_output=True, text=True, env=env)
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert len(rows) == 3
    for row in rows:
        assert {"id", "round", "topic", "level", "text", "score"} <= row.keys()
        assert row["round"] == "coding"
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)

    bad = subprocess.run([*cmd[:-2], "--level", "MLE7"], capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and "MLE7" in bad.stderr
