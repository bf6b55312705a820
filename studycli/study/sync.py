"""Progress files: the review log, the roadmap log and the settings that travel, as JSON lines.

`export_progress` writes everything a second machine needs to reach the same card
states; `read_progress` (progress_file.py) validates a whole file (every line, every
field) before anything is written; `merge_progress` then merges it, keyed on each row's
`uid`, so importing the same file twice changes nothing. It merges in short transactions
(a drill beside it never waits long) as whole-database work (`Store.bulk`): the caller
rebuilds the card-state cache from the merged log within the same bulk work, and a
merge killed half-way is completed by importing again and its cache rebuilt on the next start.

Settings carry a timestamp so that two machines converge: the newest change wins.
studycli does not know when another module or a hand edit changed a setting, so a
change is stamped when sync first notices it (at export, import, `config set` or
`optimize`): the ledger of what was last seen lives in the settings table under
`local.sync_stamps`. The format is specified in docs/progress-format.md.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from studycli import __version__
from studycli.clock import to_ms
from studycli.errors import StoreError
from studycli.storage.bulk import in_chunks
from studycli.storage.codec import LogEntry
from studycli.storage.config import Config, restore_config, save_config
from studycli.storage.files import write_output
from studycli.storage.progress import (
    PLAN_COLUMNS,
    Scope,
    Stamped,
    _read_ledger,
    _store_settings,
    _write_ledger,
    insert_plan_rows,
    log_rows_by_uid,
    plan_rows,
    plan_rows_by_uid,
    put_setting,
)
from studycli.storage.store import Store, insert_log
from studycli.study.progress_file import (
    FORMAT,
    FORMAT_VERSION,
    SYNCED_CONFIG_KEYS,
    ProgressFile,
    read_progress,
)

__all__ = ["FORMAT_VERSION", "SYNCED_CONFIG_KEYS", "ProgressFile", "read_progress"]


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _wins(theirs: Stamped, ours: Stamped | None) -> bool:
    """Newest timestamp wins; on a tie the larger canonical JSON, so both sides pick the same."""
    if ours is None:
        return True
    if theirs.ts != ours.ts:
        return theirs.ts > ours.ts
    return _canonical(theirs.value) > _canonical(ours.value)


def _current(conn: sqlite3.Connection, config: Config | None) -> dict[tuple[Scope, str], Any]:
    current: dict[tuple[Scope, str], Any] = {
        ("store", k): v for k, v in _store_settings(conn).items()
    }
    if config is not None:
        for key in SYNCED_CONFIG_KEYS:
            current[("config", key)] = config.values.get(key)  # None when left at the default
    return current


def _reconcile(
    conn: sqlite3.Connection, config: Config | None, now_ms: int
) -> dict[tuple[Scope, str], Stamped]:
    """Stamp every travelling setting whose value differs from the ledger's with `now_ms`."""
    ledger = _read_ledger(conn)
    current = _current(conn, config)
    changed = False
    for name in set(current) | {n for n in ledger if config is not None or n[0] == "store"}:
        value = current.get(name)
        seen = ledger.get(name)
        if seen is None and value is None:
            continue  # never set anywhere: nothing to say
        if seen is None or _canonical(seen.value) != _canonical(value):
            ledger[name] = Stamped(value, now_ms)
            changed = True
    if changed:
        _write_ledger(conn, ledger)
    return ledger


def save_config_with(
    store: Store,
    config: Config,
    now: dt.datetime,
    also: Callable[[Any], None] | None = None,
) -> None:
    """Write config.yaml together with the database: the stamps of synced settings (and `also`,
    the command's own change) commit with it, and if that fails, config.yaml is put back."""
    previous: str | None = None
    saved = False
    try:
        with store.transaction() as conn:
            if also is not None:
                also(conn)
            _reconcile(conn, config, to_ms(now))
            previous = save_config(config)
            saved = True
    except BaseException:
        if saved:
            restore_config(config, previous)
        raise


def stamp_changes(store: Store, config: Config | None, now: dt.datetime) -> None:
    """Note the time of any setting change not yet stamped (call after changing a setting)."""
    with store.transaction() as conn:
        _reconcile(conn, config, to_ms(now))


@dataclass(frozen=True)
class ExportSummary:
    path: str
    reviews: int  # review_log rows of every kind
    plan: int
    settings: int


