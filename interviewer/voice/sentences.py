"""Cutting text into speakable pieces as it arrives.

Speech starts as soon as the first sentence is complete, not when the whole reply is: that is
what makes a spoken interviewer feel responsive. A long first sentence is cut again at a clause
boundary, because synthesis time grows with length and the first piece sets the delay.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

#: Abbreviations whose full stop does not end a sentence.
_ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "prof", "approx", "fig", "no", "st", "jr", "sr"}
_END = re.compile(r"""([.!?…]+["')\]]*)(\s+|$)""")
_CLAUSE = re.compile(r"([,;:—])\s+")
#: Pieces longer than this many words are cut at a clause boundary when one exists.
MAX_WORDS = 18


def _is_abbreviation(text: str, dot_at: int) -> bool:
    start = dot_at
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot_at].lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _split_long(sentence: str, max_words: int) -> list[str]:
    if len(sentence.split()) <= max_words:
        return [sentence]
    pieces: list[str] = []
    current = ""
    for part in _CLAUSE.split(sentence):
        if _CLAUSE.fullmatch(part + " "):
            current += part
            if len(current.split()) >= 4:
                pieces.append(current.strip())
                current = ""
            continue
        current += (" " if current and not current.endswith(" ") else "") + part
    if current.strip():
        pieces.append(current.strip())
    return pieces


def split_sentences(text: str, *, max_words: int = MAX_WORDS) -> list[str]:
    """Whole text -> sentences (long ones cut at commas), whitespace normalised."""
    text = " ".join(text.split())
    out: list[str] = []
    start = 0
    for m in _END.finditer(text):
        if m.group(1) == "." and _is_abbreviation(text, m.start(1)):
            continue
        if m.group(2) == "" and m.end() != len(text):
            continue
        piece = text[start : m.end(1)].strip()
        if piece:
            out.extend(_split_long(piece, max_words))
        start = m.end()
    rest = text[start:].strip()
    if rest:
        out.extend(_split_long(rest, max_words))
    return out


class SentenceChunker:
    """Text deltas in (LLM tokens or whole sentences), complete sentences out.

    A sentence is released only when text follows its final punctuation, since "e.g." or
    "3.5" could still be mid-sentence; ``flush`` releases the rest at the end of the reply.
    """

    def __init__(self, max_words: int = MAX_WORDS) -> None:
        self.max_words = max_words
        self._buf = ""

    def feed(self, delta: str) -> list[str]:
        if self._buf[-1:] in {".", "!", "?"} and delta[:1].isupper():
            self._buf += " "  # whole sentences fed one by one, with no space between them
        self._buf += delta
        pieces = split_sentences(self._buf, max_words=self.max_words)
        if len(pieces) <= 1:
            return []
        done = pieces[:-1]
        # Keep the unfinished tail in the buffer, with its original spacing from the last piece on.
        tail = pieces[-1]
        idx = " ".join(self._buf.split()).rfind(tail)
        self._buf = " ".join(self._buf.split())[idx:] if idx >= 0 else tail
        return done

    def flush(self) -> list[str]:
        rest, self._buf = self._buf, ""
        return split_sentences(rest, max_words=self.max_words)


def sentences_of(deltas: Iterable[str], *, max_words: int = MAX_WORDS) -> Iterator[str]:
    """Stream of text deltas -> stream of sentences."""
    chunker = SentenceChunker(max_words)
    for delta in deltas:
        yield from chunker.feed(delta)
    yield from chunker.flush()


_MARKUP = re.compile(r"(\*\*|__|`+|^#+\s*|^\s*[-*]\s+)", re.M)


def speakable(text: str) -> str:
    """Text as it should be read aloud: Markdown emphasis, code ticks, headings and bullet
    marks are for the eye (a voice would read them out or stumble on them)."""
    return " ".join(_MARKUP.sub("", text).split())
