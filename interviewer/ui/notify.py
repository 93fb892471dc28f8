"""Turning a problem into a message on screen, without losing what the user typed.

Handlers wrapped in :func:`guarded` show expected problems (bad input, bad data, an endpoint
that is down) as a warning toast and leave every output as it was: the answer stays in its
box, the interview where it stood. Anything unexpected is logged with its traceback and shown
the same way, so one bug never ends a session.
"""

from __future__ import annotations

import functools
import html
import inspect
import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

import gradio as gr
from pydantic import ValidationError

from interviewer.errors import DataError, InterviewerError

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def describe(e: BaseException) -> str:
    """A message a person can act on (plain text)."""
    if isinstance(e, ValidationError):
        return "; ".join(str(err.get("msg", "")).removeprefix("Value error, ") for err in e.errors()) or str(e)
    if isinstance(e, DataError) and e.problems:
        shown = e.problems[:5]
        more = f" (and {len(e.problems) - 5} more)" if len(e.problems) > 5 else ""
        return f"{e.message}: " + "; ".join(shown) + more
    if isinstance(e, InterviewerError):
        return str(e)
    return f"unexpected error ({type(e).__name__}: {e}); it has been logged"


def warn(message: str) -> None:
    # gr.Warning renders HTML: whatever came from the user (file names, quotes) is escaped.
    gr.Warning(html.escape(message))


def info(message: str) -> None:
    gr.Info(html.escape(message))


def guarded(fn: F) -> F:
    """Show errors as warnings and skip every output (a generator stops where it stood)."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def gen_wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                yield from fn(*args, **kwargs)
            except Exception as e:
                _report(fn, e)
                yield gr.skip()

        return cast(F, gen_wrapper)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as e:
            _report(fn, e)
            return gr.skip()

    return cast(F, wrapper)


def _report(fn: Callable[..., Any], e: Exception) -> None:
    if isinstance(e, InterviewerError | ValidationError):
        log.info("%s: %s", fn.__qualname__, e)
    else:
        log.exception("%s failed", fn.__qualname__)
    warn(describe(e))
