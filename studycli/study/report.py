"""Every number the progress report, `stats` and `stats --json` show, gathered in one place.

`report_data` reads the card-state cache (one row per card) and aggregates the
review log in SQL over indexed columns: per-day series are bounded to the last
`WINDOW_DAYS` study days and read from a covering index, so a home with a
million reviews costs about what a home with a thousand does. Nothing here
reads the clock or touches the terminal; the result is plain JSON-able data.

Sections owned by other modules are filled when those modules exist:
- "grader": `studycli.grading.grading_stats(...)`
- "readiness": `studycli.readiness.report_section(...)`
- "roadmap": `studycli.roadmap.report_section(...)`
- "katas": `studycli.study.katas.report_section(...)`
Each is called with the keyword arguments its signature names, out of
store, catalogue, scheduler, config, now, rollover_hour, today, since_day;
when the module or function is absent the key is None.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
from collections.abc import Callable, Iterable
from typing import Any

from studycli.clock import day_date, study_day
from studycli.content.model import Card, Catalogue
from studycli.scheduler import CardState, Scheduler
from studycli.storage.mocks import recent_mocks
from studycli.storage.stats import (
    DayTotals,
    _grade_averages,
    daily_counts,
    daily_totals,
    total_reviews,
)
from studycli.storage.store import Store
from studycli.study.card_list import interval_days
from studycli.study.leeches import is_leech
from studycli.study.report_types import CardRow, MockItem, Mocks, ReportData, TopicRow, WeekRow
from studycli.vocab import AGAIN

SCHEMA = 1

WINDOW_DAYS = 365  # every per-day series covers at most this many study days

FORECAST_DAYS = 14

RETENTION_WEEKS = 12

MATURE_DAYS = 21  # a card whose current interval is at least this long is "mature" (as in Anki)


WEAKEST_SHOWN = 10

LEECHES_SHOWN = 50  # cards.leeches counts them all

MOCKS_SHOWN = 20

# Sections other modules provide: key -> (module, function).
SECTION_HOOKS: dict[str, tuple[str, str]] = {
    "grader": ("studycli.grading.grader", "grading_stats"),
    "readiness": ("studycli.study.readiness", "report_section"),
    "roadmap": ("studycli.study.roadmap", "report_section"),
    "katas": ("studycli.study.katas", "report_section"),
}


def _rate(passed: int, total: int) -> float | None:
    return round(passed / total, 4) if total else None


def is_mature(state: CardState) -> bool:
    interval = interval_days(state)
    return interval is not None and interval >= MATURE_DAYS


def rank_weakest(
    store: Store,
    catalogue: Catalogue,
    scheduler: Scheduler,
    today: int,
    cards: Iterable[Card] | None = None,
    states: dict[str, CardState] | None = None,
    *,
    include_suspended: bool = False,
) -> list[tuple[float, str, Card, CardState, float, Any]]:
    """The reviewed, unsuspended (or all, with include_suspended) cards ranked weakest first: (-weakness, id, card, state,
    recall, grade) each; `weak_row` turns one into what reports show.

    weakness = (1 - recall today) + 0.05 per lapse (at most 0.3) + 0.2 if last rated Again
               + 0.3 x (4 - mean grader-suggested rating) / 3   (when graded)
    so low retrievability, many lapses and poor grades each push a card up.
    """
    states = store.states() if states is None else states
    grades = _grade_averages(store)
    ranked: list[tuple[float, str, Card, CardState, float, Any]] = []
    for card in cards if cards is not None else catalogue.cards.values():
        state = states.get(card.id)
        if state is None or state.reps == 0 or (state.suspended and not include_suspended):
            continue
        recall = scheduler.retrievability(state, today)
        grade = grades.get(card.id)
        weakness = (
            (1 - recall) + 0.05 * min(state.lapses, 6) + (0.2 if state.last_rating == AGAIN else 0)
        )
        if grade:
            weakness += 0.3 * (4 - grade[0]) / 3
        ranked.append((-weakness, card.id, card, state, recall, grade))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return ranked


def weak_row(item: tuple[float, str, Card, CardState, float, Any]) -> CardRow:
    """One ranked card as reports show it; reads the card's text (so only for cards shown)."""
    neg, _, card, state, recall, grade = item
    return {
        "id": card.id,
        "deck": card.deck,
        "question": card.question,
        "recall": round(recall, 3),
        "lapses": state.lapses,
        "reviews": state.reps,
        "last_rating": state.last_rating,
        "grade": round(grade[0], 2) if grade else None,
        "weakness": round(-neg, 3),
    }


