"""Today's plan: which due and new cards a drill asks, within the daily limits, in what order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from studycli.clock import study_day
from studycli.content.model import Card
from studycli.scheduler import CardState
from studycli.storage.store import Store
from studycli.vocab import KATA_PREFIX

if TYPE_CHECKING:
    from studycli.study.interview import InterviewPlan


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

    due: list[
        str
    ]  # review cards due today, weakest first (for the interview: pulled-forward first)
    learning: list[str]  # rated Again earlier today
    new: list[str]  # unseen cards to introduce today, in order
    new_unseen: int  # all unseen cards in the selection
    new_left_today: int  # the new-card limit minus cards introduced today
    reviews_left_today: int
    suspended: int
    next_due_day: int | None  # when nothing is due today: the next day a card of these is due
    interview: InterviewPlan | None = None  # reviews planned for the interview day, when one runs

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
    planned: InterviewPlan | None = None,
    seen_cards: tuple[set[str], set[str]] | None = None,
) -> DayPlan:
    """`planned`: the interview planner's plan for today; its reviews replace the cards
    FSRS has due (cards relearnt today still come first). `seen_cards`: store.seen_cards(),
    when the caller has read it already."""
    today = study_day(now, rollover_hour)
    reviews_left = max(0, limits.reviews_per_day - store.reviews_on(today))
    new_left = max(0, limits.new_per_day - store.new_introduced_on(today))
    if extra_new is not None:
        new_left = extra_new
    # Read from the store only what today needs: the ids of cards seen and suspended, and
    # the due ones in order, up to the limit. A start costs nearly the same with 10,000 seen.
    seen, suspended_ids = store.seen_cards() if seen_cards is None else seen_cards
    selected = set(card_ids)
    unseen = [cards[cid] for cid in card_ids if cid not in seen]
    suspended = len(selected & suspended_ids)
    learning: list[str] = []
    due_ids: list[str] = []
    for cid, due_ts in store.due_cards(today):
        if planned is not None and due_ts is None:
            break  # (re)learning cards come first; the plan says which reviews
        if cid not in selected:
            continue
        if due_ts is not None:
            learning.append(cid)
        elif len(due_ids) < reviews_left:
            due_ids.append(cid)
        else:
            break
    if planned is not None:
        due_ids = [c for c in planned.due if c in selected and c not in suspended_ids]
        due_ids = due_ids[:reviews_left]
    ordered_new = (new_order or interleaved_new_order)(unseen)
    next_due = None
    if not due_ids and not learning:  # only then does anyone ask when the next card is due
        next_due = store.next_due_day(today, selected)
        if planned is not None:
            days = [day for cid, day in planned.next_review.items() if cid in selected]
            next_due = min(days, default=next_due)
    return DayPlan(
        due=due_ids,
        learning=learning,
        new=[c.id for c in ordered_new[:new_left]],
        new_unseen=len(unseen),
        new_left_today=new_left,
        reviews_left_today=reviews_left,
        suspended=suspended,
        next_due_day=next_due,
        interview=planned,
    )


def due_katas(states: Mapping[str, CardState], today: int) -> list[str]:
    """Kata ids checked before and due again by `today`, soonest first. (Katas are never in
    a drill's queue: plan_day takes only the catalogue's card ids.)"""
    due = [
        (s.due_day, cid.removeprefix(KATA_PREFIX))
        for cid, s in states.items()
        if cid.startswith(KATA_PREFIX) and s.reps and not s.suspended and s.due_day is not None
        and s.due_day <= today
    ]  # fmt: skip
    return [kata_id for _, kata_id in sorted(due)]
