"""The ``interviewer`` command: a thin shell over the engine.

Each feature keeps its commands in ``interviewer/commands/<feature>.py`` with a ``register``
function, so this file stays a list and features don't collide here.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys

import typer

from interviewer.errors import InterviewerError

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

COMMAND_MODULES = [
    "interviewer.commands.core",
    "interviewer.commands.sessions",
    "interviewer.commands.chat",
    "interviewer.commands.app",
    "interviewer.commands.voice",
    "interviewer.commands.scoring",
]

app = typer.Typer(
    name="interviewer",
    help="Offline-first mock-interview coach for machine-learning engineers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=os.environ.get("INTERVIEWER_LOG", "WARNING"), format="%(levelname)s %(name)s: %(message)s"
    )
    _register()
    try:
        rc = app(args=argv, standalone_mode=False)
    except InterviewerError as e:
        typer.secho(f"error: {e}", fg=typer.colors.RED, err=True)
        return 2
    except typer.Exit as e:
        return int(e.exit_code or 0)
    except typer.Abort:
        typer.secho("aborted", err=True)
        return 130
    except KeyboardInterrupt:
        return 130
    except Exception as e:
        # Usage errors: typer 0.29 raises its vendored click's exceptions, older ones click's own.
        show, code = getattr(e, "show", None), getattr(e, "exit_code", None)
        if callable(show) and isinstance(code, int):
            show()
            return code
        raise
    return rc if isinstance(rc, int) else 0


if __name__ == "__main__":
    sys.exit(main())
