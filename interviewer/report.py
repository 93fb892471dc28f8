"""The scorecard of a session: per question, per dimension, per round; Markdown and HTML export.

Built from the saved turns alone (each answer turn carries the assessment of the answers so
far), so an unfinished or resumed session has a report too, and the report of a finished one
reads the same however the personas or scorer change later. Every score names the engine that
produced it and every fallback is listed: a reader can always tell what judged what. Spoken
answers add a delivery section (pace, filler words, pauses, talk time) from what was saved with
each answer turn.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from statistics import mean
from typing import Any

from pydantic import BaseModel, Field

from interviewer.bank import Bank, Question
from interviewer.followup import NO_ATTEMPT_FLAGS
from interviewer.scoring.types import Assessment
from interviewer.store import SessionInfo, Turn
from interviewer.voice.delivery import DeliveryMetrics, SessionDelivery, SpokenAnswer, summarize

SIGNALS = ("Strong No Hire", "No Hire", "Hire", "Strong Hire")
#: The signal of a round whose every answer was an uncertain transcript: nothing to judge.
NOT_SCORED = "Not scored"
#: The average level each signal needs at strictness 3; each strictness step moves them by 0.1.
SIGNAL_FLOORS = (0.0, 1.75, 2.75, 3.5)
HINT_COST = 0.15
WEAK_LEVEL = 2.0


class ScoreLine(BaseModel):
    dimension: str
    name: str
    level: int | None
    evidence: list[str]
    rationale: str
    missing: str
    engine: str


class FollowUpLine(BaseModel):
    text: str
    target: str
    action: str
    writer: str
    fallback_reason: str | None = None


class ContradictedPoint(BaseModel):
    key_point: str
    said: str = Field(description="the candidate's sentence that states it backwards, verbatim")


class QuestionReport(BaseModel):
    question_id: str
    text: str
    topic: str
    level: str
    answers: int
    skipped: bool
    attempted: bool
    mean_level: float | None
    scores: list[ScoreLine]
    covered: list[str]
    missed: list[str]
    contradicted: list[ContradictedPoint] = Field(
        default_factory=list, description="key points the answer stated backwards (also in missed)"
    )
    followups: list[FollowUpLine]
    hints: list[str]
    flags: list[str]
    engine: str
    fallback_reason: str | None = None
    outline: list[str] = Field(default_factory=list, description="model-answer outline, after a weak answer")
    uncertain: bool = Field(default=False, description="levels withheld: only an uncorrected, doubtful transcript")
    key_points_engine: str | None = Field(
        default=None, description="what matched the key points, when not the engine that scored (LLM mode)"
    )


class DimensionSummary(BaseModel):
    dimension: str
    name: str
    mean: float | None
    n: int
    abstained: int
    levels: list[int | None]


class RoundReport(BaseModel):
    stage: int
    round: str
    title: str
    persona: str
    persona_name: str
    questions: list[QuestionReport]
    dimensions: list[DimensionSummary]
    hire_signal: str
    signal_score: float | None
    reasons: list[str]
    hints: int
    answers: int
    max_turns: int
    minutes_used: float
    minutes_budget: float


class AnswerDelivery(BaseModel):
    """One spoken answer's delivery, as the report lists it."""

    seq: int
    stage: int
    question_id: str
    metrics: DeliveryMetrics
    stt_engine: str
    confidence: float | None
    low_confidence: bool
    corrected: bool


class DeliveryReport(BaseModel):
    answers: list[AnswerDelivery]
    summary: SessionDelivery
    typed_answers: int = Field(description="answers of the session that were typed, not spoken")


class Report(BaseModel):
    session_id: str
    title: str
    created_at: datetime
    status: str
    level: str
    rounds: list[RoundReport]
    improvements: list[str]
    engines: dict[str, list[str]]
    fallbacks: list[str]
    hints: int
    delivery: DeliveryReport | None = Field(default=None, description="only when some answers were spoken")


