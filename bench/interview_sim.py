"""A simulated candidate drilling toward an interview: interview-aware scheduling vs plain FSRS.

    python bench/interview_sim.py [--seeds 20] [--days 30 21 14] [--json]

The candidate's memory follows the FSRS-6 model with its default parameters (the model
studycli schedules with, so the scheduler knows the memory exactly and only the answers
are left to chance). Every morning from the roadmap start to the eve of the interview
the candidate drills what the scheduler asks: due cards, then the new cards the plan's
pacing introduces (`study.roadmap.pacing` on the bundled 30-day roadmap and catalogue,
compressed when the interview is fewer than 30 days away). Each answer is drawn at
random with a seeded generator: a new card's first rating from FSRS's first-rating
probabilities, a review recalled with probability R (then Hard, Good or Easy by FSRS's
review-rating probabilities), a card rated Again asked again later the same session,
as `drill` does. Each card draws from its own seeded stream, so both schedulers meet
the same answers in the same order.

Both schedulers get the same new cards on the same days: "plain" is studycli without
the interview planner (every card due by FSRS, weakest first); "interview" asks what
`study.interview.plan_interview` plans. Reported per run: mean recall on the interview
day over all cards (FSRS retrievability at its rollover hour), the share of cards at
0.9 or more, every rating given (first sight, reviews and same-day repeats), the
busiest day and the last two days.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import fsrs_rs_python as fsrs  # noqa: E402

from studycli.content.loader import load_catalogue  # noqa: E402
from studycli.content.model import Catalogue  # noqa: E402
from studycli.scheduler import CardState, Scheduler  # noqa: E402
from studycli.study.interview import InterviewSettings, Model, plan_interview  # noqa: E402
from studycli.study.roadmap import Schedule, pacing, upcoming_new  # noqa: E402

INTERVIEW = dt.date(2026, 12, 22)
RUNS = (30, 21, 14)
# (days, daily review budget): the same runs with a cap on both schedulers, as
# 'config set reviews_per_day' sets it: what a flatter load costs
BUDGET_RUNS = ((30, 45), (21, 60), (14, 80))
TARGETS = {"mean_recall": 0.96, "share_at_0_9": 0.97, "reviews": "<= plain"}
_CONFIG = fsrs.default_simulator_config()
FIRST = tuple(_CONFIG.first_rating_prob)  # Again, Hard, Good, Easy on first sight
REVIEW = tuple(_CONFIG.review_rating_prob)  # Hard, Good, Easy when recalled
SAME_SESSION_DAYS = 10 / (24 * 60)  # a card rated Again comes back minutes later

Due = Callable[[dict[str, CardState], int, int, list[int]], list[str]]


def _pick(rng: random.Random, probs: Sequence[float], ratings: Sequence[int]) -> int:
    x, acc = rng.random(), 0.0
    for p, rating in zip(probs, ratings, strict=True):
        acc += p
        if x < acc:
            return rating
    return ratings[-1]


def plain_due(limit: int = 200) -> Due:
    """What `drill` asks without the planner: cards due by FSRS, weakest first."""

    def due(
        states: dict[str, CardState], day: int, interview: int, upcoming: list[int]
    ) -> list[str]:
        rows = [
            s for s in states.values()
            if s.reps and s.due_day is not None and s.due_day <= day and s.last_day != day
        ]  # fmt: skip
        rows.sort(key=lambda s: (-(day - (s.last_day or day)) / (s.stability or 1.0), s.card_id))
        return [s.card_id for s in rows[:limit]]

    return due


def interview_due(settings: InterviewSettings | None = None) -> Due:
    """What `drill` asks with the planner."""
    model = Model()
    cfg = settings or InterviewSettings()

    def due(
        states: dict[str, CardState], day: int, interview: int, upcoming: list[int]
    ) -> list[str]:
        memories = [
            (s.card_id, s.stability, s.difficulty, s.last_day, s.due_day)
            for s in states.values()
            if s.reps and s.stability is not None and s.difficulty is not None
            and s.last_day is not None and s.due_day is not None
        ]  # fmt: skip
        plan = plan_interview(
            memories, day, interview, settings=cfg, upcoming=upcoming, model=model
        )
        return plan.due[: cfg.reviews_per_day]  # as the drill: no more than the day's budget

    return due


def simulate(catalogue: Catalogue, days: int, seed: int, due: Due) -> dict[str, Any]:
    """One candidate, `days` mornings of drilling up to the interview. Returns the figures."""
    assert catalogue.roadmap is not None
    scheduler = Scheduler()
    start = INTERVIEW - dt.timedelta(days=days)
    schedule = Schedule(catalogue.roadmap, start, INTERVIEW)
    cards = list(catalogue.cards.values())
    streams = {c.id: random.Random(f"{seed}:{c.id}") for c in cards}
    states: dict[str, CardState] = {}
    interview = INTERVIEW.toordinal()
    per_day: list[int] = []
    for day in range(start.toordinal(), interview):
        date = dt.date.fromordinal(day)
        seen = {cid for cid, s in states.items() if s.reps}
        pace = pacing(schedule, cards, seen, 0, date)
        unseen = [c for c in cards if c.id not in seen]
        new = [c.id for c in pace.order(unseen)[: pace.new_per_day]] if pace else []
        upcoming = upcoming_new(schedule, pace, date) if pace else []
        queue = due(states, day, interview, upcoming) + new
        ratings = 0
        i = 0
        while i < len(queue):
            card_id = queue[i]
            rng = streams[card_id]
            state = states.get(card_id) or CardState(card_id)
            if not state.reps:
                rating = _pick(rng, FIRST, (1, 2, 3, 4))
                rng.random()  # keep the stream in step with a review's two draws
            else:
                assert state.stability is not None and state.last_day is not None
                elapsed = SAME_SESSION_DAYS if state.last_day == day else day - state.last_day
                p = (1 + scheduler._factor * elapsed / state.stability) ** scheduler._decay
                recalled = rng.random() < p
                rating = _pick(rng, REVIEW, (2, 3, 4)) if recalled else 1
            states[card_id] = scheduler.apply(state, rating, day * 86_400_000 + i, day)
            ratings += 1
            if rating == 1:
                # The drill asks a card rated Again once its 10-minute step is due or when
                # nothing else is left; cards here are a millisecond apart, so: at the end.
                queue.append(card_id)
            i += 1
        per_day.append(ratings)
    recall = [
        scheduler.retrievability(states[c.id], interview) if c.id in states else 0.0 for c in cards
    ]
    return {
        "mean_recall": sum(recall) / len(recall),
        "share_at_0_9": sum(r >= 0.9 for r in recall) / len(recall),
        "reviews": sum(per_day),
        "per_day": per_day,
    }


def run(catalogue: Catalogue, days: int, seeds: int, due: Due) -> dict[str, Any]:
    """Means over `seeds` candidates."""
    runs = [simulate(catalogue, days, seed, due) for seed in range(seeds)]
    per_day = [statistics.fmean(r["per_day"][i] for r in runs) for i in range(days)]
    return {
        "mean_recall": round(statistics.fmean(r["mean_recall"] for r in runs), 4),
        "share_at_0_9": round(statistics.fmean(r["share_at_0_9"] for r in runs), 4),
        "reviews": round(statistics.fmean(r["reviews"] for r in runs), 1),
        "busiest_day": round(max(per_day), 1),
        "last_two_days": [round(x, 1) for x in per_day[-2:]],
        "per_day": [round(x, 1) for x in per_day],
    }


def compare(
    seeds: int = 20,
    runs: Sequence[int] = RUNS,
    settings: InterviewSettings | None = None,
    budget_runs: Sequence[tuple[int, int]] = BUDGET_RUNS,
) -> dict[str, Any]:
    """Both schedulers on every run length. JSON-ready; what `make bench` records."""
    catalogue = load_catalogue()
    out: dict[str, Any] = {
        "cards": len(catalogue.cards),
        "seeds": seeds,
        "interview": INTERVIEW.isoformat(),
        "targets": TARGETS,
        "runs": {},
    }
    cfg = settings or InterviewSettings()
    for days, budget in [(d, 0) for d in runs] + list(budget_runs):
        limit = budget or cfg.reviews_per_day
        plain = run(catalogue, days, seeds, plain_due(limit))
        aware = run(catalogue, days, seeds, interview_due(cfg._replace(reviews_per_day=limit)))
        aware["meets_targets"] = (
            aware["mean_recall"] >= TARGETS["mean_recall"]
            and aware["share_at_0_9"] >= TARGETS["share_at_0_9"]
            and aware["reviews"] <= plain["reviews"]
        )
        name = f"{days}d" + (f" <={budget}/day" if budget else "")
        out["runs"][name] = {"plain": plain, "interview": aware}
    return out


def table(result: dict[str, Any]) -> str:
    lines = [
        f"Simulated candidate: {result['cards']} cards, {result['seeds']} seeds, "
        f"interview {result['interview']}",
        f"{'run':12} {'scheduler':10} {'recall':>7} {'>=0.9':>7} {'reviews':>8} {'busiest':>8} {'last 2 days':>12}",
    ]
    for name, pair in result["runs"].items():
        for kind in ("plain", "interview"):
            r = pair[kind]
            last = "/".join(f"{x:.0f}" for x in r["last_two_days"])
            mark = (
                ("  meets targets" if r["meets_targets"] else "  misses targets")
                if kind == "interview"
                else ""
            )
            lines.append(
                f"{name:12} {kind:10} {r['mean_recall']:7.3f} {r['share_at_0_9']:7.1%} "
                f"{r['reviews']:8.0f} {r['busiest_day']:8.0f} {last:>12}{mark}"
            )
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--days", type=int, nargs="+", default=list(RUNS))
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE", help="planner settings")
    args = ap.parse_args()
    overrides = {k: float(v) for k, v in (s.split("=", 1) for s in args.set)}
    result = compare(args.seeds, args.days, InterviewSettings()._replace(**overrides))
    print(json.dumps(result, indent=2) if args.json else table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
