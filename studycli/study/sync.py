"""Progress files: the review log, the roadmap log and the settings that travel, as JSON lines.

`export_progress` writes everything a second machine needs to reach the same card
states; `read_progress` validates a whole file (every line, every field) before
anything is written; `merge_progress` then merges it in one transaction, keyed on
each row's `uid`, so importing the same file twice changes nothing. The caller
rebuilds the card-state cache from the merged log afterwards (`Store.rebuild_states`).

Settings carry a timestamp so that two machines converge: the newest change wins.
studycli does not know when another module or a hand edit changed a setting, so a
change is stamped when sync first notices it (at export, import, `config set` or
`optimize`): the ledger of what was last seen lives in the settings table under
`local.sync_stamps`. The format is specified in docs/progress-format.md.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from studycli import __version__
from studycli.clock import to_ms
from studycli.errors import StoreError, UsageError
from studycli.storage.codec import LOG_COLUMNS, LogEntry
from studycli.storage.config import SETTINGS, Config, save_config
from studycli.storage.progress import (
    LOCAL_PREFIX,
    PLAN_COLUMNS,
    SCOPES,
    Scope,
    Stamped,
    _read_ledger,
    _store_settings,
    _write_ledger,
    insert_plan_rows,
    plan_rows,
    put_setting,
)
from studycli.storage.store import Store, insert_log, log_rows

FORMAT = "studycli-progress"

FORMAT_VERSION = 1

# config.yaml settings that change scheduling; the grader's settings stay per machine.
SYNCED_CONFIG_KEYS = (
    "desired_retention", "new_per_day", "reviews_per_day", "rollover_hour", "interview_date",
    "schedule", "target_recall",
)  # fmt: skip

REVIEW_KINDS = ("review", "undo", "suspend", "unsuspend")

PHASES = ("new", "learning", "review", "relearning")


MAX_TEXT = 1_000_000  # typed answers; generous, but bounded

MAX_TS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z in epoch ms

MAX_DURATION = 10**12

FSRS_PARAMETER_COUNT = 21


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
    """Write the progress file to a path (atomically: temp file, then rename) or an open stream."""
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
    path = out
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="\n") as fh:
            fh.writelines(lines)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"--output: cannot write {path}: {exc.strerror or exc}") from None
    return summary


@dataclass
class ProgressFile:
    path: str
    version: int
    exported_at: str
    settings: list[tuple[Scope, str, Stamped]] = field(default_factory=list)
    log: list[tuple[Any, ...]] = field(default_factory=list)  # in LOG_COLUMNS order
    plan: list[tuple[Any, ...]] = field(default_factory=list)  # in PLAN_COLUMNS order


class _Bad(Exception):
    """One problem in one record: the field it concerns and what is wrong."""

    def __init__(self, field_name: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


def _int(
    rec: dict[str, Any],
    key: str,
    *,
    lo: int | None = None,
    hi: int | None = None,
    required: bool = True,
) -> int | None:
    value = rec.get(key)
    if value is None:
        if required:
            raise _Bad(key, "missing" if key not in rec else "must not be null")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(key, f"must be a whole number (got {json.dumps(value)[:40]})")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        bounds = f"from {lo}" + (f" to {hi}" if hi is not None else "")
        raise _Bad(key, f"must be a whole number {bounds} (got {value})")
    return value


def _text(
    rec: dict[str, Any],
    key: str,
    *,
    required: bool = True,
    max_len: int = 200,
    choices: tuple[str, ...] = (),
) -> str | None:
    value = rec.get(key)
    if value is None:
        if required:
            raise _Bad(key, "missing" if key not in rec else "must not be null")
        return None
    if not isinstance(value, str):
        raise _Bad(key, f"must be text (got {json.dumps(value)[:40]})")
    if required and not value.strip():
        raise _Bad(key, "must not be empty")
    if len(value) > max_len:
        raise _Bad(key, f"is longer than {max_len} characters")
    if choices and value not in choices:
        raise _Bad(key, f"unknown {key} '{value[:40]}' (expected one of: {', '.join(choices)})")
    return value


def _fields(rec: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for key in rec:
        if key != "record" and key not in allowed:
            raise _Bad(key, "unknown field")


def _parse_log(rec: dict[str, Any]) -> tuple[Any, ...]:
    _fields(rec, LOG_COLUMNS)
    kind = _text(rec, "kind", choices=REVIEW_KINDS)
    row = {
        "uid": _text(rec, "uid", max_len=128),
        "card_id": _text(rec, "card_id"),
        "kind": kind,
        "ts": _int(rec, "ts", lo=0, hi=MAX_TS),
        "day": _int(rec, "day", lo=1, hi=dt.date.max.toordinal()),
        "rating": _int(rec, "rating", lo=1, hi=4, required=kind == "review"),
        "phase": _text(rec, "phase", required=False, choices=PHASES),
        "duration_ms": _int(rec, "duration_ms", lo=0, hi=MAX_DURATION, required=False),
        "rated_by": _text(rec, "rated_by", required=False, max_len=40),
        "suggested": _int(rec, "suggested", lo=1, hi=4, required=False),
        "answer": _text(rec, "answer", required=False, max_len=MAX_TEXT),
        "ref": _text(rec, "ref", required=kind == "undo", max_len=128),
        "session": _text(rec, "session", required=False, max_len=128),
    }
    if kind != "review" and row["rating"] is not None:
        raise _Bad("rating", f"must be null for a '{kind}' event")
    return tuple(row[c] for c in LOG_COLUMNS)


def _parse_plan(rec: dict[str, Any]) -> tuple[Any, ...]:
    _fields(rec, PLAN_COLUMNS)
    kind = _text(rec, "kind", max_len=32)
    assert kind is not None
    if not kind.replace("_", "").replace("-", "").isalnum():
        raise _Bad("kind", f"must be a lowercase word (got '{kind[:40]}')")
    return (
        _text(rec, "uid", max_len=128),
        _text(rec, "task_id"),
        kind,
        _int(rec, "ts", lo=0, hi=MAX_TS),
        _int(rec, "day", lo=1, hi=dt.date.max.toordinal()),
    )


def _check_store_value(key: str, value: Any) -> None:
    if key == "fsrs_parameters" and value is not None:
        ok = isinstance(value, list) and len(value) == FSRS_PARAMETER_COUNT
        ok = ok and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            for v in value
        )
        if not ok:
            raise _Bad(
                "value", f"fsrs_parameters must be a list of {FSRS_PARAMETER_COUNT} finite numbers"
            )
        import fsrs_rs_python as fsrs

        try:
            fsrs.FSRS(list(value))
        except Exception as exc:  # noqa: BLE001 - the engine's own check, whatever it raises
            raise _Bad("value", f"fsrs_parameters rejected by the FSRS engine ({exc})") from None


def _parse_setting(rec: dict[str, Any]) -> tuple[Scope, str, Stamped]:
    _fields(rec, ("scope", "key", "value", "ts"))
    scope = _text(rec, "scope", choices=SCOPES)
    key = _text(rec, "key")
    assert scope is not None and key is not None
    if "value" not in rec:
        raise _Bad("value", "missing")
    value = rec["value"]
    ts = _int(rec, "ts", lo=0, hi=MAX_TS)
    assert ts is not None
    if scope == "config":
        if key not in SYNCED_CONFIG_KEYS:
            raise _Bad(
                "key",
                f"unknown config setting '{key[:40]}' (synced: {', '.join(SYNCED_CONFIG_KEYS)})",
            )
        if value is not None:
            try:
                value = SETTINGS[key].parse(value)
            except ValueError as exc:
                raise _Bad("value", f"{key}: {exc} (got {json.dumps(value)[:40]})") from None
    else:
        if key.startswith(LOCAL_PREFIX):
            raise _Bad("key", f"'{key[:40]}' is a machine-local setting and cannot be imported")
        _check_store_value(key, value)
    return scope, key, Stamped(value, ts)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read progress file: {exc.strerror or exc}") from None
    with fh:
        for number, raw in enumerate(fh, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise UsageError(
                    f"{path}:{number}: not valid UTF-8 (byte {exc.start + 1} of the line)"
                ) from None
            yield number, text.removeprefix("\ufeff") if number == 1 else text


def read_progress(path: str | Path) -> ProgressFile:
    """Parse and validate a whole progress file.

    The first problem raises UsageError naming file:line and the field.
    """
    path = Path(path)
    where = str(path)
    result: ProgressFile | None = None
    counts = {"setting": 0, "review_log": 0, "plan_log": 0}
    seen: dict[tuple[str, str], int] = {}  # (record, uid or scope/key) -> line
    expected: dict[str, Any] = {}
    last = 0
    for number, text in _lines(path):
        last = number
        if not text.strip():
            continue
        try:
            rec = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(
                f"{where}:{number}: not valid JSON: {exc.msg} (column {exc.colno})"
            ) from None
        except RecursionError:
            raise UsageError(f"{where}:{number}: not valid JSON: nested too deeply") from None
        if not isinstance(rec, dict):
            raise UsageError(f"{where}:{number}: each line must be a JSON object")
        kind = rec.get("record")
        try:
            if result is None:
                if kind != "header":
                    raise _Bad(
                        "record",
                        f"the first line must be the header, not {json.dumps(kind)[:40]}; "
                        "is this a studycli progress file?",
                    )
                result, expected = _parse_header(rec, where)
                continue
            if kind == "header":
                raise _Bad("record", "a second header (two files joined together?)")
            if kind == "review_log":
                row = _parse_log(rec)
                ident = ("review_log", row[0])
                result.log.append(row)
            elif kind == "plan_log":
                row = _parse_plan(rec)
                ident = ("plan_log", row[0])
                result.plan.append(row)
            elif kind == "setting":
                scope, key, stamped = _parse_setting(rec)
                ident = ("setting", f"{scope}:{key}")
                result.settings.append((scope, key, stamped))
            elif kind is None:
                raise _Bad("record", "missing")
            else:
                raise _Bad(
                    "record",
                    f"unknown record kind {json.dumps(kind)[:40]} "
                    "(expected review_log, plan_log or setting)",
                )
            if ident in seen:
                raise _Bad(
                    "uid" if kind != "setting" else "key",
                    f"duplicate {kind} '{ident[1][:40]}' (first on line {seen[ident]})",
                )
            seen[ident] = number
            counts[kind] += 1
        except _Bad as bad:
            label = (
                f"{kind} record"
                if isinstance(kind, str) and kind in (*counts, "header")
                else "record"
            )
            what = f"field '{bad.field}': " if bad.field else ""
            raise UsageError(f"{where}:{number}: {label}: {what}{bad.message}") from None
    if result is None:
        raise UsageError(
            f"{where}:{max(last, 1)}: the file is empty; expected a studycli progress file"
        )
    for kind, n in counts.items():
        if kind in expected and expected[kind] != n:
            raise UsageError(
                f"{where}:{last}: header field 'counts': promises {expected[kind]} {kind} records "
                f"but the file has {n} (cut short or edited?)"
            )
    return result


def _parse_header(rec: dict[str, Any], where: str) -> tuple[ProgressFile, dict[str, Any]]:
    _fields(rec, ("format", "version", "exported_at", "studycli", "counts"))
    if rec.get("format") != FORMAT:
        raise _Bad("format", f'expected "{FORMAT}", got {json.dumps(rec.get("format"))[:40]}')
    version = _int(rec, "version", lo=1)
    assert version is not None
    if version > FORMAT_VERSION:
        raise _Bad(
            "version",
            f"format version {version} was written by a newer studycli "
            f"(this one reads up to {FORMAT_VERSION}); "
            "upgrade studycli to import it",
        )
    exported_at = _text(rec, "exported_at", required=False, max_len=64) or ""
    _text(rec, "studycli", required=False, max_len=64)
    counts = rec.get("counts")
    if counts is None:
        counts = {}
    if not isinstance(counts, dict) or not all(
        k in ("setting", "review_log", "plan_log")
        and isinstance(v, int)
        and not isinstance(v, bool)
        and v >= 0
        for k, v in counts.items()
    ):
        raise _Bad("counts", "must map setting/review_log/plan_log to whole numbers")
    return ProgressFile(where, version, exported_at), counts


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
    """Merge a validated progress file in one transaction; config.yaml is saved inside it, last.

    Rows are keyed on uid (present: skipped; absent: inserted). A setting is taken when
    its timestamp is newer than the local one. The caller rebuilds card states afterwards.
    """
    result = MergeResult()
    try:
        with store.transaction() as conn:
            ledger = _reconcile(conn, config, to_ms(now))
            local_log = {e.uid: tuple(_log_fields(e).values()) for e in log_rows(conn)}
            added = _merge_rows(
                local_log, progress.log, result,
                lambda fresh: insert_log(conn, (LogEntry(*r) for r in fresh)),
            )  # fmt: skip
            result.reviews_added, result.reviews_known = added, len(progress.log) - added
            local_plan = {r[0]: tuple(r) for r in plan_rows(conn)}
            added = _merge_rows(
                local_plan, progress.plan, result, lambda fresh: insert_plan_rows(conn, fresh)
            )
            result.plan_added, result.plan_known = added, len(progress.plan) - added
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
                try:
                    save_config(config)
                except OSError as exc:
                    raise StoreError(f"cannot write {config.path}: {exc.strerror or exc}") from None
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{store.path}: could not merge the progress file ({exc})") from None
    return result


def _log_fields(entry: LogEntry) -> dict[str, Any]:
    return entry._asdict()


def _merge_rows(
    local: dict[Any, tuple[Any, ...]],
    rows: list[tuple[Any, ...]],
    result: MergeResult,
    insert: Callable[[list[tuple[Any, ...]]], Any],
) -> int:
    """Insert the rows whose uid (first field) is not local; count same-uid conflicts.

    Returns how many rows were added."""
    fresh = []
    for row in rows:
        mine = local.get(row[0])
        if mine is None:
            fresh.append(row)
        elif mine != row:
            result.conflicts += 1
    if fresh:
        insert(fresh)
    return len(fresh)
