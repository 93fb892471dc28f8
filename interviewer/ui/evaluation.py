"""Evaluation runs: score a labelled dataset (the ``eval`` JSONL format) and compare with its labels.

Runs go through :func:`interviewer.evaluation.run_eval` like ``interviewer eval`` (same cache,
same metrics, same HTML report), in their own queue group of one: a long run waits for another
run, never holds up an interview.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import gradio as gr

from interviewer.config import PROJECT_ROOT
from interviewer.errors import DataError, InputError

from .charts import confusion_matrices
from .context import AppContext
from .notify import guarded, warn
from .state import Preferences

METRIC_COLUMNS = ["dimension", "n", "QWK", "Spearman", "exact", "adjacent", "offset", "abstained"]
DATASETS_DIR = PROJECT_ROOT / "evals" / "data"
REPORTS_DIR = Path(tempfile.gettempdir()) / "interviewer-eval-reports"
#: Uploads larger than this are refused before reading (the eval format is a few KB per item).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOADED = "(uploaded file)"


def datasets(root: Path = DATASETS_DIR) -> list[tuple[str, str]]:
    """The labelled datasets shipped with the project, as (label, path)."""
    if not root.is_dir():
        return []
    out = []
    for path in sorted(root.rglob("*.jsonl")):
        lines = sum(1 for line in path.open("rb") if line.strip())
        out.append((f"{path.relative_to(root)} ({lines} items)", str(path)))
    return out


def metric_rows(run: Any) -> list[list[Any]]:
    rows = []
    for dim, a in run.dimensions().items():
        rows.append([dim, a.n, a.qwk, a.spearman, a.exact, a.adjacent, a.offset, a.abstained])
    return rows


class EvaluationView:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def _source(self, choice: str | None, upload: str | None) -> tuple[Path, str]:
        if upload:
            path = Path(upload)
            if path.stat().st_size > MAX_UPLOAD_BYTES:
                raise InputError(f"the uploaded file is {path.stat().st_size / 1e6:.1f} MB; the limit is 20 MB")
            return path, path.name
        if not choice:
            raise InputError("pick a dataset or upload one (JSONL, one labelled answer per line)")
        path = Path(choice)
        return path, path.name

    @guarded
    def run(
        self,
        choice: str | None,
        upload: str | None,
        limit: float | None,
        prefs: Any,
        key: str | None,
        progress: gr.Progress = gr.Progress(),
    ) -> tuple[Any, ...]:
        from interviewer.evalreport import write_report
        from interviewer.evaluation import ResultCache, load_dataset, run_eval
        from interviewer.scoring.factory import get_scorer, rubric_version

        path, name = self._source(choice, upload)
        dataset = load_dataset(path)
        if not dataset.items:
            raise DataError(f"{name} holds no usable labelled item", [_short(p, path) for p in dataset.problems])
        if dataset.problems:
            warn(
                f"{len(dataset.problems)} line(s) of {name} skipped, e.g. {_short(dataset.problems[0], path)}; "
                "the rest is scored"
            )
        items = dataset.items[: int(limit)] if limit and limit > 0 else dataset.items
        p = Preferences.load(prefs)
        settings = p.settings(self.ctx.settings, key)
        scorer = get_scorer(p.engine, settings=settings)
        total = len(items)
        done = 0
        progress((0, total), desc=f"Scoring {total} item(s) with {scorer.name}")

        def tick(_: Any) -> None:
            nonlocal done
            done += 1
            progress((done, total), desc=f"Scoring with {scorer.name}", unit="items")

        started = time.perf_counter()
        cache = ResultCache.for_settings(settings)
        try:
            result = run_eval(
                items,
                scorer,
                cache=cache,
                rubric_version=rubric_version(settings),
                concurrency=settings.llm.concurrency if p.engine == "llm" else 1,
                progress=False,
                on_result=tick,
            )
        finally:
            cache.close()
        result.problems = [_short(x, path) for x in dataset.problems]
        seconds = time.perf_counter() - started
        out = Path(tempfile.mkdtemp(prefix="run-", dir=_reports_dir()))
        write_report(result, out / "report", dataset=name)
        archive = shutil.make_archive(str(out / f"eval-{_slug(name)}"), "zip", out / "report")
        dims = result.dimensions()
        summary = (
            f"**{len(result.results)} item(s)** of `{name}` scored by **{result.engine_label}** in {seconds:.1f} s "
            f"({result.scored} scored now, {len(result.results) - result.scored} from the cache)"
            + (f"; {len(dataset.problems)} line(s) skipped." if dataset.problems else ".")
        )
        return (
            summary,
            metric_rows(result),
            confusion_matrices({d: a.confusion for d, a in dims.items()}),
            gr.DownloadButton(value=archive, visible=True),
            "\n".join(f"- `{x}`" for x in result.problems[:50]),
        )


def _reports_dir() -> Path:
    REPORTS_DIR.mkdir(parents=True, exist_ok=True)
    return REPORTS_DIR


def _short(problem: str, path: Path) -> str:
    """Problems name the file; an upload's temporary path means nothing to the user."""
    return problem.replace(str(path), path.name)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(name).stem)[:60] or "dataset"


def build(ctx: AppContext, prefs: gr.BrowserState, key: gr.State) -> EvaluationView:
    view = EvaluationView(ctx)
    shipped = datasets()
    gr.Markdown(
        "Score a labelled dataset with the active engine and see how far its levels agree with the labels. "
        "Format: one JSON object per line, "
        '`{"id", "round", "question", "answer", "reference"?, "scores": {dimension: 1-4}}`.'
    )
    with gr.Row(equal_height=False):
        with gr.Column():
            choice = gr.Dropdown(
                shipped, value=shipped[0][1] if shipped else None, label="Dataset shipped with the project"
            )
            upload = gr.File(
                label="Or upload a dataset (.jsonl); it takes precedence",
                file_types=[".jsonl", ".json", ".txt"],
                type="filepath",
                elem_id="eval-upload",
            )
            limit = gr.Number(0, label="Score only the first N items (0 = all)", minimum=0, precision=0)
            with gr.Row():
                start = gr.Button("Run evaluation", variant="primary")
                stop = gr.Button("Stop", variant="stop")
        with gr.Column():
            summary = gr.Markdown(elem_id="eval-summary")
            download = gr.DownloadButton("Download report (HTML + plots, zip)", visible=False)
            problems = gr.Markdown()
    table = gr.Dataframe(headers=METRIC_COLUMNS, label="Agreement with the labels, per dimension", interactive=False)
    gr.HTML("<h4>Confusion matrices</h4><p class='iv-muted'>Gold level in rows, predicted level in columns.</p>")
    plot = gr.Plot(show_label=False)
    run = start.click(
        view.run,
        [choice, upload, limit, prefs, key],
        [summary, table, plot, download, problems],
        api_name="eval_run",
        concurrency_id="eval",
        concurrency_limit=1,
    )
    stop.click(None, cancels=[run])
    return view
