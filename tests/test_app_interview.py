"""The interview view's handlers, through ``create_app()``: real engine, store, index and scorer."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import pytest

from interviewer.config import Settings
from interviewer.ui.app import create_app
from interviewer.ui.context import AppContext
from interviewer.ui.interview import InterviewView, LiveInterview, status_html
from interviewer.ui.state import Preferences
from interviewer.ui.testing import drain, handler, is_skip

STORY = (
    "Last year our feed ranking model drifted after a launch and watch time fell 4 percent. I owned the "
    "investigation and found a logging bug that dropped 30 percent of negative labels. I chose to fix the "
    "pipeline before retraining, because retraining on broken labels would bake the bug in. Watch time "
    "recovered by 3.8 percent in an A/B test. I learned to alert on label rates."
)


@pytest.fixture
def demo(tmp_path: Path, shared_index, monkeypatch: pytest.MonkeyPatch) -> gr.Blocks:  # type: ignore[no-untyped-def]
    """A fresh app on a private data dir; the bank and index are the process's (read-only)."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    return create_app(context=AppContext(Settings(data_dir=tmp_path / "data"), preloaded_index=shared_index))


def start(demo: gr.Blocks, round_id: str = "behavioral", **kw) -> tuple:  # type: ignore[no-untyped-def, type-arg]
    args = {
        "fmt": "Single round",
        "round_id": round_id,
        "persona": "",
        "level": "MLE3",
        "topics": [],
        "context": "",
        "live_feedback": False,
        "prefs": None,
        "key": None,
        **kw,
    }
    return handler(demo, "interview_start")(**args)


def turns_of(live: LiveInterview) -> list[tuple[str, str]]:
    return [(t.role, t.kind) for t in live.iv.transcript()]


