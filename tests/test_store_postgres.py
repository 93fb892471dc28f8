"""The session store against a real PostgreSQL server (``INTERVIEWER_TEST_PG_URL``).

``scripts/start-postgres.sh`` starts one and prints the URL; ``scripts/test.sh`` exports it. In
CI (``CI=true``) a missing URL is a failure, never a silent skip.
"""

from __future__ import annotations

import os

import pytest
from engine_support import real_bank
from sqlalchemy import create_engine
from test_store import check_store_contract

from interviewer.bank import Bank
from interviewer.config import Settings
from interviewer.index import QuestionIndex
from interviewer.session import Interview, InterviewConfig
from interviewer.store import Base, Store, normalise_url
from interviewer.testing import ScriptedScorer, assessment

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url() -> str:
    url = os.environ.get("INTERVIEWER_TEST_PG_URL")
    if not url:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(
                "CI=true but INTERVIEWER_TEST_PG_URL is not set: start PostgreSQL with scripts/start-postgres.sh"
            )
        pytest.skip("INTERVIEWER_TEST_PG_URL not set (run scripts/start-postgres.sh to test PostgreSQL)")
    engine = create_engine(normalise_url(url))
    Base.metadata.drop_all(engine)  # a throwaway test database: start from empty tables
    engine.dispose()
    return url


def test_postgres_store_contract(pg_url: str) -> None:
    check_store_contract(pg_url)


def test_an_interview_runs_and_resumes_on_postgres(
    pg_url: str, settings: Settings, shared_index: QuestionIndex
) -> None:
    bank: Bank = real_bank()
    store = Store(pg_url)

    def weak(item):  # type: ignore[no-untyped-def]
        return assessment({d: 1 for d in item.dimensions or []}, key_points=item.reference, covered=[1])

    iv = Interview.create(
        InterviewConfig(round="behavioral"),
        settings=settings,
        store=store,
        scorer=ScriptedScorer([weak]),
        index=shared_index,
        bank=bank,
    )
    iv.start().text()
    owed = iv.answer("I owned the pipeline and we shipped it to all users.").text()
    again = Interview.resume(
        iv.session_id, settings=settings, store=Store(pg_url), scorer=ScriptedScorer([]), index=shared_index, bank=bank
    )
    assert again.start().text() == owed
    assert [t.kind for t in again.transcript()] == ["question", "answer", "followup"]
    report = again.end()
    assert report["status"] == "finished" and Store(pg_url).get(iv.session_id).status == "finished"
