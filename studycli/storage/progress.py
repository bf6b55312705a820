"""The SQL behind progress files (study.sync): the settings that travel and the ledger of
when each was last seen changed, kept in the settings table under `local.sync_stamps`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

LOCAL_PREFIX = "local."  # settings-table keys that never leave the machine
PLAN_COLUMNS = ("uid", "task_id", "kind", "ts", "day")
STAMPS_KEY = "local.sync_stamps"
SCOPES = ("store", "config")
Scope = str  # "store" (the settings table) or "config" (config.yaml)


@dataclass(frozen=True)
class Stamped:
    value: Any  # None: unset
    ts: int  # epoch ms of the change (as first noticed)


def _store_settings(conn: sqlite3.Connection) -> dict[str, Any]:
    rows = conn.execute("SELECT key, value FROM settings").fetchall()
    return {k: json.loads(v) for k, v in rows if not k.startswith(LOCAL_PREFIX)}


def _read_ledger(conn: sqlite3.Connection) -> dict[tuple[Scope, str], Stamped]:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (STAMPS_KEY,)).fetchone()
    raw = json.loads(row[0]) if row else {}
    ledger: dict[tuple[Scope, str], Stamped] = {}
    for scope in SCOPES:
        for key, entry in (raw.get(scope) or {}).items():
            ledger[(scope, key)] = Stamped(entry.get("value"), int(entry.get("ts", 0)))
    return ledger


def _write_ledger(conn: sqlite3.Connection, ledger: dict[tuple[Scope, str], Stamped]) -> None:
    raw: dict[str, dict[str, Any]] = {scope: {} for scope in SCOPES}
    for (scope, key), entry in sorted(ledger.items()):
        raw[scope][key] = {"value": entry.value, "ts": entry.ts}
    conn.execute(
        "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (STAMPS_KEY, json.dumps(raw))
    )


def plan_rows(conn: sqlite3.Connection) -> Iterator[tuple[Any, ...]]:
    """The roadmap log's rows, as PLAN_COLUMNS, in time order."""
    return conn.execute(f"SELECT {', '.join(PLAN_COLUMNS)} FROM plan_log ORDER BY ts, uid")


def insert_plan_rows(conn: sqlite3.Connection, rows: Iterable[Sequence[Any]]) -> None:
    conn.executemany(
        f"INSERT INTO plan_log ({', '.join(PLAN_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in PLAN_COLUMNS)})",
        rows,
    )


def put_setting(conn: sqlite3.Connection, key: str, value: Any) -> None:
    """Set a settings-table value (None removes it), inside the caller's transaction."""
    if value is None:
        conn.execute("DELETE FROM settings WHERE key = ?", (key,))
    else:
        conn.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, json.dumps(value))
        )


def _by_uid(conn: sqlite3.Connection, sql: str, packed: list[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(packed), 500):  # well under SQLite's limit on bound values
        part = packed[start : start + 500]
        yield from conn.execute(sql.format(marks=", ".join("?" for _ in part)), part)


def log_rows_by_uid(conn: sqlite3.Connection, uids: list[str]) -> dict[str, tuple[Any, ...]]:
    """The local review-log rows among `uids`, as LOG_COLUMNS tuples, by uid."""
    from studycli.storage.codec import pack_uid
    from studycli.storage.log import LOG_SELECT, log_entry

    sql = f"{LOG_SELECT} WHERE id IN (SELECT id FROM review_log WHERE uid IN ({{marks}}))"
    found = (log_entry(row) for row in _by_uid(conn, sql, [pack_uid(u) for u in uids]))
    return {e.uid: tuple(e) for e in found}


def plan_rows_by_uid(conn: sqlite3.Connection, uids: list[str]) -> dict[str, tuple[Any, ...]]:
    """The local roadmap-log rows among `uids`, as PLAN_COLUMNS tuples, by uid."""
    sql = f"SELECT {', '.join(PLAN_COLUMNS)} FROM plan_log WHERE uid IN ({{marks}})"
    return {row[0]: tuple(row) for row in _by_uid(conn, sql, list(uids))}
