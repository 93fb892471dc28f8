"""Does a sentence that matches a key point say the opposite of it?

Coverage is similarity, and "L1 does not produce sparse weights" is as near "L1 drives weights
to zero (sparse solutions)" as the right statement is. Two cheap, traceable checks catch the
common ways a fluent answer states a point backwards:

- **negation**: the sentence negates a predicate the key point asserts ("does not produce sparse
  weights"), counted in the clause so double negatives cancel ("never fails to").
- **swap**: the sentence puts the opposite term of a small curated list of ML opposites where the
  key point has the term (increase/decrease, overfit/underfit, before/after, false positives/false
  negatives, L1/L2...).

Both are read on what the sentence *asserts*: the side it rejects ("rather than X", "unlike X",
"instead of X", "not X but Y") is removed first, so "L1, unlike L2, does produce sparsity" is never
counted against the L1 point. Everything errs towards silence: a key point that is itself
negated, or a sentence that names both sides of an opposite, is not judged. A missed contradiction
costs what it cost before; a false one would take a correct point away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from interviewer.scoring.cues import stems

# Negation cues, and phrases built from them that do not negate a claim.
_NEGATION = re.compile(
    r"\b(?:not|never|no|none|nothing|neither|nor|without|cannot|can't|won't|isn't|aren't|wasn't|weren't|"
    r"doesn't|don't|didn't|hasn't|haven't|hadn't|shouldn't|wouldn't|couldn't|mustn't|fail(?:s|ed)?\s+to|lacks?)\b|n't\b",
    re.IGNORECASE,
)
_NOT_NEGATION = re.compile(
    r"\bnot\s+(?:only|just|merely|to\s+mention)\b|\bno\s+(?:doubt|matter)\b|\b(?:whether|or|if)\s+not\b|"
    r"\bnothing\s+but\b|\bnot\s+least\b|\b(?:no|not)\s+(?:more|less|fewer|later|earlier|longer)\s+than\b",
    re.IGNORECASE,
)
# A key point that already says something negative ("prevents", "keeps the softmax from saturating",
# "awkward for RNNs", "without zeroing them") is matched by answers that say it with a "not": such a
# point is never judged for negation.
_NEGATIVE_SENSE = re.compile(
    r"\b(?:prevent\w*|avoid\w*|keeps?\s+\w+(?:\s+\w+)?\s+from|stops?|limit\w*|awkward|poor(?:ly)?|hard|difficult|"
    r"disputed|instead|rather|lacks?|miss\w*|fail\w*|invariant|free|remov\w*|turned\s+off|off|zeroed|zeroing|"
    r"drop\w*|less|little|only|alone|never)\b",
    re.IGNORECASE,
)
# The side a sentence rejects, up to the end of its phrase: "rather than shuffling randomly",
# "unlike L2,", "instead of clicks alone", "as opposed to", and the "not X" of "not X but Y".
_PHRASE_END = r"(?=[,;:.!?)]|\s+(?:but|and|so|which|because|while|whereas)\b|$)"
_REJECTED = re.compile(
    r"\b(?:rather\s+than|instead\s+of|as\s+opposed\s+to|unlike|contrary\s+to|in\s+contrast\s+to|compared\s+(?:to|with)|"
    r"versus|vs\.?)\s+[^,;:.!?()]*?" + _PHRASE_END + r"|\bnot\s+[^,;:.!?()]*?(?=,?\s+but\b)"
    r"|,\s*(?:and\s+)?not\s+[^,;:.!?()]*(?=[.!?]?\s*$)",
    re.IGNORECASE,
)
# A sentence that quotes a claim in order to deny it ("a common misconception is that...") is not
# asserting it; none of its clauses are judged.
_REPORTED = re.compile(
    r"\b(?:misconception|myth|mistake|people\s+(?:often\s+)?(?:think|believe|assume|say)|it'?s\s+tempting|"
    r"is\s+(?:wrong|false|incorrect)|not\s+true|naive(?:ly)?|a\s+common\s+(?:error|trap|pitfall))\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(
    r"[;:]|,\s*(?=(?:but|while|whereas|although|though|and|so)\b)|\s+(?:but|whereas|although)\s+"
    r"|,|\s+(?=(?:because|since|while|if|when|unless|until)\b)",
    re.IGNORECASE,
)
# A clause of reason or condition explains or hedges ("because co-engagement knows nothing about a
# video until people interact with it"); it is not the claim, and its negations are not judged.
_SUBORDINATE = re.compile(r"^\W*(?:because|since|while|if|when|unless|until)\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9][\w'-]*")
_SCOPE_END = re.compile(r"[,;:.!?()]|\b(?:and|but|so|because|which|while|whereas|since|as|then)\b", re.IGNORECASE)
NEGATION_SCOPE = 6  # words after a negation cue that it can negate (up to the end of its phrase)
MIN_NEGATED = 2  # key-point stems a negation must cover: "no graph" negates a word, not the point
CONTEXT = 4  # words either side of an opposite term that must share a stem with the key point's

# Opposites, each side a regular expression. A key point has one side, the sentence asserts only the
# other: the claim is reversed. Sides are written to match whole words and common inflections.
# fmt: off
OPPOSITES: tuple[tuple[str, str], ...] = (
    (r"increas\w*|rais(?:e|es|ed|ing)|grow(?:s|n|ing)?|higher|larger|more\s+(?:stable|robust|data)",
     r"decreas\w*|lower(?:s|ed|ing)?|reduc\w*|shrink(?:s|ing)?|smaller|fewer"),
    (r"overfit\w*", r"underfit\w*"),
    (r"high(?:er)?\s+(?:bias|variance)", r"low(?:er)?\s+(?:bias|variance)"),
    (r"sparse|sparsity|exact(?:ly)?\s+(?:to\s+)?zeros?", r"dense|smooth(?:ly)?"),
    (r"false\s+positives?", r"false\s+negatives?"),
    (r"\bbefore\b", r"\bafter\b"),
    (r"time-based|time\s+split|chronological\w*|temporal|by\s+time|out-of-time", r"\brandom(?:ly)?\b|shuffl\w*"),
    (r"\btraining\b|\btrain\s+time\b", r"\binference\b|\bserving\b|\btest\s+time\b"),
    (r"\bL1\b|lasso|laplace", r"\bL2\b|ridge|gaussian"),
    (r"\bbagging\b", r"\bboosting\b"),
    (r"undersampl\w*|downsampl\w*", r"oversampl\w*|upsampl\w*"),
    (r"\bconvex\b", r"\bnon-?convex\b"),
    (r"\bquick(?:ly|er)?\b|\bfast(?:er)?\b", r"\bslow(?:ly|er)?\b"),
    (r"\bquadratic\w*", r"\blinear(?:ly)?\b"),
    (r"\bcalibrated\b", r"\bmiscalibrated\b|\buncalibrated\b"),
)
# fmt: on
_SIDES = [(re.compile(rf"(?:{a})", re.IGNORECASE), re.compile(rf"(?:{b})", re.IGNORECASE)) for a, b in OPPOSITES]
MIN_SHARED = 2  # content stems a clause shares with the key point before it is judged against it


@dataclass(frozen=True)
class Contradiction:
    """Why a sentence states a key point backwards: ``kind`` is "negation" or "swap"."""

    kind: str
    detail: str


def asserted(text: str) -> str:
    """The text without the sides it rejects: "L1, unlike L2, does produce sparsity" -> "L1, , does
    produce sparsity"."""
    return _REJECTED.sub(" ", text)


