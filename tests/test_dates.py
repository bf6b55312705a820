"""Dates as typed: every accepted form, and a clear line for the ones that are not."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studycli.dates import describe, distance, parse_date, parse_moment
from studycli.errors import UsageError

from .helpers import ROOT

TODAY = dt.date(2026, 12, 1)  # a Tuesday


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-22",
        "22 Dec",
        "Dec 22",
        "December 22nd",
        "22 December 2026",
        "22nd of December",
        "Tue 22 Dec 2026",
        "12/22",
        "22/12",
        "22.12.2026",
        "in 3 weeks",
        "3 weeks from now",
        "in 21 days",
        "+21d",
        "+3w",
        "+ 21 days",
        "  IN 3 WEEKS ",
    ],
)
def test_the_forms_of_one_interview_date(text: str) -> None:
    assert parse_date(text, TODAY, option="--interview") == dt.date(2026, 12, 22)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", TODAY),
        ("tomorrow", dt.date(2026, 12, 2)),
        ("friday", dt.date(2026, 12, 4)),
        ("fri", dt.date(2026, 12, 4)),
        ("this friday", dt.date(2026, 12, 4)),
        ("next friday", dt.date(2026, 12, 4)),
        ("tuesday", TODAY),  # today is a Tuesday: "tuesday" is today...
        ("next tuesday", dt.date(2026, 12, 8)),  # ... and "next tuesday" the one after
        ("in a week", dt.date(2026, 12, 8)),
        ("in two weeks", dt.date(2026, 12, 15)),
        ("in 2 months", dt.date(2027, 2, 1)),  # calendar months, not 60 days
        ("+1y", dt.date(2027, 12, 1)),
        ("Jan 5", dt.date(2027, 1, 5)),  # no year: the nearest Jan 5 is next year's
        ("29 Feb", dt.date(2028, 2, 29)),  # the next leap day
    ],
)
def test_relative_and_year_less_forms(text: str, expected: dt.date) -> None:
    assert parse_date(text, TODAY, option="--interview") == expected


def test_month_end_arithmetic_clamps() -> None:
    assert parse_date("in 1 month", dt.date(2027, 1, 31), option="--x") == dt.date(2027, 2, 28)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("last friday", dt.date(2026, 11, 27)),
        ("last tuesday", dt.date(2026, 11, 24)),
        ("yesterday", dt.date(2026, 11, 30)),
        ("10 days ago", dt.date(2026, 11, 21)),
        ("-7d", dt.date(2026, 11, 24)),
        ("Nov 30", dt.date(2026, 11, 30)),
        ("2026-11-01", dt.date(2026, 11, 1)),
    ],
)
def test_the_past_where_an_option_allows_it(text: str, expected: dt.date) -> None:
    assert parse_date(text, TODAY, option="--start", allow_past=True) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Nov 30", "--interview: 2026-11-30 (Monday) has passed; today is 2026-12-01"),
        ("last friday", "--interview: 2026-11-27 (Friday) has passed; today is 2026-12-01"),
        ("-1d", "--interview: 2026-11-30 (Monday) has passed"),
        ("3/4", "--interview: '3/4' is ambiguous (4 March or 3 April?)"),
        ("1.2.2027", "--interview: '1.2.2027' is ambiguous (2 January or 1 February?)"),
        (
            "Fri 22 Dec 2026",
            "--interview: 'Fri 22 Dec 2026': 2026-12-22 is a Tuesday, not a Friday",
        ),
        ("22", "--interview: '22' has no month; try 2026-12-22, 22 Dec"),
        ("Dec", "--interview: 'Dec' has no day"),
        ("Dec 22 10am", "--interview: 'Dec 22 10am' has a time of day; give a date only"),
        ("next month", "--interview: cannot read 'next month' as a date; try 2026-12-22"),
        ("32 Dec", "--interview: '32 Dec' has no day (32 reads as the year 2032)"),
        ("2026-02-30", "--interview: cannot read '2026-02-30' as a date"),
        ("soon", "--interview: cannot read 'soon' as a date"),
        ("in 9999 years", "--interview: 'in 9999 years' is too far away"),
        ("", "--interview: expected a date such as 2026-12-22"),
        ("   ", "--interview: expected a date such as 2026-12-22"),
    ],
)
def test_bad_dates_are_one_line_naming_the_option(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_date(text, TODAY, option="--interview")
    assert caught.value.message.startswith(message), caught.value.message
    assert "\n" not in caught.value.message
    assert caught.value.exit_code == 2


def test_echo() -> None:
    assert describe("interview", dt.date(2026, 12, 22), TODAY) == (
        "interview: 2026-12-22, Tuesday, in 21 days"
    )
    assert [distance(TODAY + dt.timedelta(days=n), TODAY) for n in (-3, -1, 0, 1, 2)] == [
        "3 days ago",
        "yesterday",
        "today",
        "tomorrow",
        "in 2 days",
    ]


dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31))


@given(today=dates, ahead=st.integers(0, 3000))
def test_iso_and_day_counts_agree(today: dt.date, ahead: int) -> None:
    day = today + dt.timedelta(days=ahead)
    assert parse_date(day.isoformat(), today, option="--x") == day
    assert parse_date(f"+{ahead}d", today, option="--x") == day
    assert parse_date(f"in {ahead} days", today, option="--x") == day


@given(today=dates, offset=st.integers(-150, 150))
def test_a_year_less_date_within_five_months_is_that_date(today: dt.date, offset: int) -> None:
    day = today + dt.timedelta(days=offset)
    for text in (f"{day.day} {day:%b}", f"{day:%B} {day.day}", f"{day:%a} {day.day} {day:%b}"):
        assert parse_date(text, today, option="--x", allow_past=True) == day, text


@given(today=dates, weekday=st.integers(0, 6))
def test_weekdays_land_on_that_weekday_within_a_week(today: dt.date, weekday: int) -> None:
    name = dt.date(2026, 11, 30) + dt.timedelta(days=weekday)  # Monday + weekday
    word = f"{name:%A}".lower()
    plain = parse_date(word, today, option="--x")
    following = parse_date(f"next {word}", today, option="--x")
    before = parse_date(f"last {word}", today, option="--x", allow_past=True)
    assert plain.weekday() == following.weekday() == before.weekday() == name.weekday()
    assert 0 <= (plain - today).days <= 6
    assert 1 <= (following - today).days <= 7
    assert 1 <= (today - before).days <= 7


NOW = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01T09:00", dt.datetime(2026, 12, 1, 9, 0)),
        ("2026-12-01 09:00", dt.datetime(2026, 12, 1, 9, 0)),
        ("2026-12-01", dt.datetime(2026, 12, 1, 12, 0)),  # noon: inside that study day
        ("Dec 22", dt.datetime(2026, 12, 22, 12, 0)),
        ("Dec 22 10am", dt.datetime(2026, 12, 22, 10, 0)),
        ("Dec 22 at 18:45", dt.datetime(2026, 12, 22, 18, 45)),
        ("+21d", dt.datetime(2026, 12, 22, 9, 30)),  # a relative form keeps the time of day
        ("in 3 weeks", dt.datetime(2026, 12, 22, 9, 30)),
        ("last friday", dt.datetime(2026, 11, 27, 12, 0)),  # the past is fine for a clock
    ],
)
def test_moments(text: str, expected: dt.datetime, isolated_home) -> None:
    # conftest sets TZ=UTC: a naive result means UTC.
    assert parse_moment(text, NOW, option="STUDYCLI_NOW") == expected.replace(tzinfo=dt.UTC)


def test_a_moment_keeps_its_offset() -> None:
    moment = parse_moment("2026-12-01T09:00+02:00", NOW, option="STUDYCLI_NOW")
    assert moment.utcoffset() == dt.timedelta(hours=2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("garbage", "STUDYCLI_NOW: cannot read 'garbage' as a date"),
        ("Dec 22 13pm", "STUDYCLI_NOW: 'Dec 22 13pm' has an hour out of range"),
        ("Dec 22 25:00", "STUDYCLI_NOW: 'Dec 22 25:00' has a time out of range"),
    ],
)
def test_bad_moments(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_moment(text, NOW, option="STUDYCLI_NOW")
    assert caught.value.message.startswith(message), caught.value.message


def test_an_iso_date_imports_no_dateutil() -> None:
    code = (
        "import sys, datetime as dt\n"
        "from studycli.dates import parse_date, parse_moment\n"
        "parse_date('2026-12-22', dt.date(2026, 12, 1), option='--x')\n"
        "parse_date('+21d', dt.date(2026, 12, 1), option='--x')\n"
        "parse_moment('2026-12-01T09:00', dt.datetime.now().astimezone(), option='X')\n"
        "print(sorted(m for m in sys.modules if m.startswith('dateutil')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- through the CLI


def test_roadmap_start_in_three_weeks_saves_the_date(cli, isolated_home) -> None:
    r = cli("roadmap", "start", "--interview", "in 3 weeks", now="2026-12-01")
    assert r.exit_code == 0, r.output
    assert r.output.startswith("interview: 2026-12-22, Tuesday, in 21 days\n")
    assert "Roadmap started on 2026-12-01" in r.output
    assert "interview_date: '2026-12-22'" in (isolated_home / "config.yaml").read_text()


def test_roadmap_start_from_last_monday(cli) -> None:
    r = cli("roadmap", "start", "--start", "last monday", "--interview", "Dec 22", now="2026-12-01")
    assert r.exit_code == 0, r.output
    assert r.output.startswith(
        "start: 2026-11-30, Monday, yesterday\ninterview: 2026-12-22, Tuesday, in 21 days\n"
    )
    assert "Roadmap started on 2026-11-30" in r.output


def test_config_set_interview_date_reads_and_echoes(cli, isolated_home) -> None:
    r = cli("config", "set", "interview_date", "next friday", now="2026-12-01T09:00")
    assert (r.exit_code, r.output) == (0, "interview: 2026-12-04, Friday, in 3 days\n")
    assert "interview_date: '2026-12-04'" in (isolated_home / "config.yaml").read_text()
    r = cli("config", "set", "interview_date", "Nov 30", now="2026-12-01T09:00")
    assert (r.exit_code, r.output) == (
        2,
        "studycli: config interview_date: 2026-11-30 (Monday) has passed; today is 2026-12-01\n",
    )
    assert "'2026-12-04'" in (isolated_home / "config.yaml").read_text()  # unchanged


def test_now_accepts_the_same_forms(cli) -> None:
    # A date alone is noon that day: inside the study day whatever the rollover hour.
    assert "Today · 2026-12-01" in cli("today", now="2026-12-01").output
    assert "Today · 2026-12-22" in cli("today", now="Dec 22").output
    assert "Today · 2026-12-22" in cli("today", now="Dec 22 9:00").output
    assert "Today · 2026-12-21" in cli("today", now="Dec 22 3:00").output  # before the rollover
