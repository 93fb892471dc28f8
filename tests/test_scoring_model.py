"""The offline scorer's parameters: fitting, sign constraints, the shipped file, loading errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from interviewer.errors import DataError
from interviewer.scoring.features import FEATURES, SIGNS
from interviewer.scoring.model import ARTIFACT_PATH, OrdinalModel, load_artifact, parse_artifact


def synthetic(n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Level rises with feature 0, falls with feature 1; feature 2 is noise that correlates by chance."""
    grid = np.linspace(0, 1, n)
    x = np.stack([grid, grid[::-1] ** 2, np.sin(grid * 40)], axis=1)
    y = 1 + np.digitize(2.5 * x[:, 0] - 1.0 * x[:, 1] + 0.05 * x[:, 2], [0.2, 0.9, 1.6])
    return x, y


def test_ordinal_fit_orders_levels_and_respects_signs() -> None:
    x, y = synthetic()
    model = OrdinalModel.fit(("good", "bad", "noise"), x, y, signs=[1, -1, -1])
    assert model.coef[0] > 0 and model.coef[1] <= 0 and model.coef[2] <= 0
    assert np.all(np.diff(model.cuts) > 0)
    predicted = [model.level(model.score({"good": a, "bad": b, "noise": c})) for a, b, c in x]
    assert np.mean(np.array(predicted) == y) > 0.8
    p = model.probabilities(model.score({"good": 0.5, "bad": 0.25, "noise": 0.0}))
    assert p.shape == (4,) and abs(p.sum() - 1) < 1e-9


def test_ordinal_fit_is_deterministic() -> None:
    x, y = synthetic()
    a = OrdinalModel.fit(("g", "b", "n"), x, y, signs=[1, -1, 0])
    b = OrdinalModel.fit(("g", "b", "n"), x, y, signs=[1, -1, 0])
    assert np.array_equal(a.coef, b.coef) and np.array_equal(a.cuts, b.cuts)


def test_a_sign_constraint_holds_against_the_data() -> None:
    """A feature declared 'can only lower' gets weight 0 even when the data says it raises."""
    x, y = synthetic()
    model = OrdinalModel.fit(("good", "bad", "noise"), x, y, signs=[-1, -1, -1])
    assert model.coef[0] == 0.0


def test_every_feature_has_a_declared_sign() -> None:
    names = {f for fs in FEATURES.values() for f in fs}
    assert names <= set(SIGNS)
    assert all(SIGNS[n] in (-1, 1) for n in names)
    assert SIGNS["buzz_density"] == -1 and SIGNS["hypothetical_share"] == -1  # buzzwords and "I would" never help


def test_shipped_parameters_load_and_cover_every_model() -> None:
    artifact = load_artifact()
    assert artifact.version and artifact.encoder == "minilm-l6-v2-int8"
    assert set(artifact.dimensions) == set(FEATURES)
    for key, model in artifact.dimensions.items():
        assert model.features == tuple(FEATURES[key])
        signs = np.array([SIGNS[f] for f in model.features])
        assert np.all(model.coef * signs >= 0), key
    assert {"coverage", "topic", "work"} <= set(artifact.thresholds)


def test_malformed_parameters_fail_loudly(tmp_path: Path) -> None:
    data = json.loads(ARTIFACT_PATH.read_text(encoding="utf-8"))
    with pytest.raises(DataError, match="format"):
        parse_artifact({**data, "format": 99})
    broken = dict(data)
    del broken["roles"]
    with pytest.raises(DataError, match="malformed"):
        parse_artifact(broken)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match="not valid JSON"):
        load_artifact(bad)
    with pytest.raises(DataError, match="not found"):
        load_artifact(tmp_path / "missing.json")
