"""FSRS-6 scheduling through fsrs-rs-python: next states, intervals, retrievability, study days.

Pure functions of their inputs: `now` and study days are arguments, nothing here
reads the clock. `Scheduler.apply` is the one way a review changes a card's state,
used both when a rating is given and when the state is rebuilt from the log, so
the two cannot disagree.
"""

from __future__ import annotations

import datetime as dt

from studycli.errors import UsageError


def study_day(moment: dt.datetime, rollover_hour: int = 4) -> int:
    """The study day of an aware datetime: its local date, where a day starts at `rollover_hour`."""
    local = moment.astimezone()
    return (local - dt.timedelta(hours=rollover_hour)).date().toordinal()


def day_start(day: int, rollover_hour: int = 4) -> dt.datetime:
    """The aware local moment a study day begins."""
    date = dt.date.fromordinal(day)
    naive = dt.datetime.combine(date, dt.time(rollover_hour))
    return naive.astimezone()


def day_date(day: int) -> dt.date:
    return dt.date.fromordinal(day)


def to_ms(moment: dt.datetime) -> int:
    return int(round(moment.timestamp() * 1000))


def parse_now(text: str | None) -> dt.datetime:
    """`STUDYCLI_NOW` (ISO datetime; naive means local time) or the real clock, always aware."""
    if not text:
        return dt.datetime.now().astimezone()
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"STUDYCLI_NOW: expected an ISO date-time such as 2026-11-22T09:00, got {text!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment
