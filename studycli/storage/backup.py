"""Rolling daily copies of studycli.db, made with SQLite's backup API, and restoring one.

A copy is taken at most once a day, just before the day's first write (`Store.before_write`),
after a quick check of the file (`faults.check_file`): a damaged file is kept aside and not
written to, and good copies are never rotated out for a damaged one. On every other write the
check is one stat of today's file name. The last `KEEP` daily copies stay in
`<home>/backups/studycli-YYYY-MM-DD.db`, each a self-contained file (rollback journal, no WAL
beside it), its modification time set to the moment it was made.

The folder is read by what its entries hold, not by their names alone: each copy records
inside itself when it was made (`MADE_KEY`), copies are ordered by that, a second file
bearing the same record is a duplicate, and only a regular file that opens as a studycli
database is ever deleted by pruning. Anything else named like a copy (a folder, a link, a
file that is not a database, a duplicate) is left alone and reported in one line
(`Survey.odd_line`). Restoring first keeps the current database in the same folder, so a
restore can itself be undone.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import stat
import time
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from studycli.errors import StoreError, UsageError
from studycli.storage.bulk import MARKER
from studycli.storage.faults import (
    SQLITE_HEADER,
    check_file,
    damaged_error,
    explain,
    is_damage,
    os_problem,
)
from studycli.storage.lock import held_exclusively
from studycli.storage.migrations import MIGRATION_NAMES
from studycli.storage.store import ANY_REVIEW, Store

FOLDER = "backups"

KEEP = 7

# A daily copy; `.N` when today's plain name is taken by something that is not a copy.
DAILY_RE = re.compile(r"^studycli-(\d{4}-\d{2}-\d{2})(?:\.(\d))?\.db$")

BEFORE_RESTORE_RE = re.compile(r"^studycli-before-restore-(\d{8}T\d{6})\.db$")

PARTIAL_MAX_AGE_S = 3600  # a copy left half-written by a killed process is removed after this

# Settings keys inside a copy: when it was made (written into the copy only), and the marker of
# unfinished whole-database work (bulk.py), which a copy must not carry into a restore.
MADE_KEY = "local.backup_made"

UNFINISHED_KEY = MARKER


@dataclass(frozen=True)
class Backup:
    name: str
    path: Path
    size: int
    reviews: int | None  # None when the copy cannot be read
    last_review_ms: int | None
    made: float = 0.0  # when the copy was made (its modification time), epoch seconds


@dataclass
class Survey:
    """What the backups folder holds."""

    backups: list[Backup] = field(default_factory=list)  # newest first
    odd: list[tuple[str, str]] = field(default_factory=list)  # (name, what it is), left alone
    problem: str | None = None  # why no copy can be made there at all

    def odd_line(self) -> str | None:
        """The entries skipped, in one line (None if there are none)."""
        if not self.odd:
            return None
        shown = ", ".join(f"{name} ({what})" for name, what in self.odd[:5])
        more = f" and {len(self.odd) - 5} more" if len(self.odd) > 5 else ""
        return (
            f"skipped {len(self.odd)} entr{'y' if len(self.odd) == 1 else 'ies'} in "
            f"{FOLDER}/ named like backups: {shown}{more}"
        )


def backup_folder(db_path: Path) -> Path:
    return db_path.parent / FOLDER


def daily_name(day: dt.date, n: int | None = None) -> str:
    return f"studycli-{day.isoformat()}{f'.{n}' if n else ''}.db"


def prepare_first_write(store: Store, now: dt.datetime) -> None:
    """Before a process's first write: check the file, then make the day's copy if none yet.

    A damaged file is kept aside (as on opening) and StoreError says so before anything
    is written; a copy that cannot be made never stops the write. The check is the cheap
    one (`faults.check_file`), except before the day's copy: then the whole file is checked,
    so that good copies are never rotated out for a damaged one.
    """
    target = _todays_name(store, now)
    problem = check_file(store.conn, store.path, whole=target is not None)
    if problem:
        raise damaged_error(store.path, problem)
    if target is not None:
        _make_copy(store, now, target)


def daily_backup(store: Store, now: dt.datetime) -> Path | None:
    """Today's copy of the database if there is none yet; the path written, or None."""
    target = _todays_name(store, now)
    return None if target is None else _make_copy(store, now, target)


def _todays_name(store: Store, now: dt.datetime) -> Path | None:
    """Where today's copy goes; None if it is made already, or cannot or need not be made."""
    folder = backup_folder(store.path)
    target = None
    for n in (None, 2, 3):  # the one stat every first write of a process pays
        candidate = folder / daily_name(now.date(), n)
        try:
            mode = candidate.lstat().st_mode
        except FileNotFoundError:
            target = candidate
            break
        except OSError:
            return None  # e.g. `backups` is a plain file: doctor says so
        if stat.S_ISREG(mode):
            return None  # made already today
    if target is None:
        return None
    try:
        return target if _has_history(store.conn) else None  # nothing to lose yet
    except sqlite3.Error:
        return None


