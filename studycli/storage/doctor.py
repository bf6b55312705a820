"""The checks and repairs behind `studycli doctor`, and the orphan report of `decks validate`.

`examine` looks at the database file itself, so it can describe one that `Store` refuses
to open. `salvage` rebuilds a damaged database from what can still be read: every readable
row of the kept-aside copy, merged by uid with the newest good backup (the log is append-only,
so a union loses nothing), into a fresh file whose card states are replayed from the log.
"""

from __future__ import annotations

import os
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studycli.errors import StoreError
from studycli.scheduler import Scheduler
from studycli.storage.backup import (
    MADE_KEY,
    UNFINISHED_KEY,
    Backup,
    check_copy,
    list_backups,
    survey,
)
from studycli.storage.codec import LOG_COLUMNS, REVIEW, LogEntry
from studycli.storage.faults import (
    explain,
    file_problem,
    has_journal,
    is_damage,
    keep_aside,
    os_problem,
)
from studycli.storage.lock import held_exclusively
from studycli.storage.log import LOG_SELECT, insert_log, log_entry
from studycli.storage.migrations import MIGRATION_NAMES
from studycli.storage.store import ANY_REVIEW, NOT_UNDONE, Store

# Tables holding what the user did, with the column that identifies a row across copies.
# card_state is not among them: it is rebuilt from review_log.
USER_TABLES = {
    "review_log": "uid",
    "grades": "uid",
    "plan_log": "uid",
    "mocks": "uid",
    "settings": "key",
}


@dataclass
class Checkup:
    path: Path
    exists: bool = False
    damage: str | None = None  # why the file is damaged, if it is
    foreign: list[str] = field(default_factory=list)  # another application's tables
    newer: str | None = None  # an unknown schema step
    reviews: int | None = None
    kept: list[Path] = field(default_factory=list)  # damaged copies already kept aside
    backups: list[Backup] = field(default_factory=list)
    backups_note: str | None = None  # odd entries skipped, or why no copy can be made
    blocked: str | None = None  # why it cannot be opened for changes (not damage): full, read-only

    @property
    def healthy(self) -> bool:
        return not (self.damage or self.foreign or self.newer)


def examine(path: Path) -> Checkup:
    """What is wrong with the database file, if anything (full integrity check; only reads).

    Opened read-only, so that examining never changes a file (not even by checkpointing a
    WAL into it). A file SQLite cannot open for a reason that is not damage (a full disk, a
    read-only folder) is `blocked`, and then examined as it lies on disk when that is all
    there is to it (no WAL with changes beside it).
    """
    check = Checkup(path, exists=path.exists())
    found = survey(path)
    check.backups = found.backups
    check.backups_note = found.problem or found.odd_line()
    check.kept = sorted(path.parent.glob(f"{path.name}.damaged-*[0-9Z]"))
    if not check.exists:
        return check
    check.damage = file_problem(path)
    if check.damage:
        return check
    try:
        conn = _open_to_examine(path)
    except sqlite3.Error as exc:
        if is_damage(exc):
            check.damage = str(exc)
            return check
        check.blocked = explain(exc, path)
        if has_journal(path):
            return check
        try:
            conn = _open_to_examine(path, immutable=True)
        except sqlite3.Error:
            return check
    try:
        _inspect(conn, check)
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            check.damage = str(exc)
        elif check.blocked is None:
            check.blocked = explain(exc, path)
    finally:
        conn.close()
    return check


def _open_to_examine(path: Path, *, immutable: bool = False) -> sqlite3.Connection:
    how = "immutable=1" if immutable else "mode=ro"
    conn = sqlite3.connect(f"{path.absolute().as_uri()}?{how}", uri=True, timeout=15)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def _inspect(conn: sqlite3.Connection, check: Checkup) -> None:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    applied: list[str] = []
    if "_sqlite_migrations" in tables:
        applied = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = 'studycli'"
            )
        ]
    unknown = [n for n in applied if n not in MIGRATION_NAMES]
    check.newer = unknown[-1] if unknown else None
    if not applied:
        check.foreign = sorted(t for t in tables if not t.startswith(("sqlite_", "_sqlite_")))
    problems = [r[0] for r in conn.execute("PRAGMA integrity_check(5)")]
    if problems != ["ok"]:
        check.damage = "integrity check: " + "; ".join(problems)
    elif "review_log" in tables:
        check.reviews = conn.execute(
            f"SELECT count(*) FROM review_log WHERE kind IN {ANY_REVIEW}"
        ).fetchone()[0]


@dataclass
class Salvage:
    kept: Path | None  # where the damaged file was kept aside
    from_file: int  # reviews read from the damaged file
    from_backup: int  # reviews found only in the backup
    backup: str | None  # the backup used
    reviews: int  # reviews in the repaired database
    cards: int  # card states rebuilt