def weakest_cards(
    store: Store,
    catalogue: Catalogue,
    scheduler: Scheduler,
    today: int,
    n: int | None = WEAKEST_SHOWN,
    cards: Iterable[Card] | None = None,
    states: dict[str, CardState] | None = None,
) -> list[CardRow]:
    """The n weakest reviewed, unsuspended cards (all if n is None), as `weak_row` shows them."""
    ranked = rank_weakest(store, catalogue, scheduler, today, cards, states)
    return [weak_row(item) for item in (ranked if n is None else ranked[:n])]


def _mocks(store: Store, rollover_hour: int) -> Mocks:
    total, rows = recent_mocks(store, MOCKS_SHOWN)
    items: list[MockItem] = []
    for started, finished, kind, level, minutes, score in reversed(rows):
        moment = dt.datetime.fromtimestamp(started / 1000, dt.UTC)
        items.append(
            {
                "date": day_date(study_day(moment, rollover_hour)).isoformat(),
                "kind": kind,
                "level": level,
                "minutes": minutes,
                "finished": finished is not None,
                "score": score,
            }
        )
    scores = [m["score"] for m in items if m["score"] is not None]
    return {
        "count": int(total),
        "scored": len(scores),
        "latest_score": scores[-1] if scores else None,
        "best_score": max(scores) if scores else None,
        "items": items,
    }


def _call_hook(key: str, available: dict[str, Any]) -> Any:
    module_name, func_name = SECTION_HOOKS[key]
    try:
        module = importlib.import_module(module_name)
        func: Callable[..., Any] = getattr(module, func_name)
    except (ImportError, AttributeError):
        return None
    params = inspect.signature(func).parameters
    kwargs = {name: available[name] for name in params if name in available}
    return func(**kwargs)


def _empty_topic(deck: str, title: str) -> TopicRow:
    return {
        "deck": deck, "title": title, "cards": 0, "seen": 0, "mature": 0, "due": 0,
        "suspended": 0, "leeches": 0, "recall": None,
    }  # fmt: skip


