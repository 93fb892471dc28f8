"""Evaluation runs: metrics against hand-computed values, bad lines, the cache, resuming, the CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from interviewer.agreement import agreement
from interviewer.config import LLMSettings, Settings
from interviewer.evaluation import EvalItem, ResultCache, load_dataset, run_eval
from interviewer.scoring.judge import LLMJudge
from interviewer.scoring.types import Assessment, ScoringInput
from interviewer.testing_openai import OpenAIStubServer, Respond

QUESTION = "When would you choose gradient boosting over a neural network for tabular data?"
# gold tradeoffs levels, and the level the scripted model gives (None = it abstains)
GOLD = {"a": 1, "b": 2, "c": 3, "d": 4, "e": 2}
PREDICTED: dict[str, int | None] = {"a": 1, "b": 2, "c": 4, "d": None, "e": 2}


def answer(item_id: str) -> str:
    return (f"Answer {item_id}: boosting handles heterogeneous tabular features well with little tuning. "
            f"Neural networks need more data and care, so for item {item_id} I compared both on validation loss.")


def items() -> list[EvalItem]:
    return [EvalItem(id=i, round="ml_theory", question=QUESTION, answer=answer(i), scores={"tradeoffs": g})
            for i, g in GOLD.items()]


def scripted_model(body: dict[str, Any]) -> str:
    """A model that quotes the answer's first sentence and gives the level PREDICTED assigns to it."""
    user = body["messages"][-1]["content"]
    item_id = re.search(r"Answer (\w): ", user).group(1)  # type: ignore[union-attr]
    first = answer(item_id).split(". ")[0] + "."
    return json.dumps({"evidence": [first], "rationale": "scripted", "missing": "", "level": PREDICTED[item_id]})


def judge_for(srv: OpenAIStubServer, data_dir: Path, base_url: str | None = None) -> LLMJudge:
    """The judge on ``srv`` (``base_url``: the same server spelled another way); the offline engine
    only matches key points here, a fallback would show in the engine label the tests check."""
    from interviewer.scoring.factory import offline_scorer

    llm = LLMSettings(base_url=base_url or srv.base_url, model="stub-model", max_retries=0)
    return LLMJudge.from_settings(Settings(data_dir=data_dir, llm=llm), fallback=lambda: offline_scorer(Settings()),
                                  rubric=None)


def test_agreement_matches_hand_computed_values() -> None:
    a = agreement([1, 2, 3, 4, 2], [1, 2, 4, None, 2])
    # abstention counts as 1: predicted [1, 2, 4, 1, 2]; differences [0, 0, +1, -3, 0]
    assert (a.n, a.abstained) == (5, 1)
    assert a.exact == 0.6 and a.adjacent == 0.8 and a.offset == -0.4
    # QWK: observed weighted disagreement (1/9 + 9/9) / 5 = 2/9; expected from the margins
    # (rows 1,2,1,1; columns 2,2,0,1) = 4/3 / ... -> kappa = 1 - (10/9) / (60/9 / 5) = 1/6
    assert a.qwk == pytest.approx(1 / 6, abs=1e-4)
    # Spearman on mid-ranks: gold [1, 2.5, 4, 5, 2.5], predicted [1.5, 3.5, 5, 1.5, 3.5] -> 1.5 / sqrt(9.5 * 9)
    assert a.spearman == pytest.approx(1.5 / (9.5 * 9) ** 0.5, abs=1e-4)
    assert a.confusion == [[1, 0, 0, 0], [0, 2, 0, 0], [0, 0, 0, 1], [1, 0, 0, 0]]


def test_undefined_statistics_are_none_not_nan() -> None:
    a = agreement([3, 3, 3], [3, 3, 3])
    assert (a.exact == 1.0 and a.spearman is None and a.qwk is None) or a.qwk == 1.0


