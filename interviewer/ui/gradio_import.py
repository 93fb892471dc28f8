"""Import Gradio without the type-stub writer it runs on every import.

Each time ``gradio`` is imported, every component class it defines (about eighty) re-reads its
own source, parses it and a ``.pyi`` beside it, renders a Jinja template and rewrites the stub
if it differs (``gradio.component_meta.create_or_modify_pyi``). That keeps stubs current while
Gradio itself is developed; an installed Gradio ships them already, so for an app it is only
cost: about half of ``import gradio`` (1.5-2.5 s on two busy cores), the biggest part of the
app's start. :func:`skip_stub_writing` makes that one function a no-op as Gradio loads and
changes nothing else.

It has to run before anything imports ``gradio`` (``interviewer.ui`` installs it on import);
if Gradio is already loaded, or a later version renames the function, it does nothing.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

MODULE = "gradio.component_meta"
FUNCTION = "create_or_modify_pyi"


def _no_stub(*_args: Any, **_kwargs: Any) -> None:
    return None


class _SkipStubWriter(importlib.abc.MetaPathFinder):
    """Finds ``gradio.component_meta`` as the normal path finder would, and swaps the stub
    writer out right after the module runs (before any component class is defined)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != MODULE:
            return None
        uninstall()
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        loader = spec.loader if spec is not None else None
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            if hasattr(module, FUNCTION):
                setattr(module, FUNCTION, _no_stub)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


_finder = _SkipStubWriter()


def skip_stub_writing() -> bool:
    """Arrange for Gradio to load without its stub writer; False if Gradio is already loaded."""
    if MODULE in sys.modules:
        return False
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    return True


def uninstall() -> None:
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
