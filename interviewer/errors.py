"""Errors a user can act on: each carries the list of concrete problems (file, id, field)."""

from __future__ import annotations


class InterviewerError(Exception):
    """Base for errors shown to the user as a message, not a traceback."""


class DataError(InterviewerError):
    """Bad data files or input; ``problems`` holds one line per concrete problem."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems or [])

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        shown = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = f"\n  ... and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        return f"{self.message} ({len(self.problems)} problem(s)):\n{shown}{more}"


class InputError(InterviewerError):
    """A user-supplied value (answer, query, audio) that cannot be used as given."""