def test_llm_run_metrics_cache_and_bounded_concurrency(tmp_path: Path) -> None:
    data = items()
    cache = ResultCache(tmp_path / "cache.sqlite3")
    with OpenAIStubServer([Respond(scripted_model, times=len(data))]) as srv:
        run = run_eval(data, judge_for(srv, tmp_path), cache=cache, rubric_version="r1", concurrency=3, progress=False)
        out = run.to_json()
        assert out["n"] == 5 and out["engine"] == "llm:stub-model"
        assert [i["id"] for i in out["items"]] == list(GOLD)  # dataset order, whatever the completion order
        assert {i["id"]: i["predicted"]["tradeoffs"] for i in out["items"]} == PREDICTED
        t = out["dimensions"]["tradeoffs"]
        assert (t["n"], t["exact"], t["adjacent"], t["offset"], t["abstained"]) == (5, 0.6, 0.8, -0.4, 1)
        assert t["qwk"] == pytest.approx(1 / 6, abs=1e-4)
        assert len(srv.chat_requests) == 5

        # the script is spent (strict): any request now would fail the test
        rerun = run_eval(data, judge_for(srv, tmp_path), cache=cache, rubric_version="r1", concurrency=3,
                         progress=False)
        assert len(srv.chat_requests) == 5 and rerun.scored == 0
        assert rerun.to_json()["items"] == out["items"]

        srv.add(Respond(scripted_model, times=5))  # a new rubric version: all again
        run_eval(data, judge_for(srv, tmp_path), cache=cache, rubric_version="r2", concurrency=2, progress=False)
        assert len(srv.chat_requests) == 10


def test_the_cache_is_per_endpoint_not_per_model_name(tmp_path: Path) -> None:
    """Two servers both calling their model "stub-model" (say llama3 on Ollama and on vLLM) do not
    share cached scores; the same server under another spelling of its URL does."""
    data = items()
    cache = ResultCache(tmp_path / "cache.sqlite3")
    with OpenAIStubServer([Respond(scripted_model, times=len(data))]) as ollama:
        first = run_eval(data, judge_for(ollama, tmp_path), cache=cache, progress=False)
        again = run_eval(data, judge_for(ollama, tmp_path, ollama.base_url + "/"), cache=cache, progress=False)
    assert again.scored == 0 and len(ollama.chat_requests) == len(data)

    def other_model(body: dict[str, Any]) -> str:  # same name, other weights: one level lower, floor 1
        reply = json.loads(scripted_model(body))
        reply["level"] = max(1, (reply["level"] or 2) - 1)
        return json.dumps(reply)

    with OpenAIStubServer([Respond(other_model, times=len(data))]) as vllm:
        second = run_eval(data, judge_for(vllm, tmp_path), cache=cache, progress=False)
    assert len(vllm.chat_requests) == len(data) and second.scored == len(data)
    assert {r.item.id: r.predicted["tradeoffs"] for r in second.results} == {"a": 1, "b": 1, "c": 3, "d": 1, "e": 1}
    assert {r.item.id: r.predicted["tradeoffs"] for r in first.results} == PREDICTED


class InterruptAfter:
    """Delegates to a real scorer and simulates Ctrl-C on the n-th item."""

    def __init__(self, inner: LLMJudge, n: int) -> None:
        self.inner, self.n, self.calls = inner, n, 0
        self.name, self.identity = inner.name, inner.identity

    def assess(self, item: ScoringInput) -> Assessment:
        self.calls += 1
        if self.calls == self.n:
            raise KeyboardInterrupt
        return self.inner.assess(item)


def test_interrupted_run_resumes_where_it_stopped(tmp_path: Path) -> None:
    data = items()
    cache = ResultCache(tmp_path / "cache.sqlite3")
    with OpenAIStubServer([Respond(scripted_model, times=2)]) as srv:
        with pytest.raises(KeyboardInterrupt):
            run_eval(data, InterruptAfter(judge_for(srv, tmp_path), 3), cache=cache, concurrency=1, progress=False)
        assert len(srv.chat_requests) == 2
        srv.add(Respond(scripted_model, times=3))
        run = run_eval(data, judge_for(srv, tmp_path), cache=cache, concurrency=2, progress=False)
    assert len(srv.chat_requests) == 5 and run.scored == 3 and len(run.results) == 5
    scored_now = {r.item.id for r in run.results if not r.cached}
    assert scored_now == {"c", "d", "e"}


