"""How far a scorer agrees with careful human labels, per rubric dimension.

Quadratic-weighted kappa is the headline (an ordinal scale: 2 for a 4 is worse than 3 for a 4,
and chance agreement is discounted); Spearman says whether the order is right; exact and
adjacent agreement and the mean offset (predicted minus gold) are what a person can picture.
An abstention counts as level 1 (a scorer cannot dodge a hard item for free) and is also counted
on its own, so a scorer that abstains a lot is visible as such.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

LEVELS = (1, 2, 3, 4)
ABSTAIN_AS = 1


@dataclass(frozen=True)
class Agreement:
    n: int
    abstained: int
    qwk: float | None
    spearman: float | None
    exact: float | None
    adjacent: float | None
    offset: float | None
    confusion: list[list[int]]  # rows: gold level 1-4, columns: predicted level 1-4

    def as_dict(self) -> dict[str, object]:
        return {
            "n": self.n,
            "qwk": self.qwk,
            "spearman": self.spearman,
            "exact": self.exact,
            "adjacent": self.adjacent,
            "offset": self.offset,
            "abstained": self.abstained,
            "confusion": self.confusion,
        }


def agreement(gold: Sequence[int], predicted: Sequence[int | None]) -> Agreement:
    """Metrics over paired labels; a statistic that is undefined (no variance, no items) is ``None``."""
    from scipy.stats import spearmanr
    from sklearn.metrics import cohen_kappa_score, confusion_matrix

    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    abstained = sum(p is None for p in predicted)
    g = np.asarray(gold, dtype=int)
    p = np.asarray([ABSTAIN_AS if x is None else x for x in predicted], dtype=int)
    n = len(g)
    if n == 0:
        return Agreement(0, 0, None, None, None, None, None, [[0] * 4 for _ in LEVELS])
    with warnings.catch_warnings():  # constant inputs: the statistic is undefined, reported as None
        warnings.simplefilter("ignore")
        qwk = _finite(cohen_kappa_score(g, p, labels=list(LEVELS), weights="quadratic"))
        rho = _finite(spearmanr(g, p).statistic) if len(set(g)) > 1 and len(set(p)) > 1 else None
    diff = p - g
    return Agreement(
        n=n,
        abstained=abstained,
        qwk=qwk,
        spearman=rho,
        exact=round(float(np.mean(diff == 0)), 4),
        adjacent=round(float(np.mean(np.abs(diff) <= 1)), 4),
        offset=round(float(np.mean(diff)), 4),
        confusion=confusion_matrix(g, p, labels=list(LEVELS)).tolist(),
    )


def _finite(x: object) -> float | None:
    value = float(x)  # type: ignore[arg-type]
    return round(value, 4) if math.isfinite(value) else None
