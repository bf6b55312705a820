"""Minutes a day -> new cards a day, from the review load the scheduler predicts."""

from __future__ import annotations

import datetime as dt

import pytest

from studycli.scheduler import Scheduler
from studycli.study.budget import (
    NEW_MINUTES,
    REVIEW_MINUTES,
    daily_load,
    minutes_for,
    plan_budget,
    review_curve,
)


@pytest.fixture(scope="module")
def scheduler() -> Scheduler:
    return Scheduler()


def test_a_card_comes_back_a_few_times_in_a_month(scheduler: Scheduler) -> None:
    curve = review_curve(scheduler, 30)
    assert len(curve) == 31
    assert curve[0] == pytest.approx(0.3)  # only the same-day relearning after a first miss
    assert curve[1] == 0  # FSRS-6 defaults: a first Good comes back after two days, not one
    assert 2.5 < sum(curve) < 5  # reviews in the first month, misses included
    assert review_curve(scheduler, 60)[:31] == curve  # a longer horizon only adds days


def test_higher_retention_costs_more_reviews(scheduler: Scheduler) -> None:
    strict = Scheduler(desired_retention=0.97)
    assert sum(review_curve(strict, 30)) > sum(review_curve(scheduler, 30))


def test_load_adds_up_cohorts_until_the_pool_runs_out() -> None:
    curve = [0.0, 0.0, 1.0, 0.0, 0.5]
    assert daily_load(curve, 2, 3, 6) == [0, 0, 2.0, 1.0, 1.0, 0.5]


@pytest.mark.parametrize("minutes", [10, 20, 30, 45, 60, 90, 120])
def test_the_budget_is_the_largest_pace_that_fits(scheduler: Scheduler, minutes: int) -> None:
    budget = plan_budget(scheduler, minutes, pool=171, days=21)
    assert budget.fits and budget.busiest_minutes <= minutes
    assert budget.busiest_minutes >= budget.new_per_day * NEW_MINUTES  # day one alone
    one_more = plan_budget(scheduler, 10_000, pool=171, days=21)  # what an unlimited day takes
    if budget.new_per_day < one_more.new_per_day:
        needed = minutes_for(scheduler, budget.new_per_day + 1, 171, 21)
        assert needed > minutes  # one more new card a day would not fit


def test_more_minutes_never_buy_fewer_cards(scheduler: Scheduler) -> None:
    paces = [plan_budget(scheduler, m, pool=171, days=21).new_per_day for m in range(10, 181, 5)]
    assert paces == sorted(paces)
    assert paces[0] >= 1 and paces[-1] > paces[0]


def test_a_small_pool_caps_the_pace(scheduler: Scheduler) -> None:
    budget = plan_budget(scheduler, 600, pool=12, days=21)
    assert budget.new_per_day == 12 and budget.all_seen_after == 1


def test_too_little_time_still_plans_one_card_and_says_so(scheduler: Scheduler) -> None:
    budget = plan_budget(scheduler, 2, pool=171, days=21)
    assert budget.new_per_day == 1 and not budget.fits


def test_the_line_and_the_dates(scheduler: Scheduler) -> None:
    budget = plan_budget(scheduler, 30, pool=171, days=21)
    assert budget.line().startswith(f"30 min a day: {budget.new_per_day} new cards a day, about ")
    start = dt.date(2026, 12, 1)
    assert budget.all_seen_on(start) == start + dt.timedelta(days=budget.all_seen_after - 1)
    assert budget.review_minutes == REVIEW_MINUTES
