"""End-to-end: the real app in headless Chromium, used the way a candidate uses it."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TURN_TIMEOUT = 120_000  # generous: a loaded CI machine; a healthy turn takes well under a second
STRONG_STORY = (
    "Last year our feed ranking model drifted after a product launch and watch time fell 4 percent. "
    "I owned the investigation: I built a drift dashboard and found a logging bug that dropped 30 percent "
    "of negative labels. I weighed retraining at once against fixing the pipeline first, and chose the fix "
    "because retraining on broken labels would bake the bug in. After the fix watch time recovered by 3.8 "
    "percent within two weeks, measured in an A/B test against the old pipeline. I learned to alert on "
    "label rates, not only on model metrics."
)


def choose(page, label: str, option: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def bot_messages(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.locator("#interview-chat [data-testid='bot']").all_inner_texts()


def wait_for_bot_count(page, n: int) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(
        "n => document.querySelectorAll(\"#interview-chat [data-testid='bot']\").length >= n",
        arg=n,
        timeout=TURN_TIMEOUT,
    )


def toast(page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.locator(".toast-body").filter(has_text=text).first.wait_for(timeout=TURN_TIMEOUT)


def start_behavioral(page, feedback: bool = False) -> None:  # type: ignore[no-untyped-def]
    choose(page, "Round", "Behavioral")
    if feedback:
        page.get_by_label("Show feedback after each answer (a real interviewer would not)").check()
    page.get_by_role("button", name="Start interview").click()
    wait_for_bot_count(page, 1)


def test_complete_a_short_interview(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert "offline" in page.locator("#active-engine").inner_text()
    start_behavioral(page, feedback=True)
    assert "Behavioral" in page.locator("#interview-status").inner_text()
    shot(page, "interview-started")

    box = page.locator("#answer-box textarea")
    box.press("Shift+Enter")  # an empty answer: a message, nothing sent
    toast(page, "Your answer is empty")

    box.fill(STRONG_STORY)
    box.press("Shift+Enter")  # keyboard submit
    wait_for_bot_count(page, 2)
    feedback = page.locator("#live-feedback")
    feedback.get_by_text("Feedback on your last answer").wait_for(timeout=TURN_TIMEOUT)
    assert "offline" in feedback.inner_text()
    assert page.locator("#interview-chat [data-testid='user']").first.inner_text().startswith("Last year")
    assert box.input_value() == ""

    page.get_by_role("button", name="Hint").click()
    wait_for_bot_count(page, 3)
    page.get_by_role("button", name="Repeat question").click()
    wait_for_bot_count(page, 4)
    shot(page, "interview-in-progress")

    page.get_by_role("button", name="End interview").click()
    card = page.locator("#scorecard")
    card.wait_for(state="visible", timeout=TURN_TIMEOUT)
    card.get_by_text("Most useful improvements").wait_for()
    text = card.inner_text()
    assert "Scorecard" in text and "Scored by" in text and "offline" in text
    assert any(s in text for s in ("Strong No Hire", "No Hire", "Hire", "Strong Hire"))
    assert "Finished" in page.locator("#interview-status").inner_text()
    shot(page, "interview-scorecard")

    with page.expect_download() as dl:
        card.get_by_role("button", name="Download Markdown").click()
    md = Path(dl.value.path()).read_text()
    assert md.startswith("# Interview report") and "Behavioral" in md

    # the interview is over: another answer is refused with a message, nothing breaks
    box.fill("one more thing")
    page.get_by_role("button", name="Send answer").click()
    toast(page, "this interview has ended")
    assert box.input_value() == "one more thing"
    assert not page.js_errors


def test_keyboard_only_interview(page) -> None:  # type: ignore[no-untyped-def]
    """Start and answer with the keyboard alone: Tab to the controls, Enter / Shift+Enter to act."""

    def tab_to(predicate_js: str, limit: int = 80) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"() => {{ const el = document.activeElement; return !!el && ({predicate_js}); }}"):
                return
        raise AssertionError(f"could not reach the element by Tab: {predicate_js}")

    page.locator("body").click(position={"x": 5, "y": 5})
    tab_to("el.tagName === 'BUTTON' && el.innerText.trim() === 'Start interview'")
    page.keyboard.press("Enter")
    wait_for_bot_count(page, 1)
    tab_to("el.closest('#answer-box') !== null && el.tagName === 'TEXTAREA'")
    page.keyboard.type("I do not know this one, sorry.")
    page.keyboard.press("Shift+Enter")
    wait_for_bot_count(page, 2)
    assert page.locator("#interview-chat [data-testid='user']").count() == 1


def test_every_input_has_a_label(page) -> None:  # type: ignore[no-untyped-def]
    collect = """() => {
        const named = el => (el.labels && el.labels.length && [...el.labels].some(l => l.innerText.trim()))
            || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.title;
        const seen = [], unlabelled = [];
        for (const el of document.querySelectorAll('input, textarea, select')) {
            if (el.type === 'hidden' || el.type === 'file' || !el.checkVisibility()) continue;
            seen.push(el.outerHTML.slice(0, 160));
            if (!named(el)) unlabelled.push(el.outerHTML.slice(0, 160));
        }
        return {seen, unlabelled};
    }"""
    seen: set[str] = set()
    unlabelled: set[str] = set()
    for name in ("Mock interview", "STAR review", "History & progress", "Evaluation", "Settings"):
        open_tab(page, name)
        page.get_by_role("tab", name=name, selected=True).wait_for()
        page.wait_for_function(
            "() => document.querySelector('[role=tabpanel]:not([hidden]) input, "
            "[role=tabpanel]:not([hidden]) textarea') !== null"
        )
        found = page.evaluate(collect)
        seen |= set(found["seen"])
        unlabelled |= set(found["unlabelled"])
    assert len(seen) > 25  # the inputs of every tab were looked at
    assert unlabelled == set()


def test_huge_paste_is_refused_kept_and_the_session_resumes_after_a_reload(page) -> None:  # type: ignore[no-untyped-def]
    start_behavioral(page)
    big = ("I led the migration of our ranking stack. " * 25_000)[:1_000_000]
    box = page.locator("#answer-box textarea")
    box.evaluate("(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }", big)
    page.get_by_role("button", name="Send answer").click()
    toast(page, "the limit is")
    assert len(box.input_value()) == len(big)
    assert page.locator("#interview-chat [data-testid='user']").count() == 0
    box.fill(STRONG_STORY)  # the session goes on
    page.get_by_role("button", name="Send answer").click()
    wait_for_bot_count(page, 2)
    before = bot_messages(page)

    page.reload()  # the tab is closed or reloaded mid-interview: nothing is lost
    page.wait_for_selector("#app-header")
    resume = page.locator("#resume-box")
    resume.get_by_role("button", name="Resume session", exact=True).wait_for(state="visible", timeout=TURN_TIMEOUT)
    resume.get_by_role("button", name="Resume session", exact=True).click()
    wait_for_bot_count(page, 2)
    assert bot_messages(page) == before
    toast(page, "Resumed session")
    box.fill("I do not know.")
    box.press("Shift+Enter")
    wait_for_bot_count(page, 3)


def open_tab(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("tab", name=name).click()


def test_review_a_story_and_save_it(page) -> None:  # type: ignore[no-untyped-def]
    open_tab(page, "STAR review")
    page.locator("#story-box textarea").fill(STRONG_STORY)
    page.get_by_role("button", name="Review story").click()
    marked = page.locator("#story-highlight")
    marked.locator("mark.s-action").first.wait_for(timeout=TURN_TIMEOUT)
    assert marked.locator("mark.s-result").count() >= 1
    scores = page.locator("#story-scores").inner_text()
    assert "scored by offline" in scores and "Ownership" in scores
    assert "Your story, reordered" in page.locator("#story-questions").inner_text()
    page.get_by_label("Title", exact=True).fill("Label drift")
    page.get_by_role("button", name="Save story").click()
    toast(page, "Saved story")
    page.get_by_label("Show the bank questions a story answers").click()
    page.get_by_role("option").filter(has_text="Label drift").first.click()
    page.locator("#story-matches li").first.wait_for(timeout=TURN_TIMEOUT)
    assert page.locator("#story-matches li").count() == 5
    shot(page, "star-review")
    assert not page.js_errors


def test_history_progress_and_drill(page) -> None:  # type: ignore[no-untyped-def]
    start_behavioral(page)
    box = page.locator("#answer-box textarea")
    box.fill(STRONG_STORY)
    box.press("Shift+Enter")
    wait_for_bot_count(page, 2)
    page.get_by_role("button", name="End interview").click()
    page.locator("#scorecard").wait_for(state="visible", timeout=TURN_TIMEOUT)
    open_tab(page, "History & progress")
    page.wait_for_function(
        "() => document.querySelector('#history-sessions')?.innerText.includes('finished')", timeout=TURN_TIMEOUT
    )
    page.get_by_label("Drill question").click()
    page.get_by_role("option").first.click()
    page.get_by_label("Your drill answer").fill(STRONG_STORY)
    page.get_by_role("button", name="Score my answer").click()
    page.locator("#drill-result").get_by_text("(scored by offline)").wait_for(timeout=TURN_TIMEOUT)
    shot(page, "history")
    assert not page.js_errors


def test_run_a_small_evaluation(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from interviewer.config import PROJECT_ROOT

    lines = (PROJECT_ROOT / "evals" / "data" / "train.jsonl").read_text().splitlines()[:8]
    good = tmp_path / "eight.jsonl"
    good.write_text("\n".join(lines) + "\n")
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00 not a dataset")
    open_tab(page, "Evaluation")
    upload = page.locator("#eval-upload")
    upload.locator("input[type=file]").set_input_files(str(broken))
    upload.locator("td.filename[aria-label='broken.jsonl']").wait_for(timeout=TURN_TIMEOUT)
    page.get_by_role("button", name="Run evaluation").click()
    toast(page, "holds no usable labelled item")
    upload.get_by_label("Clear").click()
    upload.locator("input[type=file]").set_input_files(str(good))
    upload.locator("td.filename[aria-label='eight.jsonl']").wait_for(timeout=TURN_TIMEOUT)
    page.get_by_role("button", name="Run evaluation").click()
    summary = page.locator("#eval-summary")
    page.wait_for_function(
        "() => document.querySelector('#eval-summary').innerText.includes('scored by')", timeout=120_000
    )
    assert "8 item(s)" in summary.inner_text() and "offline" in summary.inner_text()
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download report (HTML + plots, zip)").click()
    assert Path(dl.value.path()).read_bytes()[:2] == b"PK"
    shot(page, "evaluation")


def test_voice_answer_from_an_uploaded_recording(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The browser voice path: a WAV (spoken by espeak-ng now) -> transcript in the answer box -> sent."""
    import shutil
    import subprocess

    espeak = shutil.which("espeak-ng")
    assert espeak, "espeak-ng is needed to make the recording: scripts/install-system-deps.sh"
    wav = tmp_path / "answer.wav"
    said = "I migrated the ranking service to a two tower model and latency dropped by forty percent."
    subprocess.run([espeak, "-w", str(wav), said], check=True)
    start_behavioral(page)
    page.get_by_text("Answer by voice").click()
    voice = page.locator("#voice-answer")
    voice.get_by_label("Upload file").click()
    voice.locator("input[type=file]").set_input_files(str(wav))
    box = page.locator("#answer-box textarea")
    page.wait_for_function(
        "() => document.querySelector('#answer-box textarea').value.toLowerCase().includes('latency')",
        timeout=120_000,
    )
    assert "ranking" in box.input_value().lower()
    assert "words/min" in page.locator("#voice-status").inner_text()
    shot(page, "voice-transcript")
    box.press("Shift+Enter")  # corrected or not, the candidate sends it
    wait_for_bot_count(page, 2)
    page.get_by_role("button", name="End interview").click()
    card = page.locator("#scorecard")
    card.wait_for(state="visible", timeout=TURN_TIMEOUT)
    delivery = card.locator("#delivery")
    delivery.wait_for(state="visible", timeout=TURN_TIMEOUT)
    assert "words/min" in delivery.inner_text() and "1 spoken answer(s)" in delivery.inner_text()
    shot(page, "voice-delivery")


def test_the_interviewer_speaks_sentence_by_sentence(page) -> None:  # type: ignore[no-untyped-def]
    open_tab(page, "Settings")
    page.get_by_label("Offline: espeak-ng (robotic, fast)").check()
    page.get_by_label("Read the interviewer's messages aloud").check()
    page.get_by_role("button", name="Save settings").click()
    toast(page, "Settings saved")
    try:
        open_tab(page, "Mock interview")
        start_behavioral(page)
        page.wait_for_function(
            "() => window.ivSpeech && ivSpeech.next >= 1 && ivSpeech.audio.currentTime > 0", timeout=TURN_TIMEOUT
        )
        assert page.locator("#interviewer-voice .iv-replay").is_visible()
        shot(page, "interviewer-speaking")
    finally:  # the browser profile is shared by the tests: leave the settings as found
        open_tab(page, "Settings")
        page.get_by_label("Read the interviewer's messages aloud").uncheck()
        page.get_by_role("button", name="Save settings").click()
        toast(page, "Settings saved")
