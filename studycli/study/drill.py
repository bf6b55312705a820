"""The drill as a state machine, independent of any terminal.

`Drill` walks a queue of cards, commits each rating through the store before the next
card is asked for, asks a card rated Again again once its learning step is due (or
when nothing else is left), and can skip, suspend and undo.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from studycli.clock import study_day, to_ms
from studycli.content.model import Card, Catalogue
from studycli.scheduler import CardState, Outcome, Scheduler
from studycli.storage.codec import LogEntry, new_uid
from studycli.storage.store import Store
from studycli.study.leeches import LeechNote, becomes_leech
from studycli.vocab import AGAIN, RATING_NAMES


class _Step(NamedTuple):
    uid: str
    card_id: str
    rating: int
    position: int  # where in the queue the card stood when it was rated
    ahead: bool = False  # reviewed before it was due
    leech_suspended: bool = False  # this rating made it a leech and suspended it


@dataclass
class Drill:
    """One drill session over a queue of card ids.

    A card rated Again waits aside until its learning step is due (`release`), or until
    nothing else is left, then is asked again. Positions before `position` are done.
    """

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
    history: list[_Step] = field(default_factory=list)
    waiting: list[tuple[int, str]] = field(default_factory=list)  # (due ms, card id), by due
    suspended_ids: set[str] = field(default_factory=set)
    leech_lapses: int = 8
    leech_action: str = "suspend"
    leech: LeechNote | None = None  # set by the rating that made a card a leech, else None
    # The log orders a card's events by (ts, uid): each event of the session gets a later
    # ms than the one before, so a rating, the leech suspension it causes and an undo
    # replay in the order they happened even within one millisecond.
    last_ts: int = 0

    def _stamp(self, now: dt.datetime) -> int:
        self.last_ts = max(to_ms(now), self.last_ts + 1)
        return self.last_ts

    notes: dict[str, str] = field(default_factory=dict)  # card id -> why it is asked today
    # While the interview plan sets the day's reviews: those reviews, and the next day it
    # plans any (None under plain FSRS: the store's due cards say what is left).
    planned_due: list[str] | None = None
    next_planned_day: int | None = None
    # The last rating waits in a pending file: the database stayed busy (storage/pending.py).
    last_kept: bool = False

    def __post_init__(self) -> None:
        # A card id with no card (removed from the content) is never asked, so reading
        # `current` can be a plain look-up that changes nothing.
        cards = self.catalogue.cards
        self.queue = [card_id for card_id in self.queue if card_id in cards]

    @property
    def current(self) -> Card | None:
        if self.position >= len(self.queue) and self.waiting:
            # Nothing else is left: the card rated Again is asked now, before its step is up.
            self.queue.append(self.waiting.pop(0)[1])
        if self.position < len(self.queue):
            return self.catalogue.cards[self.queue[self.position]]
        return None

    @property
    def counter(self) -> tuple[int, int]:
        return self.position + 1, len(self.queue) + len(self.waiting)

    @property
    def suspended(self) -> int:
        return len(self.suspended_ids)

    @property
    def only_waiting_left(self) -> bool:
        """Every card in line is done; what is left waits for its learning step."""
        return self.position >= len(self.queue) and bool(self.waiting)

    def release(self, now: dt.datetime) -> None:
        """Put the cards whose learning step is due by `now` next in line, earliest first."""
        ts = to_ms(now)
        due = [cid for due_ts, cid in self.waiting if due_ts <= ts]
        if due:
            self.waiting = [(t, c) for t, c in self.waiting if t > ts]
            self.queue[self.position : self.position] = due

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
        ts, day = self._stamp(now), study_day(now, self.rollover_hour)
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
        saved = self.store.record(entry, outcome.state, expected=before, scheduler=self.scheduler)
        self.last_kept = not saved
        if self.store.updated_scheduler is not None:  # `optimize` ran meanwhile: follow it
            self.scheduler = self.store.updated_scheduler
        ahead = before.reps > 0 and before.due_day is not None and before.due_day > day
        self.leech = None
        if saved and becomes_leech(before, outcome.state, self.leech_lapses):
            suspend = self.leech_action == "suspend"
            self.leech = LeechNote(card.id, outcome.state.lapses, suspended=suspend)
            if suspend:
                self._event(card.id, "suspend", now)
        leech_suspended = bool(self.leech and self.leech.suspended)
        due_ts = outcome.state.due_ts
        # Asked again in this session when its learning step falls on this study day.
        if rating == AGAIN and not leech_suspended and due_ts and outcome.state.due_day == day:
            self.waiting.append((due_ts, card.id))
            self.waiting.sort()
        self.history.append(_Step(uid, card.id, rating, self.position, ahead, leech_suspended))
        self.ratings[rating] += 1
        self.position += 1
        self.release(now)
        return outcome

    @property
    def ahead(self) -> int:
        """Cards of this session reviewed before they were due."""
        return len({step.card_id for step in self.history if step.ahead})

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
        self.suspended_ids.add(card.id)
        self.queue[self.position + 1 :] = [
            c for c in self.queue[self.position + 1 :] if c != card.id
        ]
        self.waiting = [(t, c) for t, c in self.waiting if c != card.id]
        self.position += 1
        self.release(now)
        return card

    def undo(self, now: dt.datetime) -> Card | None:
        """Undo this session's last rating: the card's state is replayed without it, and it is
        asked again next, unless it has been suspended since. Skips and suspends stay done."""
        if not self.history:
            return None
        step = self.history.pop()
        self._event(step.card_id, "undo", now, ref=step.uid)
        if step.leech_suspended:  # the lapse that made it a leech is taken back: so is that
            self._event(step.card_id, "unsuspend", now)
        self.leech = None
        self.ratings[step.rating] -= 1
        if step.rating == AGAIN:  # withdraw the card waiting for its step, or already in line
            waiting = [i for i, (_, c) in enumerate(self.waiting) if c == step.card_id]
            if waiting:
                del self.waiting[waiting[0]]
            elif step.card_id in self.queue[self.position :]:
                del self.queue[self.queue.index(step.card_id, self.position)]
        if step.card_id in self.suspended_ids:
            return self.catalogue.cards.get(step.card_id)
        # Ask it again now, in place of its old turn (so the counter does not grow).
        self.queue.insert(self.position, step.card_id)
        if self.queue[step.position] == step.card_id:
            del self.queue[step.position]
            self.position -= 1
        return self.catalogue.cards.get(step.card_id)

    def _event(
        self, card_id: str, kind: str, now: dt.datetime, ref: str | None = None
    ) -> CardState:
        entry = LogEntry(
            uid=new_uid(),
            card_id=card_id,
            kind=kind,
            ts=self._stamp(now),
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
