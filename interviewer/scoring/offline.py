"""The offline scorer: deterministic, no network, no LLM.

Pipeline: guards (empty, gibberish, "I don't know", off-topic) -> sentence evidence (roles and
cues, injected instructions set aside) -> key-point coverage -> per-dimension features -> one
calibrated ordinal model per dimension -> rubric caps -> quotes, rationale and what is missing.
The only expensive step is one batched encoder call per answer; key-point and question vectors
are cached, so an evaluation run pays for each reference once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from interviewer.bank import DEFAULT_DIMENSIONS, Bank, Round
from interviewer.embeddings import Encoder, get_encoder
from interviewer.rubrics import Rubric, load_rubric
from interviewer.scoring import coverage, guards
from interviewer.scoring.evidence import Role, SentenceEvidence, label
from interviewer.scoring.explain import anchor, contradicted_text, found_text, missing_text
from interviewer.scoring.features import (
    Evidence,
    complete_story,
    extract,
    is_alternative,
    is_measured,
    is_result,
    is_weighing,
    model_key,
    own,
    shows_ownership,
)
from interviewer.scoring.model import Artifact, OrdinalModel, load_artifact
from interviewer.scoring.quotes import verify_quotes
from interviewer.scoring.segment import split_sentences
from interviewer.scoring.types import Assessment, DimensionScore, KeyPointMatch, ScoringInput

SUPPORTED = ("ownership", "impact", "tradeoffs", "star", "coverage")
DEFAULT_THRESHOLDS: dict[str, float] = {
    "coverage": 0.75,  # key point covered when a passage's match score reaches this; fitted on train
    "topic": 0.15,  # answer-to-question similarity below which, with no key point near, it is off-topic
    "work": 0.28,  # a behavioral answer less like work talk than this (prototype centroid) is off-topic
    "echo": 0.8,  # a sentence this close to the question restates it and earns nothing
    "topic_key_point": 0.45,  # ... unless some key point matches at least this well
    "hypothetical": 0.5,  # share of hypothetical sentences that makes a behavioral answer hypothetical
    "long_situation": 0.45,  # share of words spent on background above which STAR cannot be 4
}
GUARDS = ("empty", "gibberish", "no_substance", "dont_know", "off_topic")
MAX_QUOTES = 3
MAX_SENTENCES = 200  # ~4,000 words: beyond this an answer is not a spoken answer, and the rest is not read
_CACHE_SIZE = 4096


@dataclass
class Analysis:
    """Everything the levels are computed from; exposed for STAR review, reports and training."""

    item: ScoringInput
    sentences: list[SentenceEvidence]
    key_points: list[KeyPointMatch]
    reference: list[str]
    topic_similarity: float
    work_affinity: float = 0.0
    flags: list[str] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)


class OfflineScorer:
    """The default :class:`~interviewer.scoring.types.Scorer`: sentence evidence plus calibrated models."""

    name = "offline"

    def __init__(
        self,
        encoder: Encoder | None = None,
        artifact: Artifact | None = None,
        rubric: Rubric | None = None,
        bank: Bank | Callable[[], Bank] | None = None,
    ) -> None:
        self.encoder = encoder or get_encoder()
        self.artifact = artifact or load_artifact()
        self.thresholds = {**DEFAULT_THRESHOLDS, **self.artifact.thresholds}
        self.rubric = rubric if rubric is not None else _default_rubric()
        self._bank = bank
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # one scorer serves the app's worker threads

    # -- analysis -------------------------------------------------------------------------
    def analyse(self, item: ScoringInput) -> Analysis:
        spans = split_sentences(item.answer)
        truncated = len(spans) > MAX_SENTENCES
        spans = spans[:MAX_SENTENCES]
        reference = list(item.reference) or self._bank_key_points(item)
        fixed = self.fixed_vectors([item.question, *reference])
        vectors = self.encoder.encode([s.text for s in spans])
        sentences = label(spans, vectors, self.artifact, story=item.round == Round.behavioral)
        q = fixed[item.question]
        sentences = [
            replace(s, flags=(*s.flags, "echo")) if float(s.vector @ q) >= self.thresholds["echo"] else s
            for s in sentences
        ]
        content = [s for s in sentences if not s.excluded]
        kp_vectors = np.stack([fixed[k] for k in reference]) if reference else np.zeros((0, 0))
        matches = coverage.match(reference, kp_vectors, content, self.thresholds["coverage"]) if reference else []
        topic = work = 0.0
        if content:
            mean = np.mean([s.vector for s in content], axis=0)
            mean /= max(float(np.linalg.norm(mean)), 1e-12)
            topic, work = float(mean @ q), float(mean @ self.artifact.roles.centroid)
        analysis = Analysis(item, sentences, matches, reference, topic, work)
        windows, _ = coverage.units(content, max_window=3, min_window=2)
        alt = self.artifact.roles.roles.index("alternatives")
        alt_windows = self.artifact.roles.predict_proba(windows)[:, alt].tolist() if len(windows) else []
        evidence = Evidence(sentences, matches, alt_windows)
        analysis.features = extract(evidence, story=item.round == Round.behavioral)
        analysis.flags = self._flags(analysis) + (["truncated"] if truncated else [])
        return analysis

    def fixed_vectors(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Vectors of the question and key points, cached: they recur across answers and runs.

        Encoded in their own call, so an answer's vectors never depend on what happens to be cached
        (the encoder pads per batch, and padding moves the last bits of a vector).
        """
        with self._lock:
            todo = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        fresh = dict(zip(todo, self.encoder.encode(todo), strict=True)) if todo else {}
        with self._lock:
            for text, vec in fresh.items():
                self._vectors[text] = vec
            out = {t: fresh[t] if t in fresh else self._vectors[t] for t in texts}
            while len(self._vectors) > _CACHE_SIZE:
                self._vectors.popitem(last=False)
        return out

    def _bank_key_points(self, item: ScoringInput) -> list[str]:
        """Without a reference, the question's own key points when it is a bank question."""
        if self._bank is None:
            return []
        with self._lock:
            if callable(self._bank):
                self._bank = self._bank()
        if item.question_id and item.question_id in self._bank:
            return list(self._bank.get(item.question_id).key_points)
        wanted = " ".join(item.question.split()).lower()
        return next((list(q.key_points) for q in self._bank if " ".join(q.text.split()).lower() == wanted), [])

    def _flags(self, a: Analysis) -> list[str]:
        answer = a.item.answer
        if guards.is_empty(answer):
            return ["empty"]
        flags: list[str] = []
        if guards.has_injection(a.sentences):
            flags.append("injection")
        content = [s for s in a.sentences if not s.excluded]
        if guards.is_gibberish(" ".join(s.text for s in content) or answer):
            return [*flags, "gibberish"]
        if guards.is_dont_know(a.sentences):
            return [*flags, "dont_know"]
        if not content or (a.item.round != Round.coding and guards.is_code(answer)):
            return [*flags, "no_substance"]
        near_key_point = max((k.similarity for k in a.key_points), default=0.0) >= self.thresholds["topic_key_point"]
        if a.item.round == Round.behavioral:
            off_topic = a.work_affinity < self.thresholds["work"]
        else:
            off_topic = a.topic_similarity < self.thresholds["topic"] and not near_key_point
        if off_topic:
            return [*flags, "off_topic"]
        if a.item.round == Round.behavioral and a.features["hypothetical_share"] >= self.thresholds["hypothetical"]:
            flags.append("hypothetical")
        if "team_only" in {f for s in content for f in s.flags} and a.features["i_share"] == 0:
            flags.append("team_only")
        if any("result_without_baseline" in s.flags for s in content) and not a.features["result_measured"]:
            flags.append("result_without_baseline")
        return flags

    # -- scoring ----------------------------------------------------------------------------
    def assess(self, item: ScoringInput) -> Assessment:
        a = self.analyse(item)
        dims = item.dimensions or DEFAULT_DIMENSIONS[Round(item.round)]
        scores = {d: self.score_dimension(d, a) for d in dims}
        for s in scores.values():
            verify_quotes(item.answer, s.evidence)  # offline quotes are cut from the answer: a miss is a bug
        return Assessment(engine=self.name, scores=scores, key_points=a.key_points, flags=a.flags)

    def with_models(self, models: dict[str, OrdinalModel], thresholds: dict[str, float] | None = None) -> OfflineScorer:
        """The same scorer with other per-dimension models (cross-validation folds, experiments)."""
        artifact = replace(self.artifact, dimensions=models, thresholds=thresholds or self.artifact.thresholds)
        clone = OfflineScorer(self.encoder, artifact, self.rubric, self._bank)
        clone._vectors, clone._lock = self._vectors, self._lock
        return clone

    def score_dimension(self, dim: str, a: Analysis) -> DimensionScore:
        guard = next((f for f in GUARDS if f in a.flags), None)
        if guard is not None:
            return _guarded(dim, guard)
        if dim == "correctness":
            return _correctness(a)
        if dim not in SUPPORTED:
            return DimensionScore(
                dimension=dim,
                level=None,
                engine=self.name,
                rationale=f"{dim} is not scored by the offline engine; use the llm engine",
            )
        if dim == "coverage" and not a.reference:
            return DimensionScore(
                dimension=dim,
                level=None,
                engine=self.name,
                rationale="abstained: no reference key points to compare the answer against",
                missing="provide the question's key points as the reference",
            )
        model = self.artifact.dimensions.get(model_key(dim, a.item.round == Round.behavioral))
        if model is None:
            return DimensionScore(
                dimension=dim,
                level=None,
                engine=self.name,
                rationale=f"abstained: no trained model for {dim} in offline parameters {self.artifact.version}",
            )
        f = a.features
        s = model.score(f)
        level = min(max(model.level(s), self._floor(dim, a)), self._cap(dim, a))
        conf = float(model.probabilities(s)[level - 1])
        missed = [k for k in a.key_points if not k.covered]
        found = found_text(dim, f, len(a.key_points) - len(missed), len(a.key_points))
        rationale = f"{anchor(self.rubric, dim, level)} Evidence: {found}."
        wrong = [k for k in a.key_points if k.contradicted]
        if wrong and dim == "coverage":
            rationale += " " + contradicted_text(wrong)
        return DimensionScore(
            dimension=dim,
            level=level,
            evidence=_quotes(dim, a),
            rationale=rationale,
            missing=missing_text(dim, level, f, missed),
            engine=self.name,
            confidence=round(conf, 3),
        )

    def _floor(self, dim: str, a: Analysis) -> int:
        """Where an anchor is met outright, the level cannot fall below it: a short story with a brief
        setting, the candidate's action and a result is STAR 3 however few its sentences."""
        f = a.features
        if dim == "star" and complete_story(f) and f["situation_share"] < self.thresholds["long_situation"]:
            return 3
        return 1

    def _cap(self, dim: str, a: Analysis) -> int:
        """Where the rubric is categorical, the evidence bounds the level whatever the model says."""
        f = a.features
        if a.item.round == Round.behavioral and "hypothetical" in a.flags and dim in ("ownership", "impact", "star"):
            return 1
        if dim == "ownership":
            return 1 if f["i_share"] == 0 else 4 if shows_ownership(f) else 2
        if dim == "impact":
            return 1 if not f["result_any"] else 4 if f["result_measured"] else 2
        if dim == "coverage" and any(k.contradicted for k in a.key_points):
            return 2  # the anchors: a notable factual error beside correct points is level 2 at best
        if dim == "star":
            if not complete_story(f):
                return 2
            brief = f["situation_share"] < self.thresholds["long_situation"]
            return 4 if f["has_reflection"] and brief else 3
        return 4


