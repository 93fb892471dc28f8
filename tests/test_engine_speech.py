"""Spoken answers in the interview engine: delivery saved with each answer turn, shown in the report,
and an uncertain transcript that nobody corrected kept out of the scores.

Real parts: the bank, the shared Chroma index, SQLite; the scorer is scripted so each test knows
exactly which text was scored.
"""

from __future__ import annotations

import pytest
from engine_support import real_bank

from interviewer.bank import Bank
from interviewer.config import Settings
from interviewer.index import QuestionIndex
from interviewer.report import NOT_SCORED, Report, render
from interviewer.session import Interview, InterviewConfig
from interviewer.testing import ScriptedScorer, assessment
from interviewer.voice.delivery import SpokenAnswer, spoken_answer
from interviewer.voice.testing import transcript_of
from interviewer.voice.transcript import Transcript, Word

STORY = "I owned the retraining pipeline and shipped it. We launched it to every user in the feed."
RESULT = "Watch time rose from 52 to 53 minutes a day in a two-week A/B test against control."
UM_STORY = "So um I owned the retraining pipeline, like, end to end and uh we shipped it to every user."


@pytest.fixture(scope="module")
def bank() -> Bank:
    return real_bank()


def levels(level: int | None = 3):  # type: ignore[no-untyped-def]
    def step(item):  # type: ignore[no-untyped-def]
        n = len(item.reference)
        return assessment(
            {d: level for d in item.dimensions or []},
            key_points=item.reference,
            covered=range(1, n),
            evidence={d: [item.answer.split(".")[0]] for d in item.dimensions or []},
        )

    return step


def make(settings: Settings, index: QuestionIndex, bank: Bank, steps: list) -> tuple[Interview, ScriptedScorer]:  # type: ignore[type-arg]
    scorer = ScriptedScorer(steps)
    iv = Interview.create(
        InterviewConfig(round="behavioral", level="MLE3"),  # type: ignore[arg-type]
        settings=settings,
        scorer=scorer,
        index=index,
        bank=bank,
    )
    iv.start().text()
    return iv, scorer


def said(text: str, *, confidence: float = 0.95, pause_after: int | None = None) -> SpokenAnswer:
    """A spoken answer at 150 words/min, optionally with a 3 s pause after word ``pause_after``."""
    t = transcript_of(text, seconds_per_word=0.4, confidence=confidence, low_confidence=confidence < 0.7)
    if pause_after is not None:
        shift = [3.0 if i > pause_after else 0.0 for i in range(len(t.words))]
        words = [Word(text=w.text, start=w.start + d, end=w.end + d) for w, d in zip(t.words, shift, strict=True)]
        t = Transcript(text=t.text, duration_s=t.duration_s + 3, words=words, engine="fake", confidence=confidence)
    return spoken_answer(t)


def test_delivery_is_saved_with_the_answer_and_reported(
    settings: Settings, shared_index: QuestionIndex, bank: Bank
) -> None:
    iv, _ = make(settings, shared_index, bank, [levels(3), levels(3)])
    iv.answer(UM_STORY, speech=said(UM_STORY, pause_after=5)).text()
    iv.answer(RESULT).text()  # typed
    answers = [t for t in iv.transcript() if t.kind == "answer"]
    saved = SpokenAnswer.model_validate(answers[0].notes["speech"])
    assert saved.delivery.filler_count == 4 and saved.delivery.fillers == {"so": 1, "um": 1, "like": 1, "uh": 1}
    assert [p.after for p in saved.delivery.long_pauses] == ["retraining"]
    assert answers[0].notes["flags"] == [] and "speech" not in answers[1].notes  # scoring notes merged, not replaced

    report = Report.model_validate(iv.report())
    assert report.delivery is not None
    assert report.delivery.typed_answers == 1 and len(report.delivery.answers) == 1
    d = report.delivery.summary
    assert d.answers == 1 and d.filler_count == 4 and d.long_pauses == 1
    assert d.words_per_minute is not None and 100 < d.words_per_minute < 150  # 16 words over ~9.2 s incl. the pause
    assert any("filler" in n for n in d.notes)  # 4 fillers in ~9 s is far above the note's threshold
    md = render(report, "md")
    assert "## Delivery of the spoken answers" in md and '"um" 1' in md and "| clear (fake) |" in md
    assert "Delivery of the spoken answers" in render(report, "html")


