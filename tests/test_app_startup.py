"""What keeps the app's start short: Gradio imported without its per-import chores, the bank never
waiting behind the index, and the background warm-up (its speed is measured in bench/bench_app.py)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from interviewer import service
from interviewer.config import PROJECT_ROOT, Settings
from interviewer.ui import gradio_import
from interviewer.ui.context import AppContext

# A module defining a Gradio component: Gradio itself writes ``box.pyi`` beside it on import.
BOX = """
import gradio as gr


class Box(gr.Textbox):
    pass
"""


# Run in a fresh process: imports the component module, builds an app with it, and prints
# (stub writer replaced?, patcher still installed?), the app's block count, and a digest of
# every component event's docstring.
PROBE = """
import hashlib
import sys

sys.path.insert(0, sys.argv[1])
import box
import gradio as gr
import gradio.component_meta as meta
from interviewer.ui import gradio_import

print(meta.create_or_modify_pyi is gradio_import._no_stub, gradio_import._finder in sys.meta_path)
with gr.Blocks() as demo:
    box.Box("still a working component")
print(len(demo.blocks))


def every(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from every(sub)


docs = sorted(
    f"{c.__module__}.{c.__qualname__}.{e.event_name}: {getattr(c, e.event_name).__doc__}"
    for c in every(gr.components.Component)
    for e in c.EVENTS
)
print(len(docs), sum("{{" in d for d in docs), hashlib.sha256("\\n".join(docs).encode()).hexdigest())
"""


def _import_box(folder: Path, *, through_app: bool) -> subprocess.Popen[str]:
    code = ("import interviewer.ui\n" if through_app else "") + PROBE
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    cmd = [sys.executable, "-c", code, str(folder)]
    return subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow  # two fresh processes import Gradio
def test_gradio_loads_through_the_app_without_writing_stubs(tmp_path: Path) -> None:
    plain, app = tmp_path / "plain", tmp_path / "app"
    for folder in (plain, app):
        folder.mkdir()
        (folder / "box.py").write_text(BOX)
    procs = {"plain": _import_box(plain, through_app=False), "app": _import_box(app, through_app=True)}
    out = {}
    for name, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=180)
        assert proc.returncode == 0, stderr
        out[name] = stdout.split()
    # Plain Gradio rewrites a stub for every component class it meets: the cost skipped here.
    assert (plain / "box.pyi").exists()
    assert out["plain"][:2] == ["False", "False"]
    assert not (app / "box.pyi").exists()
    assert out["app"][:3] == ["True", "False", out["plain"][2]]  # hook gone after use; same app built
    # Every event listener's docstring names its component exactly as Gradio's Jinja made it.
    assert int(out["plain"][3]) > 100 and out["plain"][4] == "0"
    assert out["app"][3:] == out["plain"][3:]


def test_gradio_is_left_alone_once_loaded() -> None:
    import gradio  # noqa: F401

    assert gradio_import.speed_up_gradio_import() is False
    assert gradio_import._finder not in sys.meta_path


def test_the_bank_is_served_while_the_index_loads(settings: Settings) -> None:
    got = []
    with service._index_lock:  # as while the warm-up opens Chroma and loads the model
        reader = threading.Thread(target=lambda: got.append(service.get_bank(settings)))
        reader.start()
        reader.join(60)
    assert got and len(got[0]) > 400


def test_warm_up_readies_the_engine_and_saves_nothing(tmp_path: Path, shared_index) -> None:  # type: ignore[no-untyped-def]
    ctx = AppContext(Settings(data_dir=tmp_path / "data"), preloaded_index=shared_index)
    ctx.warm_up().join(180)
    assert ctx.warm.is_set() and not ctx.warming
    assert ctx.store.sessions() == []


def test_a_failed_warm_up_is_logged_and_releases_waiters(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = tmp_path / "not-a-folder"
    data.write_text("a file where the data folder should be")
    ctx = AppContext(Settings(data_dir=data))
    with caplog.at_level(logging.ERROR, logger="interviewer.ui.context"):
        ctx.warm_up().join(60)
    assert ctx.warm.is_set()
    assert any("warm-up failed" in r.getMessage() for r in caplog.records)
