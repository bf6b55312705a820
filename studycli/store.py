"""The SQLite memory: the append-only review log, the card-state cache, settings.

One file (`studycli.db`), WAL mode, a busy timeout for two terminals at once, and
one short transaction per rating: the log row and the new card state are committed
together before the caller shows the next card. The hot path uses the standard
`sqlite3` module; `sqlite_utils` (and `migrations.py`) is imported only when the
schema is new or behind.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import StoreError
from .scheduler import CardState, Scheduler

# Must list migrations.py's functions in order; a test keeps the two in step.
MIGRATION_NAMES = (
    "m001_review_log",
    "m002_card_state",
    "m003_settings",
    "m004_grades",
    "m005_plan_log",
    "m006_mocks",
)
BUSY_TIMEOUT_S = 15.0

STATE_COLUMNS = (
    "card_id", "phase", "stability", "difficulty", "due_day", "due_ts", "last_day", "last_ts",
    "first_day", "reps", "lapses", "last_rating", "suspended", "last_uid",
)  # fmt: skip
_STATE_SELECT = "SELECT " + ", ".join(STATE_COLUMNS) + " FROM card_state"
_STATE_UPSERT = (
    f"INSERT OR REPLACE INTO card_state ({', '.join(STATE_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in STATE_COLUMNS)})"
)
_NOT_UNDONE = "uid NOT IN (SELECT ref FROM review_log WHERE kind = 'undo')"


def new_uid() -> str:
    return secrets.token_hex(8)


def _state_row(s: CardState) -> tuple[Any, ...]:
    return (
        s.card_id, s.phase, s.stability, s.difficulty, s.due_day, s.due_ts, s.last_day,
        s.last_ts, s.first_day, s.reps, s.lapses, s.last_rating, int(s.suspended), s.last_uid,
    )  # fmt: skip


def _row_state(row: Sequence[Any]) -> CardState:
    values = list(row)
    values[12] = bool(values[12])
    return CardState(*values)


@dataclass(frozen=True)
class LogEntry:
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


LOG_COLUMNS = tuple(LogEntry.__dataclass_fields__)
_LOG_INSERT = (
    f"INSERT INTO review_log ({', '.join(LOG_COLUMNS)}) VALUES ({', '.join('?' for _ in LOG_COLUMNS)})"
)


class Store:
    """An open studycli.db. Use as a context manager or call close()."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.conn = self._connect()
        self._ensure_schema()

    # -- opening ------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create data folder {self.path.parent}: {exc.strerror}") from None
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")  # a shown "saved" survives power loss too
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot open database: {exc}") from None
        return conn

    def _ensure_schema(self) -> None:
        try:
            applied = self._applied_migrations()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a studycli database or damaged ({exc})") from None
        unknown = [n for n in applied if n not in MIGRATION_NAMES]
        if unknown:
            raise StoreError(
                f"{self.path}: written by a newer studycli (schema step '{unknown[-1]}'); "
                "upgrade studycli to use it"
            )
        if len(applied) < len(MIGRATION_NAMES):
            self._migrate()

    def _applied_migrations(self) -> list[str]:
        exists = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='_sqlite_migrations'"
        ).fetchone()
        if not exists:
            return []
        rows = self.conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'studycli' ORDER BY rowid"
        )
        return [r[0] for r in rows]

    def _migrate(self) -> None:
        from sqlite_utils import Database

        from .migrations import migrations

        try:
            # One transaction around the whole set (sqlite-utils nests each step in a
            # savepoint): two processes starting at once migrate once, the second waits.
            with self.transaction():
                migrations.apply(Database(self.conn))
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot prepare database: {exc}") from None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT: one writer at a time, waiting up to the busy timeout."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"{self.path}: database is busy or read-only ({exc})") from None
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                self.conn.execute("ROLLBACK")
                raise StoreError(f"{self.path}: could not save ({exc})") from None

    # -- writing ------------------------------------------------------------------

    def record(self, entry: LogEntry, new_state: CardState | None) -> None:
        """Append one log entry and store the card's new state, atomically."""
        try:
            with self.transaction() as conn:
                conn.execute(_LOG_INSERT, [getattr(entry, c) for c in LOG_COLUMNS])
                if new_state is not None:
                    conn.execute(_STATE_UPSERT, _state_row(new_state))
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: could not save the review ({exc})") from None

    def append_and_replay(self, entry: LogEntry, scheduler: Scheduler) -> CardState:
        """Append an event (undo, suspend, ...) and recompute that card's state from its log."""
        try:
            with self.transaction() as conn:
                conn.execute(_LOG_INSERT, [getattr(entry, c) for c in LOG_COLUMNS])
                state = scheduler.replay(entry.card_id, self.card_events(entry.card_id))
                conn.execute(_STATE_UPSERT, _state_row(state))
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: could not save ({exc})") from None
        return state

    def card_events(self, card_id: str) -> list[tuple[str, str, int, int, int | None, str | None]]:
        return self.conn.execute(
            "SELECT uid, kind, ts, day, rating, ref FROM review_log WHERE card_id = ? ORDER BY ts, uid",
            (card_id,),
        ).fetchall()

    def rebuild_states(self, scheduler: Scheduler) -> int:
        """Recompute the whole card-state cache from the review log alone. Returns cards rebuilt."""
        rows = self.conn.execute(
            "SELECT card_id, uid, kind, ts, day, rating, ref FROM review_log ORDER BY card_id, ts, uid"
        )
        states: list[CardState] = []
        current: str | None = None
        events: list[tuple[str, str, int, int, int | None, str | None]] = []
        for card_id, *event in rows:
            if card_id != current:
                if current is not None:
                    states.append(scheduler.replay(current, events))
                current, events = card_id, []
            events.append(tuple(event))  # type: ignore[arg-type]
        if current is not None:
            states.append(scheduler.replay(current, events))
        with self.transaction() as conn:
            conn.execute("DELETE FROM card_state")
            conn.executemany(_STATE_UPSERT, (_state_row(s) for s in states))
        return len(states)

    # -- reading ------------------------------------------------------------------

    def states(self) -> dict[str, CardState]:
        return {r[0]: _row_state(r) for r in self.conn.execute(_STATE_SELECT)}

    def state(self, card_id: str) -> CardState:
        row = self.conn.execute(_STATE_SELECT + " WHERE card_id = ?", (card_id,)).fetchone()
        return _row_state(row) if row else CardState(card_id)

    def reviews_on(self, day: int) -> int:
        """Reviews (not undone) given on a study day."""
        return self.conn.execute(
            f"SELECT count(*) FROM review_log WHERE day = ? AND kind = 'review' AND {_NOT_UNDONE}",
            (day,),
        ).fetchone()[0]

    def new_introduced_on(self, day: int) -> int:
        return self.conn.execute(
            "SELECT count(*) FROM card_state WHERE first_day = ?", (day,)
        ).fetchone()[0]

    def review_count(self) -> int:
        return self.conn.execute(
            f"SELECT count(*) FROM review_log WHERE kind = 'review' AND {_NOT_UNDONE}"
        ).fetchone()[0]

    def retention(self, since_day: int) -> tuple[int, int]:
        """(passed, total) reviews of cards in the review phase since a study day."""
        row = self.conn.execute(
            "SELECT count(*), coalesce(sum(rating > 1), 0) FROM review_log "
            f"WHERE day >= ? AND kind = 'review' AND phase = 'review' AND {_NOT_UNDONE}",
            (since_day,),
        ).fetchone()
        return int(row[1]), int(row[0])

    def log(self, card_ids: Iterable[str] | None = None) -> Iterator[LogEntry]:
        sql = f"SELECT {', '.join(LOG_COLUMNS)} FROM review_log"
        params: list[Any] = []
        if card_ids is not None:
            ids = list(card_ids)
            sql += f" WHERE card_id IN ({', '.join('?' for _ in ids)})"
            params = ids
        for row in self.conn.execute(sql + " ORDER BY ts, uid", params):
            yield LogEntry(*row)

    # -- settings -----------------------------------------------------------------

    def get_setting(self, key: str, default: Any = None) -> Any:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def set_setting(self, key: str, value: Any) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, json.dumps(value))
            )
