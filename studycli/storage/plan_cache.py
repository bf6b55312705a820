"""The interview plans of today and tomorrow, kept in a small file so that starts reuse them.

The interview planner (study/interview.py) reads every card's memory. The first `today`
or `drill` of a study day pays for it and leaves the plan here; later starts that day
read it back while the key the caller builds still matches (the day, the interview, the
settings and parameters) and the review log holds nothing new but today's own reviews.
The end of a drill leaves tomorrow's plan here too, made from the memory the session
left: tomorrow's first start finds it ready unless something was reviewed after it.
The file holds the latest two plans (today's and tomorrow's).

marshal is the fastest codec in the standard library, for plain data only; a file that
does not read back is simply made again. Written under a temporary name and renamed into
place, so a reader sees the old plans or the new ones.
"""

from __future__ import annotations

import marshal
import os
from pathlib import Path
from typing import Any

FILE_NAME = "interview-plan.marshal"
KEPT = 2  # plans in the file: today's and tomorrow's

Entry = tuple[tuple[Any, ...], int, Any]  # (key, review-log mark, plan)


def _entries(path: Path) -> list[Entry]:
    try:
        entries = marshal.loads(path.read_bytes())
        if not isinstance(entries, list):
            return []
        return [e for e in entries if isinstance(e, tuple) and len(e) == 3]
    except (OSError, EOFError, ValueError, TypeError):
        return []


def read_plan(path: Path, key: tuple[Any, ...]) -> tuple[int, Any] | None:
    """(review-log mark, plan) saved under `key`; None if there is none."""
    for saved_key, mark, plan in _entries(path):
        if saved_key == key:
            return mark, plan
    return None


def write_plan(path: Path, key: tuple[Any, ...], mark: int, plan: Any) -> None:
    """Save the plan beside the latest other one; a home that cannot be written only costs
    the next start its planning."""
    kept = [e for e in _entries(path) if e[0] != key][-(KEPT - 1) :]
    tmp = path.with_suffix(".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(marshal.dumps([*kept, (key, mark, plan)]))
        os.replace(tmp, path)
    except (OSError, ValueError):
        tmp.unlink(missing_ok=True)
