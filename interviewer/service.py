"""Process-wide handles shared by the CLI, the app and the engine: one bank, one index.

Loading the model and opening Chroma costs about a second, so every caller goes through here
instead of opening its own.
"""

from __future__ import annotations

import threading

from interviewer.bank import Bank, load_bank
from interviewer.config import Settings, get_settings
from interviewer.index import QuestionIndex

# Two locks: the bank (a fraction of a second) must not wait while the index loads its model.
_bank_lock = threading.Lock()
_index_lock = threading.Lock()
_bank: Bank | None = None
_index: QuestionIndex | None = None


def get_bank(settings: Settings | None = None) -> Bank:
    global _bank
    with _bank_lock:
        if _bank is None:
            _bank = load_bank((settings or get_settings()).knowledge_dir)
        return _bank


def ensure_index(settings: Settings | None = None) -> QuestionIndex:
    """The index, synced with the bank once per process (a no-op sync costs well under a second)."""
    global _index
    settings = settings or get_settings()
    bank = get_bank(settings)
    with _index_lock:
        if _index is None:
            index = QuestionIndex(settings)
            index.sync(bank)
            _index = index
        return _index


def reset() -> None:
    """Forget cached handles (tests, or after the settings change)."""
    global _bank, _index
    with _index_lock, _bank_lock:
        _bank = None
        _index = None
