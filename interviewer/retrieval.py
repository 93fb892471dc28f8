"""Semantic search over the question index, and the engine's choice of the next question."""

from __future__ import annotations

from collections.abc import Collection as AbstractCollection
from dataclasses import asdict, dataclass
from typing import Any

from interviewer.bank import Level, Round
from interviewer.errors import InputError
from interviewer.index import QuestionIndex

#: The encoder reads at most 256 tokens; longer text is cut here so tokenising stays cheap.
MAX_QUERY_CHARS = 2000


@dataclass(frozen=True)
class Hit:
    id: str
    round: str
    topic: str
    level: str
    text: str
    score: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def clean_query(query: str) -> str:
    q = " ".join(query.split())
    if not q:
        raise InputError("the search query is empty")
    return q[:MAX_QUERY_CHARS]


def _where(rnd: str | None, level: str | None, topic: str | None, max_level: str | None) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if rnd:
        clauses.append({"round": Round(rnd).value})
    if level:
        clauses.append({"level": Level(level).value})
    if max_level:
        clauses.append({"level_rank": {"$lte": Level(max_level).rank}})
    if topic:
        clauses.append({"topic": topic})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def search(
    index: QuestionIndex,
    query: str,
    *,
    round: str | None = None,
    level: str | None = None,
    topic: str | None = None,
    max_level: str | None = None,
    k: int = 5,
    exclude: AbstractCollection[str] = (),
) -> list[Hit]:
    """Top ``k`` questions by cosine similarity (score = 1 - cosine distance, higher is closer)."""
    if k < 1:
        raise InputError("k must be at least 1")
    text = clean_query(query)
    where = _where(round, level, topic, max_level)
    n = min(k + len(exclude), max(index.count(), 1))
    vector = index.encoder.encode([text])
    res = index.collection.query(
        query_embeddings=vector,
        n_results=n,
        where=where,
        include=["metadatas", "distances"],
    )
    hits: list[Hit] = []
    metas, dists = res["metadatas"] or [[]], res["distances"] or [[]]
    for qid, meta, dist in zip(res["ids"][0], metas[0], dists[0], strict=True):
        if qid in exclude:
            continue
        hits.append(
            Hit(
                id=qid,
                round=str(meta["round"]),
                topic=str(meta["topic"]),
                level=str(meta["level"]),
                text=str(meta.get("text", "")),
                score=round_score(1.0 - float(dist)),
            )
        )
        if len(hits) == k:
            break
    return hits


def round_score(x: float) -> float:
    return float(f"{x:.4f}")


def spread_topics(hits: list[Hit], asked_topics: AbstractCollection[str], k: int) -> list[Hit]:
    """Re-order so topics not yet asked come first, keeping relevance order within each group."""
    fresh = [h for h in hits if h.topic not in asked_topics]
    seen: set[str] = set()
    first: list[Hit] = []
    for h in fresh:
        if h.topic not in seen:
            first.append(h)
            seen.add(h.topic)
    rest = [h for h in hits if h not in first]
    return (first + rest)[:k]
