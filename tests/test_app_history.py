"""History and progress: sessions per browser, a series per dimension, weakest topics, the drill."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import gradio as gr
import pytest

from interviewer.config import Settings
from interviewer.report import DeliveryReport, DimensionSummary, QuestionReport, Report, RoundReport
from interviewer.ui.app import create_app
from interviewer.ui.context import AppContext
from interviewer.ui.history import delivery_series, dimension_series, weakest_topics
from interviewer.ui.testing import drain, handler, is_skip
from interviewer.voice.delivery import SessionDelivery

ANSWER = (
    "I owned the ranking migration. I chose a two-tower model over item-to-item because fresh videos need "
    "coverage, and recall at 500 rose from 0.31 to 0.38 in an offline test, then watch time rose 0.7 percent."
)


@pytest.fixture
def demo(tmp_path: Path, shared_index, monkeypatch: pytest.MonkeyPatch) -> gr.Blocks:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    return create_app(context=AppContext(Settings(data_dir=tmp_path / "data"), preloaded_index=shared_index))


def interview(demo: gr.Blocks, prefs: dict | None = None, finish: bool = True) -> tuple:  # type: ignore[type-arg]
    out = handler(demo, "interview_start")("Single round", "behavioral", "", "MLE3", [], "", False, prefs, None)
    live, prefs = out[0], out[-1]
    drain(handler(demo, "interview_answer")(live, ANSWER))
    if finish:
        handler(demo, "interview_end")(live)
    return live, prefs


def test_history_lists_this_browsers_sessions_with_progress_and_a_drill(demo: gr.Blocks) -> None:
    refresh = handler(demo, "history_refresh")
    rows, figure, speech, weak, pick, drill, note = refresh(None, False)
    assert rows == [] and "No sessions yet" in note
    assert "no spoken answers yet" in speech.axes[0].texts[0].get_text()

    first, prefs = interview(demo)
    second, prefs = interview(demo, prefs, finish=False)  # unfinished sessions count too
    rows, figure, speech, weak, pick, drill, note = refresh(prefs, False)
    assert [r[1] for r in rows] == [second.iv.session_id, first.iv.session_id]
    assert [r[3] for r in rows] == ["active", "finished"]
    assert figure.axes
    assert weak and all(w[1] == "behavioral" for w in weak)
    assert {c[1] for c in pick.choices} == {first.iv.session_id, second.iv.session_id}
    asked = {t.question_id for live in (first, second) for t in live.iv.transcript() if t.kind == "question"}
    drilled = [c[1] for c in drill.choices]
    assert drilled and not set(drilled) & asked  # only questions not asked yet
    weak_topics = {w[0] for w in weak}
    assert all(first.iv.bank.get(q).topic in weak_topics for q in drilled[:2])

    assert refresh(None, False)[0] == []  # another browser sees none of them ...
    assert len(refresh(None, True)[0]) == 2  # ... unless it asks for every session

    shown, md, page = handler(demo, "history_session")(first.iv.session_id)
    assert "Scorecard" in shown and Path(md).read_text().startswith("# Interview report")
    assert first.iv.session_id in Path(page).read_text()


def test_drill_scores_an_answer_with_evidence(demo: gr.Blocks, shared_index) -> None:  # type: ignore[no-untyped-def]
    score = handler(demo, "history_drill_score")
    qid = next(q.id for q in demo.interviewer_context.bank if q.round.value == "behavioral")
    with pytest.warns(UserWarning, match="pick a drill question"):
        assert is_skip(score(None, ANSWER, None, None))
    with pytest.warns(UserWarning, match="empty"):
        assert is_skip(score(qid, "  ", None, None))
    with pytest.warns(UserWarning, match="the limit is"):
        assert is_skip(score(qid, "x " * 600_000, None, None))
    result = score(qid, ANSWER, None, None)
    assert "(scored by offline)" in result
    assert "Ownership:" in result and "Not covered yet" in result


def _report(day: int, levels: dict[str, float], topic: str, mean_level: float | None) -> Report:
    q = QuestionReport(
        question_id=f"q{day}", text="q", topic=topic, level="MLE3", answers=1, skipped=False,
        attempted=mean_level is not None, mean_level=mean_level, scores=[], covered=[], missed=[], followups=[],
        hints=[], flags=[], engine="offline",
    )  # fmt: skip
    dims = [
        DimensionSummary(dimension=d, name=d, mean=m, n=1, abstained=0, levels=[round(m)]) for d, m in levels.items()
    ]
    rnd = RoundReport(
        stage=0, round="behavioral", title="Behavioral", persona="p", persona_name="P", questions=[q],
        dimensions=dims, hire_signal="Hire", signal_score=3.0, reasons=[], hints=0, answers=1, max_turns=9,
        minutes_used=1.0, minutes_budget=40.0,
    )  # fmt: skip
    created = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=day)
    return Report(
        session_id=f"s{day}", title="t", created_at=created, status="finished", level="MLE3", rounds=[rnd],
        improvements=[], engines={}, fallbacks=[], hints=0,
    )  # fmt: skip


def test_series_and_weakest_topics_are_computed_from_reports() -> None:
    class Info:
        def __init__(self, r: Report) -> None:
            self.created_at = r.created_at

    reports = [
        _report(1, {"impact": 2.0, "star": 3.0}, "conflict", 1.5),
        _report(2, {"impact": 3.0}, "conflict", None),  # not attempted: counts as level 1
        _report(3, {"impact": 4.0, "star": 2.0}, "ownership", 3.5),
    ]
    items = [(Info(r), r) for r in reports]
    series = dimension_series(items)  # type: ignore[arg-type]
    assert [v for _, v in series["impact"]] == [2.0, 3.0, 4.0]
    assert [v for _, v in series["star"]] == [3.0, 2.0]
    weak = weakest_topics(items)  # type: ignore[arg-type]
    assert [(w.topic, w.n, w.average) for w in weak] == [("conflict", 2, 1.25), ("ownership", 1, 3.5)]


def test_delivery_trend_has_a_point_per_spoken_session() -> None:
    class Info:
        def __init__(self, r: Report) -> None:
            self.created_at = r.created_at

    def spoken(day: int, wpm: float | None, fpm: float | None) -> Report:
        summary = SessionDelivery(
            answers=1, words=100, talk_time_s=40.0, words_per_minute=wpm, fillers={}, filler_count=0,
            fillers_per_minute=fpm, long_pauses=0, longest_pause_s=0.0, notes=[],
        )  # fmt: skip
        r = _report(day, {"impact": 3.0}, "conflict", 3.0)
        return r.model_copy(update={"delivery": DeliveryReport(answers=[], summary=summary, typed_answers=0)})

    reports = [spoken(1, 190.0, 8.0), _report(2, {"impact": 3.0}, "conflict", 3.0), spoken(3, 150.0, 2.5)]
    series = delivery_series([(Info(r), r) for r in reports])  # type: ignore[arg-type]
    assert [v for _, v in series["words per minute"]] == [190.0, 150.0]  # the typed session has no point
    assert [v for _, v in series["filler words per minute"]] == [8.0, 2.5]
    from interviewer.ui.charts import delivery_trend

    figure = delivery_trend(series)
    titles = [ax.get_title(loc="left") for ax in figure.axes if ax.get_visible()]
    assert titles == ["words per minute", "filler words per minute"]
