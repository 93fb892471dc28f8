"""The interview: a state machine over saved turns, with a UI-agnostic API.

The state of an interview is a fold over its turns (:class:`Progress`), so resuming a session
is replaying what was saved: nothing else needs persisting, and a process killed between any
two statements resumes at the right turn. Each candidate answer is saved before it is scored,
its scores as soon as they exist, and each interviewer message once written.

Callers (the terminal, the Gradio app, the voice loop) use :class:`Interview`::

    iv = Interview.create(InterviewConfig(round="behavioral", level="MLE3"))
    print(iv.start().text())
    for chunk in iv.answer("At my last job I ..."):   # the next message, streamed
        print(chunk, end="")
    iv.hint(); iv.repeat(); iv.skip(); iv.state; iv.end()
    Interview.resume(session_id)

A spoken answer comes with a :class:`~interviewer.voice.delivery.SpokenAnswer` (``answer(text,
speech=...)``): its delivery is saved with the turn for the report, and a transcript that was
uncertain and not corrected is kept out of the scores instead of judged as clean.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from interviewer.bank import Bank, Level, Question
from interviewer.config import Settings, get_settings
from interviewer.errors import InputError, InterviewerError
from interviewer.followup import (
    Decision,
    Draft,
    FollowUpWriter,
    OfflineWriter,
    Request,
    Situation,
    Target,
    decide,
    hint_gap,
    hint_text,
    pick,
)
from interviewer.index import QuestionIndex
from interviewer.personas import Persona, load_personas
from interviewer.questions import QuestionPicker
from interviewer.retrieval import Hit
from interviewer.rounds import Phase, Stage, load_scripts, plan_stages
from interviewer.scoring.types import Assessment, DimensionScore, Scorer, ScoringInput
from interviewer.store import Store, Turn, open_store

if TYPE_CHECKING:
    from interviewer.voice.delivery import SpokenAnswer

log = logging.getLogger(__name__)

MAX_ANSWER_CHARS = 20_000
MAX_CONTEXT_CHARS = 4_000
MAX_CONTEXT_INPUT = 100_000
RECENT_SESSIONS = 5


class InterviewConfig(BaseModel):
    """What the candidate asked for; saved with the session so it can be resumed."""

    model_config = ConfigDict(extra="forbid")

    persona: str | None = None
    round: str | None = None
    loop: bool = False
    level: Level = Level.MLE3
    topics: list[str] = Field(default_factory=list)
    focus: list[str] = Field(default_factory=list, description="focus areas, free text")
    context: str = Field(default="", description="a pasted job description or resume")
    allow_recent: bool = Field(default=False, description="allow questions from recent sessions")
    followups: Literal["offline", "llm"] = "offline"

    @field_validator("context")
    @classmethod
    def _context(cls, v: str) -> str:
        v = clean_text(v, "job description / resume")
        if len(v) > MAX_CONTEXT_INPUT:
            raise ValueError(
                f"the job description / resume is {len(v):,} characters; paste at most {MAX_CONTEXT_INPUT:,}"
            )
        return v[:MAX_CONTEXT_CHARS]  # the encoder reads the first 256 tokens anyway


class InterviewState(BaseModel):
    """A snapshot for a UI: where the interview is, and how much budget is left."""

    session_id: str
    stage: int
    stages: int
    round: str
    round_title: str
    persona: str
    persona_name: str
    phase: str
    phase_title: str
    question_id: str | None
    question: str | None
    followups_asked: int
    answers: int
    max_turns: int
    elapsed_s: float
    budget_s: float
    remaining_s: float
    hints: int
    awaiting_answer: bool
    done: bool


def clean_text(text: str, what: str = "answer") -> str:
    """Candidate text as data: control characters out, and a clear error for binary input."""
    if "\x00" in text or sum(1 for c in text[:2000] if ord(c) < 32 and c not in "\n\r\t") > 10:
        raise InputError(f"the {what} looks like binary data, not text")
    return "".join(c for c in text if c in "\n\t" or ord(c) >= 32).strip()


# ---------------------------------------------------------------------------------- the fold


@dataclass
class Progress:
    """Where the interview is: derived from the saved turns alone (see :meth:`apply`)."""

    stages: list[Stage]
    stage: int = 0
    phase: int = 0
    question: str | None = None
    asked: list[str] = field(default_factory=list)
    questions_in_phase: int = 0
    answers_in_phase: int = 0
    answers_in_stage: int = 0
    followups: list[Target] = field(default_factory=list)  # on the current question
    followups_here: int = 0  # on the current question, in the current phase
    hinted: list[Target] = field(default_factory=list)
    hints: int = 0
    skipped: bool = False
    awaiting: bool = False
    started: bool = False
    done: bool = False
    stage_start_ms: int = 0
    phase_start_ms: int = 0
    last_ms: int = 0
    last_role: str | None = None

    @property
    def current(self) -> Stage:
        return self.stages[self.stage]

    def enter_phase(self, index: int, at_ms: int) -> None:
        self.phase, self.phase_start_ms = index, at_ms
        self.questions_in_phase = self.answers_in_phase = self.followups_here = 0

    def enter_stage(self, index: int, at_ms: int) -> None:
        self.stage, self.stage_start_ms = index, at_ms
        self.answers_in_stage = 0
        self.question, self.followups, self.hinted, self.skipped = None, [], [], False
        self.enter_phase(0, at_ms)

    def apply(self, turn: Turn) -> None:
        self.started, self.last_ms, self.last_role = True, turn.elapsed_ms, turn.role
        if turn.role == "candidate":
            self.answers_in_phase += 1
            self.answers_in_stage += 1
            self.awaiting = False
            self.skipped = turn.kind == "skip"
            return
        if turn.kind in ("question", "followup"):
            if turn.stage != self.stage:
                self.enter_stage(turn.stage, turn.elapsed_ms)
            index = self.current.script.phase_index(turn.phase)
            if index != self.phase:
                self.enter_phase(index, turn.elapsed_ms)
        if turn.kind == "question":
            self.question = turn.question_id
            self.asked.append(turn.question_id)
            self.questions_in_phase += 1
            self.followups, self.followups_here, self.hinted, self.skipped = [], 0, [], False
            self.awaiting = True
        elif turn.kind == "followup":
            self.followups.append(Target.model_validate(turn.target))
            self.followups_here += 1
            self.awaiting = True
        elif turn.kind == "hint":
            if turn.target:
                self.hinted.append(Target.model_validate(turn.target))
            self.hints += 1
        elif turn.kind == "closing":
            self.awaiting = False
            if turn.notes.get("final") or turn.stage + 1 >= len(self.stages):
                self.done = True
            else:
                self.enter_stage(turn.stage + 1, turn.elapsed_ms)


@dataclass
class _Message:
    kind: str
    draft: Draft
    question_id: str = ""
    phase: str = ""
    target: Target | None = None
    notes: dict[str, Any] = field(default_factory=dict)


class Reply:
    """The interviewer's next message(s): iterate for chunks as they stream, or call :meth:`text`.

    Offline messages are written and saved before the reply is returned; an LLM-written message
    streams and is saved when its last chunk has arrived.
    """

    def __init__(self, chunks: Iterator[str], *, eager: bool) -> None:
        self._source = iter(list(chunks)) if eager else chunks
        self._parts: list[str] = []
        self._done = False

    def __iter__(self) -> Iterator[str]:
        for chunk in self._source:
            self._parts.append(chunk)
            yield chunk
        self._done = True

    def text(self) -> str:
        if not self._done:
            for _ in self:
                pass
        return "".join(self._parts)


# ---------------------------------------------------------------------------------- the engine


class Interview:
    def __init__(
        self,
        session_id: str,
        config: InterviewConfig,
        stages: list[Stage],
        host: Persona | None,
        *,
        store: Store,
        settings: Settings | None = None,
        scorer: Scorer | None = None,
        writer: FollowUpWriter | None = None,
        bank: Bank | None = None,
        index: QuestionIndex | None = None,
        clock: Callable[[], float] = time.monotonic,
        recent: set[str] | None = None,
    ) -> None:
        from interviewer import service

        settings = settings or get_settings()
        self.session_id = session_id
        self.config = config
        self.stages = stages
        self.host = host
        self.store = store
        self.scorer = scorer or default_scorer(settings)
        self.writer = writer or default_writer(config.followups, settings)
        self.bank = bank if bank is not None else service.get_bank(settings)
        self.index = index or service.ensure_index(settings)
        self._clock = clock
        self.picker = QuestionPicker(
            self.index,
            self.bank,
            level=config.level,
            topics=config.topics,
            focus=config.focus,
            context=config.context,
            recent=recent or (),
        )
        self.progress = Progress(stages)
        self._answers: list[str] = []  # the candidate's answers to the current question
        self._uncertain: list[str] = []  # why each of them is an unconfirmed transcript ("" if it is not)
        self._assessment: Assessment | None = None
        self._pending: Reply | None = None
        self._last_turns: list[Turn] = []
        self._base_ms = 0
        self._t0 = clock()
        self._report: dict[str, Any] | None = None
        self._seq = 0  # the last saved turn's number

    # --- construction

    @classmethod
    def create(
        cls,
        config: InterviewConfig,
        *,
        settings: Settings | None = None,
        store: Store | None = None,
        scorer: Scorer | None = None,
        writer: FollowUpWriter | None = None,
        index: QuestionIndex | None = None,
        bank: Bank | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> Interview:
        settings = settings or get_settings()
        stages, host = _plan(config, settings)
        # everything that can fail (a missing endpoint, a broken scorer) fails before a session exists
        scorer = scorer or default_scorer(settings)
        writer = writer or default_writer(config.followups, settings)
        store = store or open_store(settings)
        title = (
            " + ".join(st.script.title for st in stages)
            + f" · {config.level.value} · "
            + (host.name if host else stages[0].persona.name)
        )
        meta = {
            "config": config.model_dump(mode="json"),
            "host": host.id if host else None,
            "stages": [_stage_facts(st) for st in stages],
        }
        sid = store.create(meta, title)
        recent = set() if config.allow_recent else store.recent_question_ids(exclude=sid, sessions=RECENT_SESSIONS)
        return cls(
            sid,
            config,
            stages,
            host,
            store=store,
            settings=settings,
            scorer=scorer,
            writer=writer,
            bank=bank,
            index=index,
            clock=clock,
            recent=recent,
        )

    @classmethod
    def resume(
        cls,
        session_id: str,
        *,
        settings: Settings | None = None,
        store: Store | None = None,
        scorer: Scorer | None = None,
        writer: FollowUpWriter | None = None,
        index: QuestionIndex | None = None,
        bank: Bank | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> Interview:
        """Pick a session up at the turn where it stopped; call :meth:`start` for the message to show."""
        settings = settings or get_settings()
        store = store or open_store(settings)
        info = store.get(session_id)
        config = InterviewConfig.model_validate(info.config["config"])
        personas = load_personas(settings.personas_dir)
        scripts = load_scripts(settings.rounds_dir)
        try:
            stages = [Stage(scripts.round(s["script"]), personas[s["persona"]]) for s in info.config["stages"]]
        except KeyError as e:
            raise InterviewerError(f"session {info.id} uses a persona or round that no longer exists: {e}") from None
        host = personas.get(info.config["host"]) if info.config.get("host") else None
        recent = set() if config.allow_recent else store.recent_question_ids(exclude=info.id, sessions=RECENT_SESSIONS)
        iv = cls(
            info.id,
            config,
            stages,
            host,
            store=store,
            settings=settings,
            scorer=scorer,
            writer=writer,
            bank=bank,
            index=index,
            clock=clock,
            recent=recent,
        )
        iv._replay(store.turns(info.id))
        iv._report = info.report
        return iv

    def _replay(self, turns: list[Turn]) -> None:
        for turn in turns:
            self._track(turn)
        self._base_ms = self.progress.last_ms
        self._t0 = self._clock()
        last = turns[-1] if turns else None
        if last is not None and last.role == "candidate" and last.kind == "answer" and last.scores is None:
            self._score_turn(last)  # killed while scoring: finish the job

    # --- the API

    def start(self) -> Reply:
        """The opening and first question; after :meth:`resume`, the message the candidate is owed."""
        self._drain()
        if self.progress.awaiting:
            return Reply(iter([self.repeat()]), eager=True)
        return self._reply()

    def answer(self, text: str, *, speech: SpokenAnswer | None = None) -> Reply:
        """Record and score an answer, and return the interviewer's next message.

        ``speech`` says how a spoken answer was heard: its delivery goes into the report, and
        if its transcript was uncertain and not corrected, it is not scored as if it were clean.
        """
        self._drain()
        self._expect_answer()
        text = clean_text(text)
        if len(text) > MAX_ANSWER_CHARS:
            raise InputError(f"the answer is {len(text):,} characters; the limit is {MAX_ANSWER_CHARS:,}")
        notes = {"speech": speech.model_dump(mode="json")} if speech is not None else {}
        turn = self._save(
            Turn(role="candidate", kind="answer", text=text, question_id=self.progress.question or "", notes=notes)
        )
        self._score_turn(turn)
        return self._reply()

    def skip(self) -> Reply:
        """Leave the current question unanswered; the report counts it."""
        self._drain()
        self._expect_answer()
        self._save(Turn(role="candidate", kind="skip", text="", question_id=self.progress.question or ""))
        return self._reply()

    def hint(self) -> str:
        """A nudge for the current question, recorded and counted in the report."""
        self._drain()
        self._expect_answer()
        question = self._question()
        gap = hint_gap(question, self._assessment, self.progress.hinted)
        salt = f"{self.session_id}:hint:{self.progress.hints}"
        text = hint_text(question, gap, self.progress.current.persona, salt)
        self._save(
            Turn(
                role="interviewer",
                kind="hint",
                text=text,
                question_id=question.id,
                target=gap.target.model_dump(),
                notes={"hint_for": gap.target.label},
                engine="offline",
            )
        )
        return text

    def repeat(self) -> str:
        """The interviewer's last message(s) again (nothing is saved)."""
        self._drain()
        if not self._last_turns:
            raise InputError("the interview has not started yet")
        return "\n\n".join(t.text for t in self._last_turns)

    def end(self) -> dict[str, Any]:
        """Close the interview now (with the persona's closing line) and return the report."""
        self._drain()
        if not self.progress.done:
            for _ in self._write(self._closing(early=True)):
                pass
        return self._report or self._finish()

    @property
    def done(self) -> bool:
        return self.progress.done

    @property
    def state(self) -> InterviewState:
        p = self.progress
        stage = p.current
        phase = stage.script.phases[p.phase]
        now = self._now_ms()
        elapsed = (now - p.stage_start_ms) / 1000
        budget = stage.minutes * 60
        q = self.bank.get(p.question) if p.question and p.question in self.bank else None
        return InterviewState(
            session_id=self.session_id,
            stage=p.stage,
            stages=len(self.stages),
            round=stage.script.round.value,
            round_title=stage.script.title,
            persona=stage.persona.id,
            persona_name=stage.persona.name,
            phase=phase.id,
            phase_title=phase.title,
            question_id=p.question,
            question=q.text if q else None,
            followups_asked=len(p.followups),
            answers=p.answers_in_stage,
            max_turns=stage.script.max_turns,
            elapsed_s=round(elapsed, 1),
            budget_s=budget,
            remaining_s=round(max(0.0, budget - elapsed), 1),
            hints=p.hints,
            awaiting_answer=p.awaiting,
            done=p.done,
        )

    def transcript(self) -> list[Turn]:
        return self.store.turns(self.session_id)

    def report(self) -> dict[str, Any]:
        from interviewer.report import build_report

        return build_report(self.store.get(self.session_id), self.transcript(), self.bank).model_dump(mode="json")

    # --- the turn loop

    def _expect_answer(self) -> None:
        if self.progress.done:
            raise InputError("the interview has ended; see its report")
        if not self.progress.awaiting:
            raise InputError("no question is waiting for an answer; call start() first")

    def _drain(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.text()

    def _reply(self) -> Reply:
        reply = Reply(self._proceed(), eager=not self.writer.streams)
        self._pending = reply
        return reply

    def _proceed(self) -> Iterator[str]:
        """Write and save interviewer messages until the candidate is to speak, or the end."""
        first = True
        while not self.progress.done and not self.progress.awaiting:
            message = self._next_message()
            if not first:
                yield "\n\n"
            first = False
            yield from self._write(message)
        if self.progress.done and self._report is None:
            self._finish()

    def _write(self, m: _Message) -> Iterator[str]:
        yield from m.draft
        notes = dict(m.notes)
        notes["writer"] = m.draft.engine
        if m.draft.fallback_reason:
            notes["fallback_reason"] = m.draft.fallback_reason
        self._save(
            Turn(
                role="interviewer",
                kind=m.kind,
                text=m.draft.text,
                question_id=m.question_id,
                phase=m.phase,
                target=m.target.model_dump() if m.target else None,
                notes=notes,
                engine=m.draft.engine,
            )
        )

    def _save(self, turn: Turn) -> Turn:
        p = self.progress
        turn = turn.model_copy(
            update={
                "seq": self._seq + 1,
                "elapsed_ms": self._now_ms(),
                "stage": p.stage,
                "phase": turn.phase or p.current.script.phases[p.phase].id,
            }
        )
        saved = self.store.add_turn(self.session_id, turn)
        self._track(saved)
        return saved

    def _track(self, turn: Turn) -> None:
        """Fold a turn into the progress and the engine's caches (live and on replay alike)."""
        self._seq = turn.seq
        if turn.role == "interviewer" and turn.kind in ("question", "followup", "closing"):
            if self.progress.last_role != "interviewer":
                self._last_turns = []
            self._last_turns.append(turn)
        if turn.kind == "question":
            self._answers, self._uncertain, self._assessment = [], [], None
        if turn.role == "candidate" and turn.kind == "answer":
            self._answers.append(turn.text)
            self._uncertain.append(uncertain_transcript(turn.notes))
            if turn.scores is not None:
                self._assessment = Assessment.model_validate(turn.scores)
        self.progress.apply(turn)

    def _now_ms(self) -> int:
        return self._base_ms + int((self._clock() - self._t0) * 1000)

    # --- scoring

    def _score_turn(self, turn: Turn) -> None:
        """Score the answers to the current question so far.

        Uncertain transcripts are left out when a clean answer exists; when there is none, the
        scorer reads them (the follow-up still needs to know what was covered) but every level
        is withheld, so no score rests on words the candidate may not have said.
        """
        question = self._question()
        clean = [a for a, why in zip(self._answers, self._uncertain, strict=True) if a and not why]
        doubts = [why for why in self._uncertain if why]
        if clean or not doubts:
            assessment = self._assess(question, "\n\n".join(clean))
            if doubts:
                flags = [*assessment.flags, "uncertain_transcript_excluded"]
                assessment = assessment.model_copy(update={"flags": flags})
        else:
            heard = "\n\n".join(a for a in self._answers if a)
            assessment = withhold_levels(self._assess(question, heard), doubts[-1])
        self._assessment = assessment
        notes = {
            **turn.notes,
            "flags": assessment.flags,
            "covered": [k.index for k in assessment.covered],
            "missed": [k.index for k in assessment.missed],
            "scored_answers": len(self._answers),
        }
        if assessment.fallback_reason:
            notes["fallback_reason"] = assessment.fallback_reason
        self.store.update_turn(
            self.session_id, turn.seq, scores=assessment.model_dump(mode="json"), notes=notes, engine=assessment.engine
        )

    def _assess(self, question: Question, answers: str) -> Assessment:
        dims = question.rubric_dimensions
        if not answers.strip():
            return Assessment(
                engine="none",
                scores={
                    d: DimensionScore(dimension=d, level=None, rationale="abstained: no answer given", engine="none")
                    for d in dims
                },
                flags=["empty"],
            )
        item = ScoringInput(
            round=question.round,
            question=question.text,
            answer=answers,
            reference=list(question.key_points),
            question_id=question.id,
            dimensions=dims,
        )
        try:
            return self.scorer.assess(item)
        except Exception as e:  # a broken scorer must not end the interview, nor be hidden
            log.exception("scorer %s failed on %s", getattr(self.scorer, "name", "?"), question.id)
            reason = f"scorer {getattr(self.scorer, 'name', '?')} failed: {type(e).__name__}: {e}"
            return Assessment(
                engine="none",
                scores={
                    d: DimensionScore(dimension=d, level=None, rationale=f"abstained: {reason}", engine="none")
                    for d in dims
                },
                flags=["scoring_failed"],
                fallback_reason=reason,
            )

    # --- deciding what comes next

    def _question(self) -> Question:
        qid = self.progress.question
        if qid is None:
            raise InputError("no question has been asked yet")
        return self.bank.get(qid)

    def _stage_over(self, now: int) -> str | None:
        p = self.progress
        stage = p.current
        if p.answers_in_stage >= stage.script.max_turns:
            return f"turn budget of {stage.script.max_turns} answers spent"
        if now - p.stage_start_ms >= stage.minutes * 60_000:
            return f"time budget of {stage.minutes:g} minutes spent"
        return None

    def _phase_over(self, phase: Phase, now: int) -> bool:
        p = self.progress
        return p.answers_in_phase >= phase.turns or now - p.phase_start_ms >= phase.minutes * 60_000

    def _next_message(self) -> _Message:
        p = self.progress
        now = self._now_ms()
        over = self._stage_over(now)
        if over:
            return self._closing(reason=over)
        stage = p.current
        script = stage.script
        moved_on: Decision | None = None
        while True:
            phase = script.phases[p.phase]
            if not self._phase_over(phase, now):
                decision = self._consider_followup(phase)
                if decision is not None and decision.action != "move_on":
                    return self._followup(decision, phase)
                moved_on = decision or moved_on
                if phase.ask == "new" and p.questions_in_phase < phase.questions:
                    hit = self.picker.next(stage, phase, p.asked, first=p.question is None)
                    if hit is not None:
                        return self._ask(hit, phase, moved_on)
            if p.phase + 1 >= len(script.phases):
                return self._closing(reason="script finished", decision=moved_on)
            p.enter_phase(p.phase + 1, now)  # held in memory until a turn in the phase is saved

    def _consider_followup(self, phase: Phase) -> Decision | None:
        p = self.progress
        if not p.question or p.skipped or p.last_role != "candidate" or self._assessment is None:
            return None
        if phase.ask == "new" and not p.questions_in_phase:
            return None  # a phase of new questions probes only its own, not the last phase's
        persona = self.progress.current.persona
        cap = min(phase.followups, persona.probing)
        return decide(
            Situation(
                question=self._question(),
                assessment=self._assessment,
                answers="\n\n".join(self._answers),
                asked=list(p.followups),
                phase=phase,
                budget=cap - p.followups_here,
                persona=persona,
                phase_asked=p.followups_here,
                more_questions=self._more_questions(),
            )
        )

    def _more_questions(self) -> bool:
        """Whether a new question is still to come in this round (then a non-answer moves on)."""
        p = self.progress
        phases = p.current.script.phases
        here = phases[p.phase]
        if here.ask == "new" and p.questions_in_phase < here.questions:
            return True
        return any(ph.ask == "new" for ph in phases[p.phase + 1 :])

    def _intro(self, phase: Phase) -> str | None:
        """The phase's opening line, said with its first message only."""
        p = self.progress
        if p.questions_in_phase or p.followups_here:
            return None
        return p.current.persona.phrasing.phase_intros.get(phase.id) or phase.intro

    def _followup(self, decision: Decision, phase: Phase) -> _Message:
        p = self.progress
        stage = p.current
        question = self._question()
        salt = f"{self.session_id}:{len(p.asked)}:{len(p.followups)}:{p.phase}"
        notes: dict[str, Any] = {
            "action": decision.action,
            "reason": decision.reason,
            "quote": decision.gap.quote if decision.gap else None,
        }
        request = Request(
            persona=stage.persona,
            question=question,
            decision=decision,
            answers="\n\n".join(self._answers),
            round_title=stage.script.title,
            level=self.config.level.value,
            salt=salt,
            intro=self._intro(phase) if phase.ask == "continue" else None,
            notes=notes,
        )
        return _Message(
            "followup",
            self.writer.write(request),
            question_id=question.id,
            phase=phase.id,
            target=decision.target,
            notes=notes,
        )

    def _ask(self, hit: Hit, phase: Phase, moved_on: Decision | None) -> _Message:
        p = self.progress
        stage = p.current
        persona = stage.persona
        t = persona.phrasing
        question = self.bank.get(hit.id)
        salt = f"{self.session_id}:q:{len(p.asked)}"
        lead: list[str] = []
        if not p.started and self.host is not None:
            lead.append(self.host.opening_line(stage.script.title))
        intro = self._intro(phase)
        if p.question is None:  # the first question of this round
            lead.append(persona.opening_line(stage.script.title))
        elif moved_on is not None and (moved_on.no_attempt or not intro):
            lead.append(pick(t.no_answer if moved_on.no_attempt else t.move_on, salt + ":lead"))
        if intro:
            lead.append(intro)
        # one transition is enough: a bare question after an opening, a move-on line or an intro
        body = question.text if lead else pick(t.next_question, salt).format(question=question.text)
        notes: dict[str, Any] = {
            "question": question.text,
            "retrieval": {"score": hit.score, "level": hit.level, "topic": hit.topic},
            "reason": moved_on.reason if moved_on else None,
        }
        if hit.id in self.picker.recent:
            notes["reused_recent"] = True
        return _Message(
            "question", Draft.of(" ".join([*lead, body])), question_id=question.id, phase=phase.id, notes=notes
        )

    def _closing(self, *, reason: str = "", decision: Decision | None = None, early: bool = False) -> _Message:
        p = self.progress
        persona = p.current.persona
        parts = []
        if decision is not None and not early:
            parts.append(pick(persona.phrasing.acknowledge, f"{self.session_id}:close:{p.stage}"))
        parts.append(persona.closing_line())
        if p.stage + 1 >= len(self.stages) and self.host is not None:
            parts.append(self.host.closing_line())
        notes: dict[str, Any] = {"reason": "ended by the candidate" if early else reason, "final": early}
        return _Message("closing", Draft.of(" ".join(parts)), question_id=p.question or "", notes=notes)

    def _finish(self) -> dict[str, Any]:
        from interviewer.report import build_report

        info = self.store.get(self.session_id).model_copy(update={"status": "finished"})
        report = build_report(info, self.transcript(), self.bank).model_dump(mode="json")
        self.store.finish(self.session_id, report)
        self._report = report
        return report


# ------------------------------------------------------------------------------ wiring defaults


def _plan(config: InterviewConfig, settings: Settings) -> tuple[list[Stage], Persona | None]:
    personas = load_personas(settings.personas_dir)
    scripts = load_scripts(settings.rounds_dir)
    plan = plan_stages(personas, scripts, persona=config.persona, round=config.round, loop=config.loop)
    return plan.stages, plan.host


def _stage_facts(stage: Stage) -> dict[str, Any]:
    """What a report needs of a stage, saved so it reads the same after personas change."""
    return {
        "script": stage.script.id,
        "round": stage.script.round.value,
        "title": stage.script.title,
        "persona": stage.persona.id,
        "persona_name": stage.persona.name,
        "persona_role": stage.persona.role,
        "strictness": stage.persona.strictness,
        "minutes": stage.minutes,
        "max_turns": stage.script.max_turns,
    }


def uncertain_transcript(notes: dict[str, Any]) -> str:
    """Why a saved answer is an unconfirmed, doubtful transcript, or "" when it is not."""
    speech = notes.get("speech") or {}
    if not speech.get("low_confidence") or speech.get("corrected"):
        return ""
    confidence = speech.get("confidence")
    how = f"mean word probability {confidence:.2f}" if isinstance(confidence, int | float) else "low confidence"
    return f"the speech recognition was uncertain ({how}) and the transcript was not corrected"


def withhold_levels(assessment: Assessment, why: str) -> Assessment:
    """The assessment with every level withheld: abstentions that say what they would have been."""
    scores = {
        d: s.model_copy(
            update={
                "level": None,
                "evidence": [],
                "rationale": f"abstained: {why}"
                + (f"; on the words as heard it would be level {s.level}" if s.level is not None else ""),
                "missing": "repeat the answer clearly, or correct the transcript before sending it",
            }
        )
        for d, s in assessment.scores.items()
    }
    return assessment.model_copy(update={"scores": scores, "flags": [*assessment.flags, "uncertain_transcript"]})


def default_scorer(settings: Settings | None = None) -> Scorer:
    """The configured scorer (offline unless an endpoint is set up; the LLM judge falls back to
    offline visibly), shared by the process: its models load once."""
    from interviewer.scoring.factory import get_scorer

    return get_scorer(settings=settings)


def default_writer(kind: str, settings: Settings) -> FollowUpWriter:
    if kind == "offline":
        return OfflineWriter()
    from interviewer.followup_llm import llm_writer

    return llm_writer(settings)
