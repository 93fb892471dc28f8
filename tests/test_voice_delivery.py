"""Delivery metrics over crafted transcripts: pace, fillers (with context), pauses, talk time."""

from __future__ import annotations

import json

import pytest

from interviewer.voice.delivery import DeliveryMetrics, count_fillers, measure, spoken_answer, summarize
from interviewer.voice.testing import transcript_of
from interviewer.voice.transcript import Transcript, Word


def timed(words: list[tuple[str, float, float]]) -> Transcript:
    return Transcript(
        text=" ".join(w for w, _, _ in words),
        duration_s=words[-1][2] + 0.5,
        words=[Word(text=w, start=s, end=e, probability=0.9) for w, s, e in words],
    )


def test_pace_is_words_over_talk_time() -> None:
    t = transcript_of(" ".join(["word"] * 30), seconds_per_word=0.4)  # 30 words from 0 s to 11.92 s
    m = measure(t)
    assert m.words == 30
    assert m.talk_time_s == pytest.approx(29 * 0.4 + 0.32, abs=0.01)
    assert m.words_per_minute == pytest.approx(30 / (m.talk_time_s / 60), rel=0.01)
    assert m.timed


def test_long_pauses_come_from_word_gaps() -> None:
    t = timed([("We", 0.0, 0.3), ("shard", 0.4, 0.8), ("by", 3.5, 3.7), ("user.", 3.8, 4.2), ("Then", 5.0, 5.3)])
    m = measure(t)
    assert [(p.after, p.duration_s) for p in m.long_pauses] == [("shard", 2.7)]
    assert m.longest_pause_s == 2.7
    assert m.talk_time_s == pytest.approx(5.3)


def test_a_pause_of_exactly_the_threshold_is_not_long() -> None:
    t = timed([("a", 0.0, 0.5), ("b", 2.5, 3.0)])
    assert measure(t).long_pauses == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("So, um, I think, like, we basically used a ranking model.", {"so": 1, "um": 1, "like": 1, "basically": 1}),
        ("Uh, we, you know, retrained it weekly. Actually it was daily.", {"uh": 1, "you know": 1, "actually": 1}),
        ("I mean, the recall was kind of low.", {"i mean": 1, "kind of": 1}),
        # Content uses that are not fillers:
        ("I like gradient boosting. It looks like a tree ensemble.", {}),
        ("What kind of model? Do you know the baseline? You know how it works.", {}),
        ("I mean that it scales. It was so fast that we shipped it.", {}),
        ("Umm, uhh, erm.", {"um": 1, "uh": 1, "er": 1}),
    ],
)
def test_filler_words_in_context(text: str, expected: dict[str, int]) -> None:
    assert dict(count_fillers(text)) == expected


def test_fillers_per_minute() -> None:
    t = transcript_of("Um so we, like, um built it and basically shipped it fast to users", seconds_per_word=0.5)
    m = measure(t)
    assert m.fillers == {"um": 2, "like": 1, "basically": 1}
    assert m.filler_count == 4
    assert m.fillers_per_minute == pytest.approx(m.filler_count / (m.talk_time_s / 60), rel=0.02)


def test_without_word_timings_pace_uses_the_recording_length() -> None:
    t = Transcript(text="one two three four five six", duration_s=3.0)
    m = measure(t)
    assert not m.timed
    assert m.words == 6 and m.talk_time_s == 3.0 and m.words_per_minute == 120.0
    assert m.long_pauses == []


def test_empty_transcript_has_no_rates() -> None:
    m = measure(Transcript(text="", duration_s=4.0))
    assert (m.words, m.words_per_minute, m.fillers_per_minute, m.talk_time_s) == (0, None, None, 0.0)


def test_session_summary_weights_by_talk_time_and_gives_notes() -> None:
    fast = measure(transcript_of(" ".join(["um"] + ["word"] * 59), seconds_per_word=0.25))  # ~240 wpm
    slow = measure(transcript_of("word " * 10, seconds_per_word=1.0))  # ~62 wpm
    s = summarize([fast, slow])
    assert s.answers == 2 and s.words == 70
    assert s.words_per_minute == pytest.approx(70 / ((fast.talk_time_s + slow.talk_time_s) / 60), rel=0.01)
    assert s.fillers == {"um": 1}
    assert any("fast" in n for n in summarize([fast]).notes)
    assert any("slow" in n for n in summarize([slow]).notes)
    assert summarize([]).words_per_minute is None


def test_metrics_serialise_for_reports() -> None:
    m = measure(timed([("So,", 0.0, 0.3), ("um,", 0.4, 0.6), ("yes.", 3.0, 3.3)]))
    back = DeliveryMetrics.model_validate(json.loads(m.model_dump_json()))
    assert back == m
    assert back.fillers == {"so": 1, "um": 1}


def test_a_spoken_answer_knows_whether_it_was_corrected() -> None:
    heard = transcript_of("we used a two tower model", confidence=0.5, low_confidence=True)
    unchanged = spoken_answer(heard, sent="  we used a  two tower model ")  # whitespace is not a correction
    assert unchanged.low_confidence and not unchanged.corrected and unchanged.uncertain
    fixed = spoken_answer(heard, sent="we used a two-tower model")
    assert fixed.corrected and not fixed.uncertain and fixed.heard == heard.text
    # the browser shows the transcript after text already in the box: compare with what was shown
    shown = "Context first. we used a two tower model"
    assert not spoken_answer(heard, sent=shown, shown=shown).corrected
    clear = spoken_answer(transcript_of("we used a two tower model"))
    assert not clear.uncertain and clear.delivery.words == 6 and clear.stt_engine == "fake"
