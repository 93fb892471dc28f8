"""One settings object for the whole product.

Read, lowest precedence first, from defaults, an optional TOML file (``interviewer.toml`` in
the working directory or ``$INTERVIEWER_CONFIG``), a ``.env`` file and environment variables
prefixed ``INTERVIEWER_`` (nested with ``__``, e.g. ``INTERVIEWER_LLM__MODEL``).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

#: The repository root when running from a checkout; the data folders live beside the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class LLMSettings(BaseModel):
    engine: Literal["offline", "openai"] = "offline"
    base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1")
    model: str = "gpt-4o-mini"
    api_key_env: str = Field(default="OPENAI_API_KEY", description="name of the variable holding the key")
    timeout_s: float = 60.0
    max_retries: int = 2
    temperature: float = 0.0
    samples: int = Field(default=1, ge=1, le=9, description="judge samples; the median level is kept")
    concurrency: int = Field(default=4, ge=1, le=64)

    def api_key(self) -> SecretStr | None:
        value = os.environ.get(self.api_key_env)
        return SecretStr(value) if value else None


class EmbeddingSettings(BaseModel):
    backend: Literal["minilm", "openai"] = "minilm"
    openai_model: str = "text-embedding-3-small"
    batch_size: int = Field(default=32, ge=1, le=2048)


class ChromaSettings(BaseModel):
    mode: Literal["embedded", "server"] = "embedded"
    path: Path | None = Field(default=None, description="embedded store; default <data_dir>/chroma")
    host: str = "127.0.0.1"
    port: int = 8000
    collection: str = "questions"


class VoiceSettings(BaseModel):
    stt: Literal["whisper", "openai"] = "whisper"
    tts: Literal["piper", "espeak", "openai"] = "piper"
    whisper_compute_type: str = "int8"
    silence_s: float = Field(default=3.0, ge=0.5, description="thinking time before a turn ends")
    input_device: str | None = None
    output_device: str | None = None
    autoplay: bool = True
    language: str = Field(default="en", description="spoken language (ISO 639-1) for speech recognition")
    max_record_s: float = Field(default=600.0, ge=5.0, description="longer recordings are trimmed, with a message")
    openai_stt_model: str = "whisper-1"
    openai_tts_model: str = "gpt-4o-mini-tts"
    openai_tts_voice: str = "alloy"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="INTERVIEWER_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    data_dir: Path = Field(default=PROJECT_ROOT / ".interviewer", description="sessions, index, caches")
    knowledge_dir: Path = PROJECT_ROOT / "knowledge"
    rubrics_dir: Path = PROJECT_ROOT / "rubrics"
    personas_dir: Path = PROJECT_ROOT / "personas"
    rounds_dir: Path = PROJECT_ROOT / "rounds"
    database_url: str | None = Field(default=None, description="default sqlite:///<data_dir>/interviewer.db")
    llm: LLMSettings = LLMSettings()
    embeddings: EmbeddingSettings = EmbeddingSettings()
    chroma: ChromaSettings = ChromaSettings()
    voice: VoiceSettings = VoiceSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get("INTERVIEWER_CONFIG", "interviewer.toml"))
        return (
            init_settings,
            env_settings,
            dotenv_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_file),
        )

    @property
    def chroma_path(self) -> Path:
        return self.chroma.path or self.data_dir / "chroma"

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'interviewer.db'}"

    def masked(self) -> dict[str, Any]:
        """The effective settings as plain data, with anything secret masked."""
        data = self.model_dump(mode="json")
        key = self.llm.api_key()
        data["llm"]["api_key"] = _mask(key.get_secret_value()) if key else None
        if self.database_url and "@" in self.database_url:
            scheme, rest = self.database_url.split("://", 1)
            creds, host = rest.rsplit("@", 1)
            user = creds.split(":", 1)[0]
            data["database_url"] = f"{scheme}://{user}:****@{host}"
        return data


def _mask(secret: str) -> str:
    return "****" if len(secret) < 12 else f"{secret[:3]}…{secret[-4:]}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
