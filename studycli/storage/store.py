"""The SQLite memory: the append-only review log, the card-state cache, settings.

One file (`studycli.db`), WAL mode, a busy timeout for two terminals at once, and
one short transaction per rating: the log row and the new card state are committed
together before the caller shows the next card. The hot path uses the standard
`sqlite3` module; `sqlite_utils` (through `migrations.migration_set`) is imported only when the
schema is new or behind.

Opening never changes a file that is not healthy and ours: the header is checked
before SQLite sees the file (a damaged one is first copied aside under a timestamped
name), and a foreign or newer schema is refused before the first statement that
could write. SQLite failures become one line that says what to do (`explain`).

Every write holds the lock file shared and checks that the path still names the file it
opened (`lock.py`): when a repair or restore in another terminal has replaced the file,
the write goes to the new one, never into the orphan. A rating that cannot be written
within the busy timeout is kept in a pending file and saved by the next write (`pending.py`).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Container, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from pathlib import Path
from typing import Any

from studycli.errors import StoreError
from studycli.scheduler import DEFAULT_PARAMETERS, CardState, Scheduler
from studycli.storage import opening
from studycli.storage.codec import (
    KINDS,
    PHASE_REVIEW,
    REVIEW,
    STATE_SELECT,
    STATE_UPSERT,
    UNDO,
    LogEntry,
    log_event,
    pack_uid,
    row_state,
    state_row,
    unpack_uid,
)
from studycli.storage.faults import BUSY_TIMEOUT_S, DatabaseBusy, is_busy
from studycli.storage.lock import REPLACING_ELSEWHERE, DbLock, LockTimeout, file_id
from studycli.storage.log import _NAME_KEY, _Names, insert_log, log_rows
from studycli.storage.migrations import MIGRATION_NAMES

ROADMAP_START = "roadmap_start"  # setting: the day the 30-day plan was started (roadmap.py)

# `kind` of a review in a file of any schema, before m008 (a backup or a damaged file) or after.
ANY_REVIEW = f"({REVIEW}, 'review')"

# Reviews that count: not taken back by an undo (whose `ref` is the review's uid).
NOT_UNDONE = f"uid NOT IN (SELECT ref FROM review_log WHERE kind = {UNDO})"


class Store:
    """An open studycli.db. Use as a context manager or call close()."""

    def __init__(
        self,
        path: Path,
        *,
        before_write: Callable[[Store], None] | None = None,
        open_mode: str | None = None,
    ) -> None:
        self.path = Path(path)
        # An SQLite URI open mode: "ro" opens read-only (how the tests simulate a read-only
        # home, where chmod cannot when they run as root). None opens the path as usual.
        self.open_mode = open_mode
        # Called once, just before this connection's first write (the daily backup, backup.py).
        self.before_write = before_write
        self.lock = DbLock(self.path)
        self.notices: list[str] = []  # things the user should hear about (a reopened file...)
        self.kept_pending = 0  # ratings this process kept in pending files (the file was busy)
        self._bulk: list[str] = []  # tokens of the whole-database operations under way (bulk.py)
        # Set when a write found FSRS parameters newer than the caller's scheduler (`_current`).
        self.updated_scheduler: Scheduler | None = None
        self._open()

    # -- opening ------------------------------------------------------------------

    def _open(self) -> None:
        """Connect and check the schema, holding the lock file shared: never mid-replacement."""
        try:
            self.lock.acquire_shared(BUSY_TIMEOUT_S)
        except LockTimeout:
            self.lock.close()
            raise DatabaseBusy(
                f"{self.path}: cannot open database: {REPLACING_ELSEWHERE} "
                f"(for over {BUSY_TIMEOUT_S:.0f} s); try again when it has finished"
            ) from None
        try:
            self.conn = self._connect()
            self._names = _Names(self.conn)
            self._file = file_id(self.path)  # what every write checks the path still names
            self._ensure_schema()
        except BaseException:
            self.lock.release_shared()
            self.lock.close()
            raise
        self.lock.release_shared()

    def _reopen(self) -> None:
        """The path names another file now (a repair or restore elsewhere): go over to it."""
        with suppress(sqlite3.Error):
            self.conn.close()  # SQLite neither checkpoints nor deletes a WAL of a moved file
        if file_id(self.path) is None:
            raise StoreError(
                f"{self.path}: the database file was removed while this studycli had it open; "
                "nothing more was saved"
            )
        self._open()
        self.notices.append(
            "the database file was replaced by a repair or restore in another terminal; "
            "reopened it, and this rating was saved there"
        )

    def _connect(self) -> sqlite3.Connection:
        return opening.connect(self.path, self.open_mode)

    def _ensure_schema(self) -> None:
        applied = opening.check_schema(self.conn, self.path)
        if len(applied) < len(MIGRATION_NAMES):
            self._migrate()

    def _error(self, what: str, exc: BaseException) -> StoreError:
        return opening.open_error(self.path, what, exc)

    def _migrate(self) -> None:
        from sqlite_utils import Database

        from studycli.storage.migrations import migration_set

        try:
            # One transaction around the whole set (sqlite-utils nests each step in a
            # savepoint): two processes starting at once migrate once, the second waits.
            with self.transaction():
                migration_set().apply(Database(self.conn))
        except sqlite3.DatabaseError as exc:
            raise self._error("cannot prepare database", exc) from None
        # A step that rebuilds a table (m008) leaves the old pages free: give them back.
        if self.conn.execute("PRAGMA freelist_count").fetchone()[0]:
            with suppress(sqlite3.OperationalError, LockTimeout):  # busy: next time
                self.lock.acquire_shared(0)
                try:
                    self.conn.execute("VACUUM")
                finally:
                    self.lock.release_shared()

    def close(self) -> None:
        self.conn.close()
        self.lock.close()

    def take_notices(self) -> list[str]:
        """What happened that the user should hear about, once."""
        notices, self.notices = self.notices, []
        return notices

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT: one writer at a time, waiting up to the busy timeout,
        always into the file the path names (see the module doc)."""
        if self.before_write is not None:
            if file_id(self.path) != self._file:
                self._reopen()  # the first write's check and copy are of the file there now
            hook, self.before_write = self.before_write, None
            hook(self)
        self._begin()  # holds the lock file shared and SQLite's write lock
        try:
            try:
                yield self.conn
            except BaseException:
                self._rollback()
                raise
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise self._error("could not save", exc) from None
        finally:
            self.lock.release_shared()

    def _begin(self) -> None:
        for _ in range(5):
            try:
                self.lock.acquire_shared(BUSY_TIMEOUT_S)
            except LockTimeout:
                raise DatabaseBusy(
                    f"{self.path}: cannot write: {REPLACING_ELSEWHERE} "
                    f"(for over {BUSY_TIMEOUT_S:.0f} s)"
                ) from None
            try:
                self._begin_immediate()
            except BaseException:
                self.lock.release_shared()
                raise
            if file_id(self.path) == self._file:
                return
            self._rollback()
            self.lock.release_shared()
            self._reopen()
        raise StoreError(f"{self.path}: the database file keeps being replaced; try again")

    def _begin_immediate(self) -> None:
        """BEGIN IMMEDIATE, retried every few milliseconds up to the busy timeout.

        SQLite's own busy handler sleeps up to 100 ms between tries, so a rating waiting
        beside an import that pauses only briefly between its chunks would keep missing
        its turn; polling often lets it in at the first pause.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        self.conn.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if not is_busy(exc) or time.monotonic() >= deadline:
                        raise self._error("cannot write", exc) from None
                time.sleep(0.002)
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")

    def _rollback(self) -> None:
        self._names.forget()  # names created in the transaction are gone with it
        # SQLite may already have rolled back (e.g. on a full disk); never hide the first error.
        if self.conn.in_transaction:
            with suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")

    # -- writing ------------------------------------------------------------------

    def record(
        self,
        entry: LogEntry,
        new_state: CardState | None,
        *,
        expected: CardState | None = None,
        scheduler: Scheduler | None = None,
    ) -> bool:
        """Append one log entry and store the card's new state, atomically.

        Given the `scheduler` (and the state `expected` to be current, from which `new_state`
        was computed), the state is replayed from the log inside the transaction when another
        terminal changed the card meanwhile or the entry does not sort last among the card's
        events: the cache then always equals a replay of the log.

        Returns True when saved; False when the database stayed busy past the timeout and the
        entry was kept in a pending file instead, to be saved by the next write.
        """
        try:
            with self.transaction() as conn:
                replay = scheduler is not None and new_state is not None
                changed = False
                if scheduler is not None and (current := self._current(scheduler)) is not scheduler:
                    scheduler, changed = current, True  # optimize ran since the caller's read
                replay = replay and (changed or self._stale(entry, expected))
                insert_log(conn, [entry], self._names)
                if replay and scheduler is not None:
                    new_state = scheduler.replay(entry.card_id, self.card_events(entry.card_id))
                if new_state is not None:
                    conn.execute(STATE_UPSERT, state_row(new_state))
        except DatabaseBusy:
            from studycli.storage import pending

            if entry.kind != "review" or pending.keep(self.path, entry) is None:
                raise
            self.kept_pending += 1
            return False
        except sqlite3.DatabaseError as exc:
            raise self._error("could not save the review", exc) from None
        if self.kept_pending and scheduler is not None:
            self.save_pending(scheduler)
        return True

    def pending_ratings(self) -> int:
        """Ratings kept in pending files while the database was busy, not yet saved."""
        from studycli.storage import pending

        return len(pending.waiting(self.path))

    def save_pending(self, scheduler: Scheduler) -> int:
        """Save the ratings kept in pending files (each uid once) and replay their cards."""
        from studycli.storage import pending

        files = pending.waiting(self.path)
        kept = [(f, e) for f in files if (e := pending.read(f)) is not None]
        if not kept:
            return 0
        try:
            with self.transaction() as conn:
                scheduler = self._current(scheduler)
                insert_log(conn, [e for _, e in kept], self._names)
                for card_id in sorted({e.card_id for _, e in kept}):
                    state = scheduler.replay(card_id, self.card_events(card_id))
                    conn.execute(STATE_UPSERT, state_row(state))
        except DatabaseBusy:
            return 0  # still busy: the files wait for the next write
        except sqlite3.DatabaseError as exc:
            raise self._error("could not save the kept ratings", exc) from None
        for f, _ in kept:
            f.unlink(missing_ok=True)
        self.kept_pending = 0
        return len(kept)

    def _current(self, scheduler: Scheduler) -> Scheduler:
        """`scheduler`, or one with the FSRS parameters now stored when they have changed (an
        `optimize` in another terminal): a state is never computed with parameters no replay
        of the log would use. The newer one is kept in `updated_scheduler` for the caller."""
        stored = tuple(self.get_setting("fsrs_parameters", DEFAULT_PARAMETERS))
        if stored == tuple(scheduler.parameters):
            return scheduler
        if self.updated_scheduler is None or tuple(self.updated_scheduler.parameters) != stored:
            self.updated_scheduler = Scheduler(list(stored), scheduler.desired_retention)
        return self.updated_scheduler

    def _stale(self, entry: LogEntry, expected: CardState | None) -> bool:
        if expected is not None and self.state(entry.card_id) != expected:
            return True
        later = self.conn.execute(
            f"SELECT 1 FROM review_log WHERE card = ({_NAME_KEY}) "
            "AND (ts > ? OR (ts = ? AND uid > ?)) LIMIT 1",
            (entry.card_id, entry.ts, entry.ts, pack_uid(entry.uid)),
        ).fetchone()
        return later is not None

    def append_and_replay(self, entry: LogEntry, scheduler: Scheduler) -> CardState:
        """Append an event (undo, suspend, ...) and recompute that card's state from its log."""
        try:
            with self.transaction() as conn:
                scheduler = self._current(scheduler)
                insert_log(conn, [entry], self._names)
                state = scheduler.replay(entry.card_id, self.card_events(entry.card_id))
                conn.execute(STATE_UPSERT, state_row(state))
        except sqlite3.DatabaseError as exc:
            raise self._error("could not save", exc) from None
        return state

    def card_events(self, card_id: str) -> list[tuple[str, str, int, int, int | None, str | None]]:
        rows = self.conn.execute(
            "SELECT uid, kind, ts, day, rating, ref FROM review_log "
            f"WHERE card = ({_NAME_KEY}) ORDER BY ts, uid",
            (card_id,),
        )
        return [log_event(r) for r in rows]

    def rebuild_states(self, scheduler: Scheduler, *, claim: bool = False) -> int:
        """Recompute the whole card-state cache from the review log alone. Returns cards rebuilt.

        In chunks, each card read and written in one transaction (bulk.py)."""
        from studycli.storage.bulk import rebuild_all

        return rebuild_all(self, scheduler, claim=claim)

    def bulk(self, what: str) -> AbstractContextManager[None]:
        """Whole-database work (an import...): see bulk.py."""
        from studycli.storage.bulk import bulk

        return bulk(self, what)

    def unfinished(self) -> list[str]:
        """Whole-database work a killed process left unfinished (the card states may lag)."""
        from studycli.storage.bulk import unfinished

        return unfinished(self)

    def claim_unfinished(self) -> bool:
        from studycli.storage.bulk import claim_unfinished

        return claim_unfinished(self)

    # -- reading ------------------------------------------------------------------

    def states(self) -> dict[str, CardState]:
        return {r[0]: row_state(r) for r in self.conn.execute(STATE_SELECT)}

    def state(self, card_id: str) -> CardState:
        row = self.conn.execute(STATE_SELECT + " WHERE card_id = ?", (card_id,)).fetchone()
        return row_state(row) if row else CardState(card_id)

    def seen_cards(self) -> tuple[set[str], set[str]]:
        """(cards no longer new or suspended, suspended cards): one scan, one value each.

        Joined in SQLite rather than a row per card: ten times faster for 10,000 cards.
        Card ids never hold the unit separator (content ids are [a-z0-9-]).
        """
        seen, suspended = self.conn.execute(
            "SELECT group_concat(card_id, ?1), group_concat(CASE WHEN suspended THEN card_id END, ?1) "
            "FROM card_state WHERE reps > 0 OR suspended",
            ("\x1f",),
        ).fetchone()
        return (
            set(seen.split("\x1f")) if seen else set(),
            set(suspended.split("\x1f")) if suspended else set(),
        )

    def memories(self) -> list[tuple[str, float, float, int, int]]:
        """(card id, stability, difficulty, last review day, due day) of every seen,
        unsuspended card with a memory state: what the interview planner reads."""
        return self.conn.execute(
            "SELECT card_id, stability, difficulty, last_day, due_day FROM card_state "
            "WHERE reps > 0 AND suspended = 0 AND stability IS NOT NULL "
            "AND difficulty IS NOT NULL AND last_day IS NOT NULL AND due_day IS NOT NULL"
        ).fetchall()

    def log_mark(self) -> int:
        """The review log's newest row id: a later `logged_since` asks what came after it."""
        return self.conn.execute("SELECT coalesce(max(id), 0) FROM review_log").fetchone()[0]

    def logged_since(self, mark: int, before_day: int) -> bool:
        """Whether a row after `mark` is dated before `before_day` (e.g. an earlier day's
        reviews brought in by a sync), rather than today's own."""
        row = self.conn.execute(
            "SELECT 1 FROM review_log WHERE id > ? AND day < ? LIMIT 1", (mark, before_day)
        ).fetchone()
        return row is not None

    def cards_logged_on(self, day: int) -> set[str]:
        """Cards with anything in the review log on a study day (reviewed, undone, suspended)."""
        kinds = ", ".join(str(i) for i in range(len(KINDS)))  # (kind, day) is the index there is
        rows = self.conn.execute(
            "SELECT DISTINCT n.name FROM review_log l JOIN names n ON n.key = l.card "
            f"WHERE l.kind IN ({kinds}) AND l.day = ?",
            (day,),
        )
        return {name for (name,) in rows}

    def plan_started(self) -> bool:
        return bool(self.get_setting(ROADMAP_START))

    def due_cards(self, day: int) -> Iterator[tuple[str, int | None]]:
        """(card id, due ms or None) of the unsuspended seen cards due by a study day, in the
        order to ask them: (re)learning cards by due time, then review cards weakest first.

        FSRS retrievability falls as (days since the last review) / stability grows
        (Scheduler.retrievability), so ordering by that ratio is ordering by recall
        probability, and a caller takes the first few without reading every due card.
        """
        return self.conn.execute(
            "SELECT card_id, due_ts FROM card_state "
            "WHERE due_day <= ?1 AND reps > 0 AND suspended = 0 "
            "ORDER BY due_ts IS NULL, due_ts, stability IS NOT NULL AND last_day IS NOT NULL, "
            "max(0, ?1 - last_day) / stability DESC, card_id",
            (day,),
        )

    def due_count(self, day: int) -> int:
        """How many unsuspended seen cards are due by a study day (learning steps included)."""
        return self.conn.execute(
            "SELECT count(*) FROM card_state WHERE due_day <= ? AND reps > 0 AND suspended = 0",
            (day,),
        ).fetchone()[0]

    def next_due_day(self, after: int, among: Container[str] | None = None) -> int | None:
        """The first study day after `after` on which an unsuspended seen card (of `among`) is due."""
        rows = self.conn.execute(
            "SELECT card_id, due_day FROM card_state "
            "WHERE suspended = 0 AND reps > 0 AND due_day > ? ORDER BY due_day",
            (after,),
        )
        return next((day for cid, day in rows if among is None or cid in among), None)

    def reviews_on(self, day: int) -> int:
        """Reviews (not undone) given on a study day."""
        return self.conn.execute(
            f"SELECT count(*) FROM review_log WHERE day = ? AND kind = {REVIEW} AND {NOT_UNDONE}",
            (day,),
        ).fetchone()[0]

    def new_introduced_on(self, day: int) -> int:
        return self.conn.execute(
            "SELECT count(*) FROM card_state WHERE first_day = ?", (day,)
        ).fetchone()[0]

    def undone_uids(self) -> set[str]:
        """Uids of the reviews taken back by an undo."""
        rows = self.conn.execute(f"SELECT ref FROM review_log WHERE kind = {UNDO}")
        return {u for (r,) in rows if (u := unpack_uid(r)) is not None}

    def review_count(self) -> int:
        return self.conn.execute(
            f"SELECT count(*) FROM review_log WHERE kind = {REVIEW} AND {NOT_UNDONE}"
        ).fetchone()[0]

    def retention(self, since_day: int) -> tuple[int, int]:
        """(passed, total) reviews of cards in the review phase since a study day."""
        row = self.conn.execute(
            "SELECT count(*), coalesce(sum(rating > 1), 0) FROM review_log "
            f"WHERE day >= ? AND kind = {REVIEW} AND phase = {PHASE_REVIEW} AND {NOT_UNDONE}",
            (since_day,),
        ).fetchone()
        return int(row[1]), int(row[0])

    def log(self, card_ids: Iterable[str] | None = None) -> Iterator[LogEntry]:
        """Review-log entries in time order, of some cards or all."""
        if card_ids is None:
            return log_rows(self.conn)
        ids = list(card_ids)
        return log_rows(self.conn, f"WHERE card_id IN ({', '.join('?' for _ in ids)})", ids)

    # -- settings -----------------------------------------------------------------

    def get_setting(self, key: str, default: Any = None) -> Any:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        if row is None:
            return default
        import json  # only when a setting is there: a plain start has none to read

        return json.loads(row[0])

    def set_setting(self, key: str, value: Any) -> None:
        import json

        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                (key, json.dumps(value)),
            )
