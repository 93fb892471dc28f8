"""One way to show an assessment, wherever it appears (live feedback, drill, story review).

Each dimension: its rubric name, the level (or "abstained"), the rationale, the candidate's own
words quoted as evidence, and what would raise it. The engine is named, a fallback is shown in
its own colour. Everything that came from the candidate or a model is escaped.
"""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from interviewer.scoring.types import Assessment


@cache
def dimension_names(rubrics_dir: Path) -> dict[str, str]:
    from interviewer.errors import DataError
    from interviewer.rubrics import load_rubric

    try:
        return {d.id: d.name for d in load_rubric(rubrics_dir).dimensions.values()}
    except DataError:  # names are cosmetic: a broken rubric folder must not hide the scores
        return {}


def assessment_html(
    a: Assessment, title: str, names: dict[str, str] | None = None, *, max_quotes: int = 3, missed: bool = False
) -> str:
    names = names or {}
    e = html.escape
    parts = [f"<h4>{e(title)} <span class='iv-muted'>(scored by {e(a.engine)})</span></h4>"]
    if a.fallback_reason:
        parts.append(f"<p class='iv-fallback'>fallback: {e(a.fallback_reason)}</p>")
    if a.flags:
        parts.append(f"<p class='iv-muted'>flags: {e(', '.join(a.flags))}</p>")
    for dim, s in a.scores.items():
        level = "abstained" if s.level is None else str(s.level)
        quotes = "".join(f"<div class='iv-quote'>“{e(q)}”</div>" for q in s.evidence[:max_quotes])
        raise_it = f"<div class='iv-muted'>To raise it: {e(s.missing)}</div>" if s.missing else ""
        parts.append(
            f"<div class='iv-dim'><p><b>{e(names.get(dim, dim))}: <span class='iv-level'>{level}</span></b> "
            f"<span class='iv-muted'>{e(s.rationale)}</span></p>{quotes}{raise_it}</div>"
        )
    if missed and a.missed:
        items = "".join(f"<li>{e(k.key_point)}</li>" for k in a.missed)
        parts.append(f"<p><b>Not covered yet:</b></p><ul>{items}</ul>")
    return f"<div class='iv-card'>{''.join(parts)}</div>"
