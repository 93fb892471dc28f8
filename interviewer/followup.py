"""The follow-up policy: after an answer, probe one gap, challenge an assumption, or move on.

Kept apart from scoring: the scorer says what the answer shows (levels, covered and missed key
points, evidence); this module decides what to ask next and how to phrase it. Two rules shape
everything here:

* one point per follow-up, and each follow-up records its target (a dimension or a key point);
* the candidate never hears a key point unless they ask for a hint, so probes name an *area*
  (a bank follow-up question, an outline heading, a rubric dimension) and every message passes
  a leak check against the key points before it is said.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from interviewer.bank import Question, Round
from interviewer.personas import Persona, Templates
from interviewer.rounds import Phase
from interviewer.scoring.segment import split_sentences
from interviewer.scoring.types import Assessment

Action = Literal["probe", "challenge", "reframe", "move_on"]

#: Flags that mean "there is nothing in this answer to build on": move on, don't probe.
NO_ATTEMPT_FLAGS = frozenset({"empty", "gibberish", "dont_know", "off_topic", "no_substance"})
#: Default probing order when a phase names no focus.
DEFAULT_FOCUS: dict[Round, list[str]] = {
    Round.behavioral: ["impact", "ownership", "star", "tradeoffs", "key_points"],
    Round.ml_design: ["key_points", "tradeoffs", "depth"],
    Round.ml_theory: ["key_points", "depth", "correctness"],
    Round.coding: ["key_points", "correctness", "tradeoffs"],
}
QUOTE_WORDS = 16
GENERIC_HINT = "think about what would still be missing before this could ship."
#: Outline headings that name a step of answering, not an area of the problem.
GENERIC_HEADINGS = frozenset({"clarify", "overview", "summary", "recap", "approach", "answer", "solution", "wrap-up"})
#: A missed key point's closest sentence is worth quoting back only when it is at least this near.
NEAR = 0.3

_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
_STOP = frozenset(
    re.findall(
        r"\w+",
        """a an the and or but if then so of to in on at for with by from as is are was were be been being it its
        this that these those i we you he she they me my our your their them us do did does done have has had not
        no can could would should will may might must about into over under than too very just also what which who
        how when where why all any some more most such there here up out off again only own same other each both""",
    )
)
_INJECTION = re.compile(
    r"ignore (?:all |any |the )?(?:previous|prior|above)|system prompt|you are now|disregard|"
    r"instructions|give me (?:a |the )?(?:strong )?hire|rate (?:me|this)|score (?:me|this)|key points",
    re.IGNORECASE,
)
_CLAIM = re.compile(
    r"\b(always|never|best|simply|just|only|obviously|clearly|definitely|guarantee[sd]?|must|"
    r"should|will|would use|i'd use|we chose|i chose|i picked|go with|better than|no need)\b",
    re.IGNORECASE,
)


class Target(BaseModel):
    """What a follow-up or hint aims at: one rubric dimension or one key point of the question."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["dimension", "key_point"]
    dimension: str | None = None
    key_point: int | None = None  # 1-based, as in the bank's follow_ups
    label: str  # the dimension id, or the key point's text (reports only; never said aloud)

    @classmethod
    def dim(cls, dimension: str) -> Target:
        return cls(kind="dimension", dimension=dimension, label=dimension)

    @classmethod
    def point(cls, index: int, text: str) -> Target:
        return cls(kind="key_point", key_point=index, label=text)

    def same(self, other: Target) -> bool:
        return (self.kind, self.dimension, self.key_point) == (other.kind, other.dimension, other.key_point)


@dataclass(frozen=True)
class Gap:
    target: Target
    severity: float  # 0..1, how clearly the answer left it out
    probe: str | None = None  # a bank follow-up, or a scripted phase prompt, aimed at this target
    area: str | None = None  # a name for the gap that does not give the answer away
    quote: str | None = None  # the candidate's words nearest to the gap (verbatim)


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str  # hidden interviewer note: why this, and not something else
    gap: Gap | None = None
    no_attempt: bool = False  # moving on because the answer gave nothing to build on

    @property
    def target(self) -> Target | None:
        return self.gap.target if self.gap else None


