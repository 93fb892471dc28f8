"""Per-answer features, one small set per rubric dimension, aggregated from sentence evidence.

Every feature is a share of the answer's evidence sentences or a count capped at 2-3, so padding
an answer to three times its length cannot raise it, and each has a declared sign (``SIGNS``)
that training must respect: buzzword density and team-only phrasing can only lower a level.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from interviewer.scoring.evidence import Role, SentenceEvidence, StarPart
from interviewer.scoring.types import KeyPointMatch

# Models are per dimension, or per dimension and round group where the evidence looks different:
# trade-offs in a story are decisions made, in a design answer they are options proposed.
# fmt: off
FEATURES: dict[str, list[str]] = {
    "ownership": ["ownership_tier", "i_share", "i_action", "decisions", "decision_reasons", "driver_kinds", "noticed",
                  "directed_share", "team_only_share", "weak_i_only", "hypothetical_share", "blame"],
    "impact": ["impact_tier", "result_any", "result_number", "result_measured", "measurement", "business", "vague_only",
               "hypothetical_share"],
    "tradeoffs@story": ["tradeoffs_tier", "alt_semantic", "alt_window", "options", "weighed", "criteria_kinds",
                        "alt_quantified", "condition", "situational", "mitigation", "dismissed", "vacuous_only",
                        "buzz_density", "hypothetical_share"],
    "tradeoffs@technical": ["tradeoffs_tier", "alt_semantic", "alt_window", "options", "weighed", "criteria_kinds",
                            "alt_quantified", "condition", "situational", "mitigation", "dismissed", "vacuous_only",
                            "buzz_density", "overclaim", "cov_frac"],
    "star": ["star_tier", "has_situation", "has_task", "i_actions", "has_result", "has_reflection", "action_share",
             "situation_share", "team_only_share", "hypothetical_share"],
    "coverage": ["cov_frac", "buzz_density", "overclaim"],
}

# +1: can only raise the level, -1: can only lower it (enforced as bounds when fitting).
SIGNS: dict[str, int] = {
    "ownership_tier": 1, "impact_tier": 1, "tradeoffs_tier": 1, "star_tier": 1,
    "i_share": 1, "i_action": 1, "decisions": 1, "decision_reasons": 1, "driver_kinds": 1, "noticed": 1,
    "directed_share": -1, "team_only_share": -1, "weak_i_only": -1, "hypothetical_share": -1, "blame": -1,
    "result_any": 1, "result_number": 1, "result_measured": 1, "measurement": 1, "business": 1, "vague_only": -1,
    "alt_semantic": 1, "alt_window": 1, "options": 1, "weighed": 1, "criteria_kinds": 1, "alt_quantified": 1,
    "condition": 1, "situational": 1, "mitigation": 1, "dismissed": -1, "vacuous_only": -1, "buzz_density": -1,
    "has_situation": 1, "has_task": 1, "i_actions": 1, "has_result": 1, "has_reflection": 1, "action_share": 1,
    "situation_share": -1,
    "cov_frac": 1, "overclaim": -1,
}
# fmt: on


def model_key(dim: str, story: bool) -> str:
    """The model that scores ``dim`` for a story (behavioral) or a technical answer."""
    key = f"{dim}@{'story' if story else 'technical'}"
    return key if key in FEATURES else dim


_ACTION_ROLES = (Role.action, Role.decision, Role.alternatives)
_SETTING = frozenset((StarPart.situation, StarPart.task))
_RESULT_ROLES = (Role.result, Role.vague_result)


@dataclass
class Evidence:
    """What the features are computed from: the analysed sentences and the key-point matches."""

    sentences: list[SentenceEvidence]
    key_points: list[KeyPointMatch] = field(default_factory=list)
    alt_windows: list[float] = field(default_factory=list)  # P(alternatives) of 2-3 sentence windows

    @property
    def content(self) -> list[SentenceEvidence]:
        return [s for s in self.sentences if not s.excluded]


def _cap(n: float, k: int) -> float:
    return min(n, k) / k


def own(s: SentenceEvidence) -> bool:
    """A first-person, real (not hypothetical) sentence."""
    return s.cues.first_person and s.role is not Role.hypothetical


def background_words(content: list[SentenceEvidence]) -> int:
    """Words of background: sentences without the candidate in them that neither act nor report.

    Read from grammar as much as from role, because the role model confuses background with
    explanation or with options, and a story may open with a headline ("I improved X") before it.
    """
    acting = (Role.action, Role.decision, Role.team_action, Role.result, Role.vague_result, Role.reflection)
    return sum(s.span.words for s in content if not s.cues.mentions_i and s.role not in acting)


def driver_kinds(content: list[SentenceEvidence]) -> set[str]:
    """Which level-4 ownership signals the story shows: unasked, against a plan, influence, setback owned."""
    kinds = set()
    for s in content:
        c = s.cues
        if s.role is Role.hypothetical:
            continue
        if c.unasked and c.mentions_i:
            kinds.add("unasked")
        if c.against:
            kinds.add("against")
        if c.influence:
            kinds.add("influence")
        if c.own_setback or (own(s) and c.follow_through):
            kinds.add("setback")
    return kinds


def is_weighing(s: SentenceEvidence) -> bool:
    """A criterion set against a cost or a comparison, with some substance: "X is cheaper but staler",
    "but Adam keeps two extra floats per parameter, tripling the memory", or one option taken over
    another for a named criterion: "choosing it over item-to-item for freshness"."""
    c = s.cues
    if not c.criteria or not (c.cost or c.comparative or c.preference):
        return False
    support = (c.cost >= 1) + (c.comparative >= 1) + (c.options >= 1) + (len(c.criteria) >= 2) + (c.numbers > 0)
    support += c.preference
    return support >= 2


def is_alternative(s: SentenceEvidence) -> bool:
    """Options weighed: the embedding says so, or the grammar of weighing is there."""
    return s.role is Role.alternatives or (is_weighing(s) and (s.cues.options >= 1 or s.p("alternatives") >= 0.1))


def is_result(s: SentenceEvidence) -> bool:
    """An outcome of the work; "it went well" and "everyone was happy" are not (impact level 1)."""
    if s.cues.vague_result and not s.cues.numbers:
        return False
    return (
        s.role in _RESULT_ROLES
        or StarPart.result in s.parts
        or (s.cues.result_number and s.p("result", "vague_result") >= 0.1)
    )


def is_measured(s: SentenceEvidence) -> bool:
    return s.cues.result_number and is_result(s)


def extract(ev: Evidence, story: bool = True) -> dict[str, float]:
    """All features of one answer (every dimension's), as plain floats."""
    content = ev.content
    n = max(len(content), 1)
    # Shares of STAR parts are by words: one long background run-on outweighs three short actions.
    words = max(sum(s.span.words for s in content), 1)

    # a lesson is not an action, but "I added a cache, and I learned to profile first" also acts
    mine = [s for s in content if own(s) and (s.role is not Role.reflection or StarPart.action in s.parts)]
    # A sentence can act and report: "I fixed the serving code, and the errors stopped" is both.
    actions = [
        s
        for s in mine
        if s.role in _ACTION_ROLES
        or s.role is Role.task
        or s.p("action", "decision") >= 0.2
        or StarPart.action in s.parts
    ]
    decisions = [s for s in mine if s.role is Role.decision or s.cues.decision]
    hyp = [s for s in content if s.role is Role.hypothetical]
    team_only = [s for s in content if "team_only" in s.flags]

    results = [s for s in content if is_result(s) and s.role is not Role.hypothetical]
    measured = [s for s in results if is_measured(s)]
    numbered = [s for s in results if s.cues.numbers > s.cues.non_result_numbers]

    alts = [s for s in content if is_alternative(s)]
    weighing = [s for s in content if is_weighing(s)]
    tradeoff_region = alts + [s for s in weighing if s not in alts]
    alt_p = sorted((s.p("alternatives") for s in content), reverse=True)[:2]

    kps = ev.key_points
    f: dict[str, float] = {
        # ownership
        "i_share": len(mine) / n,
        "i_action": len(actions) / n,
        "decisions": _cap(len(decisions), 3),
        "decision_reasons": _cap(sum(1 for s in decisions if s.cues.reason), 2),
        "driver_kinds": _cap(len(driver_kinds(content)), 3),
        "noticed": float(any(s.cues.noticed for s in mine)),
        "directed_share": sum(1 for s in content if s.cues.decided_for_me) / n,
        "team_only_share": len(team_only) / n,
        "weak_i_only": float(any(s.cues.weak_i for s in content) and not decisions),
        "hypothetical_share": len(hyp) / n,
        "blame": float(any(s.cues.blame for s in content)),
        # impact
        "result_any": float(bool(results)),
        "result_number": float(bool(numbered)),
        "result_measured": _cap(len(measured), 2),
        "measurement": float(
            any(s.cues.measurement for s in results) or (bool(measured) and any(s.cues.measurement for s in content))
        ),
        "business": float(any(s.cues.business for s in measured)),
        "vague_only": float(bool(results) and not numbered),
        # trade-offs
        "alt_semantic": sum(alt_p) / 2,
        "alt_window": sum(sorted(ev.alt_windows, reverse=True)[:2]) / 2,
        "options": _cap(sum(1 for s in content if s.cues.options), 2),
        "weighed": _cap(len(weighing), 3),
        "criteria_kinds": _cap(len({k for s in tradeoff_region for k in s.cues.criteria}), 3),
        # any magnitude counts here, durations and sizes included: "two weeks of work", "400 MB vs 20"
        "alt_quantified": float(any(s.cues.numbers for s in tradeoff_region)),
        "condition": _cap(sum(1 for s in content if s.cues.condition and s.role is not Role.hypothetical), 2),
        "situational": _cap(
            sum(1 for s in content if s.cues.situational and (s.role is not Role.hypothetical or not story)), 2
        ),
        "mitigation": float(any(s.cues.mitigation for s in content) and bool(tradeoff_region)),
        "dismissed": float(any(s.cues.dismissal for s in content)),
        "vacuous_only": float(any(s.cues.vacuous_tradeoff for s in ev.sentences) and not tradeoff_region),
        "buzz_density": min(sum(s.cues.buzz for s in ev.sentences) / words * 10, 1.0),
        "overclaim": min(sum(s.cues.overclaim for s in content) / words * 100 / 3, 1.0),  # 3 per 100 words saturates
        # STAR
        "has_situation": float(any(StarPart.situation in s.parts for s in content)),
        "has_task": float(any(StarPart.task in s.parts for s in content)),
        "i_actions": _cap(len(actions), 3),
        "has_result": float(bool(results)),
        "has_reflection": float(any(StarPart.reflection in s.parts for s in content)),
        "action_share": sum(s.span.words for s in actions) / words,
        "situation_share": background_words(content) / words,
        # anything that sets the scene: a situation or task, or background without the candidate in it
        "has_setting": float(any(s.parts & _SETTING for s in content) or background_words(content) > 0),
        # coverage
        "cov_frac": sum(k.covered for k in kps) / len(kps) if kps else 0.0,
    }
    f.update(tiers(f))
    return f


def complete_story(f: dict[str, float]) -> bool:
    """STAR's level-3 anchor: a setting, the candidate's actions and a result are all there."""
    return bool(f["has_setting"] and f["i_actions"] and f["has_result"])


def shows_ownership(f: dict[str, float]) -> bool:
    """Some level-3 ownership evidence: a decision of one's own, a driving signal, or several concrete
    own actions; one action sentence alone ("I migrated the service") is a participant's account."""
    return bool(f["decisions"] or f["driver_kinds"] or f["noticed"] or f["i_actions"] >= 2 / 3)


def tiers(f: dict[str, float]) -> dict[str, float]:
    """Each rubric's anchors read as rules over the evidence, one level per dimension.

    The anchors are conjunctions ("two options AND a criterion AND the choice") that a linear model
    over separate features cannot express; this gives it them as one more feature, and keeps the
    level explainable by the anchor it satisfied.
    """
    hyp = f["hypothetical_share"] >= 0.5
    ownership = 1
    if f["i_share"] > 0 and not hyp:
        ownership = 2
        if f["decisions"] > 0 and f["directed_share"] < 0.25:
            ownership = 3
            if f["driver_kinds"] >= 2 / 3 or (f["driver_kinds"] > 0 and f["decision_reasons"] > 0):
                ownership = 4
    impact = 1
    if f["result_any"] and not hyp:
        impact = 2
        if f["result_measured"]:
            impact = 3
            if f["measurement"] and f["business"]:
                impact = 4
    tradeoffs = 1
    if f["options"] or f["alt_semantic"] >= 0.35 or f["weighed"]:
        tradeoffs = 2
        if f["weighed"] and f["criteria_kinds"] > 0 and not f["dismissed"]:
            tradeoffs = 3
            depth = f["alt_quantified"] + f["condition"] + f["situational"] + f["mitigation"]
            if f["criteria_kinds"] >= 2 / 3 and depth >= 2:
                tradeoffs = 4
    star = 1
    if not hyp and (f["i_actions"] or f["has_result"]):
        star = 2
        if complete_story(f):
            star = 3
            if f["has_reflection"] and f["situation_share"] < 0.4:
                star = 4
    return {"ownership_tier": ownership, "impact_tier": impact, "tradeoffs_tier": tradeoffs, "star_tier": star}
