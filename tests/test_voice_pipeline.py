"""The voice pipeline stage by stage with scripted fakes: these frames in, these frames out."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from interviewer.voice.audiofile import Clip
from interviewer.voice.frames import (
    AudioIn,
    Control,
    Frame,
    ReplyAudio,
    ReplyDone,
    ReplyText,
    SessionOver,
    SpeechPaused,
    SpeechPiece,
    SpeechStarted,
    TranscriptFrame,
    TurnEnded,
    UnclearTranscript,
)
from interviewer.voice.loop import EchoConversation, run_voice_interview
from interviewer.voice.pipeline import (
    NOTHING_HEARD_PROMPT,
    REPEAT_PROMPT,
    ConfidenceGate,
    Pipeline,
    Playback,
    PushToTalk,
    Responder,
    Speech,
    Transcription,
    TurnTaking,
)
from interviewer.voice.testing import (
    FakeSTT,
    FakeTTS,
    MemorySink,
    ScriptedReplies,
    ScriptExhausted,
    transcript_of,
)
from interviewer.voice.transcript import Transcript
from interviewer.voice.turns import RATE, TurnConfig

RNG = np.random.default_rng(3)


def voiced(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.1 * np.abs(np.sin(2 * np.pi * 3 * t)) * np.sin(2 * np.pi * 180 * t)).astype(np.float32)


def quiet(seconds: float) -> np.ndarray:
    return RNG.normal(0, 0.0005, int(seconds * RATE)).astype(np.float32)


def mic(*parts: np.ndarray, block: float = 0.1) -> Iterator[Frame]:
    audio = np.concatenate(parts)
    n = int(block * RATE)
    for i in range(0, len(audio), n):
        yield AudioIn(audio[i : i + n])


def names(frames: list[Frame]) -> list[str]:
    return [type(f).__name__ for f in frames]


def test_turn_taking_turns_audio_into_speech_events() -> None:
    config = TurnConfig(silence_s=3.0, min_piece_s=2.0)
    out = list(TurnTaking(config).run(mic(quiet(0.5), voiced(2.5), quiet(1.0), voiced(0.4), quiet(3.2))))
    # A piece long enough to transcribe alone, then a short burst offered speculatively at its pause.
    assert names(out) == ["SpeechStarted", "SpeechPiece", "SpeechPaused", "TurnEnded"]
    piece, paused, end = out[1], out[2], out[3]
    assert isinstance(paused, SpeechPaused) and np.array_equal(paused.audio, end.tail)  # type: ignore[attr-defined]
    assert isinstance(piece, SpeechPiece) and isinstance(end, TurnEnded)
    assert len(piece.audio) / RATE == pytest.approx(2.5 + 0.6, abs=0.1)
    assert end.offset_s == pytest.approx(len(piece.audio) / RATE)
    assert end.duration_s == pytest.approx(len(piece.audio) / RATE + len(end.tail) / RATE)


def test_transcription_stitches_pieces_onto_one_clock() -> None:
    stt = FakeSTT(["we used a two tower model", "with hard negatives"])
    frames: list[Frame] = [
        SpeechPiece(np.ones(RATE * 2, np.float32) * 0.1, 0.0),
        TurnEnded(np.ones(RATE, np.float32) * 0.1, 2.0, 3.0),
    ]
    out = list(Transcription(stt).run(frames))
    assert names(out) == ["TurnEnded", "TranscriptFrame"]
    t = out[1].transcript  # type: ignore[attr-defined]
    assert t.text == "we used a two tower model with hard negatives"
    assert t.duration_s == 3.0
    second = next(w for w in t.words if w.text == "hard")
    assert second.start == pytest.approx(2.0 + 0.4)  # shifted by the tail's offset
    assert [len(c.samples) for c in stt.heard] == [RATE * 2, RATE]
    assert out[1].delivery.words == 9  # type: ignore[attr-defined]


def test_confidence_gate_asks_to_repeat_an_unclear_answer_once_then_passes_it_flagged() -> None:
    gate = ConfidenceGate(max_attempts=2)
    shaky = transcript_of("the lost function was cross and trophy", confidence=0.4, low_confidence=True)
    first = list(gate.run([TranscriptFrame(shaky, None)]))  # type: ignore[arg-type]
    assert names(first) == ["UnclearTranscript", "ReplyText", "ReplyDone"]
    assert first[1].text == REPEAT_PROMPT  # type: ignore[attr-defined]
    second = list(gate.run([TranscriptFrame(shaky, None)]))  # type: ignore[arg-type]
    assert names(second) == ["TranscriptFrame"]
    assert second[0].transcript.low_confidence  # type: ignore[attr-defined]


def test_confidence_gate_never_passes_an_empty_answer() -> None:
    gate = ConfidenceGate(max_attempts=2)
    empty = Transcript(text="", duration_s=3.0, notes=["no speech detected"])
    for attempt in (1, 2, 3):
        out = list(gate.run([TranscriptFrame(empty, None)]))  # type: ignore[arg-type]
        assert names(out) == ["UnclearTranscript", "ReplyText", "ReplyDone"]
        assert out[0].attempt == attempt  # type: ignore[attr-defined]
        assert out[1].text == NOTHING_HEARD_PROMPT  # type: ignore[attr-defined]


def test_responder_streams_the_engine_reply_as_sentences() -> None:
    replies = ScriptedReplies([["Good. How would", " you evaluate it? Think about", " drift."]])
    t = transcript_of("I would use a ranking model")
    out = list(Responder(replies, is_over=lambda: replies.over).run([TranscriptFrame(t, None)]))  # type: ignore[arg-type]
    assert names(out) == ["TranscriptFrame", "ReplyText", "ReplyText", "ReplyText", "ReplyDone", "SessionOver"]
    assert [f.text for f in out if isinstance(f, ReplyText)] == [
        "Good.",
        "How would you evaluate it?",
        "Think about drift.",
    ]
    assert replies.answers == ["I would use a ranking model"]
    spoken = replies.spoken[0]
    assert spoken is not None and spoken.delivery.words == 6 and spoken.confidence == 0.95 and not spoken.uncertain


def test_speech_synthesises_each_sentence_as_it_arrives_and_marks_the_first_audio() -> None:
    tts = FakeTTS()
    out = list(Speech(tts).run([ReplyText("One."), ReplyText("Two."), ReplyDone(), ReplyText("Three.")]))
    assert names(out) == ["ReplyText", "ReplyAudio", "ReplyText", "ReplyAudio", "ReplyDone", "ReplyText", "ReplyAudio"]
    firsts = [f.first for f in out if isinstance(f, ReplyAudio)]
    assert firsts == [True, False, True]
    assert tts.spoken == ["One.", "Two.", "Three."]


def test_playback_plays_in_order_and_keeps_the_microphone_off_meanwhile() -> None:
    sink, calls = MemorySink(), []
    chunks = [ReplyAudio(c, first=i == 0) for i, c in enumerate(FakeTTS().synthesize("Hello there. Next."))]
    stage = Playback(sink, on_played=lambda: calls.append("resume"), on_playing=lambda: calls.append("pause"))
    out = list(stage.run([*chunks, ReplyDone()]))
    assert [c.text for c in sink.chunks] == ["Hello there.", "Next."]
    assert calls == ["pause", "resume"] and sink.waits == 1
    assert names(out) == ["ReplyAudio", "ReplyAudio", "ReplyDone"]


def test_push_to_talk_turn_is_exactly_what_was_recorded_between_presses() -> None:
    a, b, c = (np.full(1600, v, np.float32) for v in (0.1, 0.2, 0.3))
    frames: list[Frame] = [AudioIn(a), Control("start"), AudioIn(b), AudioIn(c), Control("stop"), AudioIn(a)]
    out = list(PushToTalk().run(frames))
    assert names(out) == ["SpeechStarted", "TurnEnded"]
    assert np.array_equal(out[1].tail, np.concatenate([b, c]))  # type: ignore[attr-defined]


class LengthSTT:
    """Says how long each clip was: shows which audio a transcript came from."""

    name = "length"

    def __init__(self) -> None:
        self.calls: list[float] = []

    def transcribe(self, clip: Clip) -> Transcript:
        self.calls.append(round(clip.duration_s, 2))
        return transcript_of(f"heard {clip.duration_s:.2f} seconds")


def test_speculative_transcript_at_a_pause_is_used_when_only_silence_follows() -> None:
    stt = LengthSTT()
    spoken = np.full(RATE * 2, 0.1, np.float32)
    out = list(Transcription(stt).run([SpeechPaused(spoken, 0.0), TurnEnded(spoken.copy(), 0.0, 2.0)]))
    assert names(out) == ["TurnEnded", "TranscriptFrame"]
    assert out[1].transcript.text == "heard 2.00 seconds"  # type: ignore[attr-defined]
    assert stt.calls == [2.0]  # nothing transcribed twice


def test_speculative_transcript_is_discarded_when_the_candidate_went_on() -> None:
    stt = LengthSTT()
    spoken = np.full(RATE * 2, 0.1, np.float32)
    longer = np.concatenate([spoken, np.full(RATE, 0.1, np.float32)])
    out = list(Transcription(stt).run([SpeechPaused(spoken, 0.0), TurnEnded(longer, 0.0, 3.0)]))
    assert out[1].transcript.text == "heard 3.00 seconds"  # type: ignore[attr-defined]
    assert stt.calls[-1] == 3.0


class ListSource:
    """A microphone that plays a prepared recording, then nothing."""

    def __init__(self, frames: Iterator[Frame]) -> None:
        self._frames = frames
        self.paused = 0
        self.closed = False

    def frames(self) -> Iterator[Frame]:
        yield from self._frames

    def pause(self) -> None:
        self.paused += 1

    def resume(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


def test_a_whole_interview_with_fakes() -> None:
    stt = FakeSTT(
        [
            Transcript(text="", duration_s=1.0, notes=["no speech detected"]),
            "I would start with a logistic regression baseline",
            "then a gradient boosted model",
        ]
    )
    replies = ScriptedReplies(["Why that baseline?", "Thanks, that's all for today."])
    tts, sink = FakeTTS(), MemorySink()
    source = ListSource(mic(quiet(0.5), voiced(0.8), quiet(3.2), voiced(2.5), quiet(3.2), voiced(2.5), quiet(3.2)))
    seen: list[Frame] = []
    result = run_voice_interview(
        source, sink, stt, tts, replies,
        opening=["Let's talk about churn prediction."], is_over=lambda: replies.over, on_frame=seen.append,
    )  # fmt: skip
    assert replies.answers == ["I would start with a logistic regression baseline", "then a gradient boosted model"]
    assert [a.transcript.text for a in result.answers] == replies.answers
    assert len(result.unclear) == 1 and result.unclear[0].transcript.empty
    assert tts.spoken == [
        "Let's talk about churn prediction.",
        NOTHING_HEARD_PROMPT.split(". ")[0] + ".",
        NOTHING_HEARD_PROMPT.split(". ")[1],
        "Why that baseline?",
        "Thanks, that's all for today.",
    ]
    assert [c.text for c in sink.chunks] == tts.spoken
    assert isinstance(seen[-1], SessionOver) and source.closed
    assert len(result.latencies_s) == 3 and all(x >= 0 for x in result.latencies_s)
    assert result.delivery.answers == 2 and result.delivery.words == 13
    assert stt.remaining == 0


def test_fakes_fail_loudly_when_their_script_runs_out() -> None:
    stt = FakeSTT(["only one"])
    stt.transcribe(transcript_clip())
    with pytest.raises(ScriptExhausted):
        stt.transcribe(transcript_clip())
    replies = ScriptedReplies(["one reply"])
    list(replies("a"))
    with pytest.raises(ScriptExhausted):
        list(replies("b"))
    with pytest.raises(ScriptExhausted):
        list(FakeTTS(limit=1).synthesize("One. Two."))


def transcript_clip() -> Clip:
    return Clip(np.zeros(RATE, np.float32))


def test_echo_conversation_ends_after_its_rounds() -> None:
    echo = EchoConversation(rounds=2)
    assert list(echo.opening())
    first = list(echo.reply("hello there"))
    assert first[0] == "I heard: hello there" and not echo.is_over()
    list(echo.reply("second"))
    assert echo.is_over()


def test_stages_compose_into_a_pipeline() -> None:
    stt, tts, sink = FakeSTT(["hello"]), FakeTTS(), MemorySink()
    pipe = Pipeline(
        [
            TurnTaking(),
            Transcription(stt),
            ConfidenceGate(),
            Responder(ScriptedReplies(["Hi."])),
            Speech(tts),
            Playback(sink),
        ]
    )
    out = list(pipe.run(mic(quiet(0.5), voiced(1.0), quiet(3.2))))
    assert names(out) == ["SpeechStarted", "TurnEnded", "TranscriptFrame", "ReplyText", "ReplyAudio", "ReplyDone"]
    assert isinstance(out[0], SpeechStarted) and isinstance(out[2], TranscriptFrame)
    assert isinstance(out[-1], ReplyDone) and [c.text for c in sink.chunks] == ["Hi."]
    assert not any(isinstance(f, UnclearTranscript) for f in out)


def test_push_to_talk_transcribes_pieces_while_recording() -> None:
    audio = np.concatenate([quiet(0.3), voiced(2.5), quiet(1.0), voiced(1.0), quiet(0.2)])
    blocks = [AudioIn(audio[i : i + 1600]) for i in range(0, len(audio), 1600)]
    out = list(PushToTalk(TurnConfig(min_piece_s=2.0)).run([Control("start"), *blocks, Control("stop")]))
    assert names(out) == ["SpeechStarted", "SpeechPiece", "TurnEnded"]
    piece, end = out[1], out[2]
    assert isinstance(piece, SpeechPiece) and isinstance(end, TurnEnded)
    assert end.offset_s == pytest.approx(len(piece.audio) / RATE)
    assert end.duration_s == pytest.approx((len(piece.audio) + len(end.tail)) / RATE)
    assert end.duration_s == pytest.approx(len(audio) / RATE - 0.0, abs=0.35)  # only leading quiet trimmed
