"""The offline encoder: right shape, batch-independent vectors, integrity checks, both adapters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from interviewer import embeddings
from interviewer.embeddings import ChromaEmbeddingFunction, LangChainEmbeddings, MiniLMEncoder, get_encoder
from interviewer.errors import InterviewerError

TEXTS = [
    "Design a recommendation system for short videos.",
    "What is the gradient of softmax cross-entropy with respect to the logits?",
    "LRU cache",
    "Tell me about a time you disagreed with a product manager about a launch metric and how it ended.",
]


def test_vectors_are_unit_length_and_batch_independent() -> None:
    together = MiniLMEncoder().encode(TEXTS)
    alone = np.stack([MiniLMEncoder().encode([t])[0] for t in TEXTS])  # fresh encoders: no cache
    assert together.shape == (4, 384)
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    # Padding per batch must not change any vector.
    np.testing.assert_allclose(together, alone, atol=1e-4)


def test_similarity_is_semantic() -> None:
    v = get_encoder().encode(
        ["how do I build a video recommender", "designing recommendations for a short-video app", "boil an egg"]
    )
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2


def test_long_text_is_truncated_not_an_error() -> None:
    v = get_encoder().encode(["word " * 20_000])
    assert v.shape == (1, 384) and np.isfinite(v).all()


def test_empty_input_gives_empty_matrix() -> None:
    assert get_encoder().encode([]).shape == (0, 384)


def test_corrupt_tokenizer_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "tokenizer.json"
    bad.write_text("{}")
    monkeypatch.setattr(embeddings, "TOKENIZER_PATH", bad)
    with pytest.raises(InterviewerError, match="sha256"):
        MiniLMEncoder()


def test_adapters_share_the_encoder() -> None:
    enc = get_encoder()
    expected = enc.encode(["feature store"])[0]
    lc = LangChainEmbeddings(enc)
    np.testing.assert_allclose(lc.embed_query("feature store"), expected, atol=1e-6)
    np.testing.assert_allclose(lc.embed_documents(["feature store"])[0], expected, atol=1e-6)
    chroma = ChromaEmbeddingFunction(enc)
    np.testing.assert_allclose(chroma(["feature store"])[0], expected, atol=1e-6)


def test_cache_returns_the_same_vectors_and_handles_repeats() -> None:
    enc = MiniLMEncoder()
    enc.cache_size = 3
    first = enc.encode([*TEXTS, TEXTS[0]])  # a repeat inside one call
    np.testing.assert_array_equal(first[0], first[-1])
    assert len(enc._cache) == 3  # bounded
    again = enc.encode(TEXTS)
    np.testing.assert_allclose(again, first[:4], atol=1e-6)
