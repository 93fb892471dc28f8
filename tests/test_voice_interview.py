"""The spoken interview wired to the real interview engine: answers heard by the voice loop
are saved as the candidate's turns, and the engine's questions are what gets spoken."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from interviewer.bank import load_bank
from interviewer.config import Settings
from interviewer.index import QuestionIndex
from interviewer.session import Interview, InterviewConfig
from interviewer.voice.frames import AudioIn, Frame
from interviewer.voice.loop import InterviewConversation, run_voice_interview
from interviewer.voice.testing import FakeSTT, FakeTTS, MemorySink
from interviewer.voice.turns import RATE

pytestmark = pytest.mark.slow

STORY = (
    "I led the migration of our ranking model to a two tower retrieval system. I designed the feature "
    "pipeline myself and ran the offline evaluation, and recall at one hundred improved by eight percent."
)
FOLLOW_UP = "I measured it with an A B test over two weeks, and engagement went up three percent."


class Recording:
    """A microphone playing two answers, each followed by silence long enough to end the turn."""

    def __init__(self) -> None:
        t = np.arange(int(2.5 * RATE)) / RATE
        speech = (0.1 * np.abs(np.sin(2 * np.pi * 3 * t)) * np.sin(2 * np.pi * 180 * t)).astype(np.float32)
        quiet = np.zeros(int(3.5 * RATE), np.float32)
        self.audio = np.concatenate([quiet[:8000], speech, quiet, speech, quiet]) + np.float32(1e-4)
        self.paused = 0

    def frames(self) -> Iterator[Frame]:
        for i in range(0, len(self.audio), 1600):
            yield AudioIn(self.audio[i : i + 1600])

    def pause(self) -> None:
        self.paused += 1

    def resume(self) -> None:
        pass

    def close(self) -> None:
        pass


def test_spoken_answers_reach_the_engine_and_its_replies_are_spoken(
    settings: Settings, shared_index: QuestionIndex
) -> None:
    interview = Interview.create(
        InterviewConfig(round="behavioral", level="MLE3"),  # type: ignore[arg-type]
        settings=settings,
        index=shared_index,
        bank=load_bank(settings.knowledge_dir),
    )
    conversation = InterviewConversation(interview)
    tts, sink = FakeTTS(), MemorySink()
    source = Recording()
    result = run_voice_interview(
        source, sink, FakeSTT([STORY, FOLLOW_UP]), tts, conversation.reply,
        opening=conversation.opening(), is_over=conversation.is_over, max_answers=2,
    )  # fmt: skip
    turns = interview.transcript()
    answers = [t.text for t in turns if t.role == "candidate"]
    assert answers == [STORY, FOLLOW_UP]
    spoken = " ".join(tts.spoken)
    for turn in turns:
        if turn.role == "interviewer":
            # Every word the interviewer wrote was spoken (sentences may be cut at clauses).
            assert " ".join(turn.text.split()) in spoken
    assert turns[0].role == "interviewer" and tts.spoken[0] in turns[0].text
    assert [a.transcript.text for a in result.answers] == [STORY, FOLLOW_UP]
    assert source.paused == 3  # deaf while the opening and both replies played
    # how each answer was said is saved with it, and the report has a delivery section
    saved = [t.notes["speech"] for t in turns if t.role == "candidate"]
    assert [s["delivery"]["words"] for s in saved] == [len(STORY.split()), len(FOLLOW_UP.split())]
    assert all(s["stt_engine"] == "fake" and not s["low_confidence"] for s in saved)
    report = interview.report()
    assert report["delivery"]["summary"]["answers"] == 2
    assert report["delivery"]["summary"]["words"] == result.delivery.words
    assert conversation.session_id == interview.session_id
