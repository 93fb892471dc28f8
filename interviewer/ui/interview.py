"""The mock-interview view: set up a round, talk to the interviewer, get the scorecard.

The live :class:`~interviewer.session.Interview` sits in the user's ``gr.State``; the engine
saves every turn as it happens, so this view keeps nothing that a reload or a crash could lose
(an unfinished session is resumed from the database). Turn handlers stream the interviewer's
reply into the chat as it is written.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import gradio as gr

from interviewer.bank import Level
from interviewer.errors import InputError
from interviewer.personas import load_personas
from interviewer.rounds import load_scripts

from . import scorecard, voice
from .context import AppContext
from .engines import followup_writer, scorer_for
from .notify import guarded, info, warn
from .scores import assessment_html, dimension_names
from .state import Clock, Preferences

if TYPE_CHECKING:
    from interviewer.session import Interview
    from interviewer.store import Turn

Message = dict[str, Any]
#: Streamed replies update the page at most this often (the first chunk is shown at once).
STREAM_EVERY_S = 0.05
#: How long an action waits for the previous one on the same interview before giving up.
TURN_WAIT_S = 30.0
LOOP = "Full loop"
SINGLE = "Single round"
AUTO = ""  # the persona dropdown's "the round's own interviewer"


@dataclass
class LiveInterview:
    """One user's interview in progress: the engine object plus what the page shows."""

    iv: Interview
    chat: list[Message] = field(default_factory=list)
    clock: Clock = field(default_factory=Clock)
    live_feedback: bool = False
    engine: str = "offline"
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    #: The recording(s) put into the answer box for the current question, not sent yet.
    speech: voice.PendingSpeech | None = None

    @property
    def done(self) -> bool:
        return self.iv.done

    @property
    def slow(self) -> bool:
        """Whether turns wait on an endpoint (seconds) rather than the offline engine (~0.1 s)."""
        return self.engine != "offline"

    def snapshot(self) -> None:
        s = self.iv.state
        self.clock = Clock(
            phase=s.phase_title,
            round_title=s.round_title,
            persona=s.persona_name,
            remaining_s=s.remaining_s,
            budget_s=s.budget_s,
            answers=s.answers,
            max_turns=s.max_turns,
            stage=s.stage,
            stages=s.stages,
            done=s.done,
            taken_at=time.monotonic(),
        )


# ------------------------------------------------------------------------------------ rendering


def answer_problem(text: str | None) -> str | None:
    """Why an answer cannot be sent as it is (checked before anything is shown or saved)."""
    from interviewer.session import MAX_ANSWER_CHARS, clean_text

    if not (text or "").strip():
        return "Your answer is empty: type an answer, or press Skip to move to the next question."
    try:
        cleaned = clean_text(text or "")
    except InputError as e:
        return str(e)
    if len(cleaned) > MAX_ANSWER_CHARS:
        return (
            f"Your answer is {len(cleaned):,} characters; the limit is {MAX_ANSWER_CHARS:,}. "
            "It is still in the box: shorten it and send again."
        )
    return None


def status_html(live: LiveInterview | None) -> str:
    if live is None:
        return "<div class='iv-status'><span class='iv-muted'>No interview yet: set one up, press Start.</span></div>"
    c = live.clock
    left = c.remaining()
    mins, secs = divmod(int(left), 60)
    low = " iv-low" if not c.done and left < 120 else ""
    chips = [
        f"<span class='iv-chip'><b>{html.escape(c.round_title)}</b> with {html.escape(c.persona)}</span>",
    ]
    if c.stages > 1:
        chips.append(f"<span class='iv-chip'>Round {c.stage + 1} of {c.stages}</span>")
    chips.append(f"<span class='iv-chip'>Phase: <b>{html.escape(c.phase)}</b></span>")
    chips.append(f"<span class='iv-chip'>Answers {c.answers} / {c.max_turns}</span>")
    if c.done:
        chips.append("<span class='iv-chip'><b>Finished</b>: scorecard below</span>")
    else:
        chips.append(f"<span class='iv-chip iv-clock{low}' role='timer'>Time left <b>{mins:02d}:{secs:02d}</b></span>")
    chips.append(f"<span class='iv-chip iv-muted'>scored by {html.escape(live.engine)}</span>")
    return f"<div class='iv-status'>{''.join(chips)}</div>"


