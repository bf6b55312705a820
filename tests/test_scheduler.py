"""FSRS-6 scheduling with fixed datetimes and exact expectations."""

from __future__ import annotations

import datetime as dt

import pytest

from studycli.clock import study_day, to_ms
from studycli.scheduler import CardState, Scheduler, format_interval
from studycli.vocab import AGAIN, EASY, GOOD, HARD

UTC = dt.UTC


def test_study_day_rolls_over_at_four_am():
    before = study_day(dt.datetime(2026, 11, 23, 3, 59, tzinfo=UTC), 4)
    after = study_day(dt.datetime(2026, 11, 23, 4, 0, tzinfo=UTC), 4)
    assert before == dt.date(2026, 11, 22).toordinal()
    assert after == dt.date(2026, 11, 23).toordinal()
    assert (
        study_day(dt.datetime(2026, 11, 23, 0, 30, tzinfo=UTC), 0)
        == dt.date(2026, 11, 23).toordinal()
    )


def test_new_card_intervals_exact():
    sched = Scheduler()
    now = dt.datetime(2026, 11, 22, 9, tzinfo=UTC)
    day = study_day(now, 4)
    out = sched.outcomes(CardState("c"), to_ms(now), day)
    assert {r: o.label for r, o in out.items()} == {
        AGAIN: "10m",
        HARD: "1d",
        GOOD: "2d",
        EASY: "8d",
    }
    assert out[GOOD].state.due_day == day + 2
    assert out[GOOD].state.stability == pytest.approx(2.3065, abs=1e-4)
    assert out[AGAIN].state.due_ts == to_ms(now) + 10 * 60 * 1000
    assert out[AGAIN].state.phase == "learning" and out[AGAIN].state.due_day == day


def test_intervals_grow_after_successful_review():
    sched = Scheduler()
    t0 = dt.datetime(2026, 11, 22, 9, tzinfo=UTC)
    s1 = sched.apply(CardState("c"), GOOD, to_ms(t0), study_day(t0))
    t1 = t0 + dt.timedelta(days=2)
    out = sched.outcomes(s1, to_ms(t1), study_day(t1))
    labels = [out[r].label for r in (HARD, GOOD, EASY)]
    days = [out[r].state.due_day - study_day(t1) for r in (HARD, GOOD, EASY)]
    assert days == sorted(days) and len(set(days)) == 3
    assert days[1] > 2
    assert labels[1] == f"{days[1]}d"
    lapse = out[AGAIN].state
    assert lapse.lapses == 1 and lapse.phase == "relearning"


def test_each_button_strictly_longer_even_when_fsrs_ties():
    sched = Scheduler()
    t0 = dt.datetime(2026, 11, 22, 9, tzinfo=UTC)
    s = sched.apply(CardState("c"), AGAIN, to_ms(t0), study_day(t0))
    out = sched.outcomes(s, to_ms(t0) + 600_000, study_day(t0))
    assert [out[r].label for r in (HARD, GOOD, EASY)] == ["1d", "2d", "3d"]


def test_desired_retention_changes_intervals():
    t0 = dt.datetime(2026, 11, 22, 9, tzinfo=UTC)
    lax = Scheduler(desired_retention=0.8).apply(CardState("c"), GOOD, to_ms(t0), study_day(t0))
    strict = Scheduler(desired_retention=0.95).apply(CardState("c"), GOOD, to_ms(t0), study_day(t0))
    assert lax.due_day > strict.due_day


def test_retrievability_matches_fsrs6_formula():
    sched = Scheduler()
    w20 = sched.parameters[20]
    factor = 0.9 ** (-1 / w20) - 1
    state = CardState("c", phase="review", stability=10.0, difficulty=5.0, last_day=100)
    for t in (0, 1, 10, 30):
        assert sched.retrievability(state, 100 + t) == pytest.approx(
            (1 + factor * t / 10.0) ** (-w20)
        )
    assert sched.retrievability(state, 110) == pytest.approx(0.9)  # R = 90% at t = S by definition
    assert sched.retrievability(CardState("new"), 200) == 0.0


def test_replay_skips_undone_and_applies_suspend():
    sched = Scheduler()
    t0 = dt.datetime(2026, 11, 22, 9, tzinfo=UTC)
    d0 = study_day(t0)
    events = [
        ("u1", "review", to_ms(t0), d0, GOOD, None),
        ("u2", "review", to_ms(t0) + 1000, d0, AGAIN, None),
        ("u3", "undo", to_ms(t0) + 2000, d0, None, "u2"),
        ("u4", "suspend", to_ms(t0) + 3000, d0, None, None),
    ]
    state = sched.replay("c", events)
    only_good = sched.apply(CardState("c"), GOOD, to_ms(t0), d0, "u1")
    assert state.suspended
    assert state.stability == only_good.stability and state.due_day == only_good.due_day
    assert state.reps == 1


def test_format_interval():
    assert format_interval(5) == "5d"
    assert format_interval(45) == "1.5mo"
    assert format_interval(730) == "2.0y"
    assert format_interval(None, 10) == "10m"


def test_rating_out_of_range():
    with pytest.raises(ValueError):
        Scheduler().apply(CardState("c"), 5, 0, 1)
