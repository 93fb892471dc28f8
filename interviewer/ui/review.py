"""STAR story review and the story bank.

A pasted (or uploaded) story is reviewed by :func:`interviewer.review.review_story`: its own
sentences highlighted by STAR part, the behavioral scores with their evidence, the questions
about facts it leaves out, and an outline built from its sentences only. Reviewed stories can
be saved to the story bank, which shows the competencies they cover and the bank questions
each story answers best. Like History, a browser lists the stories it saved unless asked for all.
"""

from __future__ import annotations

import html
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from interviewer.errors import InputError

from .context import AppContext
from .engines import scorer_for
from .notify import guarded, info
from .scores import assessment_html, dimension_names
from .state import Preferences

if TYPE_CHECKING:
    from interviewer.review import StoryReview

PART_LABELS = {
    "situation": "Situation",
    "task": "Task",
    "action": "Action",
    "result": "Result",
    "reflection": "Reflection",
}
STORY_COLUMNS = ["id", "title", "competencies", "levels", "saved"]
COVERAGE_COLUMNS = ["competency", "bank questions", "your stories"]
MAX_UPLOAD_BYTES = 1_000_000


def highlight_html(review: StoryReview) -> str:
    """The story as written, each sentence marked with its STAR part (flagged ones underlined)."""
    story = review.story
    out: list[str] = []
    pos = 0
    for s in sorted(review.sentences, key=lambda s: s.start):
        out.append(html.escape(story[pos : s.start]))
        text = html.escape(story[s.start : s.end])
        classes = [f"s-{s.part.value}"] if s.part else []
        if s.flags:
            classes.append("s-flagged")
        if classes:
            label = PART_LABELS.get(s.part.value, "") if s.part else "no STAR part"
            tip = html.escape(label + (f" · {', '.join(s.flags)}" if s.flags else ""))
            out.append(f"<mark class='{' '.join(classes)}' title='{tip}'>{text}</mark>")
        else:
            out.append(text)
        pos = s.end
    out.append(html.escape(story[pos:]))
    legend = "".join(f"<mark class='s-{k}'>{v}</mark>" for k, v in PART_LABELS.items())
    missing = [PART_LABELS[p] for p, sentences in review.parts.items() if not sentences and p in PART_LABELS]
    gap = f"<p class='iv-fallback'>Missing: {', '.join(missing)}</p>" if missing else ""
    body = "".join(out).replace("\n", "<br>")
    return f"<div class='iv-legend iv-star'>{legend}</div>{gap}<div class='iv-star'>{body}</div>"


def scores_html(review: StoryReview, names: dict[str, str] | None = None) -> str:
    parts = [assessment_html(review.assessment, "Scores", names)]
    if review.flags:
        items = "".join(
            f"<li><b>{html.escape(f.kind.replace('_', ' '))}</b>: “{html.escape(f.sentence)}” "
            f"{html.escape(f.advice)}</li>"
            for f in review.flags
        )
        parts.append(f"<h4>Sentences that weaken the story</h4><ul>{items}</ul>")
    return "".join(parts)


def questions_html(review: StoryReview) -> str:
    qs = "".join(f"<li>{html.escape(q)}</li>" for q in review.questions)
    head = "<h4>Questions about what the story leaves out</h4><p class='iv-muted'>Answer them from what happened.</p>"
    asked = f"{head}<ol>{qs}</ol>" if qs else "<h4>Nothing essential is missing.</h4>"
    sections = "".join(
        f"<p><b>{PART_LABELS[sec.part.value]}</b>: "
        + (html.escape(" ".join(sec.sentences)) if sec.sentences else "<i class='iv-muted'>(missing)</i>")
        + "</p>"
        for sec in review.outline
    )
    return f"{asked}<h4>Your story, reordered</h4><p class='iv-muted'>Only your own sentences.</p>{sections}"


