"""The index follows the bank incrementally and survives a damaged store."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.bank import load_bank
from interviewer.config import ChromaSettings, Settings
from interviewer.errors import DataError
from interviewer.index import QuestionIndex
from interviewer.retrieval import search

TEMPLATE = """
round: {round}
topic: {topic}
questions:
  - id: {qid}
    level: MLE2
    difficulty: medium
    text: {text}
    key_points: [a specific fact one, a specific fact two, a specific fact three]
    follow_ups:
      - {{text: "Why does fact one hold?", key_point: 1}}
      - {{text: "What would you give up?", dimension: tradeoffs}}
"""

QUESTIONS = [
    ("ml_design", "feeds", "d-feed-001", "Design the ranking pipeline of a short-video feed."),
    ("ml_theory", "losses", "t-loss-001", "Why is cross-entropy used for classification?"),
    ("coding", "caches", "c-lru-001", "Implement a least recently used cache with O(1) get and put."),
    ("behavioral", "ownership", "b-own-001", "Tell me about a project you drove end to end."),
]


def make_bank(root: Path, questions: list[tuple[str, str, str, str]] = QUESTIONS) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for old in root.glob("*.yaml"):
        old.unlink()
    for rnd, topic, qid, text in questions:
        (root / f"{qid}.yaml").write_text(TEMPLATE.format(round=rnd, topic=topic, qid=qid, text=text))
    return root


@pytest.fixture
def small(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", knowledge_dir=make_bank(tmp_path / "kb"))


@pytest.fixture(params=["embedded", "server"])
def either(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The same tests against the embedded store and a real Chroma server."""
    chroma: dict[str, object] = {"collection": f"q-{tmp_path.name[-20:]}".replace("_", "-")}
    if request.param == "server":
        host, port = request.getfixturevalue("chroma_server")
        chroma |= {"mode": "server", "host": host, "port": port}
    return Settings(
        data_dir=tmp_path / "data",
        knowledge_dir=make_bank(tmp_path / "kb"),
        chroma=ChromaSettings.model_validate(chroma),
    )


def test_incremental_sync_embeds_only_changes(either: Settings) -> None:
    small = either
    index = QuestionIndex(small)
    first = index.sync(load_bank(small.knowledge_dir))
    assert sorted(first.added) == sorted(q[2] for q in QUESTIONS)

    again = QuestionIndex(small).sync(load_bank(small.knowledge_dir))
    assert (again.added, again.updated, again.removed, again.unchanged) == ([], [], [], 4)

    changed = [*QUESTIONS[:2], ("coding", "caches", "c-lru-001", "Implement an LRU cache; then make it thread-safe.")]
    make_bank(small.knowledge_dir, changed)
    third = QuestionIndex(small).sync(load_bank(small.knowledge_dir))
    assert third.updated == ["c-lru-001"]
    assert third.removed == ["b-own-001"]
    assert third.unchanged == 2
    assert QuestionIndex(small).count() == 3


def test_bad_bank_leaves_index_untouched(small: Settings) -> None:
    index = QuestionIndex(small)
    index.sync(load_bank(small.knowledge_dir))
    (small.knowledge_dir / "broken.yaml").write_text("questions: [ {id: x, round: nope")
    with pytest.raises(DataError):
        load_bank(small.knowledge_dir)
    assert QuestionIndex(small).count() == 4


def test_corrupt_store_is_moved_aside_and_rebuilt(small: Settings) -> None:
    QuestionIndex(small).sync(load_bank(small.knowledge_dir))
    for f in small.chroma_path.rglob("*"):
        if f.is_file():
            f.write_bytes(b"this is not a database")
    index = QuestionIndex(small)
    report = index.sync(load_bank(small.knowledge_dir))
    assert report.rebuilt and "unreadable" in report.rebuilt
    assert index.count() == 4
    assert list(small.chroma_path.parent.glob("chroma.corrupt-*"))


def test_missing_store_is_built(small: Settings) -> None:
    assert not small.chroma_path.exists()
    index = QuestionIndex(small)
    index.sync(load_bank(small.knowledge_dir))
    hits = search(index, "LRU cache eviction", k=1)
    assert hits[0].id == "c-lru-001"


def test_filters_and_exclusions(either: Settings) -> None:
    small = either
    index = QuestionIndex(small)
    index.sync(load_bank(small.knowledge_dir))
    hits = search(index, "cache", round="ml_theory", k=5)
    assert [h.id for h in hits] == ["t-loss-001"]
    hits = search(index, "cache", k=4, exclude={"c-lru-001"})
    assert "c-lru-001" not in [h.id for h in hits] and len(hits) == 3
    assert all(-1.0 <= h.score <= 1.0 for h in hits)
    assert hits == sorted(hits, key=lambda h: -h.score)


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    from conftest import free_port

    from interviewer.errors import InterviewerError

    s = Settings(data_dir=tmp_path, chroma=ChromaSettings(mode="server", port=free_port()))
    with pytest.raises(InterviewerError, match="cannot reach the Chroma server"):
        QuestionIndex(s)