def test_fallbacks_are_reported_and_never_cached(tmp_path: Path) -> None:
    from interviewer.testing_openai import Status

    data = items()[:2]
    cache = ResultCache(tmp_path / "cache.sqlite3")
    with OpenAIStubServer([Status(500)]) as srv:  # the first item fails; the second waits out the cool-down
        run = run_eval(data, judge_for(srv, tmp_path), cache=cache, concurrency=1, progress=False)
        assert run.fallbacks == 2 and "2 of 2 items fell back to offline" in run.to_json()["engine"]
        srv.add(Respond(scripted_model, times=2))  # the same endpoint, healthy again: nothing was cached
        rerun = run_eval(data, judge_for(srv, tmp_path), cache=cache, concurrency=1, progress=False)
    assert len(srv.chat_requests) == 3 and rerun.fallbacks == 0 and rerun.scored == 2


def test_bad_lines_are_reported_with_line_numbers_and_skipped(tmp_path: Path) -> None:
    good = {"id": "ok1", "round": "behavioral", "question": "q?", "answer": "I did the thing and it worked.",
            "scores": {"ownership": 3}, "notes": "extra fields are ignored"}
    lines = [
        json.dumps(good).encode(),
        b"",
        b'{"id": "broken", "round": ',
        json.dumps({**good, "id": "lvl", "scores": {"ownership": 5}}).encode(),
        json.dumps({**good, "id": "dim", "scores": {"charisma": 2}}).encode(),
        b'{"id": "latin1", "answer": "caf\xe9"}',
        json.dumps({**good, "id": "noans"} | {"answer": None}).encode(),
        json.dumps({**good, "id": "huge", "answer": "word " * 25_000}).encode(),
        json.dumps({**good, "id": "bin", "answer": "\x00\x01\x02 data"}).encode(),
        json.dumps(good).encode(),
        b"[1, 2]",
        json.dumps({**good, "id": "ok2", "round": "ml_design", "scores": {"coverage": 2}}).encode(),
    ]
    path = tmp_path / "ds.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    ds = load_dataset(path)
    assert [i.id for i in ds.items] == ["ok1", "ok2"]
    by_line = {int(p.split(":")[1]): p for p in ds.problems}
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "malformed JSON" in by_line[3]
    assert "scores" in by_line[4] and "1-4" in by_line[4]
    assert "charisma" in by_line[5]
    assert "not UTF-8" in by_line[6]
    assert "answer" in by_line[7]
    assert "answer" in by_line[8] and "20000" in by_line[8].replace(",", "")
    assert "binary" in by_line[9]
    assert "duplicate id 'ok1' (first on line 1)" in by_line[10]
    assert "expected a JSON object" in by_line[11]


def _cli(*args: str, env: dict[str, str], stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "interviewer.cli", *args], input=stdin, capture_output=True,
                          env={**os.environ, **env}, timeout=300)


