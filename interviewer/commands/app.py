"""``interviewer app``: serve the browser app on this machine (never shared publicly)."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command("app", help="Serve the browser app (mock interviews, STAR review, history, evaluation).")(app_cmd)


def app_cmd(
    host: Annotated[str, typer.Option("--host", help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="port to listen on")] = 7860,
) -> None:
    from interviewer.ui.app import create_app, launch

    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.secho(f"warning: serving on {host}: anyone who can reach it can use the app", fg="yellow", err=True)
    typer.echo(f"interviewer app on http://{'[::1]' if host == '::1' else host}:{port} (Ctrl+C to stop)")
    launch(create_app(), host=host, port=port, quiet=True)
