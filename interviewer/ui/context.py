"""Process-wide handles the views share: settings, the session store, the bank and the index.

They are read-only or safe for concurrent use (the store commits each turn in its own
transaction), so one set serves every browser session. Loading the encoder, opening Chroma and
readying the offline scorer costs a few seconds, so :meth:`AppContext.warm_up` does it in the
background once the page is being served; even their modules (Chroma, SQLAlchemy, the engine)
are imported on first use, never on the way to serving the page.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from interviewer.config import Settings, get_settings

if TYPE_CHECKING:
    from interviewer.bank import Bank
    from interviewer.index import QuestionIndex
    from interviewer.store import Store
    from interviewer.storybank import StoryBank

log = logging.getLogger(__name__)

REHEARSAL_QUESTION = "Tell me about a time you improved a system you owned."
REHEARSAL_ANSWER = (
    "I owned our ranking service. I compared two caching designs and chose the simpler one "
    "because it was easier to operate; p99 latency fell from 80 ms to 45 ms in an A/B test."
)


@dataclass
class AppContext:
    settings: Settings = field(default_factory=get_settings)
    #: An index opened elsewhere (tests and benchmarks share one); default: the process-wide one.
    preloaded_index: QuestionIndex | None = None
    _store: Store | None = field(default=None, init=False, repr=False)
    _stories: StoryBank | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    warm: threading.Event = field(default_factory=threading.Event, init=False, repr=False)
    _warming: threading.Thread | None = field(default=None, init=False, repr=False)

    @property
    def store(self) -> Store:
        with self._lock:
            if self._store is None:
                from interviewer.store import open_store

                self._store = open_store(self.settings)
            return self._store

    @property
    def storybank(self) -> StoryBank:
        """Saved STAR stories, in the session database beside the interviews."""
        store = self.store
        with self._lock:
            if self._stories is None:
                from interviewer.storybank import StoryBank

                self._stories = StoryBank(store.engine)
            return self._stories

    @property
    def bank(self) -> Bank:
        from interviewer import service

        return service.get_bank(self.settings)

    @property
    def index(self) -> QuestionIndex:
        from interviewer import service

        return self.preloaded_index or service.ensure_index(self.settings)

    @property
    def warming(self) -> bool:
        """True while the background warm-up started by ``launch`` is still loading."""
        return self._warming is not None and self._warming.is_alive()

    def browser_secret(self) -> str:
        """The key that seals what browsers keep in localStorage, stable across restarts (so a
        reload after a restart keeps the user's choices); made once, readable by this user only."""
        path = self.settings.data_dir / "browser-state.key"
        try:
            return path.read_text().strip()
        except FileNotFoundError:
            import secrets

            path.parent.mkdir(parents=True, exist_ok=True)
            secret = secrets.token_urlsafe(32)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secret)
            return secret

    def warm_up(self) -> threading.Thread:
        """Open the store, bank and index off the request path, then rehearse one scored answer so
        the first real turn pays no imports or first-inference cost; errors surface on first real use.
        """

        def run() -> None:
            try:
                _ = self.store, self.index
                self._rehearse()
            except Exception:  # reported again, with a clear message, when a view needs it
                log.exception("warm-up failed")
            finally:
                self.warm.set()

        thread = threading.Thread(target=run, name="interviewer-warm-up", daemon=True)
        thread.start()
        self._warming = thread
        return thread

    def _rehearse(self) -> None:
        """Score one made-up answer offline (the engine every turn can fall back to): it loads the
        scorer's models and compiled patterns and runs the encoder once, which a first answer
        would otherwise wait for. Nothing is saved."""
        import interviewer.session  # noqa: F401  (the first interview start would import it)
        from interviewer.bank import Round
        from interviewer.scoring.factory import offline_scorer
        from interviewer.scoring.types import ScoringInput

        offline_scorer(self.settings).assess(
            ScoringInput(round=Round.behavioral, question=REHEARSAL_QUESTION, answer=REHEARSAL_ANSWER)
        )
