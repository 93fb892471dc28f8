"""Settings come from defaults, a TOML file, .env and the environment, in that order."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from interviewer.config import Settings


def test_defaults_are_offline(settings: Settings) -> None:
    assert settings.llm.engine == "offline"
    assert settings.embeddings.backend == "minilm"
    assert settings.chroma.mode == "embedded"
    assert settings.db_url.startswith("sqlite:///")


def test_precedence_env_over_dotenv_over_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "interviewer.toml").write_text(
        '[llm]\nengine = "openai"\nmodel = "from-toml"\nbase_url = "http://127.0.0.1:9/v1"\n[chroma]\nport = 1111\n'
    )
    (tmp_path / ".env").write_text("INTERVIEWER_CHROMA__PORT=2222\nINTERVIEWER_LLM__MODEL=from-dotenv\n")
    monkeypatch.setenv("INTERVIEWER_LLM__MODEL", "from-env")
    s = Settings()
    assert s.llm.engine == "openai"  # only the TOML file sets it
    assert s.chroma.port == 2222  # .env beats TOML
    assert s.llm.model == "from-env"  # the environment beats both


def test_config_file_named_by_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "custom.toml"
    cfg.write_text("[voice]\nsilence_s = 4.5\n")
    monkeypatch.setenv("INTERVIEWER_CONFIG", str(cfg))
    assert Settings().voice.silence_s == 4.5


def test_bad_value_names_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEWER_LLM__ENGINE", "magic")
    with pytest.raises(ValueError, match="engine"):
        Settings()


def test_config_command_masks_secrets(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "INTERVIEWER_DATA_DIR": str(tmp_path),
        "INTERVIEWER_LLM__API_KEY_ENV": "MY_KEY",
        "MY_KEY": "sk-secret-0123456789abcdef",
        "INTERVIEWER_DATABASE_URL": "postgresql://bob:hunter2@db.local/interviews",
    }
    res = subprocess.run(
        [sys.executable, "-m", "interviewer.cli", "config", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr
    assert "sk-secret-0123456789abcdef" not in res.stdout and "hunter2" not in res.stdout
    data = json.loads(res.stdout)
    assert data["llm"]["api_key"].startswith("sk-") and data["llm"]["api_key"].endswith("cdef")
    assert data["database_url"] == "postgresql://bob:****@db.local/interviews"
    assert data["data_dir"] == str(tmp_path)


def test_usage_errors_are_messages_not_tracebacks() -> None:
    res = subprocess.run(
        [sys.executable, "-m", "interviewer.cli", "questions", "search"], capture_output=True, text=True
    )
    assert res.returncode == 2
    assert "Missing" in res.stderr and "Traceback" not in res.stderr