@dataclass(frozen=True)
class Situation:
    """Everything the policy looks at, after one answer."""

    question: Question
    assessment: Assessment
    answers: str  # the candidate's answers to this question so far
    asked: Sequence[Target]  # follow-ups already asked on this question
    phase: Phase
    budget: int  # follow-ups still allowed on this question in this phase
    persona: Persona
    phase_asked: int = 0  # follow-ups already asked on this question in this phase
    more_questions: bool = True  # the phase still has a new question to move on to


# --------------------------------------------------------------------------------------- policy


def decide(s: Situation) -> Decision:
    """Probe the most useful gap the phase is about, challenge a claim, or move on."""
    if s.budget <= 0:
        return Decision("move_on", "follow-up budget for this question spent")
    if no_attempt(s.assessment):
        flags = ", ".join(s.assessment.flags) or "every dimension abstained"
        if not s.more_questions and not s.asked:
            # the round's only question: offer one easier way in before giving up on it
            gap = _entry_point(s)
            return Decision("reframe", f"nothing to build on ({flags}): one easier way in", gap, no_attempt=True)
        return Decision("move_on", f"nothing to build on ({flags}): moving on rather than probing", no_attempt=True)
    prompt = s.phase.prompt
    if prompt and s.phase_asked == 0 and prompt.applies(s.answers):
        gap = Gap(Target.dim(prompt.dimension), 1.0, probe=prompt.text, quote=_last_sentence(s.answers))
        return Decision("probe", f"phase '{s.phase.id}' asks this of every answer that has not covered it", gap)
    if complete(s.assessment):
        return Decision("move_on", "complete answer: every key point covered and every dimension at 3 or above")
    backwards = _contradiction(s)
    if backwards:
        return backwards
    gaps = [g for g in find_gaps(s) if not any(g.target.same(a) for a in s.asked)]
    for entry in _focus_groups(s.phase.focus or DEFAULT_FOCUS[s.question.round]):
        if entry == "challenge":
            challenge = _challenge(s)
            if challenge:
                return challenge
            continue
        if entry == "key_points":
            group = [g for g in gaps if g.target.kind == "key_point"]
            terms = {t.lower() for t in s.phase.focus_terms}
            best = max(group, key=lambda g: _key_point_priority(g, terms), default=None)
        else:
            dims = entry.split("|")
            group = [g for g in gaps if g.target.kind == "dimension" and g.target.dimension in dims]
            # the weakest dimension; ties go to the one the phase lists first
            best = min(group, key=lambda g: (-g.severity, dims.index(g.target.dimension or "")), default=None)
        if best:
            what = "missed key point" if best.target.kind == "key_point" else "weakest dimension"
            return Decision("probe", f"{what} in this phase's focus: {best.target.label[:80]}", best)
    if gaps:
        return Decision("move_on", f"{len(gaps)} gap(s) left, none of them this phase's focus")
    return Decision("move_on", "no gap left that has not been probed")


def _entry_point(s: Situation) -> Gap:
    """The first key point: questions are written to build up, so it is the gentlest start."""
    q = s.question
    probes = {p.key_point: p.text for p in q.follow_ups if p.key_point is not None}
    return Gap(Target.point(1, q.key_points[0]), 1.0, probe=probes.get(1), area=outline_area(q, q.key_points[0]))


def no_attempt(a: Assessment) -> bool:
    if NO_ATTEMPT_FLAGS.intersection(a.flags):
        return True
    return bool(a.scores) and all(sc.level is None for sc in a.scores.values()) and not a.covered


def complete(a: Assessment) -> bool:
    """Every key point covered and every scored dimension at 3+. An abstention (a dimension the
    engine cannot judge) neither blocks completeness nor counts as a gap."""
    levels = [sc.level for sc in a.scores.values() if sc.level is not None]
    return bool(levels) and min(levels) >= 3 and not a.missed


