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

import datetime as dt
import math
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from studycli.clock import study_day, to_ms
from studycli.content.model import Card, Day, Roadmap, Task, Week
from studycli.errors import UsageError
from studycli.storage.codec import new_uid
from studycli.storage.plans import PlanEvent, append_plan_events, done_tasks
from studycli.storage.store import ROADMAP_START as START_SETTING
from studycli.storage.store import Store
from studycli.study.day_plan import interleaved_new_order

REVIEW_DAYS = 6  # the last days before the interview are for review and mocks, not new cards

LIGHT_DAYS = 2  # the last days read as what they say: a mock loop and a light review
MAX_NEW_PER_DAY = 40  # more new cards than this in a day are seen, not learnt

CATCH_UP_DAYS = 3  # a small backlog is proposed to be cleared within this many days

CATCH_UP_PER_DAY = 3  # ...and a large one at this many extra tasks a day

KIND_PRIORITY = {
    "mock": 0,
    "write": 1,
    "build": 2,
    "read": 3,
    "drill": 4,
}  # what a short catch-up keeps


def parse_iso_date(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise UsageError(f"{what}: expected a date as YYYY-MM-DD (got {text!r})") from None


def interview_date(config: Any) -> dt.date | None:
    """The interview date from config.yaml (`interview_date`), or None when unset."""
    raw = config["interview_date"]
    return dt.date.fromisoformat(raw) if raw else None


def start_date(store: Store) -> dt.date | None:
    raw = store.get_setting(START_SETTING)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except (TypeError, ValueError):
        return None


def set_start(store: Store, start: dt.date) -> None:
    store.set_setting(START_SETTING, start.isoformat())


@dataclass(frozen=True)
class Schedule:
    """The roadmap laid onto the calendar from `start`, compressed to fit before `interview`."""

    roadmap: Roadmap
    start: dt.date
    interview: dt.date | None = None

    @property
    def plan_days(self) -> int:
        return len(self.roadmap.days)

    @property
    def available(self) -> int:
        """Calendar days from the start up to (not including) the interview day."""
        if self.interview is None:
            return self.plan_days
        return max(1, (self.interview - self.start).days)

    @property
    def compressed(self) -> bool:
        return self.available < self.plan_days

    @property
    def calendar_days(self) -> int:
        """How many calendar days the plan occupies."""
        return min(self.available, self.plan_days)

    @property
    def end(self) -> dt.date:
        """The last calendar day of the plan."""
        return self.start + dt.timedelta(days=self.calendar_days - 1)

    def index_of_plan_day(self, number: int) -> int:
        """0-based calendar offset from the start on which plan day `number` runs."""
        if not self.compressed:
            return number - 1
        return ((number - 1) * self.available) // self.plan_days

    def date_of(self, number: int) -> dt.date:
        return self.start + dt.timedelta(days=self.index_of_plan_day(number))

    def day_number(self, date: dt.date) -> int:
        """1-based calendar day of the plan (may be < 1 before the start, > calendar_days after)."""
        return (date - self.start).days + 1

    def days_on(self, date: dt.date) -> list[Day]:
        """The plan days that run on a calendar date (two or more when compressed)."""
        offset = (date - self.start).days
        return [d for d in self.roadmap.days if self.index_of_plan_day(d.day) == offset]

    def days_before(self, date: dt.date) -> list[Day]:
        offset = (date - self.start).days
        return [d for d in self.roadmap.days if self.index_of_plan_day(d.day) < offset]

    def week_of(self, day: Day) -> Week | None:
        return self.roadmap.week_of(day.day)

    def target_day(self) -> int:
        """Study day (date ordinal) by which every card should have been seen once."""
        end = self.interview or (self.start + dt.timedelta(days=self.plan_days))
        reserve = REVIEW_DAYS
        if self.compressed:  # keep about a fifth of a short run for review, at most six days
            reserve = min(REVIEW_DAYS, max(1, round(self.available / 5)))
        return end.toordinal() - reserve

    def compression_note(self) -> str:
        if not self.compressed:
            return ""
        doubled = self.plan_days - self.available
        return (
            f"Compressed plan: the interview is {self.available} days after the start, so the "
            f"{self.plan_days} plan days run in {self.available}; {doubled} calendar "
            f"day{'s' if doubled != 1 else ''} carry more than one plan day (the earliest first), "
            "and the last plan day stays the eve of the interview."
        )


def load_schedule(
    roadmap: Roadmap | None, store: Store, interview: dt.date | None
) -> Schedule | None:
    """The running schedule, or None when no roadmap has been started (or there is no plan)."""
    if roadmap is None:
        return None
    start = start_date(store)
    if start is None:
        return None
    return Schedule(roadmap, start, interview)


def _unknown_task(roadmap: Roadmap, task_id: str) -> UsageError:
    import difflib

    close = difflib.get_close_matches(task_id, list(roadmap.tasks), n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return UsageError(
        f"TASK_ID: no task '{task_id}' in the roadmap{hint}; 'studycli roadmap --tasks' lists them"
    )


def mark_tasks(
    store: Store,
    roadmap: Roadmap,
    task_ids: Sequence[str],
    kind: str,
    now: dt.datetime,
    rollover_hour: int,
) -> list[tuple[str, bool]]:
    """Append done/undone events; returns (task id, changed) in order.

    Unknown ids raise UsageError before anything is written."""
    if kind not in ("done", "undone"):
        raise ValueError(kind)
    tasks = roadmap.tasks
    for tid in task_ids:
        if tid not in tasks:
            raise _unknown_task(roadmap, tid)
    current = done_tasks(store)
    out: list[tuple[str, bool]] = []
    events: list[PlanEvent] = []
    ts, day = to_ms(now), study_day(now, rollover_hour)
    for tid in task_ids:
        changed = (tid in current) != (kind == "done")
        if changed:
            events.append(PlanEvent(new_uid(), tid, kind, ts, day))
            if kind == "done":
                current[tid] = day
            else:
                current.pop(tid, None)
        out.append((tid, changed))
    append_plan_events(store, events)
    return out


@dataclass
class CatchUp:
    """A proposal: which overdue tasks to add on which upcoming dates."""

    days: list[tuple[dt.date, list[Task]]]
    dropped: list[Task] = field(default_factory=list)  # no room for them before the interview

    @property
    def tasks(self) -> int:
        return sum(len(ts) for _, ts in self.days)


@dataclass
class PlanToday:
    """Where the candidate stands on a date."""

    schedule: Schedule
    date: dt.date
    status: str  # not-started | active | finished | interview-passed | interview-day
    day_number: int  # calendar day of the plan (1-based)
    days: list[Day]  # plan days running today
    done: dict[str, int]
    overdue: list[Task] = field(default_factory=list)
    catch_up: CatchUp | None = None

    @property
    def week(self) -> Week | None:
        return self.schedule.week_of(self.days[0]) if self.days else None

    @property
    def tasks(self) -> list[Task]:
        return [t for d in self.days for t in d.tasks]

    @property
    def focus(self) -> list[str]:
        out: list[str] = []
        for d in self.days:
            out += [t for t in d.focus if t not in out]
        return out

    @property
    def days_to_interview(self) -> int | None:
        if self.schedule.interview is None:
            return None
        return (self.schedule.interview - self.date).days

    @property
    def behind(self) -> bool:
        return bool(self.overdue)

    def headline(self) -> str:
        """'Day 9 of 30 · Week 2: Production Patterns · 12 days to the interview'."""
        s = self.schedule
        left = self.days_to_interview
        to_go = ""
        if left is not None:
            to_go = (
                "the interview is today" if left == 0
                else f"{left} day{'s' if left != 1 else ''} to the interview" if left > 0
                else f"the interview was {-left} day{'s' if left != -1 else ''} ago"
            )  # fmt: skip
        if self.status == "not-started":
            n = (s.start - self.date).days
            head = f"The plan starts on {s.start.isoformat()} (in {n} day{'s' if n != 1 else ''})"
        elif self.status == "active":
            week = self.week
            head = f"Day {self.day_number} of {s.calendar_days}"
            if week is not None:
                head += f" · Week {week.week}: {week.title}"
            if s.compressed:
                nums = [d.day for d in self.days]
                head += f" · plan day{'s' if len(nums) > 1 else ''} {_span(nums)}"
        elif self.status == "finished":
            head = f"Plan complete (day {s.calendar_days} was {s.end.isoformat()})"
        elif self.status == "interview-day":
            head = "Interview day"
        else:
            ago = -(left or 0)
            when = s.interview.isoformat() if s.interview else ""
            return f"The interview was on {when}, {ago} day{'s' if ago != 1 else ''} ago"
        return f"{head} · {to_go}" if to_go and self.status != "interview-day" else head


def _span(nums: Sequence[int]) -> str:
    if not nums:
        return ""
    return str(nums[0]) if len(nums) == 1 else f"{nums[0]}-{nums[-1]}"


def plan_today(schedule: Schedule, done: Mapping[str, int], today: dt.date) -> PlanToday:
    """Today's plan days, tasks, what is overdue and a catch-up proposal."""
    number = schedule.day_number(today)
    interview = schedule.interview
    if interview is not None and today == interview:
        status = "interview-day"
    elif interview is not None and today > interview:
        status = "interview-passed"
    elif number < 1:
        status = "not-started"
    elif number > schedule.calendar_days:
        status = "finished"
    else:
        status = "active"
    days = schedule.days_on(today) if status == "active" else []
    past = schedule.days_before(today) if status != "not-started" else []
    overdue = [t for d in past for t in d.tasks if t.id not in done]
    view = PlanToday(schedule, today, status, number, days, dict(done), overdue)
    if overdue and status in ("active", "finished"):
        view.catch_up = propose_catch_up(overdue, today, interview)
    return view


def propose_catch_up(overdue: Sequence[Task], today: dt.date, interview: dt.date | None) -> CatchUp:
    """Spread overdue tasks over the coming days, on top of each day's own tasks.

    At most CATCH_UP_PER_DAY extra tasks a day; a small backlog is cleared within
    CATCH_UP_DAYS days, and everything proposed is done before the interview day. A
    backlog larger than that room keeps the tasks worth most now (mocks, then writing,
    building, reading, the latest plan days first) and leaves the rest out (`dropped`).
    Drill tasks come last: the card queue already brings missed topics first.
    """
    n = len(overdue)
    horizon = max(CATCH_UP_DAYS, math.ceil(n / CATCH_UP_PER_DAY))
    if interview is not None:
        horizon = max(1, min(horizon, (interview - today).days))
    capacity = horizon * CATCH_UP_PER_DAY
    keep, dropped = list(overdue), []
    if n > capacity:
        ranked = sorted(overdue, key=lambda t: (KIND_PRIORITY.get(t.kind, 9), -t.day))
        keep, dropped = ranked[:capacity], sorted(ranked[capacity:], key=lambda t: t.day)
    ordered = sorted(keep, key=lambda t: (t.kind == "drill", t.day))
    horizon = min(horizon, len(ordered)) or 1
    per_day, extra = divmod(len(ordered), horizon)  # as even as it gets, the heavier days first
    days: list[tuple[dt.date, list[Task]]] = []
    at = 0
    for i in range(horizon):
        size = per_day + (1 if i < extra else 0)
        if size:
            days.append((today + dt.timedelta(days=i), ordered[at : at + size]))
        at += size
    return CatchUp(days, dropped)


@dataclass(frozen=True)
class Pacing:
    """How many new cards today, and in what order, so every card is seen before the review days."""

    new_per_day: int
    order: Callable[[Sequence[Card]], list[Card]]
    unseen: int  # unseen at the start of the study day
    days_left: int  # study days left for new cards, today included
    target: dt.date  # every card seen before this date
    late: bool = False  # the target has passed with cards still unseen
    capped: bool = False  # the pace needed is more than MAX_NEW_PER_DAY
    unseen_now: int = 0  # unseen now (the start-of-day count less those introduced today)
    light: bool = False  # one of the last LIGHT_DAYS days: review and mocks, no new cards
    most: int = MAX_NEW_PER_DAY  # the daily cap the pace keeps (a daily time budget's)


def _card_topics(card: Card) -> set[str]:
    return {card.deck, *card.tags}


def focus_order(schedule: Schedule, today: dt.date) -> Callable[[Sequence[Card]], list[Card]]:
    """New-card order: today's focus tags first, then by the plan day whose focus covers the card.

    Within each group the usual interleaved order (easiest level first, decks taken in turn).
    Topics of days already past come before upcoming ones, so a missed day is caught up.
    """
    today_focus = {t for d in schedule.days_on(today) for t in d.focus}
    first_day: dict[str, int] = {}
    for d in schedule.roadmap.days:
        for tag in d.focus:
            first_day.setdefault(tag, d.day)

    def order(cards: Sequence[Card]) -> list[Card]:
        base = interleaved_new_order(cards)

        def key(item: tuple[int, Card]) -> tuple[int, int, int]:
            idx, card = item
            topics = _card_topics(card)
            if topics & today_focus:
                return (0, 0, idx)
            days = [first_day[t] for t in topics if t in first_day]
            return (1, min(days) if days else 10_000, idx)

        return [c for _, c in sorted(enumerate(base), key=key)]

    return order


def pacing(
    schedule: Schedule,
    cards: Iterable[Card],
    seen: Container[str],
    introduced_today: int,
    today: dt.date,
    *,
    most: int = MAX_NEW_PER_DAY,
) -> Pacing | None:
    """Today's new-card count and order; None when the plan is not running (before the
    start, on or after the interview).

    new today = ceil(unseen at the start of today / study days left before the target day),
    where the target is the interview minus six days (a fifth of a compressed run, at least
    one). Past the target with cards still unseen, they are spread over the days left before
    the interview instead. Never more than `most` (the new_per_day a daily time budget
    allows) nor MAX_NEW_PER_DAY: a late candidate is told, not buried. `seen` holds the cards no longer new or suspended (Store.seen_cards);
    `introduced_today` is the number of cards first seen today (Store.new_introduced_on).
    """
    if today < schedule.start:
        return None
    if schedule.interview is not None and today >= schedule.interview:
        return None
    unseen = sum(1 for c in cards if c.id not in seen)
    at_start = unseen + introduced_today
    target = schedule.target_day()
    needed, days_left, late, light = _pace(schedule, at_start, today)
    if light:
        return Pacing(
            0, focus_order(schedule, today), at_start, 0, dt.date.fromordinal(target),
            late=late, unseen_now=unseen, light=True, most=most,
        )  # fmt: skip
    per_day = min(needed, most, MAX_NEW_PER_DAY)
    return Pacing(
        per_day,
        focus_order(schedule, today),
        at_start,
        days_left,
        dt.date.fromordinal(target),
        late=late,
        capped=needed > per_day,
        unseen_now=unseen,
        most=most,
    )


def _pace(schedule: Schedule, at_start: int, today: dt.date) -> tuple[int, int, bool, bool]:
    """(new cards needed today, study days left for them, past the target day, a light day)
    for `at_start` cards unseen at the start of the day."""
    target = schedule.target_day()
    late = today.toordinal() >= target and at_start > 0
    if is_light_day(schedule, today):
        return 0, 0, late, True
    if late:
        end = schedule.interview or (schedule.start + dt.timedelta(days=schedule.plan_days))
        days_left = max(1, (end - today).days)
    else:
        days_left = max(1, target - today.toordinal())
    return (math.ceil(at_start / days_left) if at_start else 0), days_left, late, False


def upcoming_new(schedule: Schedule, pace: Pacing, today: dt.date) -> list[int]:
    """New cards the pacing will introduce on each day from `today` to the eve of the
    interview (today: those still to come today), if every day's pace is kept (within
    the daily cap it keeps)."""
    if schedule.interview is None or today >= schedule.interview:
        return []
    out: list[int] = []
    left, done = pace.unseen_now, pace.unseen - pace.unseen_now
    day = today
    while day < schedule.interview:
        k = 0
        if day >= schedule.start and left > 0:
            needed = min(_pace(schedule, left + done, day)[0], pace.most, MAX_NEW_PER_DAY)
            k = min(left, max(0, needed - done))
        out.append(k)
        left -= k
        done = 0
        day += dt.timedelta(days=1)
    return out


def is_light_day(schedule: Schedule, today: dt.date) -> bool:
    """One of the last LIGHT_DAYS days before the interview, or one running the plan's last
    LIGHT_DAYS days ("Full mock loop", "Light review"): no new cards are proposed on them."""
    if schedule.interview is not None and 0 < (schedule.interview - today).days <= LIGHT_DAYS:
        return True
    if not 1 <= schedule.day_number(today) <= schedule.calendar_days:
        return False
    last = schedule.plan_days - LIGHT_DAYS
    return any(d.day > last for d in schedule.days_on(today))


def adherence(
    roadmap: Roadmap | None,
    store: Store,
    interview: dt.date | None,
    today: dt.date,
) -> dict[str, Any] | None:
    """How closely the candidate has followed the plan up to `today`. JSON-ready; None
    when no roadmap has been started.

    Keys: start, end, interview (ISO dates or None), compressed (bool), calendar_days, plan_days,
    day (today's calendar day number), status (see PlanToday.status), tasks_total, tasks_due
    (tasks scheduled before today), tasks_done (all done), done_of_due (done among those due),
    on_time (done on or before their scheduled date), rate (done_of_due / tasks_due or None),
    behind (overdue task ids), days: [{date, plan_days, tasks, done}] one per calendar day.
    """
    schedule = load_schedule(roadmap, store, interview)
    if schedule is None:
        return None
    done = done_tasks(store)
    view = plan_today(schedule, done, today)
    due = [t for d in schedule.days_before(today) for t in d.tasks]
    done_of_due = [t for t in due if t.id in done]
    on_time = 0
    for d in schedule.roadmap.days:
        when = schedule.date_of(d.day).toordinal()
        on_time += sum(1 for t in d.tasks if t.id in done and done[t.id] <= when)
    days: list[dict[str, Any]] = []
    for offset in range(schedule.calendar_days):
        date = schedule.start + dt.timedelta(days=offset)
        pdays = schedule.days_on(date)
        tasks = [t for d in pdays for t in d.tasks]
        days.append({
            "date": date.isoformat(),
            "plan_days": [d.day for d in pdays],
            "tasks": len(tasks),
            "done": sum(1 for t in tasks if t.id in done),
        })  # fmt: skip
    return {
        "start": schedule.start.isoformat(),
        "end": schedule.end.isoformat(),
        "interview": interview.isoformat() if interview else None,
        "compressed": schedule.compressed,
        "calendar_days": schedule.calendar_days,
        "plan_days": schedule.plan_days,
        "day": view.day_number,
        "status": view.status,
        "tasks_total": len(schedule.roadmap.tasks),
        "tasks_due": len(due),
        "tasks_done": sum(1 for t in schedule.roadmap.tasks if t in done),
        "done_of_due": len(done_of_due),
        "on_time": on_time,
        "rate": round(len(done_of_due) / len(due), 4) if due else None,
        "behind": [t.id for t in view.overdue],
        "days": days,
    }


def report_section(store: Store, catalogue: Any, config: Any, today: int) -> dict[str, Any] | None:
    """`report_data()["roadmap"]`: adherence() for the bundled plan on study day `today`."""
    return adherence(catalogue.roadmap, store, interview_date(config), dt.date.fromordinal(today))
