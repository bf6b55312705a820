"""The interview planner (study/interview.py) on a fixed calendar: its FSRS-6 formulas
against fsrs-rs itself, a card pulled forward to its best day, the budget, the light last
days, and nothing planned on or after the interview day; then a small simulated candidate
(bench/interview_sim.py) that must gain over plain FSRS."""

from __future__ import annotations

import datetime as dt
import importlib.util
import itertools
import math

import fsrs_rs_python as fsrs
import pytest

from studycli.scheduler import CardState, Scheduler
from studycli.study.interview import InterviewSettings, Model, flatter_budgets, plan_interview

from .helpers import ROOT

T = dt.date(2026, 12, 1).toordinal()  # today
IV = dt.date(2026, 12, 22).toordinal()  # the interview


def _sim():
    spec = importlib.util.spec_from_file_location(
        "interview_sim", ROOT / "bench" / "interview_sim.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- the model


@pytest.mark.parametrize(
    ("s", "d", "elapsed"),
    list(itertools.product([0.3, 2.3, 9.0, 41.0, 400.0], [1.0, 4.2, 7.7, 10.0], [1, 3, 12, 60])),
)
def test_model_matches_fsrs_rs(s: float, d: float, elapsed: int) -> None:
    engine = fsrs.FSRS(list(fsrs.DEFAULT_PARAMETERS))
    m = Model()
    nxt = engine.next_states(fsrs.MemoryState(s, d), 0.9, elapsed)
    r = m.recall(elapsed, s)
    assert m.after_good(s, d, r) == pytest.approx(nxt.good.memory.stability, rel=1e-4)
    # Again, then Good the same session (as the drill asks a lapsed card again)
    again = nxt.again.memory
    relearnt = engine.next_states(again, 0.9, 0).good.memory
    s1, d1 = m.after_lapse(s, d, r)
    assert s1 == pytest.approx(relearnt.stability, rel=1e-4)
    assert d1 == pytest.approx(relearnt.difficulty, abs=1e-4)


def test_recall_is_the_schedulers_retrievability() -> None:
    scheduler, m = Scheduler(), Model()
    state = CardState("c", phase="review", stability=7.5, difficulty=5.0, last_day=T)
    for day in (T, T + 1, T + 7, T + 30):
        assert m.recall(day - T, 7.5) == pytest.approx(
            scheduler.retrievability(state, day), rel=1e-12
        )
    assert m.days_until(0.9, 7.5) == pytest.approx(7.5, rel=1e-9)  # FSRS: S is the 90% interval


def test_model_needs_fsrs6_parameters() -> None:
    with pytest.raises(ValueError, match="21 parameters"):
        Model(list(fsrs.DEFAULT_PARAMETERS)[:19])


def test_value_prefers_a_late_review_and_counts_lapses() -> None:
    m = Model()
    early, cost_early, _ = m.value(10.0, 5.0, T - 5, T, IV)
    late, cost_late, _ = m.value(10.0, 5.0, T - 5, IV - 2, IV)
    assert late > early > m.recall(IV - (T - 5), 10.0)
    assert cost_late > cost_early > 1  # recall is lower later: more lapses to relearn


# --------------------------------------------------------------------------- the planner


def test_card_fsrs_shows_after_the_interview_is_pulled_to_its_best_day() -> None:
    # Reviewed 3 days ago with S = 12: FSRS's next review is after the interview, but
    # recall on the day would be below 0.9 without one.
    card = ("rag-1", 12.0, 5.0, T - 3, IV + 3)
    assert Model().recall(IV - (T - 3), 12.0) < 0.9
    plan = plan_interview([card], T, IV)
    assert plan.next_review["rag-1"] == IV - 2  # the last day that leaves one to relearn a lapse
    assert plan.due == []
    assert plan.recall_now < 0.9
    on_the_day = plan_interview([card], IV - 2, IV)
    assert on_the_day.due == ["rag-1"]
    assert on_the_day.reasons["rag-1"] == "reviewed early so it is fresh on 22 Dec"
    assert on_the_day.recall_today > 0.95 > on_the_day.recall_now


def test_safe_card_is_left_alone_and_a_due_card_that_can_wait_is_held() -> None:
    safe = ("safe", 300.0, 3.0, T - 10, T + 290)
    waits = ("waits", 25.0, 4.0, T - 25, T)  # due today by FSRS; a review nearer the day is better
    plan = plan_interview([safe, waits], T, IV)
    assert "safe" not in plan.next_review
    assert plan.due == []
    assert plan.held == ["waits"]
    assert T < plan.next_review["waits"] < IV


def test_card_at_target_gets_a_review_only_from_room_left() -> None:
    # First answer rated Easy eight days out (S = 8.3): just over 0.90 on the day, so not
    # needed; one review would bring it near 0.99, so room left under the level buys one.
    easy = ("easy", 8.2956, 2.0, IV - 8, IV)
    assert 0.9 <= Model().recall(8, 8.2956) < 0.91
    assert plan_interview([easy], IV - 7, IV).next_review == {"easy": IV - 2}
    no_room = InterviewSettings(min_gain=0.5)  # no review gains that much
    assert plan_interview([easy], IV - 7, IV, settings=no_room).next_review == {}


def test_weak_card_is_reviewed_when_fsrs_says() -> None:
    weak = ("weak", 0.4, 9.5, T - 1, T)  # relearnt yesterday: cannot wait for the last week
    plan = plan_interview([weak], T, IV)
    assert plan.due == ["weak"]
    assert "weak" not in plan.reasons  # FSRS has it due too: nothing to explain


def test_budget_is_respected_and_the_last_days_are_light() -> None:
    cfg = InterviewSettings(reviews_per_day=12)
    cards = [(f"c{i}", 8.0 + i % 7, 5.0, T - 6 - i % 5, T + 3 + i % 4) for i in range(90)]
    plan = plan_interview(cards, T, IV, settings=cfg)
    assert plan.level <= 12
    normal, light = plan.per_day[: -cfg.light_days], plan.per_day[-cfg.light_days :]
    assert max(normal) <= plan.level + 1e-9
    assert max(light) <= plan.level * cfg.light_share + 1e-9
    assert len(plan.next_review) == 90  # every card that needs one has a review planned
    # a generous budget is not spent for its own sake: the level is what the cards need
    roomy = plan_interview(cards, T, IV)
    assert roomy.level < 200
    assert sum(roomy.per_day) < 2 * sum(plan.per_day)


def test_cards_still_to_come_keep_the_last_days_when_the_budget_binds() -> None:
    # 60 seen cards that could take their last review on any of the days left, and 10 new
    # cards a day for the next 4 days whose last review can only come late: under a budget
    # the seen cards move earlier, so the last normal day is not piled over the budget.
    cfg = InterviewSettings(reviews_per_day=25)
    seen = [(f"c{i}", 3.0, 5.0, T - 1, T + 2) for i in range(60)]
    plan = plan_interview(seen, IV - 9, IV, settings=cfg, upcoming=[10] * 4)
    normal = plan.per_day[: -cfg.light_days]
    assert max(normal) <= plan.level + 1e-9 and plan.level <= 25
    assert min(plan.next_review.values()) < IV - 5  # seen cards moved to earlier days


def test_flatter_budgets_spread_a_peaked_plan_only() -> None:
    cfg = InterviewSettings()
    assert flatter_budgets([5, 5, 5, 5, 80, 10], cfg) == [20, 30, 40, 60]
    assert flatter_budgets([20, 22, 19, 24, 10], cfg) == []  # already even
    assert flatter_budgets([], cfg) == []
    assert all(b < 80 for b in flatter_budgets([0, 0, 0, 0, 80, 0], cfg))


def test_upcoming_cards_hold_a_place_in_the_load() -> None:
    cards = [(f"c{i}", 9.0, 5.0, T - 5, T + 4) for i in range(30)]
    alone = plan_interview(cards, T, IV)
    crowded = plan_interview(cards, T, IV, upcoming=[20] * 10 + [0] * 11)
    assert sum(crowded.per_day) > sum(alone.per_day) + 150
    assert crowded.level > alone.level


def test_nothing_is_planned_on_or_after_the_interview_day() -> None:
    card = ("c", 3.0, 6.0, IV - 4, IV - 1)
    for today in (IV, IV + 1, IV + 30):
        plan = plan_interview([card], today, IV)
        assert (plan.due, plan.next_review, plan.per_day, plan.held) == ([], {}, [], [])
        assert plan.recall_now == plan.recall_today == plan.recall_planned
    assert plan_interview([], T, IV).cards == 0


def test_a_card_reviewed_today_is_not_asked_again() -> None:
    plan = plan_interview([("c", 1.0, 8.0, T, T + 1)], T, IV)
    assert plan.due == [] and plan.next_review == {}
    assert plan.cards == 1


def test_detail_predicts_recall_on_the_plan() -> None:
    cards = [(f"c{i}", 3.0 + i, 5.0, T - 3, T + i) for i in range(20)]
    plan = plan_interview(cards, T, IV, detail=True)
    assert not math.isnan(plan.recall_planned)
    assert plan.recall_planned > plan.recall_today >= plan.recall_now
    assert set(plan.expected) == set(plan.next_review)
    assert math.isnan(plan_interview(cards, T, IV).recall_planned)


def test_plan_is_a_pure_function_of_its_inputs() -> None:
    cards = [
        (f"c{i}", 1.0 + i * 0.7, 2.0 + i % 8, T - 1 - i % 9, T - 2 + i % 12) for i in range(60)
    ]
    a = plan_interview(cards, T, IV, upcoming=[5] * 15)
    b = plan_interview(list(reversed(cards)), T, IV, upcoming=[5] * 15)
    assert a.next_review == b.next_review
    assert sorted(a.due) == sorted(b.due)


# --------------------------------------------------------------------------- simulated candidate


def test_simulated_candidate_gains_over_plain_fsrs(catalogue) -> None:
    sim = _sim()
    plain = sim.run(catalogue, 21, 3, sim.plain_due())
    aware = sim.run(catalogue, 21, 3, sim.interview_due())
    assert aware["mean_recall"] >= plain["mean_recall"] + 0.01
    assert aware["share_at_0_9"] >= plain["share_at_0_9"] + 0.04
    assert aware["reviews"] <= plain["reviews"]
    assert aware["last_two_days"][1] < aware["busiest_day"] / 2  # the eve is light
