"""The drill as a state machine, independent of any terminal.

`plan_day` decides what is due and what is new today (due first, then new cards
within the daily limits); `Drill` walks a queue of cards, commits each rating
through the store before the next card is asked for, requeues cards rated Again
later in the same session, and can skip, suspend and undo.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from .content import Card, Catalogue
from .scheduler import AGAIN, RATING_NAMES, CardState, Outcome, Scheduler, study_day, to_ms
from .store import LogEntry, Store, new_uid

REQUEUE_AFTER = 3  # a card rated Again is asked again after this many other cards


class Limits(NamedTuple):
    new_per_day: int = 15
    reviews_per_day: int = 200


LEVEL_RANK = {"junior": 0, "mid": 1, "senior": 2, "staff": 3}


def interleaved_new_order(cards: Sequence[Card]) -> list[Card]:
    """Unseen cards easiest level first, taking one deck at a time in turn, so a day mixes topics."""
    by_deck: dict[str, list[Card]] = {}
    for card in sorted(cards, key=lambda c: LEVEL_RANK.get(c.level, 9)):
        by_deck.setdefault(card.deck, []).append(card)
    out: list[Card] = []
    queues = [list(reversed(v)) for _, v in sorted(by_deck.items())]
    while queues:
        level = min(LEVEL_RANK.get(q[-1].level, 9) for q in queues)
        for q in queues:
            if q and LEVEL_RANK.get(q[-1].level, 9) == level:
                out.append(q.pop())
        queues = [q for q in queues if q]
    return out


class DayPlan(NamedTuple):
    """What today holds for a set of cards."""

    due: list[str]  # review cards due today, weakest first
    learning: list[str]  # rated Again earlier today
    new: list[str]  # unseen cards to introduce today, in order
    new_unseen: int  # all unseen cards in the selection
    new_left_today: int  # the new-card limit minus cards introduced today
    reviews_left_today: int
    suspended: int
    next_due_day: int | None  # when nothing is due today: the next day a card of these is due

    @property
    def queue(self) -> list[str]:
        return self.learning + self.due + self.new


def plan_day(
    card_ids: Sequence[str],
    cards: Mapping[str, Card],
    store: Store,
    now: dt.datetime,
    rollover_hour: int,
    limits: Limits,
    *,
    extra_new: int | None = None,
    new_order: Callable[[Sequence[Card]], list[Card]] | None = None,
) -> DayPlan:
    today = study_day(now, rollover_hour)
    reviews_left = max(0, limits.reviews_per_day - store.reviews_on(today))
    new_left = max(0, limits.new_per_day - store.new_introduced_on(today))
    if extra_new is not None:
        new_left = extra_new
    # Read from the store only what today needs: the ids of cards seen and suspended, and
    # the due ones in order, up to the limit. A start costs nearly the same with 10,000 seen.
    seen, suspended_ids = store.seen_cards()
    selected = set(card_ids)
    unseen = [cards[cid] for cid in card_ids if cid not in seen]
    suspended = len(selected & suspended_ids)
    learning: list[str] = []
    due_ids: list[str] = []
    for cid, due_ts in store.due_cards(today):
        if cid not in selected:
            continue
        if due_ts is not None:
            learning.append(cid)
        elif len(due_ids) < reviews_left:
            due_ids.append(cid)
        else:
            break
    ordered_new = (new_order or interleaved_new_order)(unseen)
    next_due = None
    if not due_ids and not learning:  # only then does anyone ask when the next card is due
        next_due = store.next_due_day(today, selected)
    return DayPlan(
        due=due_ids,
        learning=learning,
        new=[c.id for c in ordered_new[:new_left]],
        new_unseen=len(unseen),
        new_left_today=new_left,
        reviews_left_today=reviews_left,
        suspended=suspended,
        next_due_day=next_due,
    )


class _Step(NamedTuple):
    uid: str
    card_id: str
    rating: int
    position: int
    requeued_at: int | None


@dataclass
class Drill:
    """One drill session over a queue of card ids."""

    store: Store
    scheduler: Scheduler
    catalogue: Catalogue
    queue: list[str]
    rollover_hour: int = 4
    session_id: str = field(default_factory=new_uid)
    rated_by: str = "self"
    position: int = 0
    ratings: Counter[int] = field(default_factory=Counter)
    skipped: int = 0
    suspended: int = 0
    history: list[_Step] = field(default_factory=list)

    @property
    def current(self) -> Card | None:
        while self.position < len(self.queue):
            card = self.catalogue.cards.get(self.queue[self.position])
            if card is not None:
                return card
            self.position += 1
        return None

    @property
    def counter(self) -> tuple[int, int]:
        return self.position + 1, len(self.queue)

    def outcomes(self, now: dt.datetime) -> dict[int, Outcome]:
        card = self.current
        assert card is not None
        return self.scheduler.outcomes(
            self.store.state(card.id), to_ms(now), study_day(now, self.rollover_hour)
        )

    def rate(
        self,
        rating: int,
        now: dt.datetime,
        *,
        answer: str = "",
        duration_ms: int | None = None,
        rated_by: str | None = None,
        suggested: int | None = None,
    ) -> Outcome:
        """Commit a rating for the current card, then advance. Returns the chosen outcome."""
        card = self.current
        if card is None:
            raise RuntimeError("no card to rate")
        if rating not in RATING_NAMES:
            raise ValueError(f"rating must be 1-4, got {rating}")
        before = self.store.state(card.id)
        ts, day = to_ms(now), study_day(now, self.rollover_hour)
        uid = new_uid()
        outcome = self.scheduler.outcomes(before, ts, day, uid)[rating]
        entry = LogEntry(
            uid=uid,
            card_id=card.id,
            kind="review",
            ts=ts,
            day=day,
            rating=rating,
            phase=before.phase,
            duration_ms=duration_ms,
            rated_by=rated_by or self.rated_by,
            suggested=suggested,
            answer=answer,
            session=self.session_id,
        )
        self.store.record(entry, outcome.state, expected=before, scheduler=self.scheduler)
        requeued_at = None
        if rating == AGAIN:
            requeued_at = min(len(self.queue), self.position + 1 + REQUEUE_AFTER)
            self.queue.insert(requeued_at, card.id)
        self.history.append(_Step(uid, card.id, rating, self.position, requeued_at))
        self.ratings[rating] += 1
        self.position += 1
        return outcome

    def skip(self) -> None:
        """Leave the current card for another day; nothing is recorded."""
        if self.current is not None:
            self.skipped += 1
            self.position += 1

    def suspend(self, now: dt.datetime) -> Card | None:
        """Take the current card out of all queues until unsuspended (logged, so it syncs)."""
        card = self.current
        if card is None:
            return None
        self._event(card.id, "suspend", now)
        self.suspended += 1
        self.queue = self.queue[: self.position + 1] + [
            c for c in self.queue[self.position + 1 :] if c != card.id
        ]
        self.position += 1
        return card

    def undo(self, now: dt.datetime) -> Card | None:
        """Undo this session's last rating: the card's state is replayed without it and it is asked again."""
        if not self.history:
            return None
        step = self.history.pop()
        self._event(step.card_id, "undo", now, ref=step.uid)
        at = step.requeued_at
        if at is not None and at < len(self.queue) and self.queue[at] == step.card_id:
            del self.queue[at]
        # Ask the undone card again right now.
        self.queue.insert(self.position, step.card_id)
        del self.queue[step.position]
        self.position = max(0, min(self.position - 1, step.position))
        self.ratings[step.rating] -= 1
        return self.catalogue.cards.get(step.card_id)

    def _event(
        self, card_id: str, kind: str, now: dt.datetime, ref: str | None = None
    ) -> CardState:
        entry = LogEntry(
            uid=new_uid(),
            card_id=card_id,
            kind=kind,
            ts=to_ms(now),
            day=study_day(now, self.rollover_hour),
            ref=ref,
            session=self.session_id,
        )
        return self.store.append_and_replay(entry, self.scheduler)

    @property
    def reviewed(self) -> int:
        return sum(self.ratings.values())

    @property
    def finished(self) -> bool:
        return self.current is None
