"""Fitting FSRS parameters to the candidate's own review log, with fsrs-rs-python.

The log becomes one FSRS history per card (ratings with whole study days between
reviews; same-day reviews have delta_t 0). Every review on a later day than the
previous one is a prediction FSRS can be scored on: the history up to and
including it is one `FSRSItem`. The items are split by time: those whose last
review falls in the most recent ~20% of study days are held out; parameters are
fitted on the earlier ones only, and the current and fitted parameters are both
scored on the held-out items (log loss, and RMSE over FSRS's own bins). The new
parameters are worth keeping only when they predict the held-out reviews better.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from studycli.errors import StudyError
from studycli.scheduler import DEFAULT_PARAMETERS
from studycli.storage.stats import Review, log_reviews
from studycli.storage.store import Store
from studycli.vocab import KATA_PREFIX

MIN_REVIEWS = 400

MIN_CARDS = 50

MIN_TRAIN_ITEMS = 64  # below this fsrs-rs fits only the four initial stabilities

MIN_TEST_ITEMS = 30

HOLDOUT_FRACTION = 0.2


@dataclass(frozen=True)
class Item:
    """One prediction: a card's history up to a review on a new day."""

    day: int  # study day of the review being predicted
    ts: int
    ratings: tuple[int, ...]
    deltas: tuple[int, ...]  # days since the previous review (0 for the first)


@dataclass(frozen=True)
class Score:
    log_loss: float
    rmse: float


@dataclass(frozen=True)
class FitReport:
    reviews: int
    cards: int
    train_items: int
    test_items: int
    holdout_from_day: int
    current: Score
    fitted: Score
    default: Score | None  # when the current parameters are not the defaults
    current_parameters: tuple[float, ...]
    fitted_parameters: tuple[float, ...]

    @property
    def improved(self) -> bool:
        """Better = lower held-out log loss (a proper score; binned RMSE is noisy on small sets)."""
        return self.fitted.log_loss < self.current.log_loss


class NotEnoughHistory(StudyError):
    exit_code = 1


def build_items(reviews: Iterable[Review]) -> list[Item]:
    """Every review on a later study day than the card's previous one, with its history; by time."""
    items: list[Item] = []
    history: dict[str, tuple[list[int], list[int], int]] = {}
    for r in sorted(reviews, key=lambda r: (r.card_id, r.ts)):
        ratings, deltas, last_day = history.get(r.card_id, ([], [], r.day))
        delta = max(0, r.day - last_day) if ratings else 0
        ratings = ratings + [r.rating]
        deltas = deltas + [delta]
        history[r.card_id] = (ratings, deltas, r.day)
        if len(ratings) > 1 and delta > 0:
            items.append(Item(r.day, r.ts, tuple(ratings), tuple(deltas)))
    items.sort(key=lambda i: (i.ts, i.day))
    return items


def split_by_time(
    items: Sequence[Item], fraction: float = HOLDOUT_FRACTION
) -> tuple[list[Item], list[Item], int]:
    """(train, test, first held-out day): whole study days; the latest ~`fraction` is held out."""
    if not items:
        return [], [], 0
    cut_day = items[min(len(items) - 1, int(len(items) * (1 - fraction)))].day
    train = [i for i in items if i.day < cut_day]
    test = [i for i in items if i.day >= cut_day]
    return train, test, cut_day


def _fsrs_items(items: Sequence[Item]):  # type: ignore[no-untyped-def]
    import fsrs_rs_python as fsrs

    return [
        fsrs.FSRSItem([fsrs.FSRSReview(r, d) for r, d in zip(i.ratings, i.deltas, strict=True)])
        for i in items
    ]


def evaluate(parameters: Sequence[float], items: Sequence[Item]) -> Score:
    import fsrs_rs_python as fsrs

    ev = fsrs.FSRS(list(parameters)).evaluate(_fsrs_items(items))
    return Score(float(ev.log_loss), float(ev.rmse_bins))


def check_history(reviews: Sequence[Review]) -> None:
    cards = len({r.card_id for r in reviews})
    if len(reviews) < MIN_REVIEWS or cards < MIN_CARDS:
        raise NotEnoughHistory(
            "not enough history to fit your own parameters yet: "
            f"{len(reviews)} reviews of {cards} cards, optimize needs at least {MIN_REVIEWS} "
            f"reviews of {MIN_CARDS} cards; keep drilling and try again"
        )


def fit(store: Store, current: Sequence[float] | None = None) -> FitReport:
    """Fit parameters on the earlier reviews and score them against `current` on the later ones."""
    import fsrs_rs_python as fsrs

    current_params = tuple(current or DEFAULT_PARAMETERS)
    # Memory only: a kata's rating says whether code passed its checks in time, not recall.
    reviews = [r for r in log_reviews(store) if not r.card_id.startswith(KATA_PREFIX)]
    check_history(reviews)
    train, test, cut_day = split_by_time(build_items(reviews))
    if len(train) < MIN_TRAIN_ITEMS or len(test) < MIN_TEST_ITEMS:
        raise NotEnoughHistory(
            f"not enough reviews on later days to fit and check parameters: {len(train)} to fit "
            f"(needs {MIN_TRAIN_ITEMS}) and {len(test)} to check (needs {MIN_TEST_ITEMS}); "
            "keep drilling over more days and try again"
        )
    try:
        fitted = tuple(
            float(w)
            for w in fsrs.FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(_fsrs_items(train))
        )
    except Exception as exc:  # noqa: BLE001 - fsrs-rs reports data problems as plain exceptions
        raise StudyError(f"FSRS could not fit parameters to this review log: {exc}") from None
    defaults = tuple(DEFAULT_PARAMETERS)
    return FitReport(
        reviews=len(reviews),
        cards=len({r.card_id for r in reviews}),
        train_items=len(train),
        test_items=len(test),
        holdout_from_day=cut_day,
        current=evaluate(current_params, test),
        fitted=evaluate(fitted, test),
        default=None if current_params == defaults else evaluate(defaults, test),
        current_parameters=current_params,
        fitted_parameters=fitted,
    )