def feedback_html(turns: list[Turn], names: dict[str, str] | None = None) -> str:
    """Live feedback on the latest scored answer (only shown when the user asked for it)."""
    from interviewer.scoring.types import Assessment

    scored = [t for t in turns if t.role == "candidate" and t.kind == "answer" and t.scores]
    if not scored:
        return ""
    return assessment_html(Assessment.model_validate(scored[-1].scores), "Feedback on your last answer", names)


def chat_from(turns: list[Turn]) -> list[Message]:
    """The chat as it was, rebuilt from the saved turns (resuming a session)."""
    chat: list[Message] = []
    for t in turns:
        if t.role == "interviewer":
            chat.append({"role": "assistant", "content": t.text})
        elif t.kind == "skip":
            chat.append({"role": "user", "content": "_(skipped this question)_"})
        else:
            chat.append({"role": "user", "content": t.text})
    return chat


# ------------------------------------------------------------------------------------ handlers


class InterviewView:
    """Handlers of the interview tab; each gets the user's state and returns what changed."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    # --- the catalog (personas, rounds, topics), for the setup form

    def round_choices(self) -> list[tuple[str, str]]:
        scripts = load_scripts(self.ctx.settings.rounds_dir)
        return [(s.title, s.id) for s in sorted(scripts.rounds.values(), key=lambda s: s.id)]

    def persona_choices(self, round_id: str | None, loop: bool) -> list[tuple[str, str]]:
        personas = load_personas(self.ctx.settings.personas_dir)
        if loop:
            picks = [p for p in personas.values() if p.loop]
            return [(f"{p.name} — {p.role}", p.id) for p in picks]
        scripts = load_scripts(self.ctx.settings.rounds_dir)
        rnd = scripts.rounds[round_id].round if round_id in scripts.rounds else None
        picks = [p for p in personas.values() if not p.loop and (rnd is None or rnd in p.rounds)]
        return [("Auto: this round's interviewer", AUTO)] + [(f"{p.name} — {p.role}", p.id) for p in picks]

    def topic_choices(self, round_id: str | None) -> list[str]:
        scripts = load_scripts(self.ctx.settings.rounds_dir)
        script = scripts.rounds.get(round_id or "")
        qs = self.ctx.bank.by_round(script.round) if script else list(self.ctx.bank)
        return sorted({q.topic for q in qs})

    def on_setup(self, fmt: str, round_id: str) -> tuple[Any, Any, Any]:
        loop = fmt == LOOP
        personas = self.persona_choices(round_id, loop)
        return (
            gr.Dropdown(interactive=not loop),
            gr.Dropdown(choices=personas, value=personas[0][1] if personas else None),
            gr.Dropdown(choices=[] if loop else self.topic_choices(round_id), value=[], multiselect=True),
        )

    # --- starting and resuming

    @guarded
    def start(
        self,
        fmt: str,
        round_id: str,
        persona: str | None,
        level: str,
        topics: list[str] | None,
        context: str,
        live_feedback: bool,
        prefs: dict[str, Any] | None,
        key: str | None,
    ) -> tuple[Any, ...]:
        from interviewer.session import Interview, InterviewConfig

        if self.ctx.warming:
            info("Loading the question bank and index (the first start after launch takes a few seconds).")
        p = Preferences.load(prefs)
        settings = p.settings(self.ctx.settings, key)
        loop = fmt == LOOP
        config = InterviewConfig(
            persona=persona or None,
            round=None if loop else round_id,
            loop=loop,
            level=Level(level),
            topics=list(topics or []),
            context=context or "",
            followups=followup_writer(settings),
        )
        iv = Interview.create(
            config, settings=settings, store=self.ctx.store, scorer=scorer_for(settings), index=self.ctx.index
        )
        live = LiveInterview(iv=iv, live_feedback=bool(live_feedback), engine=p.engine_label(key))
        live.chat.append({"role": "assistant", "content": iv.start().text()})
        live.snapshot()
        prefs_out = p.remember(iv.session_id).model_dump()
        return (*self._turn_outputs(live, answer=""), gr.Column(visible=False), prefs_out)

    def unfinished(self, prefs: dict[str, Any] | None) -> Any:
        """This browser's sessions that can be resumed, newest first (another id can be typed in)."""
        mine = set(Preferences.load(prefs).sessions)
        sessions = [s for s in self.ctx.store.sessions(limit=200) if s.status != "finished" and s.id in mine]
        choices = [(f"{s.title} · {s.updated_at:%Y-%m-%d %H:%M} · {s.turns} turns", s.id) for s in sessions]
        return gr.Dropdown(choices=choices, value=choices[0][1] if choices else None)

    @guarded
    def offer_resume(self, prefs: dict[str, Any] | None) -> tuple[Any, Any]:
        """On page load: this browser's unfinished sessions, the box opened when there are some."""
        if not Preferences.load(prefs).sessions:
            return gr.skip(), gr.skip()  # a first visit: nothing to look up
        choices = self.unfinished(prefs)
        return choices, gr.Accordion(open=bool(choices.choices))

    @guarded
    def resume(
        self, session_id: str | None, live_feedback: bool, prefs: dict[str, Any] | None, key: str | None
    ) -> tuple[Any, ...]:
        if not session_id:
            raise InputError("pick an unfinished session to resume (press Refresh if the list is empty)")
        from interviewer.session import Interview

        p = Preferences.load(prefs)
        settings = p.settings(self.ctx.settings, key)
        iv = Interview.resume(
            session_id, settings=settings, store=self.ctx.store, scorer=scorer_for(settings), index=self.ctx.index
        )
        if iv.done:
            raise InputError(f"session {session_id} has already finished; see it under History")
        live = LiveInterview(iv=iv, live_feedback=bool(live_feedback), engine=p.engine_label(key))
        live.chat = chat_from(iv.transcript())
        if not iv.state.awaiting_answer:  # stopped between the answer and the reply: the reply is owed
            live.chat.append({"role": "assistant", "content": iv.start().text()})
        live.snapshot()
        info(f"Resumed session {iv.session_id} where it stopped.")
        prefs_out = p.remember(iv.session_id).model_dump()
        return (*self._turn_outputs(live, answer=""), gr.Column(visible=False), prefs_out)

    # --- turns

    @guarded
    def answer(self, live: LiveInterview | None, text: str) -> Iterator[tuple[Any, ...]]:
        with self._turn(live) as live:
            problem = answer_problem(text)
            if problem:  # nothing is shown or saved; the text stays in the box to be fixed
                warn(problem)
                yield gr.skip()
                return
            live.chat.append({"role": "user", "content": text})
            if live.slow:  # an endpoint scores in seconds: show the answer at once, while it is scored
                yield self._turn_outputs(live, answer="")
            pending, live.speech = live.speech, None
            try:
                reply = live.iv.answer(text, speech=voice.spoken_for(pending, live.iv.progress.question, text))
            except InputError as e:  # the engine's own checks: take the answer back out, keep the text
                live.speech = pending
                live.chat.pop()
                warn(str(e))
                yield self._turn_outputs(live, answer=text)
                return
            yield from self._stream(live, reply, clear_answer=not live.slow)

    @guarded
    def skip(self, live: LiveInterview | None) -> Iterator[tuple[Any, ...]]:
        with self._turn(live) as live:
            live.speech = None
            reply = live.iv.skip()
            live.chat.append({"role": "user", "content": "_(skipped this question)_"})
            yield from self._stream(live, reply)

    @guarded
    def hint(self, live: LiveInterview | None) -> tuple[Any, ...]:
        with self._turn(live) as live:
            live.chat.append({"role": "assistant", "content": live.iv.hint()})
            live.snapshot()
            return self._turn_outputs(live)

    @guarded
    def repeat(self, live: LiveInterview | None) -> tuple[Any, ...]:
        with self._turn(live) as live:
            live.chat.append({"role": "assistant", "content": live.iv.repeat()})
            return self._turn_outputs(live)

    @guarded
    def end(self, live: LiveInterview | None) -> tuple[Any, ...]:
        with self._turn(live, running=False) as live:
            if not live.done:
                live.iv.end()
                closing = next((t for t in reversed(live.iv.transcript()) if t.kind == "closing"), None)
                if closing is not None:
                    live.chat.append({"role": "assistant", "content": closing.text})
            live.snapshot()
            return self._turn_outputs(live)

    def tick(self, live: LiveInterview | None) -> str:
        return status_html(live)

    @guarded
    def show_scorecard(self, live: LiveInterview | None) -> tuple[Any, ...]:
        """The scorecard once the interview is over (a no-op before)."""
        if live is None or not live.done:
            return (gr.skip(),) * 6
        report = scorecard.load(live.iv.store.get(live.iv.session_id).report or live.iv.report())
        return (
            gr.Column(visible=True),
            scorecard.summary_html(report),
            scorecard.chart(report),
            scorecard.questions_html(report),
            str(scorecard.export(report, "md")),
            str(scorecard.export(report, "html")),
        )

    # --- helpers

    @contextmanager
    def _turn(self, live: LiveInterview | None, running: bool = True) -> Iterator[LiveInterview]:
        """The user's interview, held for one action: the engine object is not made for two at
        once (a hint pressed while an answer is still being scored waits for its turn)."""
        if live is None:
            raise InputError("no interview is running: set one up and press Start, or resume a session")
        if running and live.done:
            raise InputError("this interview has ended: its scorecard is below; start a new one for more practice")
        if not live.lock.acquire(timeout=TURN_WAIT_S):
            raise InputError("the interviewer is still busy with your last action: try again in a moment")
        try:
            yield live
        finally:
            live.lock.release()

    def _stream(
        self, live: LiveInterview, reply: Iterable[str], *, clear_answer: bool = False
    ) -> Iterator[tuple[Any, ...]]:
        """The reply into the chat as it arrives: the first chunk at once, then at most one update
        per ``STREAM_EVERY_S`` (each update resends the chat), and a last one if anything changed."""
        live.chat.append({"role": "assistant", "content": ""})
        live.snapshot()
        shown, last = live.clock, 0.0
        dirty = False
        for chunk in reply:
            live.chat[-1]["content"] += chunk
            dirty = True
            now = time.monotonic()
            if now - last >= STREAM_EVERY_S:
                yield self._turn_outputs(live, answer="" if clear_answer and not last else None)
                last, dirty = now, False  # later updates leave the box alone: the next answer may be started
        live.snapshot()
        if dirty or not last or not live.clock.same_as(shown):
            yield self._turn_outputs(live, answer="" if clear_answer and not last else None)

    def _turn_outputs(self, live: LiveInterview, answer: Any = None) -> tuple[Any, ...]:
        """(live, chat, answer box, status, feedback, timer): what every turn updates."""
        feedback = (
            gr.HTML(feedback_html(live.iv.transcript(), dimension_names(self.ctx.settings.rubrics_dir)), visible=True)
            if live.live_feedback
            else gr.HTML(visible=False)
        )
        return (
            live,
            list(live.chat),
            gr.skip() if answer is None else answer,
            status_html(live),
            feedback,
            gr.Timer(active=not live.done),
        )


