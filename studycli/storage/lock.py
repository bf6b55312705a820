"""The lock file beside studycli.db, and the file identity every write checks.

SQLite's own locks keep two writers apart, but not a process that swaps the whole file
(`doctor --repair` renames a rebuilt copy over a damaged one) from one that still has the
old file open: that one would go on writing into an orphan nobody will read again. So:

- every write transaction holds `studycli.db.lock` shared while it runs, and a long
  whole-database operation (an import, a rebuild) holds it shared from start to end;
- a replacement holds it exclusively, waiting for those to finish and keeping new ones
  out while the file is swapped;
- after taking the shared lock and SQLite's write lock, a writer compares the path's
  (device, inode) with the file it opened; if the file was replaced it reopens the new
  one before writing anything (`Store.transaction`).

flock(2) locks belong to the open file, not the process, and vanish when it dies, so a
killed studycli never leaves the database locked. Where fcntl is missing (Windows), a
file another process holds open cannot be renamed over anyway, and this is a no-op.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from studycli.storage.faults import BUSY_TIMEOUT_S, DatabaseBusy

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

POLL_S = 0.01


class LockTimeout(Exception):
    """The lock stayed held by another studycli for the whole wait."""


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def file_id(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file a path names now (links followed); None if it is gone."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


class DbLock:
    """Shared and exclusive holds on one database's lock file, counted so they nest."""

    def __init__(self, db_path: Path) -> None:
        self.path = lock_path(db_path)
        self._fd: int | None = None
        self._shared = 0
        self._exclusive = 0

    def _open(self) -> int | None:
        if self._fd is None and fcntl is not None:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError:
                try:  # a read-only home: nothing can be replaced there either, but honour others
                    self._fd = os.open(self.path, os.O_RDONLY)
                except OSError:
                    return None
        return self._fd

    def _take(self, mode: int, timeout: float) -> None:
        fd = self._open()
        if fd is None:
            return
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout from None
                time.sleep(POLL_S)
            except OSError:
                return  # a file system without locks: SQLite's own locks still apply

    def acquire_shared(self, timeout: float) -> None:
        if self._shared == 0 and self._exclusive == 0:
            self._take(fcntl.LOCK_SH if fcntl else 0, timeout)
        self._shared += 1

    def release_shared(self) -> None:
        self._shared -= 1
        if self._shared == 0 and self._exclusive == 0:
            self._unlock()

    def acquire_exclusive(self, timeout: float) -> None:
        if self._exclusive == 0:
            if self._shared:
                raise RuntimeError("exclusive lock taken while holding it shared")
            self._take(fcntl.LOCK_EX if fcntl else 0, timeout)
        self._exclusive += 1

    def release_exclusive(self) -> None:
        self._exclusive -= 1
        if self._exclusive == 0:
            self._unlock()

    def try_exclusive(self) -> bool:
        """Take the lock exclusively if nobody holds it at all right now."""
        if self._shared or self._exclusive:
            return False
        try:
            self._take(fcntl.LOCK_EX if fcntl else 0, 0)
        except LockTimeout:
            return False
        self._exclusive = 1
        return True

    def _unlock(self) -> None:
        if self._fd is not None and fcntl is not None:
            with suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # releases whatever this file still holds
            self._fd = None
        self._shared = self._exclusive = 0


WRITING_ELSEWHERE = (
    "another studycli is writing to the database (a drill saving, an import or a rebuild)"
)
REPLACING_ELSEWHERE = "another studycli is repairing or restoring the database"


@contextmanager
def held_exclusively(db_path: Path, timeout: float = BUSY_TIMEOUT_S) -> Iterator[None]:
    """The database to oneself, to replace or rewrite the whole file: waits for every
    write in progress (and whole-database operation) to end, and keeps new ones out."""
    lock = DbLock(db_path)
    try:
        lock.acquire_exclusive(timeout)
    except LockTimeout:
        lock.close()
        raise DatabaseBusy(
            f"{db_path}: {WRITING_ELSEWHERE} for over {timeout:.0f} s; "
            "try again when it has finished (nothing was changed)"
        ) from None
    try:
        yield
    finally:
        lock.close()
