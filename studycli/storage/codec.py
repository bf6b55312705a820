"""The SQLite memory: the append-only review log, the card-state cache, settings.

One file (`studycli.db`), WAL mode, a busy timeout for two terminals at once, and
one short transaction per rating: the log row and the new card state are committed
together before the caller shows the next card. The hot path uses the standard
`sqlite3` module; `sqlite_utils` (and `migrations.py`) is imported only when the
schema is new or behind.

Opening never changes a file that is not healthy and ours: the header is checked
before SQLite sees the file (a damaged one is first copied aside under a timestamped
name), and a foreign or newer schema is refused before the first statement that
could write. SQLite failures become one line that says what to do (`explain`).
"""

from __future__ import annotations

import os
import zlib
from typing import NamedTuple, overload


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

KINDS = ("review", "undo", "suspend", "unsuspend")

PHASES = ("new", "learning", "review", "relearning")

REVIEW, UNDO = KINDS.index("review"), KINDS.index("undo")

PHASE_REVIEW = PHASES.index("review")

_KIND_CODE = {k: i for i, k in enumerate(KINDS)}

_PHASE_CODE = {p: i for i, p in enumerate(PHASES)}

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
