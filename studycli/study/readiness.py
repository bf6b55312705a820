"""Readiness for the interview, per deck: cards seen, predicted recall on the date, grades.

Predicted recall is FSRS retrievability on the interview date (not today), from each
card's current memory state, i.e. what you would recall if you stopped reviewing now.
It is averaged over every active card of a deck with an unseen card counting as 0,
so the number cannot look good while most of a deck is still unseen; the share seen
and the recall of seen cards alone are reported next to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from studycli.content.model import Catalogue
from studycli.scheduler import CardState, Scheduler
from studycli.storage.stats import latest_grades
from studycli.storage.store import Store

WEAKEST = 3


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 4) if b else None


def drill_command(deck: str, unseen: int) -> str:
    return f"studycli drill --deck {deck}" + (f" --new {min(unseen, 10)}" if unseen else "")


def readiness_summary(
    catalogue: Catalogue,
    states: Mapping[str, CardState],
    scheduler: Scheduler,
    store: Store | None = None,
    *,
    on: dt.date,
    weakest: int = WEAKEST,
) -> dict[str, Any]:
    """Per-deck and overall readiness for the date `on` (normally the interview date). JSON-ready.

    Returns {date, cards, seen, seen_share, recall, recall_seen, graded, grade, decks, weakest,
    headline}; `decks` is a list of {deck, title, cards, seen, seen_share, recall, recall_seen,
    graded, grade}; `weakest` the `weakest` lowest-recall decks as {deck, recall, seen_share,
    command}. Shares and recall are fractions 0-1 (None when there is nothing to average);
    `grade` is the mean latest grader score (0-1) of graded cards. Suspended cards are left out.
    Grades are read only when `store` is given.
    """
    day = on.toordinal()
    grades = latest_grades(store) if store is not None else {}
    per_deck: dict[str, dict[str, Any]] = {}
    for card in catalogue.cards.values():
        state = states.get(card.id)
        if state is not None and state.suspended:
            continue
        acc = per_deck.setdefault(
            card.deck, {"cards": 0, "seen": 0, "r": 0.0, "g": 0.0, "graded": 0}
        )
        acc["cards"] += 1
        if state is not None and state.reps > 0:
            acc["seen"] += 1
            acc["r"] += scheduler.retrievability(state, day)
        if card.id in grades:
            acc["graded"] += 1
            acc["g"] += grades[card.id]
    decks: list[dict[str, Any]] = []
    for deck_id in sorted(per_deck):
        acc = per_deck[deck_id]
        deck = catalogue.decks.get(deck_id)
        decks.append({
            "deck": deck_id,
            "title": deck.title if deck else deck_id,
            "cards": acc["cards"],
            "seen": acc["seen"],
            "seen_share": _ratio(acc["seen"], acc["cards"]),
            "recall": _ratio(acc["r"], acc["cards"]),
            "recall_seen": _ratio(acc["r"], acc["seen"]),
            "graded": acc["graded"],
            "grade": _ratio(acc["g"], acc["graded"]),
        })  # fmt: skip
    total = sum(a["cards"] for a in per_deck.values())
    seen = sum(a["seen"] for a in per_deck.values())
    r_sum = sum(a["r"] for a in per_deck.values())
    graded = sum(a["graded"] for a in per_deck.values())
    g_sum = sum(a["g"] for a in per_deck.values())
    ranked = sorted(
        (d for d in decks if d["cards"]),
        key=lambda d: (d["recall"] or 0.0, d["seen_share"] or 0.0, d["deck"]),
    )
    weak = [
        {
            "deck": d["deck"],
            "recall": d["recall"],
            "seen_share": d["seen_share"],
            "command": drill_command(d["deck"], d["cards"] - d["seen"]),
        }
        for d in ranked[:weakest]
    ]
    summary: dict[str, Any] = {
        "date": on.isoformat(),
        "cards": total,
        "seen": seen,
        "seen_share": _ratio(seen, total),
        "recall": _ratio(r_sum, total),
        "recall_seen": _ratio(r_sum, seen),
        "graded": graded,
        "grade": _ratio(g_sum, graded),
        "decks": decks,
        "weakest": weak,
    }
    summary["headline"] = headline(summary)
    return summary


def pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}"


def headline(summary: Mapping[str, Any], *, weakest: bool = True) -> str:
    """'Predicted recall on 2026-12-20: 78% · 150/171 cards seen · weakest: safety-security 52%'."""
    head = f"Predicted recall on {summary['date']}: {pct(summary['recall'])}"
    head += f" · {summary['seen']}/{summary['cards']} cards seen"
    if not summary["seen"]:
        return head + " · nothing drilled yet"
    if weakest and summary["weakest"]:
        w = summary["weakest"][0]
        head += f" · weakest: {w['deck']} {pct(w['recall'])}"
    return head


def readiness_date(interview: dt.date | None, today: dt.date) -> dt.date:
    """The date readiness is predicted for: the interview; today when none is set or it passed."""
    return interview if interview is not None and interview >= today else today


def report_section(
    store: Store, catalogue: Catalogue, scheduler: Scheduler, config: Any, today: int
) -> dict[str, Any]:
    """`report_data()["readiness"]`: readiness_summary on the interview date (config
    interview_date; today when unset or past), plus "interview" (ISO date or None)."""
    raw = config["interview_date"]
    interview = dt.date.fromisoformat(raw) if raw else None
    on = readiness_date(interview, dt.date.fromordinal(today))
    summary = readiness_summary(catalogue, store.states(), scheduler, store, on=on)
    summary["interview"] = interview.isoformat() if interview else None
    return summary
