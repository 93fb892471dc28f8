"""The end-of-interview scorecard as the app shows it, and its Markdown / HTML downloads.

Built from :class:`interviewer.report.Report` only. Every quote comes from the candidate and is
escaped; every score names its engine; a fallback is shown in its own colour.
"""

from __future__ import annotations

import html
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .charts import levels_by_dimension

if TYPE_CHECKING:
    from interviewer.report import Report

EXPORT_DIR = Path(tempfile.gettempdir()) / "interviewer-exports"


def load(report: Report | dict[str, Any]) -> Report:
    from interviewer.report import Report

    return report if isinstance(report, Report) else Report.model_validate(report)


def _e(text: object) -> str:
    return html.escape(str(text))


def signal_badge(signal: str) -> str:
    cls = "iv-signal-" + signal.lower().replace(" ", "-")
    return f'<span class="iv-signal {cls}">{_e(signal)}</span>'


def summary_html(report: Report) -> str:
    """Hire signal per round with its reasons, the engines, fallbacks and the top improvements."""
    parts = [f"<h3>Scorecard · {_e(report.title)}</h3>"]
    scoring = ", ".join(report.engines.get("scoring", [])) or "nothing scored"
    followups = ", ".join(report.engines.get("followups", [])) or "none"
    parts.append(
        f'<p class="iv-muted">Scored by <b>{_e(scoring)}</b> · follow-ups by <b>{_e(followups)}</b>'
        f" · hints used: {report.hints} · session <code>{_e(report.session_id)}</code></p>"
    )
    if report.fallbacks:
        items = "".join(f"<li>{_e(f)}</li>" for f in report.fallbacks)
        parts.append(f'<div class="iv-fallback">Fallbacks (the requested engine failed):<ul>{items}</ul></div>')
    for r in report.rounds:
        reasons = "".join(f"<li>{_e(x)}</li>" for x in r.reasons)
        dims = "".join(
            f"<tr><td>{_e(d.name)}</td><td class='iv-level'>{'–' if d.mean is None else f'{d.mean:.1f}'}</td>"
            f"<td>{d.n}</td><td>{d.abstained}</td></tr>"
            for d in r.dimensions
        )
        table = (
            "<table><thead><tr><th>dimension</th><th>average</th><th>scored</th><th>abstained</th></tr></thead>"
            f"<tbody>{dims}</tbody></table>"
            if dims
            else ""
        )
        parts.append(
            f"<h4>{_e(r.title)} with {_e(r.persona_name)}: {signal_badge(r.hire_signal)}</h4><ul>{reasons}</ul>{table}"
        )
    if report.improvements:
        items = "".join(f"<li>{_e(x)}</li>" for x in report.improvements)
        parts.append(f"<h4>Most useful improvements</h4><ol>{items}</ol>")
    if report.delivery is not None:
        parts.append(delivery_html(report))
    return "\n".join(parts)