def _guarded(dim: str, guard: str) -> DimensionScore:
    why = {
        "empty": "abstained: the answer is empty",
        "gibberish": "abstained: the answer is not readable text",
        "no_substance": "level 1: only filler, buzzwords, code or a restated question; nothing the rubric can credit",
        "dont_know": "level 1: a non-answer (\"I don't know\") shows none of the rubric's evidence",
        "off_topic": "level 1: the answer does not address the question asked",
    }[guard]
    level = None if guard in ("empty", "gibberish") else 1
    return DimensionScore(
        dimension=dim,
        level=level,
        rationale=why,
        missing="answer the question asked with a real attempt",
        engine="offline",
    )


def _top(sentences: Sequence[SentenceEvidence], key: Callable[[SentenceEvidence], float]) -> list[str]:
    ranked = sorted((s for s in sentences if key(s) > 0), key=key, reverse=True)[:MAX_QUOTES]
    return [s.text for s in sorted(ranked, key=lambda s: s.span.start)]


def _quotes(dim: str, a: Analysis) -> list[str]:
    """The sentences that carry the level: the strongest support, or, at level 1, the problem."""
    content = [s for s in a.sentences if not s.excluded]
    if dim == "ownership":
        quotes = _top(
            content,
            lambda s: (
                (2 * s.cues.decision + s.cues.initiative + s.p("action", "decision"))
                if own(s) and s.role is not Role.reflection
                else 0.0
            ),
        )
        return quotes or _top(content, lambda s: 1.0 if "team_only" in s.flags or s.role is Role.hypothetical else 0.0)
    if dim == "impact":
        return _top(
            content, lambda s: (2 * is_measured(s) + s.cues.measurement + s.p("result")) if is_result(s) else 0.0
        )
    if dim == "tradeoffs":
        return _top(
            content,
            lambda s: s.p("alternatives") + len(s.cues.criteria) / 2 if is_alternative(s) or is_weighing(s) else 0.0,
        )
    if dim == "star":
        picked: list[str] = []
        for role in (Role.situation, Role.task, Role.action, Role.decision, Role.result, Role.reflection):
            best = max((s for s in content if s.role is role), key=lambda s: s.probs.get(role.value, 0.0), default=None)
            if best is not None and best.text not in picked:
                picked.append(best.text)
        return picked[:5]
    if dim == "coverage":
        wrong = [k.evidence for k in a.key_points if k.contradicted and k.evidence]
        right = [k.evidence for k in a.key_points if k.covered and k.evidence]
        return list(dict.fromkeys(wrong + right))[:5]  # a wrong statement is what holds the level down
    return []


