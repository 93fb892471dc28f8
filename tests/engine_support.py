"""Shared by the engine, store and chat tests: the real bank, loaded once per test process."""

from __future__ import annotations

from functools import cache

from interviewer.bank import Bank, load_bank
from interviewer.config import PROJECT_ROOT


@cache
def real_bank() -> Bank:
    """Read-only: tests must not change it (validating ~550 questions takes seconds)."""
    return load_bank(PROJECT_ROOT / "knowledge")