class ReviewView:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def question_choices(self) -> list[str]:
        return sorted({q.text for q in self.ctx.bank.by_round("behavioral")})

    def question_dropdown(self) -> Any:
        return gr.Dropdown(choices=self.question_choices())

    def competencies(self) -> Counter[str]:
        return Counter(q.competency.lower() for q in self.ctx.bank.by_round("behavioral") if q.competency)

    @guarded
    def load_file(self, path: str | None) -> Any:
        """An uploaded story file into the text box; anything but UTF-8 text is refused."""
        if not path:
            return gr.skip()
        data = Path(path).read_bytes()
        name = Path(path).name
        if len(data) > MAX_UPLOAD_BYTES:
            raise InputError(f"{name} is {len(data) / 1e6:.1f} MB; a story file is at most 1 MB of text")
        if b"\x00" in data:
            raise InputError(f"{name} is not a text file (it holds binary data): upload .txt or .md")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise InputError(
                f"{name} is not UTF-8 text (byte 0x{data[e.start]:02x} at {e.start}): save it as UTF-8"
            ) from None

    @guarded
    def review(self, story: str, question: str | None, prefs: Any, key: str | None) -> tuple[Any, ...]:
        if not (story or "").strip():
            raise InputError("the story is empty: paste a story from your work, or upload a .txt file")
        from interviewer.review import review_story

        settings = Preferences.load(prefs).settings(self.ctx.settings, key)
        review = review_story(story, scorer_for(settings), question=(question or "").strip() or None)
        suggested = self._suggest(review)
        return (
            review,
            highlight_html(review),
            scores_html(review, dimension_names(self.ctx.settings.rubrics_dir)),
            questions_html(review),
            gr.Column(visible=True),
            gr.Dropdown(choices=sorted(self.competencies()), value=suggested, multiselect=True),
            review.story.strip().split("\n", 1)[0][:80],
        )

    def _suggest(self, review: StoryReview) -> list[str]:
        from interviewer.retrieval import search
        from interviewer.storybank import story_text_for_matching, suggest_competencies

        hits = search(self.ctx.index, story_text_for_matching(review), round="behavioral", k=5)
        return suggest_competencies(self.ctx.bank, [h.id for h in hits])

    @guarded
    def save(self, review: StoryReview | None, title: str, tags: list[str] | None, prefs: Any) -> tuple[Any, ...]:
        from interviewer.storybank import story_text_for_matching

        if review is None:
            raise InputError("review a story first, then save it")
        vector = self.ctx.index.encoder.encode([story_text_for_matching(review)])[0]
        story = self.ctx.storybank.save(review, vector, title=title or "", tags=list(tags or []))
        info(f"Saved story {story.id} ({', '.join(story.tags) or 'no competency tags'}).")
        p = Preferences.load(prefs)
        p = p.model_copy(update={"stories": [story.id, *(s for s in p.stories if s != story.id)]})
        return (p.model_dump(), *self.bank(p.model_dump(), False))

    @guarded
    def bank(self, prefs: Any, everything: bool) -> tuple[Any, ...]:
        mine = set(Preferences.load(prefs).stories)
        stories = [s for s in self.ctx.storybank.stories() if everything or s.id in mine]
        rows = []
        for st in reversed(stories):
            levels = " ".join(f"{d}={'-' if lv is None else lv}" for d, lv in st.summary()["levels"].items())
            rows.append([st.id, st.title, ", ".join(st.tags), levels, f"{st.created_at:%Y-%m-%d %H:%M}"])
        tagged = Counter(t for st in stories for t in st.tags)
        bank = self.competencies()
        coverage = [
            [c, n, tagged.get(c, 0)] for c, n in sorted(bank.items(), key=lambda x: (tagged.get(x[0], 0), x[0]))
        ]
        coverage += [[c, 0, n] for c, n in sorted(tagged.items()) if c not in bank]
        choices = [(f"{st.title} ({st.id})", st.id) for st in reversed(stories)]
        return rows, coverage, gr.Dropdown(choices=choices, value=choices[0][1] if choices else None)

    @guarded
    def matches(self, story_id: str | None) -> str:
        """The behavioral questions of the bank this story answers best."""
        if not story_id:
            return ""
        from interviewer.retrieval import search

        story = self.ctx.storybank.get(story_id)
        outline = story.review.get("outline") or []
        text = " ".join(s for sec in outline for s in sec.get("sentences", [])) or story.text
        hits = search(self.ctx.index, text, round="behavioral", k=5)
        items = "".join(
            f"<li>{html.escape(h.text)} <span class='iv-muted'>· {html.escape(h.topic)} · {h.level} · "
            f"fit {h.score:.2f}</span></li>"
            for h in hits
        )
        return f"<h4>Questions “{html.escape(story.title)}” answers</h4><ol>{items}</ol>"


