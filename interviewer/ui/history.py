"""History and progress: past sessions, each dimension over time, delivery of spoken answers over
time, the weakest topics, and a drill.

Reports are rebuilt from saved turns for unfinished sessions, so an interrupted session counts
too. By default a browser sees the sessions it started (kept in its ``BrowserState``); the
whole data folder, terminal sessions included, is one tick away.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from statistics import mean
from typing import TYPE_CHECKING, Any

import gradio as gr

from interviewer.errors import InputError

from . import scorecard
from .charts import delivery_trend, progress
from .context import AppContext
from .engines import scorer_for
from .notify import guarded
from .scores import assessment_html, dimension_names
from .state import Preferences

if TYPE_CHECKING:
    from interviewer.report import Report
    from interviewer.store import SessionInfo

SESSION_COLUMNS = ["date", "session", "title", "status", "answers", "signal", "average"]
TOPIC_COLUMNS = ["topic", "round", "questions", "average level"]
DRILL_SIZE = 8


@dataclass(frozen=True)
class TopicScore:
    topic: str
    round: str
    n: int
    average: float


def reports(ctx: AppContext, prefs: Any, everything: bool, limit: int = 200) -> list[tuple[SessionInfo, Report]]:
    """(session, report) newest first: this browser's sessions, or all of them."""
    from interviewer.report import Report, build_report

    mine = set(Preferences.load(prefs).sessions)
    out = []
    for info in ctx.store.sessions(limit=limit):
        if not everything and info.id not in mine:
            continue
        if info.report:
            report = Report.model_validate(info.report)
        else:
            report = build_report(info, ctx.store.turns(info.id), ctx.bank)
        out.append((info, report))
    return out


def session_rows(items: list[tuple[SessionInfo, Report]]) -> list[list[Any]]:
    rows = []
    for info, r in items:
        levels = [q.mean_level for rd in r.rounds for q in rd.questions if q.mean_level is not None]
        rows.append(
            [
                f"{info.created_at:%Y-%m-%d %H:%M}",
                info.id,
                info.title,
                info.status,
                sum(rd.answers for rd in r.rounds),
                ", ".join(rd.hire_signal for rd in r.rounds) or "–",
                round(mean(levels), 2) if levels else None,
            ]
        )
    return rows


def dimension_series(items: list[tuple[SessionInfo, Report]]) -> dict[str, list[tuple[datetime, float]]]:
    """Per dimension, one point per session: the mean level it earned (abstentions left out)."""
    series: dict[str, list[tuple[datetime, float]]] = defaultdict(list)
    for info, r in items:
        per_dim: dict[str, list[float]] = defaultdict(list)
        for rd in r.rounds:
            for d in rd.dimensions:
                if d.mean is not None:
                    per_dim[d.name].extend([d.mean] * d.n)
        for name, values in per_dim.items():
            series[name].append((info.created_at, round(mean(values), 2)))
    return dict(series)


def delivery_series(items: list[tuple[SessionInfo, Report]]) -> dict[str, list[tuple[datetime, float]]]:
    """Words per minute and filler words per minute, one point per session with spoken answers."""
    series: dict[str, list[tuple[datetime, float]]] = {"words per minute": [], "filler words per minute": []}
    for info, r in items:
        if r.delivery is None:
            continue
        d = r.delivery.summary
        if d.words_per_minute is not None:
            series["words per minute"].append((info.created_at, d.words_per_minute))
        if d.fillers_per_minute is not None:
            series["filler words per minute"].append((info.created_at, d.fillers_per_minute))
    return series


def weakest_topics(items: list[tuple[SessionInfo, Report]], n: int = 5) -> list[TopicScore]:
    """Topics by their average level, lowest first; unanswered questions count as level 1."""
    levels: dict[tuple[str, str], list[float]] = defaultdict(list)
    for _, r in items:
        for rd in r.rounds:
            for q in rd.questions:
                if not q.topic or q.uncertain:
                    continue
                value = q.mean_level if q.attempted and q.mean_level is not None else 1.0
                levels[(q.topic, rd.round)].append(value)
    scored = [TopicScore(t, rnd, len(v), round(mean(v), 2)) for (t, rnd), v in levels.items()]
    return sorted(scored, key=lambda s: (s.average, -s.n))[:n]


