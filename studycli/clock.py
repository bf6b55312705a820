"""Study days and the clock: a study day starts at the rollover hour, local time; `now` is
parsed from `STUDYCLI_NOW` or read from the real clock. A leaf: imports only `errors`.
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
