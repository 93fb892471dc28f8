"""The interview state machine: turns, budgets, question choice, hints, skips, resume.

Real parts: the bank, the Chroma index (shared), SQLite; the scorer is scripted here so each test
controls exactly which gaps an answer leaves (the acceptance suite runs the real scorer).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from engine_support import real_bank

from interviewer.bank import Bank, Question
from interviewer.config import Settings
from interviewer.errors import InputError
from interviewer.index import QuestionIndex
from interviewer.report import SIGNALS
from interviewer.scoring.types import Assessment, ScoringInput
from interviewer.session import MAX_ANSWER_CHARS, Interview, InterviewConfig
from interviewer.store import Turn, open_store
from interviewer.testing import ScriptedScorer, assessment

STORY = "I owned the retraining pipeline and shipped it. We launched it to every user in the feed."
RESULT = "Watch time rose from 52 to 53 minutes a day in a two-week A/B test against control."


class Clock:
    """A clock the test moves: budgets are about interview minutes, not the machine's speed."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, minutes: float) -> None:
        self.t += minutes * 60


@pytest.fixture(scope="module")
def bank() -> Bank:
    return real_bank()


def rule(
    levels: dict[str, int | None], covered: str = "all", flags: tuple[str, ...] = ()
) -> Callable[[ScoringInput], Assessment]:
    """A scripted step that reads the question's key points from the call."""

    def step(item: ScoringInput) -> Assessment:
        n = len(item.reference)
        hits = range(1, n + 1) if covered == "all" else range(1, n) if covered == "all_but_last" else ()
        return assessment(
            {d: levels.get(d, 3) for d in item.dimensions or []}, key_points=item.reference, covered=hits, flags=flags
        )

    return step


COMPLETE = rule({"ownership": 3, "impact": 3, "tradeoffs": 3, "star": 3, "coverage": 4, "correctness": 3})
NO_RESULT = rule({"ownership": 3, "impact": 1, "tradeoffs": 3, "star": 2})


def make(
    settings: Settings, index: QuestionIndex, bank: Bank, steps: list, clock: Clock | None = None, **config: object
) -> tuple[Interview, ScriptedScorer]:
    scorer = ScriptedScorer(steps)
    iv = Interview.create(
        InterviewConfig.model_validate(config),
        settings=settings,
        scorer=scorer,
        index=index,
        bank=bank,
        clock=clock or Clock(),
    )
    return iv, scorer


def kinds(turns: list[Turn]) -> list[str]:
    return [t.kind for t in turns]


def test_answer_is_saved_scored_and_its_gap_probed(settings: Settings, shared_index: QuestionIndex, bank: Bank) -> None:
    iv, scorer = make(settings, shared_index, bank, [NO_RESULT, COMPLETE], round="behavioral", level="MLE3")
    opening = iv.start().text()
    q = iv.state.question
    assert q and q in opening and "Marcus" in opening  # the persona's opening, then the question
    followup = iv.answer(STORY).text()
    turns = iv.transcript()
    assert kinds(turns) == ["question", "answer", "followup"]
    answer, probe = turns[1], turns[2]
    assert answer.scores is not None and answer.scores["scores"]["impact"]["level"] == 1 and answer.engine == "scripted"
    assert probe.target == {"kind": "dimension", "dimension": "impact", "key_point": None, "label": "impact"}
    assert probe.notes["reason"] and probe.notes["writer"] == "offline"  # hidden notes per turn
    assert "launched it to every user in the feed" in followup  # quotes the candidate
    iv.answer(RESULT).text()
    assert scorer.calls[1].answer == f"{STORY}\n\n{RESULT}"  # the follow-up answer is scored with the first
    turns = iv.transcript()
    assert kinds(turns)[-1] == "question" and turns[-1].question_id != turns[0].question_id
    assert iv.state.followups_asked == 0


def test_resume_replays_to_the_same_turn(settings: Settings, shared_index: QuestionIndex, bank: Bank) -> None:
    iv, _ = make(settings, shared_index, bank, [NO_RESULT], round="behavioral", level="MLE2")
    iv.start().text()
    pending = iv.answer(STORY).text()
    before = iv.state
    again = Interview.resume(
        iv.session_id,
        settings=settings,
        scorer=ScriptedScorer([COMPLETE]),
        index=shared_index,
        bank=bank,
        clock=Clock(),
    )
    after = again.state
    assert after.model_dump(exclude={"elapsed_s", "remaining_s"}) == before.model_dump(
        exclude={"elapsed_s", "remaining_s"}
    )
    assert again.start().text() == pending  # owed the same message, nothing saved twice
    assert len(again.transcript()) == 3
    again.answer(RESULT).text()
    assert kinds(again.transcript()) == ["question", "answer", "followup", "answer", "question"]


