"""Which bank question comes next: retrieval by round, level, topics, focus areas and a pasted job
description or resume; never a question already asked in the session, and not one from recent
sessions unless the candidate allows it (or the bank has nothing else left).

The query is fixed for a round, so one search serves every question of it; when a round begins,
every level its phases need is searched at once, so no answer waits on the encoder.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from interviewer.bank import Bank, Level
from interviewer.index import QuestionIndex
from interviewer.retrieval import Hit, search
from interviewer.rounds import Phase, Stage

CANDIDATES = 15  # retrieval hits kept per round and level


class QuestionPicker:
    def __init__(
        self,
        index: QuestionIndex,
        bank: Bank,
        *,
        level: Level,
        topics: Sequence[str] = (),
        focus: Sequence[str] = (),
        context: str = "",
        recent: Collection[str] = (),
    ) -> None:
        self.index = index
        self.bank = bank
        self.level = level
        self.topics = list(topics)
        self.wanted = {t.lower() for t in topics}
        self.terms = " ".join([*topics, *focus, context]).strip()
        self.recent = set(recent)
        self._hits: dict[tuple[str, int, str], list[Hit]] = {}

    def rank(self, phase: Phase) -> int:
        """The level a phase asks at: the candidate's, moved by the phase (a theory ladder)."""
        return min(4, max(1, self.level.rank + phase.level_offset))

    def next(self, stage: Stage, phase: Phase, asked: Sequence[str], *, first: bool = False) -> Hit | None:
        """The best question for this phase; None when the bank has nothing left for it.
        ``first``: the round's first question, when every level the round needs is searched."""
        done = set(asked)
        if first:
            for ph in stage.script.phases:
                if ph.ask == "new":
                    self._candidates(stage, self.rank(ph), done | self.recent)
        rank = self.rank(phase)
        hits: list[Hit] = []
        for exclude in (done | self.recent, done) if self.recent else (done,):
            hits = self._candidates(stage, rank, exclude)
            if hits:
                break
        if not hits:
            return None
        asked_topics = {self.bank.get(q).topic for q in done if q in self.bank}

        def preference(h: Hit) -> tuple[int, bool, float]:
            bonus = 0.1 if h.topic.lower() in self.wanted else 0.0
            return abs(int(h.level[-1]) - rank), h.topic in asked_topics, -(h.score + bonus)

        return min(hits, key=preference)

    def _candidates(self, stage: Stage, rank: int, exclude: set[str]) -> list[Hit]:
        query = self.terms or f"{stage.persona.role}: {stage.script.title}"
        key = (stage.script.round.value, rank, query)
        hits = [h for h in self._hits.get(key, []) if h.id not in exclude and h.id in self.bank]
        if not hits:  # first use, or every cached hit is taken: search again past them
            found = search(self.index, query, round=key[0], max_level=f"MLE{rank}", k=CANDIDATES, exclude=exclude)
            self._hits[key] = found
            hits = [h for h in found if h.id not in exclude and h.id in self.bank]
        return hits
