"""FSRS-6 scheduling through fsrs-rs-python: next states, intervals, retrievability.

Pure functions of their inputs: study days are arguments, nothing here reads the clock.
`Scheduler.apply` is the one way a review changes a card's state, used both when a
rating is given and when the state is rebuilt from the log, so the two cannot disagree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

import fsrs_rs_python as fsrs

from studycli.vocab import AGAIN, EASY, GOOD, HARD, RATING_NAMES

RELEARN_MS = 10 * 60 * 1000  # a card rated Again comes back ten minutes later, same session

MAX_INTERVAL_DAYS = 36500

DEFAULT_PARAMETERS: tuple[float, ...] = tuple(fsrs.DEFAULT_PARAMETERS)


@dataclass(slots=True)  # not frozen: construction is ~10x cheaper, and start-up builds thousands
class CardState:
    """What the scheduler knows of one card; a cache of replaying its reviews."""

    card_id: str
    phase: str = "new"  # new | learning | review | relearning
    stability: float | None = None
    difficulty: float | None = None
    due_day: int | None = None
    due_ts: int | None = None
    last_day: int | None = None
    last_ts: int | None = None
    first_day: int | None = None
    reps: int = 0
    lapses: int = 0
    last_rating: int | None = None
    suspended: bool = False
    last_uid: str | None = None


class Outcome(NamedTuple):
    rating: int
    state: CardState
    label: str  # "10m", "3d", "1.4mo": what the rating button shows


def format_interval(days: float | None, minutes: float | None = None) -> str:
    if minutes is not None:
        return f"{int(round(minutes))}m" if minutes < 60 else f"{minutes / 60:.0f}h"
    assert days is not None
    if days < 30:
        return f"{int(days)}d"
    if days < 365:
        return f"{days / 30.4:.1f}mo"
    return f"{days / 365:.1f}y"


class Scheduler:
    def __init__(
        self,
        parameters: Sequence[float] | None = None,
        desired_retention: float = 0.9,
    ) -> None:
        self.parameters = tuple(parameters or DEFAULT_PARAMETERS)
        self.desired_retention = desired_retention
        self._engine = fsrs.FSRS(list(self.parameters))
        decay = self.parameters[20]
        self._decay = -decay
        self._factor = 0.9 ** (1 / self._decay) - 1

    def outcomes(self, state: CardState, ts: int, day: int, uid: str = "") -> dict[int, Outcome]:
        """The state each rating would lead to, reviewing at (ts, day)."""
        memory = None
        elapsed = 0
        if state.stability is not None and state.difficulty is not None:
            memory = fsrs.MemoryState(state.stability, state.difficulty)
            elapsed = max(0, day - (state.last_day if state.last_day is not None else day))
        nxt = self._engine.next_states(memory, self.desired_retention, elapsed)
        items = {AGAIN: nxt.again, HARD: nxt.hard, GOOD: nxt.good, EASY: nxt.easy}
        # Whole days, and each button strictly longer than the one before (as Anki does).
        hard = max(1, round(items[HARD].interval))
        good = max(hard + 1, round(items[GOOD].interval))
        easy = max(good + 1, round(items[EASY].interval))
        days = {
            HARD: min(hard, MAX_INTERVAL_DAYS),
            GOOD: min(good, MAX_INTERVAL_DAYS),
            EASY: min(easy, MAX_INTERVAL_DAYS),
        }
        base = replace(
            state,
            reps=state.reps + 1,
            last_day=day,
            last_ts=ts,
            first_day=state.first_day if state.first_day is not None else day,
            last_uid=uid or state.last_uid,
        )
        out: dict[int, Outcome] = {}
        for rating, item in items.items():
            mem = item.memory
            if rating == AGAIN:
                lapsed = state.phase == "review"
                new = replace(
                    base,
                    phase="relearning" if state.phase in ("review", "relearning") else "learning",
                    stability=mem.stability,
                    difficulty=mem.difficulty,
                    due_day=day,
                    due_ts=ts + RELEARN_MS,
                    lapses=state.lapses + (1 if lapsed else 0),
                    last_rating=rating,
                )
                out[rating] = Outcome(rating, new, format_interval(None, RELEARN_MS / 60000))
            else:
                new = replace(
                    base,
                    phase="review",
                    stability=mem.stability,
                    difficulty=mem.difficulty,
                    due_day=day + days[rating],
                    due_ts=None,
                    last_rating=rating,
                )
                out[rating] = Outcome(rating, new, format_interval(days[rating]))
        return out

    def apply(self, state: CardState, rating: int, ts: int, day: int, uid: str = "") -> CardState:
        if rating not in RATING_NAMES:
            raise ValueError(f"rating must be 1-4, got {rating}")
        return self.outcomes(state, ts, day, uid)[rating].state

    def retrievability(self, state: CardState, day: float) -> float:
        """FSRS-6 probability of recall on study day `day` (0 for an unseen card)."""
        if state.stability is None or state.last_day is None:
            return 0.0
        elapsed = max(0.0, day - state.last_day)
        return math.pow(1 + self._factor * elapsed / state.stability, self._decay)

    def replay(
        self, card_id: str, events: Sequence[tuple[str, str, int, int, int | None, str | None]]
    ) -> CardState:
        """Rebuild one card's state from its log rows (uid, kind, ts, day, rating, ref), in order."""
        undone = {ref for _, kind, _, _, _, ref in events if kind == "undo" and ref}
        state = CardState(card_id)
        for uid, kind, ts, day, rating, _ref in events:
            if kind == "review" and uid not in undone and rating is not None:
                state = self.apply(state, rating, ts, day, uid)
            elif kind == "suspend":
                state = replace(state, suspended=True)
            elif kind == "unsuspend":
                state = replace(state, suspended=False)
        return state
