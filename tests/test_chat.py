"""``interviewer chat`` and ``interviewer sessions``, through the real command line.

In-process runs go through ``interviewer.cli.main``; the kill test runs the command in a real
subprocess, kills it with SIGKILL while it is scoring an answer, and resumes the session.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from engine_support import real_bank

from interviewer import service
from interviewer.bank import Bank
from interviewer.cli import main
from interviewer.config import Settings
from interviewer.index import QuestionIndex
from interviewer.store import Store
from interviewer.testing import ScriptedScorer, assessment

STORY = "I owned the retraining pipeline and shipped it. We launched it to every user in the feed."
RESULT = "Watch time rose from 52 to 53 minutes a day in a two-week A/B test against control."
TURN_KEYS = {"role", "kind", "text", "question_id", "targets", "scores"}

# The real command with the real scorer, slowed down on an answer containing SLOW so the test
# can kill the process while it scores that answer.
DRIVER = """
import sys, time
from interviewer import session

real = session.default_scorer


class SlowOnRequest:
    name = "offline"

    def __init__(self, inner):
        self.inner = inner

    def assess(self, item):
        if "SLOW" in item.answer.split("\\n\\n")[-1]:
            time.sleep(120)
        return self.inner.assess(item)


session.default_scorer = lambda settings=None: SlowOnRequest(real(settings))
from interviewer.cli import main
sys.exit(main(sys.argv[1:]))
"""


def fake_scores(item: Any) -> Any:
    impact = 3 if any(c.isdigit() for c in item.answer) else 1
    levels = {"ownership": 3, "impact": impact, "tradeoffs": 3, "star": 2}
    return assessment({d: levels.get(d, 2) for d in item.dimensions}, key_points=item.reference, covered=[1])


@pytest.fixture(scope="module")
def bank() -> Bank:
    return real_bank()


@pytest.fixture
def cli(
    settings: Settings, shared_index: QuestionIndex, bank: Bank, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> Callable[..., tuple[int, str, str]]:
    """Run ``interviewer ARGS`` in-process on the shared index and a scripted scorer."""
    from interviewer import session

    monkeypatch.setattr(service, "ensure_index", lambda settings=None: shared_index)
    monkeypatch.setattr(service, "get_bank", lambda settings=None: bank)
    monkeypatch.setattr(session, "default_scorer", lambda settings=None: ScriptedScorer([fake_scores] * 100))

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def answers_file(tmp_path: Path, *blocks: str) -> str:
    path = tmp_path / "answers.txt"
    path.write_text("\n---\n".join(blocks) + "\n", encoding="utf-8")
    return str(path)


def test_chat_from_an_answers_file_prints_the_transcript_contract(cli: Any, tmp_path: Path) -> None:
    code, out, _ = cli(
        "chat", "--round", "behavioral", "--level", "MLE2", "--answers", answers_file(tmp_path, STORY, RESULT), "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"session_id", "turns", "report"}
    turns = data["turns"]
    assert all(set(t) == TURN_KEYS for t in turns)
    assert [(t["role"], t["kind"]) for t in turns[:4]] == [
        ("interviewer", "question"),
        ("candidate", "answer"),
        ("interviewer", "followup"),
        ("candidate", "answer"),
    ]
    assert turns[2]["targets"] == "impact" and turns[0]["targets"] is None
    assert turns[1]["scores"]["impact"]["level"] == 1 and turns[3]["scores"]["impact"]["level"] == 3
    assert set(turns[1]["scores"]["impact"]) == {"level", "evidence", "rationale", "missing", "engine"}
    assert turns[-1]["kind"] == "closing"  # answers ran out: the interview was ended and closed
    assert all(isinstance(t["question_id"], str) and t["text"] for t in turns if t["role"] == "interviewer")
    report = data["report"]
    assert report["session_id"] == data["session_id"] and report["status"] == "finished"
    assert report["rounds"][0]["hire_signal"] in ("Strong No Hire", "No Hire", "Hire", "Strong Hire")


def test_commands_in_an_answers_file(cli: Any, tmp_path: Path) -> None:
    code, out, _ = cli(
        "chat", "--round", "ml_design", "--answers", answers_file(tmp_path, "/hint", STORY, "/skip"), "--json"
    )
    assert code == 0
    turns = json.loads(out)["turns"]
    assert [t["kind"] for t in turns][:5] == ["question", "hint", "answer", "followup", "skip"]
    assert turns[1]["targets"]  # the hint records what it points at
    assert json.loads(out)["report"]["hints"] == 1


def test_sessions_list_show_export_delete(cli: Any, tmp_path: Path) -> None:
    code, out, _ = cli("chat", "--round", "coding", "--answers", answers_file(tmp_path, STORY), "--json")
    sid = json.loads(out)["session_id"]
    code, out, _ = cli("sessions", "list", "--json")
    assert code == 0 and [s["id"] for s in json.loads(out)] == [sid]
    code, out, _ = cli("sessions", "show", sid[:5], "--json")
    assert code == 0 and json.loads(out)["session_id"] == sid
    code, out, _ = cli("sessions", "show", sid)
    assert code == 0 and "Most useful improvements" in out
    for fmt, marker in (("md", "# Interview report"), ("html", "<!doctype html>"), ("json", '"turns"')):
        target = tmp_path / f"report.{fmt}"
        code, _, _ = cli("sessions", "export", sid, "--format", fmt, "--output", str(target))
        assert code == 0 and marker in target.read_text(encoding="utf-8")
    code, _, err = cli("sessions", "export", sid, "--format", "pdf")
    assert code == 2 and "unknown format 'pdf'" in err
    code, out, _ = cli("sessions", "delete", sid, "--yes")
    assert code == 0 and sid in out
    code, _, err = cli("sessions", "show", sid)
    assert code == 2 and f"no session {sid!r}" in err


def test_bad_input_is_a_clear_error_and_creates_nothing(cli: Any, tmp_path: Path, settings: Settings) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe not utf-8")
    code, _, err = cli("chat", "--round", "behavioral", "--answers", str(bad), "--json")
    assert code == 2 and "not UTF-8" in err
    code, _, err = cli("chat", "--round", "behavioral", "--json")
    assert code == 2 and "--json needs --answers" in err
    good = answers_file(tmp_path, STORY)
    code, _, err = cli("chat", "--round", "behavioral", "--level", "MLE9", "--answers", good)
    assert code == 2 and "bad option: level" in err
    code, _, err = cli("chat", "--persona", "behavioral_hiring_manager", "--round", "coding", "--answers", good)
    assert code == 2 and "does not run coding rounds" in err
    assert Store(settings.db_url).sessions() == []


@pytest.mark.slow
def test_killed_with_sigkill_while_scoring_then_resumed(
    settings: Settings, shared_index: QuestionIndex, tmp_path: Path
) -> None:
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    env = {
        **os.environ,
        "INTERVIEWER_DATA_DIR": str(settings.data_dir),
        "INTERVIEWER_CHROMA__PATH": str(shared_index.settings.chroma_path),
    }
    store = Store(settings.db_url)

    def wait_for(check: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + 180
        while not check():
            assert proc.poll() is None, f"the chat process exited early ({proc.returncode}) waiting for {what}"
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.1)

    def turns() -> list[Any]:
        sessions = store.sessions()
        return store.turns(sessions[0].id) if sessions else []

    proc = subprocess.Popen(
        [sys.executable, str(driver), "chat", "--round", "behavioral", "--answers", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert proc.stdin is not None
        wait_for(lambda: len(turns()) >= 1, "the first question")
        proc.stdin.write(f"{STORY}\n---\n")
        proc.stdin.flush()
        wait_for(lambda: len(turns()) >= 3, "the follow-up")
        proc.stdin.write(f"SLOW {RESULT}\n---\n")
        proc.stdin.flush()
        wait_for(lambda: len(turns()) >= 4, "the second answer to be saved")
        before = turns()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert [t.kind for t in before] == ["question", "answer", "followup", "answer"]
    assert before[-1].scores is None  # killed while scoring: the answer was saved before it
    sid = store.sessions()[0].id
    after_kill = store.turns(sid)
    assert [(t.seq, t.text) for t in after_kill] == [(t.seq, t.text) for t in before]  # nothing lost

    resumed = subprocess.run(  # the plain command this time
        [sys.executable, "-m", "interviewer.cli", "chat", "--resume", sid, "--answers", "-", "--json"],
        input=f"{STORY}\n---\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    data = json.loads(resumed.stdout)
    final = store.turns(sid)
    assert data["session_id"] == sid and len(data["turns"]) == len(final)
    assert [(t.seq, t.text) for t in final[:4]] == [(t.seq, t.text) for t in before]
    assert final[3].scores is not None  # the killed answer was scored on resume, once
    assert [t.seq for t in final] == list(range(1, len(final) + 1))
    # the right next turn: the interviewer's reply to the answer it was scoring, then the new answer
    assert final[4].role == "interviewer" and final[4].kind in ("followup", "question")
    assert final[5].role == "candidate" and final[5].text == STORY
    roles = [t.role for t in final if t.kind != "hint"]
    assert ("candidate", "candidate") not in set(itertools.pairwise(roles))  # no answer doubled
    assert sum(1 for t in final if t.kind == "answer") == 3
    assert final[3].engine == "offline" and final[-1].kind == "closing"


def test_interactive_chat_reads_multiline_answers_and_commands(
    cli: Any, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    import io

    typed = f"{STORY}\nand one more line of it\n\n/hint\n/state\n/repeat\n/end\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(typed))
    code, out, _ = cli("chat", "--round", "behavioral")
    assert code == 0
    assert "you>" in out and "hint>" in out and "Most useful improvements" in out
    sid = Store(settings.db_url).sessions()[0].id
    turns = Store(settings.db_url).turns(sid)
    assert turns[1].text == f"{STORY}\nand one more line of it"  # one answer, two lines
    assert [t.kind for t in turns][-2:] == ["hint", "closing"]


def test_llm_followups_from_the_command_line(cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from interviewer.config import get_settings
    from interviewer.testing_openai import OpenAIStubServer, Reply

    code, _, err = cli(
        "chat", "--round", "behavioral", "--followups", "llm", "--answers", answers_file(tmp_path, STORY)
    )
    assert code == 2 and "unavailable: no API key" in err  # no endpoint configured: say so, start nothing
    assert Store(get_settings().db_url).sessions() == []
    with OpenAIStubServer([Reply("What changed for users, in numbers?")]) as srv:
        monkeypatch.setenv("INTERVIEWER_LLM__BASE_URL", srv.base_url)
        monkeypatch.setenv("INTERVIEWER_LLM__MODEL", "stub-model")
        get_settings.cache_clear()
        code, out, err = cli(
            "chat", "--round", "behavioral", "--followups", "llm", "--answers", answers_file(tmp_path, STORY), "--json"
        )
    assert code == 0, err
    followup = json.loads(out)["turns"][2]
    assert followup["kind"] == "followup" and followup["text"] == "What changed for users, in numbers?"
    assert json.loads(out)["report"]["engines"]["followups"] == ["llm:stub-model"]
