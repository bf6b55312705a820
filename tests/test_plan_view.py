"""The whole plan, readable: task text never cut, a week's goal and targets, light last days."""

from __future__ import annotations

import datetime as dt
import re

import yaml

from .helpers import ROOT

START = dt.date(2026, 11, 20)
INTERVIEW = dt.date(2026, 12, 20)  # 30 days after the start: the plan fits exactly


def at(date: dt.date, hour: int = 9) -> str:
    return f"{date.isoformat()}T{hour:02d}:00:00+00:00"


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n - 1)


def plan() -> dict:
    return yaml.safe_load((ROOT / "roadmap" / "plan.yaml").read_text(encoding="utf-8"))


def tasks_of(n: int) -> list[dict]:
    return next(d for w in plan()["weeks"] for d in w["days"] if d["day"] == n)["tasks"]


def flat(text: str) -> str:
    """Whitespace collapsed: text wrapped over several lines reads as one."""
    return " ".join(text.split())


def start_plan(cli, on: dt.date) -> None:
    r = cli(
        "roadmap", "start", "--interview", INTERVIEW.isoformat(), "--start", START.isoformat(),
        now=at(on),
    )  # fmt: skip
    assert r.exit_code == 0, r.output


def test_roadmap_tasks_are_never_cut_at_80_columns(cli):
    start_plan(cli, on=day(1))
    r = cli("roadmap", "--tasks", now=at(day(1)), env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    assert max(len(line) for line in r.output.splitlines()) <= 80
    assert "…" not in r.output
    out = flat(r.output)
    every = [t for w in plan()["weeks"] for d in w["days"] for t in d["tasks"]]
    assert len(every) > 80
    for task in every:
        assert flat(task["text"]) in out, task["id"]


def test_today_shows_whole_task_text_wrapped_under_its_line(cli):
    start_plan(cli, on=day(1))
    r = cli("today", now=at(day(1)), env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    assert "…" not in r.output
    out = flat(r.output)
    for task in tasks_of(1):
        assert flat(task["text"]) in out, task["id"]
    lines = r.output.splitlines()
    first = next(i for i, line in enumerate(lines) if tasks_of(1)[0]["id"] in line)
    # the continuation hangs under the text, not at column 1
    assert lines[first + 1].startswith("    ") and lines[first + 1].strip()


def test_roadmap_week_shows_the_goal_and_the_targets(cli):
    week3 = plan()["weeks"][2]
    r = cli("roadmap", "--week", "3", now=at(day(1)), env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    assert max(len(line) for line in r.output.splitlines()) <= 80
    out = flat(r.output)
    assert f"Week 3: {week3['title']}" in out
    assert flat(week3["goal"]) in out
    assert len(week3["targets"]) >= 3
    for target in week3["targets"]:
        assert flat(target) in out
    for d in week3["days"]:
        assert d["title"] in out
    assert "Week 2:" not in out and "Week 4:" not in out


def test_roadmap_week_with_dates_once_started_and_bad_numbers(cli):
    start_plan(cli, on=day(1))
    r = cli("roadmap", "--week", "2", now=at(day(9)))
    assert r.exit_code == 0
    assert "Sat 28 Nov" in r.output  # day 9 runs on the 28th
    for bad in ("0", "5", "x"):
        r = cli("roadmap", "--week", bad, now=at(day(1)))
        assert r.exit_code == 2 and "--week" in r.output, (bad, r.output)


def test_the_last_two_days_are_light_review_not_forty_new_cards(cli):
    start_plan(cli, on=day(1))
    for n in (29, 30):
        r = cli("today", now=at(day(n)))
        assert r.exit_code == 0, r.output
        assert re.search(r"· 0 due · 0 new\b", r.output), r.output
        assert "40 new" not in r.output
        assert "pacing: light review" in flat(r.output).lower()
        assert "limit is used up" not in r.output  # no new cards by design, not a used-up limit
        idle = cli("drill", now=at(day(n)))
        assert "Nothing is due right now." in idle.output
        assert "limit is used up" not in idle.output
    # the day before still paces the unseen cards in
    r = cli("today", now=at(day(28)))
    assert not re.search(r"· 0 due · 0 new", r.output)


def test_light_review_follows_the_interview_in_a_compressed_plan(cli):
    start_plan(cli, on=day(1))
    cli(
        "config", "set", "interview_date", "2026-12-05", now=at(day(1))
    )  # 15 days: the plan is compressed
    for date in (dt.date(2026, 12, 3), dt.date(2026, 12, 4)):
        r = cli("today", now=at(date))
        assert "pacing: light review" in flat(r.output).lower(), r.output
        assert re.search(r"· 0 due · 0 new\b", r.output), r.output
    r = cli("today", now=at(dt.date(2026, 12, 2)))
    assert "pacing: light review" not in flat(r.output).lower()
