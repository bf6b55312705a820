"""Opening studycli.db: look at the file before SQLite does, then check it is ours.

Nothing here writes to a file that is not known to be a healthy studycli database of a
known schema: a damaged file is copied aside first (`faults.keep_aside`); a short file
with a WAL beside it is copied aside (both) before SQLite, read-only, judges it; a foreign
or newer schema is refused before the first statement that could write.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from studycli.errors import StoreError
from studycli.storage.faults import (
    BUSY_TIMEOUT_S,
    DatabaseBusy,
    _retry_busy,
    damaged_error,
    explain,
    file_problem,
    is_busy,
    is_damage,
    keep_aside,
    suspect_file,
)
from studycli.storage.migrations import MIGRATION_NAMES


def open_error(path: Path, what: str, exc: BaseException) -> StoreError:
    """An SQLite failure as one line; a damaged file is kept aside first."""
    if is_damage(exc):
        return damaged_error(path, str(exc))
    kind = DatabaseBusy if is_busy(exc) else StoreError
    return kind(f"{path}: {what}: {explain(exc, path)}")


def connect(path: Path, open_mode: str | None = None) -> sqlite3.Connection:
    """An autocommit connection to `path`, after looking at the file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create data folder {path.parent}: {exc.strerror}") from None
    # Look before SQLite does: a damaged file is copied aside before anything else happens.
    problem = file_problem(path)
    if problem:
        raise damaged_error(path, problem)
    suspect = suspect_file(path)
    if suspect:
        _judge_suspect(path, suspect)
    try:
        if open_mode:
            uri = f"{path.absolute().as_uri()}?mode={open_mode}"
            conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        else:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    except sqlite3.Error as exc:
        raise open_error(path, "cannot open database", exc) from None
    return conn


def _judge_suspect(path: Path, problem: str) -> None:
    """A short file with a WAL beside it: copy both aside before SQLite may checkpoint one
    into the other, then let SQLite read it without writing. Healthy: the copy goes."""
    try:
        kept = keep_aside(path)
    except OSError as exc:
        raise damaged_error(path, f"{problem}; {exc.strerror or exc}") from None
    verdict: str | None
    try:
        ro = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            found = [str(r[0]) for r in ro.execute("PRAGMA quick_check(3)")]
        finally:
            ro.close()
        verdict = None if found == ["ok"] else "quick check: " + "; ".join(found)
    except sqlite3.Error as exc:
        verdict = str(exc) if is_damage(exc) else None
    if verdict:
        raise damaged_error(path, f"{problem}; {verdict}")
    for side in ("", "-wal", "-journal"):
        kept.with_name(kept.name + side).unlink(missing_ok=True)


def check_schema(conn: sqlite3.Connection, path: Path) -> list[str]:
    """The schema steps applied, after refusing a foreign or newer file; switches to WAL.

    Closes the connection when it raises."""
    try:
        applied = _retry_busy(lambda: applied_migrations(conn))
        foreign = [] if applied else _retry_busy(lambda: foreign_tables(conn))
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise open_error(path, "cannot open database", exc) from None  # damage kept aside there
    unknown = [n for n in applied if n not in MIGRATION_NAMES]
    if foreign or unknown:
        conn.close()
    if foreign:
        raise StoreError(
            f"{path}: not a studycli database (it holds {', '.join(foreign[:3])}); "
            "nothing was changed; choose another data folder with --home"
        )
    if unknown:
        raise StoreError(
            f"{path}: written by a newer studycli (schema step '{unknown[-1]}'); "
            "upgrade studycli to use it (nothing was changed)"
        )
    try:
        enable_wal(conn)
        # FULL: a rating shown as saved survives a power loss too.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error as exc:
        conn.close()
        raise open_error(path, "cannot open database", exc) from None
    return applied


def enable_wal(conn: sqlite3.Connection) -> None:
    """Switch a new database to WAL, even while another studycli opens it at the same moment."""

    def switch() -> None:
        if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] != "wal":
            raise sqlite3.OperationalError("database is locked")  # the mode did not change

    _retry_busy(switch)


def foreign_tables(conn: sqlite3.Connection) -> list[str]:
    """Tables of another application in a file with no studycli schema (empty if none)."""
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
        "AND name NOT LIKE 'sqlite_%' AND name != '_sqlite_migrations' ORDER BY name"
    )
    return [r[0] for r in rows]


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='_sqlite_migrations'"
    ).fetchone()
    if not exists:
        return []
    rows = conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = 'studycli' ORDER BY rowid"
    )
    return [r[0] for r in rows]