@cache
def _dimension_names() -> dict[str, str]:
    from interviewer.config import get_settings
    from interviewer.rubrics import load_rubric

    try:
        return {d.id: d.name for d in load_rubric(get_settings().rubrics_dir).dimensions.values()}
    except Exception:  # names are cosmetic: a broken rubric folder must not hide a report
        return {}


def build_report(info: SessionInfo, turns: list[Turn], bank: Bank | None = None) -> Report:
    stages: list[dict[str, Any]] = info.config.get("stages", [])
    names = _dimension_names()
    rounds = [
        _round(i, facts, [t for t in turns if t.stage == i], bank, names)
        for i, facts in enumerate(stages)
        if any(t.stage == i for t in turns)
    ]
    engines: dict[str, set[str]] = {"scoring": set(), "followups": set()}
    fallbacks: list[str] = []
    for t in turns:
        if t.role == "candidate" and t.kind == "answer" and t.engine:
            engines["scoring"].add(t.engine)
        if t.kind == "followup" and t.engine:
            engines["followups"].add(t.engine)
        reason = t.notes.get("fallback_reason")
        if reason:
            fallbacks.append(f"turn {t.seq} ({t.kind}): {reason}")
    return Report(
        session_id=info.id,
        title=info.title,
        created_at=info.created_at,
        status=info.status,
        level=str(info.config.get("config", {}).get("level", "")),
        rounds=rounds,
        improvements=improvements(rounds, names),
        engines={k: sorted(v) for k, v in engines.items()},
        fallbacks=fallbacks,
        hints=sum(r.hints for r in rounds),
        delivery=delivery(turns),
    )


def delivery(turns: list[Turn]) -> DeliveryReport | None:
    """The delivery of the spoken answers, or None for a typed session."""
    answers = [t for t in turns if t.role == "candidate" and t.kind == "answer"]
    spoken = []
    for t in answers:
        raw = t.notes.get("speech")
        if not raw:
            continue
        try:
            s = SpokenAnswer.model_validate(raw)
        except ValueError:  # a damaged note must not hide the report
            continue
        spoken.append(
            AnswerDelivery(
                seq=t.seq,
                stage=t.stage,
                question_id=t.question_id,
                metrics=s.delivery,
                stt_engine=s.stt_engine,
                confidence=s.confidence,
                low_confidence=s.low_confidence,
                corrected=s.corrected,
            )
        )
    if not spoken:
        return None
    return DeliveryReport(
        answers=spoken,
        summary=summarize([a.metrics for a in spoken]),
        typed_answers=len(answers) - len(spoken),
    )


def _round(
    stage: int, facts: dict[str, Any], turns: list[Turn], bank: Bank | None, names: dict[str, str]
) -> RoundReport:
    order = list(dict.fromkeys(t.question_id for t in turns if t.kind == "question"))
    questions = [_question(qid, [t for t in turns if t.question_id == qid], bank, names) for qid in order]
    dims: dict[str, list[int | None]] = {}
    for q in questions:
        for s in q.scores:
            dims.setdefault(s.dimension, []).append(s.level)
    summaries = [
        DimensionSummary(
            dimension=d,
            name=names.get(d, d),
            mean=round(mean(scored), 2) if (scored := [lv for lv in levels if lv is not None]) else None,
            n=len(scored),
            abstained=len(levels) - len(scored),
            levels=levels,
        )
        for d, levels in dims.items()
    ]
    hints = sum(len(q.hints) for q in questions)
    signal, score, reasons = hire_signal(questions, summaries, hints, int(facts.get("strictness", 3)))
    times = [t.elapsed_ms for t in turns]
    answers = sum(1 for t in turns if t.role == "candidate")
    return RoundReport(
        stage=stage,
        round=facts["round"],
        title=facts["title"],
        persona=facts["persona"],
        persona_name=facts.get("persona_name", facts["persona"]),
        questions=questions,
        dimensions=summaries,
        hire_signal=signal,
        signal_score=score,
        reasons=reasons,
        hints=hints,
        answers=answers,
        max_turns=int(facts.get("max_turns", 0)),
        minutes_used=round((max(times) - min(times)) / 60_000, 2) if times else 0.0,
        minutes_budget=float(facts.get("minutes", 0)),
    )


