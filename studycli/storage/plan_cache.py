"""The interview plan of the day, kept in a small file so that later starts that day reuse it.

The interview planner (study/interview.py) reads every card's memory. The first `today`
or `drill` of a study day pays for it and leaves the plan here; later starts that day
read it back while the key the caller builds still matches (the day, the interview, the
settings and parameters) and the review log holds nothing new but today's own reviews.
marshal is the fastest codec in the standard library, for plain data only; a file that
does not read back is simply made again. Written under a temporary name and renamed into
place, so a reader sees the old plan or the new one.
"""

from __future__ import annotations

import marshal
import os
from pathlib import Path
from typing import Any

FILE_NAME = "interview-plan.marshal"


def read_plan(path: Path, key: tuple[Any, ...]) -> tuple[int, Any] | None:
    """(review-log mark, plan) saved under `key`; None if there is none or it is another key's."""
    try:
        saved_key, mark, plan = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if saved_key != key:
        return None
    return mark, plan


def write_plan(path: Path, key: tuple[Any, ...], mark: int, plan: Any) -> None:
    """Save the plan; a home that cannot be written only costs the next start its planning."""
    tmp = path.with_suffix(".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(marshal.dumps((key, mark, plan)))
        os.replace(tmp, path)
    except (OSError, ValueError):
        tmp.unlink(missing_ok=True)
