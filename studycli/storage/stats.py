"""The review log and grades as numbers: per-day totals, counts, grade averages, the latest
grade per card, and the reviews FSRS parameters are fitted to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from studycli.storage.codec import PHASE_REVIEW, REVIEW, UNDO
from studycli.storage.store import NOT_UNDONE, Store

_REVIEW_INDEX = "review_log_kind_day"  # (kind, day, rating, phase, duration_ms): see migrations

# Undone reviews, reached from the (few) undo rows through the partial index and the uid
# index; CROSS JOIN keeps SQLite from walking the review rows instead.
_UNDONE = (
    f"(SELECT DISTINCT ref FROM review_log WHERE kind = {UNDO} AND ref IS NOT NULL) AS u "
    "CROSS JOIN review_log ON review_log.uid = u.ref"
)


@dataclass(frozen=True)
class DayTotals:
    """Reviews on one study day (undone ones excluded)."""

    reviews: int = 0
    review_phase: int = 0  # reviews of cards already in the review phase: true retention's base
    passed: int = 0  # ... of which rated Hard, Good or Easy
    ms: int = 0
    again: int = 0
    hard: int = 0
    good: int = 0
    easy: int = 0

    def __add__(self, other: DayTotals) -> DayTotals:
        return DayTotals(*(a + b for a, b in zip(self.astuple(), other.astuple(), strict=True)))

    def __sub__(self, other: DayTotals) -> DayTotals:
        return DayTotals(*(a - b for a, b in zip(self.astuple(), other.astuple(), strict=True)))

    def astuple(self) -> tuple[int, ...]:
        return (
            self.reviews,
            self.review_phase,
            self.passed,
            self.ms,
            self.again,
            self.hard,
            self.good,
            self.easy,
        )


def _has_index(store: Store, name: str) -> bool:
    row = store.conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
    ).fetchone()
    return row is not None


def _fold(rows: Iterable[Sequence[Any]], out: dict[int, DayTotals], sign: int) -> None:
    """Add (day, rating, phase, count, ms) groups into per-day totals."""
    for day, rating, phase, count, ms in rows:
        n = sign * int(count)
        in_review = phase == PHASE_REVIEW
        out[day] = out.get(day, DayTotals()) + DayTotals(
            reviews=n,
            review_phase=n if in_review else 0,
            passed=n if in_review and rating is not None and rating > 1 else 0,
            ms=sign * int(ms or 0),
            again=n if rating == 1 else 0,
            hard=n if rating == 2 else 0,
            good=n if rating == 3 else 0,
            easy=n if rating == 4 else 0,
        )


def daily_totals(store: Store, first_day: int, last_day: int) -> dict[int, DayTotals]:
    """Per study day in [first_day, last_day]: reviews, retention base, time, ratings.

    Grouped by (day, rating, phase) on the covering index, so SQLite never visits
    the table; then the (few) undone reviews are subtracted, reached through the
    partial index on undo refs. The cost grows with the reviews inside the window,
    never with the whole log.
    """
    hint = f"INDEXED BY {_REVIEW_INDEX}" if _has_index(store, _REVIEW_INDEX) else ""
    out: dict[int, DayTotals] = {}
    group = (
        "SELECT day, rating, phase, count(*), sum(duration_ms) FROM {src} "
        f"WHERE kind = {REVIEW} AND day BETWEEN ? AND ? GROUP BY day, rating, phase"
    )
    _fold(store.conn.execute(group.format(src=f"review_log {hint}"), (first_day, last_day)), out, 1)
    _fold(store.conn.execute(group.format(src=_UNDONE), (first_day, last_day)), out, -1)
    return {d: t for d, t in out.items() if t.reviews > 0}


def daily_counts(store: Store, first_day: int, last_day: int) -> dict[int, int]:
    """Reviews per study day in [first_day, last_day] (undone ones excluded); counts only."""
    hint = f"INDEXED BY {_REVIEW_INDEX}" if _has_index(store, _REVIEW_INDEX) else ""
    group = (
        "SELECT day, count(*) FROM {src} "
        f"WHERE kind = {REVIEW} AND day BETWEEN ? AND ? GROUP BY day"
    )
    out = dict(store.conn.execute(group.format(src=f"review_log {hint}"), (first_day, last_day)))
    for day, n in store.conn.execute(group.format(src=_UNDONE), (first_day, last_day)):
        out[day] = out.get(day, 0) - n
    return {d: n for d, n in out.items() if n > 0}


def total_reviews(store: Store) -> int:
    """Reviews in the whole log, not undone: all rows minus other kinds minus undone reviews."""
    if not _has_index(store, _REVIEW_INDEX):
        return store.review_count()
    conn = store.conn
    everything = conn.execute("SELECT count(*) FROM review_log").fetchone()[0]
    # The index starts with kind: the other kinds are small ranges of it.
    others = (
        conn.execute(
            f"SELECT count(*) FROM review_log INDEXED BY {_REVIEW_INDEX} WHERE kind < {REVIEW}"
        ).fetchone()[0]
        + conn.execute(
            f"SELECT count(*) FROM review_log INDEXED BY {_REVIEW_INDEX} WHERE kind > {REVIEW}"
        ).fetchone()[0]
    )
    undone = conn.execute(f"SELECT count(*) FROM {_UNDONE} WHERE kind = {REVIEW}").fetchone()[0]
    return int(everything - others - undone)


def _grade_averages(store: Store) -> dict[str, tuple[float, int]]:
    """card id -> (mean grader-suggested rating 1-4, number of grades); finished grades only."""
    try:
        rows = store.conn.execute(
            "SELECT card_id, avg(suggested), count(suggested) FROM grades "
            "WHERE status = 'done' AND suggested IS NOT NULL GROUP BY card_id"
        ).fetchall()
    except Exception:  # noqa: BLE001 - a database without the grades table has no grades
        return {}
    return {cid: (float(avg), int(n)) for cid, avg, n in rows if n}


def latest_grades(store: Store) -> dict[str, float]:
    """card id -> score of its latest finished grade (grades.status = 'done')."""
    rows = store.conn.execute(
        "SELECT card_id, score FROM grades WHERE status = 'done' AND score IS NOT NULL "
        "ORDER BY ts, id"
    )
    return {card_id: float(score) for card_id, score in rows}


@dataclass(frozen=True)
class Review:
    card_id: str
    ts: int
    day: int
    rating: int


def log_reviews(store: Store) -> list[Review]:
    """Reviews that count (kind review, not undone), in time order."""
    rows = store.conn.execute(
        "SELECT card, ts, day, rating FROM review_log "
        f"WHERE kind = {REVIEW} AND rating IS NOT NULL AND {NOT_UNDONE} "
        "ORDER BY card, ts, uid"
    )
    names = dict(store.conn.execute("SELECT key, name FROM names"))
    return [Review(names[card], ts, day, rating) for card, ts, day, rating in rows]


def lapsed_on(store: Store, day: int) -> list[str]:
    """Ids of the cards rated Again on a study day (reviews not undone), first forgotten first."""
    rows = store.conn.execute(
        "SELECT n.name, min(l.id) AS first FROM review_log l JOIN names n ON n.key = l.card "
        f"WHERE l.kind = {REVIEW} AND l.day = ? AND l.rating = 1 AND l.{NOT_UNDONE} "
        "GROUP BY l.card ORDER BY first",
        (day,),
    )
    return [name for name, _ in rows]