def _question(qid: str, turns: list[Turn], bank: Bank | None, names: dict[str, str]) -> QuestionReport:
    q: Question | None = bank.get(qid) if bank is not None and qid in bank else None
    asked = next(t for t in turns if t.kind == "question")
    answers = [t for t in turns if t.kind == "answer"]
    scored = [t for t in answers if t.scores is not None]
    a = Assessment.model_validate(scored[-1].scores) if scored else None
    scores = [
        ScoreLine(
            dimension=d,
            name=names.get(d, d),
            level=s.level,
            evidence=s.evidence,
            rationale=s.rationale,
            missing=s.missing,
            engine=s.engine,
        )
        for d, s in (a.scores.items() if a else [])
    ]
    levels = [s.level for s in scores if s.level is not None]
    flags = list(a.flags) if a else []
    attempted = bool(answers) and bool(levels) and not NO_ATTEMPT_FLAGS & set(flags)
    uncertain = "uncertain_transcript" in flags and not levels
    mean_level = round(mean(levels), 2) if levels else None
    skipped = any(t.kind == "skip" for t in turns)
    weak = not uncertain and (
        not attempted
        or (mean_level is not None and mean_level <= WEAK_LEVEL)
        or bool(a and a.key_points and len(a.missed) > len(a.key_points) / 2)
    )
    outline = (list(q.outline) or list(q.key_points)) if (q is not None and weak) else []
    return QuestionReport(
        question_id=qid,
        text=str(asked.notes.get("question") or (q.text if q else asked.text)),
        topic=q.topic if q else "",
        level=q.level.value if q else "",
        answers=len(answers),
        skipped=skipped,
        attempted=attempted,
        mean_level=mean_level,
        scores=scores,
        covered=[k.key_point for k in a.covered] if a else [],
        missed=[k.key_point for k in a.missed] if a else (list(q.key_points) if q else []),
        contradicted=[
            ContradictedPoint(key_point=k.key_point, said=k.evidence or "")
            for k in (a.key_points if a else [])
            if k.contradicted
        ],
        followups=[
            FollowUpLine(
                text=t.text,
                target=str((t.target or {}).get("label", "")),
                action=str(t.notes.get("action", "probe")),
                writer=t.engine or "offline",
                fallback_reason=t.notes.get("fallback_reason"),
            )
            for t in turns
            if t.kind == "followup"
        ],
        hints=[t.text for t in turns if t.kind == "hint"],
        flags=flags,
        engine=a.engine if a else "none",
        fallback_reason=a.fallback_reason if a else None,
        outline=outline,
        uncertain=uncertain,
        key_points_engine=_matched_by(a),
    )


def _matched_by(a: Assessment | None) -> str | None:
    """The key-point matcher's engine when it differs from the scoring engine (the LLM judge takes
    its key points from the offline matcher), so covered/missed lists are never misattributed."""
    if a is None or not a.key_points:
        return None
    engine = a.key_points[0].engine
    return engine if not a.engine.startswith(engine) else None


