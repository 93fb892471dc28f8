"""The bank loads, and every kind of bad file gets an error naming file, id and field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from interviewer.bank import Round, load_bank, validate_bank
from interviewer.errors import DataError

GOOD = """
round: ml_theory
topic: losses
questions:
  - id: t-loss-001
    level: MLE2
    difficulty: medium
    tags: [loss]
    text: Why is log loss preferred to squared error for classification?
    key_points:
      - Log loss is the negative log-likelihood of a Bernoulli model.
      - Squared error on sigmoid outputs gives vanishing gradients when predictions are confidently wrong.
      - Log loss is convex in the logits of logistic regression.
    follow_ups:
      - text: What happens to the gradient when the model is confidently wrong?
        key_point: 2
      - text: When might you still pick squared error?
        dimension: tradeoffs
    outline: [likelihood view, gradient behaviour, convexity]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def problems(tmp_path: Path) -> list[str]:
    _, errors = validate_bank(tmp_path)
    return errors


def test_good_file_loads_with_file_level_defaults(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    bank = load_bank(tmp_path)
    q = bank.get("t-loss-001")
    assert q.round is Round.ml_theory and q.topic == "losses"
    assert q.follow_ups[0].key_point == 2
    assert q.rubric_dimensions == ["coverage", "tradeoffs"]


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, "broken.yaml", "questions:\n  - id: x\n    text: [unclosed\n")
    (err,) = problems(tmp_path)
    assert "broken.yaml" in err and "malformed YAML" in err and "line" in err


@pytest.mark.parametrize(
    ("mutation", "field"),
    [
        (("round: ml_theory", "round: astrology"), "round"),
        (("text: Why is log loss", "text: ''\n    x: Why is log loss"), "text"),
        (("    key_points:\n", "    key_points: just one string\n    old_kp:\n"), "key_points"),
        (("        key_point: 2", "        key_point: 9"), "follow_ups"),
        (("level: MLE2", "level: MLE9"), "level"),
    ],
)
def test_bad_field_names_file_question_and_field(tmp_path: Path, mutation: tuple[str, str], field: str) -> None:
    old, new = mutation
    assert old in GOOD
    write(tmp_path, "bad.yaml", GOOD.replace(old, new, 1))
    errs = problems(tmp_path)
    assert errs, "expected a validation error"
    assert any("bad.yaml" in e and "t-loss-001" in e and f"field {field}" in e for e in errs), errs


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", GOOD)
    (err,) = problems(tmp_path)
    assert "b.yaml" in err and "duplicate id" in err and "a.yaml" in err


def test_empty_and_binary_files(tmp_path: Path) -> None:
    write(tmp_path, "empty.yaml", "")
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe\x00\x01garbage")
    errs = problems(tmp_path)
    assert any("empty.yaml" in e and "empty" in e for e in errs)
    assert any("bin.yaml" in e and "UTF-8" in e for e in errs)


def test_strict_load_raises_with_every_problem(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD.replace("level: MLE2", "level: MLE9"))
    write(tmp_path, "b.yaml", "nonsense: true\n")
    with pytest.raises(DataError) as info:
        load_bank(tmp_path)
    assert len(info.value.problems) == 2


def test_cli_validate_exits_nonzero_and_names_problem(tmp_path: Path) -> None:
    write(tmp_path, "bad.yaml", GOOD.replace("round: ml_theory", "round: astrology"))
    res = subprocess.run(
        [sys.executable, "-m", "interviewer.cli", "bank", "validate", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 1
    assert "bad.yaml" in res.stderr and "t-loss-001" in res.stderr and "field round" in res.stderr


def test_real_bank_is_valid() -> None:
    from interviewer.config import PROJECT_ROOT

    bank, errors = validate_bank(PROJECT_ROOT / "knowledge")
    assert errors == []
    assert len(bank) > 0
