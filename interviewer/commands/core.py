"""Foundation commands: config, bank validation, indexing and question search."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from interviewer.config import get_settings
from interviewer.errors import DataError

console = Console()


def register(app: typer.Typer) -> None:
    app.command("config", help="Print the effective settings (secrets masked).")(config_cmd)
    bank = typer.Typer(help="The question bank.", no_args_is_help=True)
    bank.command("validate", help="Validate every YAML file of the bank.")(bank_validate)
    bank.command("stats", help="Counts per round, topic and level.")(bank_stats)
    bank.command("lock-ids", help="Record every id in knowledge/ids.lock (ids, once published, stay).")(bank_lock_ids)
    app.add_typer(bank, name="bank")
    app.command("index", help="Build or update the question index (incremental).")(index_cmd)
    questions = typer.Typer(help="Search the question bank.", no_args_is_help=True)
    questions.command("search", help="Semantic search with metadata filters.")(search_cmd)
    app.add_typer(questions, name="questions")


def config_cmd(as_json: Annotated[bool, typer.Option("--json", help="machine-readable")] = False) -> None:
    data = get_settings().masked()
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    import tomllib  # noqa: F401  (kept for parity: the file format users write)

    def walk(prefix: str, obj: object) -> None:
        if isinstance(obj, dict):
            for k, v in obj.items():
                walk(f"{prefix}.{k}" if prefix else k, v)
        else:
            typer.echo(f"{prefix} = {obj!r}" if obj is not None else f"{prefix} = (unset)")

    walk("", data)


def bank_validate(
    path: Annotated[str | None, typer.Argument(help="bank folder (default: the configured one)")] = None,
) -> None:
    from interviewer.bank import validate_bank

    root = path or str(get_settings().knowledge_dir)
    bank, errors = validate_bank(root)
    if errors:
        for e in errors:
            typer.secho(e, fg=typer.colors.RED, err=True)
        typer.secho(f"{len(errors)} problem(s) in {root}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    typer.echo(f"ok: {len(bank)} questions in {root}")


def bank_stats() -> None:
    from collections import Counter

    from interviewer.bank import load_bank

    bank = load_bank(get_settings().knowledge_dir)
    table = Table("round", "questions", "topics", "MLE1", "MLE2", "MLE3", "MLE4")
    for rnd in sorted({q.round.value for q in bank}):
        qs = bank.by_round(rnd)
        levels = Counter(q.level.value for q in qs)
        table.add_row(
            rnd, str(len(qs)), str(len({q.topic for q in qs})), *(str(levels[f"MLE{i}"]) for i in range(1, 5))
        )
    console.print(table)
    console.print(f"total: {len(bank)}")


def bank_lock_ids() -> None:
    from interviewer.bank import load_bank

    settings = get_settings()
    lock = settings.knowledge_dir / "ids.lock"
    old = set(lock.read_text().split()) if lock.exists() else set()
    old = {i for i in old if not i.startswith("#")}
    ids = {q.id for q in load_bank(settings.knowledge_dir)}
    gone = sorted(old - ids)
    if gone:
        raise DataError("ids in ids.lock are missing from the bank; restore them first", gone)
    header = "# Every question id ever published; tests fail if one goes. New ones: interviewer bank lock-ids\n"
    lock.write_text(header + "\n".join(sorted(ids)) + "\n")
    typer.echo(f"{len(ids - old)} new id(s) locked; {len(ids)} in {lock}")


def index_cmd(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="drop the collection and embed everything")] = False,
) -> None:
    from interviewer.bank import load_bank
    from interviewer.index import QuestionIndex

    settings = get_settings()
    bank = load_bank(settings.knowledge_dir)  # raises before the index is touched
    index = QuestionIndex(settings)
    if rebuild:
        index.client.delete_collection(settings.chroma.collection)
        index.collection = index._collection()
    report = index.sync(bank)
    typer.echo(f"index: {report.summary()}; {index.count()} questions in '{settings.chroma.collection}'")


def search_cmd(
    query: Annotated[str, typer.Argument(help="what to look for")],
    round: Annotated[str | None, typer.Option("--round", help="ml_design | ml_theory | behavioral | coding")] = None,
    level: Annotated[str | None, typer.Option("--level", help="MLE1..MLE4")] = None,
    topic: Annotated[str | None, typer.Option("--topic")] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=100)] = 5,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    from interviewer.bank import Level, Round
    from interviewer.retrieval import search
    from interviewer.service import ensure_index

    try:
        if round:
            Round(round)
        if level:
            Level(level)
    except ValueError as e:
        raise DataError(f"bad filter: {e}") from None
    index = ensure_index()
    hits = search(index, query, round=round, level=level, topic=topic, k=k)
    if as_json:
        typer.echo(json.dumps([h.as_dict() for h in hits], indent=2))
        return
    table = Table("score", "id", "round", "topic", "level", "question", show_lines=False)
    for h in hits:
        table.add_row(f"{h.score:.3f}", h.id, h.round, h.topic, h.level, h.text[:100])
    console.print(table)
