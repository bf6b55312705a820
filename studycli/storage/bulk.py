"""Whole-database work beside a drill: short transactions, and a marker that outlives a kill.

An import or a rebuild of every card state could hold SQLite's write lock for many seconds,
and a drill's rating would wait that long. Here they go in chunks of about a fifth of a
second, each its own transaction, with a pause between in which a waiting rating gets in
(`Store._begin_immediate` polls every few milliseconds). A card's state is always read and
written in one transaction with its log, so a rating saved between two chunks is never
overwritten by a stale snapshot.

Chunks mean the card-state cache can be behind the log while the work runs. The first
transaction of the work therefore leaves a marker in the settings table (a token per
operation under way), and the last one removes it. A process killed half-way leaves its
token behind; the next studycli to open the database sees it, makes sure no operation is
still running (each holds the lock file shared from start to end), and rebuilds the cache,
saying so (`finish_interrupted` and the CLI's context).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar

from studycli.scheduler import CardState, Scheduler
from studycli.storage.codec import STATE_UPSERT, log_event, state_row
from studycli.storage.faults import BUSY_TIMEOUT_S, DatabaseBusy
from studycli.storage.lock import REPLACING_ELSEWHERE, DbLock, LockTimeout


class Store(Protocol):
    """What bulk work needs of a store.Store (which imports this module, not the reverse)."""

    path: Path
    conn: sqlite3.Connection
    lock: DbLock
    _bulk: list[str]

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...


MARKER = "local.unfinished"  # settings key: [{"token": ..., "what": "import"}, ...]
CHUNK_S = 0.2  # how long a chunk should hold the write lock
PAUSE_S = 0.01  # between chunks, for a waiting rating to take its turn
CLAIM_WAIT_S = 0.5  # how long an opener looks for a live operation before finishing its work

T = TypeVar("T")


def _tokens(store: Store) -> list[dict[str, str]]:
    row = store.conn.execute("SELECT value FROM settings WHERE key = ?", (MARKER,)).fetchone()
    if row is None:
        return []
    import json  # only when there is a marker: a plain start reads none

    try:
        found = json.loads(row[0])
    except ValueError:
        return [{"token": "?", "what": "operation"}]
    return [t for t in found if isinstance(t, dict)] if isinstance(found, list) else []


def _write_tokens(store: Store, change: Any) -> None:
    import json

    with store.transaction() as conn:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (MARKER,)).fetchone()
        try:
            tokens = json.loads(row[0]) if row else []
        except ValueError:
            tokens = []
        tokens = change(
            [t for t in tokens if isinstance(t, dict)] if isinstance(tokens, list) else []
        )
        if tokens:
            conn.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                (MARKER, json.dumps(tokens)),
            )
        else:
            conn.execute("DELETE FROM settings WHERE key = ?", (MARKER,))


@contextmanager
def bulk(store: Store, what: str, *, claim: bool = False) -> Iterator[None]:
    """Run whole-database work: the lock file held shared throughout, the marker set until
    it ends well. Nested calls share the outer one's marker. `claim` replaces the markers
    of operations found dead (`finish_interrupted`)."""
    if store._bulk:
        yield
        return
    try:
        store.lock.acquire_shared(BUSY_TIMEOUT_S)
    except LockTimeout:
        raise DatabaseBusy(
            f"{store.path}: {REPLACING_ELSEWHERE} "
            f"(for over {BUSY_TIMEOUT_S:.0f} s); try again when it has finished"
        ) from None
    token = os.urandom(8).hex()
    try:
        _write_tokens(store, lambda ts: ([] if claim else ts) + [{"token": token, "what": what}])
        store._bulk.append(token)
        yield
        _write_tokens(store, lambda ts: [t for t in ts if t.get("token") != token])
    finally:
        if token in store._bulk:
            store._bulk.remove(token)
        store.lock.release_shared()


def unfinished(store: Store) -> list[str]:
    """What whole-database work has left its marker (one cheap read; usually nothing)."""
    return [str(t.get("what", "operation")) for t in _tokens(store)]


def claim_unfinished(store: Store, wait: float = CLAIM_WAIT_S) -> bool:
    """True when no studycli holds the lock file now: the marked work died with its process.

    A drill's save holds it for milliseconds; an operation under way holds it throughout, so
    it is looked for a little while before the work is declared dead.
    """
    deadline = time.monotonic() + wait
    while not store.lock.try_exclusive():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.01)
    store.lock.release_exclusive()
    return True


def in_chunks(store: Store, items: Sequence[T], work: Callable[[Any, list[T]], None]) -> None:
    """Call `work(conn, chunk)` over `items`, a chunk per transaction of about CHUNK_S, with a
    pause between chunks for a waiting rating."""
    batch, done = 64, 0
    while done < len(items):
        chunk = list(items[done : done + batch])
        started = time.monotonic()
        with store.transaction() as conn:
            work(conn, chunk)
        done += len(chunk)
        took = time.monotonic() - started
        # Towards CHUNK_S, but never more than twice the last size: one slow chunk (a disk
        # busy elsewhere) must not follow a fast one ten times larger.
        batch = max(8, min(50_000, 2 * batch, int(batch * CHUNK_S / max(took, 0.001))))
        if done < len(items):
            time.sleep(PAUSE_S)


def rebuild_all(store: Store, scheduler: Scheduler, *, claim: bool = False) -> int:
    """Recompute every card state from the review log, a range of cards per transaction.

    Returns the number of cards rebuilt (those with any event in the log).
    """
    with bulk(store, "rebuild", claim=claim):
        keys = [
            r[0] for r in store.conn.execute("SELECT DISTINCT card FROM review_log ORDER BY card")
        ]
        in_chunks(
            store, keys, lambda conn, chunk: _rebuild_range(conn, scheduler, chunk[0], chunk[-1])
        )
        with store.transaction() as conn:  # states of cards without a single event (a bad cache)
            conn.execute(  # one index look-up per state, not a scan of the log
                "DELETE FROM card_state WHERE NOT EXISTS (SELECT 1 FROM names JOIN review_log "
                "ON review_log.card = names.key WHERE names.name = card_state.card_id)"
            )
    return len(keys)


def _rebuild_range(conn: Any, scheduler: Scheduler, lo: int, hi: int) -> None:
    names = dict(conn.execute("SELECT key, name FROM names WHERE key BETWEEN ? AND ?", (lo, hi)))
    rows = conn.execute(
        "SELECT card, uid, kind, ts, day, rating, ref FROM review_log "
        "WHERE card BETWEEN ? AND ? ORDER BY card, ts, uid",
        (lo, hi),
    )
    states: list[CardState] = []
    current: int | None = None
    events: list[tuple[str, str, int, int, int | None, str | None]] = []
    for card, *event in rows:
        if card != current:
            if current is not None:
                states.append(scheduler.replay(names[current], events))
            current, events = card, []
        events.append(log_event(event))
    if current is not None:
        states.append(scheduler.replay(names[current], events))
    conn.executemany(STATE_UPSERT, (state_row(s) for s in states))
