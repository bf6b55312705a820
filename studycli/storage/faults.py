"""SQLite failures as the user sees them: damage found from the header before SQLite opens a
file, a damaged file kept aside before anything touches it, BUSY retried while opening,
and every other error explained in a few words.
"""

from __future__ import annotations

import datetime as dt
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


def explain(exc: BaseException, path: Path) -> str:
    """What an SQLite failure means for the user, in a few words."""
    code = sqlite_code(exc)
    folder_read_only = path.parent.is_dir() and not os.access(path.parent, os.W_OK)
    if code == 13:  # SQLITE_FULL
        return "the disk is full (free some space and try again)"
    if code in (8, 14) and folder_read_only:  # READONLY, CANTOPEN
        return (
            f"the data folder {path.parent} is read-only "
            "(choose a writable one with --home or STUDYCLI_HOME)"
        )
    if code == 8:
        return "the database file is read-only"
    if code == 14:
        return "cannot open the file (missing or inaccessible folder)"
    if code in (5, 6):  # BUSY, LOCKED
        return f"another studycli kept the database busy for over {BUSY_TIMEOUT_S:.0f} s"
    if code in _DAMAGE_CODES:
        return "the database is damaged; run 'studycli doctor'"
    if code == 10:  # IOERR, e.g. a file size limit or a failing disk
        return f"disk I/O error ({exc})"
    return str(exc)


def file_problem(path: Path) -> str | None:
    """Why `path` cannot be a healthy SQLite database, judged from its header (not by SQLite)."""
    try:
        size = path.stat().st_size
        if size == 0:
            return None  # created but never written (e.g. killed on the very first start)
        with open(path, "rb") as f:
            head = f.read(100)
    except OSError:
        return None  # missing or unreadable: SQLite says which, through explain()
    if len(head) < 100 or not head.startswith(SQLITE_HEADER):
        return "not an SQLite database file"
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    header_count_valid = head[92:96] == head[24:28]
    # With a WAL or hot journal beside it the file may legitimately lag; SQLite judges then.
    pending = any(_nonempty(path.with_name(path.name + s)) for s in ("-wal", "-journal"))
    if header_count_valid and pages and not pending and size < page_size * pages:
        return f"file is truncated: {size} of {page_size * pages} bytes"
    return None


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
