"""What can go wrong with the database file, said in one line: damage, busy, disk, folder.

`file_problem` judges a file from its header before SQLite sees it; `keep_aside` copies a
damaged file (with its WAL) before anything touches it; `explain` and `os_problem` turn
SQLite and operating-system failures into what the user can do about them; `check_file`
is the quick check every process runs before its first write.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from studycli.errors import StoreError

BUSY_TIMEOUT_S = 15.0

SQLITE_HEADER = b"SQLite format 3\x00"

_DAMAGE_CODES = (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB

_BUSY_CODES = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED

# Above this size the check before a first write skips the review log's older pages (the
# largest table, append-only: a write touches only its last pages, which are read).
FULL_CHECK_MAX_BYTES = 16 * 1024 * 1024


class DatabaseBusy(StoreError):
    """Another studycli (or another program) kept the database busy for the whole wait."""


def is_busy(exc: BaseException) -> bool:
    return sqlite_code(exc) in _BUSY_CODES


def sqlite_code(exc: BaseException) -> int:
    """The primary SQLite result code of an sqlite3 error (0 if it has none)."""
    return int(getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF


def _retry_busy(step: Callable[[], Any]) -> Any:
    """Run one schema step while opening, retrying on BUSY until the busy timeout.

    Two processes opening a fresh home at once can each hold the shared lock the other
    needs (to read the schema or change the journal mode); SQLite then answers BUSY at
    once, without waiting, to avoid a deadlock. A short retry resolves it.
    """
    import time

    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            return step()
        except sqlite3.OperationalError as exc:
            if sqlite_code(exc) not in (0, 5, 6) or time.monotonic() > deadline:
                raise
            if sqlite_code(exc) == 0 and "locked" not in str(exc):
                raise
        time.sleep(0.02)


def is_damage(exc: BaseException) -> bool:
    return sqlite_code(exc) in _DAMAGE_CODES or "malformed" in str(exc)


DISK_FULL = "the disk is full (free some space and try again)"


def disk_full(path: Path) -> bool:
    """Whether the file system holding `path` has no room left for an unprivileged write."""
    try:
        st = os.statvfs(path if path.is_dir() else path.parent)
    except (OSError, AttributeError):
        return False
    return st.f_bavail * st.f_frsize < 64 * 1024


def folder_read_only(folder: Path) -> bool:
    """A folder nobody can write in: a read-only mount, or no write permission."""
    try:
        st = os.statvfs(folder)
        if st.f_flag & getattr(os, "ST_RDONLY", 0):
            return True
    except (OSError, AttributeError):
        pass
    return folder.is_dir() and not os.access(folder, os.W_OK)


def os_problem(exc: OSError, path: Path) -> str:
    """An operating-system failure to write `path`, in a few words."""
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        return DISK_FULL
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM) or folder_read_only(path.parent):
        return (
            f"the data folder {path.parent} is read-only "
            "(choose a writable one with --home or STUDYCLI_HOME)"
        )
    if exc.errno == errno.EISDIR:
        return f"{path.name} is a folder, not a file"
    return exc.strerror or str(exc)


def explain(exc: BaseException, path: Path) -> str:
    """What an SQLite failure means for the user, in a few words."""
    code = sqlite_code(exc)
    read_only = folder_read_only(path.parent)
    if code == 13 or (code in (10, 14) and disk_full(path)):  # FULL; IOERR/CANTOPEN on a full disk
        return DISK_FULL
    if code in (8, 14) and read_only:  # READONLY, CANTOPEN
        return (
            f"the data folder {path.parent} is read-only "
            "(choose a writable one with --home or STUDYCLI_HOME)"
        )
    if code == 8:
        return "the database file is read-only"
    if code == 14:
        return "cannot open the file (missing or inaccessible folder)"
    if code in _BUSY_CODES:
        return f"another studycli kept the database busy for over {BUSY_TIMEOUT_S:.0f} s"
    if code in _DAMAGE_CODES:
        return "the database is damaged; run 'studycli doctor'"
    if code == 10:  # IOERR, e.g. a file size limit or a failing disk
        return f"disk I/O error ({exc})"
    return str(exc)


def _header(path: Path) -> tuple[int, bytes] | None:
    """(size, first 100 bytes) of a file; None if it is missing or unreadable."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            return size, f.read(100)
    except OSError:
        return None  # missing or unreadable: SQLite says which, through explain()