def test_answer_saved_but_not_scored_is_scored_on_resume(
    settings: Settings, shared_index: QuestionIndex, bank: Bank
) -> None:
    iv, _ = make(settings, shared_index, bank, [], round="behavioral", level="MLE3")
    iv.start().text()
    # what a process killed inside the scorer leaves behind: the answer saved, no scores yet
    iv.store.add_turn(
        iv.session_id,
        Turn(role="candidate", kind="answer", text=STORY, question_id=iv.state.question or "", phase="stories"),
    )
    scorer = ScriptedScorer([NO_RESULT])
    again = Interview.resume(iv.session_id, settings=settings, scorer=scorer, index=shared_index, bank=bank)
    assert len(scorer.calls) == 1 and scorer.calls[0].answer == STORY
    assert again.transcript()[1].scores is not None
    message = again.start().text()
    assert again.transcript()[-1].kind == "followup" and again.transcript()[-1].text == message


def test_time_budget_closes_the_round(settings: Settings, shared_index: QuestionIndex, bank: Bank) -> None:
    clock = Clock()
    iv, _ = make(settings, shared_index, bank, [NO_RESULT], clock, round="behavioral")
    iv.start().text()
    clock.advance(41)  # the behavioral round has 40 minutes
    closing = iv.answer(STORY).text()
    assert iv.done and "Thank you" in closing
    last = iv.transcript()[-1]
    assert last.kind == "closing" and "time budget" in last.notes["reason"]
    info = iv.store.get(iv.session_id)
    assert info.status == "finished" and info.report is not None


def test_turn_budgets_no_repeats_and_followup_caps(settings: Settings, shared_index: QuestionIndex, bank: Bank) -> None:
    weak = rule({"ownership": 1, "impact": 1, "tradeoffs": 1, "star": 1}, covered="none")
    iv, _ = make(settings, shared_index, bank, [weak] * 30, round="behavioral", persona="bar_raiser")
    iv.start().text()
    while not iv.done:
        iv.answer(STORY).text()
    turns = iv.transcript()
    script = iv.stages[0].script
    answers = [t for t in turns if t.role == "candidate"]
    questions = [t.question_id for t in turns if t.kind == "question"]
    assert len(answers) <= script.max_turns
    assert len(questions) == len(set(questions)) == sum(p.questions for p in script.phases)
    for phase in script.phases:
        cap = min(phase.followups, iv.stages[0].persona.probing)
        for qid in questions:
            n = sum(1 for t in turns if t.kind == "followup" and t.question_id == qid and t.phase == phase.id)
            assert n <= cap
    targets = [(t.question_id, t.target["label"]) for t in turns if t.kind == "followup" and t.target]
    assert len(targets) == len(set(targets))  # one point per follow-up, never the same one twice


def test_recent_sessions_questions_avoided_unless_asked_for(
    settings: Settings, shared_index: QuestionIndex, bank: Bank
) -> None:
    first, _ = make(settings, shared_index, bank, [], round="ml_design")
    first.start().text()
    q1 = first.state.question_id
    second, _ = make(settings, shared_index, bank, [], round="ml_design")
    second.start().text()
    assert second.state.question_id != q1
    third, _ = make(settings, shared_index, bank, [], round="ml_design", allow_recent=True)
    third.start().text()
    assert third.state.question_id == q1


def test_level_and_context_steer_the_questions(settings: Settings, shared_index: QuestionIndex, bank: Bank) -> None:
    junior, _ = make(settings, shared_index, bank, [], round="ml_theory", level="MLE1", allow_recent=True)
    junior.start().text()
    assert bank.get(junior.state.question_id or "").level.value == "MLE1"
    jd = "We are hiring an MLE to own click-through-rate prediction and calibration for our ads auction."
    ads, _ = make(settings, shared_index, bank, [], round="ml_design", context=jd, allow_recent=True)
    ads.start().text()
    q: Question = bank.get(ads.state.question_id or "")
    assert q.level.rank <= 3 and ("ads" in q.topic.lower() or "ctr" in q.text.lower() or "click" in q.text.lower())


def test_hint_is_recorded_counted_and_does_not_end_the_question(
    settings: Settings, shared_index: QuestionIndex, bank: Bank
) -> None:
    iv, _ = make(settings, shared_index, bank, [NO_RESULT], round="ml_design")
    iv.start().text()
    hint = iv.hint()
    assert iv.state.awaiting_answer and iv.state.hints == 1
    turn = iv.transcript()[-1]
    assert turn.kind == "hint" and turn.text == hint and turn.target and turn.target["kind"] == "key_point"
    assert iv.repeat() == iv.transcript()[0].text  # repeat says the question again, not the hint
    report = iv.end()
    assert report["hints"] == 1 and any("hint" in r for r in report["rounds"][0]["reasons"])


