"""The offline scorer's trained parameters: a sentence-role classifier and one ordinal model per
dimension, stored as one small, versioned JSON file of package data.

Plain JSON rather than a pickle: it loads in milliseconds without scikit-learn, can be diffed in
review, and cannot execute code. ``evals/train_offline.py`` writes it deterministically.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from interviewer.errors import DataError

ARTIFACT_PATH = Path(__file__).resolve().parent.parent / "data" / "offline_scorer.json"
FORMAT = 1


@dataclass(frozen=True)
class RoleModel:
    """Multinomial logistic regression over sentence embeddings, fitted on prototype sentences."""

    roles: tuple[str, ...]
    coef: np.ndarray  # (roles, dim)
    intercept: np.ndarray  # (roles,)
    centroid: np.ndarray  # unit mean of the work-talk prototypes: how "interview answer" a text sounds

    def predict_proba(self, vectors: np.ndarray) -> np.ndarray:
        if len(vectors) == 0:
            return np.zeros((0, len(self.roles)), dtype=np.float64)
        logits = vectors.astype(np.float64) @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class OrdinalModel:
    """Proportional-odds model: one linear score, three cut points between the four levels.

    A single score per answer keeps the levels monotone in the evidence, and the sign of every
    weight is constrained at training time (buzzwords can only lower a level, results only raise
    impact), so the model cannot learn a quirk of the training file that contradicts the rubric.
    """

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    cuts: np.ndarray  # increasing, len 3

    def score(self, x: dict[str, float]) -> float:
        v = np.array([x[f] for f in self.features], dtype=np.float64)
        return float(((v - self.mean) / self.scale) @ self.coef)

    def probabilities(self, s: float) -> np.ndarray:
        """P(level = 1..4) for linear score ``s``."""
        cdf = 1.0 / (1.0 + np.exp(-(self.cuts - s)))  # P(level <= k) for k = 1..3
        cum = np.concatenate([[0.0], cdf, [1.0]])
        return np.clip(np.diff(cum), 0.0, 1.0)

    def level(self, s: float) -> int:
        return 1 + int(np.sum(s > self.cuts))

    @classmethod
    def fit(
        cls, features: tuple[str, ...], x: np.ndarray, y: np.ndarray, signs: Sequence[int], l2: float = 1.0
    ) -> OrdinalModel:
        """Maximum-likelihood fit with a ridge penalty and sign-constrained weights (L-BFGS-B bounds).

        Features are standardised first; cut points are parametrised as c1, c1 + exp(d2), ... so
        they stay ordered. Deterministic: fixed start, no randomness.
        """
        from scipy.optimize import minimize

        mean, scale = x.mean(axis=0), x.std(axis=0)
        scale[scale < 1e-6] = 1.0
        z = (x - mean) / scale
        n, k = z.shape

        def unpack(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return theta[:k], np.cumsum(np.concatenate([[theta[k]], np.exp(theta[k + 1 :])]))

        def nll(theta: np.ndarray) -> float:
            w, cuts = unpack(theta)
            cdf = 1 / (1 + np.exp(-(cuts[None, :] - (z @ w)[:, None])))
            cum = np.concatenate([np.zeros((n, 1)), cdf, np.ones((n, 1))], axis=1)
            p = np.clip(cum[np.arange(n), y] - cum[np.arange(n), y - 1], 1e-9, 1)
            return float(-np.log(p).sum() + l2 * (w @ w))

        bounds = [(0, None) if s > 0 else (None, 0) if s < 0 else (None, None) for s in signs] + [(None, None)] * 3
        theta0 = np.concatenate([np.zeros(k), [-1.0, 0.0, 0.0]])
        res = minimize(nll, theta0, method="L-BFGS-B", bounds=bounds, options={"maxiter": 2000})
        w, cuts = unpack(res.x)
        return cls(features, mean, scale, w, cuts)

    def contributions(self, x: dict[str, float]) -> dict[str, float]:
        """Each feature's share of the score relative to an average answer: what to explain."""
        v = np.array([x[f] for f in self.features], dtype=np.float64)
        c = (v - self.mean) / self.scale * self.coef
        return {f: float(w) for f, w in zip(self.features, c, strict=True)}


@dataclass(frozen=True)
class Artifact:
    version: str
    encoder: str
    roles: RoleModel
    dimensions: dict[str, OrdinalModel]
    thresholds: dict[str, float] = field(default_factory=dict)
    meta: dict[str, object] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "format": FORMAT,
            "version": self.version,
            "encoder": self.encoder,
            "thresholds": self.thresholds,
            "meta": self.meta,
            "roles": {
                "labels": list(self.roles.roles),
                "coef": _round(self.roles.coef),
                "intercept": _round(self.roles.intercept),
                "centroid": _round(self.roles.centroid),
            },
            "dimensions": {
                dim: {
                    "features": list(m.features),
                    "mean": _round(m.mean),
                    "scale": _round(m.scale),
                    "coef": _round(m.coef),
                    "cuts": _round(m.cuts),
                }
                for dim, m in sorted(self.dimensions.items())
            },
        }

    def save(self, path: Path = ARTIFACT_PATH) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _round(a: np.ndarray) -> list[float] | list[list[float]]:
    """Rounded so re-training yields a byte-identical file and the diff shows real changes."""
    return np.round(np.asarray(a, dtype=np.float64), 6).tolist()


def parse_artifact(data: dict[str, object], source: str = "artifact") -> Artifact:
    try:
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
        roles = data["roles"]
        dims = data["dimensions"]
        assert isinstance(roles, dict) and isinstance(dims, dict)
        role_model = RoleModel(
            roles=tuple(roles["labels"]),
            coef=np.asarray(roles["coef"], dtype=np.float64),
            intercept=np.asarray(roles["intercept"], dtype=np.float64),
            centroid=np.asarray(roles["centroid"], dtype=np.float64),
        )
        models = {
            dim: OrdinalModel(
                features=tuple(m["features"]),
                mean=np.asarray(m["mean"], dtype=np.float64),
                scale=np.asarray(m["scale"], dtype=np.float64),
                coef=np.asarray(m["coef"], dtype=np.float64),
                cuts=np.asarray(m["cuts"], dtype=np.float64),
            )
            for dim, m in dims.items()
        }
        thresholds = {k: float(v) for k, v in dict(data.get("thresholds") or {}).items()}  # type: ignore[call-overload]
        meta = dict(data.get("meta") or {})  # type: ignore[call-overload]
        return Artifact(str(data["version"]), str(data["encoder"]), role_model, models, thresholds, meta)
    except (KeyError, TypeError, ValueError, AssertionError) as exc:
        raise DataError(f"offline scorer parameters in {source} are malformed: {exc}") from exc


@lru_cache(maxsize=2)
def load_artifact(path: Path = ARTIFACT_PATH) -> Artifact:
    """The shipped parameters, read once per process."""
    if not path.is_file():
        raise DataError(f"offline scorer parameters not found at {path}; run evals/train_offline.py")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"offline scorer parameters at {path} are not valid JSON: {exc}") from exc
    return parse_artifact(data, str(path))