def hire_signal(
    questions: list[QuestionReport], dims: list[DimensionSummary], hints: int, strictness: int
) -> tuple[str, float | None, list[str]]:
    """Strong No Hire .. Strong Hire from the average level, with the reasons that decided it.

    A question heard only as an uncertain transcript counts neither way: the candidate may have
    answered it well, and the signal must not guess.
    """
    unheard = sum(1 for q in questions if q.uncertain)
    counted = [q for q in questions if not q.uncertain]
    values = [q.mean_level if q.attempted and q.mean_level is not None else 1.0 for q in counted]
    if not values and unheard:
        return NOT_SCORED, None, [f"{unheard} answer(s) heard too poorly to score; repeat or correct them"]
    if not values:
        return SIGNALS[0], None, ["no question was answered"]
    score = mean(values) - HINT_COST * hints
    shift = (strictness - 3) * 0.1
    floors = [f + shift if f else f for f in SIGNAL_FLOORS]
    index = max(i for i, f in enumerate(floors) if score >= f)
    reasons = [
        f"average level {score:.2f} over {len(values)} question(s); {SIGNALS[index]} needs {floors[index]:.2f}"
        + (f", {SIGNALS[index + 1]} {floors[index + 1]:.2f}" if index + 1 < len(SIGNALS) else "")
        + f" (strictness {strictness})"
    ]
    ranked = sorted((d for d in dims if d.mean is not None), key=lambda d: d.mean or 0)
    if ranked:
        low, high = ranked[0], ranked[-1]
        reasons.append(f"weakest: {low.name} ({low.mean:.1f}); strongest: {high.name} ({high.mean:.1f})")
    unattempted = sum(1 for q in counted if not q.attempted)
    if unattempted:
        reasons.append(f"{unattempted} question(s) skipped or not attempted (counted as level 1)")
    if unheard:
        reasons.append(
            f"{unheard} question(s) not counted: the speech recognition was uncertain and the transcript "
            "was not corrected"
        )
    if hints:
        reasons.append(f"{hints} hint(s) used (-{HINT_COST} each)")
    injected = sum(1 for q in questions if "injection" in q.flags)
    if injected:
        reasons.append(f"{injected} answer(s) contained instructions to the interviewer; treated as data, no credit")
    return SIGNALS[index], round(score, 2), reasons


def improvements(rounds: list[RoundReport], names: dict[str, str], n: int = 3) -> list[str]:
    """The few changes that would raise the scores most, most useful first."""
    weighted: list[tuple[float, str]] = []
    by_dim: dict[str, list[tuple[int, str]]] = {}
    for r in rounds:
        for q in r.questions:
            for s in q.scores:
                if s.level is not None:
                    by_dim.setdefault(s.dimension, []).append((s.level, s.missing))
    for dim, items in by_dim.items():
        avg = mean(lv for lv, _ in items)
        if avg >= 4:
            continue
        lowest = min(items, key=lambda x: x[0])
        advice = lowest[1].strip() or f"aim for the next level of the {names.get(dim, dim)} rubric"
        weight = (4 - avg) * len(items) + (2 if avg < 3 else 0)
        weighted.append((weight, f"{names.get(dim, dim)} (average {avg:.1f} over {len(items)} answer(s)): {advice}"))
    for r in rounds:
        for q in r.questions:
            if q.attempted and q.missed and q.covered + q.missed:
                share = len(q.missed) / len(q.covered + q.missed)
                weighted.append((2 * share + 0.5, f'In "{_short(q.text)}" you left out: {q.missed[0]}'))
    hints = sum(r.hints for r in rounds)
    if hints:
        weighted.append((1.0 * hints, f"Answer without hints: you asked for {hints}, and each costs the signal."))
    skipped = sum(1 for r in rounds for q in r.questions if not q.attempted and not q.uncertain)
    if skipped:
        text = f"Attempt every question ({skipped} skipped or not attempted): reason aloud from what you know."
        weighted.append((2.5 * skipped, text))
    weighted.sort(key=lambda x: -x[0])
    out = list(dict.fromkeys(text for _, text in weighted))
    return out[:n]


def _short(text: str, words: int = 12) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


# --------------------------------------------------------------------------------------- export

FORMATS = ("md", "html", "json")


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        return report.model_dump_json(indent=2)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    template = _environment().get_template(f"report.{fmt}.j2")
    return template.render(report=report)


@cache
def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("interviewer", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def transcript(turns: list[Turn]) -> list[dict[str, Any]]:
    """The turns as ``chat --json`` prints them: what was said, what each follow-up targeted,
    and the scores after each answer. Hidden notes stay out."""
    out = []
    for t in turns:
        scores = None
        if t.kind == "answer" and t.scores is not None:
            scores = {
                dim: {k: s.get(k) for k in ("level", "evidence", "rationale", "missing", "engine")}
                for dim, s in t.scores.get("scores", {}).items()
            }
        out.append(
            {
                "role": t.role,
                "kind": t.kind,
                "text": t.text,
                "question_id": t.question_id,
                "targets": (t.target or {}).get("label") if t.kind in ("followup", "hint") else None,
                "scores": scores,
            }
        )
    return out
