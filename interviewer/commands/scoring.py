"""Scoring commands: ``score`` (one answer), ``eval`` (a labelled dataset), ``review`` (a STAR
story) and ``stories`` (the story bank).

Machine-readable output goes to stdout and nothing else does: progress bars, skipped dataset lines
and fallback warnings go to stderr, so ``--json`` output can always be piped.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape as esc
from rich.table import Table

from interviewer.config import get_settings
from interviewer.errors import DataError, InputError
from interviewer.scoring.types import Assessment

out = Console()
err = Console(stderr=True)

EngineOpt = Annotated[
    str | None,
    typer.Option("--engine", help="offline (default) or llm (the configured OpenAI-compatible endpoint)"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="one JSON object on stdout")]


def register(app: typer.Typer) -> None:
    app.command("score", help="Score one answer read as JSON on stdin.")(score_cmd)
    app.command("eval", help="Measure a scoring engine against a labelled JSONL dataset.")(eval_cmd)
    app.command("review", help="Review a STAR story: parts, scores, flags, questions, outline.")(review_cmd)
    stories = typer.Typer(help="Your reviewed STAR stories, tagged by competency.", no_args_is_help=True)
    stories.command("list", help="Saved stories.")(stories_list)
    stories.command("show", help="One story with its review.")(stories_show)
    stories.command("tag", help="Add (or --remove) competency tags.")(stories_tag)
    stories.command("delete", help="Delete a story.")(stories_delete)
    stories.command("match", help="Which saved stories fit a question (bank id or text).")(stories_match)
    stories.command("questions", help="Which bank questions a saved story answers.")(stories_questions)
    app.add_typer(stories, name="stories")


def _engine(engine: str | None) -> str | None:
    if engine is not None and engine not in ("offline", "llm"):
        raise InputError(f"unknown engine {engine!r}: use offline or llm")
    return engine


def _read(source: str, what: str) -> str:
    """Text from a file or stdin (``-``), decoded strictly: a bad byte is an error, not a guess."""
    from interviewer.scoring.inputs import decode

    if source == "-":
        if sys.stdin.isatty():
            raise InputError(f"expected the {what} on stdin (pipe it in, or give a file)")
        data = sys.stdin.buffer.read()
    else:
        try:
            data = Path(source).read_bytes()
        except OSError as e:
            raise InputError(f"cannot read {source}: {e.strerror}") from None
    return decode(data, what)


def _warn_fallback(a: Assessment) -> None:
    if a.fallback_reason:
        err.print(f"[yellow]warning:[/] scored by {esc(a.engine)}: {esc(a.fallback_reason)}", highlight=False)


# -- score -------------------------------------------------------------------------------------

def score_cmd(engine: EngineOpt = None, as_json: JsonOpt = False) -> None:
    from interviewer.scoring.factory import get_scorer
    from interviewer.scoring.inputs import parse_request

    raw = _read("-", "score request (one JSON object)")
    if not raw.strip():
        raise InputError("no input on stdin: expected one JSON object with round, question and answer")
    item = parse_request(raw)
    assessment = get_scorer(_engine(engine)).assess(item)
    _warn_fallback(assessment)
    if as_json:
        typer.echo(json.dumps(assessment.to_contract(), ensure_ascii=False))
        return
    flags = f"  flags: {esc(', '.join(assessment.flags))}" if assessment.flags else ""
    out.print(f"engine: [bold]{esc(assessment.engine)}[/]{flags}")
    table = Table("dimension", "level", "evidence", "rationale / missing", show_lines=True)
    for dim, s in assessment.scores.items():
        level = "abstained" if s.level is None else str(s.level)
        quotes = esc("\n".join(f"\u201c{q}\u201d" for q in s.evidence))
        table.add_row(dim, level, quotes, f"{esc(s.rationale)}\n[dim]{esc(s.missing)}[/]")
    out.print(table)


# -- eval ----------------------------------------------------------------------------------------

def eval_cmd(
    dataset: Annotated[Path, typer.Argument(help="JSONL: id, round, question, answer, reference?, scores")],
    engine: EngineOpt = None,
    as_json: JsonOpt = False,
    report: Annotated[Path | None, typer.Option("--report", help="write an HTML report into this folder")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="score every item again")] = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="progress bar on stderr")] = True,
) -> None:
    from interviewer.evaluation import ResultCache, load_dataset, run_eval
    from interviewer.scoring.factory import get_scorer, rubric_version

    settings = get_settings()
    data = load_dataset(dataset)
    for problem in data.problems:
        err.print(f"[yellow]skipped[/] {esc(problem)}", highlight=False, soft_wrap=True)
    if not data.items:
        raise DataError(f"no valid items in {dataset}", data.problems[:1] or ["the file has no lines"])
    scorer = get_scorer(_engine(engine), settings, batch=True)
    concurrency = settings.llm.concurrency if getattr(scorer, "llm", None) is not None else 1
    cache = None if no_cache else ResultCache.for_settings(settings)
    try:
        run = run_eval(data.items, scorer, cache=cache, rubric_version=rubric_version(settings),
                       concurrency=concurrency, progress=progress)
    except KeyboardInterrupt:
        err.print("interrupted: finished items are cached; run the same command again to resume")
        raise typer.Exit(130) from None
    finally:
        if cache is not None:
            cache.close()
    run.problems = data.problems
    if run.fallbacks:
        reasons = sorted({r.assessment.fallback_reason or "" for r in run.results if r.fell_back})
        err.print(f"[yellow]warning:[/] {esc(run.engine_label)}: {esc('; '.join(reasons)[:500])}", highlight=False)
    err.print(f"{len(run.results)} items: {run.scored} scored now, {len(run.results) - run.scored} from the cache"
              + (f", {len(data.problems)} line(s) skipped" if data.problems else ""), highlight=False)
    if report is not None:
        from interviewer.evalreport import write_report

        err.print(f"report: {write_report(run, report, dataset=str(dataset))}", highlight=False)
    if as_json:
        typer.echo(json.dumps(run.to_json(), ensure_ascii=False))
        return
    _print_metrics(run)


def _print_metrics(run: Any) -> None:
    def f(x: float | None, fmt: str) -> str:
        return "n/a" if x is None else format(x, fmt)

    dims = run.dimensions()
    out.print(f"engine: [bold]{esc(run.engine_label)}[/]   items: {len(run.results)}")
    table = Table("dimension", "n", "abstained", "QWK", "Spearman", "exact", "adjacent", "offset")
    for dim, a in dims.items():
        table.add_row(dim, str(a.n), str(a.abstained), f(a.qwk, ".3f"), f(a.spearman, ".3f"), f(a.exact, ".1%"),
                      f(a.adjacent, ".1%"), f(a.offset, "+.2f"))
    out.print(table)
    for dim, a in dims.items():
        cm = Table(f"{dim}: gold \\ predicted", "1", "2", "3", "4", title=None, box=None, pad_edge=False)
        for level, row in enumerate(a.confusion, 1):
            cm.add_row(str(level), *(str(c) for c in row))
        out.print(cm)


# -- review --------------------------------------------------------------------------------------

def review_cmd(
    source: Annotated[str, typer.Argument(metavar="FILE|-", help="the story as text; - reads stdin")],
    as_json: JsonOpt = False,
    question: Annotated[str | None, typer.Option("--question", help="the question the story answers")] = None,
    engine: EngineOpt = None,
    save: Annotated[bool, typer.Option("--save", help="save the reviewed story to the story bank")] = False,
    title: Annotated[str, typer.Option("--title", help="title for --save")] = "",
    tags: Annotated[list[str] | None, typer.Option("--tag", help="competency tag for --save (repeatable)")] = None,
) -> None:
    from interviewer.review import review_story
    from interviewer.scoring.factory import get_scorer

    story = _read(source, "story")
    review = review_story(story, get_scorer(_engine(engine)), question=question)
    _warn_fallback(review.assessment)
    saved = None
    if save:
        saved = _save_story(review, title, tags or [])
        err.print(f"saved as story {saved['id']} (tags: {', '.join(saved['tags']) or 'none'})", highlight=False)
    if as_json:
        typer.echo(json.dumps({**review.to_json(), **({"saved": saved} if saved else {})}, ensure_ascii=False))
        return
    _print_review(review)


def _save_story(review: Any, title: str, tags: list[str]) -> dict[str, Any]:
    from interviewer.retrieval import search
    from interviewer.service import ensure_index, get_bank
    from interviewer.storybank import open_storybank, story_text_for_matching, suggest_competencies

    index = ensure_index()
    query = story_text_for_matching(review)
    hits = search(index, query, round="behavioral", k=5)
    suggested = suggest_competencies(get_bank(), [h.id for h in hits])
    vector = index.encoder.encode([query])[0]
    story = open_storybank().save(review, vector, title=title, tags=[*tags, *suggested])
    return {"id": story.id, "tags": story.tags, "fits_questions": [h.id for h in hits[:3]]}


def _print_review(review: Any) -> None:
    out.print(f"[bold]STAR parts[/] (engine: {esc(review.engine)})")
    for part, sentences in review.parts.items():
        body = esc(" ".join(sentences)) if sentences else "[red]missing[/]"
        out.print(f"  [bold]{part}[/]: {body}", highlight=False)
    table = Table("dimension", "level", "evidence", "to raise it", show_lines=True)
    for dim, s in review.assessment.scores.items():
        table.add_row(dim, "abstained" if s.level is None else str(s.level),
                      esc("\n".join(f"\u201c{q}\u201d" for q in s.evidence)), esc(s.missing))
    out.print(table)
    if review.flags:
        out.print("[bold]Flags[/]")
        for flag in review.flags:
            out.print(f"  [yellow]{flag.kind}[/]: \u201c{esc(flag.sentence)}\u201d {flag.advice}", highlight=False)
    if review.questions:
        out.print("[bold]Questions to fill the gaps[/] (answer from what actually happened)")
        for i, q in enumerate(review.questions, 1):
            out.print(f"  {i}. {q}", markup=False, highlight=False)
    out.print("[bold]Outline[/] (your own sentences, in STAR order)")
    for section in review.outline:
        body = esc(" ".join(section.sentences)) if section.sentences else "[red](missing: see the questions above)[/]"
        out.print(f"  [bold]{section.part.value}[/]: {body}", highlight=False)


# -- stories -------------------------------------------------------------------------------------

def stories_list(tag: Annotated[str | None, typer.Option("--tag")] = None, as_json: JsonOpt = False) -> None:
    from interviewer.storybank import open_storybank

    stories = open_storybank().stories(tag=tag)
    if as_json:
        typer.echo(json.dumps([s.summary() for s in stories], ensure_ascii=False))
        return
    table = Table("id", "title", "tags", "levels", "saved")
    for s in stories:
        info = s.summary()
        levels = " ".join(f"{d}={lv if lv is not None else '-'}" for d, lv in info["levels"].items())
        table.add_row(s.id, esc(s.title), esc(", ".join(s.tags)), levels, info["created_at"])
    out.print(table)


StoryId = Annotated[str, typer.Argument(help="id or unique prefix")]


def stories_show(story_id: StoryId, as_json: JsonOpt = False) -> None:
    from interviewer.storybank import open_storybank

    story = open_storybank().get(story_id)
    if as_json:
        typer.echo(json.dumps({**story.summary(), "text": story.text, "review": story.review}, ensure_ascii=False))
        return
    out.print(f"[bold]{esc(story.title)}[/] ({story.id}; tags: {esc(', '.join(story.tags)) or 'none'})")
    out.print(story.text, markup=False, highlight=False)
    for i, q in enumerate(story.review.get("questions", []), 1):
        out.print(f"  {i}. {q}", markup=False, highlight=False)


def stories_tag(
    story_id: Annotated[str, typer.Argument(help="id or unique prefix")],
    tags: Annotated[list[str], typer.Argument(help="competencies, e.g. ownership 'conflict resolution'")],
    remove: Annotated[bool, typer.Option("--remove", help="remove these tags instead")] = False,
) -> None:
    from interviewer.storybank import open_storybank

    bank = open_storybank()
    story = bank.retag(story_id, remove=tags) if remove else bank.retag(story_id, add=tags)
    typer.echo(f"{story.id}: {', '.join(story.tags) or 'no tags'}")


def stories_delete(story_id: Annotated[str, typer.Argument(help="id or unique prefix")]) -> None:
    from interviewer.storybank import open_storybank

    typer.echo(f"deleted story {open_storybank().delete(story_id)}")


def stories_match(
    question: Annotated[str, typer.Argument(help="a bank question id, or the question's text")],
    k: Annotated[int, typer.Option("--k", min=1, max=50)] = 3,
    as_json: JsonOpt = False,
) -> None:
    from interviewer.embeddings import get_encoder
    from interviewer.service import get_bank
    from interviewer.storybank import open_storybank

    bank = get_bank()
    text = bank.get(question).text if question in bank else question
    matches = open_storybank().match(text, get_encoder(), k=k)
    if as_json:
        typer.echo(json.dumps({"question": text, "stories": [{**m.story.summary(), "score": round(m.score, 4)}
                                                              for m in matches]}, ensure_ascii=False))
        return
    if not matches:
        out.print("no saved stories yet: `interviewer review FILE --save`")
    for m in matches:
        out.print(f"{m.score:.3f}  {m.story.id}  {m.story.title}  ({', '.join(m.story.tags) or 'no tags'})",
                  markup=False, highlight=False)


def stories_questions(
    story_id: Annotated[str, typer.Argument(help="id or unique prefix")],
    k: Annotated[int, typer.Option("--k", min=1, max=50)] = 5,
    as_json: JsonOpt = False,
) -> None:
    from interviewer.retrieval import search
    from interviewer.service import ensure_index
    from interviewer.storybank import open_storybank

    story = open_storybank().get(story_id)
    outline = story.review.get("outline", [])
    query = " ".join(s for sec in outline for s in sec.get("sentences", [])) or story.text
    hits = search(ensure_index(), query, round="behavioral", k=k)
    if as_json:
        typer.echo(json.dumps([h.as_dict() for h in hits], ensure_ascii=False))
        return
    for h in hits:
        out.print(f"{h.score:.3f}  {h.id}  {h.text}", markup=False, highlight=False)
