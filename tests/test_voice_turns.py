"""End of turn: sustained silence after speech, never mid-thought, on the audio clock."""

from __future__ import annotations

import numpy as np
import pytest

from interviewer.voice.turns import RATE, Event, TurnConfig, TurnDetector

RNG = np.random.default_rng(7)


def voiced(seconds: float, level: float = 0.1) -> np.ndarray:
    """A speech-like signal: a 200 Hz voice with noise, in syllables (3 a second, with dips
    between them, as real speech has), well above the room."""
    t = np.arange(int(seconds * RATE)) / RATE
    syllables = 0.05 + 0.95 * np.abs(np.sin(2 * np.pi * 3 * t))
    return (syllables * level * (np.sin(2 * np.pi * 200 * t) + RNG.normal(0, 0.25, len(t)))).astype(np.float32)


def quiet(seconds: float, level: float = 0.001) -> np.ndarray:
    return RNG.normal(0, level, int(seconds * RATE)).astype(np.float32)


def run(detector: TurnDetector, audio: np.ndarray, block: int = 1600) -> list:
    events = []
    for i in range(0, len(audio), block):
        events.extend(detector.feed(audio[i : i + block]))
    return events


def kinds(events: list) -> list[Event]:
    return [e.kind for e in events]


def test_the_turn_ends_only_after_sustained_silence() -> None:
    d = TurnDetector(TurnConfig(silence_s=3.0))
    events = run(d, np.concatenate([quiet(1.0), voiced(2.0), quiet(2.9)]))
    assert Event.TURN_ENDED not in kinds(events)
    events += run(d, quiet(0.2))
    assert kinds(events)[-1] is Event.TURN_ENDED
    end = events[-1]
    assert end.answer is not None
    # The answer is the speech plus the padding around it, not the silence before or after.
    assert len(end.answer) / RATE == pytest.approx(2.0 + 2 * 0.3, abs=0.1)
    assert end.t == pytest.approx(0.3 + 2.0, abs=0.1)  # on the answer's clock


def test_a_thinking_pause_shorter_than_the_window_does_not_cut_the_candidate_off() -> None:
    d = TurnDetector(TurnConfig(silence_s=3.0))
    audio = np.concatenate([quiet(0.5), voiced(2.5), quiet(2.8), voiced(2.5), quiet(3.2)])
    events = run(d, audio)
    assert kinds(events).count(Event.TURN_ENDED) == 1
    assert kinds(events).count(Event.SPEECH_STARTED) == 1
    end = events[-1]
    assert len(end.answer) / RATE == pytest.approx(2.5 + 2.8 + 2.5 + 0.6, abs=0.15)


def test_pieces_cut_at_pauses_plus_tail_make_the_whole_answer() -> None:
    d = TurnDetector(TurnConfig(silence_s=3.0, pause_s=0.7, min_piece_s=2.0))
    audio = np.concatenate([quiet(0.5), voiced(2.5), quiet(1.0), voiced(0.5), quiet(1.0), voiced(2.5), quiet(3.5)])
    events = run(d, audio)
    pieces = [e for e in events if e.kind is Event.PIECE]
    end = events[-1]
    assert end.kind is Event.TURN_ENDED
    # The short middle burst waited to join the next piece (too short to transcribe alone).
    assert len(pieces) == 2
    joined = np.concatenate([p.audio for p in pieces] + [end.audio])
    assert np.array_equal(joined, end.answer)
    assert pieces[0].offset_s == 0.0
    assert pieces[1].offset_s == pytest.approx(len(pieces[0].audio) / RATE)


def test_a_click_is_not_speech() -> None:
    d = TurnDetector()
    events = run(d, np.concatenate([quiet(1.0), voiced(0.04), quiet(5.0)]))
    assert events == []
    assert not d.in_speech


def test_steady_background_noise_raises_the_floor_instead_of_counting_as_speech() -> None:
    d = TurnDetector(TurnConfig(silence_s=2.0))
    fan = quiet(6.0, level=0.02)  # -34 dBFS hum, louder than the absolute speech threshold
    assert run(d, fan) == []
    events = run(d, np.concatenate([voiced(1.5, level=0.3) + quiet(1.5, 0.02), quiet(2.5, 0.02)]))
    assert kinds(events)[0] is Event.SPEECH_STARTED and kinds(events)[-1] is Event.TURN_ENDED


def test_block_size_does_not_change_the_result() -> None:
    audio = np.concatenate([quiet(0.7), voiced(1.3), quiet(0.9), voiced(2.2), quiet(3.3)])
    results = []
    for block in (160, 1600, 7777, len(audio)):
        events = run(TurnDetector(), audio, block)
        results.append([(e.kind, round(e.t, 2)) for e in events])
    assert all(r == results[0] for r in results)
    assert results[0][-1][0] is Event.TURN_ENDED


def test_a_second_turn_in_the_same_block_is_found() -> None:
    audio = np.concatenate([quiet(0.5), voiced(1.0), quiet(3.2), voiced(1.0), quiet(3.2)])
    events = TurnDetector().feed(audio)
    assert kinds(events).count(Event.TURN_ENDED) == 2


def test_a_monologue_is_stopped_at_the_maximum_length() -> None:
    d = TurnDetector(TurnConfig(max_turn_s=5.0))
    events = run(d, np.concatenate([quiet(0.5), voiced(7.0)]))
    assert Event.TURN_ENDED in kinds(events)
    end = next(e for e in events if e.kind is Event.TURN_ENDED)
    assert len(end.answer) / RATE <= 5.0 + 0.7


def test_a_fan_starting_mid_interview_stops_counting_as_speech() -> None:
    d = TurnDetector(TurnConfig(silence_s=3.0, max_turn_s=60.0))
    events = run(d, np.concatenate([quiet(1.0), quiet(20.0, level=0.03)]))
    # At worst a spurious turn while the floor catches up, then nothing more.
    assert kinds(events).count(Event.TURN_ENDED) <= 1
    assert not d.in_speech
    assert d.noise_db > -40.0


def test_speaking_at_once_is_still_heard() -> None:
    d = TurnDetector()
    events = run(d, np.concatenate([voiced(3.0), quiet(3.5)]))
    assert kinds(events)[-1] is Event.TURN_ENDED
    assert len(events[-1].answer) / RATE > 2.0


def test_a_long_answer_without_pauses_is_cut_into_pieces_between_words() -> None:
    d = TurnDetector(TurnConfig(min_piece_s=2.0, max_piece_s=4.0, max_turn_s=60.0))
    events = run(d, np.concatenate([quiet(0.5), voiced(13.0), quiet(3.5)]))
    pieces = [e for e in events if e.kind is Event.PIECE]
    assert len(pieces) >= 2
    assert all(len(p.audio) / RATE <= 4.0 + 0.4 for p in pieces)
    end = events[-1]
    assert end.kind is Event.TURN_ENDED
    assert np.array_equal(np.concatenate([p.audio for p in pieces] + [end.audio]), end.answer)


def test_a_pause_after_a_short_stretch_offers_it_for_speculative_transcription() -> None:
    d = TurnDetector(TurnConfig(min_piece_s=4.0))
    events = run(d, np.concatenate([quiet(0.5), voiced(1.5), quiet(3.2)]))
    assert kinds(events) == [Event.SPEECH_STARTED, Event.PAUSED, Event.TURN_ENDED]
    paused, end = events[1], events[2]
    # Nothing was heard after the pause: the speculative audio is exactly the tail.
    assert paused.offset_s == end.offset_s and np.array_equal(paused.audio, end.audio)
