"""The 30-day roadmap: day numbering, weeks, behind-plan, compression, tasks, pacing."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studycli.storage.plans import done_tasks
from studycli.study.roadmap import Schedule, mark_tasks, pacing, plan_today, propose_catch_up

START = dt.date(2026, 11, 20)
INTERVIEW = dt.date(2026, 12, 20)  # 30 days after the start: the plan fits exactly


def at(date: dt.date, hour: int = 9) -> str:
    return f"{date.isoformat()}T{hour:02d}:00:00+00:00"


def day(n: int) -> dt.date:
    """Calendar date of calendar day n of a plan started on START."""
    return START + dt.timedelta(days=n - 1)


def start_plan(cli, on: dt.date):
    """`roadmap start` toward INTERVIEW from START, run on the date `on`."""
    return cli(
        "roadmap", "start", "--interview", INTERVIEW.isoformat(), "--start", START.isoformat(),
        now=at(on),
    )  # fmt: skip


# --------------------------------------------------------------------------- core


def test_day_numbering_and_week_transitions(catalogue):
    s = Schedule(catalogue.roadmap, START, INTERVIEW)
    assert not s.compressed and s.calendar_days == 30 and s.end == dt.date(2026, 12, 19)
    expect = {1: (1, "Foundations"), 7: (1, "Foundations"), 8: (2, "Production Patterns"),
              14: (2, "Production Patterns"), 15: (3, "Senior Topics"), 21: (3, "Senior Topics"),
              22: (4, "Mocks and Reverse Questions"),
              30: (4, "Mocks and Reverse Questions")}  # fmt: skip
    for n, (week, title) in expect.items():
        view = plan_today(s, {}, day(n))
        assert view.status == "active"
        assert view.day_number == n and [d.day for d in view.days] == [n]
        assert (view.week.week, view.week.title) == (week, title)
        assert view.days_to_interview == 31 - n
    assert plan_today(s, {}, day(9)).headline() == (
        "Day 9 of 30 · Week 2: Production Patterns · 22 days to the interview"
    )
    assert plan_today(s, {}, day(30)).headline().endswith("· 1 day to the interview")
    assert plan_today(s, {}, INTERVIEW).status == "interview-day"
    assert plan_today(s, {}, INTERVIEW + dt.timedelta(days=2)).status == "interview-passed"
    before = plan_today(s, {}, START - dt.timedelta(days=3))
    assert before.status == "not-started" and not before.overdue
    assert before.headline().startswith("The plan starts on 2026-11-20 (in 3 days)")


def test_plan_longer_than_needed_finishes_before_the_interview(catalogue):
    s = Schedule(catalogue.roadmap, START, START + dt.timedelta(days=40))
    assert not s.compressed and s.end == day(30)
    view = plan_today(s, {}, day(33))
    assert view.status == "finished" and view.days_to_interview == 8
    assert "Plan complete" in view.headline()


def test_behind_plan_detection_and_catch_up(catalogue):
    s = Schedule(catalogue.roadmap, START, INTERVIEW)
    tasks = catalogue.roadmap.tasks
    day1 = [t.id for t in catalogue.roadmap.day(1).tasks]
    day2 = [t.id for t in catalogue.roadmap.day(2).tasks]
    done = {tid: day(1).toordinal() for tid in day1 + day2[:1]}
    on_day2 = plan_today(s, done, day(2))
    assert not on_day2.behind and on_day2.catch_up is None  # today's own tasks are not "behind"
    view = plan_today(s, done, day(3))
    assert view.behind and [t.id for t in view.overdue] == day2[1:]
    assert view.catch_up is not None and view.catch_up.tasks == len(day2) - 1
    assert view.catch_up.days[0][0] == day(3)  # starts today
    # A large backlog: at most three extra tasks a day, all before the interview day; what
    # does not fit is left out, keeping mocks and writing over reading and drills.
    everything = plan_today(s, {}, day(20))
    assert len(everything.overdue) == sum(len(catalogue.roadmap.day(n).tasks) for n in range(1, 20))
    plan = everything.catch_up
    assert plan is not None and plan.tasks + len(plan.dropped) == len(everything.overdue)
    assert plan.tasks == 3 * 11  # eleven days to the interview, three extra tasks each
    assert all(len(ts) == 3 for _, ts in plan.days)
    assert plan.days[-1][0] == INTERVIEW - dt.timedelta(days=1)
    kept = [t for _, ts in plan.days for t in ts]
    rank = {"mock": 0, "write": 1, "build": 2, "read": 3, "drill": 4}
    assert max(rank[t.kind] for t in kept) <= min(rank[t.kind] for t in plan.dropped)
    kinds = [t.kind for t in kept]
    first_drill = kinds.index("drill") if "drill" in kinds else len(kinds)
    assert all(k == "drill" for k in kinds[first_drill:])  # drill tasks last
    # Two days before the interview: six extra tasks at most, the most useful ones.
    squeezed = propose_catch_up(
        list(tasks.values())[:20], INTERVIEW - dt.timedelta(days=2), INTERVIEW
    )
    assert [d for d, _ in squeezed.days] == [
        INTERVIEW - dt.timedelta(days=2),
        INTERVIEW - dt.timedelta(days=1),
    ]
    assert squeezed.tasks == 6 and len(squeezed.dropped) == 14
    assert all(t.kind != "read" for _, ts in squeezed.days for t in ts)


def test_compressed_plan_keeps_every_day_and_the_eve(catalogue):
    interview = START + dt.timedelta(days=20)
    s = Schedule(catalogue.roadmap, START, interview)
    assert s.compressed and s.calendar_days == 20 and s.end == interview - dt.timedelta(days=1)
    first = plan_today(s, {}, START)
    assert [d.day for d in first.days] == [1, 2]
    assert first.headline() == (
        "Day 1 of 20 · Week 1: Foundations · plan days 1-2 · 20 days to the interview"
    )
    last = plan_today(s, {}, s.end)
    assert [d.day for d in last.days] == [30]
    assert (
        "30 plan days run in 20; 10 calendar days carry more than one plan day"
        in s.compression_note()
    )


@settings(max_examples=60, deadline=None)
@given(available=st.integers(min_value=1, max_value=45))
def test_compression_is_a_monotone_cover(catalogue, available):
    s = Schedule(catalogue.roadmap, START, START + dt.timedelta(days=available))
    seen = []
    for offset in range(s.calendar_days):
        nums = [d.day for d in s.days_on(START + dt.timedelta(days=offset))]
        assert nums, f"calendar day {offset + 1} has no plan day"
        assert len(nums) <= math.ceil(30 / min(available, 30))
        seen += nums
    assert seen == list(range(1, 31))  # each plan day exactly once, in order
    assert s.date_of(30) == s.end


def test_mark_tasks_append_only_and_unknown_ids(store, catalogue):
    rm = catalogue.roadmap
    now = dt.datetime(2026, 11, 22, 9, tzinfo=dt.UTC)
    a, b = list(rm.tasks)[:2]
    assert mark_tasks(store, rm, [a, b], "done", now, 4) == [(a, True), (b, True)]
    assert mark_tasks(store, rm, [a], "done", now, 4) == [(a, False)]
    assert mark_tasks(store, rm, [a], "undone", now + dt.timedelta(minutes=1), 4) == [(a, True)]
    assert set(done_tasks(store)) == {b}
    with pytest.raises(Exception) as err:
        mark_tasks(store, rm, [b, "d01-nope"], "undone", now, 4)
    assert "TASK_ID: no task 'd01-nope'" in str(err.value)
    kinds = store.conn.execute("SELECT task_id, kind FROM plan_log ORDER BY id").fetchall()
    assert kinds == [(a, "done"), (b, "done"), (a, "undone")]  # the failed call wrote nothing


# --------------------------------------------------------------------------- CLI


def test_start_today_and_week_transition_through_the_cli(cli, isolated_home, tasks_of):
    r = start_plan(cli, on=day(3))
    assert r.exit_code == 0, r.output
    assert "Roadmap started on 2026-11-20" in r.output
    assert "interview_date: '2026-12-20'" in (isolated_home / "config.yaml").read_text()
    r = cli("today", now=at(day(7)))
    assert r.output.startswith("Day 7 of 30 · Week 1: Foundations · 24 days to the interview")
    assert "Focus: foundations · hallucination · coding" in r.output
    for t in tasks_of(7):
        assert t in r.output
    assert "Next: studycli drill" in r.output
    r = cli("today", now=at(day(8)))
    assert r.output.startswith(
        "Day 8 of 30 · Week 2: Production Patterns · 23 days to the interview"
    )
    # Before the day's rollover hour (4:00) it is still the previous study day.
    assert cli("today", now=f"{day(8).isoformat()}T03:00:00+00:00").output.startswith("Day 7 of 30")


@pytest.fixture
def tasks_of(catalogue):
    return lambda n: [t.id for t in catalogue.roadmap.day(n).tasks]


def test_today_behind_and_catch_up_then_done_clears_it(cli, tasks_of):
    start_plan(cli, on=day(1))
    d1, d2 = tasks_of(1), tasks_of(2)
    assert cli("roadmap", "done", *d1, now=at(day(1))).exit_code == 0
    r = cli("roadmap", "done", d2[0], now=at(day(2)))
    assert f"Done: {d2[0]} (day 2: 1/{len(d2)} done)" in r.output
    r = cli("today", now=at(day(3)))
    n = len(d2) - 1
    assert f"Behind: {n} tasks from day 2 are not done." in r.output
    assert "today:" in r.output and all(t in r.output for t in d2[1:])
    r = cli("roadmap", "done", *d2[1:], now=at(day(3)))
    assert r.exit_code == 0
    assert "Behind" not in cli("today", now=at(day(3))).output
    r = cli("roadmap", "undo", d2[1], now=at(day(3)))
    assert f"Not done: {d2[1]}" in r.output
    assert "Behind: 1 task from day 2 is not done." in cli("today", now=at(day(3))).output


def test_roadmap_view_marks_today_done_and_behind(cli, tasks_of):
    start_plan(cli, on=day(3))
    cli("roadmap", "done", *tasks_of(1), now=at(day(3)))
    out = cli("roadmap", now=at(day(3))).output
    assert "Start 2026-11-20 · interview 2026-12-20" in out
    assert "Week 1: Foundations" in out and "Week 4: Mocks and Reverse Questions" in out
    lines = out.splitlines()
    rows = [re.match(r"^ (✓|▶|!|·|◐) +(\d+)  ", ln) for ln in lines]
    row = {int(m.group(2)): ln for m, ln in zip(rows, lines, strict=True) if m}
    assert sorted(row) == list(range(1, 31))
    assert row[1].lstrip().startswith("✓") and "Fri 20 Nov" in row[1]
    assert row[2].lstrip().startswith("!") and "behind" in row[2]
    assert row[3].lstrip().startswith("▶") and "today" in row[3]
    assert row[4].lstrip().startswith("·")
    assert tasks_of(3)[0] in out  # today's tasks are listed with their ids
    assert tasks_of(5)[0] not in out
    assert tasks_of(5)[0] in cli("roadmap", "--tasks", now=at(day(3))).output


def test_compressed_plan_is_said_and_follows_config_changes(cli):
    start_plan(cli, on=day(1))
    assert "Compressed" not in cli("today", now=at(day(5))).output
    # The interview moves forward: one source of truth (config interview_date), the plan compresses.
    assert cli("config", "set", "interview_date", "2026-12-05", now=at(day(5))).exit_code == 0
    out = cli("today", now=at(day(5))).output
    assert out.startswith(
        "Day 5 of 15 · Week 2: Production Patterns · plan days 9-10 · 11 days to the interview"
    )
    assert (
        "Compressed plan: the interview is 15 days after the start, so the 30 plan days run in 15"
        in out
    )
    assert "Behind:" in out  # plan days 1-8 ran on the first four days
    out = cli("roadmap", now=at(day(5))).output
    assert "Compressed plan" in out and "plan days 9-10" in out


def test_start_errors_are_one_line_exit_2(cli, isolated_home):
    r = cli("roadmap", "start", "--interview", "2026-13-01", now=at(day(1)))
    assert r.exit_code == 2 and r.output.strip() == (
        "studycli: --interview: cannot read '2026-13-01' as a date; "
        "try 2026-12-22, 22 Dec, Dec 22, next friday, in 3 weeks or +21d"
    )
    r = cli("roadmap", "start", "--interview", "2026-11-19", now=at(day(1)))
    assert r.exit_code == 2 and r.output.strip() == (
        "studycli: --interview: 2026-11-19 (Thursday) has passed; today is 2026-11-20"
    )
    r = cli("roadmap", "start", "--interview", "Nov 25", "--start", "in 6 days", now=at(day(1)))
    assert (
        r.exit_code == 2
        and "--interview: the interview (2026-11-25) must be after the plan start (2026-11-26)"
        in r.output
    )
    r = cli("roadmap", "start", "--start", "3/4/2026", now=at(day(1)))
    assert r.exit_code == 2 and "--start: '3/4/2026' is ambiguous" in r.output
    r = cli("roadmap", "done", "no-such-task", now=at(day(1)))
    assert (
        r.exit_code == 2
        and r.output.count("\n") == 1
        and "TASK_ID: no task 'no-such-task'" in r.output
    )
    # Nothing was written by the failures.
    assert not (isolated_home / "config.yaml").exists()
    db = sqlite3.connect(isolated_home / "studycli.db")
    assert (
        db.execute("SELECT count(*) FROM settings WHERE key = 'roadmap_start'").fetchone()[0] == 0
    )
    assert db.execute("SELECT count(*) FROM plan_log").fetchone()[0] == 0


def test_today_without_a_plan_says_how_to_start(cli):
    out = cli("today", now=at(day(1))).output
    assert out.startswith("No plan yet: 'studycli init' lays the 30-day plan out")
    assert "0 due · 15 new" in out


# --------------------------------------------------------------------------- pacing


def test_pacing_order_puts_todays_focus_first(catalogue):
    s = Schedule(catalogue.roadmap, START, INTERVIEW)
    p = pacing(s, catalogue.cards.values(), {}, 0, day(5))  # focus: rag, embeddings, vector-db
    assert p is not None and p.unseen == len(catalogue.cards)
    assert p.target == INTERVIEW - dt.timedelta(days=6) and p.days_left == 20
    assert p.new_per_day == math.ceil(len(catalogue.cards) / 20)
    first = p.order(list(catalogue.cards.values()))[: p.new_per_day]
    focus = {"rag", "embeddings", "vector-db"}
    assert all(focus & ({c.deck} | set(c.tags)) for c in first)
    assert pacing(s, catalogue.cards.values(), {}, 0, INTERVIEW) is None
    assert pacing(s, catalogue.cards.values(), {}, 0, START - dt.timedelta(days=1)) is None


def test_pacing_late_is_spread_to_the_interview_and_capped(catalogue):
    from studycli.study.roadmap import MAX_NEW_PER_DAY

    s = Schedule(catalogue.roadmap, START, INTERVIEW)
    cards = list(catalogue.cards.values())
    late = pacing(s, cards, {}, 0, INTERVIEW - dt.timedelta(days=3))
    assert late is not None and late.late and late.days_left == 3
    assert late.new_per_day == MAX_NEW_PER_DAY and late.capped  # 171 / 3 would be 57
    few = pacing(s, cards[:50], {}, 0, INTERVIEW - dt.timedelta(days=3))
    assert few.late and not few.capped and few.new_per_day == math.ceil(50 / 3)
    on_time = pacing(s, cards, {}, 0, day(1))
    assert not on_time.late and not on_time.capped and on_time.days_left == 24


def test_upcoming_new_cards_keep_the_daily_cap_of_a_time_budget(catalogue):
    from studycli.study.roadmap import upcoming_new

    s = Schedule(catalogue.roadmap, START, INTERVIEW)
    cards = list(catalogue.cards.values())
    free = pacing(s, cards, {}, 0, day(1))
    capped = pacing(s, cards, {}, 0, day(1), most=4)  # what 30 minutes a day allows
    assert capped.new_per_day == 4 < free.new_per_day
    ahead, ahead_capped = upcoming_new(s, free, day(1)), upcoming_new(s, capped, day(1))
    assert sum(ahead) == len(cards)  # every card seen before the target day
    assert max(ahead_capped) == 4 and sum(ahead_capped) < len(cards)
    assert ahead_capped[-2:] == [0, 0]  # none on the light days


def simulate(store, catalogue, schedule, first: dt.date, last: dt.date, ratings):
    """A candidate who runs an unfiltered drill every morning and rates by a fixed pattern."""
    from studycli.scheduler import Scheduler
    from studycli.study.day_plan import Limits, plan_day
    from studycli.study.drill import Drill

    store.conn.execute("PRAGMA synchronous = OFF")  # speed only; the data is the same
    sched = Scheduler()
    cards = list(catalogue.cards.values())
    pattern = itertools.cycle(ratings)
    seen_by: dict[dt.date, int] = {}
    new_by_day: dict[dt.date, list[str]] = {}
    date = first
    while date <= last:
        now = dt.datetime.combine(date, dt.time(8), tzinfo=dt.UTC)
        seen = store.seen_cards()[0]
        p = pacing(schedule, cards, seen, store.new_introduced_on(date.toordinal()), date)
        limits = Limits(p.new_per_day, 200) if p else Limits(0, 200)
        plan = plan_day(
            [c.id for c in cards], catalogue.cards, store, now, 4, limits,
            new_order=p.order if p else None,
        )  # fmt: skip
        new_by_day[date] = list(plan.new)
        drill = Drill(store, sched, catalogue, list(plan.queue))
        minute = 0
        while drill.current is not None:
            minute += 1
            drill.rate(next(pattern), now + dt.timedelta(minutes=minute * 11))
        seen_by[date] = sum(1 for s in store.states().values() if s.reps > 0)
        date += dt.timedelta(days=1)
    return seen_by, new_by_day


def test_pacing_every_card_seen_six_days_before_the_interview(store, catalogue):
    schedule = Schedule(catalogue.roadmap, START, INTERVIEW)
    store.set_setting("roadmap_start", START.isoformat())
    total = len(catalogue.cards)
    seen_by, new_by_day = simulate(
        store, catalogue, schedule, START, INTERVIEW - dt.timedelta(days=1), [3, 3, 2, 3, 1, 4, 3]
    )
    target = INTERVIEW - dt.timedelta(days=6)
    assert seen_by[target - dt.timedelta(days=1)] == total  # all seen by interview minus six days
    assert seen_by[target - dt.timedelta(days=3)] < total  # ...and not front-loaded
    per_day = [len(v) for d, v in new_by_day.items() if d < target]
    assert max(per_day) - min(per_day) <= 1  # evenly spread: no crunch
    assert all(
        not new_by_day[d] for d in new_by_day if d >= target
    )  # the last days are review only
    # Focus first: each day's new cards come from that day's focus tags while any are unseen.
    day5 = catalogue.roadmap.day(5)
    assert all(
        {c for c in day5.focus} & ({catalogue.cards[i].deck} | set(catalogue.cards[i].tags))
        for i in new_by_day[day(5)]
    )


def test_pacing_compressed_and_behind_candidate_catches_up(store, catalogue):
    """Interview 15 days after the start, the first four days skipped: all seen in time still."""
    interview = START + dt.timedelta(days=15)
    schedule = Schedule(catalogue.roadmap, START, interview)
    seen_by, new_by_day = simulate(
        store,
        catalogue,
        schedule,
        START + dt.timedelta(days=4),
        interview - dt.timedelta(days=1),
        [3, 2, 3, 1, 3],
    )
    target = dt.date.fromordinal(schedule.target_day())
    assert target == interview - dt.timedelta(days=3)  # a fifth of a 15-day run is kept for review
    assert seen_by[target - dt.timedelta(days=1)] == len(catalogue.cards)


def test_drill_and_today_follow_pacing_when_a_plan_runs(cli, catalogue, isolated_home):
    start_plan(cli, on=day(5))
    expected = math.ceil(len(catalogue.cards) / 20)
    out = cli("today", now=at(day(5))).output
    assert f"Pacing: {expected} new cards a day, today's focus first" in out
    assert f"0 due · {expected} new" in out
    r = cli("drill", "--limit", "1", now=at(day(5)), input="an answer\n\n3\n")
    assert r.exit_code == 0, r.output
    db = sqlite3.connect(isolated_home / "studycli.db")
    (card_id,) = db.execute("SELECT card_id FROM review_entries").fetchone()
    card = catalogue.cards[card_id]
    assert {"rag", "embeddings", "vector-db"} & ({card.deck} | set(card.tags))
    # A filtered drill keeps the configured daily limit (15, one used): all 10 incident cards.
    r = cli("drill", "--deck", "incidents", "--limit", "1", now=at(day(5)), input="x\n\n3\n")
    assert r.exit_code == 0 and "0 due · 10 new" in r.output


def test_adherence_for_the_report(store, catalogue):
    from studycli.storage.config import Config
    from studycli.study.roadmap import adherence, report_section, set_start

    rm = catalogue.roadmap
    assert adherence(rm, store, INTERVIEW, day(3)) is None  # not started
    set_start(store, START)
    d1, d2 = [t.id for t in rm.day(1).tasks], [t.id for t in rm.day(2).tasks]
    on_day = dt.datetime.combine(day(1), dt.time(9), tzinfo=dt.UTC)
    mark_tasks(store, rm, d1, "done", on_day, 4)  # on time
    mark_tasks(store, rm, d2[:1], "done", on_day + dt.timedelta(days=2), 4)  # a day late
    a = adherence(rm, store, INTERVIEW, day(3))
    assert a["start"] == "2026-11-20" and a["interview"] == "2026-12-20" and a["day"] == 3
    assert a["status"] == "active" and not a["compressed"] and a["calendar_days"] == 30
    assert a["tasks_total"] == len(rm.tasks) and a["tasks_due"] == len(d1) + len(d2)
    assert a["done_of_due"] == len(d1) + 1 and a["tasks_done"] == len(d1) + 1
    assert a["on_time"] == len(d1)
    assert a["rate"] == round((len(d1) + 1) / (len(d1) + len(d2)), 4)
    assert a["behind"] == d2[1:]
    assert a["days"][0] == {
        "date": "2026-11-20",
        "plan_days": [1],
        "tasks": len(d1),
        "done": len(d1),
    }
    assert len(a["days"]) == 30
    cfg = Config({"interview_date": "2026-12-05"})  # compressed: 15 days
    sec = report_section(store=store, catalogue=catalogue, config=cfg, today=day(3).toordinal())
    assert (
        sec["compressed"] and sec["calendar_days"] == 15 and sec["days"][0]["plan_days"] == [1, 2]
    )