def _correctness(a: Analysis) -> DimensionScore:
    """Offline, correctness has evidence only against an answer: a key point stated backwards.

    With none found it abstains, because matching key points cannot show that everything else said
    is right; with one it is the anchor's "one significant error" (2), with more "several factual
    errors" (1).
    """
    wrong = [k for k in a.key_points if k.contradicted and k.evidence]
    if not wrong:
        return DimensionScore(
            dimension="correctness",
            level=None,
            engine="offline",
            rationale="abstained: the offline engine can only find key points stated backwards, and found none; "
            "use the llm engine to judge correctness",
        )
    level = 2 if len(wrong) == 1 else 1
    return DimensionScore(
        dimension="correctness",
        level=level,
        evidence=list(dict.fromkeys(k.evidence for k in wrong if k.evidence))[:MAX_QUOTES],
        rationale=f"level {level}: {contradicted_text(wrong)}",
        missing="correct the statement that contradicts the key point"
        if level == 2
        else "correct the statements that contradict the key points",
        engine="offline",
    )


def _default_rubric() -> Rubric | None:
    """The configured rubric for anchor wording; scoring still works (plainer rationale) without it."""
    from interviewer.config import get_settings
    from interviewer.errors import DataError

    try:
        return load_rubric(get_settings().rubrics_dir)
    except DataError:
        return None