class HistoryView:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    @guarded
    def refresh(self, prefs: Any, everything: bool) -> tuple[Any, ...]:
        items = reports(self.ctx, prefs, everything)
        weak = weakest_topics(items)
        choices = [(f"{info.created_at:%Y-%m-%d %H:%M} · {info.title} ({info.status})", info.id) for info, _ in items]
        drill = self.drill_choices(weak, items)
        note = (
            f"{len(items)} session(s)." if items else "No sessions yet: finish a mock interview and it shows up here."
        )
        return (
            session_rows(items),
            progress(dimension_series(items)),
            delivery_trend(delivery_series(items)),
            [[w.topic, w.round, w.n, w.average] for w in weak],
            gr.Dropdown(choices=choices, value=choices[0][1] if choices else None),
            gr.Dropdown(choices=drill, value=drill[0][1] if drill else None),
            note,
        )

    def drill_choices(self, weak: list[TopicScore], items: list[tuple[SessionInfo, Report]]) -> list[tuple[str, str]]:
        """Bank questions on the weakest topics that were not asked yet, closest first."""
        from interviewer.retrieval import search

        asked = {q.question_id for _, r in items for rd in r.rounds for q in rd.questions}
        picked: list[str] = []
        for w in weak:
            hits = search(self.ctx.index, w.topic, round=w.round, topic=w.topic, k=3, exclude=asked | set(picked))
            if not hits:  # a topic name the index does not hold as metadata: search by meaning only
                hits = search(self.ctx.index, w.topic, round=w.round, k=2, exclude=asked | set(picked))
            picked.extend(h.id for h in hits)
            if len(picked) >= DRILL_SIZE:
                break
        bank = self.ctx.bank
        return [
            (f"[{bank.get(q).topic} · {bank.get(q).level.value}] {bank.get(q).text}", q) for q in picked if q in bank
        ]

    @guarded
    def show_session(self, session_id: str | None) -> tuple[Any, ...]:
        if not session_id:
            raise InputError("pick a session first")
        from interviewer.report import Report, build_report

        info = self.ctx.store.get(session_id)
        report = (
            Report.model_validate(info.report)
            if info.report
            else build_report(info, self.ctx.store.turns(info.id), self.ctx.bank)
        )
        return (
            scorecard.summary_html(report) + scorecard.questions_html(report),
            str(scorecard.export(report, "md")),
            str(scorecard.export(report, "html")),
        )

    @guarded
    def drill_question(self, qid: str | None) -> str:
        if not qid:
            return ""
        q = self.ctx.bank.get(qid)
        return f"**{q.round.value} · {q.topic} · {q.level.value}**\n\n{q.text}"

    @guarded
    def drill_score(self, qid: str | None, answer: str, prefs: Any, key: str | None) -> str:
        if not qid:
            raise InputError("pick a drill question first")
        if not (answer or "").strip():
            raise InputError("your drill answer is empty: type an answer to be scored")
        from interviewer.bank import Round
        from interviewer.scoring.types import ScoringInput
        from interviewer.session import MAX_ANSWER_CHARS, clean_text

        q = self.ctx.bank.get(qid)
        settings = Preferences.load(prefs).settings(self.ctx.settings, key)

        text = clean_text(answer)
        if len(text) > MAX_ANSWER_CHARS:
            raise InputError(f"the answer is {len(text):,} characters; the limit is {MAX_ANSWER_CHARS:,}")
        a = scorer_for(settings).assess(
            ScoringInput(
                round=Round(q.round),
                question=q.text,
                answer=text,
                reference=list(q.key_points),
                question_id=q.id,
                dimensions=q.rubric_dimensions,
            )
        )
        names = dimension_names(self.ctx.settings.rubrics_dir)
        return assessment_html(a, "Your drill answer", names, missed=True)


def build(ctx: AppContext, prefs: gr.BrowserState, key: gr.State, tab: gr.Tab) -> HistoryView:
    view = HistoryView(ctx)
    with gr.Row():
        everything = gr.Checkbox(False, label="Include every session in this data folder (terminal, other browsers)")
        refresh = gr.Button("Refresh", size="sm")
    note = gr.Markdown()
    sessions = gr.Dataframe(
        headers=SESSION_COLUMNS, label="Past sessions", interactive=False, wrap=True, elem_id="history-sessions"
    )
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            gr.HTML("<h4>Each dimension over time</h4><p class='iv-muted'>Session averages, abstentions left out.</p>")
            plot = gr.Plot(show_label=False)
        with gr.Column(scale=2):
            weak = gr.Dataframe(headers=TOPIC_COLUMNS, label="Weakest topics", interactive=False)
    with gr.Accordion("Delivery over time (spoken answers)", open=False):
        gr.HTML(
            "<p class='iv-muted'>Session averages over spoken answers: pace (the shaded band is a comfortable "
            "110-180 words/min) and filler words per minute.</p>"
        )
        speech = gr.Plot(show_label=False, elem_id="history-delivery")
    with gr.Accordion("Open a session's scorecard", open=False):
        pick = gr.Dropdown([], label="Session")
        shown = gr.HTML()
        with gr.Row():
            md = gr.DownloadButton("Download Markdown", variant="secondary")
            page = gr.DownloadButton("Download HTML", variant="secondary")
    gr.Markdown("### Drill your weak areas\nQuestions from the bank on your weakest topics, not asked yet.")
    with gr.Row(equal_height=False):
        with gr.Column():
            drill = gr.Dropdown([], label="Drill question")
            question = gr.Markdown()
        with gr.Column():
            drill_answer = gr.Textbox(label="Your drill answer", lines=5)
            score = gr.Button("Score my answer", variant="primary")
    drill_result = gr.HTML(elem_id="drill-result")

    outputs = [sessions, plot, speech, weak, pick, drill, note]
    refresh.click(view.refresh, [prefs, everything], outputs, api_name="history_refresh")
    for event in (tab.select, everything.change):
        event(view.refresh, [prefs, everything], outputs, api_visibility="private")
    pick.change(view.show_session, pick, [shown, md, page], api_name="history_session")
    drill.change(view.drill_question, drill, question, api_visibility="private")
    score.click(view.drill_score, [drill, drill_answer, prefs, key], drill_result, api_name="history_drill_score")
    return view