def _short_by(size: int, head: bytes) -> str | None:
    """'file is truncated: ...' when the header promises more pages than the file holds."""
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    header_count_valid = head[92:96] == head[24:28]
    if header_count_valid and pages and size < page_size * pages:
        return f"file is truncated: {size} of {page_size * pages} bytes"
    return None


def has_journal(path: Path) -> bool:
    """A WAL or hot journal with content beside the file (changes not yet in the file itself)."""
    return any(_nonempty(path.with_name(path.name + s)) for s in ("-wal", "-journal"))


def file_problem(path: Path) -> str | None:
    """Why `path` cannot be a healthy SQLite database, judged from its header (not by SQLite)."""
    found = _header(path)
    if found is None or found[0] == 0:
        return None  # missing, or created but never written (e.g. killed on the very first start)
    size, head = found
    if len(head) < 100 or not head.startswith(SQLITE_HEADER):
        return "not an SQLite database file"
    # With a WAL or hot journal beside it the file may legitimately lag (`suspect_file`).
    return None if has_journal(path) else _short_by(size, head)


def suspect_file(path: Path) -> str | None:
    """A file shorter than its header says, with a WAL beside it: healthy only if the WAL
    holds the missing pages (a checkpoint killed half-way), which only SQLite can tell.
    Whoever opens it keeps a copy aside first (`keep_aside`), then lets SQLite judge read-only.
    """
    found = _header(path)
    if found is None or len(found[1]) < 100 or not has_journal(path):
        return None
    return _short_by(*found)


def check_file(conn: sqlite3.Connection, path: Path, *, whole: bool = False) -> str | None:
    """Why the open database is damaged, by SQLite's quick check; None when it is fine.

    Run before a process's first write. Up to FULL_CHECK_MAX_BYTES (or when `whole`) the
    whole file is checked (about 40 ms for 100,000 reviews); beyond, every table but the
    review log, whose newest rows (the pages a write touches) are read instead (about 15 ms
    for a million reviews).
    """
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    try:
        if whole or size <= FULL_CHECK_MAX_BYTES:
            rows = conn.execute("PRAGMA quick_check(5)").fetchall()
        else:
            names = conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'review_log'"
            ).fetchall()
            rows = []
            for (name,) in names:
                quoted = name.replace('"', '""')
                rows += conn.execute(f'PRAGMA quick_check("{quoted}")').fetchall()
            conn.execute("SELECT * FROM review_log ORDER BY id DESC LIMIT 500").fetchall()
    except sqlite3.DatabaseError as exc:
        return str(exc) if is_damage(exc) else None
    problems = [str(r[0]) for r in rows if r[0] != "ok"]
    return "quick check: " + "; ".join(problems[:3]) if problems else None


def _nonempty(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def keep_aside(path: Path) -> Path:
    """Copy a damaged database (and its WAL) to `<name>.damaged-<UTC mtime>`; leave the original.

    Named after the file's own modification time, so opening the same damaged file again
    does not pile up copies.
    """
    st = path.stat()
    stamp = dt.datetime.fromtimestamp(st.st_mtime, dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    base = path.with_name(f"{path.name}.damaged-{stamp}")
    target, n = base, 1
    while target.exists():
        kept = target.stat()
        if kept.st_size == st.st_size and int(kept.st_mtime) == int(st.st_mtime):
            return target
        n += 1
        target = base.with_name(f"{base.name}-{n}")
    for suffix in ("-wal", "-journal"):
        side = path.with_name(path.name + suffix)
        if _nonempty(side):
            shutil.copy2(side, target.with_name(target.name + suffix))
    tmp = target.with_name(target.name + ".partial")
    shutil.copy2(path, tmp)
    os.replace(tmp, target)
    return target


def damaged_error(path: Path, problem: str) -> StoreError:
    """Keep the damaged file aside first, then say so in one line."""
    try:
        aside = keep_aside(path)
    except OSError as exc:
        return StoreError(
            f"{path}: not a studycli database or damaged ({problem}); could not keep a copy aside "
            f"({exc.strerror or exc}); nothing was changed"
        )
    return StoreError(
        f"{path}: not a studycli database or damaged ({problem}); a copy is kept as {aside.name}; "
        "run 'studycli doctor' to repair it or restore a backup"
    )