def find_gaps(s: Situation) -> list[Gap]:
    """Missed key points and dimensions below 3, each with what it takes to phrase a probe."""
    q, a = s.question, s.assessment
    probes_kp = {p.key_point: p.text for p in q.follow_ups if p.key_point is not None}
    probes_dim = {p.dimension: p.text for p in q.follow_ups if p.dimension is not None}
    gaps: list[Gap] = []
    for m in a.missed:
        text = q.key_points[m.index - 1] if 0 < m.index <= len(q.key_points) else m.key_point
        near = " ".join(filter(None, [probes_kp.get(m.index), text]))
        quote = (_safe(m.evidence) if m.similarity >= NEAR else None) or nearest_sentence(s.answers, near)
        gaps.append(
            Gap(
                Target.point(m.index, text),
                severity=max(0.0, min(1.0, 1.0 - m.similarity)),
                probe=probes_kp.get(m.index),
                area=outline_area(q, text),
                quote=quote,
            )
        )
    for dim, sc in a.scores.items():
        if sc.level is None or sc.level >= 3:
            continue
        severity = (3 - sc.level) / 2
        quote = next((e for e in sc.evidence if _safe(e)), None) or _last_sentence(s.answers)
        gaps.append(Gap(Target.dim(dim), severity, probe=probes_dim.get(dim), quote=quote))
    return gaps


def _focus_groups(focus: Iterable[str]) -> list[str]:
    """Dimensions listed together form one group so the *weakest* of them is probed first."""
    out: list[str] = []
    for entry in focus:
        if entry in ("key_points", "challenge"):
            out.append(entry)
        elif out and out[-1] not in ("key_points", "challenge"):
            out[-1] += f"|{entry}"
        else:
            out.append(entry)
    return out


def _key_point_priority(g: Gap, terms: set[str]) -> tuple[bool, float]:
    in_focus = bool(terms) and bool(terms & set(_words(g.target.label)))
    return in_focus, g.severity + (0.15 if g.probe else 0.0)


def _contradiction(s: Situation) -> Decision | None:
    """Push back on a key point the answer stated backwards, before any other gap, whatever the
    persona: an interviewer does not let a wrong claim pass, and probing the point as merely
    missed would ask for something the candidate believes they already said. The challenge
    quotes the candidate's sentence and never states the right answer."""
    q = s.question
    for m in s.assessment.key_points:
        quote = _safe(m.evidence) if m.contradicted else None
        if not quote:
            continue
        text = q.key_points[m.index - 1] if 0 < m.index <= len(q.key_points) else m.key_point
        target = Target.point(m.index, text)
        if any(target.same(a) for a in s.asked):
            continue
        return Decision("challenge", f"key point {m.index} stated backwards", Gap(target, 1.0, quote=quote))
    return None


def _challenge(s: Situation) -> Decision | None:
    """Question a confident claim when the reasoning behind it is not yet shown."""
    if not s.persona.challenges:
        return None
    dim = "tradeoffs" if "tradeoffs" in s.assessment.scores else "depth"
    target = Target.dim(dim)
    if any(target.same(a) for a in s.asked):
        return None
    score = s.assessment.scores.get(dim)
    if score is not None and score.level is not None and score.level >= 4:
        return None
    claim = claim_sentence(s.answers)
    if not claim:
        return None
    return Decision("challenge", f"confident claim with {dim} not yet shown at level 4", Gap(target, 0.5, quote=claim))


# ------------------------------------------------------------------------------ the answer's words


def sentences(text: str) -> list[str]:
    """The candidate's sentences worth quoting (four words or more), verbatim."""
    return [span.text.strip() for span in split_sentences(text) if span.words >= 4]


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2]


def _safe(sentence: str | None) -> str | None:
    """A sentence fit to quote back: not an instruction aimed at the interviewer."""
    if not sentence or _INJECTION.search(sentence):
        return None
    return sentence


def shorten(quote: str, words: int = QUOTE_WORDS) -> str:
    """A verbatim prefix of the quote, cut at a clause boundary when one is near; never a paraphrase."""
    quote = quote.strip().rstrip(".!?,;:")
    parts = quote.split()
    if len(parts) <= words:
        return quote
    parts = parts[:words]
    clause = [i for i, w in enumerate(parts[:-1]) if i >= 5 and w[-1] in ",;:"]
    if clause:
        parts = parts[: clause[-1] + 1]
    if "(" in " ".join(parts) and ")" not in " ".join(parts):
        parts = parts[: next(i for i, w in enumerate(parts) if "(" in w)] or parts
    return " ".join(parts).rstrip(",;:")


