"""The 30-day roadmap toward the interview: which plan day today is, tasks, catch-up, pacing.

Dates, not clocks: every function takes `today` (a study day's date) or `now`
as an argument. The plan's start date lives in the settings table
(`roadmap_start`); the interview date has one source of truth, config.yaml's
`interview_date`, so `studycli config set interview_date` and
`studycli roadmap start --interview` cannot disagree.

When the interview is fewer calendar days after the start than the plan has
days, the plan is compressed: plan day p runs on calendar day
floor((p - 1) * available / plan_days), so some calendar days carry two plan
days (the early ones first) and the last plan day stays the eve of the
interview. Task progress is append-only in `plan_log` (done | undone), keyed on
task ids, so restarting or compressing the plan keeps what was done.
"""

from __future__ import annotations

from studycli.storage.store import Store


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
