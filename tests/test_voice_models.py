"""The packaged speech models: joined, checked by sha256, cached, and refused when wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interviewer.datafiles import sha256_file
from interviewer.errors import InterviewerError
from interviewer.voice import models


def test_whisper_model_is_joined_verified_and_reused(tmp_path: Path) -> None:
    folder = models.whisper_model_dir(tmp_path)
    model = folder / "model.bin"
    assert model.stat().st_size == models.WHISPER_SIZE
    assert {p.name for p in folder.iterdir()} >= {"model.bin", "config.json", "tokenizer.json", "vocabulary.txt"}
    stamp = json.loads((folder / "verified.json").read_text())
    assert stamp["sha256"] == models.WHISPER_SHA256 and stamp["size"] == models.WHISPER_SIZE
    mtime = model.stat().st_mtime_ns
    assert models.whisper_model_dir(tmp_path) == folder
    assert model.stat().st_mtime_ns == mtime  # not rebuilt
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temp files left


def test_a_model_changed_behind_our_back_is_rebuilt(tmp_path: Path) -> None:
    folder = models.whisper_model_dir(tmp_path)
    model = folder / "model.bin"
    with model.open("r+b") as f:
        f.truncate(1000)
    models.whisper_model_dir(tmp_path)
    assert model.stat().st_size == models.WHISPER_SIZE
    assert sha256_file(model) == models.WHISPER_SHA256


def test_a_wrong_checksum_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models, "WHISPER_SHA256", "0" * 64)
    with pytest.raises(InterviewerError, match="expected 145217532 bytes, sha256 0000"):
        models.whisper_model_dir(tmp_path)
    assert not (tmp_path / "whisper-base" / "model.bin").exists()


def test_piper_voice_files_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    model, config = models.piper_voice_files()
    assert model.name == "en_US-joe-medium.onnx" and config.suffix == ".json"
    monkeypatch.setattr(models, "PIPER_CONFIG_SHA256", "f" * 64)
    with pytest.raises(InterviewerError, match=r"voice config .* corrupt or replaced"):
        models.piper_voice_files()
