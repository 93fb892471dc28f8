"""The bank's content: coverage per round, no near-duplicates, findable classics, stable ids."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from interviewer.bank import Bank, Round, load_bank
from interviewer.config import PROJECT_ROOT
from interviewer.embeddings import get_encoder
from interviewer.index import QuestionIndex
from interviewer.retrieval import search

IDS_LOCK = PROJECT_ROOT / "knowledge" / "ids.lock"


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank(PROJECT_ROOT / "knowledge")


def test_minimum_counts_per_round(bank: Bank) -> None:
    counts = Counter(q.round for q in bank)
    minimum = {Round.ml_design: 110, Round.ml_theory: 150, Round.behavioral: 110, Round.coding: 80}
    short = {r.value: (counts[r], n) for r, n in minimum.items() if counts[r] < n}
    assert not short, f"rounds below their minimum (have, need): {short}"


def test_every_question_is_complete(bank: Bank) -> None:
    problems = []
    for q in bank:
        if len(q.key_points) < 3:
            problems.append(f"{q.id}: {len(q.key_points)} key points")
        if len(q.follow_ups) < 2:
            problems.append(f"{q.id}: {len(q.follow_ups)} follow-ups")
        if q.round in (Round.ml_design, Round.ml_theory) and not q.outline:
            problems.append(f"{q.id}: no reference outline")
        if q.round is Round.behavioral and not (q.competency and q.strong_signals):
            problems.append(f"{q.id}: behavioral question without competency or strong signals")
        if q.round is Round.coding and not (q.constraints and q.examples and q.complexity):
            problems.append(f"{q.id}: coding question without constraints, examples or complexity")
        if not q.tags:
            problems.append(f"{q.id}: no tags")
        texts = [p.text.strip().lower() for p in q.follow_ups]
        if len(set(texts)) != len(texts):
            problems.append(f"{q.id}: repeated follow-up")
        if q.text.strip().lower() in texts:
            problems.append(f"{q.id}: a follow-up repeats the question")
    assert not problems, "\n".join(problems)


def test_no_near_duplicate_questions(bank: Bank, shared_index: QuestionIndex) -> None:
    # The index already holds each question's embedding; reuse it rather than encode 500 texts again.
    got = shared_index.collection.get(include=["embeddings"])
    assert sorted(got["ids"]) == sorted(q.id for q in bank)
    ids, vectors = got["ids"], np.asarray(got["embeddings"])
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -1)
    i, j = np.unravel_index(np.argmax(sims), sims.shape)
    assert sims[i, j] < 0.95, f"{ids[i]} and {ids[j]} are near-duplicates ({sims[i, j]:.3f})"


def test_follow_ups_differ_from_their_question(bank: Bank) -> None:
    questions = [q for q in bank if q.follow_ups]
    enc = get_encoder()
    qv = enc.encode([q.text for q in questions])
    too_close = []
    for q, v in zip(questions, qv, strict=True):
        fv = enc.encode([p.text for p in q.follow_ups])
        worst = float((fv @ v).max())
        if worst >= 0.95:
            too_close.append(f"{q.id} ({worst:.2f})")
    assert not too_close, f"follow-ups that restate their question: {too_close}"


def test_ids_are_stable(bank: Bank) -> None:
    """Sessions and story matches refer to question ids: an id, once published, never disappears."""
    locked = [line.strip() for line in IDS_LOCK.read_text().splitlines() if line.strip() and not line.startswith("#")]
    missing = sorted(set(locked) - {q.id for q in bank})
    assert not missing, f"ids removed or renamed (restore them, or retire them explicitly): {missing}"
    unlocked = sorted({q.id for q in bank} - set(locked))
    assert not unlocked, f"new ids not yet in knowledge/ids.lock (run `interviewer bank lock-ids`): {unlocked}"


#: The classics of this loop, asked in other words: (query, ids any of which must be in the top 3).
FINDABLE = [
    (
        "How would you architect the personalised short-video feed, including users and videos with no history?",
        {"mld-rec-001", "mld-rec-003", "mld-rec-004"},
    ),
    ("Walk me through the For You page pipeline and how brand-new users get good recommendations", {"mld-rec-001"}),
    ("Build a feature platform that serves features in single-digit milliseconds and copes with drift", {"mld-fs-001"}),
    ("Design an online feature store for ranking models with a strict latency budget", {"mld-fs-001"}),
    ("Predict in real time whether a user clicks an ad, correcting for the slot the ad was shown in", {"mld-ads-001"}),
    ("When should predictions be precomputed in batch and when computed on request?", {"mld-srv-001"}),
    (
        "Your model's quality slowly got worse over the past month. How do you find out why?",
        {"mld-mon-001", "beh-dbg-001"},
    ),
    ("Describe a time you made a model that was already live in production perform better", {"beh-mimp-001"}),
    ("Design a cache that evicts the entry that was used longest ago", {"cod-design-001"}),
    ("Return the k items that appear most often in an array", {"cod-hashing-001"}),
    ("Schedule CPU jobs where two identical jobs must be at least n slots apart", {"cod-heaps-001"}),
    ("Turn a binary tree into a string and rebuild the same tree from that string", {"cod-trees-001"}),
]


@pytest.mark.parametrize(("query", "expected"), FINDABLE, ids=[f[0][:40] for f in FINDABLE])
def test_classic_questions_are_findable(shared_index: QuestionIndex, query: str, expected: set[str]) -> None:
    hits = search(shared_index, query, k=3)
    assert expected & {h.id for h in hits}, f"top 3 for {query!r}: {[(h.id, h.score) for h in hits]}"
