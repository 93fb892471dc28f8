"""How an answer was said: pace, filler words, long pauses and talk time.

Pure functions over a ``Transcript`` so the report, the history trend and the tests all compute
the same numbers. Whisper tends to drop "um" and "uh" from its text, so filler counts are a
floor, never an inflated charge against the candidate.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence

from pydantic import BaseModel, Field

from interviewer.voice.transcript import Transcript

#: A gap between two words longer than this is a long pause.
LONG_PAUSE_S = 2.0
#: Comfortable interview pace, words per minute.
PACE_RANGE = (110.0, 180.0)
#: More fillers per minute than this is worth a note.
FILLERS_PER_MIN_NOTE = 6.0

#: Hesitation sounds, spelled as transcribers write them -> the kind counted.
_HESITATIONS = {"um": "um", "umm": "um", "uhm": "um", "uh": "uh", "uhh": "uh", "er": "er", "erm": "er", "hmm": "hmm"}
_KNOW_BEFORE = frozenset({"do", "did", "does", "don't", "if", "would", "as", "what", "to"})
# fmt: off
_KNOW_AFTER = frozenset({
    "how", "what", "that", "the", "a", "an", "about", "where", "why", "when", "who", "whether",
    "if", "it", "him", "her", "them", "this", "which",
})
_KIND_OF_BEFORE = frozenset({
    "what", "this", "that", "the", "a", "which", "any", "some", "every", "each", "one", "same",
})
# fmt: on
_ALWAYS = {"basically", "actually", "literally"}
_TOKEN = re.compile(r"[A-Za-z']+|[.!?]+|[,;:—]")
_SENTENCE_END = {".", "!", "?", "..."}


class Pause(BaseModel):
    after: str = Field(description="the word before the pause")
    start_s: float
    duration_s: float


class DeliveryMetrics(BaseModel):
    """One answer's delivery. ``timed`` says whether word timings were available (pauses and
    pace are then exact; otherwise pace comes from the recording length and pauses are empty)."""

    words: int
    talk_time_s: float
    words_per_minute: float | None
    fillers: dict[str, int]
    filler_count: int
    fillers_per_minute: float | None
    long_pauses: list[Pause]
    longest_pause_s: float
    timed: bool


class SpokenAnswer(BaseModel):
    """How an answer given by voice was heard, saved with the answer turn (``notes["speech"]``).

    It travels with the text so that the report and history can show delivery, and so that an
    uncertain transcript the candidate did not correct is kept out of the scores rather than
    judged as if the candidate had said exactly those words.
    """

    delivery: DeliveryMetrics
    stt_engine: str = ""
    confidence: float | None = Field(default=None, description="mean word probability, when known")
    low_confidence: bool = False
    corrected: bool = Field(default=False, description="the candidate edited the transcript before sending it")
    heard: str = Field(default="", description="the transcript as recognised, before any correction")
    notes: list[str] = Field(default_factory=list)

    @property
    def uncertain(self) -> bool:
        """A doubtful transcript that nobody confirmed: not to be scored as clean."""
        return self.low_confidence and not self.corrected


def spoken_answer(
    t: Transcript, delivery: DeliveryMetrics | None = None, *, sent: str | None = None, shown: str | None = None
) -> SpokenAnswer:
    """The record of one spoken answer. ``sent`` is the text finally submitted when the candidate
    could edit what was ``shown`` (the browser puts the transcript into the answer box), so that
    a correction is noticed: the candidate's own words are then no longer an uncertain transcript."""
    before = t.text if shown is None else shown
    corrected = sent is not None and " ".join(sent.split()) != " ".join(before.split())
    return SpokenAnswer(
        delivery=delivery or measure(t),
        stt_engine=t.engine,
        confidence=round(t.confidence, 3) if t.confidence is not None else None,
        low_confidence=t.low_confidence,
        corrected=corrected,
        heard=t.text,
        notes=list(t.notes),
    )


class SessionDelivery(BaseModel):
    answers: int
    words: int
    talk_time_s: float
    words_per_minute: float | None
    fillers: dict[str, int]
    filler_count: int
    fillers_per_minute: float | None
    long_pauses: int
    longest_pause_s: float
    notes: list[str]


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text.replace("’", "'"))]