def negations(text: str) -> list[int]:
    """Word positions of the negation cues that negate something ("not only" does not)."""
    masked = _NOT_NEGATION.sub(lambda m: "_" * len(m.group()), text)
    starts = [m.start() for m in _WORD.finditer(masked)]
    out = []
    for m in _NEGATION.finditer(masked):
        out.append(sum(1 for s in starts if s <= m.start()) - 1)
    return sorted(set(out))


def polarity(text: str) -> int:
    """-1 when the text negates an odd number of times, else +1: double negatives cancel."""
    return -1 if len(negations(text)) % 2 else 1


def _negated_content(clause: str, kp_stems: frozenset[str]) -> set[str]:
    """Key-point stems inside the scope of a negation that is not cancelled by another in that scope.

    The scope is the few words after the cue, up to the end of its phrase: "for new users with no
    graph, their onboarding picks" negates "graph", not the onboarding picks.
    """
    words = list(_WORD.finditer(clause))
    cues = negations(clause)
    hit: set[str] = set()
    for k, pos in enumerate(cues):
        if k + 1 < len(cues) and cues[k + 1] - pos <= NEGATION_SCOPE:
            continue  # "not without", "never fails to": cancelled within its own scope
        if k > 0 and pos - cues[k - 1] <= NEGATION_SCOPE:
            continue
        if pos + 1 >= len(words):
            continue
        start = words[pos + 1].start()
        end = words[min(pos + NEGATION_SCOPE, len(words) - 1)].end()
        stop = _SCOPE_END.search(clause, start, end)
        negated = stems(clause[start : stop.start() if stop else end]) & kp_stems
        if len(negated) >= MIN_NEGATED:
            hit |= negated
    return hit


def _context(text: str, m: re.Match[str]) -> frozenset[str]:
    """Content stems of the words around a match: what the opposite term is said of."""
    before = [w.group() for w in _WORD.finditer(text, 0, m.start())][-CONTEXT:]
    after = [w.group() for w in _WORD.finditer(text, m.end())][:CONTEXT]
    return stems(" ".join(before + after))


def _clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE.split(text) if c and c.strip()]


def contradiction(key_point: str, sentence: str) -> Contradiction | None:
    """The reason ``sentence`` states ``key_point`` backwards, or None (the usual case)."""
    if _REPORTED.search(sentence):
        return None
    kp = asserted(key_point)
    claim = asserted(sentence)
    kp_stems = stems(kp)
    if not negations(kp) and not _NEGATIVE_SENSE.search(kp):  # else too easy to misread: never judged
        for clause in _clauses(claim):
            if _SUBORDINATE.match(clause) or len(stems(clause) & kp_stems) < MIN_SHARED:
                continue
            negated = _negated_content(clause, kp_stems)
            if negated:
                return Contradiction("negation", f"negates what the key point asserts ({', '.join(sorted(negated))})")
    if len(stems(claim) & kp_stems) < MIN_SHARED:
        return None
    for a, b in _SIDES:
        for mine, other in ((a, b), (b, a)):
            kp_has = mine.search(kp)
            said = other.search(claim)
            if not (kp_has and said) or other.search(kp) or mine.search(claim):
                continue
            # said of the same thing: "false negatives are costly" for "false positives are costly",
            # not "dense layers" in a sentence matched to "sparse gradients"
            if _context(claim, said) & _context(kp, kp_has):
                return Contradiction("swap", f'says "{said.group()}" where the key point says "{kp_has.group()}"')
    return None
