"""Reading and appending review-log rows: LogEntry in and out of the packed form (codec.py).

The `names` table holds each card id, rater and session once; `_Names` finds or makes a
string's key within the caller's transaction. `insert_log` skips a uid already present, so
appending the same entry twice (an import run again, a rating kept in a pending file and
saved later) changes nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from studycli.storage.codec import (
    KIND_CODE,
    LOG_COLUMNS,
    PHASE_CODE,
    LogEntry,
    pack_answer,
    pack_uid,
    unpack_answer,
)

_LOG_INSERT = (
    "INSERT OR IGNORE INTO review_log (uid, card, kind, ts, day, rating, phase, duration_ms, "
    "rated_by, suggested, answer, ref, session) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

# The view (m008) that shows the log as LogEntry's fields; only `answer` may still be packed.
LOG_SELECT = f"SELECT {', '.join(LOG_COLUMNS)} FROM review_entries"

_NAME_KEY = "SELECT key FROM names WHERE name = ?"  # a string's key in `names`


def log_entry(row: Sequence[Any]) -> LogEntry:
    """A LogEntry from a row of LOG_SELECT."""
    uid, card_id, kind, ts, day, rating, phase, duration, by, suggested, answer, ref, session = row
    return LogEntry(
        uid, card_id, kind, ts, day, rating, phase, duration, by, suggested,
        unpack_answer(answer), ref, session,
    )  # fmt: skip


def log_rows(
    conn: sqlite3.Connection, where: str = "", params: Sequence[Any] = ()
) -> Iterator[LogEntry]:
    """Review-log entries in time order, decoded; `where` filters on LogEntry's fields."""
    for row in conn.execute(f"{LOG_SELECT} {where} ORDER BY ts, uid", params):
        yield log_entry(row)


class _Names:
    """names.key of each string, created on first use (within the caller's transaction)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.keys: dict[str, int] = {}

    def key(self, name: str | None) -> int | None:
        if name is None:
            return None
        found = self.keys.get(name)
        if found is None:
            row = self.conn.execute(_NAME_KEY, (name,)).fetchone()
            if row is None:
                row = (self.conn.execute("INSERT INTO names (name) VALUES (?)", (name,)).lastrowid,)
            found = self.keys[name] = row[0]
        return found

    def forget(self) -> None:  # after a rollback: keys created in it are gone
        self.keys.clear()


def insert_log(
    conn: sqlite3.Connection, entries: Iterable[LogEntry], names: _Names | None = None
) -> None:
    """Append entries (an existing uid is skipped). Needs a transaction."""
    key = (names or _Names(conn)).key
    rows = [
        (
            pack_uid(e.uid),
            key(e.card_id),
            KIND_CODE[e.kind],
            e.ts,
            e.day,
            e.rating,
            None if e.phase is None else PHASE_CODE[e.phase],
            e.duration_ms,
            key(e.rated_by),
            e.suggested,
            pack_answer(e.answer),
            pack_uid(e.ref),
            key(e.session),
        )  # fmt: skip
        for e in entries
    ]
    conn.executemany(_LOG_INSERT, rows)
