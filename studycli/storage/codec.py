"""The review log's packed form (schema step m008), the one place that knows it.

A million reviews is five years of heavy use, so a row is kept near 50 bytes plus its
answer: kinds and phases are small integers (their index below), card ids, raters and
sessions are keys into `names` (each string stored once), a uid of 16 hex digits is
stored as its 8 bytes, and an answer is zlib-compressed when that makes it shorter.
Everything above the storage layer reads and writes `LogEntry`'s plain strings.

It also knows the card-state row (`state_row`, `row_state`) and turns a stored review-log
row into the event Scheduler.replay takes (`log_event`).
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Sequence
from typing import Any, NamedTuple, overload

from studycli.scheduler import CardState
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


# -- rows of card_state, and review_log rows as Scheduler.replay takes them ------------

STATE_COLUMNS = (
    "card_id", "phase", "stability", "difficulty", "due_day", "due_ts", "last_day", "last_ts",
    "first_day", "reps", "lapses", "last_rating", "suspended", "last_uid",
)  # fmt: skip

STATE_SELECT = "SELECT " + ", ".join(STATE_COLUMNS) + " FROM card_state"

STATE_UPSERT = (
    f"INSERT OR REPLACE INTO card_state ({', '.join(STATE_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in STATE_COLUMNS)})"
)


def state_row(s: CardState) -> tuple[Any, ...]:
    return (
        s.card_id, s.phase, s.stability, s.difficulty, s.due_day, s.due_ts, s.last_day,
        s.last_ts, s.first_day, s.reps, s.lapses, s.last_rating, int(s.suspended), s.last_uid,
    )  # fmt: skip


def row_state(row: Sequence[Any]) -> CardState:
    # `suspended` stays SQLite's 0/1: it compares equal to False/True, and this runs 10k times a start.
    return CardState(*row)


def log_event(row: Sequence[Any]) -> tuple[str, str, int, int, int | None, str | None]:
    """(uid, kind, ts, day, rating, ref) of a review_log row, as Scheduler.replay takes them."""
    uid, kind, ts, day, rating, ref = row
    return unpack_uid(uid), KINDS[kind], ts, day, rating, unpack_uid(ref)
