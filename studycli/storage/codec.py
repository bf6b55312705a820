"""The review log's packed form (schema step m008), the one place that knows it.

A million reviews is five years of heavy use, so a row is kept near 50 bytes plus its
answer: kinds and phases are small integers (their index below), card ids, raters and
sessions are keys into `names` (each string stored once), a uid of 16 hex digits is
stored as its 8 bytes, and an answer is zlib-compressed when that makes it shorter.
Everything above the storage layer reads and writes `LogEntry`'s plain strings.
"""

from __future__ import annotations

import os
import zlib
from typing import NamedTuple, overload

from studycli.vocab import Phase, ReviewKind


def new_uid() -> str:
    return os.urandom(8).hex()  # what secrets.token_hex does, without importing it


class LogEntry(NamedTuple):
    uid: str
    card_id: str
    kind: str
    ts: int
    day: int
    rating: int | None = None
    phase: str | None = None
    duration_ms: int | None = None
    rated_by: str | None = None
    suggested: int | None = None
    answer: str | None = None
    ref: str | None = None
    session: str | None = None


LOG_COLUMNS = LogEntry._fields

# A code is a position in these tuples: append, never reorder.
KINDS = (ReviewKind.REVIEW, ReviewKind.UNDO, ReviewKind.SUSPEND, ReviewKind.UNSUSPEND)
PHASES = (Phase.NEW, Phase.LEARNING, Phase.REVIEW, Phase.RELEARNING)

REVIEW, UNDO = KINDS.index("review"), KINDS.index("undo")

PHASE_REVIEW = PHASES.index("review")

KIND_CODE: dict[str, int] = {k: i for i, k in enumerate(KINDS)}

PHASE_CODE: dict[str, int] = {p: i for i, p in enumerate(PHASES)}

_COMPRESS_FROM = 64  # bytes; shorter answers rarely shrink


def pack_uid(uid: str | None) -> bytes | str | None:
    """A uid as stored: the 8 bytes of 16 lowercase hex digits, any other text as it is."""
    if uid is not None and len(uid) == 16:
        try:
            raw = bytes.fromhex(uid)
        except ValueError:
            return uid
        if raw.hex() == uid:
            return raw
    return uid


@overload
def unpack_uid(value: bytes | str) -> str: ...


@overload
def unpack_uid(value: None) -> None: ...


def unpack_uid(value: bytes | str | None) -> str | None:
    return value.hex() if isinstance(value, bytes) else value


def pack_answer(text: str | None) -> bytes | str | None:
    """An answer as stored: zlib-compressed UTF-8 when that is shorter, else the text."""
    if text and len(text) >= _COMPRESS_FROM:
        raw = text.encode()
        packed = zlib.compress(raw, 9)
        if len(packed) < len(raw):
            return packed
    return text


def unpack_answer(value: bytes | str | None) -> str | None:
    return zlib.decompress(value).decode() if isinstance(value, bytes) else value
