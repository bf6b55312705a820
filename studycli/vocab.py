"""The vocabulary every layer speaks, as types: ratings, card phases, review kinds, levels.

A leaf: imports nothing of the package. The values are the strings and numbers the
database, the progress files and the content use, so a `Phase` compares equal to
"review" and a `Rating` to 3.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Rating(IntEnum):
    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


AGAIN, HARD, GOOD, EASY = Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.EASY
RATING_NAMES: dict[int, str] = {AGAIN: "Again", HARD: "Hard", GOOD: "Good", EASY: "Easy"}


class Phase(StrEnum):
    """Where a card is in its life: new, (re)learning within a day, or in review."""

    NEW = "new"
    LEARNING = "learning"
    REVIEW = "review"
    RELEARNING = "relearning"


class ReviewKind(StrEnum):
    """What a row of the review log records."""

    REVIEW = "review"
    UNDO = "undo"
    SUSPEND = "suspend"
    UNSUSPEND = "unsuspend"


LEVELS = ("junior", "mid", "senior", "staff")

# A coding kata's reviews are logged under the card id KATA_PREFIX + its id ("kata-rrf").
KATA_PREFIX = "kata-"