def delivery_html(report: Report) -> str:
    """How the spoken answers were said: the session's pace, filler words and pauses, then each answer."""
    if report.delivery is None:
        return ""
    d = report.delivery.summary

    def num(v: float | None, fmt: str) -> str:
        return "–" if v is None else format(v, fmt)

    fillers = ", ".join(f"“{k}” {v}" for k, v in d.fillers.items())
    typed = f", {report.delivery.typed_answers} typed" if report.delivery.typed_answers else ""
    head = (
        f"<p>{d.answers} spoken answer(s){typed} · <b>{num(d.words_per_minute, '.0f')}</b> words/min · "
        f"<b>{num(d.fillers_per_minute, '.1f')}</b> filler words/min{f' ({_e(fillers)})' if fillers else ''} · "
        f"{d.long_pauses} long pause(s) · {d.talk_time_s:.0f} s talking</p>"
    )
    notes = "".join(f"<li>{_e(n)}</li>" for n in d.notes) or "<li>Pace and filler words were in the usual range.</li>"
    rows = []
    for i, a in enumerate(report.delivery.answers, 1):
        m = a.metrics
        heard = (
            "uncertain, corrected"
            if a.low_confidence and a.corrected
            else ("<b>uncertain: not scored</b>" if a.low_confidence else "clear")
        )
        rows.append(
            f"<tr><td>{i}</td><td><code>{_e(a.question_id)}</code></td><td>{num(m.words_per_minute, '.0f')}</td>"
            f"<td>{num(m.fillers_per_minute, '.1f')}</td><td>{m.filler_count}</td><td>{len(m.long_pauses)}</td>"
            f"<td>{m.talk_time_s:.0f} s</td><td>{heard}</td></tr>"
        )
    table = (
        "<table><thead><tr><th>answer</th><th>question</th><th>words/min</th><th>fillers/min</th><th>fillers</th>"
        f"<th>long pauses</th><th>talk time</th><th>transcript</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    return f"<div id='delivery'><h4>Delivery of the spoken answers</h4>{head}<ul>{notes}</ul>{table}</div>"


def questions_html(report: Report) -> str:
    """Per question: scores with their evidence, what was missed, and a model outline after a weak answer."""
    out: list[str] = []
    n = 0
    for r in report.rounds:
        for q in r.questions:
            n += 1
            if q.skipped:
                state = " · skipped"
            elif q.uncertain:
                state = " · not scored: uncertain transcript"
            else:
                state = "" if q.attempted else " · not attempted"
            avg = "–" if q.mean_level is None else f"{q.mean_level:.1f}"
            body: list[str] = []
            if q.fallback_reason:
                body.append(f'<p class="iv-fallback">fallback: {_e(q.fallback_reason)}</p>')
            for s in q.scores:
                level = "abstained" if s.level is None else str(s.level)
                quotes = "".join(f'<div class="iv-quote">“{_e(x)}”</div>' for x in s.evidence)
                missing = f"<div class='iv-muted'>To raise it: {_e(s.missing)}</div>" if s.missing else ""
                body.append(
                    f"<p><b>{_e(s.name)}: <span class='iv-level'>{_e(level)}</span></b>"
                    f" <span class='iv-muted'>({_e(s.engine)})</span> {_e(s.rationale)}</p>{quotes}{missing}"
                )
            if q.missed:
                by = q.key_points_engine
                note = f" <span class='iv-muted'>(matched by {_e(by)})</span>" if by else ""
                items = "".join(f"<li>{_e(m)}</li>" for m in q.missed)
                body.append(f"<p><b>Left out:</b>{note}</p><ul>{items}</ul>")
            if q.contradicted:
                wrong = "".join(f"<li>you said “{_e(c.said)}”, but: {_e(c.key_point)}</li>" for c in q.contradicted)
                body.append(f"<p><b>Stated backwards:</b></p><ul>{wrong}</ul>")
            if q.hints:
                body.append("<p><b>Hints asked:</b> " + " · ".join(_e(h) for h in q.hints) + "</p>")
            if q.outline:
                body.append(
                    "<p><b>A stronger answer would cover:</b></p><ol>"
                    + "".join(f"<li>{_e(o)}</li>" for o in q.outline)
                    + "</ol>"
                )
            out.append(
                f"<details{' open' if n == 1 else ''}><summary><b>Q{n}.</b> {_e(q.text)} "
                f"<span class='iv-muted'>· average {avg} · scored by {_e(q.engine)}{state}</span></summary>"
                + "".join(body)
                + "</details>"
            )
    return "\n".join(out) or "<p class='iv-muted'>No question was asked.</p>"


def chart(report: Report):  # type: ignore[no-untyped-def]
    """Levels per dimension across the questions, all rounds together."""
    dims: dict[str, list[int | None]] = {}
    labels: list[str] = []
    n = 0
    for r in report.rounds:
        for q in r.questions:
            n += 1
            labels.append(f"Q{n}")
            for s in q.scores:
                dims.setdefault(s.name, [None] * (n - 1)).append(s.level)
            for levels in dims.values():
                levels.extend([None] * (n - len(levels)))
    return levels_by_dimension(dims, labels)


def export(report: Report, fmt: str) -> Path:
    """Write the report for download (``md`` or ``html``) and return its path."""
    from interviewer.report import render

    EXPORT_DIR.mkdir(parents=True, exist_ok=True)
    path = EXPORT_DIR / f"interview-{report.session_id}.{fmt}"
    path.write_text(render(report, fmt), encoding="utf-8")
    return path
