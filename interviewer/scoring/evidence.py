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
from interviewer.scoring.cues import DISCOURSE, ClauseCues, Cues, clause_cues, cues
from interviewer.scoring.model import Artifact, load_artifact
from interviewer.scoring.segment import Span, split_clauses, split_sentences

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
    """One sentence with its role, STAR parts and flags; ``text`` is a verbatim slice of the answer.

    ``role`` is what the sentence mainly does; ``parts`` every STAR part it carries, read clause by
    clause, because one sentence often acts and reports ("I migrated it and latency dropped by 40%").
    """

    span: Span
    role: Role
    probs: dict[str, float]
    cues: Cues
    flags: tuple[str, ...] = ()
    vector: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32), repr=False, compare=False)
    parts: frozenset[StarPart] = frozenset()

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
    acted = False  # has the story reached the candidate's first action yet?
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
        if story and not acted and role is Role.vague_result and not (c.vague_result or c.first_person):
            # before any work there is nothing to have resulted: "Our image service was too slow at
            # peak" opening a story is its situation, however outcome-like it sounds
            role = Role.situation
        if story and role not in _NO_PARTS:  # STAR is a story's structure: elsewhere a role is its part
            clauses = split_clauses(span)
            read = [ClauseCues.of(c)] if len(clauses) == 1 else [clause_cues(cl.text) for cl in clauses]
            parts = _parts(role, read, [cl.text for cl in clauses])
        else:
            part = _STAR.get(role)
            parts = frozenset((part,) if part else ())
        acted = acted or StarPart.action in parts
        out.append(SentenceEvidence(span, role, p, c, _flags(role, c, duplicate), vectors[i], parts))
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
    # options set against each other on a named criterion are never empty talk
    weighs = bool(c.criteria and c.options and (c.comparative or c.cost or c.preference))
    substance = c.decision or c.initiative or c.result_number or c.own_setback or c.decided_for_me or weighs
    if ranked[0] == "filler" and substance:
        ranked.pop(0)  # filler is set aside as no evidence, unless a cue shows the sentence does carry some
    role = Role(ranked[0])
    if c.lesson or (c.reflection and (p.get("reflection", 0.0) > 0.1 or c.mentions_i)):
        return Role.reflection
    if role is Role.reflection:  # a lesson is the candidate's: without a cue or an "I" it is something else
        role = Role(ranked[1])
    if c.decided_for_me and not c.decision:
        return Role.team_action
    if role is Role.team_action and c.first_person and not (c.team or c.passive or c.weak_i):
        role = Role.action  # the meaning sounds like teamwork, but the grammar's agent is the candidate alone
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


# "I was the tech lead", "I had two weeks": the candidate as the subject of a state, not of an action
_STATE = re.compile(
    r"\bI\s+(?:was|am|'m|had|have)\b(?!\s+(?:to|just|already|\w+ed|built|made|done|written|taken|given|run|led|set|"
    r"put|found|kept|shipped|brought|taught|seen)\b)",
    re.IGNORECASE,
)
_SETTING = (StarPart.situation, StarPart.task)
_NO_PARTS = (Role.hypothetical, Role.filler, Role.injection)  # not evidence of any part of a story
# A number in a goal is a target, not a result: "we needed to cut p99 from 200 ms to 100 ms"
_TARGET = re.compile(
    r"\b(?:needed|need|had|wanted|aimed|asked|tasked|planned|hoped|supposed|expected|goal|target|objective|budget)"
    r"\s+(?:was\s+|is\s+)?(?:to|of)\b",
    re.IGNORECASE,
)
# Background grammar: a subordinate clause of time or cause, or a state ("our ranking was slow",
# "it wasn't my area", "it hadn't had new features in a year")
_SCENE = re.compile(
    r"^\W*(?:(?:and|but|so)\s+)?(?:when|while|because|since|as|after|before|until|although|though|whereas|during|"
    r"once|given)\b|\b(?:was|were|is|are|had|has|have|hadn't|wasn't|weren't|isn't|didn't|couldn't|could\s+not)\b",
    re.IGNORECASE,
)


def _clause_parts(c: ClauseCues, text: str) -> set[StarPart]:
    """What one clause shows by grammar alone; empty for a clause that only sets the scene or explains."""
    if c.hypothetical:
        return set()
    if c.task:
        return {StarPart.task}
    if c.lesson or (c.reflection and c.mentions_i):
        return {StarPart.reflection}
    parts = set()
    if c.result_number and not _TARGET.search(text):
        parts.add(StarPart.result)
    if c.first_person and not (c.weak_i or c.decided_for_me or _STATE.search(text)):
        parts.add(StarPart.action)
    return parts


def _sets_scene(c: ClauseCues, text: str) -> bool:
    """Background: a clause with the grammar of a setting that is not empty talk or a passive action."""
    empty = c.hypothetical or c.vague_result or c.empty_talk or c.passive
    return not empty and bool(_SCENE.search(text))


def _parts(role: Role, clause_cues: Sequence[ClauseCues], texts: Sequence[str]) -> frozenset[StarPart]:
    """The sentence's STAR parts: its role's, and what its clauses state (actions, results, lessons,
    and, beside them, background: "..., because it hadn't had new features in a year").

    A setting has to be said: a sentence whose clauses report the candidate acting and the result,
    with nothing of a setting's grammar, is not the situation or the task, whatever it sounds like
    ("I migrated the ranking service to a two-tower model and latency dropped by 40%" has no situation;
    "A model I deployed started flagging every click as fraud" keeps its own).
    """
    shown = [_clause_parts(c, text) for c, text in zip(clause_cues, texts, strict=True)]
    parts = set().union(*shown)
    primary = _STAR.get(role)
    acts_and_reports = {StarPart.action, StarPart.result} <= parts
    if primary in _SETTING and primary not in parts and acts_and_reports and not any(map(_SCENE.search, texts)):
        primary = None
    if primary is not None:
        parts.add(primary)
    if len(shown) > 1 and any(
        not s and _sets_scene(c, text) for s, c, text in zip(shown, clause_cues, texts, strict=True)
    ):
        parts.add(StarPart.situation)
    return frozenset(parts)


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
