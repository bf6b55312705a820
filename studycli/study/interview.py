"""Interview-aware scheduling: reviews planned so that recall peaks on the interview day.

Plain FSRS keeps every card near `desired_retention` for the long term; before an
interview what counts is recall on one day. For every seen card the planner predicts,
with the FSRS-6 model itself, the recall on the interview day (at the rollover hour
that starts it, so `interview - last_day` whole study days after the last review) that
a review on a given day leads to, and plans:

- the reviews each card needs to reach `target_recall` on the day: one last review
  on the best day the load allows (a review is put off no further than recall
  `floor`, and a lapse then leaves a day to relearn it); a card too weak to wait is
  reviewed when FSRS says, and planned again the next day. A card already at the
  target is left for the room the level leaves (below), even when FSRS has it due:
  reviews that barely raise recall on the day are what plain FSRS spends most of its
  budget on;
- a daily budget spread evenly over the days left: the smallest daily level at which
  every needed review fits a day within `tolerance` of its best (never above
  `reviews_per_day`, the candidate's daily budget: the drill's limit and what the
  daily study time holds), the eve at `light_share` of it, for mocks;
- with room left under that level, reviews where the gain in recall on the day per
  review is largest, down to `min_gain`.

The plan is made from the cards' current memory (once a study day, or at the end of the
day before's drill: cli/context.py keeps it for the day's starts), so a lapse or a
missed day is planned around. On and
after the interview day plain FSRS applies.

The level is where recall and an even load are traded: a review moved off its best day
costs recall on the day, and most cards' best days are the last ones, so left to itself
the plan is busiest two days before the interview. A smaller `reviews_per_day` spreads
those reviews over earlier days for a little recall; a wider `tolerance` does the same
for every plan (bench/interview_sim.py measures both). The defaults are the ones that
meet recall 0.96 with 97% of cards at 0.9 on 14-, 21- and 30-day plans for fewer
reviews than plain FSRS; keeping a second day light misses that on the 14-day plan.

The FSRS-6 formulas are fsrs-rs's own (stability after a success, after a lapse and
after a same-day review; retrievability R(t, S) = (1 + factor * t / S) ** -w[20]),
written out so 10,000 cards plan in a few tens of milliseconds; a test checks them
against fsrs_rs_python.next_states. Pure: days are study-day ordinals, nothing here
reads the clock or the store.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import math
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from studycli.scheduler import DEFAULT_PARAMETERS

# (card id, stability, difficulty, last review day, FSRS due day) of a seen, unsuspended card
Memory = tuple[str, float, float, int, int]
LAPSE_RECALL = 0.9  # recall on the day of a card relearnt after a lapse, then reviewed once more
MAX_WEIGHED = 1500  # spare reviews weighed in full per plan: bounds the time a start takes


class InterviewSettings(NamedTuple):
    # every card at least this on the day, where the budget allows
    target_recall: float = 0.9
    # the daily review budget: never plan more reviews on a day
    reviews_per_day: int = 200
    # the last days before the interview, kept for mocks, at this share of the daily level
    light_days: int = 1
    light_share: float = 0.35
    # a review is put off no later than the day recall falls to this
    floor: float = 0.72
    # a review may move to a quieter day when recall on the day drops by less than this
    tolerance: float = 0.004
    # with room left under the level, extra reviews where one raises recall on the day by
    # at least this much
    min_gain: float = 0.03


class InterviewPlan(NamedTuple):
    """What the planner decided on `today` for the interview on `interview` (study days)."""

    today: int
    interview: int
    due: list[str]  # reviews for today, cards pulled forward first, each group weakest first
    reasons: dict[str, str]  # card id -> why it is asked today although FSRS would wait
    held: list[str]  # cards FSRS has due today that the plan reviews later, closer to the day
    next_review: dict[str, int]  # card id -> day of its next planned review before the interview
    per_day: list[float]  # planned reviews on each day left (today first), lapses counted
    level: float  # the daily budget the plan spreads to (light days get a share of it)
    cards: int  # seen cards the figures below average over
    recall_now: float  # predicted mean recall on the day if no card were reviewed again
    recall_today: float  # ... if today's reviews (up to reviews_per_day) are done, no others
    recall_planned: float  # ... if every planned review is done (NaN unless asked for in detail)
    expected: dict[str, float]  # card id -> predicted recall on the day after its planned review

    @property
    def days_left(self) -> int:
        return max(0, self.interview - self.today)


class Model:
    """The FSRS-6 memory model of one parameter set, as plain float arithmetic."""

    def __init__(self, parameters: Sequence[float] | None = None) -> None:
        w = tuple(parameters or DEFAULT_PARAMETERS)
        if len(w) < 21:
            raise ValueError(f"FSRS-6 needs 21 parameters, got {len(w)}")
        self.w = w
        self.decay = -w[20]
        self.factor = 0.9 ** (1 / self.decay) - 1
        self.inv_decay = 1 / self.decay
        self.success_scale = math.exp(w[8])
        # a same-day Good multiplies S by this * S ** -w[19] (at least 1); a lapse keeps S below S / this
        self.short_good = math.exp(w[17] * w[18])
        self.first_stability = w[2]  # a first answer Good
        self.first_difficulty = self._clamp(w[4] - math.exp(w[5] * 2) + 1)
        d_easy = w[4] - math.exp(w[5] * 3) + 1  # mean reversion target, D0(Easy)
        self.reversion = (w[7], w[7] * d_easy)
        self._value = self._build_value()

    @staticmethod
    def _clamp(d: float) -> float:
        return min(10.0, max(1.0, d))

    def recall(self, elapsed: float, stability: float) -> float:
        """Retrievability after `elapsed` days: (1 + factor * t / S) ** decay."""
        return (1 + self.factor * elapsed / stability) ** self.decay

    def days_until(self, recall: float, stability: float) -> float:
        """Days after a review until retrievability falls to `recall`."""
        return stability / self.factor * (recall**self.inv_decay - 1)

    def after_good(self, s: float, d: float, r: float) -> float:
        """Stability after a review rated Good at retrievability r (one day or more after the last)."""
        w = self.w
        return s * (
            self.success_scale * (11 - d) * s ** -w[9] * (math.exp(w[10] * (1 - r)) - 1) + 1
        )

    def after_lapse(self, s: float, d: float, r: float) -> tuple[float, float]:
        """(stability, difficulty) after Again at retrievability r, then Good the same day."""
        w = self.w
        forget = w[11] * d ** -w[12] * ((s + 1) ** w[13] - 1) * math.exp(w[14] * (1 - r))
        s1 = min(forget, s / self.short_good)
        a, b = self.reversion
        d1 = self._clamp(b + (1 - a) * (d + 2 * w[6] * (10 - d) / 9))
        d2 = self._clamp(b + (1 - a) * d1)
        return s1 * max(1.0, self.short_good * s1 ** -w[19]), d2

    def value(
        self, s: float, d: float, last: int, day: int, interview: int
    ) -> tuple[float, float, float]:
        """(expected recall on the interview day, expected reviews, stability after a success)
        of one review on `day`: recalled with probability R, else relearned the same day and,
        when a day is left, reviewed again the day before the interview (a second lapse then
        leaves it at its relearnt stability)."""
        return self._value(s, d, last, day, interview)

    def _build_value(self) -> Callable[[float, float, int, int, int], tuple[float, float, float]]:
        # One closure over constants: this runs for thousands of cards at every start.
        w = self.w
        dec, fac, scale, exp = self.decay, self.factor, self.success_scale, math.exp
        w9, w10, w11, w12, w13, w14, w19 = w[9], w[10], w[11], w[12], w[13], w[14], w[19]
        short = self.short_good
        a, b = self.reversion
        up = 2 * w[6] / 9

        def value(
            s: float, d: float, last: int, day: int, interview: int
        ) -> tuple[float, float, float]:
            p = (1 + fac * (day - last) / s) ** dec
            good = s * (scale * (11 - d) * s**-w9 * (exp(w10 * (1 - p)) - 1) + 1)
            hit = (1 + fac * (interview - day) / good) ** dec
            s1 = min(w11 * d**-w12 * ((s + 1) ** w13 - 1) * exp(w14 * (1 - p)), s / short)
            relearnt = s1 * max(1.0, short * s1**-w19)
            left = interview - day
            if left >= 2:
                d1 = min(10.0, max(1.0, b + (1 - a) * (d + up * (10 - d))))
                q = (1 + fac * (left - 1) / relearnt) ** dec
                again = relearnt * (
                    scale * (11 - d1) * relearnt**-w9 * (exp(w10 * (1 - q)) - 1) + 1
                )
                fixed = q * (1 + fac / again) ** dec + (1 - q) * (1 + fac / relearnt) ** dec
                return p * hit + (1 - p) * fixed, 1 + (1 - p) * (3 - q), good
            return p * hit + (1 - p) * (1 + fac * left / relearnt) ** dec, 2 - p, good

        return value


# A review planned as a card's last before the interview:
# (earliest day within tolerance of the best, best day, earliest possible day (a card still
# to come: the day after it is introduced), expected reviews, card id or None for a card
# still to come, stability after a success)
_Final = tuple[int, int, int, float, str | None, float]


def plan_interview(
    memories: Iterable[Memory],
    today: int,
    interview: int,
    *,
    parameters: Sequence[float] | None = None,
    settings: InterviewSettings = InterviewSettings(),
    upcoming: Sequence[int] = (),
    model: Model | None = None,
    detail: bool = False,
) -> InterviewPlan:
    """Plan the reviews of the days left before `interview` (both study-day ordinals).

    `memories` are the seen, unsuspended cards; `upcoming` the new cards the pacing will
    introduce on each day left (today first), planned for so that the load stays level.
    On or after the interview day the plan is empty: plain FSRS applies. `detail` also
    predicts each card's recall on the day if the plan is kept (`expected`,
    `recall_planned`), which costs a model evaluation per planned card.
    """
    m = model or Model(parameters)
    cfg = settings
    n = interview - today
    value, decay, factor = m._value, m.decay, m.factor
    w9, w10, scale, exp = m.w[9], m.w[10], m.success_scale, math.exp
    floor_days = m.days_until(cfg.floor, 1.0)  # days to fall to `floor`, per unit of stability
    inv = m.inv_decay
    target, min_gain = cfg.target_recall, cfg.min_gain
    gap_final = interview - 2  # a last review no later than this, so a lapse can be relearnt
    finals: list[_Final] = []
    fixed: list[tuple[str, int, float]] = []  # building reviews: (card, day, cost)
    spare: list[tuple[float, str, int, float]] = []  # (rough gain, card, day, S after)
    state: dict[str, tuple[float, float, int, int, float]] = {}  # card -> (S, D, last, due, r0)
    r_sum = 0.0
    cards = 0
    for card_id, s, d, last, due in memories:
        cards += 1
        r0 = (1 + factor * (interview - last) / s) ** decay
        r_sum += r0
        if last >= today or n <= 0:
            continue
        state[card_id] = (s, d, last, due, r0)
        must = r0 < target
        if not must and r0 > 1 - min_gain:
            continue  # no review can raise it by min_gain
        end = interview - 1 if last >= gap_final else gap_final
        best = last + int(s * floor_days)
        best = today if best < today else end if best > end else best
        p = (1 + factor * (best - last) / s) ** decay
        good = s * (scale * (11 - d) * s**-w9 * (exp(w10 * (1 - p)) - 1) + 1)
        hit = (1 + factor * (interview - best) / good) ** decay
        if not must:
            if hit - r0 >= min_gain:  # a success would be worth it; weighed in full if room is left
                spare.append((hit - r0, card_id, best, good))
            continue
        c_b = 1 + (1 - p) * 2.15  # a lapse: relearnt the same day, and again most times
        # the earliest day within `tolerance` of recall on the day (the success branch)
        r_low = hit - cfg.tolerance
        lo = interview - int(good / factor * ((r_low if r_low > 0.5 else 0.5) ** inv - 1))
        lo = today if lo < today else best if lo > best else lo
        build = today if due < today else due
        if build < best:  # FSRS would ask it before its best day
            # a card that cannot make the target even on its best day is reviewed when FSRS
            # says, and planned again after
            if p * hit + (1 - p) * LAPSE_RECALL < target:
                fixed.append((card_id, build, 2 - (1 + factor * (build - last) / s) ** decay))
                continue
            if 1 - hit >= min_gain:  # a review then too may be worth it, if room is left
                spare.append((1 - hit, card_id, -build, good))
        finals.append((lo, best, today, c_b, card_id, good))
    if n <= 0:
        mean = r_sum / cards if cards else 0.0
        return InterviewPlan(today, interview, [], {}, [], {}, [], 0.0, cards, mean, mean, mean, {})
    _add_upcoming(finals, m, upcoming, today, interview, cfg, floor_days)

    share = [
        cfg.light_share if day >= interview - cfg.light_days else 1.0
        for day in range(today, interview)
    ]
    load = [0.0] * n
    next_review: dict[str, int] = {}
    for card_id, day, cost in fixed:
        load[day - today] += cost
        next_review[card_id] = day
    level = _level(finals, load, share, today, cfg)
    caps = [level * sh for sh in share]
    _place_finals(finals, load, caps, share, today, next_review)
    _spend_spare(spare, state, load, caps, today, interview, m, cfg, next_review)

    due_ids = [c for c, day in next_review.items() if day <= today]
    reasons: dict[str, str] = {}
    when = day_month(interview)
    for card_id in due_ids:
        if state[card_id][3] > today:
            reasons[card_id] = f"reviewed early so it is fresh on {when}"
    held = [
        c for c, (_, _, _, fsrs_due, _) in state.items()
        if fsrs_due <= today and next_review.get(c, interview) > today
    ]  # fmt: skip
    due_ids.sort(key=lambda c: (c not in reasons, m.recall(today - state[c][2], state[c][0]), c))
    expected: dict[str, float] = {}
    recall_today = recall_planned = r_sum
    # today: the reviews a day can hold (a day's limit cuts the list there); detail: all
    for card_id in due_ids[: cfg.reviews_per_day] if not detail else next_review:
        s, d, last, _, r0 = state[card_id]
        day = next_review[card_id]
        v = value(s, d, last, day, interview)[0]
        expected[card_id] = v
        recall_planned += v - r0
        if day <= today:
            recall_today += v - r0
    per = 1 / cards if cards else 0.0
    return InterviewPlan(
        today, interview, due_ids, reasons, held, next_review, load, level, cards,
        r_sum * per, recall_today * per, recall_planned * per if detail else float("nan"), expected,
    )  # fmt: skip


def day_month(day: int) -> str:
    """A study day as '22 Dec'."""
    return f"{dt.date.fromordinal(day):%d %b}".lstrip("0")


def _window_start(
    m: Model, best: int, s_after: float, interview: int, first: int, tolerance: float
) -> int:
    """The earliest day a review can move to, losing less than `tolerance` of recall on the day."""
    r_best = m.recall(interview - best, s_after)
    lo = interview - int(m.days_until(max(0.5, r_best - tolerance), s_after))
    return max(first, min(lo, best))


def _add_upcoming(
    finals: list[_Final], m: Model, upcoming: Sequence[int], today: int, interview: int,
    cfg: InterviewSettings, floor_days: float,
) -> None:  # fmt: skip
    """Cards still to be introduced (answered Good on their day) hold a place in the load."""
    s, d = m.first_stability, m.first_difficulty
    for offset, count in enumerate(upcoming[: interview - today]):
        day = today + offset
        if count <= 0 or day >= interview - 1:
            continue
        end = interview - 1 if day >= interview - 2 else interview - 2
        best = max(day + 1, min(end, day + int(s * floor_days)))
        _, cost, s_after = m.value(s, d, day, best, interview)
        lo = _window_start(m, best, s_after, interview, day + 1, cfg.tolerance)
        finals.extend([(lo, best, day + 1, cost, None, s_after)] * count)


def _level(
    finals: list[_Final], load: list[float], share: list[float], today: int, cfg: InterviewSettings
) -> float:
    """The smallest daily level at which, for every day x before the light days, the reviews
    that must fall on x or later (their window starts there) fit on those days; at least
    enough for one review (and its lapse) on a light day."""
    n = len(share)
    need_from = [0.0] * n
    for f in finals:
        need_from[f[0] - today] += f[3]
    least = 2.0 / cfg.light_share if 0 < cfg.light_share < 1 else 2.0
    level = 0.0
    need = room = 0.0
    for i in range(n - 1, -1, -1):
        need += need_from[i] + load[i]
        room += share[i]
        if share[i] == 1.0:
            level = max(level, need / room)
    return min(float(cfg.reviews_per_day), max(least, level))


def _stability(f: _Final) -> float:
    return f[5]


def _place_finals(
    finals: list[_Final], load: list[float], caps: list[float], share: list[float], today: int,
    next_review: dict[str, int],
) -> None:  # fmt: skip
    """Narrowest windows first, each on the least loaded day of its window (later days on
    ties); else the latest earlier day with room; else over the level on its last normal day.
    Cards with the same window are placed together, from a heap of its days."""
    groups: dict[tuple[int, int, int], list[_Final]] = {}
    for f in finals:
        groups.setdefault((f[0], f[1], f[2]), []).append(f)
    open_days = [i for i in range(len(load)) if load[i] + 1 <= caps[i]]  # days with room, ascending
    normal_end = sum(1 for sh in share if sh == 1.0) - 1  # the last day before the light days
    for (lo, best, first), group in sorted(
        groups.items(), key=lambda kv: (-kv[0][2], kv[0][1] - kv[0][0], kv[0][1])
    ):
        group.sort(key=_stability)
        a, b = lo - today, best - today
        heap = [(load[i] / caps[i] if caps[i] else math.inf, -i) for i in range(a, b + 1)]
        heapq.heapify(heap)
        for f in group:
            c = f[3]
            at = -1
            while heap:
                ratio, neg = heap[0]
                i = -neg
                if load[i] + c <= caps[i] + 1e-9:
                    at = i
                    break
                heapq.heappop(heap)  # full for this group (its cards cost about the same)
            if at < 0 and open_days:
                k = bisect.bisect_left(open_days, a) - 1
                while k >= 0 and open_days[k] >= first - today:
                    if load[open_days[k]] + c <= caps[open_days[k]] + 1e-9:
                        at = open_days[k]
                        break
                    k -= 1
            if at < 0:
                at = min(b, normal_end)
                if at < first - today:
                    at = b
            load[at] += c
            if a <= at <= b and heap and -heap[0][1] == at:
                heapq.heapreplace(heap, (load[at] / caps[at] if caps[at] else math.inf, -at))
            if load[at] + 1 > caps[at] and open_days:  # no room for another review
                k = bisect.bisect_left(open_days, at)
                if k < len(open_days) and open_days[k] == at:
                    del open_days[k]
            if f[4] is not None:
                next_review[f[4]] = today + at


def _spend_spare(
    spare: list[tuple[float, str, int, float]],
    state: dict[str, tuple[float, float, int, int, float]],
    load: list[float], caps: list[float], today: int, interview: int, m: Model,
    cfg: InterviewSettings, next_review: dict[str, int],
) -> None:  # fmt: skip
    """Room left under the level goes to the reviews with the largest gain in recall on the
    day per review: a last review for a card that does not need one, or a review when FSRS
    says for a card whose last review comes later. Only the most promising candidates (by
    the gain of a success) are weighed in full, as many as the room could take."""
    room = sum(max(0.0, c - x) for c, x in zip(caps, load, strict=True))
    if room < 0.5 or not spare:
        return
    spare.sort(key=lambda x: -x[0])
    value, gap_final = m._value, interview - 2
    floor_days = m.days_until(cfg.floor, 1.0)
    weighed: list[tuple[float, str, int, float, float]] = []
    for _rough, card_id, day, s_after in spare[: min(int(2 * room) + 20, MAX_WEIGHED)]:
        s, d, last, _, r0 = state[card_id]
        if day >= 0:
            v, cost, _ = value(s, d, last, day, interview)
            gain = (v - r0) / cost
        else:  # a review on -day before the last one: compare with the last one alone
            build, best = -day, next_review.get(card_id, gap_final)
            v_b, c_b, _ = value(s, d, last, best, interview)
            p1 = m.recall(build - last, s)
            s1 = m.after_good(s, d, p1)
            end = interview - 1 if last >= gap_final else gap_final
            best2 = min(end, max(build + 1, build + int(s1 * floor_days)))
            v2, c2, _ = value(s1, d, build, best2, interview)
            cost = 2 - p1
            gain = (p1 * v2 + (1 - p1) * v_b - v_b) / max(0.5, cost + c2 - c_b)
        if gain >= cfg.min_gain:
            weighed.append((gain, card_id, day, cost, s_after))
    weighed.sort(key=lambda x: -x[0])
    for _gain, card_id, day, cost, s_after in weighed:
        if day < 0:  # a building review on a fixed day, before the card's last review
            i = -day - today
            if load[i] + cost <= caps[i] + 1e-9:
                load[i] += cost
                next_review[card_id] = -day
            continue
        if card_id in next_review:
            continue
        lo = _window_start(m, day, s_after, interview, today, cfg.tolerance)
        for i in range(day - today, lo - today - 1, -1):
            if load[i] + cost <= caps[i] + 1e-9:
                load[i] += cost
                next_review[card_id] = today + i
                break


# --------------------------------------------------------------------------- forecast


class DeckForecast(NamedTuple):
    deck: str
    cards: int  # active cards of the deck
    seen: int
    recall_now: float | None  # mean predicted recall on the day of its seen cards, no more reviews
    recall_planned: float | None  # ... if the plan is kept


class InterviewForecast(NamedTuple):
    """The days ahead: what `studycli roadmap forecast` shows."""

    plan: InterviewPlan  # today's plan, with each card's recall on the plan
    decks: list[DeckForecast]
    new_per_day: list[int]  # new cards the pacing introduces on each day left
    missed: InterviewPlan | None  # tomorrow's plan had today been skipped (None on the eve)
    settings: InterviewSettings
    # today's plan at an even daily budget, when the plan's busiest day is well over it
    spread: InterviewPlan | None = None

    @property
    def missed_cost(self) -> float | None:
        """Points of mean recall on the day lost by skipping today (0.01 = one point)."""
        if self.missed is None:
            return None
        return self.plan.recall_planned - self.missed.recall_planned


def forecast(
    memories: Sequence[Memory],
    deck_of: Callable[[str], str | None],
    deck_sizes: dict[str, int],
    today: int,
    interview: int,
    *,
    parameters: Sequence[float] | None = None,
    settings: InterviewSettings = InterviewSettings(),
    upcoming: Sequence[int] = (),
) -> InterviewForecast:
    """Today's plan in detail, recall on the day per deck, and the cost of skipping today
    (tomorrow's plan from today's memory, today's new cards added to tomorrow's)."""
    m = Model(parameters)
    plan = plan_interview(
        memories, today, interview, settings=settings, upcoming=upcoming, model=m, detail=True
    )
    sums: dict[str, list[float]] = {d: [0, 0.0, 0.0] for d in deck_sizes}
    for card_id, s, _d, last, _due in memories:
        deck = deck_of(card_id)
        if deck is None or deck not in sums:
            continue
        r0 = m.recall(interview - last, s)
        acc = sums[deck]
        acc[0] += 1
        acc[1] += r0
        acc[2] += plan.expected.get(card_id, r0)
    decks = [
        DeckForecast(
            deck,
            deck_sizes[deck],
            int(acc[0]),
            acc[1] / acc[0] if acc[0] else None,
            acc[2] / acc[0] if acc[0] else None,
        )  # fmt: skip
        for deck, acc in sorted(sums.items())
    ]
    missed = None
    if interview - today >= 2:
        later = list(upcoming[1:])
        if later and upcoming:
            later[0] += upcoming[0]
        missed = plan_interview(
            memories, today + 1, interview, settings=settings, upcoming=later, model=m, detail=True
        )
    new = list(upcoming[: max(0, interview - today)])
    new += [0] * (max(0, interview - today) - len(new))
    spread = None  # (recall on the day is over the cards seen: none seen, nothing to weigh)
    for budget in flatter_budgets(plan.per_day, settings) if plan.cards else ():
        spread = plan_interview(
            memories, today, interview, settings=settings._replace(reviews_per_day=budget),
            upcoming=upcoming, model=m, detail=True,
        )  # fmt: skip
        if spread.recall_planned >= plan.recall_planned - 0.01:
            break  # the flattest that costs at most a point
    return InterviewForecast(plan, decks, new, missed, settings, spread)


def flatter_budgets(per_day: Sequence[float], settings: InterviewSettings) -> list[int]:
    """Daily budgets that would flatten a plan whose busiest day is more than half as busy
    again as an even spread of its reviews over the days before the light ones: from that
    even spread up, multiples of 5, each under the busiest day (none for a flat plan)."""
    normal = list(per_day[: max(1, len(per_day) - settings.light_days)])
    if not normal:
        return []
    even = 5 * math.ceil(sum(normal) / len(normal) / 5)
    top = min(max(per_day), settings.reviews_per_day)
    if even <= 0 or top <= 1.5 * even:
        return []
    return sorted({min(5 * math.ceil(even * f / 5), 5 * int(top / 5)) for f in (1, 1.5, 2, 3)})
