"""Sentence splitting that survives how candidates actually answer.

Spoken answers arrive as run-ons without punctuation, written ones as bullet lists, both with
abbreviations and decimals ("p99 went from 1.8 s to 0.9 s, i.e. halved"). Every piece keeps its
character span, so the text of a :class:`Span` is always a verbatim slice of the answer and can
be quoted as evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_WORDS = 45  # a longer piece is a run-on: cut it at clause boundaries
MIN_PIECE_WORDS = 4  # never cut off a clause shorter than this

# Sentence ends: . ! ? (optionally closing quotes/brackets) followed by whitespace; the
# look-behinds keep decimals ("0.81") and common abbreviations together.
_ABBREV = r"(?:e\.g|i\.e|etc|vs|approx|incl|cf|al)"  # any case
_TITLE = r"(?:Dr|Mr|Ms|Mrs|Prof|Inc|Ltd|No|Fig|St)"  # capitalised only: "150 ms." ends a sentence
_END = re.compile(r"[.!?]+[\"')\]]*(?=\s)")
_ABBREV_END = re.compile(rf"(?:\b(?i:{_ABBREV})|\b{_TITLE})\.$")
_BULLET = re.compile(r"\s*(?:[-*\u2022\u2023\u25aa>]+|\(?\d{1,2}[.)]|\(?[a-hA-H][.)](?=\s))\s+")
# Clause boundaries where a run-on may be cut, strongest first.
_CUTS = [
    re.compile(r";\s+"),
    re.compile(r"(?:,\s*|\s+)(?=(?:and then|and so|so then|after that|but then|which meant|so that meant)\b)", re.I),
    re.compile(r",\s+(?=(?:so|but|then|and|which|because|although|however|whereas)\b)", re.I),
    re.compile(r"\s+(?=(?:so|then|but|and|because)\s+(?:I|we|my|our|the|it|they|that)\b)", re.I),
    re.compile(r",\s+(?=(?:I|we)\b)"),
]
_WORD = re.compile(r"\S+")
# Inside a sentence, where a clause with its own subject begins. One sentence often carries two
# roles ("Latency dropped from 90 to 54 ms, and I learned to benchmark earlier"; "I migrated it and
# latency dropped by 40%"); a participle (", choosing it over item-to-item") keeps the subject it has.
_SUBJECT = r"(?:I|we|it|they|he|she|nobody|everyone)\b"
_NOUN_CLAUSE = (  # "and latency dropped", "but the rollout stalled": a noun phrase, then a finite verb
    r"(?:(?:the|our|my|its|their|a|an)\s+)?(?![\w-]*(?:ed|ing)\b)(?!(?:then|also|and|or)\b)[\w-]+"
    r"(?:\s+(?!(?:and|or|then)\b)[\w-]+)?\s+(?:\w+ed|went|fell|rose|grew|was|were|is|are|stayed|became|stopped)\b"
)
_CLAUSE_CUTS = re.compile(
    r"\s*;\s+|\s+[-\u2013\u2014]\s+"
    r"|,\s+(?=(?:and|but|so|which|because|although|though|while|whereas|until|after\s+which)\b)"
    rf"|,\s+(?={_SUBJECT})"
    rf"|\s+(?=(?:and|but|so|because)\s+(?:{_SUBJECT}|{_NOUN_CLAUSE}))",
    re.IGNORECASE,
)
MIN_CLAUSE_WORDS = 3


@dataclass(frozen=True)
class Span:
    """A sentence of the answer: ``text == answer[start:end]``."""

    text: str
    start: int
    end: int

    @property
    def words(self) -> int:
        return len(_WORD.findall(self.text))


def split_sentences(answer: str) -> list[Span]:
    """The answer's sentences, as spans of the original text, in order."""
    spans: list[Span] = []
    pos = 0
    for line in answer.splitlines(keepends=True):
        _split_line(answer, pos, pos + len(line), spans)
        pos += len(line)
    return spans


def _split_line(answer: str, start: int, end: int, out: list[Span]) -> None:
    m = _BULLET.match(answer, start, end)
    if m and m.end() < end:
        start = m.end()
    seg_start = start
    for m in _END.finditer(answer, start, end):
        head = answer[seg_start : m.end()]
        if _ABBREV_END.search(head.rstrip("\"')]")) or _is_initial(head):
            continue
        _emit(answer, seg_start, m.end(), out)
        seg_start = m.end()
    _emit(answer, seg_start, end, out)


def _is_initial(head: str) -> bool:
    # "J. Smith", "U.S." - a single letter before the dot is not a sentence end
    return bool(re.search(r"(?:^|[\s.])[A-Z]\.$", head))


def _emit(answer: str, start: int, end: int, out: list[Span]) -> None:
    while start < end and answer[start].isspace():
        start += 1
    while end > start and answer[end - 1].isspace():
        end -= 1
    if end <= start or not any(c.isalnum() for c in answer[start:end]):
        return
    for s, e in _cut_run_on(answer, start, end):
        out.append(Span(answer[s:e], s, e))


def _cut_run_on(answer: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut a long piece at the strongest clause boundary nearest its middle, recursively."""
    text = answer[start:end]
    if len(_WORD.findall(text)) <= MAX_WORDS:
        return [(start, end)]
    middle = len(text) / 2
    for cut in _CUTS:
        best: tuple[float, int, int] | None = None
        for m in cut.finditer(text):
            left, right = text[: m.start()], text[m.end() :]
            if len(_WORD.findall(left)) < MIN_PIECE_WORDS or len(_WORD.findall(right)) < MIN_PIECE_WORDS:
                continue
            dist = abs(m.start() - middle)
            if best is None or dist < best[0]:
                best = (dist, m.start(), m.end())
        if best is not None:
            _, a, b = best
            left_end = start + a
            while left_end > start and answer[left_end - 1] in " ,;":
                left_end -= 1
            return _cut_run_on(answer, start, left_end) + _cut_run_on(answer, start + b, end)
    return [(start, end)]


def split_clauses(span: Span) -> list[Span]:
    """The sentence's clauses, as spans of the same answer, for reading each clause's own grammar.

    Only cues are read per clause: the sentence keeps one embedding and one role, and its clauses
    add the STAR parts the role alone would hide. A piece shorter than ``MIN_CLAUSE_WORDS`` stays
    with its neighbour.
    """
    text = span.text
    cuts = [
        m
        for m in _CLAUSE_CUTS.finditer(text)
        if len(_WORD.findall(text[: m.start()])) >= MIN_CLAUSE_WORDS
        and len(_WORD.findall(text[m.end() :])) >= MIN_CLAUSE_WORDS
    ]
    out: list[Span] = []
    start = 0
    for m in cuts:
        piece = text[start : m.start()].rstrip(" ,;")
        if len(_WORD.findall(piece)) >= MIN_CLAUSE_WORDS:
            out.append(Span(piece, span.start + start, span.start + start + len(piece)))
            start = m.end()
    out.append(Span(text[start:], span.start + start, span.end))
    return out
