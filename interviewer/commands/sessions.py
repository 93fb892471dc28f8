"""``interviewer sessions``: list, show, export and delete saved interviews."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from interviewer.errors import InputError

console = Console(highlight=False)


def register(app: typer.Typer) -> None:
    sessions = typer.Typer(help="Saved interview sessions.", no_args_is_help=True)
    sessions.command("list", help="Sessions, most recent first.")(list_cmd)
    sessions.command("show", help="The transcript and scorecard of a session.")(show_cmd)
    sessions.command("export", help="Export a session's report as Markdown, HTML or JSON.")(export_cmd)
    sessions.command("delete", help="Delete a session and all its turns.")(delete_cmd)
    app.add_typer(sessions, name="sessions")


def list_cmd(
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000)] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    from interviewer.store import open_store

    rows = open_store().sessions(limit)
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json", exclude={"config", "report"}) for r in rows], indent=2))
        return
    if not rows:
        console.print("no sessions yet; start one with `interviewer chat`")
        return
    table = Table("id", "updated", "status", "turns", "signal", "title")
    for r in rows:
        signals = ", ".join(x["hire_signal"] for x in (r.report or {}).get("rounds", []))
        table.add_row(r.id, r.updated_at.strftime("%Y-%m-%d %H:%M"), r.status, str(r.turns), signals or "–", r.title)
    console.print(table)


def show_cmd(
    session_id: Annotated[str, typer.Argument(help="a session id (or a unique prefix)")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    data = _load(session_id)
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    for t in data["turns"]:
        who = "[bold magenta]interviewer[/]" if t["role"] == "interviewer" else "[bold cyan]candidate[/]"
        extra = f" [dim](→ {t['targets']})[/]" if t["targets"] else ""
        console.print(f"{who} [dim]{t['kind']}[/]{extra}: ", end="")
        console.print(t["text"] or "(no answer)", markup=False)
        if t["scores"]:
            levels = ", ".join(f"{d} {s['level'] if s['level'] is not None else '–'}" for d, s in t["scores"].items())
            console.print(f"  [dim]scores: {levels}[/]")
    from interviewer.report import Report, render

    console.print()
    console.print(render(Report.model_validate(data["report"]), "md"), markup=False)


def export_cmd(
    session_id: Annotated[str, typer.Argument(help="a session id (or a unique prefix)")],
    fmt: Annotated[str, typer.Option("--format", help="md | html | json")] = "md",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write here instead of stdout")] = None,
) -> None:
    from interviewer.report import FORMATS, Report, render

    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    data = _load(session_id)
    text = json.dumps(data, indent=2) if fmt == "json" else render(Report.model_validate(data["report"]), fmt)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}")


def delete_cmd(
    session_id: Annotated[str, typer.Argument(help="a session id (or a unique prefix)")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="do not ask")] = False,
) -> None:
    from interviewer.store import open_store

    store = open_store()
    sid = store.resolve(session_id)
    if not yes and not typer.confirm(f"delete session {sid} and all its turns?"):
        raise typer.Abort()
    store.delete(sid)
    typer.echo(f"deleted {sid}")


def _load(session_id: str) -> dict[str, Any]:
    """Transcript and report; an unfinished session's report is built from its turns."""
    from interviewer.report import build_report, transcript
    from interviewer.service import get_bank
    from interviewer.store import open_store

    store = open_store()
    info = store.get(session_id)
    turns = store.turns(info.id)
    report = info.report or build_report(info, turns, get_bank()).model_dump(mode="json")
    return {"session_id": info.id, "turns": transcript(turns), "report": report}