def nearest_sentence(answers: str, near: str) -> str | None:
    """The candidate's sentence sharing the most content words with ``near`` (two at least)."""
    want = set(_words(near))
    best, best_n = None, 1
    for sent in sentences(answers):
        if not _safe(sent):
            continue
        n = len(want & set(_words(sent)))
        if n > best_n:
            best, best_n = sent, n
    return best


def _last_sentence(answers: str) -> str | None:
    """Where the story stopped: the natural place to ask what happened next."""
    for sent in reversed(sentences(answers)):
        if _safe(sent):
            return sent
    return None


def claim_sentence(answers: str) -> str | None:
    scored = [(len(_CLAIM.findall(s)), -i, s) for i, s in enumerate(sentences(answers)) if _safe(s)]
    scored = [x for x in scored if x[0] > 0]
    return max(scored)[2] if scored else None


def outline_area(q: Question, key_point: str) -> str | None:
    """The heading of the outline entry closest to the key point ("Monitoring and iteration")."""
    want = set(_words(key_point))
    best, best_n = None, 1
    for item in q.outline:
        head, sep, rest = item.partition(":")
        if not sep or len(head.split()) > 6 or head.strip().lower() in GENERIC_HEADINGS:
            continue
        n = len(want & set(_words(rest + " " + head)))
        if n > best_n:
            best, best_n = head.strip(), n
    if not best:
        return None
    return best[0].lower() + best[1:] if not best[:2].isupper() else best


# ------------------------------------------------------------------------------------ leak guard


def leaked_key_points(message: str, question: Question, context: str = "") -> list[int]:
    """1-based key points the message gives away beyond what the question and the candidate said.

    A key point leaks when the message repeats four of its content words in a row, or more than
    half of its distinctive words, that neither the question nor the candidate's own answers
    contain.
    """
    known = set(_words(question.text + " " + context))
    said = _words(message)
    said_set = set(said)
    grams = {tuple(said[i : i + 4]) for i in range(len(said) - 3)}
    leaked = []
    for i, kp in enumerate(question.key_points, 1):
        words = _words(kp)
        fresh = [w for w in words if w not in known]
        kp_grams = {tuple(words[j : j + 4]) for j in range(len(words) - 3)}
        run = any(g in grams and not set(g) <= known for g in kp_grams)
        share = len(set(fresh) & said_set) / len(set(fresh)) if len(set(fresh)) >= 4 else 0.0
        if run or share > 0.5:
            leaked.append(i)
    return leaked


# ------------------------------------------------------------------------------------- phrasing


def pick(options: Sequence[str], salt: str) -> str:
    """A variant chosen by a stable hash, so a replayed turn says the same thing."""
    if not options:
        return ""
    digest = hashlib.sha256(salt.encode()).digest()
    return options[int.from_bytes(digest[:4], "big") % len(options)]


@dataclass(frozen=True)
class Request:
    """What a writer needs to phrase one follow-up."""

    persona: Persona
    question: Question
    decision: Decision
    answers: str
    round_title: str
    level: str
    salt: str
    intro: str | None = None
    notes: dict[str, object] = field(default_factory=dict)


class Draft:
    """A message being written: iterate for chunks as they arrive; ``text`` once it is done.

    ``engine`` says who wrote it (``offline``, ``llm``, ``offline-fallback``) and
    ``fallback_reason`` why the LLM's text was not used, so transcripts can mark it.
    """

    def __init__(self, chunks: Iterable[str], engine: str) -> None:
        self._chunks = iter(chunks)
        self._parts: list[str] = []
        self._done = False
        self.engine = engine
        self.fallback_reason: str | None = None

    @classmethod
    def of(cls, text: str, engine: str = "offline") -> Draft:
        return cls([text], engine)

    def __iter__(self) -> Iterator[str]:
        for chunk in self._chunks:
            self._parts.append(chunk)
            yield chunk
        self._done = True

    @property
    def text(self) -> str:
        if not self._done:
            for _ in self:
                pass
        return "".join(self._parts).strip()


