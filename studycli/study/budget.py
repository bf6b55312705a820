"""Minutes a day -> new cards a day, from the review load FSRS itself predicts.

A new card costs its first sight and then the reviews it brings back on later days.
`review_curve` follows one card through the scheduler, branching on recall (a review
succeeds with the desired retention's probability; a first sight fails with
`FIRST_SIGHT_MISS`, an unknown question being the usual case), and returns the
expected number of reviews it costs on each day after it was introduced. `plan_budget`
lays N new cards a day over the days before the interview, adds up each day's expected
minutes, and keeps the largest N whose busiest day fits the budget.

Pure: the scheduler, the sizes and the dates are arguments.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from studycli.scheduler import RELEARN_MS, CardState, Scheduler
from studycli.study.roadmap import MAX_NEW_PER_DAY
from studycli.vocab import AGAIN, GOOD

NEW_MINUTES = 3.0  # read the question, type an answer, read the model answer, rate
REVIEW_MINUTES = 1.5  # a card seen before: shorter answers, quicker reading
FIRST_SIGHT_MISS = 0.3  # share of first sights rated Again
_DAY_MS = 86_400_000


def review_curve(scheduler: Scheduler, days: int) -> list[float]:
    """Expected reviews of one card on each day 0..days after its first sight (day 0 holds
    only a same-day relearning after a miss; the first sight itself is not a review)."""
    curve = [0.0] * (days + 1)
    recall = scheduler.desired_retention

    def good(state: CardState, day: int) -> CardState:
        return scheduler.apply(state, GOOD, day * _DAY_MS, day)

    def missed(state: CardState, day: int, p: float) -> CardState:
        """Again, then Good at the same-day relearning review (which counts as a review)."""
        again = scheduler.apply(state, AGAIN, day * _DAY_MS, day)
        curve[day] += p
        return scheduler.apply(again, GOOD, day * _DAY_MS + RELEARN_MS, day)

    def walk(state: CardState, p: float) -> None:
        due = state.due_day
        if due is None or due > days or p < 1e-4:
            return
        curve[due] += p
        walk(good(state, due), p * recall)
        walk(missed(state, due, p * (1 - recall)), p * (1 - recall))

    first = CardState("budget")
    walk(good(first, 0), 1 - FIRST_SIGHT_MISS)
    walk(missed(first, 0, FIRST_SIGHT_MISS), FIRST_SIGHT_MISS)
    return curve


@dataclass(frozen=True)
class Budget:
    """What a daily time budget buys over the days before the interview."""

    minutes: int
    new_per_day: int
    pool: int  # new cards to see
    days: int  # days planned (to the interview, or the plan's length)
    busiest_minutes: float  # expected minutes on the busiest day at this pace
    reviews_on_busiest: float
    all_seen_after: int  # days until every card of the pool has been seen once
    fits: bool  # False when even one new card a day is over budget
    new_minutes: float = NEW_MINUTES
    review_minutes: float = REVIEW_MINUTES

    def all_seen_on(self, start: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.all_seen_after - 1)

    def line(self) -> str:
        """ "30 min a day: 6 new cards a day, about 28 min on the busiest day (14 reviews)"."""
        return (
            f"{self.minutes} min a day: {self.new_per_day} new card"
            f"{'' if self.new_per_day == 1 else 's'} a day, about "
            f"{round(self.busiest_minutes)} min on the busiest day "
            f"({round(self.reviews_on_busiest)} reviews)"
        )


def daily_load(curve: list[float], new_per_day: int, pool: int, days: int) -> list[float]:
    """Expected reviews on each of `days` days at `new_per_day` until the pool runs out."""
    intro = [0] * days
    left = pool
    for d in range(days):
        intro[d] = min(new_per_day, left)
        left -= intro[d]
    return [
        sum(intro[k] * curve[d - k] for k in range(d + 1) if d - k < len(curve))
        for d in range(days)
    ]


def _cost(
    curve: list[float], n: int, pool: int, days: int, t_new: float, t_rev: float
) -> tuple[float, float]:
    """(minutes, reviews) of the busiest day at `n` new cards a day."""
    reviews = daily_load(curve, n, pool, days)
    left = pool
    costs = []
    for d in range(days):
        new_today = min(n, left)
        left -= new_today
        costs.append((new_today * t_new + reviews[d] * t_rev, reviews[d]))
    return max(costs)


def plan_budget(
    scheduler: Scheduler,
    minutes: int,
    pool: int,
    days: int,
    *,
    new_minutes: float = NEW_MINUTES,
    review_minutes: float = REVIEW_MINUTES,
) -> Budget:
    """The most new cards a day whose busiest day stays within `minutes`."""
    days = max(1, days)
    curve = review_curve(scheduler, days)
    best = 1
    for n in range(1, max(1, min(pool, MAX_NEW_PER_DAY)) + 1):
        if _cost(curve, n, pool, days, new_minutes, review_minutes)[0] > minutes:
            break
        best = n
    busiest, reviews = _cost(curve, best, pool, days, new_minutes, review_minutes)
    return Budget(
        minutes=minutes,
        new_per_day=best,
        pool=pool,
        days=days,
        busiest_minutes=busiest,
        reviews_on_busiest=reviews,
        all_seen_after=max(1, math.ceil(pool / best)),
        fits=busiest <= minutes,
        new_minutes=new_minutes,
        review_minutes=review_minutes,
    )


def minutes_for(
    scheduler: Scheduler,
    new_per_day: int,
    pool: int,
    days: int,
    *,
    new_minutes: float = NEW_MINUTES,
    review_minutes: float = REVIEW_MINUTES,
) -> float:
    """The daily minutes `new_per_day` needs on its busiest day, unrounded."""
    curve = review_curve(scheduler, max(1, days))
    return _cost(curve, new_per_day, pool, max(1, days), new_minutes, review_minutes)[0]