def _make_copy(store: Store, now: dt.datetime, target: Path) -> Path | None:
    folder = target.parent
    partial = folder / f".{target.name}.{os.getpid()}.partial"
    try:
        folder.mkdir(exist_ok=True)
        _remove_stale_partials(folder)
        copy_database(store.conn, partial)
        _stamp(partial, now)
        os.replace(partial, target)  # two processes on the same day: either copy is right
    except (OSError, sqlite3.Error):
        _remove_partial(partial)  # e.g. a full disk: the rating still gets its chance
        return None
    prune(folder)
    return target


def _remove_partial(partial: Path) -> None:
    for side in ("", "-journal", "-wal", "-shm"):
        with suppress(OSError):
            partial.with_name(partial.name + side).unlink(missing_ok=True)


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


def _remove_stale_partials(folder: Path) -> None:
    """Copies (and their journals) a killed process left half-written, an hour on."""
    for p in folder.glob(".*.partial*"):
        try:
            if time.time() - p.lstat().st_mtime > PARTIAL_MAX_AGE_S:
                p.unlink()
        except OSError:
            pass


def prune(folder: Path, keep: int = KEEP) -> list[Path]:
    """Delete all but the newest `keep` daily copies; returns the ones deleted.

    Only copies that are studycli's (see the module doc) count, newest by when they were
    made; nothing else in the folder is ever deleted.
    """
    daily = [
        b
        for b in survey_folder(folder, summaries=False).backups
        if DAILY_RE.match(b.name) and _is_studycli_copy(b.path)
    ]
    old = daily[keep:]
    for b in old:
        b.path.unlink(missing_ok=True)
    return [b.path for b in old]


def _is_studycli_copy(path: Path) -> bool:
    try:
        conn = open_read_only(path)
        try:
            return bool(
                conn.execute(
                    "SELECT count(*) FROM _sqlite_migrations WHERE migration_set = 'studycli'"
                ).fetchone()[0]
            )
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def list_backups(db_path: Path) -> list[Backup]:
    """Every copy in the backups folder (daily, and kept before a restore), newest first."""
    return survey(db_path).backups


def survey(db_path: Path) -> Survey:
    return survey_folder(backup_folder(db_path))


def survey_folder(folder: Path, *, summaries: bool = True) -> Survey:
    """The copies in `folder`, and the entries named like copies that are not (left alone)."""
    found = Survey()
    try:
        mode = folder.lstat().st_mode
    except FileNotFoundError:
        return found
    except OSError as exc:
        found.problem = f"{folder} cannot be read ({exc.strerror or exc})"
        return found
    if not stat.S_ISDIR(mode) and not (stat.S_ISLNK(mode) and folder.is_dir()):
        found.problem = f"{folder} is not a folder, so no daily copy can be made; move it away"
        return found
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        found.problem = f"{folder} cannot be read ({exc.strerror or exc})"
        return found
    by_stamp: dict[str, list[Backup]] = {}
    for entry in entries:
        if not (entry.name.startswith("studycli-") and entry.name.endswith(".db")):
            continue
        what = _what_it_is(entry)
        if what:
            found.odd.append((entry.name, what))
            continue
        st = entry.stat(follow_symlinks=False)
        path = Path(entry.path)
        stamp = made_stamp(path)
        reviews, last = _summary(path) if summaries else (None, None)
        made = stamp[0] / 1000 if stamp is not None else st.st_mtime
        copy = Backup(entry.name, path, st.st_size, reviews, last, made)
        if stamp is None:
            found.backups.append(copy)  # made before copies were stamped, or not readable
        else:
            by_stamp.setdefault(stamp[1], []).append(copy)
    for same in by_stamp.values():  # one copy under several names: the one named for its day
        first, *others = sorted(same, key=lambda c: (not _named_for(c), c.name))
        found.backups.append(first)
        found.odd += [(c.name, f"a copy of {first.name}") for c in others]
    found.odd.sort()
    found.backups.sort(key=lambda b: (b.made, b.name), reverse=True)
    return found


def _what_it_is(entry: os.DirEntry[str]) -> str | None:
    """Why an entry named like a copy is not one; None when it may be (its content decides)."""
    if entry.is_symlink():
        return "a link" if os.path.exists(entry.path) else "a link to nothing"
    if entry.is_dir(follow_symlinks=False):
        return "a folder"
    if not entry.is_file(follow_symlinks=False):
        return "not a regular file"
    if not (DAILY_RE.match(entry.name) or BEFORE_RESTORE_RE.match(entry.name)):
        return "not a name studycli gives its copies"
    try:
        with open(entry.path, "rb") as fh:
            if fh.read(16) != SQLITE_HEADER:
                return "not an SQLite database"
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    return None


def _named_for(copy: Backup) -> bool:
    """Whether a copy's name says the day its made stamp does."""
    m = DAILY_RE.match(copy.name)
    try:
        return bool(m) and dt.date.fromtimestamp(copy.made).isoformat() == m.group(1)  # type: ignore[union-attr]
    except (ValueError, OverflowError, OSError):
        return False