def test_importing_app_starts_nothing_and_building_reads_no_bank(tmp_path: Path) -> None:
    import importlib.util
    import threading

    from interviewer import service

    before = {t.ident for t in threading.enumerate()}
    spec = importlib.util.spec_from_file_location("app", Path(__file__).parents[1] / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert {t.ident for t in threading.enumerate()} == before
    service.reset()
    demo = module.create_app(Settings(data_dir=tmp_path / "data"))
    assert service._bank is None and service._index is None  # loaded on first use, not at build
    assert {t.ident for t in threading.enumerate()} == before
    names = {f.api_name for f in demo.fns.values()}
    assert {"interview_start", "interview_answer", "review_story", "history_refresh", "eval_run"} <= names


def test_start_streams_answer_and_saves_every_turn(demo: gr.Blocks) -> None:
    live, chat, _answer, status, _feedback, timer, _card, prefs = start(demo)
    assert isinstance(live, LiveInterview)
    assert chat[0]["role"] == "assistant" and chat[0]["content"]
    assert "Behavioral" in status and "Time left" in status
    assert timer.active is True
    assert Preferences.load(prefs).sessions == [live.iv.session_id]

    updates = [(update[2], [dict(m) for m in update[1]]) for update in handler(demo, "interview_answer")(live, STORY)]
    assert len(updates) == 1  # offline: answer and reply in one update, the box cleared
    box, last = updates[0]
    assert box == "" and last[-2] == {"role": "user", "content": STORY}
    reply = last[-1]
    assert reply["role"] == "assistant" and reply["content"]
    saved = live.iv.transcript()
    assert saved[-1].role == "interviewer" and saved[-1].text == reply["content"]
    assert [t.text for t in saved if t.role == "candidate"] == [STORY]
    assert saved[-2].scores is not None  # scored before the reply was written
    assert "Answers 1" in status_html(live)


def test_empty_huge_and_binary_answers_are_refused_and_nothing_is_lost(demo: gr.Blocks) -> None:
    live = start(demo)[0]
    before = turns_of(live)
    answer = handler(demo, "interview_answer")
    with pytest.warns(UserWarning, match="answer is empty"):
        assert is_skip(drain(answer(live, "   \n "))[-1])
    with pytest.warns(UserWarning, match="the limit is"):
        assert is_skip(drain(answer(live, "word " * 200_000))[-1])  # a 1 MB paste
    with pytest.warns(UserWarning, match="binary"):
        assert is_skip(drain(answer(live, "PNG\x00\x01\x02" * 100))[-1])
    assert turns_of(live) == before
    assert len(live.chat) == 1
    out = drain(answer(live, STORY))  # the session goes on
    assert out[-1][1][-2]["content"] == STORY


def test_hint_repeat_skip_end_and_scorecard(demo: gr.Blocks) -> None:
    live = start(demo, live_feedback=True)[0]
    question = live.chat[0]["content"]
    out = handler(demo, "interview_hint")(live)
    assert out[1][-1]["role"] == "assistant" and live.iv.state.hints == 1
    out = handler(demo, "interview_repeat")(live)
    assert out[1][-1]["content"] == question
    out = drain(handler(demo, "interview_answer")(live, STORY))
    feedback = out[-1][4]
    assert feedback.visible is True and "Feedback on your last answer" in feedback.value
    assert "offline" in feedback.value
    drain(handler(demo, "interview_skip")(live))
    assert ("candidate", "skip") in turns_of(live)

    card = handler(demo, "show_scorecard")(live)
    assert is_skip(card[0])  # not over yet: nothing to show
    end = handler(demo, "interview_end")(live)
    assert live.done and end[5].active is False and "Finished" in end[3]
    visible, summary, figure, questions, md, page = handler(demo, "show_scorecard")(live)
    assert visible.visible is True
    assert "Scorecard" in summary and "offline" in summary and "hints used: 1" in summary
    assert any(s in summary for s in ("Strong No Hire", "No Hire", "Hire", "Strong Hire"))
    assert figure.axes and "Q1." in questions
    md_text, html_text = Path(md).read_text(), Path(page).read_text()
    assert md_text.startswith("# Interview report") and live.iv.session_id in md_text
    assert "<html" in html_text.lower() and live.iv.session_id in html_text

    with pytest.warns(UserWarning, match="has ended"):
        assert is_skip(drain(handler(demo, "interview_answer")(live, "more"))[-1])


def test_resume_rebuilds_the_chat_and_continues(demo: gr.Blocks) -> None:
    first = start(demo)
    live, prefs = first[0], first[-1]
    drain(handler(demo, "interview_answer")(live, STORY))
    choices = handler(demo, "interview_unfinished")(prefs)
    assert [c[1] for c in choices.choices] == [live.iv.session_id]
    assert handler(demo, "interview_unfinished")(None).choices == []  # another browser sees none of it

    resumed = handler(demo, "interview_resume")(live.iv.session_id, False, prefs, None)[0]
    assert resumed is not live and resumed.iv.session_id == live.iv.session_id
    assert [m["role"] for m in resumed.chat] == [m["role"] for m in live.chat]
    assert resumed.chat[-1]["content"] == live.chat[-1]["content"]
    out = drain(handler(demo, "interview_answer")(resumed, "I do not know, sorry."))
    assert out[-1][1][-1]["role"] == "assistant"
    assert [t.role for t in resumed.iv.transcript()].count("candidate") == 2


def test_resume_refuses_unknown_and_finished_sessions(demo: gr.Blocks) -> None:
    resume = handler(demo, "interview_resume")
    with pytest.warns(UserWarning, match="pick an unfinished session"):
        assert is_skip(resume(None, False, None, None))
    with pytest.warns(UserWarning, match="no session"):
        assert is_skip(resume("nope", False, None, None))
    live = start(demo)[0]
    handler(demo, "interview_end")(live)
    with pytest.warns(UserWarning, match="already finished"):
        assert is_skip(resume(live.iv.session_id, False, None, None))


def test_bad_setup_is_a_message(demo: gr.Blocks) -> None:
    with pytest.warns(UserWarning, match="100,000"):
        assert is_skip(start(demo, context="x" * 1_000_000))
    with pytest.warns(UserWarning, match="binary"):
        assert is_skip(start(demo, context="\x00\x01 resume"))
    with pytest.warns(UserWarning, match="no interview"):
        assert is_skip(handler(demo, "interview_hint")(None))


def test_full_loop_and_focus_topics(demo: gr.Blocks) -> None:
    live = start(demo, fmt="Full loop", round_id="behavioral", persona="short_video_panel")[0]
    assert live.clock.stages == 4 and "Round 1 of 4" in handler(demo, "interview_repeat")(live)[3]
    topic = live.iv.bank.get(live.iv.state.question_id).topic
    focused = start(demo, round_id="ml_design", topics=[topic])[0]
    assert focused.iv.config.topics == [topic]


def test_two_users_share_nothing(demo: gr.Blocks) -> None:
    a, b = start(demo)[0], start(demo, round_id="ml_theory")[0]
    drain(handler(demo, "interview_answer")(a, STORY))
    assert a.iv.session_id != b.iv.session_id
    assert len(b.chat) == 1 and [t.role for t in b.iv.transcript()] == ["interviewer"]
    assert b.iv.state.round == "ml_theory" and a.iv.state.round == "behavioral"


def test_a_streamed_reply_is_shown_at_once_and_then_coalesced(demo: gr.Blocks) -> None:
    live = start(demo)[0]
    view = InterviewView(demo.interviewer_context)
    shown = [u[1][-1]["content"] for u in view._stream(live, iter(["Tell ", "me ", "more ", "about ", "it."]))]
    assert shown[0] == "Tell "  # the first chunk is not held back
    assert shown[-1] == "Tell me more about it."  # and nothing is lost
    assert len(shown) <= 5


def test_one_action_at_a_time_per_interview(demo: gr.Blocks, monkeypatch: pytest.MonkeyPatch) -> None:
    from interviewer.ui import interview

    live = start(demo)[0]
    monkeypatch.setattr(interview, "TURN_WAIT_S", 0.01)
    with live.lock:  # an answer still being scored
        with pytest.warns(UserWarning, match="still busy"):
            assert is_skip(handler(demo, "interview_hint")(live))
        with pytest.warns(UserWarning, match="still busy"):
            assert is_skip(drain(handler(demo, "interview_answer")(live, STORY))[-1])
    assert live.iv.state.hints == 0 and len(live.chat) == 1
    assert handler(demo, "interview_hint")(live)[1][-1]["role"] == "assistant"  # free again
