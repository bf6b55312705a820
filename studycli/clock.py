"""Study days and the clock: which study day a moment falls in (a day starts at the rollover
hour), that day's start, epoch milliseconds, and the moment `STUDYCLI_NOW` names. A leaf:
imports only `studycli.dates` and `studycli.errors` (leaves below it).

Pure functions of their inputs except `parse_now`, the one place the real clock is read.
"""

from __future__ import annotations

import datetime as dt


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
    """`STUDYCLI_NOW` or the real clock, always aware. An ISO date-time (naive means local
    time), or any date `studycli.dates` reads, with an optional time: "2026-12-01" and
    "Dec 1" are noon that day, "+21d" is three weeks from the real clock."""
    real = dt.datetime.now().astimezone()
    if not text or not text.strip():
        return real
    from studycli.dates import parse_moment

    moment = parse_moment(text, real, option="STUDYCLI_NOW")
    if not 1970 < moment.year < 9000:  # far from both ends of the calendar, in any zone
        from studycli.errors import UsageError

        raise UsageError(
            f"STUDYCLI_NOW: {text.strip()[:40]!r} is outside the years 1971 to 8999 studycli keeps"
        )
    return moment
