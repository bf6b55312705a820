"""Reading a progress file: every line and every field checked before anything is written.

The first problem raises UsageError naming file:line, the record and the field. Reading is
bounded: a line longer than MAX_LINE_BYTES (a file with no line ends, `/dev/zero`) stops at
once, and text fields are refused when they hold what no studycli writes: unpaired
surrogates (which cannot be stored), control characters in ids (an id with a unit
separator would hide another card), times past the year 9000 (which no calendar shows).
The format is specified in docs/progress-format.md.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studycli.errors import UsageError
from studycli.storage.codec import LOG_COLUMNS
from studycli.storage.config import SETTINGS
from studycli.storage.progress import LOCAL_PREFIX, PLAN_COLUMNS, SCOPES, Scope, Stamped
from studycli.vocab import Phase, ReviewKind

FORMAT = "studycli-progress"

FORMAT_VERSION = 1

# config.yaml settings that change scheduling; the grader's settings stay per machine.
SYNCED_CONFIG_KEYS = (
    "desired_retention", "new_per_day", "reviews_per_day", "rollover_hour", "interview_date",
    "schedule", "target_recall",
)  # fmt: skip

REVIEW_KINDS: tuple[str, ...] = tuple(ReviewKind)

PHASES: tuple[str, ...] = tuple(Phase)

MAX_TEXT = 1_000_000  # typed answers; generous, but bounded

# Times up to the year 9000: far beyond any history, and far enough from the calendar's end
# (9999-12-31) that a due date decades later, in any time zone, still is a date.
LAST_DAY = dt.date(9000, 1, 1)

MAX_DAY = LAST_DAY.toordinal()

MAX_TS = int(dt.datetime(9000, 1, 1, tzinfo=dt.UTC).timestamp() * 1000)

MAX_DURATION = 10**12

FSRS_PARAMETER_COUNT = 21

# A review_log line holds at most MAX_TEXT characters of answer, each at most 6 bytes as a
# JSON escape (\uXXXX), plus its other fields.
MAX_LINE_BYTES = 8 * 1024 * 1024


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
    ident: bool = False,
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
    if not value.isascii():  # ASCII (the usual case) holds no surrogate; checked at C speed
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = json.dumps(value[exc.start])
            raise _Bad(
                key, f"holds an unpaired surrogate {bad} (not text any program can store)"
            ) from None
    if ident and (odd := _odd_char(value)):
        raise _Bad(key, f"must not hold control or separator characters (found {json.dumps(odd)})")
    if choices and value not in choices:
        raise _Bad(key, f"unknown {key} '{value[:40]}' (expected one of: {', '.join(choices)})")
    return value


_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _odd_char(value: str) -> str | None:
    """A control or separator character (other than a plain space) in an id, if any."""
    if value.isascii():
        found = _ASCII_CONTROL.search(value)
        return found[0] if found else None
    return next((ch for ch in value if unicodedata.category(ch)[0] in "CZ" and ch != " "), None)


def _fields(rec: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for key in rec:
        if key != "record" and key not in allowed:
            raise _Bad(key, "unknown field")


def _parse_log(rec: dict[str, Any]) -> tuple[Any, ...]:
    _fields(rec, LOG_COLUMNS)
    kind = _text(rec, "kind", choices=REVIEW_KINDS)
    row = {
        "uid": _text(rec, "uid", max_len=128, ident=True),
        "card_id": _text(rec, "card_id", ident=True),
        "kind": kind,
        "ts": _int(rec, "ts", lo=0, hi=MAX_TS),
        "day": _int(rec, "day", lo=1, hi=MAX_DAY),
        "rating": _int(rec, "rating", lo=1, hi=4, required=kind == "review"),
        "phase": _text(rec, "phase", required=False, choices=PHASES),
        "duration_ms": _int(rec, "duration_ms", lo=0, hi=MAX_DURATION, required=False),
        "rated_by": _text(rec, "rated_by", required=False, max_len=40, ident=True),
        "suggested": _int(rec, "suggested", lo=1, hi=4, required=False),
        "answer": _text(rec, "answer", required=False, max_len=MAX_TEXT),
        "ref": _text(rec, "ref", required=kind == "undo", max_len=128, ident=True),
        "session": _text(rec, "session", required=False, max_len=128, ident=True),
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
        _text(rec, "uid", max_len=128, ident=True),
        _text(rec, "task_id", ident=True),
        kind,
        _int(rec, "ts", lo=0, hi=MAX_TS),
        _int(rec, "day", lo=1, hi=MAX_DAY),
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
    key = _text(rec, "key", ident=True)
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
        number = 0
        while True:
            try:
                raw = fh.readline(MAX_LINE_BYTES + 1)
            except OSError as exc:
                raise UsageError(
                    f"{path}: cannot read progress file: {exc.strerror or exc}"
                ) from None
            if not raw:
                return
            number += 1
            if len(raw) > MAX_LINE_BYTES:
                raise UsageError(
                    f"{path}:{number}: line {number} is longer than "
                    f"{MAX_LINE_BYTES // (1024 * 1024)} MB (is this a progress file?)"
                )
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