# ------------------------------------------------------------------------------------ layout


def build(demo: gr.Blocks, ctx: AppContext, prefs: gr.BrowserState, key: gr.State) -> gr.HTML:
    """The tab's components and events (called inside the app's ``gr.Blocks``); returns the
    interviewer's speaker so Settings can show or hide it."""
    view = InterviewView(ctx)
    rounds = view.round_choices()
    first_round = "ml_design" if any(r[1] == "ml_design" for r in rounds) else rounds[0][1]
    personas = view.persona_choices(first_round, loop=False)
    live = gr.State(None)
    timer = gr.Timer(1.0, active=False)

    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            with gr.Accordion("Set up the interview", open=True):
                fmt = gr.Radio([SINGLE, LOOP], value=SINGLE, label="Format")
                round_id = gr.Dropdown(rounds, value=first_round, label="Round")
                persona = gr.Dropdown(personas, value=AUTO, label="Interviewer")
                level = gr.Radio([lv.value for lv in Level], value="MLE3", label="Level")
                topics = gr.Dropdown(
                    [],  # filled on page load: reading the bank must not delay the server's start
                    multiselect=True,
                    allow_custom_value=True,
                    label="Focus topics (optional)",
                )
                context = gr.Textbox(
                    label="Job description or resume (optional)",
                    lines=3,
                    max_lines=8,
                    placeholder="Paste it here: questions lean towards what it mentions.",
                )
                live_feedback = gr.Checkbox(
                    False, label="Show feedback after each answer (a real interviewer would not)"
                )
                start = gr.Button("Start interview", variant="primary")
            with gr.Accordion("Resume an unfinished session", open=False, elem_id="resume-box") as resume_box:
                sessions = gr.Dropdown([], label="Unfinished sessions (or type a session id)", allow_custom_value=True)
                with gr.Row():
                    refresh = gr.Button("Refresh list", size="sm")
                    resume = gr.Button("Resume session", size="sm", variant="secondary")
        with gr.Column(scale=3):
            status = gr.HTML(status_html(None), elem_id="interview-status")
            chat = gr.Chatbot(
                label="Interview",
                height=440,
                elem_id="interview-chat",
                placeholder="The interviewer's questions appear here.",
                feedback_options=None,
                buttons=["copy"],
                group_consecutive_messages=False,
            )
            answer = gr.Textbox(
                label="Your answer",
                lines=4,
                max_lines=14,
                placeholder="Type your answer. Send with the button (or Shift+Enter).",
                elem_id="answer-box",
            )
            with gr.Row(elem_id="turn-buttons"):
                send = gr.Button("Send answer", variant="primary", elem_id="send-answer")
                hint = gr.Button("Hint")
                repeat = gr.Button("Repeat question")
                skip = gr.Button("Skip question")
                end = gr.Button("End interview", variant="stop")
            voice_view, speaker = voice.build(ctx, prefs, key, answer, live)
            feedback = gr.HTML(visible=False, elem_id="live-feedback")

    with gr.Column(visible=False, elem_id="scorecard") as card:
        summary = gr.HTML()
        gr.HTML(
            "<h4>Level per question, by dimension</h4>"
            "<p class='iv-muted'>Bars are levels 1-4; a hollow circle means the scorer abstained "
            "(too little evidence).</p>"
        )
        plot = gr.Plot(show_label=False)
        questions = gr.HTML()
        with gr.Row():
            md = gr.DownloadButton("Download Markdown", variant="secondary")
            page = gr.DownloadButton("Download HTML", variant="secondary")

    turn_out = [live, chat, answer, status, feedback, timer]
    card_out = [card, summary, plot, questions, md, page]

    for event in (fmt.change, round_id.change, demo.load):
        event(
            view.on_setup,
            [fmt, round_id],
            [round_id, persona, topics],
            show_progress="hidden",
            api_visibility="private",
        )
    started = start.click(
        view.start,
        [fmt, round_id, persona, level, topics, context, live_feedback, prefs, key],
        [*turn_out, card, prefs],
        api_name="interview_start",
    )
    refresh.click(view.unfinished, [prefs], sessions, api_name="interview_unfinished")
    demo.load(view.offer_resume, [prefs], [sessions, resume_box], api_visibility="private", show_progress="hidden")
    resumed = resume.click(
        view.resume, [sessions, live_feedback, prefs, key], [*turn_out, card, prefs], api_name="interview_resume"
    )

    turns = [
        send.click(view.answer, [live, answer], turn_out, api_name="interview_answer"),
        answer.submit(view.answer, [live, answer], turn_out, api_visibility="private"),
        skip.click(view.skip, [live], turn_out, api_name="interview_skip"),
        end.click(view.end, [live], turn_out, api_name="interview_end"),
        hint.click(view.hint, [live], turn_out, api_name="interview_hint"),
        repeat.click(view.repeat, [live], turn_out, api_name="interview_repeat"),
        started,
        resumed,
    ]
    for event in turns:
        after = event.then(view.show_scorecard, [live], card_out, api_visibility="private")
        after.then(
            voice_view.speak,
            [live, prefs, key],
            speaker,
            api_visibility="private",
            concurrency_id="tts",
            concurrency_limit=2,
        )
    timer.tick(view.tick, [live], status, show_progress="hidden", concurrency_limit=None, api_visibility="private")
    return speaker
