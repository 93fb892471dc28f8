"""``interviewer score``: the exact JSON contract, both engines, visible fallback, bad input."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from interviewer.testing_openai import JSONReply, OpenAIStubServer, Status

ANSWER = (
    "Our fraud model's precision dropped after a holiday. I dug into the alerts myself and found a feature "
    "computed from a stale lookup table. I decided to rebuild the table daily instead of retraining, because "
    "retraining would not fix stale inputs. Precision recovered from 0.71 to 0.88 versus the week before."
)
REQUEST = {"round": "behavioral", "question": "Tell me about a time you debugged a production model.",
           "answer": ANSWER}
DIMS = {"ownership", "impact", "tradeoffs", "star"}


def run(args: list[str], stdin: bytes, tmp: Path, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "interviewer.cli", *args], input=stdin, capture_output=True,
                          timeout=300, env={**os.environ, "INTERVIEWER_DATA_DIR": str(tmp), **env})


def check_contract(out: dict[str, object], answer: str) -> None:
    assert set(out) == {"engine", "scores"} and isinstance(out["engine"], str)
    scores = out["scores"]
    assert isinstance(scores, dict) and set(scores) == DIMS
    for s in scores.values():
        assert set(s) == {"level", "evidence", "rationale", "missing"}
        assert s["level"] is None or s["level"] in (1, 2, 3, 4)
        assert isinstance(s["rationale"], str) and isinstance(s["missing"], str)
        assert all(isinstance(q, str) and q in answer for q in s["evidence"])  # verbatim


@pytest.mark.slow
def test_offline_contract(tmp_path: Path) -> None:
    res = run(["score", "--json"], json.dumps(REQUEST).encode(), tmp_path)
    assert res.returncode == 0, res.stderr.decode()
    out = json.loads(res.stdout)
    check_contract(out, ANSWER)
    assert out["engine"] == "offline"


@pytest.mark.slow
def test_llm_contract_and_visible_fallback(tmp_path: Path) -> None:
    good = "I decided to rebuild the table daily instead of retraining"
    replies = [JSONReply({"evidence": [good, "not in the answer"], "rationale": "r", "missing": "m", "level": 4})]
    replies += [JSONReply({"evidence": [good], "rationale": "r", "missing": "m", "level": 3})] * 3
    with OpenAIStubServer([*replies, Status(500), Status(500)]) as srv:
        env = {"INTERVIEWER_LLM__BASE_URL": srv.base_url, "INTERVIEWER_LLM__MODEL": "stub-model",
               "INTERVIEWER_LLM__MAX_RETRIES": "1"}
        ok = run(["score", "--engine", "llm", "--json"], json.dumps(REQUEST).encode(), tmp_path, **env)
        down = run(["score", "--engine", "llm", "--json"], json.dumps(REQUEST).encode(), tmp_path, **env)
    assert ok.returncode == 0, ok.stderr.decode()
    out = json.loads(ok.stdout)
    check_contract(out, ANSWER)
    assert out["engine"] == "llm:stub-model"
    lowered = "r (lowered from 4: 1 quote(s) not found in the answer were dropped)"
    assert out["scores"]["ownership"] == {"level": 3, "evidence": [good], "missing": "m", "rationale": lowered}
    assert down.returncode == 0, down.stderr.decode()
    fallback = json.loads(down.stdout)
    check_contract(fallback, ANSWER)
    assert fallback["engine"] == "offline (fallback from llm:stub-model)"
    assert b"warning" in down.stderr and b"HTTP 500" in down.stderr


def call(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], stdin: bytes, *args: str
) -> tuple[int, str, str]:
    from interviewer import cli

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    rc = cli.main(["score", "--json", *args])
    out = capsys.readouterr()
    return rc, out.out, out.err


BAD = {
    "empty stdin": (b"", "no input on stdin"),
    "malformed JSON": (b'{"round": "behavioral", "answer": ', "malformed JSON"),
    "not an object": (b'["behavioral", "q", "a"]', "expected a JSON object"),
    "missing answer": (json.dumps({"round": "behavioral", "question": "q"}).encode(), "'answer' is missing"),
    "answer not text": (json.dumps({**REQUEST, "answer": 42}).encode(), "must be a string"),
    "empty answer": (json.dumps({**REQUEST, "answer": "  "}).encode(), "answer is empty"),
    "100 KB answer": (json.dumps({**REQUEST, "answer": "word " * 20_000}).encode(), "limit is 20,000"),
    "binary answer": (json.dumps({**REQUEST, "answer": "\x00\x01\x02\x03\x04 PNG"}).encode(), "binary"),
    "non-UTF-8 bytes": (b'{"round": "behavioral", "question": "q", "answer": "caf\xe9 ol\xe9"}', "not UTF-8"),
    "lone surrogate": (b'{"round": "behavioral", "question": "q", "answer": "bad \\ud800 text"}', "invalid Unicode"),
    "unknown round": (json.dumps({**REQUEST, "round": "sales"}).encode(), "'round' is invalid"),
    "bad reference": (json.dumps({**REQUEST, "reference": "not a list"}).encode(), "list of strings"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_a_clear_error(case: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                    settings) -> None:  # type: ignore[no-untyped-def]
    data, message = BAD[case]
    rc, out, err = call(monkeypatch, capsys, data)
    assert rc == 2 and out == ""
    assert err.startswith("error: ") and message in err


def test_unknown_engine_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                         settings) -> None:  # type: ignore[no-untyped-def]
    rc, out, err = call(monkeypatch, capsys, json.dumps(REQUEST).encode(), "--engine", "gpt")
    assert rc == 2 and out == "" and "unknown engine 'gpt'" in err
