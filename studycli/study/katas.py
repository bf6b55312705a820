"""Coding katas: loading them, checking a candidate's file, rating and logging the result.

A kata is a folder `decks/katas/<id>/` holding `kata.yaml` (the spec), `stub.py`
(what the user starts from), `solution.py` (the reference) and `checks.py` (the
hidden checks). The deck loader reads only `decks/*.yaml`, so these folders are
not decks. A check runs in the sandbox of `kata_runner` and is a review in the
log like any card's, under the card id `kata-<id>` with rated_by 'kata': every
check passed within the kata's minutes is Good (Easy within half of them), passed
over time is Hard, any failure is Again. `kata start` records when the clock
started (a setting), so `kata check` knows the time taken.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from ..content import (
    ID_RE,
    LEVELS,
    _Problems,
    _Validator,
    content_roots,
    display_path,
    parse_yaml,
)
from ..errors import ContentError, UsageError
from ..scheduler import AGAIN, EASY, GOOD, HARD, RATING_NAMES, Scheduler, study_day, to_ms
from ..store import LogEntry, Store, new_uid
from .kata_runner import RunResult, run_checks

CARD_PREFIX = "kata-"
RATED_BY = "kata"
STARTS_SETTING = "kata_starts"  # {kata id: ms when `kata start` last ran}
KATA_FILES = ("kata.yaml", "stub.py", "solution.py", "checks.py")
KATA_FIELDS = {
    "id", "title", "level", "minutes", "tags", "source", "article", "cards", "entry", "task",
    "edge_cases", "notes",
}  # fmt: skip
KATA_REQUIRED = ("id", "title", "level", "minutes", "tags", "source", "entry", "task", "notes")
MAX_CANDIDATE_BYTES = 512 * 1024


@dataclass(frozen=True)
class Kata:
    id: str
    title: str
    level: str
    minutes: int
    tags: tuple[str, ...]
    source: str
    article: str
    cards: tuple[str, ...]
    entry: tuple[str, ...]
    task: str
    edge_cases: tuple[str, ...]
    notes: str
    folder: Path

    @property
    def card_id(self) -> str:
        return CARD_PREFIX + self.id

    @property
    def checks_path(self) -> Path:
        return self.folder / "checks.py"

    def stub(self) -> str:
        return (self.folder / "stub.py").read_text(encoding="utf-8")

    def solution(self) -> str:
        return (self.folder / "solution.py").read_text(encoding="utf-8")


def is_kata_card(card_id: str) -> bool:
    return card_id.startswith(CARD_PREFIX)


# -- loading ----------------------------------------------------------------------


def kata_folders(roots: Iterable[Path]) -> list[Path]:
    """Every `decks/katas/<id>/` folder holding a kata.yaml, bundled content first."""
    found: list[Path] = []
    for root in roots:
        base = root / "decks" / "katas"
        if base.is_dir():
            found += sorted(p.parent for p in base.glob("*/kata.yaml"))
    return found


def _parse_kata(folder: Path) -> tuple[Kata | None, list[str]]:
    path = folder / "kata.yaml"
    display = display_path(path)
    data, node, problems = parse_yaml(path, display)
    if problems:
        return None, problems
    p = _Problems(display, node)
    v = _Validator(p)
    if not v.mapping(data, (), "kata"):
        return None, p.items
    v.fields(data, (), "kata", KATA_FIELDS, KATA_REQUIRED)
    kid = v.ident(data, (), "kata")
    if kid and kid != folder.name:
        p.add(("id",), f"kata: id '{kid}' must match its folder name '{folder.name}'")
    minutes = data.get("minutes")
    if minutes is not None and (
        isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 240
    ):
        p.add(("minutes",), "kata: minutes must be a whole number from 1 to 240")
        minutes = None
    entry = v.strings(data, "entry", (), "kata", 1, 10, 80)
    for name in entry:
        if not name.isidentifier():
            p.add(("entry",), f"kata: entry '{name}' is not a Python name")
    cards = v.strings(data, "cards", (), "kata", 0, 10, 80)
    for card in cards:
        if not ID_RE.match(card):
            p.add(("cards",), f"kata: card id '{card}' is not a valid id")
    for name in KATA_FILES[1:]:
        if not (folder / name).is_file():
            p.items.append(f"{display_path(folder / name)}: missing (a kata needs {name})")
    kata = Kata(
        id=kid,
        title=v.text(data, "title", (), "kata", max_len=120),
        level=v.choice(data, "level", (), "kata", LEVELS),
        minutes=int(minutes or 0),
        tags=v.strings(data, "tags", (), "kata", 1, 12, 40),
        source=v.text(data, "source", (), "kata", max_len=200),
        article=v.text(data, "article", (), "kata", required=False, max_len=300),
        cards=cards,
        entry=entry,
        task=v.text(data, "task", (), "kata", max_len=4000),
        edge_cases=v.strings(data, "edge_cases", (), "kata", 0, 20, 300),
        notes=v.text(data, "notes", (), "kata", max_len=4000),
        folder=folder,
    )
    return (None if p.items else kata), p.items


def load_katas(roots: Sequence[Path] | None = None) -> dict[str, Kata]:
    """Every kata by id; ContentError (exit 2) naming file and line when one is invalid."""
    katas: dict[str, Kata] = {}
    problems: list[str] = []
    for folder in kata_folders(content_roots() if roots is None else roots):
        kata, found = _parse_kata(folder)
        problems += found
        if kata is None:
            continue
        if kata.id in katas:
            problems.append(
                f"{display_path(folder / 'kata.yaml')}: kata '{kata.id}' is already defined in "
                f"{display_path(katas[kata.id].folder / 'kata.yaml')}"
            )
            continue
        katas[kata.id] = kata
    if problems:
        raise ContentError(problems)
    return katas


def find_kata(katas: dict[str, Kata], kata_id: str) -> Kata:
    kata = katas.get(kata_id.removeprefix(CARD_PREFIX))
    if kata is not None:
        return kata
    close = difflib.get_close_matches(kata_id, list(katas), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else " (see 'studycli kata list')"
    raise UsageError(f"no kata '{kata_id}'{hint}")


# -- checking and rating ------------------------------------------------------------


def rate(passed: bool, elapsed_s: float | None, minutes: int) -> int:
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

    rating: int
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
