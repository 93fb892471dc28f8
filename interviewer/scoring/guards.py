"""Answers that must not be scored as answers: empty, gibberish, "I don't know", off-topic.

These are checked before any model runs, because a learned model extrapolates on inputs unlike
its training data, and a confident level 3 for keyboard mashing is exactly the failure that makes
a candidate stop trusting the coach.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache

from interviewer.embeddings import TOKENIZER_PATH
from interviewer.scoring.cues import FUNCTION_WORDS
from interviewer.scoring.evidence import Role, SentenceEvidence

MIN_WORDS = 3
MIN_KNOWN_WORDS = 0.45  # share of words that are whole words of the MiniLM vocabulary
DONT_KNOW_MAX_CONTENT_WORDS = 25  # "I don't know" plus at most a short aside is a non-answer

MIN_FUNCTION_WORDS = 0.08  # English prose is ~40% function words; a heap of nouns is not an answer

_WORD = re.compile(r"[A-Za-z]+")
_CODE_LINE = re.compile(
    r"^\s*(?:def |class |import |from \S+ import |return\b|print\(|for .+ in .+:|while .+:|if .+:|else:|elif |"
    r"[\w.\[\]]+\s*[+\-*/]?=\s*\S|[{}]\s*$|.*;\s*$)"
)


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    """English words the encoder knows whole; gibberish falls apart into word pieces."""
    vocab = json.loads(TOKENIZER_PATH.read_text(encoding="utf-8"))["model"]["vocab"]
    return frozenset(w for w in vocab if w.isalpha() and not w.startswith("##"))


def known_word_share(text: str) -> float:
    words = _WORD.findall(text.lower())
    if not words:
        return 0.0
    vocab = _vocabulary()
    return sum(w in vocab for w in words) / len(words)


def is_empty(answer: str) -> bool:
    return len(_WORD.findall(answer)) < MIN_WORDS


def is_gibberish(answer: str) -> bool:
    letters = sum(c.isalpha() for c in answer)
    visible = sum(not c.isspace() for c in answer)
    if visible and letters / visible < 0.5:
        return True
    if known_word_share(answer) < MIN_KNOWN_WORDS:
        return True
    # A heap of real words with no grammar ("banana tractor purple gradient"); bullet lists of noun
    # phrases are spared by their line breaks.
    words = _WORD.findall(answer.lower())
    lines = sum(1 for ln in answer.splitlines() if ln.strip())
    share = sum(w in FUNCTION_WORDS for w in words) / max(len(words), 1)
    return len(words) >= 5 and (share < MIN_FUNCTION_WORDS / 2 or (share < MIN_FUNCTION_WORDS and lines <= 2))


def is_code(answer: str) -> bool:
    """Mostly source code: an answer to a spoken question, outside the coding round, is prose."""
    lines = [ln for ln in answer.splitlines() if ln.strip()]
    code = sum(bool(_CODE_LINE.match(ln)) for ln in lines)
    return code >= 2 and code * 2 >= len(lines)


def is_dont_know(sentences: Sequence[SentenceEvidence]) -> bool:
    """A non-answer: an admission of not knowing with (almost) nothing else of substance."""
    if not any(s.cues.dont_know for s in sentences):
        return False
    rest = [s for s in sentences if not s.cues.dont_know and not s.excluded]
    return sum(s.span.words for s in rest) <= DONT_KNOW_MAX_CONTENT_WORDS


def has_injection(sentences: Sequence[SentenceEvidence]) -> bool:
    return any(s.role is Role.injection for s in sentences)
