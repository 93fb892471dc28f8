"""Checks on text handed to a scorer from outside: stdin, files, dataset lines.

A scorer given megabytes, binary or mis-decoded bytes would still produce numbers; refusing such
input with a message naming the problem is what keeps a score meaningful. Each check raises
:class:`~interviewer.errors.InputError` (exit code 2 on the command line).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from interviewer.errors import InputError
from interviewer.scoring.types import ScoringInput

MAX_ANSWER_CHARS = 20_000  # about 3,000 words: far more than a spoken answer of a whole round
MAX_FIELD_CHARS = 5_000  # question, each reference point
MAX_INPUT_BYTES = 1_000_000  # a score request on stdin; anything bigger is not a request


def decode(data: bytes, what: str = "input") -> str:
    """UTF-8 text, or an error naming the first bad byte."""
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"the {what} is {len(data):,} bytes; the limit is {MAX_INPUT_BYTES:,}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"the {what} is not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start})") from None


def check_text(text: str, what: str = "answer", limit: int = MAX_ANSWER_CHARS) -> str:
    """``text`` unchanged when it is usable; an :class:`InputError` naming the problem otherwise."""
    if not text.strip():
        raise InputError(f"the {what} is empty")
    if len(text) > limit:
        raise InputError(f"the {what} is {len(text):,} characters; the limit is {limit:,}")
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t")
    if "\x00" in text or controls > max(3, len(text) // 100):
        raise InputError(f"the {what} looks like binary data, not text ({controls} control characters)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise InputError(f"the {what} contains invalid Unicode (a lone surrogate at character {e.start})") from None
    return text


def parse_request(raw: str) -> ScoringInput:
    """The ``interviewer score`` request: one JSON object with round, question, answer, reference."""
    try:
        doc: Any = json.loads(raw)
    except json.JSONDecodeError as e:
        raise InputError(f"malformed JSON on stdin: {e.msg} (line {e.lineno}, column {e.colno})") from None
    return scoring_input(doc)


def scoring_input(doc: Any, extra_ok: bool = False) -> ScoringInput:
    """Validate a decoded request; every problem is named by its field."""
    if not isinstance(doc, dict):
        raise InputError(f"expected a JSON object with round, question and answer, got {type(doc).__name__}")
    known = {"round", "question", "answer", "reference", "question_id", "dimensions"}
    unknown = sorted(set(doc) - known)
    if unknown and not extra_ok:
        raise InputError(f"unknown field(s) {', '.join(unknown)}; expected {', '.join(sorted(known))}")
    for field in ("round", "question", "answer"):
        if field not in doc:
            raise InputError(f"the field {field!r} is missing")
        if not isinstance(doc[field], str):
            raise InputError(f"the field {field!r} must be a string, got {type(doc[field]).__name__}")
    ref = doc.get("reference")
    if ref is not None and not (isinstance(ref, list) and all(isinstance(r, str) for r in ref)):
        raise InputError("the field 'reference' must be a list of strings (key points)")
    check_text(doc["answer"], "answer")
    check_text(doc["question"], "question", MAX_FIELD_CHARS)
    for i, point in enumerate(ref or [], 1):
        check_text(point, f"reference point {i}", MAX_FIELD_CHARS)
    try:
        return ScoringInput.model_validate({k: v for k, v in doc.items() if k in known and v is not None})
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "request"
        raise InputError(f"the field {where!r} is invalid: {err['msg']}") from None
