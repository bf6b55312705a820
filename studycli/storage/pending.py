"""Ratings kept while the database stayed busy: one small file each, saved by the next write.

When another program holds SQLite's write lock past the busy timeout, a drill must not
lose the answer just typed. `keep` writes the log entry to `<home>/pending-ratings/<uid>.json`
(whole, then renamed into place); the next write of any studycli inserts them (a uid is
inserted once, so a file left after a kill is harmless) and removes the files.
"""

from __future__ import annotations

import os
from pathlib import Path

from studycli.storage.codec import LOG_COLUMNS, LogEntry

FOLDER = "pending-ratings"
MAX_BYTES = 8 * 1024 * 1024  # a kept entry holds one typed answer (at most a million characters)


def folder(db_path: Path) -> Path:
    return db_path.parent / FOLDER


def keep(db_path: Path, entry: LogEntry) -> Path | None:
    """Write the entry to its own file; None if even that is impossible (a full disk)."""
    import json

    where = folder(db_path)
    target = where / f"{entry.uid}.json"
    tmp = where / f".{entry.uid}.json.partial"
    try:
        where.mkdir(exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(entry._asdict(), fh, ensure_ascii=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except (OSError, ValueError):
        tmp.unlink(missing_ok=True) if where.is_dir() else None
        return None
    return target


def waiting(db_path: Path) -> list[Path]:
    """The kept entries' files (usually none: one stat)."""
    where = folder(db_path)
    if not where.is_dir():
        return []
    return sorted(p for p in where.glob("*.json") if p.is_file() and not p.is_symlink())


def read(path: Path) -> LogEntry | None:
    """The entry a file holds; None if it is not one (then it is left for the user)."""
    import json

    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(raw, dict) or set(raw) != set(LOG_COLUMNS):
        return None
    entry = LogEntry(**raw)
    ok = (
        isinstance(entry.uid, str)
        and isinstance(entry.card_id, str)
        and entry.kind == "review"
        and isinstance(entry.ts, int)
        and isinstance(entry.day, int)
        and entry.rating in (1, 2, 3, 4)
        and path.stem == entry.uid
    )
    return entry if ok else None
