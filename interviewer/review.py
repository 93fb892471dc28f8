"""STAR story review: what a behavioral story shows, what it hides, and what to ask its author.

The review never writes the story for the candidate. It sorts the candidate's own sentences into
situation, task, action, result and reflection (the offline scorer's sentence evidence), scores
the behavioral dimensions with quoted evidence, flags sentences that weaken a story
(hypothetical "I would", team-only or passive phrasing that hides the candidate's role, results
without a baseline), turns every gap into a question only the candidate can answer, and proposes
an outline made exclusively of their sentences, verbatim, in STAR order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from interviewer.bank import DEFAULT_DIMENSIONS, Round
from interviewer.scoring.evidence import Role, SentenceEvidence, StarPart, segment
from interviewer.scoring.inputs import check_text
from interviewer.scoring.types import Assessment, Scorer, ScoringInput

#: Used for scoring when the story comes without the question it answers.
GENERIC_QUESTION = (
    "Tell me about a time you had a real impact on a project at work: the situation, what you "
    "personally did and decided, and the result."
)
PARTS: tuple[StarPart, ...] = tuple(StarPart)
QUOTE_WORDS = 18

FlagKind = Literal["hypothetical", "team_only", "passive", "result_without_baseline", "injection"]

_FLAG_ADVICE: dict[FlagKind, str] = {
    "injection": "addresses the grader, not the interviewer; it is ignored and should be removed",
    "hypothetical": "says what you would do, not what you did; interviewers want one real past situation",
    "team_only": "hides your own role behind the team; say what you personally did or decided",
    "passive": "is passive, so nobody owns the action; name who did it",
    "result_without_baseline": "states a result without a baseline; give the number before and after, or vs. a control",
}


class StorySentence(BaseModel):
    """A sentence of the story: ``text == story[start:end]``."""

    text: str
    start: int
    end: int
    part: StarPart | None = Field(description="its STAR part; None for explanation, filler, hypothetical")
    role: str
    flags: list[str] = Field(default_factory=list)


class StoryFlag(BaseModel):
    kind: FlagKind
    sentence: str
    advice: str


class OutlineSection(BaseModel):
    part: StarPart
    sentences: list[str] = Field(description="the candidate's sentences, verbatim, in their original order")


class StoryReview(BaseModel):
    story: str
    question: str
    engine: str
    sentences: list[StorySentence]
    parts: dict[str, list[str]]
    assessment: Assessment
    flags: list[StoryFlag]
    questions: list[str] = Field(description="what is missing, asked of the candidate; no fact is invented")
    outline: list[OutlineSection]
    left_out: list[str] = Field(description="sentences the outline leaves out (no STAR part, or flagged)")

    def to_json(self) -> dict[str, object]:
        return {
            "engine": self.engine,
            "question": self.question,
            "parts": self.parts,
            "scores": self.assessment.to_contract()["scores"],
            "fallback_reason": self.assessment.fallback_reason,
            "flags": [f.model_dump() for f in self.flags],
            "questions": self.questions,
            "outline": [{"part": s.part.value, "sentences": s.sentences} for s in self.outline],
            "left_out": self.left_out,
        }


def review_story(story: str, scorer: Scorer, question: str | None = None) -> StoryReview:
    """Review ``story``; ``question`` is the behavioral question it answers, if known."""
    check_text(story, "story")
    question = question or GENERIC_QUESTION
    evidence = segment(story)
    sentences = [
        StorySentence(text=s.text, start=s.span.start, end=s.span.end, part=s.star, role=s.role.value,
                      flags=[f for f in s.flags if f != "duplicate"])
        for s in evidence
    ]
    parts = {p.value: [s.text for s in sentences if s.part is p] for p in PARTS}
    assessment = scorer.assess(ScoringInput(round=Round.behavioral, question=question, answer=story,
                                            dimensions=DEFAULT_DIMENSIONS[Round.behavioral]))
    flags = _flags(evidence)
    outline, left_out = _outline(evidence)
    return StoryReview(
        story=story,
        question=question,
        engine=assessment.engine,
        sentences=sentences,
        parts=parts,
        assessment=assessment,
        flags=flags,
        questions=questions_for(evidence, assessment),
        outline=outline,
        left_out=left_out,
    )


def _flags(evidence: Sequence[SentenceEvidence]) -> list[StoryFlag]:
    out: list[StoryFlag] = []
    for s in evidence:
        kinds = [k for k in _FLAG_ADVICE if k in s.flags]
        if "team_only" in kinds and "passive" in kinds:
            kinds.remove("passive")  # one message per sentence for the same problem
        out.extend(StoryFlag(kind=k, sentence=s.text, advice=f"This sentence {_FLAG_ADVICE[k]}.") for k in kinds)
    return out


def _outline(evidence: Sequence[SentenceEvidence]) -> tuple[list[OutlineSection], list[str]]:
    """STAR order, each part's sentences in story order; nothing added, nothing reworded."""
    keep = [s for s in evidence if s.star is not None and not s.excluded and s.role is not Role.hypothetical]
    kept = {id(s) for s in keep}
    sections = [OutlineSection(part=p, sentences=[s.text for s in keep if s.star is p]) for p in PARTS]
    return sections, [s.text for s in evidence if id(s) not in kept]


