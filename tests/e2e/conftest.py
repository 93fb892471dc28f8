"""The real app in a subprocess (``interviewer app``) and Debian's Chromium driven by Playwright.

The app gets its own data dir holding a copy of the session's question index (so it is ready
in seconds), the browser a fresh profile. Screenshots land in ``artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("INTERVIEWER_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
#: Generous: the first start pays for imports on a loaded CI machine; a healthy start takes ~5 s.
START_TIMEOUT_S = 120


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class App:
    def __init__(self, url: str, data_dir: Path, log: Path) -> None:
        self.url = url
        self.data_dir = data_dir
        self.log = log


@pytest.fixture(scope="session")
def app_server(shared_index, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:  # type: ignore[no-untyped-def]
    """``interviewer app`` on a free port of 127.0.0.1, with a private data dir."""
    data = tmp_path_factory.mktemp("app") / "data"
    shutil.copytree(shared_index.settings.data_dir, data)
    port = free_port()
    log = data.parent / "app.log"
    env = {
        **os.environ,
        "INTERVIEWER_DATA_DIR": str(data),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "INTERVIEWER_LOG": "INFO",
    }
    env.pop("OPENAI_API_KEY", None)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "interviewer.cli", "app", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"the app did not start:\n{log.read_text(errors='replace')[-3000:]}") from None
            time.sleep(0.3)
    yield App(url, data, log)
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run scripts/install-system-deps.sh test (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 1000},
            accept_downloads=True,
        )
        context.set_default_timeout(60_000)
        yield context
        context.close()


@pytest.fixture
def page(browser_context, app_server: App, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """A fresh tab on the app, loaded; a screenshot of how it ended is kept either way."""
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(app_server.url, wait_until="load")
    page.wait_for_selector("#app-header")
    page.js_errors = errors
    yield page
    shot(page, f"{request.node.name}-end")
    page.close()


def shot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (re.sub(r"[^A-Za-z0-9_.-]+", "_", name) + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path
