"""Acceptance: simulated candidates sit whole rounds of every type with every persona.

Each profile (strong, gap, rambling, "I don't know", injection, empty, hostile) runs the full
onsite loop (four rounds, four personas, under the panel) and one round with the bar raiser,
scored by the real offline scorer.
Every run is checked for: the follow-up aimed at the gap left on purpose, no repeated question,
no interviewer message or hint giving a key point away, budgets kept, a complete report.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from engine_support import real_bank

from interviewer.bank import Bank, Question, Round
from interviewer.config import Settings
from interviewer.followup import complete
from interviewer.index import QuestionIndex
from interviewer.report import SIGNALS, Report, render
from interviewer.scoring.offline import OfflineScorer
from interviewer.scoring.types import Assessment, Scorer
from interviewer.session import Interview, InterviewConfig
from interviewer.simulate import INJECTION, PROFILES, SimulatedCandidate, gap_key_point
from interviewer.store import Turn

pytestmark = pytest.mark.slow
ROUNDS = [r.value for r in Round]
MINUTES_PER_ANSWER = 2.5
HINT_PROFILES = {"gap", "idk"}
_WORD = re.compile(r"[a-z0-9]+")


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture(scope="module")
def bank() -> Bank:
    return real_bank()


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    """The real offline scorer: the simulated candidates' gaps must be found by what ships."""
    return OfflineScorer()


def sit(
    settings: Settings, index: QuestionIndex, bank: Bank, scorer: Scorer, profile: str, **config: Any
) -> tuple[Interview, SimulatedCandidate]:
    """A whole interview: the candidate answers every question and follow-up until it ends."""
    candidate = SimulatedCandidate(profile)
    clock = Clock()
    iv = Interview.create(
        InterviewConfig.model_validate(config),
        settings=settings,
        scorer=scorer,
        index=index,
        bank=bank,
        clock=clock,
    )
    iv.start().text()
    hinted: set[int] = set()
    for _ in range(200):
        if iv.done:
            break
        last = [t for t in iv.transcript() if t.role == "interviewer" and t.kind in ("question", "followup")][-1]
        q = bank.get(last.question_id)
        if profile in HINT_PROFILES and iv.state.stage not in hinted:
            hinted.add(iv.state.stage)
            iv.hint()
        clock.t += MINUTES_PER_ANSWER * 60
        iv.answer(candidate.answer(q, last.target if last.kind == "followup" else None)).text()
    assert iv.done, "the interview never ended"
    return iv, candidate