def test_a_typed_session_has_no_delivery_section(settings: Settings, shared_index: QuestionIndex, bank: Bank) -> None:
    iv, _ = make(settings, shared_index, bank, [levels(3)])
    iv.answer(STORY).text()
    report = Report.model_validate(iv.report())
    assert report.delivery is None
    assert "Delivery" not in render(report, "md")


def test_an_uncertain_transcript_is_not_scored_as_clean(
    settings: Settings, shared_index: QuestionIndex, bank: Bank
) -> None:
    iv, _ = make(settings, shared_index, bank, [levels(4)])
    iv.answer(STORY, speech=said(STORY, confidence=0.45)).text()
    answer = next(t for t in iv.transcript() if t.kind == "answer")
    assert answer.scores is not None
    scores = answer.scores["scores"]
    assert all(s["level"] is None and s["evidence"] == [] for s in scores.values())
    assert all("not corrected" in s["rationale"] and "would be level 4" in s["rationale"] for s in scores.values())
    assert "uncertain_transcript" in answer.scores["flags"]
    assert answer.scores["key_points"]  # the follow-up still knows what the words covered

    report = Report.model_validate(iv.end())
    q = report.rounds[0].questions[0]
    assert q.uncertain and not q.outline
    assert report.rounds[0].hire_signal == NOT_SCORED and report.rounds[0].signal_score is None
    assert not any("not attempted" in i for i in report.improvements)
    assert "uncertain: not scored" in render(report, "md")


def test_a_corrected_transcript_is_scored(settings: Settings, shared_index: QuestionIndex, bank: Bank) -> None:
    iv, scorer = make(settings, shared_index, bank, [levels(3)])
    heard = transcript_of("I owned the retraining pipe line and shipped it", confidence=0.5, low_confidence=True)
    fixed = "I owned the retraining pipeline and shipped it"
    speech = spoken_answer(heard, sent=fixed)
    assert speech.corrected and not speech.uncertain
    iv.answer(fixed, speech=speech).text()
    answer = next(t for t in iv.transcript() if t.kind == "answer")
    assert answer.scores is not None and answer.scores["scores"]["ownership"]["level"] == 3
    assert scorer.calls[0].answer == fixed


def test_a_clean_follow_up_answer_is_scored_without_the_uncertain_one(
    settings: Settings, shared_index: QuestionIndex, bank: Bank
) -> None:
    iv, scorer = make(settings, shared_index, bank, [levels(3), levels(3)])
    iv.answer(STORY, speech=said(STORY, confidence=0.4)).text()
    assert iv.transcript()[-1].kind == "followup"  # aimed at the key point the words left out
    iv.answer(RESULT, speech=said(RESULT)).text()
    assert scorer.calls[1].answer == RESULT  # the uncertain words are left out
    second = [t for t in iv.transcript() if t.kind == "answer"][1]
    assert second.scores is not None
    assert "uncertain_transcript_excluded" in second.scores["flags"]
    assert all(s["level"] == 3 for s in second.scores["scores"].values())


def test_resume_remembers_which_answers_were_uncertain(
    settings: Settings, shared_index: QuestionIndex, bank: Bank
) -> None:
    iv, _ = make(settings, shared_index, bank, [levels(3)])
    iv.answer(STORY, speech=said(STORY, confidence=0.4)).text()
    assert iv.transcript()[-1].kind == "followup"
    scorer = ScriptedScorer([levels(2)])
    again = Interview.resume(iv.session_id, settings=settings, scorer=scorer, index=shared_index, bank=bank)
    again.start().text()
    again.answer(RESULT).text()
    assert scorer.calls[0].answer == RESULT
