"""Coding katas at work: checking a candidate's file, rating the result, logging it.

A check runs the kata's hidden checks in the sandbox of `kata_runner` and is a
review in the log like any card's, under the card id `kata-<id>` with rated_by
'kata': every check passed within the kata's minutes is Good (Easy within half of
them), passed over time is Hard, any failure is Again. `kata start` records when
the clock started (a setting), so `kata check` knows the time taken. No terminal
imports here.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from studycli.clock import day_date, study_day, to_ms
from studycli.content.katas import CARD_PREFIX, Kata, kata_folders
from studycli.content.paths import content_roots
from studycli.errors import UsageError
from studycli.scheduler import Scheduler
from studycli.storage.codec import LogEntry, new_uid
from studycli.storage.progress import LOCAL_PREFIX
from studycli.storage.store import Store
from studycli.vocab import AGAIN, EASY, GOOD, HARD, RATING_NAMES, Rating

if TYPE_CHECKING:
    from studycli.study.kata_runner import RunResult
    from studycli.study.report_types import Katas

RATED_BY = "kata"
# {kata id: ms when `kata start` last ran}; a timer is this machine's, so it never syncs
STARTS_SETTING = LOCAL_PREFIX + "kata_starts"
MAX_CANDIDATE_BYTES = 512 * 1024


# -- checking and rating ------------------------------------------------------------


def rate(passed: bool, elapsed_s: float | None, minutes: int) -> Rating:
    """Again on any failure; Easy within half the kata's time, Good within it, Hard over it.

    With no start recorded (elapsed unknown) a pass is Good.
    """
    if not passed:
        return AGAIN
    if elapsed_s is None:
        return GOOD
    if elapsed_s <= minutes * 30:
        return EASY
    if elapsed_s <= minutes * 60:
        return GOOD
    return HARD


def candidate_problem(path: Path) -> str | None:
    """Why `path` cannot be checked (missing, a folder, unreadable, too big), or None."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return "no such file"
    except OSError as exc:
        return f"cannot read it ({exc.strerror or exc})"
    if not path.is_file():
        return "not a file"
    if st.st_size > MAX_CANDIDATE_BYTES:
        return f"larger than {MAX_CANDIDATE_BYTES // 1024} KB; is this a kata solution?"
    if not os.access(path, os.R_OK):
        return "cannot read it (permission denied)"
    return None


def check_file(kata: Kata, path: Path, **limits: Any) -> RunResult:
    """Run the kata's hidden checks on the user's file (UsageError when it cannot be read)."""
    from studycli.study.kata_runner import run_checks

    problem = candidate_problem(path)
    if problem:
        raise UsageError(f"{path}: {problem}")
    return run_checks(kata.checks_path, path, entry=kata.entry, display=str(path), **limits)


# -- the clock and the log ------------------------------------------------------------


def start(store: Store, kata: Kata, now: dt.datetime) -> None:
    """Start (or restart) the kata's clock."""
    starts = dict(store.get_setting(STARTS_SETTING, {}) or {})
    starts[kata.id] = to_ms(now)
    store.set_setting(STARTS_SETTING, starts)


def started_ms(store: Store, kata: Kata) -> int | None:
    value = (store.get_setting(STARTS_SETTING, {}) or {}).get(kata.id)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _stop(store: Store, kata: Kata) -> None:
    starts = dict(store.get_setting(STARTS_SETTING, {}) or {})
    if starts.pop(kata.id, None) is not None:
        store.set_setting(STARTS_SETTING, starts)


class CheckReview(NamedTuple):
    """What one `kata check` logged."""

    rating: Rating
    passed: int  # checks passed
    total: int  # checks run (0 when the file could not be run at all)
    elapsed_s: float | None
    interval: str  # when the kata is due again ("3d", "10m")
    uid: str

    @property
    def rating_name(self) -> str:
        return RATING_NAMES[self.rating]


