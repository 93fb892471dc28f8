"""Sessions and their turns, saved as they happen: SQLite by default, PostgreSQL by URL.

Every turn is committed on its own the moment it exists (the candidate's answer before it is
scored, the scores when they are ready, the interviewer's message once written), so a process
killed at any point loses nothing already said and the session resumes from its turns.
SQLite runs in WAL mode: readers (the app's history page) never block the interview writing.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from interviewer.config import Settings, get_settings
from interviewer.errors import InputError, InterviewerError


class Base(DeclarativeBase):
    pass


class SessionRow(Base):
    __tablename__ = "interview_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="active")
    title: Mapped[str] = mapped_column(String(200))
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class TurnRow(Base):
    __tablename__ = "interview_turns"
    __table_args__ = (UniqueConstraint("session_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("interview_sessions.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    question_id: Mapped[str] = mapped_column(String(100), default="")
    stage: Mapped[int] = mapped_column(Integer, default=0)
    phase: Mapped[str] = mapped_column(String(40), default="")
    target: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    scores: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    notes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    engine: Mapped[str | None] = mapped_column(String(64), nullable=True)
    elapsed_ms: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Turn(BaseModel):
    """One message of the interview, as saved."""

    seq: int = 0
    role: str  # interviewer | candidate
    kind: str  # question | followup | hint | closing | answer | skip
    text: str
    question_id: str = ""
    stage: int = 0
    phase: str = ""
    target: dict[str, Any] | None = None
    scores: dict[str, Any] | None = Field(default=None, description="the Assessment of the answers so far")
    notes: dict[str, Any] = Field(default_factory=dict, description="hidden interviewer notes")
    engine: str | None = None
    elapsed_ms: int = 0
    created_at: datetime | None = None


class SessionInfo(BaseModel):
    id: str
    created_at: datetime
    updated_at: datetime
    status: str
    title: str
    config: dict[str, Any]
    report: dict[str, Any] | None = None
    turns: int = 0


def normalise_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here (the driver this project installs), not psycopg2."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _utc(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _now() -> datetime:
    return datetime.now(UTC)


class Store:
    def __init__(self, url: str) -> None:
        url = normalise_url(url)
        self.url = make_url(url)
        if self.url.get_backend_name() == "sqlite" and self.url.database not in (None, "", ":memory:"):
            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
        sqlite = self.url.get_backend_name() == "sqlite"
        self.engine: Engine = create_engine(url, pool_pre_ping=not sqlite)
        if sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        try:
            Base.metadata.create_all(self.engine)
        except SQLAlchemyError as e:
            raise InterviewerError(
                f"cannot open the session database {self.url.render_as_string(hide_password=True)}: {e.__cause__ or e}"
            ) from e

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            yield s

    # --- sessions

    def create(self, config: dict[str, Any], title: str) -> str:
        sid = secrets.token_hex(6)
        now = _now()
        with self._tx() as s:
            s.add(SessionRow(id=sid, created_at=now, updated_at=now, status="active", title=title[:200], config=config))
        return sid

    def resolve(self, prefix: str) -> str:
        """A full session id from an id or a unique prefix of one."""
        prefix = prefix.strip()
        if not prefix:
            raise InputError("no session id given")
        with self._tx() as s:
            query = select(SessionRow.id).where(SessionRow.id.startswith(prefix, autoescape=True)).limit(2)
            ids = s.scalars(query).all()
        if not ids:
            raise InputError(f"no session {prefix!r}; see `interviewer sessions list`")
        if len(ids) > 1 and prefix not in ids:
            raise InputError(f"session id prefix {prefix!r} is ambiguous; give more characters")
        return prefix if prefix in ids else ids[0]

    def get(self, session_id: str) -> SessionInfo:
        sid = self.resolve(session_id)
        with self._tx() as s:
            row = s.get(SessionRow, sid)
            assert row is not None
            n = s.scalar(select(func.count()).select_from(TurnRow).where(TurnRow.session_id == sid)) or 0
            return _info(row, n)

    def sessions(self, limit: int = 50) -> list[SessionInfo]:
        counts = select(TurnRow.session_id, func.count().label("n")).group_by(TurnRow.session_id).subquery()
        with self._tx() as s:
            rows = s.execute(
                select(SessionRow, counts.c.n)
                .outerjoin(counts, counts.c.session_id == SessionRow.id)
                .order_by(SessionRow.updated_at.desc())
                .limit(limit)
            ).all()
            return [_info(row, n or 0) for row, n in rows]

    def finish(self, session_id: str, report: dict[str, Any]) -> None:
        with self._tx() as s:
            row = s.get(SessionRow, session_id)
            if row is None:
                raise InputError(f"no session {session_id!r}")
            row.status, row.report, row.updated_at = "finished", report, _now()

    def delete(self, session_id: str) -> str:
        sid = self.resolve(session_id)
        with self._tx() as s:
            s.execute(delete(TurnRow).where(TurnRow.session_id == sid))
            s.execute(delete(SessionRow).where(SessionRow.id == sid))
        return sid

    # --- turns

    def add_turn(self, session_id: str, turn: Turn) -> Turn:
        """Append and commit at once; the turn comes back with its ``seq`` and time.

        Pass the ``seq`` you expect (the engine knows it) to save a query; 0 means "the next".
        The unique (session, seq) constraint keeps two writers from interleaving either way.
        """
        now = _now()
        data = turn.model_dump(exclude={"seq", "created_at"})
        with self.engine.begin() as c:  # prepared Core statements: this is every turn's hot path
            touched = c.execute(_TOUCH, {"sid": session_id, "now": now})
            if touched.rowcount != 1:
                raise InputError(f"no session {session_id!r}")
            seq = turn.seq or (c.scalar(_LAST_SEQ, {"sid": session_id}) or 0) + 1
            c.execute(_INSERT_TURN, {**data, "session_id": session_id, "seq": seq, "created_at": now})
        return turn.model_copy(update={"seq": seq, "created_at": now})

    def update_turn(self, session_id: str, seq: int, **fields: Any) -> None:
        allowed = {"scores", "notes", "engine", "target"}
        if not set(fields) <= allowed:
            raise ValueError(f"only {sorted(allowed)} of a saved turn may change")
        with self.engine.begin() as c:
            done = c.execute(
                update(TurnRow).where(TurnRow.session_id == session_id, TurnRow.seq == seq).values(**fields)
            )
            if done.rowcount != 1:
                raise InputError(f"no turn {seq} in session {session_id!r}")

    def turns(self, session_id: str) -> list[Turn]:
        with self._tx() as s:
            rows = s.scalars(select(TurnRow).where(TurnRow.session_id == session_id).order_by(TurnRow.seq)).all()
            return [_turn(r) for r in rows]

    def recent_question_ids(self, *, exclude: str | None = None, sessions: int = 5) -> set[str]:
        """Questions asked in the last few sessions, which a new session avoids unless asked not to."""
        with self._tx() as s:
            recent = select(SessionRow.id).order_by(SessionRow.created_at.desc()).limit(sessions + 1)
            ids = [i for i in s.scalars(recent).all() if i != exclude][:sessions]
            if not ids:
                return set()
            qids = s.scalars(
                select(TurnRow.question_id).where(TurnRow.session_id.in_(ids), TurnRow.kind == "question").distinct()
            ).all()
        return {q for q in qids if q}


_TOUCH = update(SessionRow).where(SessionRow.id == bindparam("sid")).values(updated_at=bindparam("now"))
_LAST_SEQ = select(func.max(TurnRow.seq)).where(TurnRow.session_id == bindparam("sid"))
_INSERT_TURN = insert(TurnRow)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cur.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL survives a killed process
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def _info(row: SessionRow, turns: int) -> SessionInfo:
    return SessionInfo(
        id=row.id,
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
        status=row.status,
        title=row.title,
        config=row.config,
        report=row.report,
        turns=turns,
    )


def _turn(r: TurnRow) -> Turn:
    return Turn(
        seq=r.seq,
        role=r.role,
        kind=r.kind,
        text=r.text,
        question_id=r.question_id,
        stage=r.stage,
        phase=r.phase,
        target=r.target,
        scores=r.scores,
        notes=r.notes or {},
        engine=r.engine,
        elapsed_ms=r.elapsed_ms,
        created_at=_utc(r.created_at),
    )


def open_store(settings: Settings | None = None) -> Store:
    return Store((settings or get_settings()).db_url)
