"""Evaluation runs from the app: a real run of the offline scorer on labelled items, and bad files."""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from pathlib import Path

import gradio as gr
import pytest

from interviewer.config import PROJECT_ROOT, Settings
from interviewer.ui.app import create_app
from interviewer.ui.context import AppContext
from interviewer.ui.evaluation import datasets
from interviewer.ui.testing import handler, is_skip

TRAIN = PROJECT_ROOT / "evals" / "data" / "train.jsonl"


@pytest.fixture
def demo(tmp_path: Path, shared_index, monkeypatch: pytest.MonkeyPatch) -> gr.Blocks:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    return create_app(context=AppContext(Settings(data_dir=tmp_path / "data"), preloaded_index=shared_index))


def small_dataset(path: Path, n: int = 6, broken: bool = False) -> Path:
    lines = TRAIN.read_text().splitlines()[:n]
    if broken:
        lines.insert(2, '{"id": "bad", "round": "behavioral"')  # malformed JSON
        bad_round = {"id": "x", "round": "nope", "question": "q", "answer": "a", "scores": {"impact": 9}}
        lines.insert(4, json.dumps(bad_round))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_shipped_datasets_are_offered() -> None:
    shipped = dict((Path(p).name, label) for label, p in datasets())
    assert "train.jsonl" in shipped and "items)" in shipped["train.jsonl"]


def test_a_run_gives_metrics_matrices_and_a_report(demo: gr.Blocks, tmp_path: Path) -> None:
    data = small_dataset(tmp_path / "small.jsonl")
    summary, rows, figure, download, problems = handler(demo, "eval_run")(None, str(data), 0, None, None)
    assert "**6 item(s)**" in summary and "offline" in summary and "6 scored now" in summary
    labelled = Counter(d for line in data.read_text().splitlines() for d in json.loads(line)["scores"])
    assert {r[0]: r[1] for r in rows} == dict(labelled)  # n per dimension = items labelled on it
    assert len(figure.axes) >= len(labelled)
    assert download.visible is True
    with zipfile.ZipFile(download.value["path"]) as z:
        names = z.namelist()
    assert "index.html" in names and any(n.startswith("confusion_") for n in names)
    assert problems == ""
    again = handler(demo, "eval_run")(None, str(data), 3, None, None)[0]
    assert "**3 item(s)**" in again and "3 from the cache" in again  # an unchanged re-run scores nothing


def test_broken_lines_are_reported_and_skipped(demo: gr.Blocks, tmp_path: Path) -> None:
    data = small_dataset(tmp_path / "broken.jsonl", broken=True)
    with pytest.warns(UserWarning, match="2 line"):
        summary, _rows, *_rest, problems = handler(demo, "eval_run")(None, str(data), 0, None, None)
    assert "**6 item(s)**" in summary and "2 line(s) skipped" in summary
    assert "broken.jsonl:3" in problems and "broken.jsonl:5" in problems
    assert str(tmp_path) not in problems  # the temporary path of an upload means nothing to the user


def test_unusable_files_are_a_message(demo: gr.Blocks, tmp_path: Path) -> None:
    run = handler(demo, "eval_run")
    png = tmp_path / "picture.jsonl"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    with pytest.warns(UserWarning, match="picture.jsonl holds no usable labelled item"):
        assert is_skip(run(None, str(png), 0, None, None))
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.warns(UserWarning, match="no usable labelled item"):
        assert is_skip(run(None, str(empty), 0, None, None))
    with pytest.warns(UserWarning, match="pick a dataset or upload one"):
        assert is_skip(run(None, None, 0, None, None))
