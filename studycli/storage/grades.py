"""The grades table: one row per grading attempt, the grade cache, pending grades, spend.

The grading package decides what a grade is; this module only stores and reads it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from studycli.storage.store import Store


class CachedGrade(NamedTuple):
    cache_key: str
    model: str
    checklist: str  # JSON
    feedback: str | None


class PendingGrade(NamedTuple):
    uid: str
    card_id: str
    answer: str | None
    review_uid: str | None


class Spend(NamedTuple):
    cost: float
    unknown_price: int  # attempts that used tokens at a price LiteLLM does not know
    tokens_in: int
    tokens_out: int


def link_review(store: Store, grade_uid: str, review_uid: str, final_rating: int) -> None:
    """Tie a grade to the review it preceded and store the rating the candidate chose."""
    with store.transaction() as conn:
        conn.execute(
            "UPDATE grades SET review_uid = ?, final_rating = ? WHERE uid = ?",
            (review_uid, final_rating, grade_uid),
        )


def pending_count(store: Store) -> int:
    return int(
        store.conn.execute("SELECT count(*) FROM grades WHERE status = 'pending'").fetchone()[0]
    )


def cached_grade(store: Store, keys: Sequence[str]) -> CachedGrade | None:
    """The newest finished grade under the first of `keys` that has one (keys in priority order)."""
    marks = ", ".join("?" for _ in keys)
    rows = store.conn.execute(
        "SELECT cache_key, model, checklist, feedback FROM grades "
        f"WHERE status = 'done' AND cache_key IN ({marks}) "
        "ORDER BY ts DESC",
        list(keys),
    ).fetchall()
    by_key = {r[0]: r for r in reversed(rows)}  # newest per key
    for key in keys:
        if key in by_key:
            return CachedGrade(*by_key[key])
    return None


def save_grade(
    store: Store, uid: str, values: Mapping[str, Any], *, pending_uid: str | None = None
) -> None:
    """Insert a grade row, or update the pending one it finishes (adding up what was spent)."""
    with store.transaction() as conn:
        if pending_uid is not None:
            # A pending grade graded again: what the failed attempts spent stays counted.
            conn.execute(
                "UPDATE grades SET card_id=:card_id, ts=:ts, status=:status, model=:model, "
                "cache_key=:cache_key, content_hash=:content_hash, answer=:answer, "
                "checklist=:checklist, score=:score, suggested=:suggested, feedback=:feedback, "
                "tokens_in=coalesce(tokens_in, 0) + :tokens_in, "
                "tokens_out=coalesce(tokens_out, 0) + :tokens_out, "
                "cost=CASE WHEN cost IS NULL AND tokens_in > 0 THEN NULL "
                "WHEN :cost IS NULL THEN NULL ELSE coalesce(cost, 0) + :cost END, "
                "latency_ms=:latency_ms, error=:error WHERE uid=:uid",
                dict(values, uid=pending_uid),
            )
        else:
            cols = ["uid", *values]
            conn.execute(
                f"INSERT INTO grades ({', '.join(cols)}) "
                f"VALUES ({', '.join(':' + c for c in cols)})",
                dict(values, uid=uid),
            )


def pending_grades(store: Store) -> list[PendingGrade]:
    """Grades still to be done, oldest first."""
    rows = store.conn.execute(
        "SELECT uid, card_id, answer, review_uid FROM grades WHERE status = 'pending' ORDER BY ts, id"
    )
    return [PendingGrade(*r) for r in rows]


def mark_failed(store: Store, uid: str, error: str) -> None:
    with store.transaction() as conn:
        conn.execute("UPDATE grades SET status = 'failed', error = ? WHERE uid = ?", (error, uid))


def rated_suggestions(store: Store) -> list[tuple[int, int, str | None]]:
    """(suggested, final rating, review uid) of graded answers the candidate rated, newest first."""
    return store.conn.execute(
        "SELECT suggested, final_rating, review_uid FROM grades WHERE status = 'done' "
        "AND model IS NOT NULL AND suggested IS NOT NULL AND final_rating IS NOT NULL "
        "ORDER BY ts DESC, id DESC"
    ).fetchall()


def spend(store: Store, start_ms: int | None = None, end_ms: int | None = None) -> Spend:
    """What grading attempts cost, in total or between two moments."""
    where, params = (
        ("ts >= ? AND ts < ?", (start_ms, end_ms)) if start_ms is not None else ("1", ())
    )
    total, unknown, tin, tout = store.conn.execute(
        "SELECT coalesce(sum(cost), 0), "
        "coalesce(sum(cost IS NULL AND coalesce(tokens_in, 0) > 0), 0), "
        f"coalesce(sum(tokens_in), 0), coalesce(sum(tokens_out), 0) FROM grades WHERE {where}",
        params,
    ).fetchone()
    return Spend(round(float(total), 6), int(unknown), int(tin), int(tout))


def status_counts(store: Store) -> dict[str, int]:
    """Grades by status (done, pending, failed)."""
    return {
        s: int(n)
        for s, n in store.conn.execute("SELECT status, count(*) FROM grades GROUP BY status")
    }


def cached_count(store: Store) -> int:
    """Finished grades served from the cache."""
    return int(
        store.conn.execute(
            "SELECT count(*) FROM grades WHERE status = 'done' AND checklist LIKE '%\"cached\": true%'"
        ).fetchone()[0]
    )