def report_data(
    store: Store,
    catalogue: Catalogue,
    scheduler: Scheduler,
    config: Any,
    now: dt.datetime,
    rollover_hour: int,
) -> ReportData:
    """All the numbers as JSON-able data; keys cards/reviews/retention_30d are a stable contract."""
    from studycli.study.day_plan import Limits, plan_day

    today = study_day(now, rollover_hour)
    leech_lapses = int(config["leech_lapses"])
    first = today - WINDOW_DAYS + 1
    cards = list(catalogue.cards.values())
    states = store.states()
    limits = Limits(int(config["new_per_day"]), int(config["reviews_per_day"]))
    plan = plan_day(list(catalogue.cards), catalogue.cards, store, now, rollover_hour, limits)

    counts = daily_counts(store, first, today)  # a year of counts: the heatmap
    detail_first = today - day_date(today).weekday() - 7 * (RETENTION_WEEKS - 1)
    detail = daily_totals(store, detail_first, today)  # full detail for recent weeks only

    def window(days: int) -> DayTotals:
        total = DayTotals()
        for day in range(today - days + 1, today + 1):
            total = total + detail.get(day, DayTotals())
        return total

    last30, last7 = window(30), window(7)
    streak = 0
    day = today if today in counts else today - 1
    while day in counts and day >= first:
        streak += 1
        day -= 1

    # Cards: one pass over the catalogue and its cached states.
    seen = mature = suspended = leeches = 0
    forecast = [0] * FORECAST_DAYS
    topics: dict[str, TopicRow] = {}
    recall_sums: dict[str, float] = {}
    for deck in sorted(catalogue.decks.values(), key=lambda d: d.id):
        topics[deck.id] = _empty_topic(deck.id, deck.title)
        recall_sums[deck.id] = 0.0
    leech_ids: set[str] = set()
    for card in cards:
        topic = topics.get(card.deck) or topics.setdefault(
            card.deck, _empty_topic(card.deck, card.deck)
        )
        recall_sums.setdefault(card.deck, 0.0)
        topic["cards"] += 1
        state = states.get(card.id)
        if state is not None and state.reps > 0 and is_leech(state, leech_lapses):
            leeches += 1  # suspended or not: a leech suspended by leech_action is still listed
            topic["leeches"] += 1
            leech_ids.add(card.id)
        if state is not None and state.suspended:
            suspended += 1
            topic["suspended"] += 1
            continue
        if state is None or state.reps == 0:
            continue
        seen += 1
        topic["seen"] += 1
        recall_sums[card.deck] += scheduler.retrievability(state, today)
        if is_mature(state):
            mature += 1
            topic["mature"] += 1
        if state.due_day is not None:
            offset = max(0, state.due_day - today)
            if offset == 0:
                topic["due"] += 1
            if offset < FORECAST_DAYS:
                forecast[offset] += 1
    for deck_id, topic in topics.items():
        active = topic["seen"]
        topic["recall"] = round(recall_sums[deck_id] / active, 4) if active else None

    # One ranking (one read of the grades) for both lists: weakest leaves suspended cards out,
    # leeches keep them.
    ranked_all = rank_weakest(
        store, catalogue, scheduler, today, cards, states, include_suspended=True
    )
    ranked = [item for item in ranked_all if not item[3].suspended]
    worst_leeches = sorted(
        (item for item in ranked_all if item[1] in leech_ids),
        key=lambda it: (-it[3].lapses, it[1]),
    )
    leech_rows = [weak_row(item) for item in worst_leeches[:LEECHES_SHOWN]]

    interview = str(config["interview_date"] or "")
    days_left = None
    if interview:
        days_left = (dt.date.fromisoformat(interview) - day_date(today)).days

    weeks = _retention_by_week(detail, today)
    data: ReportData = {
        "schema": SCHEMA,
        "generated": now.isoformat(timespec="seconds"),
        "date": day_date(today).isoformat(),
        "interview_date": interview or None,
        "days_to_interview": days_left,
        "cards": {
            "total": len(cards),
            "seen": seen,
            "due": len(plan.due) + len(plan.learning),
            "new_today": len(plan.new),
            "suspended": suspended,
            "mature": mature,
            "young": seen - mature,
            "unseen": len(cards) - seen - suspended,
            "leeches": leeches,
        },
        "reviews": {"today": counts.get(today, 0), "total": total_reviews(store)},
        "retention_30d": {
            "passed": last30.passed,
            "total": last30.review_phase,
            "rate": _rate(last30.passed, last30.review_phase),
        },
        "activity": {
            "window_days": WINDOW_DAYS,
            "reviews_7d": last7.reviews,
            "reviews_30d": last30.reviews,
            "days_studied_30d": sum(1 for d in range(today - 29, today + 1) if d in counts),
            "streak_days": streak,
            "minutes_7d": round(last7.ms / 60000, 1),
            "minutes_30d": round(last30.ms / 60000, 1),
            "ratings_30d": {
                "again": last30.again,
                "hard": last30.hard,
                "good": last30.good,
                "easy": last30.easy,
            },
            "first_day": day_date(min(counts)).isoformat() if counts else None,
        },
        # Days with reviews in the window; minutes and retention for the recent weeks only.
        "daily": [
            {
                "date": day_date(d).isoformat(),
                "reviews": n,
                "minutes": round(detail[d].ms / 60000, 1) if d in detail else None,
                "retention": _rate(detail[d].passed, detail[d].review_phase)
                if d in detail
                else None,
            }
            for d, n in sorted(counts.items())
        ],
        "retention_by_week": weeks,
        "forecast": [
            {"date": day_date(today + i).isoformat(), "due": n} for i, n in enumerate(forecast)
        ],
        "topics": list(topics.values()),
        "weakest": [weak_row(item) for item in ranked[:WEAKEST_SHOWN]],
        "leeches": leech_rows,
        "leech_lapses": leech_lapses,
        "desired_retention": scheduler.desired_retention,
        "mature_days": MATURE_DAYS,
        "mocks": _mocks(store, rollover_hour),
        "grader": None,
        "readiness": None,
        "roadmap": None,
        "katas": None,
    }
    available = {
        "store": store,
        "catalogue": catalogue,
        "scheduler": scheduler,
        "config": config,
        "now": now,
        "rollover_hour": rollover_hour,
        "today": today,
        "since_day": first,
    }
    data["grader"] = _call_hook("grader", available)
    data["readiness"] = _call_hook("readiness", available)
    data["roadmap"] = _call_hook("roadmap", available)
    data["katas"] = _call_hook("katas", available)
    return data


def _retention_by_week(daily: dict[int, DayTotals], today: int) -> list[WeekRow]:
    """True retention per calendar week (Monday first), the last RETENTION_WEEKS weeks."""
    this_monday = today - day_date(today).weekday()
    out: list[WeekRow] = []
    for k in range(RETENTION_WEEKS - 1, -1, -1):
        start = this_monday - 7 * k
        total = DayTotals()
        for d in range(start, start + 7):
            total = total + daily.get(d, DayTotals())
        out.append(
            {
                "week_start": day_date(start).isoformat(),
                "reviews": total.reviews,
                "review_phase": total.review_phase,
                "passed": total.passed,
                "rate": _rate(total.passed, total.review_phase),
            }
        )
    return out
