"""Fit the offline scorer's parameters and write ``interviewer/data/offline_scorer.json``.

    .venv/bin/python evals/train_offline.py [--train evals/data/train.jsonl] [--check]

Deterministic: the same prototypes and training file give a byte-identical artefact (fixed
solvers, no random state, rounded weights). Only ``train.jsonl`` is read: the held-out split is
for measuring, never for fitting. ``--check`` fails if the shipped artefact is stale.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from sklearn.linear_model import LogisticRegression

from interviewer.embeddings import Encoder, get_encoder
from interviewer.scoring import coverage
from interviewer.scoring.features import FEATURES, SIGNS, model_key
from interviewer.scoring.model import ARTIFACT_PATH, Artifact, OrdinalModel, RoleModel
from interviewer.scoring.offline import DEFAULT_THRESHOLDS, GUARDS, Analysis, OfflineScorer
from interviewer.scoring.types import ScoringInput

ROOT = Path(__file__).resolve().parent.parent
PROTOTYPES = ROOT / "interviewer" / "data" / "scoring_prototypes.yaml"
TRAIN = ROOT / "evals" / "data" / "train.jsonl"
ROLE_C = 4.0  # inverse L2 strength of the role classifier (prototype sentences are few)
ORDINAL_L2 = 1.0  # ridge penalty of the ordinal models, on standardised features


def fit_roles(prototypes: dict[str, list[str]], encoder: Encoder) -> RoleModel:
    labels = sorted(prototypes)
    texts = [t for r in labels for t in prototypes[r]]
    y = np.array([labels.index(r) for r in labels for _ in prototypes[r]])
    x = encoder.encode(texts)
    clf = LogisticRegression(C=ROLE_C, max_iter=5000, solver="lbfgs")
    clf.fit(x, y)
    work = x[np.array([labels[i] != "filler" for i in y])].mean(axis=0)
    return RoleModel(tuple(labels), clf.coef_, clf.intercept_, work / np.linalg.norm(work))


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


Labelled = list[tuple[Analysis, dict[str, int]]]


def analyse_all(scorer: OfflineScorer, rows: list[dict[str, Any]]) -> Labelled:
    out: Labelled = []
    for row in rows:
        item = ScoringInput(
            round=row["round"], question=row["question"], answer=row["answer"], reference=row.get("reference") or []
        )
        out.append((scorer.analyse(item), dict(row["scores"])))
    return out


def fit_dimensions(data: Labelled) -> dict[str, OrdinalModel]:
    """One ordinal model per dimension, on the answers the guards let through."""
    dims: dict[str, OrdinalModel] = {}
    for key, names in FEATURES.items():
        dim = key.split("@")[0]
        rows = [
            (a.features, s[dim])
            for a, s in data
            if dim in s and not set(a.flags) & set(GUARDS) and model_key(dim, a.item.round == "behavioral") == key
        ]
        if len(rows) < 12 or len({y for _, y in rows}) < 3:
            continue
        x = np.array([[f[n] for n in names] for f, _ in rows], dtype=np.float64)
        y = np.array([y for _, y in rows])
        dims[key] = OrdinalModel.fit(tuple(names), x, y, [SIGNS[n] for n in names], l2=ORDINAL_L2)
    return dims


def predict(scorer: OfflineScorer, data: Labelled) -> list[tuple[dict[str, int | None], dict[str, int]]]:
    return [({d: scorer.score_dimension(d, a).level for d in gold}, gold) for a, gold in data]


def metrics(pairs: list[tuple[dict[str, int | None], dict[str, int]]]) -> dict[str, dict[str, float]]:
    """Per dimension: QWK, Spearman, exact and adjacent agreement, mean offset; abstention counts as 1."""
    from scipy.stats import spearmanr
    from sklearn.metrics import cohen_kappa_score

    out: dict[str, dict[str, float]] = {}
    dims = sorted({d for _, g in pairs for d in g})
    for d in dims:
        p = np.array([(pr.get(d) or 1) for pr, g in pairs if d in g])
        g = np.array([g[d] for _, g in pairs if d in g])
        out[d] = {
            "n": len(g),
            "qwk": float(cohen_kappa_score(g, p, weights="quadratic", labels=[1, 2, 3, 4])),
            "spearman": float(spearmanr(g, p).statistic) if len(set(p)) > 1 else 0.0,
            "exact": float(np.mean(p == g)),
            "adjacent": float(np.mean(np.abs(p - g) <= 1)),
            "offset": float(np.mean(p - g)),
        }
    return out


def print_metrics(title: str, m: dict[str, dict[str, float]]) -> None:
    print(title)
    for d, r in m.items():
        print(
            f"  {d:10s} n={r['n']:4.0f} qwk={r['qwk']:.3f} spearman={r['spearman']:.3f} "
            f"exact={r['exact']:.2f} adjacent={r['adjacent']:.2f} offset={r['offset']:+.2f}"
        )


def cross_validate(scorer: OfflineScorer, data: Labelled, folds: int = 5) -> dict[str, dict[str, float]]:
    """K-fold estimate on the training file alone: how model choices are compared."""
    questions = sorted({a.item.question for a, _ in data})
    fold_of = {q: i % folds for i, q in enumerate(questions)}  # by question: no answer's siblings in its fit
    pairs = []
    for k in range(folds):
        fit = [x for x in data if fold_of[x[0].item.question] != k]
        test = [x for x in data if fold_of[x[0].item.question] == k]
        fold = scorer.with_models(fit_dimensions(fit))
        pairs.extend(predict(fold, test))
    return metrics(pairs)


def rubric_level(fraction: float) -> int:
    """The coverage anchors' own bands: >= 80% -> 4, 55-80% -> 3, 25-55% -> 2, else 1."""
    return 4 if fraction >= 0.8 else 3 if fraction >= 0.55 else 2 if fraction >= 0.25 else 1


