"""The HTML report of an evaluation run: agreement per dimension, confusion matrices as pictures,
and the items where the scorer and the labels disagree most, with the scorer's evidence.

The worst disagreements come first because they are what a person reads to decide whether the
scorer or the label is wrong; the evidence shown is exactly what the scorer quoted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from interviewer.agreement import ABSTAIN_AS, LEVELS, Agreement
from interviewer.evaluation import EvalRun, ItemResult

WORST = 25


@dataclass(frozen=True)
class DimRow:
    dim: str
    gold: int
    predicted: int | None
    evidence: list[str]
    rationale: str
    engine: str

    @property
    def gap(self) -> int:
        return abs((ABSTAIN_AS if self.predicted is None else self.predicted) - self.gold)


@dataclass(frozen=True)
class Disagreement:
    result: ItemResult
    dims: list[DimRow]

    @property
    def gap(self) -> int:
        """The largest |predicted - gold| over the item's dimensions (abstention as level 1)."""
        return max((row.gap for row in self.dims), default=0)


def worst_disagreements(run: EvalRun, k: int = WORST) -> list[Disagreement]:
    out: list[Disagreement] = []
    for r in run.results:
        rows = []
        for dim, gold in r.item.scores.items():
            s = r.assessment.scores.get(dim)
            rows.append(DimRow(dim, gold, s.level if s else None, s.evidence if s else [], s.rationale if s else "",
                               s.engine if s else r.assessment.engine))
        if any(row.gap for row in rows):
            out.append(Disagreement(r, rows))
    out.sort(key=lambda d: (-d.gap, -sum(row.gap for row in d.dims), d.result.item.id))
    return out[:k]


def confusion_plot(dim: str, a: Agreement, path: Path) -> Path:
    """A 4x4 gold-by-predicted heat map with counts; uses the Agg canvas, never a display."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3.6, 3.2), dpi=110)
    ax = fig.add_subplot()
    ax.imshow(a.confusion, cmap="Blues", vmin=0)
    top = max((max(row) for row in a.confusion), default=0)
    for i, row in enumerate(a.confusion):
        for j, count in enumerate(row):
            ax.text(j, i, str(count), ha="center", va="center", color="white" if count > top / 2 else "black")
    ax.set_xticks(range(4), [str(x) for x in LEVELS])
    ax.set_yticks(range(4), [str(x) for x in LEVELS])
    ax.set_xlabel("predicted (abstain = 1)")
    ax.set_ylabel("gold")
    qwk = "n/a" if a.qwk is None else f"{a.qwk:.2f}"
    ax.set_title(f"{dim}: n={a.n}, QWK {qwk}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, format="png")
    return path


def write_report(run: EvalRun, out_dir: Path | str, *, dataset: str = "") -> Path:
    """``out_dir/index.html`` with the plots beside it as PNG files; returns the HTML path."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    dims = run.dimensions()
    plots = {d: confusion_plot(d, a, out / f"confusion_{d}.png").name for d, a in dims.items()}
    env = Environment(loader=PackageLoader("interviewer", "templates"), autoescape=select_autoescape(["html", "j2"]))
    html = env.get_template("eval_report.html.j2").render(
        run=run,
        dataset=dataset,
        dims=dims,
        plots=plots,
        worst=worst_disagreements(run),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    path = out / "index.html"
    path.write_text(html, encoding="utf-8")
    return path
