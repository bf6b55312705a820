"""The content cache's file: validated content as blobs in a small SQLite file.

`content.cache` decides what the blobs hold; this module only writes and reads them.
The file is written whole under a temporary name and renamed into place, so a reader
sees the old cache or the new one, never half of one.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple


class CacheHead(NamedTuple):
    fingerprint: str
    card_index: bytes
    decks: bytes
    other: bytes


def write_cache_file(path: Path, head: CacheHead, bodies: Iterable[tuple[str, bytes]]) -> bool:
    """Write the cache atomically; False when it cannot be written (a read-only home)."""
    tmp = path.with_suffix(".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)
        conn = sqlite3.connect(tmp)
        with conn:
            conn.execute("CREATE TABLE cards (id TEXT PRIMARY KEY, body BLOB) WITHOUT ROWID")
            conn.executemany("INSERT INTO cards VALUES (?, ?)", bodies)
            conn.execute(
                "CREATE TABLE rest (fingerprint TEXT, card_index BLOB, decks BLOB, other BLOB)"
            )
            conn.execute("INSERT INTO rest VALUES (?, ?, ?, ?)", tuple(head))
        conn.close()
        for old in path.parent.glob("content-*.sqlite"):  # named by key before 0.2
            old.unlink(missing_ok=True)
        os.replace(tmp, path)
    except (OSError, sqlite3.Error):
        tmp.unlink(missing_ok=True)  # a read-only home only costs parse time
        return False
    return True


def read_cache_head(path: Path) -> CacheHead | None:
    """The cache's fingerprint and index blobs; None if there is no readable cache."""
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT fingerprint, card_index, decks, other FROM rest").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return CacheHead(*row) if row else None


class BodyFile:
    """Reads one card's body blob at a time, on first use; safe across threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: Any = None
        self._lock = threading.Lock()

    def __call__(self, card_id: str) -> bytes | None:
        with self._lock:
            try:
                if self._conn is None:
                    self._conn = sqlite3.connect(
                        f"file:{self.path}?mode=ro", uri=True, check_same_thread=False
                    )
                row = self._conn.execute(
                    "SELECT body FROM cards WHERE id = ?", (card_id,)
                ).fetchone()
            except sqlite3.Error:
                return None
        return None if row is None else bytes(row[0])
