"""The options that set up an interview, shared by ``interviewer chat`` and ``interviewer voice``
so the two commands cannot drift apart, and the one place they become an ``InterviewConfig``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from interviewer.errors import InputError

if TYPE_CHECKING:
    from interviewer.session import InterviewConfig

RoundOpt = Annotated[str | None, typer.Option("--round", help="ml_design | ml_theory | behavioral | coding")]
PersonaOpt = Annotated[str | None, typer.Option("--persona", help="a persona id from personas/")]
LevelOpt = Annotated[str, typer.Option("--level", help="MLE1..MLE4")]
LoopOpt = Annotated[bool, typer.Option("--loop", help="the full onsite loop, round after round")]
TopicOpt = Annotated[list[str] | None, typer.Option("--topic", help="topics to draw questions from")]
FocusOpt = Annotated[list[str] | None, typer.Option("--focus", help="focus areas, free text")]
ContextOpt = Annotated[Path | None, typer.Option("--context", help="a job description or resume (text file)")]
AllowRepeatsOpt = Annotated[bool, typer.Option("--allow-repeats", help="allow questions asked in recent sessions")]
ResumeOpt = Annotated[str | None, typer.Option("--resume", help="continue an interrupted session")]
FollowupsOpt = Annotated[str, typer.Option("--followups", help="offline | llm: who writes follow-ups")]


def interview_config(
    *,
    round: str | None,
    persona: str | None,
    level: str,
    loop: bool,
    topic: list[str] | None,
    focus: list[str] | None,
    context: Path | None,
    allow_repeats: bool,
    followups: str,
) -> InterviewConfig:
    """The options as an ``InterviewConfig``; a bad value is an error that names the option."""
    from interviewer.session import InterviewConfig

    try:
        return InterviewConfig(
            persona=persona,
            round=round,
            loop=loop,
            level=level,
            topics=topic or [],
            focus=focus or [],
            context=read_text(context, "--context") if context else "",
            allow_recent=allow_repeats,
            followups=followups,
        )
    except ValueError as e:
        raise InputError(f"bad option: {first_error(e)}") from None


def read_text(path: Path, what: str) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as e:
        raise InputError(f"cannot read {what} file {path}: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise InputError(f"{what} file {path} is not UTF-8 text (byte {e.start})") from None


def first_error(e: ValueError) -> str:
    errors = getattr(e, "errors", None)
    if callable(errors):
        first = errors()[0]
        return f"{'.'.join(str(x) for x in first['loc'])}: {first['msg']}"
    return str(e)