def test_skip_moves_on_without_probing_and_counts_in_the_report(
    settings: Settings, shared_index: QuestionIndex, bank: Bank
) -> None:
    iv, scorer = make(settings, shared_index, bank, [], round="behavioral")
    iv.start().text()
    first = iv.state.question
    iv.skip().text()
    assert iv.state.question != first and iv.state.awaiting_answer and not scorer.calls
    report = iv.end()
    q = report["rounds"][0]["questions"][0]
    assert q["skipped"] and not q["attempted"] and q["outline"]  # a model outline after a non-answer


def test_bad_answers_get_clear_errors_and_change_nothing(
    settings: Settings, shared_index: QuestionIndex, bank: Bank
) -> None:
    iv, scorer = make(settings, shared_index, bank, [], round="coding")
    with pytest.raises(InputError, match="call start"):
        iv.answer("too early")
    iv.start().text()
    with pytest.raises(InputError, match=f"limit is {MAX_ANSWER_CHARS:,}"):
        iv.answer("x" * (MAX_ANSWER_CHARS + 1))
    with pytest.raises(InputError, match="binary"):
        iv.answer("\x00\x01\x02 binary")
    assert len(iv.transcript()) == 1
    iv.answer("   \n ").text()  # silence is an answer with nothing in it: recorded, not sent to the scorer
    turns = iv.transcript()
    assert turns[1].kind == "answer" and turns[1].engine == "none" and turns[1].scores["flags"] == ["empty"]
    assert not scorer.calls
    # the round's only question: one easier way in (its first key point), then the round moves on
    assert turns[2].kind == "followup" and turns[2].notes["action"] == "reframe" and turns[2].target["key_point"] == 1
    iv.answer("").text()
    assert iv.transcript()[-1].kind == "closing" and iv.done
    iv.end()
    with pytest.raises(InputError, match="has ended"):
        iv.answer("after the end")


def test_a_failing_scorer_is_marked_not_hidden(settings: Settings, shared_index: QuestionIndex, bank: Bank) -> None:
    def broken(item: ScoringInput) -> Assessment:
        raise RuntimeError("model file missing")

    iv, _ = make(settings, shared_index, bank, [broken], round="behavioral")
    iv.start().text()
    iv.answer(STORY).text()
    answer = iv.transcript()[1]
    assert answer.engine == "none" and "model file missing" in answer.notes["fallback_reason"]
    report = iv.end()
    assert any("model file missing" in f for f in report["fallbacks"])


def test_loop_chains_rounds_each_with_its_persona(settings: Settings, shared_index: QuestionIndex, bank: Bank) -> None:
    iv, _ = make(settings, shared_index, bank, [COMPLETE] * 40, loop=True, level="MLE2")
    opening = iv.start().text()
    assert opening.startswith("Welcome to the onsite loop")
    rounds_seen = [iv.state.round]
    while not iv.done:
        iv.answer("A complete answer, in O(n) time and O(1) space.").text()
        if not iv.done and iv.state.round != rounds_seen[-1]:
            rounds_seen.append(iv.state.round)
    assert rounds_seen == ["coding", "ml_design", "ml_theory", "behavioral"]
    turns = iv.transcript()
    closings = [t for t in turns if t.kind == "closing"]
    assert [t.stage for t in closings] == [0, 1, 2, 3]
    assert "That's the whole loop" in closings[-1].text
    assert not [t for t in turns if t.kind == "followup"]  # complete answers are never probed
    report = iv.store.get(iv.session_id).report
    assert report is not None and [r["round"] for r in report["rounds"]] == rounds_seen
    assert all(r["hire_signal"] in SIGNALS and r["reasons"] for r in report["rounds"])


def test_sqlite_store_is_in_wal_mode(settings: Settings) -> None:
    store = open_store(settings)
    with store.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_key_point_stated_backwards_is_reported_with_the_sentence(
    settings: Settings, shared_index: QuestionIndex, bank: Bank
) -> None:
    wrong = "We launched it to every user in the feed."

    def backwards(item: ScoringInput) -> Assessment:
        a = COMPLETE(item)
        first = a.key_points[0].model_copy(update={"covered": False, "contradicted": True, "evidence": wrong})
        return a.model_copy(update={"key_points": [first, *a.key_points[1:]]})

    iv, _ = make(settings, shared_index, bank, [backwards, COMPLETE], round="behavioral", level="MLE3")
    iv.start().text()
    iv.answer(STORY).text()
    from interviewer.report import Report, render

    report = Report.model_validate(iv.end())
    q = report.rounds[0].questions[0]
    point = bank.get(q.question_id).key_points[0]
    assert [(c.key_point, c.said) for c in q.contradicted] == [(point, wrong)] and point in q.missed
    assert f'- you said "{wrong}", but: {point}' in render(report, "md")
    assert "Stated backwards" in render(report, "html")
