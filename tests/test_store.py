"""The session store on SQLite: every turn committed as it happens, readable by a fresh process.

``check_store_contract`` is shared with the PostgreSQL test (tests/test_store_postgres.py), so
both backends are held to the same behaviour.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from interviewer.errors import InputError
from interviewer.store import Store, Turn, normalise_url


def check_store_contract(url: str) -> None:
    store = Store(url)
    a = store.create({"config": {"level": "MLE3"}, "stages": []}, "Behavioral · MLE3")
    b = store.create({"config": {}}, "Coding")
    q = store.add_turn(a, Turn(role="interviewer", kind="question", text="Tell me about…", question_id="beh-1"))
    ans = store.add_turn(
        a, Turn(role="candidate", kind="answer", text="Ünïcode, quotes \"and\" 'more'", question_id="beh-1")
    )
    assert (q.seq, ans.seq) == (1, 2) and ans.created_at is not None
    scores = {"engine": "offline", "scores": {"impact": {"level": None, "evidence": ["x"]}}, "flags": []}
    store.update_turn(a, ans.seq, scores=scores, notes={"missed": [1, 3]}, engine="offline")
    store.add_turn(b, Turn(role="interviewer", kind="question", text="Two sum", question_id="cod-1"))

    reopened = Store(url)  # what a new process sees
    turns = reopened.turns(a)
    assert [t.kind for t in turns] == ["question", "answer"]
    assert turns[1].text == "Ünïcode, quotes \"and\" 'more'" and turns[1].scores == scores
    assert turns[1].notes == {"missed": [1, 3]} and turns[1].engine == "offline"
    assert reopened.get(a).turns == 2 and reopened.get(a[:6]).id == a
    assert [s.id for s in reopened.sessions()][:2] == [b, a]  # most recently updated first
    assert reopened.recent_question_ids(exclude=a) == {"cod-1"}
    assert reopened.recent_question_ids(exclude=b, sessions=1) == {"beh-1"}

    reopened.finish(a, {"rounds": [], "status": "finished"})
    info = reopened.get(a)
    assert info.status == "finished" and info.report == {"rounds": [], "status": "finished"}

    with pytest.raises(InputError, match="no session 'zzzz'"):
        reopened.get("zzzz")
    with pytest.raises(InputError, match="no session"):
        reopened.add_turn("missing", Turn(role="candidate", kind="answer", text="x"))
    with pytest.raises(ValueError, match="may change"):
        reopened.update_turn(a, 1, text="rewritten history")

    assert reopened.delete(a[:8]) == a
    assert reopened.turns(a) == [] and [s.id for s in reopened.sessions()] == [b]
    with pytest.raises(InputError):
        reopened.delete(a)


def test_sqlite_store_contract(tmp_path: Path) -> None:
    check_store_contract(f"sqlite:///{tmp_path / 'nested' / 'sessions.db'}")


def test_committed_turns_are_visible_to_another_connection_at_once(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    store = Store(f"sqlite:///{db}")
    sid = store.create({}, "t")
    store.add_turn(sid, Turn(role="candidate", kind="answer", text="saved before scoring"))
    with sqlite3.connect(db) as raw:  # not through SQLAlchemy: what is on disk (WAL included)
        assert raw.execute("select text from interview_turns where session_id = ?", (sid,)).fetchall() == [
            ("saved before scoring",)
        ]
        assert raw.execute("pragma journal_mode").fetchone() == ("wal",)


def test_ambiguous_prefix_and_urls(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    ids = {store.create({}, str(i)) for i in range(40)}
    firsts = [i[0] for i in ids]
    common = max(set(firsts), key=firsts.count)
    with pytest.raises(InputError, match="ambiguous"):
        store.resolve(common)
    assert normalise_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_unreachable_database_is_a_clear_error() -> None:
    from interviewer.errors import InterviewerError

    with pytest.raises(InterviewerError, match=r"cannot open the session database postgresql\+psycopg://u:\*\*\*@127"):
        Store("postgresql://u:secret@127.0.0.1:9/nowhere?connect_timeout=2")