def fit_coverage_threshold(scorer: OfflineScorer, data: Labelled) -> float:
    """The match score at which a key point counts as covered, chosen so that the covered share,
    read through the rubric's bands alone, agrees best (QWK) with the labels. Ties go to the
    middle of the best plateau, which is the least sensitive to a shift in phrasing."""
    from sklearn.metrics import cohen_kappa_score

    items = [(a, gold["coverage"]) for a, gold in data if "coverage" in gold and a.reference]
    grid = np.round(np.arange(0.55, 0.951, 0.025), 3)
    scores = []
    for t in grid:
        predicted = []
        for a, _ in items:
            content = [s for s in a.sentences if not s.excluded]
            vectors = scorer.fixed_vectors(a.reference)
            kp = np.stack([vectors[k] for k in a.reference])
            matches = coverage.match(a.reference, kp, content, float(t))
            predicted.append(rubric_level(sum(m.covered for m in matches) / len(matches)))
        scores.append(cohen_kappa_score([g for _, g in items], predicted, weights="quadratic", labels=[1, 2, 3, 4]))
    best = max(scores)
    plateau = [t for t, q in zip(grid, scores, strict=True) if q >= best - 0.01]
    return float(plateau[len(plateau) // 2])


class MemoEncoder:
    """Remembers whole encode calls (not single texts), so vectors are exactly what a cold call
    gives: the encoder pads per batch, and a text's vector may differ in the last bits by batch."""

    def __init__(self, encoder: Encoder) -> None:
        self._encoder = encoder
        self.name, self.dim = encoder.name, encoder.dim
        self._memo: dict[tuple[str, ...], np.ndarray] = {}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        key = tuple(texts)
        if key not in self._memo:
            self._memo[key] = self._encoder.encode(list(texts))
        return self._memo[key]


def version_digest(train_path: Path) -> str:
    """Changes whenever anything that shapes the parameters does: code, prototypes, data."""
    digest = hashlib.sha256()
    code = ROOT / "interviewer" / "scoring"
    modules = ("segment", "cues", "evidence", "coverage", "features", "guards", "model", "offline")
    parts = [PROTOTYPES, Path(__file__), train_path, *(code / f"{m}.py" for m in modules)]
    for part in parts:
        if part.is_file():
            digest.update(part.read_bytes())
    return digest.hexdigest()[:12]


def train(train_path: Path = TRAIN, encoder: Encoder | None = None) -> tuple[Artifact, Labelled]:
    prototypes = yaml.safe_load(PROTOTYPES.read_text(encoding="utf-8"))["roles"]
    encoder = encoder or MemoEncoder(get_encoder())
    roles = fit_roles(prototypes, encoder)
    rows = load_jsonl(train_path) if train_path.is_file() else []
    thresholds = dict(DEFAULT_THRESHOLDS)
    scorer = OfflineScorer(encoder=encoder, artifact=Artifact("bootstrap", encoder.name, roles, {}, thresholds))
    data = analyse_all(scorer, rows)
    if any("coverage" in gold for _, gold in data):
        thresholds["coverage"] = fit_coverage_threshold(scorer, data)
        scorer = scorer.with_models({}, thresholds)
        data = analyse_all(scorer, rows)
    dims = fit_dimensions(data)
    meta: dict[str, object] = {"train_items": len(rows), "prototypes": sum(len(v) for v in prototypes.values())}
    return Artifact(version_digest(train_path), encoder.name, roles, dims, thresholds, meta), data


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", type=Path, default=TRAIN)
    ap.add_argument("--out", type=Path, default=ARTIFACT_PATH)
    ap.add_argument("--cv", type=int, default=0, help="report K-fold cross-validated metrics on the training file")
    ap.add_argument(
        "--measure", type=Path, help="report metrics on a labelled file (e.g. the held-out split); writes nothing"
    )
    ap.add_argument("--check", action="store_true", help="exit 1 if the shipped artefact differs from a fresh fit")
    args = ap.parse_args(argv)
    artifact, data = train(args.train)
    if args.cv:
        scorer = OfflineScorer(artifact=artifact)
        print_metrics(f"{args.cv}-fold cross-validation on {args.train}", cross_validate(scorer, data, args.cv))
    if args.measure:
        scorer = OfflineScorer(artifact=artifact)
        print_metrics(
            f"measured on {args.measure}", metrics(predict(scorer, analyse_all(scorer, load_jsonl(args.measure))))
        )
    if args.cv or args.measure:
        return 0
    text = json.dumps(artifact.to_json(), indent=1, sort_keys=True) + "\n"
    if args.check:
        same = args.out.is_file() and args.out.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{args.out} is stale: re-run evals/train_offline.py")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    print(
        f"wrote {args.out} (version {artifact.version}, {artifact.meta['train_items']} training items, "
        f"dimensions: {', '.join(sorted(artifact.dimensions)) or 'none'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
