"""``interviewer chat``: a mock interview in the terminal, typed or scripted from a file."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel

from interviewer.commands.interview_options import (
    AllowRepeatsOpt,
    ContextOpt,
    FocusOpt,
    FollowupsOpt,
    LevelOpt,
    LoopOpt,
    PersonaOpt,
    ResumeOpt,
    RoundOpt,
    TopicOpt,
    interview_config,
    read_text,
)
from interviewer.errors import InputError

COMMANDS = {"/hint", "/repeat", "/skip", "/end", "/state", "/help"}
HELP = (
    "Type your answer; finish it with an empty line. Commands: /hint (a nudge, counted in the report), "
    "/repeat, /skip, /state, /end."
)


def register(app: typer.Typer) -> None:
    app.command("chat", help="A mock interview in the terminal (typed, or scripted with --answers).")(chat_cmd)


def chat_cmd(
    round: RoundOpt = None,
    persona: PersonaOpt = None,
    level: LevelOpt = "MLE3",
    loop: LoopOpt = False,
    topic: TopicOpt = None,
    focus: FocusOpt = None,
    context: ContextOpt = None,
    allow_repeats: AllowRepeatsOpt = False,
    answers: Annotated[
        str | None, typer.Option("--answers", help="answers file, blocks separated by a line '---' ('-' = stdin)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the transcript and report as JSON at the end")] = False,
    resume: ResumeOpt = None,
    followups: FollowupsOpt = "offline",
) -> None:
    from interviewer.session import Interview

    if as_json and answers is None:
        raise InputError("--json needs --answers (there is no keyboard to read from)")
    # a file is read and checked whole before any session exists; stdin streams (a pipe may feed
    # a live interview one answer at a time)
    scripted = None
    if answers is not None:
        scripted = sys.stdin if answers == "-" else io.StringIO(read_text(Path(answers), "answers"))
    if resume:
        interview = Interview.resume(resume)
    else:
        config = interview_config(
            round=round,
            persona=persona,
            level=level,
            loop=loop,
            topic=topic,
            focus=focus,
            context=context,
            allow_repeats=allow_repeats,
            followups=followups,
        )
        interview = Interview.create(config)
    out = Console(stderr=as_json, highlight=False)
    if scripted is not None:
        _scripted(interview, answer_blocks(scripted), out, quiet=as_json)
    else:
        _interactive(interview, out)
    if as_json:
        from interviewer.report import transcript

        report = interview.report() if not interview.done else interview.end()
        turns = transcript(interview.transcript())
        typer.echo(json.dumps({"session_id": interview.session_id, "turns": turns, "report": report}))


def answer_blocks(stream: TextIO) -> Iterator[str]:
    """Answers from a file, one block per answer, split on lines holding only ``---``.

    Read line by line so a pipe can feed a live interview one answer at a time.
    """
    block: list[str] = []
    lines = iter(stream)
    while True:
        try:
            line = next(lines)
        except StopIteration:
            break
        except UnicodeDecodeError as e:
            raise InputError(f"the answers are not UTF-8 text (byte {e.start} of a read): {e.reason}") from None
        if line.strip() == "---":
            yield "".join(block).strip()
            block = []
        else:
            block.append(line)
    if "".join(block).strip():
        yield "".join(block).strip()


def _scripted(interview: Any, blocks: Iterable[str], out: Console, *, quiet: bool) -> None:
    _say(out, interview.start(), quiet)
    for block in blocks:
        if interview.done:
            out.print("[yellow]the interview ended before the answers ran out; the rest are ignored[/]")
            return
        if not quiet:
            out.print(Panel(block or "(no answer)", title="candidate", border_style="cyan"))
        _act(interview, block, out, quiet)
    if not interview.done:
        if not quiet:
            out.print("[yellow]answers ran out: ending the interview[/]")
        interview.end()


def _act(interview: Any, text: str, out: Console, quiet: bool) -> None:
    command = text.strip().lower()
    if command == "/hint":
        _say(out, [interview.hint()], quiet, title="hint")
    elif command == "/repeat":
        _say(out, [interview.repeat()], quiet)
    elif command == "/skip":
        _say(out, interview.skip(), quiet)
    elif command == "/end":
        interview.end()
    elif command == "/state":
        out.print(interview.state.model_dump())
    elif command == "/help":
        out.print(HELP)
    else:
        _say(out, interview.answer(text), quiet)


def _say(out: Console, chunks: Iterable[str], quiet: bool, title: str = "interviewer") -> None:
    if quiet:
        for _ in chunks:
            pass
        return
    out.print(f"[bold magenta]{title}>[/] ", end="")
    for chunk in chunks:
        out.print(chunk, end="", markup=False)
    out.print()


def _interactive(interview: Any, out: Console) -> None:
    out.print(f"[dim]session {interview.session_id}. {HELP}[/]")
    _say(out, interview.start(), False)
    while not interview.done:
        try:
            text = _read_answer(out)
        except EOFError:
            out.print(f"\n[dim]paused; resume with: interviewer chat --resume {interview.session_id}[/]")
            return
        try:
            _act(interview, text, out, False)
        except InputError as e:
            out.print(f"[red]{e}[/]")
    report = interview.end()
    from interviewer.report import Report, render

    out.print(Markdown(render(Report.model_validate(report), "md")))


def _read_answer(out: Console) -> str:
    lines: list[str] = []
    while True:
        line = out.input("[cyan]you>[/] " if not lines else "[cyan]...>[/] ")
        if not line.strip() and lines:
            return "\n".join(lines)
        if line.strip() in COMMANDS and not lines:
            return line.strip()
        if line.strip():
            lines.append(line)