def count_fillers(text: str) -> Counter[str]:
    """Filler words by kind, with context rules so "I like Python" or "what kind of model"
    are not counted: only the discourse-marker uses are."""
    toks = _tokens(text)
    found: Counter[str] = Counter()

    def at(i: int) -> str:
        return toks[i] if 0 <= i < len(toks) else ""

    def sentence_start(i: int) -> bool:
        return i == 0 or at(i - 1) in _SENTENCE_END

    for i, tok in enumerate(toks):
        prev, nxt = at(i - 1), at(i + 1)
        if tok in _HESITATIONS:
            found[_HESITATIONS[tok]] += 1
        elif tok in _ALWAYS:
            found[tok] += 1
        elif tok == "like":
            # "it was, like, huge" / "Like, we..." but not "I like it" or "looks like a".
            if nxt == "," or (prev == "," and nxt in {"um", "uh"}):
                found["like"] += 1
        elif tok == "so" and sentence_start(i):
            found["so"] += 1
        elif tok == "know" and prev == "you":
            # "do you know the answer" and "you know how it works" are questions and content.
            if at(i - 2) not in _KNOW_BEFORE and nxt not in _KNOW_AFTER:
                found["you know"] += 1
        elif tok == "mean" and prev == "i":
            if (sentence_start(i - 1) or at(i - 2) == ",") and (nxt in {",", ""} or nxt in _SENTENCE_END):
                found["i mean"] += 1
        elif tok == "of" and prev in {"kind", "sort"} and at(i - 2) not in _KIND_OF_BEFORE:
            found[f"{prev} of"] += 1
    return found


def _per_minute(count: float, seconds: float) -> float | None:
    return round(count / (seconds / 60.0), 1) if seconds > 0 else None


def measure(t: Transcript, *, long_pause_s: float = LONG_PAUSE_S) -> DeliveryMetrics:
    """Delivery of one answer."""
    words = [w for w in t.words if re.search(r"[A-Za-z0-9]", w.text)]
    n_words = len(words) if words else len(re.findall(r"[A-Za-z0-9']+", t.text))
    pauses: list[Pause] = []
    if words:
        talk = max(0.0, words[-1].end - words[0].start)
        for a, b in itertools.pairwise(words):
            gap = b.start - a.end
            if gap > long_pause_s:
                pauses.append(Pause(after=a.text, start_s=round(a.end, 2), duration_s=round(gap, 2)))
    elif t.segments:
        talk = max(0.0, t.segments[-1].end - t.segments[0].start)
    else:
        talk = t.duration_s if n_words else 0.0
    fillers = count_fillers(t.text)
    total = sum(fillers.values())
    return DeliveryMetrics(
        words=n_words,
        talk_time_s=round(talk, 2),
        words_per_minute=_per_minute(n_words, talk) if n_words else None,
        fillers=dict(fillers.most_common()),
        filler_count=total,
        fillers_per_minute=_per_minute(total, talk) if n_words else None,
        long_pauses=pauses,
        longest_pause_s=max((p.duration_s for p in pauses), default=0.0),
        timed=bool(words),
    )


def summarize(answers: Sequence[DeliveryMetrics]) -> SessionDelivery:
    """A session's delivery: totals weighted by talk time, so one short answer cannot swing it."""
    words = sum(a.words for a in answers)
    talk = sum(a.talk_time_s for a in answers)
    fillers: Counter[str] = Counter()
    for a in answers:
        fillers.update(a.fillers)
    filler_count = sum(fillers.values())
    wpm = _per_minute(words, talk) if words else None
    fpm = _per_minute(filler_count, talk) if words else None
    return SessionDelivery(
        answers=len(answers),
        words=words,
        talk_time_s=round(talk, 2),
        words_per_minute=wpm,
        fillers=dict(fillers.most_common()),
        filler_count=filler_count,
        fillers_per_minute=fpm,
        long_pauses=sum(len(a.long_pauses) for a in answers),
        longest_pause_s=max((a.longest_pause_s for a in answers), default=0.0),
        notes=feedback(wpm, fpm, fillers),
    )


def feedback(wpm: float | None, fillers_per_minute: float | None, fillers: Counter[str] | None = None) -> list[str]:
    """Plain-language notes a candidate can act on; nothing when delivery was fine."""
    notes = []
    low, high = PACE_RANGE
    if wpm is not None and wpm < low:
        notes.append(
            f"pace {wpm:.0f} words/min is slow (aim for {low:.0f}-{high:.0f}): fewer restarts, shorter sentences"
        )
    if wpm is not None and wpm > high:
        notes.append(f"pace {wpm:.0f} words/min is fast (aim for {low:.0f}-{high:.0f}): pause after each key point")
    if fillers_per_minute is not None and fillers_per_minute > FILLERS_PER_MIN_NOTE:
        top = ", ".join(f'"{k}"' for k, _ in (fillers or Counter()).most_common(3))
        notes.append(f"{fillers_per_minute:.1f} filler words/min ({top}): a silent pause reads as more confident")
    return notes
