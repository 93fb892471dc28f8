"""Sentence cutting for speech: whole texts and streamed deltas give the same sentences."""

from __future__ import annotations

from interviewer.voice.sentences import SentenceChunker, sentences_of, speakable, split_sentences


def test_sentences_keep_abbreviations_and_decimals_together() -> None:
    text = "Thanks. Let's look at e.g. the loss, which fell 3.5 times! Why?  Go ahead"
    assert split_sentences(text) == [
        "Thanks.",
        "Let's look at e.g. the loss, which fell 3.5 times!",
        "Why?",
        "Go ahead",
    ]


def test_a_long_sentence_is_cut_at_clauses_so_speech_starts_sooner() -> None:
    text = (
        "How would you design a feature store for a recommendation system, considering freshness, "
        "consistency between training and serving, and cost?"
    )
    pieces = split_sentences(text)
    assert len(pieces) > 1
    assert " ".join(pieces) == text
    assert all(len(p.split()) <= 18 for p in pieces)


def test_streamed_tokens_give_the_same_sentences_as_the_whole_text() -> None:
    text = "Good answer. Now, how would you evaluate it offline? Think about 2.5 percent drift, e.g. seasonality."
    tokens = [text[i : i + 3] for i in range(0, len(text), 3)]
    assert list(sentences_of(tokens)) == split_sentences(text)


def test_whole_sentences_fed_without_spaces_are_kept_apart() -> None:
    assert list(sentences_of(["Thanks.", "Next question.", "Why?"])) == ["Thanks.", "Next question.", "Why?"]


def test_a_sentence_is_released_only_when_text_follows_it() -> None:
    c = SentenceChunker()
    assert c.feed("It improved by 3.") == []  # could still be "3.5"
    assert c.feed("5 points. Then") == ["It improved by 3.5 points."]
    assert c.flush() == ["Then"]
    assert c.flush() == []


def test_blank_text_gives_no_sentences() -> None:
    assert split_sentences("  \n ") == []
    assert list(sentences_of([])) == []


def test_markdown_is_not_read_aloud() -> None:
    assert (
        speakable("## Next\n- Use **two towers** and `ann_index.search()`.")
        == "Next Use two towers and ann_index.search()."
    )
    assert speakable("Plain text stays.") == "Plain text stays."
