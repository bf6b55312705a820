"""A realistic study history, made the way a candidate makes it: drill sessions on fixed
datetimes up to END, some cards hard, a mock interview and a graded answer. The report and
stats tests read it (built once per run by the `history_db` fixture in conftest.py); the
cheat sheet's weakest-cards test builds a shorter one.
"""

from __future__ import annotations

import datetime as dt
import random

from studycli.clock import to_ms
from studycli.scheduler import Scheduler
from studycli.storage.codec import new_uid
from studycli.storage.store import Store
from studycli.study.day_plan import Limits, plan_day
from studycli.study.drill import Drill

UTC = dt.UTC
END = dt.datetime(2026, 11, 22, 20, 0, tzinfo=UTC)
NOW = "2026-11-22T20:00:00+00:00"


def build_history(
    store: Store, catalogue, *, days: int = 24, new_per_day: int = 8, seed: int = 7
) -> None:
    """Study most days up to END: due cards first, then new ones; some cards are hard."""
    rng = random.Random(seed)
    sched = Scheduler()
    hard = {cid for cid in sorted(catalogue.cards) if rng.random() < 0.15}
    start = END.date() - dt.timedelta(days=days - 1)
    for k in range(days):
        day = start + dt.timedelta(days=k)
        if rng.random() < 0.15 and k != days - 1:
            continue  # a day off
        now = dt.datetime.combine(day, dt.time(8, 30), UTC)
        plan = plan_day(
            list(catalogue.cards),
            catalogue.cards,
            store,
            now,
            4,
            Limits(new_per_day, 200),
        )
        drill = Drill(store, sched, catalogue, list(plan.queue))
        t = now
        while not drill.finished and t < now + dt.timedelta(hours=3):
            cid = drill.current.id
            fail = 0.45 if cid in hard else 0.12
            rating = 1 if rng.random() < fail else rng.choice([2, 3, 3, 3, 4])
            t += dt.timedelta(seconds=rng.randint(30, 150))
            drill.rate(rating, t, answer="typed answer", duration_ms=rng.randint(20_000, 120_000))


def add_mock_and_grade(store: Store, card_id: str) -> None:
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO mocks (uid, started_ts, finished_ts, kind, level, minutes, transcript, "
            "score) "
            "VALUES (?, ?, ?, 'mixed', 'senior', 30, '{}', 0.62)",
            (
                new_uid(),
                to_ms(END - dt.timedelta(days=2)),
                to_ms(END - dt.timedelta(days=2, minutes=-30)),
            ),
        )
        conn.execute(
            "INSERT INTO grades (uid, card_id, ts, status, model, suggested, final_rating, score, "
            "cost, tokens_in, tokens_out) "
            "VALUES (?, ?, ?, 'done', 'test/model', 1, 1, 0.2, 0.0021, 900, 120)",
            (new_uid(), card_id, to_ms(END - dt.timedelta(days=1))),
        )
