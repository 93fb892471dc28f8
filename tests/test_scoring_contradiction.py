"""The contradiction checks of key-point matching: a point stated backwards is not a point made.

Pure functions, no encoder: each case is a sentence a candidate could say, read against a key
point of the bank. Guards (a sentence that names the opposite only to reject it) matter as much
as catches: a false contradiction takes a correct point away from the candidate.
"""

from __future__ import annotations

import pytest

from interviewer.scoring.contradiction import asserted, contradiction, negations, polarity

L1 = (
    "L1 drives many weights exactly to zero (sparse solutions, implicit feature selection), because its "
    "penalty gradient has constant magnitude / the constraint region has corners."
)
L2 = "L2 shrinks all weights smoothly toward zero without zeroing them and spreads weight across correlated features."
PR = "Prefer PR AUC when positives are rare and false positives are costly; pick the threshold from business costs."
SPLIT = "Evaluation: offline per-task AUC / NDCG on a time-based split, then an online A/B test on watch time."
DROPOUT = "During training each unit is zeroed independently with probability p on every forward pass."
VARIANCE = "Variance is sensitivity to the training sample: overfitting, with low training error and a large gap."


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("L1 produces sparse weights.", 1),
        ("L1 does not produce sparse weights.", -1),
        ("L1 doesn't produce sparse weights.", -1),
        ("L1 never fails to produce sparse weights.", 1),  # double negative
        ("It is not without cost.", 1),
        ("Not only is it sparse, it is also cheap.", 1),  # "not only" negates nothing
        ("Keep no more than two videos per creator.", 1),
    ],
)
def test_polarity_counts_negations_and_cancels_double_ones(text: str, sign: int) -> None:
    assert polarity(text) == sign


def test_negations_are_word_positions() -> None:
    assert negations("L1 does not produce zeros") == [2]
    assert negations("whether or not it helps") == []


@pytest.mark.parametrize(
    ("key_point", "sentence", "kind"),
    [
        (L1, "L1 regularisation does not produce sparse weights or drive weights to zero.", "negation"),
        (L1, "L2 drives many weights exactly to zero, giving sparse solutions.", "swap"),
        (L2, "L2 sets many weights exactly to zero.", "swap"),
        (PR, "Prefer PR AUC when positives are rare and false negatives are costly.", "swap"),
        (SPLIT, "Offline I compute per-task AUC and NDCG on a random split.", "swap"),
        (SPLIT, "Offline AUC and NDCG on a random split rather than a time-based one.", "swap"),
        (DROPOUT, "During inference each unit is zeroed independently with probability p.", "swap"),
        (VARIANCE, "High variance is underfitting, with low training error and a large gap.", "swap"),
    ],
)
def test_a_point_stated_backwards_is_a_contradiction(key_point: str, sentence: str, kind: str) -> None:
    found = contradiction(key_point, sentence)
    assert found is not None and found.kind == kind, found


@pytest.mark.parametrize(
    ("key_point", "sentence"),
    [
        (L1, "L1 drives many weights to exactly zero, so it selects features."),
        # naming the opposite in order to reject it
        (L1, "L1, unlike L2, does produce sparsity in the weights."),
        (L1, "Unlike L2, L1 pushes many weights exactly to zero and gives sparse models."),
        (L1, "It is not L2 but L1 that drives many weights exactly to zero."),
        (L1, "A common misconception is that L1 does not drive weights to zero; it drives many exactly to zero."),
        (L1, "L1 never fails to drive many weights exactly to zero."),
        (PR, "Prefer PR AUC when positives are rare and false positives are costly, not false negatives."),
        (SPLIT, "Offline AUC and NDCG on a time-based split rather than a random one."),
        (SPLIT, "Offline AUC and NDCG on a time split, online a user-randomised A/B test on watch time."),
        # a negation that is part of the key point too, and a negation in a clause of reason
        (L2, "L2 shrinks weights smoothly but never sets them exactly to zero."),
        (L2, "L2 shrinks weights smoothly toward zero."),
        (DROPOUT, "Each unit is zeroed with probability p during training, because at inference nothing is dropped."),
        # both sides said: a comparison, not a reversal
        (L1, "L1 gives you exact zeros, so it does feature selection; L2 just shrinks everything smoothly."),
        # the opposite term said of something else
        (
            "Adam converges quickly with less learning-rate tuning and suits sparse gradients (embeddings).",
            "I'd use a row-wise Adam variant for the embeddings and plain SGD with momentum for the dense layers.",
        ),
        # a negation of one word, not of the point
        (
            "Cold start for new users: contacts import, onboarding interest picks and popular creators.",
            "For new users with no graph, their onboarding interest picks and popular creators in those interests.",
        ),
    ],
)
def test_guards_a_right_statement_is_never_a_contradiction(key_point: str, sentence: str) -> None:
    assert contradiction(key_point, sentence) is None


def test_asserted_drops_the_rejected_side() -> None:
    assert "L2" not in asserted("L1, unlike L2, does produce sparsity")
    assert "random" not in asserted("Split by time rather than shuffling randomly.")
    assert "false negatives" not in asserted("False positives are costly, not false negatives.")
