"""Driving the app's handlers without a server or a browser (tests, benchmarks).

Every event the app registers with an ``api_name`` can be fetched from the built ``gr.Blocks``
and called with the values its components would send; streaming handlers are generators.
A name that does not exist fails loudly, so a renamed event cannot leave a test testing nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import gradio as gr


def handler(demo: gr.Blocks, api_name: str) -> Callable[..., Any]:
    """The function behind the event named ``api_name``."""
    for fn in demo.fns.values():
        if fn.api_name == api_name and fn.fn is not None:
            return fn.fn
    names = sorted(f.api_name for f in demo.fns.values() if f.api_name)
    raise KeyError(f"no event named {api_name!r}; the app has: {', '.join(names)}")


def drain(outputs: Iterable[Any]) -> list[Any]:
    """All the updates a streaming handler yields, in order."""
    return list(outputs)


def is_skip(value: Any) -> bool:
    """Whether a handler left its outputs as they were (``gr.skip()``)."""
    return isinstance(value, dict) and value.get("__type__") == "update" and len(value) == 1
