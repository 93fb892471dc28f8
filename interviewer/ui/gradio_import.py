"""Import Gradio without the two chores it repeats on every import, about 60% of ``import gradio``.

For each of its ~80 component classes Gradio (``gradio.component_meta``):

- re-reads the class's source, parses it and the ``.pyi`` beside it, renders a Jinja template
  and rewrites the stub if it differs (``create_or_modify_pyi``). That keeps stubs current while
  Gradio itself is developed; an installed Gradio ships them, so for an app it is only cost.
- compiles each event listener's docstring as a Jinja template to put the component's name in
  it (``EventListener.set_doc``): some 200 template compilations for docstrings.

Together that is 1.5-3 s of a two-core machine, the biggest part of the app's start. The hook
below waits for those two modules to load and then makes the stub writer a no-op and fills the
name in with a plain string replacement (the docstrings use no other template syntax;
tests/test_app_startup.py checks they come out identical). Nothing else changes.

It has to run before anything imports ``gradio`` (``interviewer.ui`` installs it on import).
If Gradio is already loaded it does nothing; if a later Gradio renames what it replaces, that
part is skipped and Gradio behaves as shipped.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

COMPONENT_NAME = "{{ component }}"


def _no_stub(*_args: Any, **_kwargs: Any) -> None:
    return None


def _set_doc(self: Any, component: str) -> None:
    """``EventListener.set_doc`` without Jinja: same text, no template compiled."""
    if self.listener.__doc__:
        self.listener.__doc__ = self.listener.__doc__.replace(COMPONENT_NAME, component)


def _skip_stub_writer(module: ModuleType) -> None:
    if hasattr(module, "create_or_modify_pyi"):
        module.create_or_modify_pyi = _no_stub  # type: ignore[attr-defined]


def _plain_event_docs(module: ModuleType) -> None:
    listener = getattr(module, "EventListener", None)
    if listener is not None and hasattr(listener, "set_doc"):
        listener.set_doc = _set_doc


#: module -> what to change in it right after it runs (before any component class exists).
PATCHES: dict[str, Callable[[ModuleType], None]] = {
    "gradio.component_meta": _skip_stub_writer,
    "gradio.events": _plain_event_docs,
}


class _GradioPatcher(importlib.abc.MetaPathFinder):
    """Finds the modules in :data:`PATCHES` as the normal path finder would, and patches each
    right after it executes; removes itself once both are done."""

    def __init__(self) -> None:
        self.pending: set[str] = set()

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.pending:
            return None
        self.pending.discard(fullname)
        if not self.pending:
            uninstall()
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        loader = spec.loader if spec is not None else None
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run, patch = loader.exec_module, PATCHES[fullname]

        def exec_module(module: ModuleType) -> None:
            run(module)
            patch(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


_finder = _GradioPatcher()


def speed_up_gradio_import() -> bool:
    """Arrange for Gradio to load without those chores; False if Gradio is already loaded."""
    if any(name in sys.modules for name in PATCHES):
        return False
    _finder.pending = set(PATCHES)
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    return True


def uninstall() -> None:
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
