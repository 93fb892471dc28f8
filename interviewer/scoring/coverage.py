"""Key-point coverage: which of the reference's points the answer makes, and where.

A point is often made across two sentences ("We precompute item vectors. That lets us use an ANN
index."), so each point is matched against single sentences and against windows of two and three
adjacent sentences. A window's vector is the normalised mean of its sentences' vectors: close to
embedding the joined text, and free, which keeps scoring inside its latency budget.

The match score adds to the cosine a share of the key point's content words that the passage
uses (``LEXICAL_WEIGHT``): a key point is a compound of facets, and an answer that makes one facet
precisely shares its terms even when the embedding of the whole point drifts.

Matching is greedy and capacity-bound: the strongest (point, passage) pairs are taken first, and
a sentence can carry one point plus one per ``WORDS_PER_POINT`` words (a window's point is
carried by its sentence closest to the point). One vague sentence ("PR AUC is
better on imbalanced data") is near many points of a question; it must not count as all of them.

Similarity cannot tell a point from its opposite, so the sentence that would cover a point is read
for a contradiction first (:mod:`interviewer.scoring.contradiction`): "L1 does not produce sparse
weights" is not the L1 point made, it is the L1 point stated wrongly. Such a point is not covered,
is marked ``contradicted`` with the sentence quoted, and no later passage can cover it: the answer's
strongest statement of it is wrong. A sentence is only judged against the key point it is nearest
to, so "L2 shrinks weights smoothly" is never read as a wrong version of the L1 point.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from interviewer.scoring.contradiction import contradiction
from interviewer.scoring.cues import stems
from interviewer.scoring.evidence import SentenceEvidence
from interviewer.scoring.types import KeyPointMatch

WORDS_PER_POINT = 15  # a sentence carries one key point, plus one per this many words (at most 3)
MAX_WINDOW = 3
LEXICAL_WEIGHT = 0.5


def units(
    sentences: Sequence[SentenceEvidence], max_window: int = MAX_WINDOW, min_window: int = 1
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Vectors of every sentence and window of ``min_window`` to ``max_window`` adjacent sentences."""
    vecs: list[np.ndarray] = []
    spans: list[tuple[int, int]] = []
    for width in range(min_window, max_window + 1):
        for i in range(len(sentences) - width + 1):
            v = np.mean([s.vector for s in sentences[i : i + width]], axis=0)
            vecs.append(v / max(float(np.linalg.norm(v)), 1e-12))
            spans.append((i, i + width))
    if not vecs:
        return np.zeros((0, 0), dtype=np.float32), []
    return np.stack(vecs), spans


def match(
    key_points: Sequence[str],
    kp_vectors: np.ndarray,
    sentences: Sequence[SentenceEvidence],
    threshold: float,
) -> list[KeyPointMatch]:
    """Per key point: covered or not, its best match score, and the sentence that makes it.

    ``similarity`` is the point's best match score (cosine plus lexical share) to any passage,
    whether or not capacity let it be covered there, so a near miss stays visible. The evidence
    quoted is the single sentence of the matched passage closest to the point: short and verbatim
    (``None`` when not covered).
    """
    if not sentences:
        return [
            KeyPointMatch(key_point=k, index=i + 1, covered=False, similarity=0.0) for i, k in enumerate(key_points)
        ]
    vecs, spans = units(sentences)
    sentence_stems = [stems(s.text) for s in sentences]
    unit_stems = [frozenset().union(*sentence_stems[a:b]) for a, b in spans]
    kp_stems = [stems(k) for k in key_points]
    lexical = np.array([[len(k & u) / max(len(k), 1) for u in unit_stems] for k in kp_stems])
    sims = kp_vectors @ vecs.T + LEXICAL_WEIGHT * lexical
    single = np.stack([s.vector for s in sentences])
    sentence_lexical = np.array([[len(k & s) / max(len(k), 1) for s in sentence_stems] for k in kp_stems])
    nearest = np.argmax(kp_vectors @ single.T + LEXICAL_WEIGHT * sentence_lexical, axis=0)  # per sentence
    used = np.zeros(len(sentences), dtype=int)
    capacity = [min(3, 1 + s.span.words // WORDS_PER_POINT) for s in sentences]
    chosen: dict[int, int] = {}
    contradicted: dict[int, int] = {}  # key point -> the sentence that states it backwards
    order = np.argsort(-sims, axis=None, kind="stable")
    for flat in order:
        i, j = divmod(int(flat), sims.shape[1])
        if sims[i, j] < threshold:
            break
        if i in chosen or i in contradicted:
            continue
        a, b = spans[j]
        anchor = a + int(np.argmax(single[a:b] @ kp_vectors[i]))  # the sentence that carries the point
        if used[anchor] >= capacity[anchor]:
            continue
        if nearest[anchor] == i and contradiction(key_points[i], sentences[anchor].text) is not None:
            contradicted[i] = anchor
            continue
        chosen[i] = j
        used[anchor] += 1
    out: list[KeyPointMatch] = []
    for i, kp in enumerate(key_points):
        j = chosen.get(i, int(np.argmax(sims[i])))
        a, b = spans[j]
        best = a + int(np.argmax(single[a:b] @ kp_vectors[i]))
        wrong = contradicted.get(i)
        out.append(
            KeyPointMatch(
                key_point=kp,
                index=i + 1,
                covered=i in chosen,
                similarity=round(float(sims[i].max()), 4),
                evidence=sentences[best].text if i in chosen else sentences[wrong].text if wrong is not None else None,
                contradicted=wrong is not None,
            )
        )
    return out