def salvage(path: Path, desired_retention: float) -> Salvage:
    """Replace a damaged database by everything that can be recovered (see the module doc).

    Card states are replayed with the FSRS parameters found among the recovered settings.
    The database is held exclusively throughout (`lock.held_exclusively`): a drill in another
    terminal waits, then writes into the repaired file, never into the one replaced. A
    database that is a link keeps being one: the file it points to is replaced.
    """
    target = path.resolve() if path.is_symlink() else path
    with held_exclusively(path):
        kept = keep_aside(path) if path.exists() and path.stat().st_size else None
        file_rows = _read_all(kept) if kept else {}
        backup = next((b for b in list_backups(path) if check_copy(b.path) is None), None)
        backup_rows = _read_all(backup.path) if backup else {}
        merged = {t: {**backup_rows.get(t, {}), **file_rows.get(t, {})} for t in USER_TABLES}
        for own in (MADE_KEY, UNFINISHED_KEY):  # a copy's records, not the user's settings
            merged["settings"].pop(own, None)
        partial = target.with_name(target.name + ".repairing")
        for suffix in ("", "-wal", "-shm", ".lock"):
            partial.with_name(partial.name + suffix).unlink(missing_ok=True)
        try:
            with Store(partial) as fresh:
                with fresh.transaction() as conn:
                    for table, rows in merged.items():
                        _insert(conn, table, rows.values())
                scheduler = Scheduler(fresh.get_setting("fsrs_parameters"), desired_retention)
                cards = fresh.rebuild_states(scheduler)
                reviews = fresh.review_count()
                verdict = fresh.conn.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise StoreError(f"{partial}: the repaired copy fails its own check ({verdict})")
            # The damaged file (with its WAL) is kept aside; its side files belong to it alone.
            for side in {path, target}:
                for suffix in ("-wal", "-shm", "-journal"):
                    side.with_name(side.name + suffix).unlink(missing_ok=True)
            os.replace(partial, target)
        except OSError as exc:
            raise StoreError(f"{path}: repair failed: {os_problem(exc, target)}") from None
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: repair failed: {explain(exc, target)}") from None
        finally:
            partial.with_name(partial.name + ".lock").unlink(missing_ok=True)
    from_file = len(file_rows.get("review_log", {}))
    only_backup = len(set(backup_rows.get("review_log", {})) - set(file_rows.get("review_log", {})))
    return Salvage(kept, from_file, only_backup, backup.name if backup else None, reviews, cards)


def _read_all(path: Path) -> dict[str, dict[Any, dict[str, Any]]]:
    """Every readable row of each user table, by identity; reads past damage from both ends."""
    out: dict[str, dict[Any, dict[str, Any]]] = {}
    try:
        conn = sqlite3.connect(path, timeout=15)  # a copy (kept aside or a backup): ours to read
    except sqlite3.Error:
        return out
    try:
        for table, key in USER_TABLES.items():
            rows: dict[Any, dict[str, Any]] = {}
            for order in ("ASC", "DESC"):  # a damaged page stops a scan; start one from the end too
                try:
                    for item in _scan(conn, table, order):
                        if item.get(key) is not None:
                            rows.setdefault(item[key], item)
                except sqlite3.DatabaseError:
                    continue
            out[table] = rows
    finally:
        conn.close()
    return out


def _scan(conn: sqlite3.Connection, table: str, order: str) -> Iterator[dict[str, Any]]:
    """A table's rows as dicts; the review log as LogEntry fields, whatever its schema step."""
    if (
        table == "review_log"
        and conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'review_entries'").fetchone()
    ):
        for row in conn.execute(f"{LOG_SELECT} ORDER BY id {order}"):
            with suppress(zlib.error, UnicodeDecodeError):  # a damaged answer: the row is skipped
                yield log_entry(row)._asdict()
        return
    cur = conn.execute(f"SELECT * FROM {table} ORDER BY 1 {order}")
    names = [d[0] for d in cur.description]
    for row in cur:
        yield dict(zip(names, row, strict=True))


def _insert(conn: sqlite3.Connection, table: str, rows: Iterable[dict[str, Any]]) -> None:
    if table == "review_log":
        entries = (LogEntry(*[r.get(c) for c in LOG_COLUMNS]) for r in rows)  # type: ignore[arg-type]
        insert_log(conn, sorted(entries, key=lambda e: (e.ts or 0, e.uid)))
        return
    columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] != "id"]
    ordered = sorted(rows, key=lambda r: (r.get("ts") or 0, r.get("id") or 0))
    sql = (
        f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    conn.executemany(sql, ([r.get(c) for c in columns] for r in ordered))


def stale_states(store: Store, scheduler: Scheduler) -> list[str]:
    """Cards whose cached state differs from a replay of their log, or that have none."""
    current = store.states()
    logged = [
        r[0]
        for r in store.conn.execute(
            "SELECT name FROM names WHERE key IN (SELECT DISTINCT card FROM review_log)"
        )
    ]
    stale = [cid for cid in logged if cid not in current]
    stale += [
        cid for cid in current if scheduler.replay(cid, store.card_events(cid)) != current[cid]
    ]
    return stale


def orphaned_cards(store: Store, card_ids: Iterable[str]) -> list[tuple[str, int]]:
    """Ids with history in the database but no card in the content, with their review counts.

    Their rows are kept: restoring the id in the content brings the card back with its history.
    """
    known = set(card_ids)
    rows = store.conn.execute(
        f"SELECT name, sum(kind = {REVIEW} AND {NOT_UNDONE}) "
        "FROM review_log JOIN names ON key = card GROUP BY name ORDER BY name"
    )
    return [(cid, int(n or 0)) for cid, n in rows if cid not in known]
