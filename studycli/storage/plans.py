"""The roadmap's SQL: task progress, append-only in `plan_log` (done | undone), keyed on task ids."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from studycli.storage.store import Store


class PlanEvent(NamedTuple):
    uid: str
    task_id: str
    kind: str  # done | undone
    ts: int
    day: int


def done_tasks(store: Store) -> dict[str, int]:
    """Task ids currently done -> study day marked done (the latest event per task wins)."""
    done: dict[str, int] = {}
    for task_id, kind, day in store.conn.execute(
        "SELECT task_id, kind, day FROM plan_log ORDER BY ts, id"
    ):
        if kind == "done":
            done[task_id] = day
        else:
            done.pop(task_id, None)
    return done


def append_plan_events(store: Store, events: Sequence[PlanEvent]) -> None:
    """Append task events in one transaction."""
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO plan_log (uid, task_id, kind, ts, day) VALUES (?, ?, ?, ?, ?)", events
        )
