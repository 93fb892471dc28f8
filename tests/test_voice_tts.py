"""Speech synthesis: the Piper voice sentence by sentence, espeak-ng, the fallback, ``speak``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from interviewer.config import Settings
from interviewer.errors import InputError
from interviewer.voice import tts as tts_mod
from interviewer.voice.tts import EspeakTTS, PiperTTS, get_tts, synthesize_to_array

pytestmark = pytest.mark.voice

REPLY = "Thanks. How would you detect training and serving skew in that pipeline?"


@pytest.fixture(scope="module")
def piper() -> PiperTTS:
    return PiperTTS()


def test_piper_yields_one_chunk_per_sentence_lazily(piper: PiperTTS, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = piper._voice.synthesize

    def counting(text: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(piper._voice, "synthesize", counting)
    chunks = piper.synthesize(REPLY)
    first = next(chunks)
    assert calls == ["Thanks."]  # the second sentence is not synthesised before the first is out
    rest = list(chunks)
    assert [c.text for c in [first, *rest]] == ["Thanks.", REPLY.split(". ")[1]]
    assert first.rate == 22_050 and 0.3 < first.duration_s < 2.0
    assert rest[0].duration_s > 2.0 and abs(rest[0].samples).max() > 0.1


def test_espeak_speaks_text_that_looks_like_an_option() -> None:
    chunks = list(EspeakTTS().synthesize("--help is not an option here. Fine."))
    assert [c.text for c in chunks] == ["--help is not an option here.", "Fine."]
    assert all(c.rate == 22_050 and c.duration_s > 0.3 for c in chunks)


def test_piper_falls_back_to_espeak_loudly(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    def broken() -> None:
        raise RuntimeError("voice file missing")

    monkeypatch.setattr(tts_mod, "PiperTTS", broken)
    monkeypatch.setattr(tts_mod, "_cache", {})
    voice = get_tts(Settings(data_dir=tmp_path))
    assert voice.name == "espeak-ng"
    assert "falling back to espeak-ng" in caplog.text


def test_empty_or_huge_text_is_refused(piper: PiperTTS) -> None:
    with pytest.raises(InputError, match="nothing to say"):
        synthesize_to_array(piper, "   ")
    with pytest.raises(InputError, match="limit"):
        list(piper.synthesize("word " * 5000))


def test_speak_command_writes_a_wav(tmp_path: Path, settings: Settings) -> None:
    from interviewer.cli import main

    out = tmp_path / "q.wav"
    assert main(["speak", REPLY, "-o", str(out), "--engine", "espeak"]) == 0
    info = sf.info(out)
    assert info.samplerate == 22_050 and info.duration > 2.0
    assert main(["speak", "hello", "-o", str(out), "--engine", "klingon"]) == 2


def test_a_deterministic_piper_voice_says_a_sentence_the_same_way_every_time() -> None:
    tts = PiperTTS(deterministic=True)
    first, second = (next(iter(tts.synthesize("We shard the index by user."))).samples for _ in range(2))
    assert len(first) > 0 and np.array_equal(first, second)  # fixtures and benchmarks hear the same audio