def summary(result: RunResult) -> str:
    """The line kept in the review log's answer field: counts, then the first problem."""
    passed = sum(c.passed for c in result.checks)
    head = f"{passed}/{len(result.checks)} checks passed"
    if result.error:
        return f"{head}; {result.error}"
    lines = result.lines
    return f"{head}; {lines[0]}" if lines else head


def record_check(
    store: Store,
    scheduler: Scheduler,
    kata: Kata,
    result: RunResult,
    now: dt.datetime,
    rollover_hour: int = 4,
) -> CheckReview:
    """Log a check as a review of the kata's card; a pass stops the kata's clock."""
    began = started_ms(store, kata)
    ts, day = to_ms(now), study_day(now, rollover_hour)
    elapsed = (ts - began) / 1000 if began is not None and ts >= began else None
    rating = rate(result.passed, elapsed, kata.minutes)
    before = store.state(kata.card_id)
    uid = new_uid()
    outcome = scheduler.outcomes(before, ts, day, uid)[rating]
    entry = LogEntry(
        uid=uid,
        card_id=kata.card_id,
        kind="review",
        ts=ts,
        day=day,
        rating=rating,
        phase=before.phase,
        duration_ms=None if elapsed is None else int(elapsed * 1000),
        rated_by=RATED_BY,
        answer=summary(result),
    )
    store.record(entry, outcome.state, expected=before, scheduler=scheduler)
    if result.passed:
        _stop(store, kata)
    passed = sum(c.passed for c in result.checks)
    return CheckReview(rating, passed, len(result.checks), elapsed, outcome.label, uid)


# -- history: `kata list`, `today`, `stats` and the report ------------------------------


class KataRecord(NamedTuple):
    kata_id: str
    checks: int  # reviews logged by `kata check`
    passes: int
    best_ms: int | None  # the fastest timed pass
    last_rating: int | None
    last_day: int | None
    due_day: int | None  # None: never checked (or suspended)


def kata_records(store: Store, kata_ids: Sequence[str]) -> dict[str, KataRecord]:
    """Each kata's checks so far, read from the review log and its card state."""
    checks: dict[str, list[LogEntry]] = {kid: [] for kid in kata_ids}
    for entry in store.log([CARD_PREFIX + kid for kid in kata_ids]):
        if entry.kind == "review" and entry.rating is not None:
            checks[entry.card_id.removeprefix(CARD_PREFIX)].append(entry)
    out: dict[str, KataRecord] = {}
    for kid, entries in checks.items():
        state = store.state(CARD_PREFIX + kid)
        passed = [e for e in entries if e.rating is not None and e.rating > AGAIN]
        timed = [e.duration_ms for e in passed if e.duration_ms is not None]
        due = state.due_day if state.reps and not state.suspended else None
        out[kid] = KataRecord(
            kid,
            len(entries),
            len(passed),
            min(timed) if timed else None,
            entries[-1].rating if entries else None,
            entries[-1].day if entries else None,
            due,
        )
    return out


def report_section(store: Store, today: int) -> Katas:
    """The katas part of `stats --json` and the report (a hook of study.report)."""
    ids = [folder.name for folder in kata_folders(content_roots())]
    records = kata_records(store, ids)
    tried = [r for r in records.values() if r.checks]
    return {
        "total": len(ids),
        "attempted": len(tried),
        "passed": sum(1 for r in tried if r.passes),
        "checks": sum(r.checks for r in tried),
        "due_today": sum(1 for r in tried if r.due_day is not None and r.due_day <= today),
        "items": [
            {
                "id": r.kata_id,
                "checks": r.checks,
                "passes": r.passes,
                "best_seconds": None if r.best_ms is None else round(r.best_ms / 1000),
                "last_rating": RATING_NAMES[r.last_rating] if r.last_rating else None,
                "last_date": None if r.last_day is None else day_date(r.last_day).isoformat(),
                "due": None if r.due_day is None else day_date(r.due_day).isoformat(),
            }
            for r in sorted(tried, key=lambda r: r.kata_id)
        ],
    }
