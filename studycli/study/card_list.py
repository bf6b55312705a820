"""What `cards list` and `cards show` say of cards: filters, search, sort, and each card's numbers.

Pure: the caller passes the catalogue's cards, the cached card states, the scheduler and
the study days (today, and the interview day when one is set). A search reads a card's
text (question, answer, key points) and its tags; every word must appear, case-insensitively.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from studycli.clock import day_date
from studycli.content.model import Card
from studycli.scheduler import CardState, Scheduler
from studycli.study.leeches import is_leech

SORTS = ("recall", "due", "lapses", "id")


@dataclass(frozen=True, slots=True)
class CardRow:
    """One card as `cards list` shows it."""

    card: Card
    state: CardState
    phase: str
    due: dt.date | None  # the study day it is next due; None when unseen
    interval: int | None  # days from its last review to its due day (review phase only)
    recall_now: float | None  # FSRS probability of recall today; None when unseen
    recall_on: float | None  # ... on the interview day; None when unseen or no date
    leech: bool

    @property
    def id(self) -> str:
        return self.card.id

    def as_json(self) -> dict[str, Any]:
        c, s = self.card, self.state
        return {
            "id": c.id,
            "deck": c.deck,
            "level": c.level,
            "tags": list(c.tags),
            "question": c.question,
            "phase": self.phase,
            "due": self.due.isoformat() if self.due else None,
            "interval": self.interval,
            "recall_now": _round(self.recall_now),
            "recall_interview": _round(self.recall_on),
            "lapses": s.lapses,
            "reviews": s.reps,
            "suspended": bool(s.suspended),
            "leech": self.leech,
        }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def search_words(text: str | None) -> list[str]:
    return (text or "").lower().split()


def matches(card: Card, words: Sequence[str]) -> bool:
    """Every word in the card's question, answer, key points or tags (case-insensitive)."""
    if not words:
        return True
    hay = "\n".join([card.question, card.answer, *card.key_points, " ".join(card.tags)]).lower()
    return all(w in hay for w in words)


def match_score(card: Card, words: Sequence[str]) -> int:
    """How well a card matches: a word in its id or tags counts most, then in its question,
    then in its key points, then each time it appears in the answer."""
    score = 0
    for w in words:
        score += 8 * (w in card.id or any(w in t for t in card.tags))
        score += 4 * (w in card.question.lower())
        score += 2 * any(w in k.lower() for k in card.key_points)
        score += card.answer.lower().count(w)
    return score


def interval_days(state: CardState) -> int | None:
    """Days between the last review and the due day, for a card in the review phase."""
    if state.phase != "review" or state.due_day is None or state.last_day is None:
        return None
    return state.due_day - state.last_day


def card_row(
    card: Card,
    state: CardState | None,
    scheduler: Scheduler,
    today: int,
    interview_day: int | None,
    leech_lapses: int,
) -> CardRow:
    state = state or CardState(card.id)
    seen = state.reps > 0
    return CardRow(
        card=card,
        state=state,
        phase=state.phase,
        due=day_date(state.due_day) if seen and state.due_day is not None else None,
        interval=interval_days(state),
        recall_now=scheduler.retrievability(state, today) if seen else None,
        recall_on=(
            scheduler.retrievability(state, interview_day)
            if seen and interview_day is not None
            else None
        ),
        leech=is_leech(state, leech_lapses),
    )


def list_cards(
    cards: Iterable[Card],
    states: Mapping[str, CardState],
    scheduler: Scheduler,
    today: int,
    *,
    interview_day: int | None = None,
    leech_lapses: int,
    search: str | None = None,
    due: bool = False,
    suspended: bool = False,
    leeches: bool = False,
    sort: str | None = None,
) -> list[CardRow]:
    """The cards that pass every given filter, sorted: `recall` lowest first (unseen last),
    `due` soonest first (unseen last), `lapses` most first, `id` alphabetical; by default
    the best match first with a search, else by id."""
    words = search_words(search)
    if sort is None:
        sort = "match" if words else "id"
    if sort not in SORT_KEYS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    rows: list[CardRow] = []
    for card in cards:
        state = states.get(card.id)
        if suspended and not (state is not None and state.suspended):
            continue
        if due and not _is_due(state, today):
            continue
        if leeches and not (state is not None and is_leech(state, leech_lapses)):
            continue
        if words and not matches(card, words):
            continue
        rows.append(card_row(card, state, scheduler, today, interview_day, leech_lapses))
    if sort == "match":
        scores = {r.id: match_score(r.card, words) for r in rows}
        rows.sort(key=lambda r: (-scores[r.id], r.id))
    else:
        rows.sort(key=SORT_KEYS[sort])
    return rows


def _is_due(state: CardState | None, today: int) -> bool:
    return (
        state is not None
        and state.reps > 0
        and not state.suspended
        and state.due_day is not None
        and state.due_day <= today
    )


SORT_KEYS: dict[str, Any] = {
    "recall": lambda r: (r.recall_now is None, r.recall_now or 0.0, r.id),
    "due": lambda r: (r.due is None, r.due or dt.date.min, r.id),
    "lapses": lambda r: (-r.state.lapses, r.id),
    "id": lambda r: r.id,
    "match": None,  # needs the search words: list_cards sorts by match_score
}