def made_stamp(path: Path) -> tuple[int, str] | None:
    """(when, which): the record a copy bears of when studycli made it (epoch ms) and a token
    no other copy bears; None if it bears none (made before copies were stamped)."""
    import json

    try:
        conn = open_read_only(path)
        try:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (MADE_KEY,)).fetchone()
        finally:
            conn.close()
        if row is None:
            return None
        made = json.loads(row[0])
        return int(made["ms"]), str(made["id"])
    except (sqlite3.Error, ValueError, TypeError, KeyError):
        return None


def _stamp(path: Path, now: dt.datetime) -> None:
    """Record inside a fresh copy when it was made (and set its file time to match)."""
    import json

    made = {"ms": int(now.timestamp() * 1000), "id": os.urandom(8).hex()}
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                (MADE_KEY, json.dumps(made)),
            )
            conn.execute("DELETE FROM settings WHERE key = ?", (UNFINISHED_KEY,))
    finally:
        conn.close()
    os.utime(path, (now.timestamp(), now.timestamp()))


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
    opens, a plain file copy when it does not), so nothing is lost by restoring. The whole
    time, the database is held exclusively: no drill writes halfway through.
    """
    chosen = find_backup(db_path, name)
    why = check_copy(chosen.path)
    if why:
        raise StoreError(f"{chosen.path}: cannot restore this backup: {why}")
    with held_exclusively(db_path):
        kept = _keep_current(db_path, now)
        source = open_read_only(chosen.path)
        try:
            if not _restore_in_place(source, db_path):
                target = db_path.resolve() if db_path.is_symlink() else db_path
                partial = target.with_name(target.name + ".restoring")
                try:
                    copy_database(source, partial)
                    forget = sqlite3.connect(partial)
                    try:
                        with forget:
                            forget.execute(
                                "DELETE FROM settings WHERE key IN (?, ?)",
                                (MADE_KEY, UNFINISHED_KEY),
                            )
                    finally:
                        forget.close()
                    for suffix in ("-wal", "-shm", "-journal"):  # they belonged to the old file
                        target.with_name(target.name + suffix).unlink(missing_ok=True)
                    os.replace(partial, target)
                except BaseException:
                    _remove_partial(partial)
                    raise
        except OSError as exc:
            raise StoreError(
                f"{db_path}: could not restore {chosen.name}: {os_problem(exc, db_path)}"
            ) from None
        except sqlite3.Error as exc:
            raise StoreError(
                f"{db_path}: could not restore {chosen.name}: {explain(exc, db_path)}"
            ) from None
        finally:
            source.close()
    return chosen, kept


def _keep_current(db_path: Path, now: dt.datetime) -> Path | None:
    """Copy the current database into the backups folder, whole or not at all."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    folder = backup_folder(db_path)
    kept = folder / f"studycli-before-restore-{now.strftime('%Y%m%dT%H%M%S')}.db"
    partial = folder / f".{kept.name}.{os.getpid()}.partial"
    try:
        folder.mkdir(exist_ok=True)
        try:
            conn = open_read_only(db_path)
            try:
                copy_database(conn, partial)
            finally:
                conn.close()
            _stamp(partial, now)
        except sqlite3.DatabaseError as exc:  # a damaged file: copy its bytes (and WAL) as they are
            if not is_damage(exc):
                raise
            _remove_partial(partial)
            shutil.copyfile(db_path, partial)
            wal = db_path.with_name(db_path.name + "-wal")
            if wal.exists():
                shutil.copyfile(wal, kept.with_name(kept.name + "-wal"))
            os.utime(partial, (now.timestamp(), now.timestamp()))
        os.replace(partial, kept)
    except OSError as exc:
        _remove_partial(partial)
        what = os_problem(exc, kept) if folder.is_dir() else f"{folder} is not a folder"
        raise StoreError(
            f"{db_path}: could not keep the current database before restoring: {what} "
            "(nothing was changed)"
        ) from None
    except sqlite3.Error as exc:
        _remove_partial(partial)
        raise StoreError(
            f"{db_path}: could not keep the current database before restoring: "
            f"{explain(exc, kept)} (nothing was changed)"
        ) from None
    return kept


def _restore_in_place(source: sqlite3.Connection, db_path: Path) -> bool:
    """Copy into the live database through SQLite (safe with its WAL); False if it will not open."""
    try:
        live = sqlite3.connect(db_path, timeout=15)
        try:
            live.execute("SELECT count(*) FROM sqlite_master").fetchone()
            source.backup(live)
            with live:  # the copy's own records are not the database's
                live.execute("DELETE FROM settings WHERE key IN (?, ?)", (MADE_KEY, UNFINISHED_KEY))
        finally:
            live.close()
    except sqlite3.DatabaseError as exc:
        if not is_damage(exc):
            raise  # a full disk or a read-only folder: say so, never replace the file then
        return False
    return True