def fresh_runs(message: str, key_point: str, known: str, n: int = 5) -> list[str]:
    """Runs of ``n`` words of a key point said in the message, carrying at least three content
    words (longer than three letters) that neither the question nor the candidate had said."""
    said = " ".join(_WORD.findall(message.lower()))
    known_words = set(_WORD.findall(known.lower()))
    words = _WORD.findall(key_point.lower())
    runs = [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
    return [r for r in runs if f" {r} " in f" {said} " and len({w for w in r.split() if len(w) > 3} - known_words) >= 3]


def check_run(iv: Interview, candidate: SimulatedCandidate, bank: Bank) -> None:
    turns = iv.transcript()
    asked = [t.question_id for t in turns if t.kind == "question"]
    assert len(asked) == len(set(asked)), "a question was asked twice"
    answers_so_far = ""
    for t in turns:
        if t.role == "candidate":
            answers_so_far += " " + t.text
            continue
        for qid in dict.fromkeys(asked):
            q = bank.get(qid)
            for kp in q.key_points:
                leaked = fresh_runs(t.text, kp, q.text + " " + answers_so_far)
                assert not leaked, f"{t.kind} turn {t.seq} gives away a key point of {qid}: {leaked}"
        assert INJECTION[:30] not in t.text  # candidate instructions are never echoed back
    for stage, st in enumerate(iv.stages):
        mine = [t for t in turns if t.stage == stage]
        if not mine:
            continue
        answers = [t for t in mine if t.role == "candidate"]
        assert len(answers) <= st.script.max_turns, f"{st.script.id}: turn budget exceeded"
        assert (mine[-1].elapsed_ms - mine[0].elapsed_ms) / 60_000 <= st.minutes, f"{st.script.id}: over time"
        assert mine[-1].kind == "closing"
    for i, t in enumerate(turns):
        if t.kind != "followup" or t.notes.get("action") == "reframe":
            continue
        before = Assessment.model_validate(next(x for x in reversed(turns[:i]) if x.kind == "answer").scores)
        phase = iv.stages[t.stage].script.phases[iv.stages[t.stage].script.phase_index(t.phase)]
        if phase.prompt is not None and t.text.endswith(phase.prompt.text):
            continue  # the phase's scripted question (coding: complexity), asked unless already covered
        assert not complete(before), f"turn {t.seq} probes a complete answer"
        assert t.target is not None
        if t.target["kind"] == "key_point":  # what it probes was really left out
            assert t.target["key_point"] in [k.index for k in before.missed], f"turn {t.seq} probes a covered point"
        else:
            level = before.scores[t.target["dimension"]].level
            ceiling = 3 if t.notes.get("action") == "challenge" else 2
            assert level is not None and level <= ceiling, f"turn {t.seq} probes {t.target['dimension']} at {level}"
    report = Report.model_validate(iv.store.get(iv.session_id).report)
    check_report(report, iv, turns)


def check_report(report: Report, iv: Interview, turns: list[Turn]) -> None:
    assert report.status == "finished"
    assert [r.round for r in report.rounds] == [st.script.round.value for st in iv.stages][: len(report.rounds)]
    assert report.engines["scoring"], "the report names no scoring engine"
    for r in report.rounds:
        assert r.hire_signal in SIGNALS and r.reasons and r.questions and r.dimensions
        for q in r.questions:
            assert q.engine and all(s.engine for s in q.scores)
            for s in q.scores:
                assert all(e in " ".join(t.text for t in turns if t.role == "candidate") for e in s.evidence)
            if not q.attempted:
                assert q.outline, f"no model outline after the unanswered {q.question_id}"
    assert 1 <= len(report.improvements) <= 3
    for fmt in ("md", "html"):
        text = render(report, fmt)
        assert all(r.hire_signal in text for r in report.rounds)


def first_followup(turns: list[Turn], stage: int) -> Turn:
    followups = [t for t in turns if t.stage == stage and t.kind == "followup"]
    assert followups, f"no follow-up in stage {stage}"
    return followups[0]


@pytest.mark.parametrize("profile", PROFILES)
def test_the_full_loop(
    settings: Settings, shared_index: QuestionIndex, bank: Bank, scorer: Scorer, profile: str
) -> None:
    iv, candidate = sit(settings, shared_index, bank, scorer, profile, persona="short_video_panel", level="MLE3")
    assert [st.persona.id for st in iv.stages] == [
        "coding_interviewer",
        "ml_design_lead",
        "ml_theory_scientist",
        "behavioral_hiring_manager",
    ]
    check_run(iv, candidate, bank)
    turns = iv.transcript()
    report = Report.model_validate(iv.store.get(iv.session_id).report)
    if profile == "gap":
        for stage, st in enumerate(iv.stages):
            probe = first_followup(turns, stage)
            q: Question = bank.get(probe.question_id)
            assert probe.target is not None
            if st.script.round == Round.behavioral:
                # a story without a measured result is probed on impact (on how it ended, where the
                # question is not scored on impact)
                expected = "impact" if "impact" in q.rubric_dimensions else "star"
                assert probe.target["dimension"] == expected, "the story's missing result was not probed"
            else:
                assert probe.target["key_point"] == gap_key_point(q), f"{st.script.id}: probe misses the gap"
                if "monitor" in q.key_points[gap_key_point(q) - 1].lower():
                    assert "monitor" in probe.target["label"].lower()
    if profile in ("idk", "empty", "hostile", "injection"):
        assert all(r.hire_signal == "Strong No Hire" for r in report.rounds)
        assert all(t.notes.get("action") == "reframe" for t in turns if t.kind == "followup")
    if profile in ("strong", "rambling"):
        assert all(r.hire_signal in ("Hire", "Strong Hire") for r in report.rounds)
    if profile in HINT_PROFILES:
        assert report.hints == len(iv.stages)


@pytest.mark.parametrize("profile", PROFILES)
def test_the_bar_raiser(
    settings: Settings, shared_index: QuestionIndex, bank: Bank, scorer: Scorer, profile: str
) -> None:
    round_ = ROUNDS[PROFILES.index(profile) % len(ROUNDS)]
    iv, candidate = sit(settings, shared_index, bank, scorer, profile, persona="bar_raiser", round=round_, level="MLE4")
    check_run(iv, candidate, bank)


def test_design_answer_skipping_monitoring_is_probed_on_monitoring(
    settings: Settings, shared_index: QuestionIndex, bank: Bank, scorer: Scorer
) -> None:
    iv, _ = sit(settings, shared_index, bank, scorer, "gap", round="ml_design", topics=["recommendation feed ranking"])
    turns = iv.transcript()
    q = bank.get(turns[0].question_id)
    assert "monitor" in q.key_points[gap_key_point(q) - 1].lower(), f"{q.id} has no monitoring key point to skip"
    probe = first_followup(turns, 0)
    assert probe.target and probe.target["key_point"] == gap_key_point(q) and "monitor" in probe.target["label"].lower()
