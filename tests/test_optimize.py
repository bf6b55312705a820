"""`studycli optimize` against a simulated learner whose memory differs from FSRS's defaults.

The learner's review history is generated with the FSRS-6 model itself (fsrs-rs), run
with the learner's true parameters: at each review the true retrievability decides
recall (a coin flip with that probability, made noisier per card), the rating follows,
the true model's state is updated and its interval scheduled, with random lateness
and earliness around that interval. A card rated Again is asked again ten minutes
later, as the drill does.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re

import fsrs_rs_python as fsrs
import pytest

from studycli.clock import day_start
from studycli.scheduler import DEFAULT_PARAMETERS, Scheduler
from studycli.storage.codec import LogEntry
from studycli.storage.stats import Review, log_reviews
from studycli.storage.store import Store, insert_log
from studycli.study.optimize import (
    MIN_CARDS,
    MIN_REVIEWS,
    build_items,
    evaluate,
    fit,
    split_by_time,
)

FIRST_DAY = dt.date(2026, 5, 1).toordinal()
NOW = "2026-11-22T09:00:00+00:00"

# A learner who forgets faster than FSRS's defaults assume: lower initial stabilities,
# slower stability growth after a success and a steeper forgetting curve.
TRUE_PARAMETERS = list(DEFAULT_PARAMETERS)
TRUE_PARAMETERS[0:4] = [0.1, 0.4, 0.8, 3.0]
TRUE_PARAMETERS[8] = 0.8
TRUE_PARAMETERS[9] = 0.1
TRUE_PARAMETERS[20] = 0.5


def simulate_learner(
    params,
    *,
    cards: int = 200,
    new_per_day: int = 10,
    days: int = 150,
    seed: int = 1,
    jitter: float = 0.8,
) -> list[LogEntry]:
    rng = random.Random(seed)
    engine = fsrs.FSRS(list(params))
    decay = -params[20]
    factor = 0.9 ** (1 / decay) - 1
    entries: list[LogEntry] = []

    def log(card: str, day: int, rating: int, minute: int) -> None:
        moment = day_start(FIRST_DAY + day, 4) + dt.timedelta(hours=5, minutes=minute)
        ts = int(moment.timestamp() * 1000)
        entries.append(
            LogEntry(
                f"{card}-{len(entries)}",
                card,
                "review",
                ts,
                FIRST_DAY + day,
                rating,
                rated_by="self",
            )
        )

    for c in range(cards):
        card = f"sim-{c:03d}"
        memory, last, day = None, 0, c // new_per_day
        card_noise = math.exp(rng.gauss(0, 0.25))  # some cards are harder than the model knows
        while day < days:
            if memory is None:
                elapsed = 0
                rating = rng.choices([1, 2, 3, 4], [0.2, 0.1, 0.6, 0.1])[0]
            else:
                elapsed = day - last
                recall = (1 + factor * elapsed / memory.stability) ** decay
                remembered = rng.random() < recall**card_noise
                rating = rng.choices([2, 3, 4], [0.15, 0.75, 0.1])[0] if remembered else 1
            step = getattr(
                engine.next_states(memory, 0.9, elapsed),
                ("again", "hard", "good", "easy")[rating - 1],
            )
            memory, last = step.memory, day
            log(card, day, rating, c % 50)
            if rating == 1:  # asked again later in the session, and recalled
                step = engine.next_states(memory, 0.9, 0).good
                memory = step.memory
                log(card, day, 3, c % 50 + 10)
            day = last + max(1, round(step.interval * math.exp(rng.gauss(0, jitter))))
    return entries


def load(store: Store, entries: list[LogEntry]) -> None:
    with store.transaction() as conn:
        insert_log(conn, entries)
    store.rebuild_states(Scheduler())


def figures(output: str) -> dict[str, tuple[float, float]]:
    return {
        m.group(1): (float(m.group(2)), float(m.group(3)))
        for m in re.finditer(r"^(default|current|fitted)\s+([\d.]+)\s+([\d.]+)$", output, re.M)
    }


def test_fitted_parameters_beat_the_defaults_and_are_kept(cli, store):
    load(store, simulate_learner(TRUE_PARAMETERS, seed=1))
    r = cli("optimize", now=NOW)
    assert r.exit_code == 0, r.output
    print(r.output)  # the before/after figures, visible with -s
    got = figures(r.output)
    assert set(got) == {"default", "fitted"}
    assert got["fitted"][0] < got["default"][0] - 0.01  # held-out log loss, clearly better
    assert "kept the fitted parameters and rebuilt the state of 200 cards" in r.output

    fitted = store.get_setting("fsrs_parameters")
    assert len(fitted) == 21 and fitted != list(DEFAULT_PARAMETERS)
    # The learner's initial stabilities are all below the defaults; the fit moves them down too.
    assert all(f < d for f, d in zip(fitted[:4], DEFAULT_PARAMETERS[:4], strict=True))
    # States were rebuilt with the new parameters.
    scheduler = Scheduler(fitted, desired_retention=0.9)
    for card_id in ("sim-000", "sim-123", "sim-199"):
        assert store.state(card_id) == scheduler.replay(card_id, store.card_events(card_id))

    # Run again: the current parameters are now the fitted ones, and refitting cannot beat them.
    r = cli("optimize", now=NOW)
    assert r.exit_code == 0, r.output
    got2 = figures(r.output)
    assert set(got2) == {"default", "current", "fitted"}
    assert got2["current"] == got["fitted"]
    assert "kept the current parameters" in r.output
    assert store.get_setting("fsrs_parameters") == fitted


@pytest.mark.parametrize("seed", [2, 3])
def test_fit_recovers_most_of_the_gap_to_the_true_parameters(store, seed):
    load(store, simulate_learner(TRUE_PARAMETERS, seed=seed, cards=150))
    report = fit(store)
    assert report.improved and report.default is None
    train, test, _ = split_by_time(build_items(log_reviews(store)))
    assert (len(train), len(test)) == (report.train_items, report.test_items)
    truth = evaluate(TRUE_PARAMETERS, test)
    gap = report.current.log_loss - truth.log_loss  # what knowing the learner exactly would gain
    assert gap > 0.01
    assert report.current.log_loss - report.fitted.log_loss > gap / 2


def test_dry_run_changes_nothing(cli, store):
    load(store, simulate_learner(TRUE_PARAMETERS, seed=4, cards=120))
    before = store.states()
    r = cli("optimize", "--dry-run", now=NOW)
    assert r.exit_code == 0 and "--dry-run: nothing changed" in r.output
    assert store.get_setting("fsrs_parameters") is None and store.states() == before


def test_too_small_a_history_is_refused_in_one_line(cli, store):
    load(store, simulate_learner(TRUE_PARAMETERS, cards=30, days=12, new_per_day=3))
    n = store.review_count()
    assert n < MIN_REVIEWS
    r = cli("optimize", now=NOW)
    assert r.exit_code == 1
    assert r.stderr.strip().splitlines() == [
        f"studycli: not enough history to fit your own parameters yet: {n} reviews of 30 cards, "
        f"optimize needs at least {MIN_REVIEWS} reviews of {MIN_CARDS} cards; "
        "keep drilling and try again"
    ]
    assert store.get_setting("fsrs_parameters") is None


def test_many_reviews_but_all_on_one_day_is_refused(cli, store):
    t0 = int(day_start(FIRST_DAY, 4).timestamp() * 1000) + 5 * 3600 * 1000
    entries = [
        LogEntry(f"u{c}-{i}", f"c{c:02d}", "review", t0 + (c * 8 + i) * 60_000, FIRST_DAY, 3)
        for c in range(60)
        for i in range(8)
    ]
    load(store, entries)
    r = cli("optimize", now=NOW)
    assert r.exit_code == 1
    assert (
        "studycli: not enough reviews on later days to fit and check parameters: 0 to fit"
        in r.stderr
    )


def test_items_use_study_days_and_skip_undone_reviews(store):
    d0 = FIRST_DAY
    ms = lambda day, h=0: int(day_start(day, 4).timestamp() * 1000) + h * 3_600_000  # noqa: E731
    entries = [
        LogEntry("a1", "a", "review", ms(d0), d0, 1),
        LogEntry("a2", "a", "review", ms(d0, 1), d0, 3),  # same day: history only, not an item
        LogEntry("a3", "a", "review", ms(d0 + 2), d0 + 2, 3),
        LogEntry("a4", "a", "review", ms(d0 + 7), d0 + 7, 1),
        LogEntry("u1", "a", "undo", ms(d0 + 7, 1), d0 + 7, ref="a4"),
        LogEntry("a5", "a", "review", ms(d0 + 9), d0 + 9, 4),
        LogEntry("s1", "a", "suspend", ms(d0 + 9, 1), d0 + 9),
    ]
    load(store, entries)
    reviews = log_reviews(store)
    assert [r.rating for r in reviews] == [1, 3, 3, 4]
    items = build_items(reviews)
    assert [(i.ratings, i.deltas) for i in items] == [
        ((1, 3, 3), (0, 0, 2)),
        ((1, 3, 3, 4), (0, 0, 2, 7)),
    ]
    train, test, cut = split_by_time(items, 0.5)
    assert (len(train), len(test), cut) == (1, 1, d0 + 9)
    assert build_items([Review("x", 1, d0, 3)]) == []
