"""STAR review from the app: highlighting, scores with evidence, gap questions, the story bank."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import pytest

from interviewer.config import Settings
from interviewer.ui.app import create_app
from interviewer.ui.context import AppContext
from interviewer.ui.state import Preferences
from interviewer.ui.testing import handler, is_skip

STORY = (
    "In 2023 our short-video feed saw watch time drop after a ranking launch.\n"
    "I was asked to find the cause within two weeks.\n"
    "I built a drift dashboard and traced the drop to a logging bug that dropped negative labels.\n"
    "I decided to fix the pipeline before retraining, because retraining on broken labels would bake the bug in.\n"
    "Watch time recovered by 3.8 percent against the control in an A/B test.\n"
    "I learned to alert on label rates, not only on model metrics."
)
WEAK = "We improved the model and it was better. The team worked hard on it."


@pytest.fixture
def demo(tmp_path: Path, shared_index, monkeypatch: pytest.MonkeyPatch) -> gr.Blocks:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    return create_app(context=AppContext(Settings(data_dir=tmp_path / "data"), preloaded_index=shared_index))


def test_review_highlights_scores_and_asks_only_for_what_is_missing(demo: gr.Blocks) -> None:
    review, marked, scores, asks, save_box, tags, title = handler(demo, "review_story")(STORY, None, None, None)
    assert "class='s-action'" in marked and "class='s-result'" in marked
    assert "drift dashboard" in marked and "<script" not in marked
    assert "scored by offline" in scores
    for name in ("Ownership", "Impact", "Trade-off reasoning", "STAR structure"):
        assert f"<b>{name}:" in scores
    for quote in [q for s in review.assessment.scores.values() for q in s.evidence]:
        assert quote in STORY  # evidence is verbatim
    assert "Your story, reordered" in asks
    assert save_box.visible is True and title.startswith("In 2023")
    assert tags.value and set(tags.value) <= {c[1] for c in tags.choices}  # suggested from the bank's competencies

    weak = handler(demo, "review_story")(WEAK, None, None, None)
    assert "Missing:" in weak[1]
    assert "What did you personally do?" in weak[3] or "your own part" in weak[3]


def test_markup_in_a_story_is_shown_as_text(demo: gr.Blocks) -> None:
    story = STORY + "\n<script>alert(1)</script> I also <b>owned</b> the rollback plan."
    marked = handler(demo, "review_story")(story, None, None, None)[1]
    assert "<script>" not in marked and "&lt;script&gt;" in marked


def test_bad_stories_and_uploads_are_messages(demo: gr.Blocks, tmp_path: Path) -> None:
    review = handler(demo, "review_story")
    with pytest.warns(UserWarning, match="the story is empty"):
        assert is_skip(review("  ", None, None, None))
    with pytest.warns(UserWarning):
        assert is_skip(review("I led it. " * 120_000, None, None, None))  # ~1 MB
    upload = handler(demo, "review_upload")
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)))
    with pytest.warns(UserWarning, match="photo.txt is not a text file"):
        assert is_skip(upload(str(binary)))
    latin = tmp_path / "story.txt"
    latin.write_bytes("Caf\xe9 story".encode("latin-1"))
    with pytest.warns(UserWarning, match="not UTF-8"):
        assert is_skip(upload(str(latin)))
    good = tmp_path / "good.md"
    good.write_text(STORY)
    assert upload(str(good)) == STORY


def test_save_to_the_story_bank_with_coverage_and_matching_questions(demo: gr.Blocks) -> None:
    review = handler(demo, "review_story")(STORY, None, None, None)[0]
    prefs, rows, coverage, pick = handler(demo, "review_save")(review, "Label drift", ["ownership", "Debugging"], None)
    story_id = Preferences.load(prefs).stories[0]
    assert rows[0][0] == story_id and rows[0][1] == "Label drift"
    assert rows[0][2] == "ownership, debugging"
    counts = {c[0]: c[2] for c in coverage}
    assert counts["debugging"] == 1
    assert [c[1] for c in pick.choices] == [story_id]
    assert handler(demo, "review_bank")(None, False)[0] == []  # not this browser's story
    assert len(handler(demo, "review_bank")(None, True)[0]) == 1
    fits = handler(demo, "review_matches")(story_id)
    assert fits.count("<li>") == 5 and "Label drift" in fits
    with pytest.warns(UserWarning, match="review a story first"):
        assert is_skip(handler(demo, "review_save")(None, "", [], None))
