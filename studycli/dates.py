"""Dates as a person types them, resolved against the study day.

Every date option (`--interview`, `--start`, `config set interview_date`,
`STUDYCLI_NOW`) reads text through `parse_date` or `parse_moment`:

    2026-12-22        22 Dec, Dec 22, 22 December 2026, Tue 22 Dec
    today, tomorrow   friday, next friday, last friday
    in 3 weeks        +21d, +3w, in 2 months, 10 days ago, -7d

A date without a year is the nearest one to today (so "Jan 5" in December is next
January); a slash date whose day and month could be swapped ("3/4") is refused, as is
a weekday that does not match the date, a date with no day or month, and (unless the
option allows it) a date that has passed. Each error is one line naming the option.
`describe` echoes the result: "interview: 2026-12-22, Tuesday, in 21 days".

Pure functions of the text and `today`/`now`: nothing here reads the clock.
python-dateutil (month names, calendar arithmetic) is imported only when the text
needs it, so an ISO date costs nothing.
"""

from __future__ import annotations

import datetime as dt
import re

from studycli.errors import UsageError

FORMS = "2026-12-22, 22 Dec, Dec 22, next friday, in 3 weeks or +21d"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_UNIT_WORDS = {
    "d": "days", "day": "days", "days": "days",
    "w": "weeks", "wk": "weeks", "wks": "weeks", "week": "weeks", "weeks": "weeks",
    "mo": "months", "month": "months", "months": "months",
    "y": "years", "yr": "years", "yrs": "years", "year": "years", "years": "years",
}  # fmt: skip
_COUNT_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_COUNT = r"(\d{1,4}|a|an|one|two|three|four|five|six)"
_UNIT = r"(" + "|".join(sorted(_UNIT_WORDS, key=len, reverse=True)) + r")"
_SIGNED = re.compile(r"([+-])\s*(\d{1,4})\s*" + _UNIT)
_IN = re.compile(r"(?:in\s+)?" + _COUNT + r"\s*" + _UNIT + r"(?:\s+from\s+(?:now|today))?")
_AGO = re.compile(_COUNT + r"\s*" + _UNIT + r"\s+ago")
_WEEKDAY = re.compile(r"(?:(this|next|last|on)\s+)?([a-z]{3,9})")
_NUMERIC = re.compile(r"[\d\s/.\-]+")
_TIME = re.compile(r"\s+(?:at\s+)?(\d{1,2}:\d{2}(?::\d{2})?|\d{1,2}\s*(?:am|pm))$")


def _weekday_index(word: str) -> int | None:
    """0 for "mon"/"monday" ... 6 for "sun"/"sunday"; None for any other word."""
    for i, name in enumerate(WEEKDAYS):
        if len(word) >= 3 and name.startswith(word):
            return i
    return None


def _shift(today: dt.date, count: int, unit: str) -> dt.date:
    if unit == "days":
        return today + dt.timedelta(days=count)
    if unit == "weeks":
        return today + dt.timedelta(weeks=count)
    from dateutil.relativedelta import relativedelta  # calendar months and years

    step = relativedelta(months=count) if unit == "months" else relativedelta(years=count)
    return today + step


def _relative(text: str, today: dt.date) -> dt.date | None:
    """today/tomorrow/yesterday, +21d, -7d, in 3 weeks, 10 days ago; None for other text."""
    fixed = {"today": 0, "now": 0, "tomorrow": 1, "yesterday": -1}
    if text in fixed:
        return today + dt.timedelta(days=fixed[text])
    if m := _SIGNED.fullmatch(text):
        sign = 1 if m.group(1) == "+" else -1
        return _shift(today, sign * int(m.group(2)), _UNIT_WORDS[m.group(3)])
    for pattern, sign in ((_IN, 1), (_AGO, -1)):
        if m := pattern.fullmatch(text):
            raw = m.group(1)
            count = int(raw) if raw.isdigit() else _COUNT_WORDS[raw]
            return _shift(today, sign * count, _UNIT_WORDS[m.group(2)])
    return None


def _weekday(text: str, today: dt.date) -> dt.date | None:
    """friday / this friday / on friday (today or the coming one), next friday (strictly
    after today), last friday (strictly before); None for other text."""
    m = _WEEKDAY.fullmatch(text)
    if not m:
        return None
    index = _weekday_index(m.group(2))
    if index is None:
        return None
    ahead = (index - today.weekday()) % 7
    if m.group(1) == "next":
        return today + dt.timedelta(days=ahead or 7)
    if m.group(1) == "last":
        return today - dt.timedelta(days=(today.weekday() - index) % 7 or 7)
    return today + dt.timedelta(days=ahead)


def _nearest(month: int, day: int, today: dt.date) -> dt.date | None:
    """The (month, day) nearest to today (29 Feb: the next leap year's); ties go forward."""
    candidates = []
    for year in range(today.year - 1, today.year + 5):
        try:
            candidates.append(dt.date(year, month, day))
        except ValueError:  # 29 Feb outside a leap year
            continue
    if not candidates:
        return None
    return min(candidates, key=lambda d: (abs((d - today).days), d < today))


