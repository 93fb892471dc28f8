"""The story bank: a candidate's reviewed STAR stories, tagged by competency, matched to questions.

A candidate walks into a behavioral loop with six to ten prepared stories; the useful questions are
"which story answers this question?" and "which competencies have I no story for?". Stories live
in the session database (beside, not inside, the interview tables; the engine comes from
:mod:`interviewer.store`), each with its review and one embedding, so matching a question against
every story is a single encoder call.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy import JSON, DateTime, String, Text, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from interviewer.bank import Bank, Round
from interviewer.config import Settings, get_settings
from interviewer.embeddings import Encoder
from interviewer.errors import InputError, InterviewerError
from interviewer.review import StoryReview

MAX_QUERY_CHARS = 2000


class _Base(DeclarativeBase):
    pass


class StoryRow(_Base):
    __tablename__ = "stories"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    review: Mapped[dict[str, Any]] = mapped_column(JSON)
    engine: Mapped[str] = mapped_column(String(80))
    vector: Mapped[list[float]] = mapped_column(JSON)


class Story(BaseModel):
    id: str
    title: str
    text: str
    created_at: datetime
    tags: list[str] = Field(default_factory=list, description="competencies, lower case")
    engine: str
    review: dict[str, Any]

    def summary(self) -> dict[str, Any]:
        levels = {d: s.get("level") for d, s in self.review.get("scores", {}).items()}
        return {"id": self.id, "title": self.title, "tags": self.tags, "levels": levels,
                "created_at": self.created_at.isoformat(timespec="seconds")}


@dataclass(frozen=True)
class StoryMatch:
    story: Story
    score: float  # cosine similarity of the story to the question


def story_text_for_matching(review: StoryReview) -> str:
    """The story as one retrieval query: its STAR sentences in order, cut to what the encoder reads."""
    parts = [s for sec in review.outline for s in sec.sentences] or [review.story]
    return " ".join(" ".join(parts).split())[:MAX_QUERY_CHARS]


def normalise_tags(tags: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(t.strip().lower() for t in tags if t.strip()))


class StoryBank:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        try:
            _Base.metadata.create_all(engine)
        except SQLAlchemyError as e:
            raise InterviewerError(f"cannot open the story bank: {e.__cause__ or e}") from e

    def save(self, review: StoryReview, vector: np.ndarray, *, title: str = "", tags: Sequence[str] = ()) -> Story:
        sid = secrets.token_hex(4)
        title = (title or review.story.split("\n", 1)[0])[:80].strip() or sid
        row = StoryRow(id=sid, title=title, text=review.story, created_at=datetime.now(UTC),
                       tags=normalise_tags(tags), review=review.to_json(), engine=review.engine,
                       vector=[float(x) for x in vector])
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            s.add(row)
        return _story(row)

    def stories(self, tag: str | None = None) -> list[Story]:
        with Session(self.engine) as s:
            rows = s.scalars(select(StoryRow).order_by(StoryRow.created_at)).all()
            out = [_story(r) for r in rows]
        if tag:
            out = [st for st in out if tag.strip().lower() in st.tags]
        return out

    def get(self, prefix: str) -> Story:
        return _story(self._row(prefix))

    def retag(self, prefix: str, add: Sequence[str] = (), remove: Sequence[str] = ()) -> Story:
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            row = s.get(StoryRow, self._row(prefix).id)
            assert row is not None
            drop = set(normalise_tags(remove))
            row.tags = [t for t in normalise_tags([*row.tags, *add]) if t not in drop]
        return _story(row)

    def delete(self, prefix: str) -> str:
        sid = self._row(prefix).id
        with Session(self.engine) as s, s.begin():
            row = s.get(StoryRow, sid)
            s.delete(row)
        return sid

    def match(self, question: str, encoder: Encoder, k: int = 3) -> list[StoryMatch]:
        """Saved stories ranked by how well they fit ``question`` (embedding similarity)."""
        question = " ".join(question.split())
        if not question:
            raise InputError("the question to match stories against is empty")
        with Session(self.engine) as s:
            rows = s.scalars(select(StoryRow)).all()
            stories = [(_story(r), np.asarray(r.vector, dtype=np.float32)) for r in rows]
        if not stories:
            return []
        q = encoder.encode([question[:MAX_QUERY_CHARS]])[0]
        scored = [StoryMatch(st, float(vec @ q / max(float(np.linalg.norm(vec)), 1e-12))) for st, vec in stories]
        return sorted(scored, key=lambda m: -m.score)[:k]

    def _row(self, prefix: str) -> StoryRow:
        prefix = prefix.strip()
        if not prefix:
            raise InputError("no story id given")
        with Session(self.engine, expire_on_commit=False) as s:
            rows = s.scalars(select(StoryRow).where(StoryRow.id.startswith(prefix, autoescape=True))).all()
        if not rows:
            raise InputError(f"no story {prefix!r}; see `interviewer stories list`")
        if len(rows) > 1:
            raise InputError(f"story id prefix {prefix!r} is ambiguous; give more characters")
        return rows[0]


def suggest_competencies(bank: Bank, question_ids: list[str], limit: int = 2) -> list[str]:
    """The competencies of the bank questions a story fits best: tags proposed, never imposed."""
    out: list[str] = []
    for qid in question_ids:
        if qid in bank:
            comp = bank.get(qid).competency
            if comp and comp.lower() not in out and bank.get(qid).round == Round.behavioral:
                out.append(comp.lower())
    return out[:limit]


def open_storybank(settings: Settings | None = None) -> StoryBank:
    from interviewer.store import open_store

    return StoryBank(open_store(settings or get_settings()).engine)


def _story(r: StoryRow) -> Story:
    created = r.created_at if r.created_at.tzinfo else r.created_at.replace(tzinfo=UTC)
    return Story(id=r.id, title=r.title, text=r.text, created_at=created, tags=list(r.tags or []),
                 engine=r.engine, review=r.review)

