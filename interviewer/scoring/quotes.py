"""Evidence quotes must be verbatim substrings of the answer.

A candidate trusts a score only if every quote can be found, character for character, in what
they said. Both engines route their evidence through here: the offline scorer asserts it (a
non-verbatim quote there is a bug), the LLM judge drops what a model paraphrased or invented.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_SPACE = re.compile(r"\s+")
_QUOTE_CHARS = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


class QuoteError(AssertionError):
    """A quote presented as evidence is not in the answer."""


def is_verbatim(answer: str, quote: str) -> bool:
    return bool(quote.strip()) and quote in answer


def verify_quotes(answer: str, quotes: Iterable[str], *, strict: bool = True) -> list[str]:
    """The quotes that occur verbatim in ``answer``, in order, without duplicates.

    ``strict`` raises :class:`QuoteError` on the first quote that is not verbatim: the offline
    scorer cuts quotes out of the answer itself, so a miss is a bug to surface. The LLM judge
    passes ``strict=False`` and gets the verifiable subset (after :func:`locate` has had a chance
    to repair whitespace or typographic-quote differences).
    """
    kept: list[str] = []
    for q in quotes:
        if not is_verbatim(answer, q):
            if strict:
                raise QuoteError(f"evidence quote is not a verbatim substring of the answer: {q[:80]!r}")
            continue
        if q not in kept:
            kept.append(q)
    return kept


def locate(answer: str, quote: str) -> str | None:
    """The exact span of ``answer`` that ``quote`` denotes, tolerating whitespace and quote styles.

    Models often re-flow whitespace or curl apostrophes; the span returned is cut from the answer,
    so it is verbatim by construction. ``None`` when the words themselves differ.
    """
    quote = quote.strip().strip("\"'").strip()
    if not quote:
        return None
    if quote in answer:
        return quote
    words = _SPACE.split(quote.translate(_QUOTE_CHARS))
    pattern = r"\s+".join(re.escape(w) for w in words if w)
    folded = answer.translate(_QUOTE_CHARS)  # same length as ``answer``: one char maps to one char
    m = re.search(pattern, folded, flags=re.IGNORECASE)
    return answer[m.start() : m.end()] if m else None