def _records(
    store: Store, config: Config, now: dt.datetime
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    with store.transaction() as conn:
        ledger = _reconcile(conn, config, to_ms(now))
    settings = [
        {"record": "setting", "scope": scope, "key": key, "value": entry.value, "ts": entry.ts}
        for (scope, key), entry in sorted(ledger.items())
    ]
    log = [{"record": "review_log", **_log_fields(e)} for e in store.log()]
    plan = [
        {"record": "plan_log", **dict(zip(PLAN_COLUMNS, row, strict=True))}
        for row in plan_rows(store.conn)
    ]
    header = {
        "record": "header",
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "exported_at": now.isoformat(timespec="seconds"),
        "studycli": __version__,
        "counts": {"setting": len(settings), "review_log": len(log), "plan_log": len(plan)},
    }
    return header, settings + log + plan


def export_progress(
    store: Store, config: Config, now: dt.datetime, out: Path | IO[str]
) -> ExportSummary:
    """Write the progress file to a path (whole, or into a device as it is) or an open stream."""
    header, records = _records(store, config, now)
    lines = (
        json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in [header, *records]
    )
    counts = header["counts"]
    summary = ExportSummary(str(out), counts["review_log"], counts["plan_log"], counts["setting"])
    if not isinstance(out, Path):
        out.writelines(lines)
        out.flush()
        return summary
    write_output(out, lines)
    return summary


@dataclass
class MergeResult:
    reviews_added: int = 0
    reviews_known: int = 0
    plan_added: int = 0
    plan_known: int = 0
    conflicts: int = 0  # same uid, different content: the local row is kept
    settings_changed: list[str] = field(default_factory=list)  # "scope:key"

    @property
    def config_changed(self) -> bool:
        return any(s.startswith("config:") for s in self.settings_changed)


def merge_progress(
    store: Store, config: Config, progress: ProgressFile, now: dt.datetime
) -> MergeResult:
    """Merge a validated progress file: rows a chunk per transaction, then the settings and
    config.yaml together, last (config.yaml is put back if that transaction fails).

    Rows are keyed on uid (present: skipped; absent: inserted). A setting is taken when
    its timestamp is newer than the local one. The caller rebuilds card states afterwards,
    within the same `store.bulk` work.
    """
    result = MergeResult()
    try:
        with store.bulk("import"):
            with store.transaction() as conn:  # local changes get their stamp before theirs come
                _reconcile(conn, config, to_ms(now))
            added = _merge_in_chunks(
                store, progress.log, result, log_rows_by_uid,
                lambda conn, fresh: insert_log(conn, (LogEntry(*r) for r in fresh)),
            )  # fmt: skip
            result.reviews_added, result.reviews_known = added, len(progress.log) - added
            added = _merge_in_chunks(
                store, progress.plan, result, plan_rows_by_uid, insert_plan_rows
            )
            result.plan_added, result.plan_known = added, len(progress.plan) - added
            _merge_settings(store, config, progress, now, result)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{store.path}: could not merge the progress file ({exc})") from None
    return result


def _merge_settings(
    store: Store, config: Config, progress: ProgressFile, now: dt.datetime, result: MergeResult
) -> None:
    before = config.values.copy()
    saved = False
    previous: str | None = None
    try:
        with store.transaction() as conn:
            ledger = _reconcile(conn, config, to_ms(now))
            for scope, key, theirs in progress.settings:
                ours = ledger.get((scope, key))
                if ours is not None and _canonical(ours.value) == _canonical(theirs.value):
                    if theirs.ts > ours.ts:
                        ledger[(scope, key)] = theirs  # same value: keep the ledgers in step
                    continue
                if not _wins(theirs, ours):
                    continue
                ledger[(scope, key)] = theirs
                result.settings_changed.append(f"{scope}:{key}")
                if scope == "store":
                    put_setting(conn, key, theirs.value)
                elif theirs.value is None:
                    config.unset(key)
                else:
                    config.set(key, theirs.value)
            _write_ledger(conn, ledger)
            if result.config_changed:
                previous = save_config(config)
                saved = True
    except BaseException:
        config.values = before
        if saved:
            restore_config(config, previous)
        raise


def _log_fields(entry: LogEntry) -> dict[str, Any]:
    return entry._asdict()


def _merge_in_chunks(
    store: Store,
    rows: list[tuple[Any, ...]],
    result: MergeResult,
    local_rows: Callable[[Any, list[str]], dict[str, tuple[Any, ...]]],
    insert: Callable[[Any, list[tuple[Any, ...]]], Any],
) -> int:
    """Insert the rows whose uid (first field) is not local, a chunk per transaction; count
    same-uid conflicts. Returns how many rows were added."""
    added = 0

    def merge(conn: Any, chunk: list[tuple[Any, ...]]) -> None:
        nonlocal added
        local = local_rows(conn, [row[0] for row in chunk])
        fresh = []
        for row in chunk:
            mine = local.get(row[0])
            if mine is None:
                fresh.append(row)
            elif mine != tuple(row):
                result.conflicts += 1
        if fresh:
            insert(conn, fresh)
        added += len(fresh)

    in_chunks(store, rows, merge)
    return added