def build(demo: gr.Blocks, ctx: AppContext, prefs: gr.BrowserState, key: gr.State, tab: gr.Tab) -> ReviewView:
    view = ReviewView(ctx)
    reviewed = gr.State(None)
    with gr.Row(equal_height=False):
        with gr.Column(scale=2):
            story = gr.Textbox(
                label="Your story",
                lines=10,
                max_lines=24,
                placeholder="Paste a story from your work: the situation, what you did, what came of it.",
                elem_id="story-box",
            )
            upload = gr.File(
                label="Or upload it (.txt or .md)", file_types=[".txt", ".md"], type="filepath", elem_id="story-upload"
            )
            question = gr.Dropdown(
                [],  # filled on page load, off the server's start-up path
                value=None,
                allow_custom_value=True,
                label="The question it answers (optional; pick one or type your own)",
            )
            go = gr.Button("Review story", variant="primary")
        with gr.Column(scale=3):
            marked = gr.HTML(elem_id="story-highlight")
            scores = gr.HTML(elem_id="story-scores")
    asks = gr.HTML(elem_id="story-questions")
    with gr.Column(visible=False) as save_box:
        gr.Markdown("### Save to your story bank")
        with gr.Row():
            title = gr.Textbox(label="Title")
            tags = gr.Dropdown([], multiselect=True, allow_custom_value=True, label="Competencies")
            save = gr.Button("Save story", variant="secondary")
    gr.Markdown("### Your story bank")
    everything = gr.Checkbox(False, label="Include stories saved from the terminal and other browsers")
    with gr.Row(equal_height=False):
        stories = gr.Dataframe(
            headers=STORY_COLUMNS,
            label="Stories",
            interactive=False,
            wrap=True,
            scale=3,
            column_widths=["12%", "22%", "30%", "22%", "14%"],
        )
        coverage = gr.Dataframe(
            headers=COVERAGE_COLUMNS,
            label="Competency coverage (fewest stories first)",
            interactive=False,
            wrap=True,
            scale=2,
            max_height=420,
            column_widths=["56%", "22%", "22%"],
        )
    pick = gr.Dropdown([], label="Show the bank questions a story answers")
    fits = gr.HTML(elem_id="story-matches")

    upload.upload(view.load_file, upload, story, api_name="review_upload")
    go.click(
        view.review,
        [story, question, prefs, key],
        [reviewed, marked, scores, asks, save_box, tags, title],
        api_name="review_story",
    )
    bank_out = [stories, coverage, pick]
    save.click(view.save, [reviewed, title, tags, prefs], [prefs, *bank_out], api_name="review_save")
    everything.change(view.bank, [prefs, everything], bank_out, api_name="review_bank")
    tab.select(view.bank, [prefs, everything], bank_out, api_visibility="private")
    demo.load(view.question_dropdown, None, question, api_visibility="private", show_progress="hidden")
    pick.change(view.matches, pick, fits, api_name="review_matches")
    return view
