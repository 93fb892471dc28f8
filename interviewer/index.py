"""The question index: a Chroma collection kept in step with the bank, incrementally.

Each question's content hash is stored as metadata, so a re-index embeds only what changed and
deletes what left the bank. The bank is validated in full before the index is touched, so a bad
file never leaves a half-written index behind.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass, field
from typing import Any

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.config import Settings as ChromaClientSettings

from interviewer.bank import Bank, Question
from interviewer.config import Settings, get_settings
from interviewer.embeddings import ChromaEmbeddingFunction, Encoder, get_encoder
from interviewer.errors import InterviewerError

log = logging.getLogger(__name__)


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    rebuilt: str | None = None
    seconds: float = 0.0

    def summary(self) -> str:
        s = (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed, "
            f"{self.unchanged} unchanged in {self.seconds:.2f} s"
        )
        return f"{s} (rebuilt: {self.rebuilt})" if self.rebuilt else s


def metadata(q: Question, encoder: Encoder) -> dict[str, Any]:
    return {
        "round": q.round.value,
        "topic": q.topic,
        "level": q.level.value,
        "level_rank": q.level.rank,
        "difficulty": q.difficulty.value,
        "tags": ",".join(q.tags),
        "hash": q.content_hash(),
        "text": q.text,
        "encoder": encoder.name,
    }


def _client_settings() -> ChromaClientSettings:
    return ChromaClientSettings(anonymized_telemetry=False, allow_reset=True)


def _open_client(settings: Settings) -> tuple[ClientAPI, str | None]:
    """Open Chroma; an embedded store that is corrupt or unreadable is moved aside and rebuilt."""
    if settings.chroma.mode == "server":
        try:
            client = chromadb.HttpClient(
                host=settings.chroma.host, port=settings.chroma.port, settings=_client_settings()
            )
            client.heartbeat()
        except Exception as e:  # chromadb raises several types for an unreachable server
            raise InterviewerError(
                f"cannot reach the Chroma server at {settings.chroma.host}:{settings.chroma.port}: {e}"
            ) from e
        return client, None
    path = settings.chroma_path
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        client = chromadb.PersistentClient(path=str(path), settings=_client_settings())
        client.list_collections()
        return client, None
    except Exception as e:  # a corrupt sqlite file or segment surfaces as many exception types
        aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
        log.warning("Chroma store at %s unreadable (%s); moving it to %s and rebuilding", path, e, aside)
        SharedSystemClient.clear_system_cache()  # chromadb caches one system per path
        shutil.move(str(path), str(aside))
        client = chromadb.PersistentClient(path=str(path), settings=_client_settings())
        return client, f"store at {path} was unreadable ({type(e).__name__}); moved to {aside.name}"


class QuestionIndex:
    """The collection plus the encoder that fills it. Open once per process and reuse."""

    def __init__(self, settings: Settings | None = None, encoder: Encoder | None = None) -> None:
        self.settings = settings or get_settings()
        self.encoder = encoder or get_encoder(self.settings)
        self.client, self.recovered = _open_client(self.settings)
        self.collection = self._collection()

    def _collection(self) -> Collection:
        return self.client.get_or_create_collection(
            self.settings.chroma.collection,
            embedding_function=ChromaEmbeddingFunction(self.encoder),  # type: ignore[arg-type]
            metadata={"hnsw:space": "cosine", "encoder": self.encoder.name},
        )

    def count(self) -> int:
        return self.collection.count()

    def sync(self, bank: Bank) -> SyncReport:
        start = time.perf_counter()
        report = SyncReport(rebuilt=self.recovered)
        meta = self.collection.metadata or {}
        if meta.get("encoder") not in (None, self.encoder.name):
            # Vectors from another model are not comparable: start over.
            self.client.delete_collection(self.settings.chroma.collection)
            self.collection = self._collection()
            report.rebuilt = f"encoder changed from {meta.get('encoder')} to {self.encoder.name}"
        existing = self.collection.get(include=["metadatas"])
        have = {
            qid: (m or {}).get("hash") for qid, m in zip(existing["ids"], existing["metadatas"] or [], strict=False)
        }
        want = {q.id: q for q in bank}
        stale = [qid for qid in have if qid not in want]
        changed = [q for qid, q in want.items() if have.get(qid) != q.content_hash()]
        report.removed = stale
        report.added = [q.id for q in changed if q.id not in have]
        report.updated = [q.id for q in changed if q.id in have]
        report.unchanged = len(want) - len(changed)
        if changed:
            texts = [q.search_text() for q in changed]
            vectors = self.encoder.encode(texts)
            batch = 256
            for i in range(0, len(changed), batch):
                part = changed[i : i + batch]
                self.collection.upsert(
                    ids=[q.id for q in part],
                    embeddings=vectors[i : i + batch],
                    documents=texts[i : i + batch],
                    metadatas=[metadata(q, self.encoder) for q in part],
                )
        if stale:
            self.collection.delete(ids=stale)
        report.seconds = time.perf_counter() - start
        return report
