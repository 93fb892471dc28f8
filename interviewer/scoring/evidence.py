"""Sentence-level evidence: what each sentence of an answer does, and the flags a reviewer needs.

A role comes from two sources that fail differently: the sentence's meaning (its MiniLM
embedding, classified by a model fitted on prototype sentences) and its grammar (cues such as
the agent of the verb or a hypothetical modal). Meaning catches trade-off reasoning that never
says "trade-off"; grammar catches "it was decided" dressed up as a decision. STAR review reuses
:func:`segment` directly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np

from interviewer.embeddings import Encoder, get_encoder
from interviewer.scoring.cues import DISCOURSE, Cues, cues
from interviewer.scoring.model import Artifact, load_artifact
from interviewer.scoring.segment import Span, split_sentences

DUPLICATE_SIM = 0.95  # a sentence this close to an earlier one is repetition, not new evidence


class Role(StrEnum):
    situation = "situation"
    task = "task"
    action = "action"
    decision = "decision"
    team_action = "team_action"
    result = "result"
    vague_result = "vague_result"
    alternatives = "alternatives"
    reflection = "reflection"
    hypothetical = "hypothetical"
    explanation = "explanation"
    filler = "filler"
    injection = "injection"


class StarPart(StrEnum):
    situation = "situation"
    task = "task"
    action = "action"
    result = "result"
    reflection = "reflection"


_STAR: dict[Role, StarPart] = {
    Role.situation: StarPart.situation,
    Role.task: StarPart.task,
    Role.action: StarPart.action,
    Role.decision: StarPart.action,
    Role.team_action: StarPart.action,
    Role.alternatives: StarPart.action,
    Role.result: StarPart.result,
    Role.vague_result: StarPart.result,
    Role.reflection: StarPart.reflection,
}


@dataclass(frozen=True)
class SentenceEvidence:
    """One sentence with its role, STAR part and flags; ``text`` is a verbatim slice of the answer."""

    span: Span
    role: Role
    probs: dict[str, float]
    cues: Cues
    flags: tuple[str, ...] = ()
    vector: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32), repr=False, compare=False)

    @property
    def text(self) -> str:
        return self.span.text

    @property
    def star(self) -> StarPart | None:
        return _STAR.get(self.role)

    @property
    def excluded(self) -> bool:
        """Not evidence: injected instructions, filler, a repeat of an earlier sentence or of the question."""
        return self.role in (Role.injection, Role.filler) or "duplicate" in self.flags or "echo" in self.flags

    def p(self, *roles: str) -> float:
        return sum(self.probs.get(r, 0.0) for r in roles)


def segment(
    answer: str, encoder: Encoder | None = None, artifact: Artifact | None = None, *, story: bool = True
) -> list[SentenceEvidence]:
    """The answer's sentences with roles and flags, from one batched encoder call.

    ``story`` (a behavioral answer) makes "I would..." a hypothetical; in a design or theory
    answer it is just how candidates propose, and the sentence keeps its semantic role.
    """
    spans = split_sentences(answer)
    if not spans:
        return []
    vectors = (encoder or get_encoder()).encode([s.text for s in spans])
    return label(spans, vectors, artifact or load_artifact(), story=story)


def label(
    spans: Sequence[Span], vectors: np.ndarray, artifact: Artifact, *, story: bool = True
) -> list[SentenceEvidence]:
    """Roles for already-embedded sentences."""
    model = artifact.roles
    probs = model.predict_proba(vectors)
    out: list[SentenceEvidence] = []
    cores: list[str] = []
    for i, span in enumerate(spans):
        p = {r: float(v) for r, v in zip(model.roles, probs[i], strict=True)}
        c = cues(span.text)
        core = _core(span.text)
        duplicate = any(
            float(vectors[i] @ vectors[j]) >= DUPLICATE_SIM or (len(core) > 20 and core in cores[j]) for j in range(i)
        )
        cores.append(core)
        if not story:
            p["hypothetical"] = 0.0
            c = replace(c, hypothetical=False)
        role = _role(p, c)
        out.append(SentenceEvidence(span, role, p, c, _flags(role, c, duplicate), vectors[i]))
    return out


def _role(p: dict[str, float], c: Cues) -> Role:
    """The embedding's best guess, overruled where grammar is unambiguous."""
    if c.injection or (p.get("meta", 0.0) >= max(0.45, *p.values()) and not c.mentions_i):
        return Role.injection  # an instruction to the grader, or rubric language about "this answer"
    if (c.filler or c.vacuous_tradeoff) and not (c.first_person or c.numbers or c.criteria):
        return Role.filler  # "um, so, basically", "it depends", "there are pros and cons"
    if c.hypothetical:
        return Role.hypothetical
    ranked = [r for r in sorted(p, key=lambda r: p[r], reverse=True) if r != "meta"]
    substance = c.decision or c.initiative or c.result_number or c.own_setback or c.decided_for_me
    if ranked[0] == "filler" and substance:
        ranked.pop(0)  # filler is set aside as no evidence, unless a cue shows the sentence does carry some
    role = Role(ranked[0])
    if c.lesson or (c.reflection and (p.get("reflection", 0.0) > 0.1 or c.mentions_i)):
        return Role.reflection
    if role is Role.reflection:  # a lesson is the candidate's: without a cue or an "I" it is something else
        role = Role(ranked[1])
    if c.decided_for_me and not c.decision:
        return Role.team_action
    if role in (Role.action, Role.decision) and not c.first_person and (c.team or c.passive):
        return Role.team_action
    if c.task and role in (Role.action, Role.situation, Role.decision, Role.team_action):
        return Role.task
    if c.decision and c.first_person and role not in (Role.alternatives, Role.result):
        return Role.decision
    if c.result_number and role in (Role.vague_result, Role.situation, Role.action, Role.team_action, Role.explanation):
        return Role.result if p.get("result", 0.0) + p.get("vague_result", 0.0) > 0.15 or c.change else role
    if role is Role.result and not c.numbers:
        return Role.vague_result
    if role is Role.hypothetical:  # sounds generic but has no modal: a platitude about oneself, not evidence
        return Role.filler
    if role in (Role.action, Role.decision) and not c.first_person and not c.team:
        return Role.situation if p.get("situation", 0.0) >= p.get("explanation", 0.0) else Role.explanation
    return role


def _core(text: str) -> str:
    """The sentence without openers, case and punctuation: "Like I said, X." repeats "X"."""
    return re.sub(r"[^a-z0-9]+", " ", DISCOURSE.sub("", text, count=1).lower()).strip()


def _flags(role: Role, c: Cues, duplicate: bool) -> tuple[str, ...]:
    flags: list[str] = []
    if duplicate:
        flags.append("duplicate")
    if role is Role.hypothetical:
        flags.append("hypothetical")
    if role is Role.team_action or (c.team_only and role in (Role.action, Role.decision)):
        flags.append("team_only")
    if c.passive and not c.first_person:
        flags.append("passive")
    if role in (Role.result, Role.vague_result) and not (c.baseline or c.change):
        flags.append("result_without_baseline")
    if c.non_result_numbers and not c.result_number:
        flags.append("non_result_number")
    if role is Role.injection:
        flags.append("injection")
    return tuple(flags)
