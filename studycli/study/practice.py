"""Practice beyond the queue: cards asked ahead of schedule, and today's lapses again.

`ahead_queue` picks cards that are seen, not suspended and not due yet, those with the
lowest predicted recall on a given study day (the interview, or today) first: the cards
an early review helps most. `again_queue` keeps, of the cards forgotten today, those in
the selection and not suspended. Both sessions are ordinary reviews: FSRS takes an
early review into account through the days elapsed since the last one.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from studycli.scheduler import CardState, Scheduler


def is_ahead(state: CardState, today: int) -> bool:
    """Seen, not suspended, and not due until a later study day."""
    return (
        state.reps > 0
        and not state.suspended
        and state.due_day is not None
        and state.due_day > today
    )


def ahead_queue(
    card_ids: Collection[str],
    states: Mapping[str, CardState],
    scheduler: Scheduler,
    today: int,
    on_day: int,
    n: int,
) -> list[str]:
    """Up to n of `card_ids` not due yet, lowest predicted recall on study day `on_day` first."""
    wanted = card_ids if isinstance(card_ids, (set, frozenset)) else set(card_ids)
    ranked = sorted(
        (scheduler.retrievability(state, on_day), cid)
        for cid, state in states.items()
        if cid in wanted and is_ahead(state, today)
    )
    return [cid for _, cid in ranked[:n]]


def again_queue(
    lapsed: Sequence[str], card_ids: Collection[str], states: Mapping[str, CardState]
) -> list[str]:
    """Today's lapses (in the order they were forgotten) within the selection, not suspended."""
    out: list[str] = []
    for cid in lapsed:
        state = states.get(cid)
        if cid in card_ids and cid not in out and not (state is not None and state.suspended):
            out.append(cid)
    return out
