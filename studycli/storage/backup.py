"""Rolling daily copies of studycli.db, made with SQLite's backup API, and restoring one.

A copy is taken at most once a day, just before the day's first write (`Store.before_write`);
on every other write the check is one stat of today's file name. The last `KEEP` daily copies
stay in `<home>/backups/studycli-YYYY-MM-DD.db`, each a self-contained file (rollback journal,
no WAL beside it). Restoring first keeps the current database in the same folder, so a
restore can itself be undone.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from studycli.errors import StoreError, UsageError
from studycli.storage.faults import damaged_error, is_damage
from studycli.storage.migrations import MIGRATION_NAMES
from studycli.storage.store import ANY_REVIEW, Store

FOLDER = "backups"

KEEP = 7

DAILY_RE = re.compile(r"^studycli-(\d{4}-\d{2}-\d{2})\.db$")

PARTIAL_MAX_AGE_S = 3600  # a copy left half-written by a killed process is removed after this


@dataclass(frozen=True)
class Backup:
    name: str
    path: Path
    size: int
    reviews: int | None  # None when the copy cannot be read
    last_review_ms: int | None


def backup_folder(db_path: Path) -> Path:
    return db_path.parent / FOLDER


def daily_name(day: dt.date) -> str:
    return f"studycli-{day.isoformat()}.db"


def daily_backup(store: Store, now: dt.datetime) -> Path | None:
    """Today's copy of the database if there is none yet; the path written, or None.

    Never stops the write it precedes, except when the database proves damaged: then the
    file is kept aside (as on opening) and StoreError says so, before anything is written.
    """
    folder = backup_folder(store.path)
    target = folder / daily_name(now.date())
    if target.exists():  # the one stat every first write of a process pays
        return None
    try:
        if not _has_history(store.conn):
            return None  # nothing to lose yet
        verdict = store.conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            raise damaged_error(store.path, str(exc)) from None
        return None
    if verdict != "ok":
        # Do not rotate good copies out for a damaged one; stop before writing into it.
        raise damaged_error(store.path, f"quick check: {verdict}")
    partial = folder / f".{target.name}.{os.getpid()}.partial"
    try:
        folder.mkdir(exist_ok=True)
        _remove_stale_partials(folder, now)
        copy_database(store.conn, partial)
        os.replace(partial, target)  # two processes on the same day: either copy is right
    except (OSError, sqlite3.Error):
        partial.unlink(missing_ok=True)  # e.g. a full disk: the rating still gets its chance
        return None
    prune(folder)
    return target


def _has_history(conn: sqlite3.Connection) -> bool:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return any(
        conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()
        for t in ("review_log", "plan_log", "grades", "mocks")
        if t in tables
    )


def copy_database(conn: sqlite3.Connection, dest: Path) -> None:
    """A consistent copy of an open database (SQLite backup API) as one self-contained file."""
    dest.unlink(missing_ok=True)
    out = sqlite3.connect(dest)
    try:
        conn.backup(out)
        out.execute("PRAGMA journal_mode = DELETE")
    finally:
        out.close()


def _remove_stale_partials(folder: Path, now: dt.datetime) -> None:
    for p in folder.glob(".*.partial"):
        try:
            if now.timestamp() - p.stat().st_mtime > PARTIAL_MAX_AGE_S:
                p.unlink()
        except OSError:
            pass


def prune(folder: Path, keep: int = KEEP) -> list[Path]:
    """Delete all but the newest `keep` daily copies; returns the ones deleted."""
    daily = sorted(p for p in folder.glob("studycli-*.db") if DAILY_RE.match(p.name))
    old = daily[:-keep] if keep else daily
    for p in old:
        p.unlink(missing_ok=True)
    return old


def list_backups(db_path: Path) -> list[Backup]:
    """Every copy in the backups folder (daily, and kept before a restore), newest first."""
    folder = backup_folder(db_path)
    if not folder.is_dir():
        return []
    found = []
    for p in folder.glob("studycli-*.db"):
        reviews, last = _summary(p)
        found.append(Backup(p.name, p, p.stat().st_size, reviews, last))
    return sorted(found, key=lambda b: (b.path.stat().st_mtime, b.name), reverse=True)


def open_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)


def _summary(path: Path) -> tuple[int | None, int | None]:
    try:
        conn = open_read_only(path)
        try:
            count, last = conn.execute(
                f"SELECT count(*), max(ts) FROM review_log WHERE kind IN {ANY_REVIEW}"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None, None
    return int(count), last


def check_copy(path: Path) -> str | None:
    """Why a copy cannot be restored (damaged, not studycli's, newer schema), or None."""
    try:
        conn = open_read_only(path)
        try:
            verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
            if verdict != "ok":
                return f"damaged ({verdict})"
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM _sqlite_migrations WHERE migration_set = 'studycli'"
                )
            ]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"unreadable ({exc})"
    if not names:
        return "not a studycli database"
    unknown = [n for n in names if n not in MIGRATION_NAMES]
    if unknown:
        return f"written by a newer studycli (schema step '{unknown[-1]}')"
    return None


def find_backup(db_path: Path, name: str) -> Backup:
    """A backup by file name, by date (YYYY-MM-DD) or by a unique part of its name."""
    backups = list_backups(db_path)
    exact = [b for b in backups if name in (b.name, b.name.removesuffix(".db"))]
    matches = exact or [b for b in backups if name in b.name]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(b.name for b in backups) or "none yet"
    what = "matches more than one" if matches else "matches no"
    raise UsageError(f"NAME: '{name}' {what} backup (backups: {known})")


def restore_backup(db_path: Path, name: str, now: dt.datetime) -> tuple[Backup, Path | None]:
    """Make the database the backup `name`; returns it and where the replaced database was kept.

    The current database is copied into the backups folder first (SQLite backup API when it
    opens, a plain file copy when it does not), so nothing is lost by restoring.
    """
    chosen = find_backup(db_path, name)
    why = check_copy(chosen.path)
    if why:
        raise StoreError(f"{chosen.path}: cannot restore this backup: {why}")
    kept = _keep_current(db_path, now)
    source = open_read_only(chosen.path)
    try:
        if not _restore_in_place(source, db_path):
            partial = db_path.with_name(db_path.name + ".restoring")
            copy_database(source, partial)
            for suffix in ("-wal", "-shm", "-journal"):  # they belonged to the replaced file
                db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
            os.replace(partial, db_path)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"{db_path}: could not restore {chosen.name}: {exc}") from None
    finally:
        source.close()
    return chosen, kept


def _keep_current(db_path: Path, now: dt.datetime) -> Path | None:
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    folder = backup_folder(db_path)
    folder.mkdir(exist_ok=True)
    kept = folder / f"studycli-before-restore-{now.strftime('%Y%m%dT%H%M%S')}.db"
    try:
        conn = sqlite3.connect(db_path)
        try:
            copy_database(conn, kept)
        finally:
            conn.close()
    except sqlite3.Error:  # a damaged file: copy the bytes (and its WAL) as they are
        shutil.copy2(db_path, kept)
        wal = db_path.with_name(db_path.name + "-wal")
        if wal.exists():
            shutil.copy2(wal, kept.with_name(kept.name + "-wal"))
    return kept


def _restore_in_place(source: sqlite3.Connection, db_path: Path) -> bool:
    """Copy into the live database through SQLite (safe with its WAL); False if it will not open."""
    try:
        live = sqlite3.connect(db_path, timeout=15)
        try:
            live.execute("SELECT count(*) FROM sqlite_master").fetchone()
            source.backup(live)
        finally:
            live.close()
    except sqlite3.DatabaseError:
        return False
    return True
