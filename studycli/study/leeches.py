"""Leeches: cards forgotten again and again after they were learnt.

A card is a leech once its lapses (Again on a card in the review phase) reach
`leech_lapses` (default 8, as in Anki). It becomes one at the lapse that reaches the
threshold, and again every half threshold after that (8, 12, 16, ... by default), so a
leech unsuspended and forgotten again is caught again. `leech_action` says what then
happens: `suspend` (the default) takes it out of every queue with a logged suspend
event (it syncs and survives a rebuild); `tag` only marks it. Either way the card is
listed by `cards list --leeches` and in the report: a leech is a content problem as
often as a memory one, and rewording it in a user deck is usually the cure.
"""

from __future__ import annotations

from typing import NamedTuple

from studycli.scheduler import CardState


class LeechNote(NamedTuple):
    """A card that has just become a leech."""

    card_id: str
    lapses: int
    suspended: bool


def is_leech(state: CardState, leech_lapses: int) -> bool:
    return state.lapses >= leech_lapses


def becomes_leech(before: CardState, after: CardState, leech_lapses: int) -> bool:
    """Whether the review that led from `before` to `after` makes the card a leech."""
    if after.lapses <= before.lapses or after.lapses < leech_lapses:
        return False
    return (after.lapses - leech_lapses) % max(1, leech_lapses // 2) == 0