def _calendar(text: str, today: dt.date, option: str, shown: str) -> dt.date | None:
    """Month-name and day/month forms through dateutil; None when it cannot read them."""
    from dateutil import parser

    numeric = _NUMERIC.fullmatch(text) is not None
    if numeric:  # 22.12.2026 is 22/12/2026 (dateutil reads "22.12" as a time)
        text = re.sub(r"(\d)\.(?=\d)", r"\1/", text)
    year_first = numeric and re.match(r"\d{4}\b", text) is not None
    # Parse against two different defaults: a field that follows the default was not typed.
    a, b = dt.datetime(1904, 1, 1), dt.datetime(1908, 2, 2, 1, 1, 1)
    readings = []
    for day_first in (False,) if year_first else (False, True):
        try:
            readings.append(
                (
                    parser.parse(text, default=a, dayfirst=day_first, yearfirst=year_first),
                    parser.parse(text, default=b, dayfirst=day_first, yearfirst=year_first),
                )
            )
        except (ValueError, OverflowError):
            continue
    if not readings:
        return None
    if numeric and len({(x.month, x.day) for x, _ in readings}) > 1:
        (x, _), (y, _) = readings
        raise UsageError(
            f"{option}: {shown} is ambiguous ({x.day} {x:%B} or {y.day} {y:%B}?); "
            f"write the month's name ({x.day} {x:%b}) or YYYY-MM-DD"
        )
    x, y = readings[0]
    if x.month != y.month or x.day != y.day:
        missing = "month" if x.month != y.month else "day"
        if x.year == y.year and str(x.year) not in text:  # "32 Dec" is December 2032
            missing += f" ({x.year % 100} reads as the year {x.year})"
        raise UsageError(f"{option}: {shown} has no {missing}; try {FORMS}")
    if x.hour == y.hour or x.minute == y.minute or x.second == y.second:
        raise UsageError(f"{option}: {shown} has a time of day; give a date only")
    if x.year != y.year:
        return _nearest(x.month, x.day, today)
    return x.date()


def _check_weekday_names(text: str, day: dt.date, option: str, shown: str) -> None:
    """ "Fri 22 Dec 2026" when 22 Dec 2026 is a Tuesday is a typo: say which part is wrong."""
    for word in re.findall(r"[a-z]+", text):
        index = _weekday_index(word)
        if index is not None and index != day.weekday():
            raise UsageError(
                f"{option}: {shown}: {day.isoformat()} is a {day:%A}, not a {WEEKDAYS[index].title()}"
            )


def parse_date(text: str, today: dt.date, *, option: str, allow_past: bool = False) -> dt.date:
    """The date `text` names, read against `today` (the study day's date).

    `option` names where the text came from ("--interview"), for the error line.
    A date before today is an error unless `allow_past`.
    """
    shown = repr(text.strip()) if text.strip() else "an empty value"
    clean = re.sub(r"\s+", " ", text.strip().lower().rstrip("."))
    clean = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", clean)
    if not clean:
        raise UsageError(f"{option}: expected a date such as {FORMS}")
    try:
        day: dt.date | None = dt.date.fromisoformat(clean)
    except ValueError:
        day = None
    try:
        if day is None:
            day = _relative(clean, today) or _weekday(clean, today)
        if day is None:
            day = _calendar(clean, today, option, shown)
            if day is not None:
                _check_weekday_names(clean, day, option, shown)
    except (OverflowError, ValueError):  # a count that runs off the calendar
        raise UsageError(f"{option}: {shown} is too far away") from None
    if day is None:
        raise UsageError(f"{option}: cannot read {shown} as a date; try {FORMS}")
    if day < today and not allow_past:
        raise UsageError(
            f"{option}: {day.isoformat()} ({day:%A}) has passed; today is {today.isoformat()}"
        )
    return day


def parse_moment(text: str, now: dt.datetime, *, option: str) -> dt.datetime:
    """An aware moment for `STUDYCLI_NOW`-like settings: an ISO date-time (naive means local
    time) as before, or any `parse_date` form with an optional time ("Dec 22 09:00").
    A date without a time is noon that day, inside the study day whatever the rollover
    hour; a relative form ("+21d") keeps `now`'s time of day. The past is allowed."""
    raw = text.strip()
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        moment = None
    if moment is not None and ("t" in raw.lower() or " " in raw or ":" in raw):
        return moment if moment.tzinfo else moment.astimezone()
    clock: dt.time | None = None
    rest = raw.lower()
    if m := _TIME.search(rest):
        clock = _clock(m.group(1), option, raw)
        rest = rest[: m.start()]
    local = now.astimezone()
    day = parse_date(rest, local.date(), option=option, allow_past=True)
    if clock is None:
        relative = _relative(re.sub(r"\s+", " ", rest.strip()), local.date()) is not None
        clock = local.time().replace(tzinfo=None) if relative else dt.time(12)
    return dt.datetime.combine(day, clock).astimezone()


def _clock(text: str, option: str, shown: str) -> dt.time:
    m = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*(am|pm)?", text.strip())
    assert m is not None  # _TIME matched already
    hour, minute, second = int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)
    if m.group(4):
        if not 1 <= hour <= 12:
            raise UsageError(f"{option}: {shown!r} has an hour out of range")
        hour = hour % 12 + (12 if m.group(4) == "pm" else 0)
    try:
        return dt.time(hour, minute, second)
    except ValueError:
        raise UsageError(f"{option}: {shown!r} has a time out of range") from None


def describe(label: str, day: dt.date, today: dt.date) -> str:
    """ "interview: 2026-12-22, Tuesday, in 21 days" (or today, tomorrow, 3 days ago)."""
    return f"{label}: {day.isoformat()}, {day:%A}, {distance(day, today)}"


def distance(day: dt.date, today: dt.date) -> str:
    """ "today", "tomorrow", "yesterday", "in 21 days", "3 days ago"."""
    days = (day - today).days
    named = {0: "today", 1: "tomorrow", -1: "yesterday"}
    if days in named:
        return named[days]
    return f"in {days} days" if days > 0 else f"{-days} days ago"