class FollowUpWriter(Protocol):
    @property
    def name(self) -> str: ...

    streams: bool  # False: the text is ready at once (the engine saves it eagerly)

    def write(self, request: Request) -> Draft: ...


class OfflineWriter:
    """Phrasing from the question's own follow-ups and the persona's templates, quoting the
    candidate; deterministic, instant, and checked against the key points before it is said."""

    name = "offline"
    streams = False

    def write(self, request: Request) -> Draft:
        return Draft.of(self.compose(request))

    def compose(self, r: Request) -> str:
        t = r.persona.phrasing
        gap = r.decision.gap
        if gap is None:
            raise ValueError("nothing to phrase: the decision is to move on")
        # a challenge opens on the claim itself: "Makes sense." before pushing back would contradict it
        lead = {"reframe": t.reframe, "challenge": []}.get(r.decision.action, t.acknowledge)
        head = [pick(lead, r.salt + ":ack")] if lead else []
        if r.intro:
            head.append(r.intro)
        quote = shorten(gap.quote) if gap.quote else None
        if r.decision.action == "challenge" and quote:
            body = [pick(t.challenge, r.salt + ":challenge").format(quote=quote)]
        else:
            body = [pick(t.ground, r.salt + ":ground").format(quote=quote)] if quote else []
            body.append(self._probe(r, t, gap))
        text = " ".join(p for p in head + body if p)
        if leaked_key_points(text, r.question, r.answers):
            # a bank probe or quote that would give a point away: fall back to naming the area
            text = " ".join(p for p in [*head, self._generic(r, t, gap)] if p)
        return text

    def _probe(self, r: Request, t: Templates, gap: Gap) -> str:
        if gap.probe:
            return gap.probe
        return self._generic(r, t, gap)

    def _generic(self, r: Request, t: Templates, gap: Gap) -> str:
        if gap.target.kind == "dimension" and gap.target.dimension in t.dimension:
            return pick(t.dimension[gap.target.dimension], r.salt + ":dim")
        if gap.area:
            return pick(t.area, r.salt + ":area").format(area=gap.area)
        return pick(t.open_area, r.salt + ":open")


def hint_text(question: Question, gap: Gap, persona: Persona, salt: str) -> str:
    """A requested nudge towards a gap: the area or a guiding question, never the point itself."""
    t = persona.phrasing
    if gap.area:
        nudge = f"think about {gap.area}."
    elif gap.probe:
        nudge = f"ask yourself: {gap.probe}"
    elif gap.target.kind == "dimension" and gap.target.dimension in t.dimension:
        nudge = f"an interviewer will want to know: {pick(t.dimension[gap.target.dimension], salt)}"
    else:
        nudge = GENERIC_HINT
    text = pick(t.hint, salt + ":hint").format(hint=nudge)
    if leaked_key_points(text, question):
        text = pick(t.hint, salt + ":hint").format(hint=GENERIC_HINT)
    return text


def hint_gap(question: Question, assessment: Assessment | None, hinted: Sequence[Target]) -> Gap:
    """The gap a hint points at: the clearest missed key point not hinted at yet."""
    probes = {p.key_point: p.text for p in question.follow_ups if p.key_point is not None}
    if assessment is not None:
        pending = sorted(assessment.missed, key=lambda m: m.similarity)
        indexes = [m.index for m in pending]
    else:
        indexes = list(range(1, len(question.key_points) + 1))
    fresh = [i for i in indexes if not any(Target.point(i, "").same(h) for h in hinted)]
    # a point the bank gives a name or a guiding question for makes a useful nudge; prefer those
    fresh.sort(key=lambda i: not (probes.get(i) or outline_area(question, question.key_points[i - 1])))
    if not fresh:
        dims = question.rubric_dimensions
        weakest = dims[0]
        if assessment is not None and assessment.scores:
            weakest = min(assessment.scores.values(), key=lambda s: s.level or 0).dimension
        return Gap(Target.dim(weakest), 1.0)
    i = fresh[0]
    text = question.key_points[i - 1]
    return Gap(Target.point(i, text), 1.0, probe=probes.get(i), area=outline_area(question, text))