@pytest.mark.slow
def test_eval_cli_offline_json_report_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "ds.jsonl"
    rows = [EvalItem(id=f"x{i}", round="behavioral", question="Tell me about a time you owned a problem.",
                     answer=f"<script>alert({i})</script> I noticed the nightly job failing and I rewrote the retry "
                            f"logic myself. Failures dropped from 12 to {i} a week versus the month before.",
                     scores={"ownership": 3, "impact": 1 + i % 4}).model_dump(mode="json") for i in range(3)]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n{oops\n", encoding="utf-8")
    env = {"INTERVIEWER_DATA_DIR": str(tmp_path / "data")}
    res = _cli("eval", str(path), "--json", "--report", str(tmp_path / "report"), env=env)
    assert res.returncode == 0, res.stderr.decode()
    out = json.loads(res.stdout)  # stdout is exactly one JSON object: progress went to stderr
    assert out["n"] == 3 and out["engine"] == "offline"
    assert set(out["dimensions"]) == {"ownership", "impact"}
    for dim in out["dimensions"].values():
        assert {"n", "qwk", "spearman", "exact", "adjacent", "offset"} <= set(dim) and dim["n"] == 3
    assert [i["gold"] for i in out["items"]] == [r["scores"] for r in rows]
    assert f"{path}:4: malformed JSON" in res.stderr.decode()
    html = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert (tmp_path / "report" / "confusion_impact.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'src="confusion_ownership.png"' in html
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html  # candidate text is escaped

    again = _cli("eval", str(path), "--no-progress", env=env)  # the table view, from the cache
    assert again.returncode == 0 and "QWK" in again.stdout.decode()
    assert "0 scored now, 3 from the cache" in again.stderr.decode()


@pytest.mark.slow
def test_eval_cli_llm_second_run_makes_no_calls(tmp_path: Path) -> None:
    path = tmp_path / "ds.jsonl"
    path.write_text("\n".join(i.model_dump_json() for i in items()) + "\n", encoding="utf-8")
    with OpenAIStubServer([Respond(scripted_model, times=5)]) as srv:
        env = {"INTERVIEWER_DATA_DIR": str(tmp_path / "data"), "INTERVIEWER_LLM__BASE_URL": srv.base_url,
               "INTERVIEWER_LLM__MODEL": "stub-model", "INTERVIEWER_LLM__CONCURRENCY": "2"}
        first = _cli("eval", str(path), "--engine", "llm", "--json", env=env)
        second = _cli("eval", str(path), "--engine", "llm", "--json", env=env)
    assert first.returncode == 0 and second.returncode == 0, first.stderr.decode() + second.stderr.decode()
    assert len(srv.chat_requests) == 5  # the second run was served from the cache
    assert json.loads(first.stdout)["items"] == json.loads(second.stdout)["items"]
    assert json.loads(second.stdout)["engine"] == "llm:stub-model"


def test_empty_or_missing_dataset_is_an_error(tmp_path: Path, settings: Settings,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    from interviewer import cli

    (tmp_path / "empty.jsonl").write_text("\n\n", encoding="utf-8")
    (tmp_path / "bad.jsonl").write_text("{oops\n", encoding="utf-8")
    for name, message in (("empty.jsonl", "no valid items"), ("missing.jsonl", "cannot read dataset"),
                          ("bad.jsonl", "malformed JSON")):
        rc = cli.main(["eval", str(tmp_path / name), "--json", "--no-progress"])
        out = capsys.readouterr()
        assert rc == 2 and out.out == "" and "error:" in out.err and message in out.err


def test_primed_encoder_serves_primed_texts_without_calls() -> None:
    import numpy as np

    from interviewer.embeddings import get_encoder
    from interviewer.evaluation import PrimedEncoder, item_texts

    real = get_encoder()

    class Counting:
        name, dim = real.name, real.dim

        def __init__(self) -> None:
            self.texts: list[str] = []

        def encode(self, texts):  # type: ignore[no-untyped-def]
            self.texts.extend(texts)
            return real.encode(texts)

    inner = Counting()
    enc = PrimedEncoder(inner)
    texts = item_texts(items()[0])
    enc.prime([*texts, *texts])
    assert len(inner.texts) == len(set(texts))  # repeats embedded once
    out = enc.encode([texts[1], texts[0], "a text nobody primed"])
    assert inner.texts[-1] == "a text nobody primed" and len(inner.texts) == len(set(texts)) + 1
    np.testing.assert_allclose(out[:2], real.encode([texts[1], texts[0]]), atol=1e-5)
    assert enc.encode([]).shape == (0, real.dim)
