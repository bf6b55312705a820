"""The mocks table: one row per mock interview, its transcript kept as JSON."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from studycli.storage.store import Store


def insert_mock(
    store: Store, uid: str, started_ts: int, kind: str, level: str | None, minutes: float,
    transcript: dict[str, Any],
) -> None:  # fmt: skip
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO mocks (uid, started_ts, kind, level, minutes, transcript) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (uid, started_ts, kind, level, minutes, json.dumps(transcript)),
        )


def update_mock(
    store: Store, uid: str, transcript: dict[str, Any], score: float | None,
    markdown_path: str | None, finished_ts: int | None,
) -> None:  # fmt: skip
    """Save the transcript and score; `finished_ts` None keeps the one stored."""
    with store.transaction() as conn:
        conn.execute(
            "UPDATE mocks SET transcript = ?, score = ?, markdown_path = ?, "
            "finished_ts = coalesce(?, finished_ts) WHERE uid = ?",
            (json.dumps(transcript), score, markdown_path, finished_ts, uid),
        )


def delete_mock(store: Store, uid: str) -> None:
    with store.transaction() as conn:
        conn.execute("DELETE FROM mocks WHERE uid = ?", (uid,))


class MockRow(NamedTuple):
    started_ts: int
    finished_ts: int | None
    kind: str
    level: str | None
    minutes: float
    score: float | None


def recent_mocks(store: Store, limit: int) -> tuple[int, list[MockRow]]:
    """(how many mocks there are, the newest `limit` of them, newest first)."""
    rows = store.conn.execute(
        "SELECT started_ts, finished_ts, kind, level, minutes, score FROM mocks "
        "ORDER BY started_ts DESC LIMIT ?",
        (limit,),
    )
    total = store.conn.execute("SELECT count(*) FROM mocks").fetchone()[0]
    return int(total), [MockRow(*r) for r in rows]
