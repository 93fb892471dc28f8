"""What one browser session holds. Nothing here is shared between users.

``Preferences`` persist in the browser (``gr.BrowserState``, i.e. localStorage) so a reload
keeps the engine and voice choices; an API key typed into Settings never does: it lives only
in the tab's server-side ``gr.State`` and is forgotten with it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from interviewer.config import LLMSettings, Settings, VoiceSettings

#: Session ids a browser remembers (its History); older ones stay in the database.
MAX_SESSIONS = 500


class Preferences(BaseModel):
    model_config = ConfigDict(extra="ignore")

    engine: Literal["offline", "llm"] = "offline"
    base_url: str = ""
    model: str = "gpt-4o-mini"
    stt: Literal["whisper", "openai"] = "whisper"
    tts: Literal["piper", "espeak", "openai"] = "piper"
    speak: bool = Field(default=False, description="read the interviewer's messages aloud")
    autoplay: bool = True
    last_session: str | None = Field(default=None, description="offered for resuming after a reload")
    sessions: list[str] = Field(default_factory=list, description="sessions started in this browser, newest first")
    stories: list[str] = Field(default_factory=list, description="stories saved from this browser, newest first")

    @classmethod
    def load(cls, data: Any) -> Preferences:
        """Whatever the browser stored, or the defaults when it is missing or stale."""
        if isinstance(data, Preferences):
            return data
        try:
            return cls.model_validate(data or {})
        except ValidationError:
            return cls()

    @classmethod
    def from_settings(cls, settings: Settings) -> Preferences:
        """The defaults a first visit starts from: what the server was configured with."""
        llm = settings.llm
        return cls(
            engine="llm" if llm.engine == "openai" else "offline",
            base_url=llm.base_url or "",
            model=llm.model,
            stt=settings.voice.stt,
            tts=settings.voice.tts,
            autoplay=settings.voice.autoplay,
        )

    def settings(self, base: Settings, key: str | None = None) -> Settings:
        """The server's settings with this user's engine and voice choices applied."""
        llm = _TypedKeyLLM(
            **base.llm.model_dump(exclude={"engine", "base_url", "model"}),
            engine="openai" if self.engine == "llm" else "offline",
            base_url=self.base_url.strip() or None,
            model=self.model.strip() or base.llm.model,
            typed_key=SecretStr(key) if key else None,
        )
        voice = VoiceSettings(
            **{**base.voice.model_dump(), "stt": self.stt, "tts": self.tts, "autoplay": self.autoplay}
        )
        return base.model_copy(update={"llm": llm, "voice": voice})

    def remember(self, session_id: str) -> Preferences:
        """These preferences with ``session_id`` as this browser's latest session."""
        mine = [session_id, *(s for s in self.sessions if s != session_id)][:MAX_SESSIONS]
        return self.model_copy(update={"last_session": session_id, "sessions": mine})

    def engine_label(self, key: str | None = None) -> str:
        if self.engine == "offline":
            return "offline"
        where = self.base_url.strip() or "api.openai.com"
        return f"llm:{self.model} @ {where}" + ("" if key or self.base_url else " (no key)")


class _TypedKeyLLM(LLMSettings):
    """LLM settings whose key was typed into this tab; falls back to the environment variable."""

    typed_key: SecretStr | None = Field(default=None, exclude=True, repr=False)

    def api_key(self) -> SecretStr | None:
        return self.typed_key or super().api_key()


@dataclass
class Clock:
    """The interview clock as of the last event, so the timer ticks without touching the engine."""

    phase: str = ""
    round_title: str = ""
    persona: str = ""
    remaining_s: float = 0.0
    budget_s: float = 0.0
    answers: int = 0
    max_turns: int = 0
    stage: int = 0
    stages: int = 1
    done: bool = False
    taken_at: float = field(default_factory=time.monotonic)

    def same_as(self, other: Clock) -> bool:
        """The same position in the interview (the clock's reading aside)."""
        mine = (self.phase, self.answers, self.stage, self.done)
        return mine == (other.phase, other.answers, other.stage, other.done)

    def remaining(self, now: float | None = None) -> float:
        if self.done:
            return self.remaining_s
        return max(0.0, self.remaining_s - ((now or time.monotonic()) - self.taken_at))