def _quote(text: str) -> str:
    """A sentence to quote back inside a question, shortened, without its closing full stop."""
    words = text.rstrip(".").split()
    return " ".join(words) if len(words) <= QUOTE_WORDS else " ".join(words[:QUOTE_WORDS]) + " ..."


def questions_for(evidence: Sequence[SentenceEvidence], assessment: Assessment) -> list[str]:
    """Questions whose answers would fill the story's gaps; each names the gap, none supplies a fact."""
    content = [s for s in evidence if not s.excluded]

    def states(s: SentenceEvidence, part: StarPart) -> bool:
        """A sentence's main part, or one a clause of it states ("Latency fell 40%, and I learned ...")."""
        return s.star is part or part in s.parts

    has = {p: any(states(s, p) for s in content) for p in PARTS}
    roles = {s.role for s in content}
    qs: list[str] = []
    hypothetical = [s for s in content if s.role is Role.hypothetical]
    if hypothetical and len(hypothetical) * 2 >= len(content):
        qs.append(f'You said "{_quote(hypothetical[0].text)}". Can you tell me about one specific time you '
                  "actually did this: when was it, and what happened?")
    if not has[StarPart.situation]:
        qs.append("Where and when did this happen, and what was at stake for the team or the users?")
    if not has[StarPart.task]:
        qs.append("What exactly were you responsible for here, and who gave you that goal (or did you take it on)?")
    own_actions = [s for s in content if states(s, StarPart.action) and s.role is not Role.team_action]
    team_only = [s for s in content if "team_only" in s.flags]
    if not own_actions:
        qs.append("What did you personally do? Walk me through the steps you took yourself.")
    elif team_only:
        qs.append(f'You said "{_quote(team_only[0].text)}". What was your own part in that?')
    if not any(s.role is Role.decision or (s.cues.decision and s.cues.first_person) for s in content):
        qs.append("Which decision in this story was yours, and why did you make it?")
    if Role.alternatives not in roles and not any(s.cues.preference for s in content):
        qs.append("What other options did you consider, and why did you reject them?")
    results = [s for s in content if states(s, StarPart.result)]
    measured = [s for s in results if s.cues.baseline or s.cues.change]
    if not results:
        qs.append("What was the outcome? Which metric moved, from what value to what value?")
    elif not measured:
        qs.append(f'You said "{_quote(results[0].text)}". What was the number before and after, or against a '
                  "control, and how did you measure it?")
    if not has[StarPart.reflection]:
        qs.append("What did you learn from this, or what would you do differently next time?")
    if not qs:
        weakest = min((s for s in assessment.scores.values() if s.level is not None and s.missing),
                      key=lambda s: s.level or 0, default=None)
        if weakest is not None and (weakest.level or 4) < 4:
            qs.append(f"To strengthen {weakest.dimension}: {weakest.missing} "
                      "Can you add that from what actually happened?")
    return qs
