"""What every command needs, opened lazily: home, config, content, store, scheduler, clock.

The CLI builds one `AppContext` from its global options; commands ask it for the
pieces they use, so `--help` opens nothing and `today` never imports what only
grading or rendering needs. The helpers below it turn the context into the arguments
the study layer takes (today's plan, pacing, readiness, report numbers).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studycli.clock import parse_now, study_day
from studycli.content.loader import load_catalogue
from studycli.content.model import Catalogue
from studycli.errors import UsageError
from studycli.scheduler import Scheduler
from studycli.storage.config import DB_NAME, Config, data_home, load_config
from studycli.storage.store import Store
from studycli.study.day_plan import Limits

if TYPE_CHECKING:
    from collections.abc import Callable, Container, Sequence

    from studycli.content.model import Card
    from studycli.scheduler import CardState
    from studycli.study.interview import InterviewForecast, InterviewPlan, InterviewSettings
    from studycli.study.report_types import ReportData
    from studycli.study.roadmap import Pacing, PlanToday, Schedule


@dataclass
class AppContext:
    home_option: Path | None = None
    content_dirs: list[Path] = field(default_factory=list)

    @cached_property
    def home(self) -> Path:
        return data_home(self.home_option)

    @cached_property
    def config(self) -> Config:
        return load_config(self.home)

    @cached_property
    def catalogue(self) -> Catalogue:
        return load_catalogue(self.content_dirs, cache_dir=self.home / "cache")

    @cached_property
    def store(self) -> Store:
        store = Store(self.home / DB_NAME, before_write=self._before_first_write)
        self.__dict__["store"] = store  # the scheduler below reads its settings
        self._finish_interrupted_work(store)
        return store

    def _before_first_write(self, store: Store) -> None:
        from studycli.storage.backup import prepare_first_write

        prepare_first_write(store, self.now())

    def _finish_interrupted_work(self, store: Store) -> None:
        """Work a killed studycli left half-done: card states behind the log (an import,
        optimize or rebuild cut short), ratings kept while the database was busy."""
        unfinished = store.unfinished()
        if unfinished and store.claim_unfinished():
            n = store.rebuild_states(self.scheduler, claim=True)
            what = " and ".join(sorted(set(unfinished)))
            notice(
                f"an interrupted {what} left card states behind the review log; rebuilt {n} cards"
            )
        if store.pending_ratings():
            n = store.save_pending(self.scheduler)
            if n:
                notice(f"saved {n} rating(s) kept while the database was busy")

    @cached_property
    def scheduler(self) -> Scheduler:
        params = self.store.get_setting("fsrs_parameters")
        return Scheduler(params, desired_retention=float(self.config["desired_retention"]))

    @property
    def rollover_hour(self) -> int:
        return int(self.config["rollover_hour"])

    @property
    def limits(self) -> Limits:
        return Limits(int(self.config["new_per_day"]), int(self.config["reviews_per_day"]))

    def now(self) -> dt.datetime:
        return parse_now(os.environ.get("STUDYCLI_NOW"))

    def today(self) -> int:
        return study_day(self.now(), self.rollover_hour)

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()


def first_run(a: AppContext) -> bool:
    """The very first run in a terminal: no database and no config.yaml yet (then `today` and
    `drill` offer 'studycli init'). Two stat calls; nothing imported."""
    from studycli.cli.prompts import interactive
    from studycli.storage.config import CONFIG_NAME

    if os.environ.get("STUDYCLI_NO_INIT") == "1" or not interactive():
        return False
    return not (a.home / DB_NAME).exists() and not (a.home / CONFIG_NAME).exists()


def notice(text: str) -> None:
    """Something the user should know that is not an error: one line on standard error."""
    import typer

    typer.echo(f"studycli: {text}", err=True)


def interview_of(a: AppContext) -> dt.date | None:
    from studycli.study.roadmap import interview_date

    return interview_date(a.config)


def today_date(a: AppContext) -> dt.date:
    return dt.date.fromordinal(a.today())


def focus_of(a: AppContext) -> tuple[list[str], list[str]]:
    """(decks, levels) new cards come from (config focus.*; empty: all), decks checked."""
    decks, levels = list(a.config["focus.decks"]), list(a.config["focus.levels"])
    unknown = [d for d in decks if d not in a.catalogue.decks]
    if unknown:
        raise UsageError(
            f"config focus.decks: no deck '{unknown[0]}' (known: {', '.join(sorted(a.catalogue.decks))}); "
            "'studycli init' or 'studycli config unset focus.decks' fixes it"
        )
    return decks, levels


def focus_ids(a: AppContext) -> list[str]:
    """The cards an unfiltered `today` or drill works on: the focus's, plus every card already
    seen (a narrower focus stops new cards, never the reviews of what was learnt)."""
    decks, levels = focus_of(a)
    if not decks and not levels:
        return list(a.catalogue.cards)
    ids = a.catalogue.select_ids(decks, (), levels)
    chosen = set(ids)
    seen = a.store.seen_cards()[0]
    return ids + [cid for cid in a.catalogue.cards if cid in seen and cid not in chosen]


def schedule_of(a: AppContext) -> Schedule | None:
    if not a.store.plan_started():
        return None  # the common case needs neither the roadmap module nor the roadmap
    from studycli.study.roadmap import load_schedule

    return load_schedule(a.catalogue.roadmap, a.store, interview_of(a))


def paced_limits(
    a: AppContext, schedule: Schedule | None, today: dt.date, seen: Container[str] | None = None
) -> tuple[Limits, Callable[[Sequence[Card]], list[Card]] | None, PlanToday | None, Pacing | None]:
    """Limits and new-card order for an unfiltered drill or `today`: paced to the interview
    while a roadmap runs (`schedule`, schedule_of's), else the configured limits. Also
    returns today's plan view. `seen`: as pace_on."""
    if schedule is None:
        return a.limits, None, None, None
    from studycli.storage.plans import done_tasks
    from studycli.study.roadmap import plan_today

    view = plan_today(schedule, done_tasks(a.store), today)
    pace = pace_on(a, schedule, today, a.store.new_introduced_on(today.toordinal()), seen)
    if pace is None:
        return a.limits, None, view, None
    return Limits(pace.new_per_day, a.limits.reviews_per_day), pace.order, view, pace


def pace_on(
    a: AppContext,
    schedule: Schedule,
    on: dt.date,
    introduced: int,
    seen: Container[str] | None = None,
) -> Pacing | None:
    """The roadmap's pace of new cards on `on`, `introduced` of them seen that day already,
    over the focus chosen in 'studycli init'. `seen`: the store's seen cards, when the
    caller has read them already (else read here)."""
    from studycli.study.roadmap import MAX_NEW_PER_DAY, pacing

    decks, levels = focus_of(a)
    cards = a.catalogue.cards
    return pacing(
        schedule,
        (cards[i] for i in a.catalogue.select_ids(decks, (), levels))
        if decks or levels
        else cards.values(),
        a.store.seen_cards()[0] if seen is None else seen,
        introduced,
        on,
        most=a.limits.new_per_day if a.config["minutes_per_day"] else MAX_NEW_PER_DAY,
    )


def readiness_for(
    a: AppContext, states: dict[str, CardState], *, grades: bool = True
) -> dict[str, Any]:
    """Readiness on the interview date (today when none is set or it has passed)."""
    from studycli.study.readiness import readiness_date, readiness_summary

    on = readiness_date(interview_of(a), today_date(a))
    return readiness_summary(a.catalogue, states, a.scheduler, a.store if grades else None, on=on)


PLAN_CACHE_FORMAT = 1  # bump when InterviewPlan changes shape


def day_plan(
    a: AppContext,
    card_ids: list[str],
    now: Any,
    *,
    paced: bool = True,
    extra_new: int | None = None,
) -> tuple[Any, Any, Any]:
    """Today's plan for `drill` and `today`: paced toward the interview while a roadmap runs,
    its reviews planned for the interview day unless `schedule` is `longterm`.

    Returns (day plan, roadmap view or None, pacing or None)."""
    from studycli.study.day_plan import plan_day

    schedule = schedule_of(a)
    today = dt.date.fromordinal(study_day(now, a.rollover_hour))  # the study day plan_day takes
    seen = a.store.seen_cards()  # one scan of the card states, for the pace and the plan
    limits, new_order, view, pace = a.limits, None, None, None
    if paced:
        limits, new_order, view, pace = paced_limits(a, schedule, today, seen[0])
    planned = interview_plan(a, schedule, pace, today, seen[0])
    plan = plan_day(
        card_ids, a.catalogue.cards, a.store, now, a.rollover_hour, limits,
        extra_new=extra_new, new_order=new_order, planned=planned, seen_cards=seen,
    )  # fmt: skip
    return plan, view, pace


def interview_plan(
    a: AppContext,
    schedule: Schedule | None,
    pace: Pacing | None = None,
    on: dt.date | None = None,
    seen: Container[str] | None = None,
) -> InterviewPlan | None:
    """The interview planner's plan for study day `on` (today when None), while a plan
    runs (started, the interview ahead) and `schedule` is `interview`; None otherwise:
    plain FSRS.

    Made at the first start of a study day, or at the end of the day before's drill, and
    kept in the cache folder; later starts reuse it without the cards reviewed since
    (storage/plan_cache.py). `seen`: as pace_on."""
    if schedule is None or schedule.interview is None or a.config["schedule"] != "interview":
        return None
    on = on or today_date(a)
    if not schedule.start <= on < schedule.interview:
        return None
    from studycli.storage.plan_cache import FILE_NAME, read_plan, write_plan
    from studycli.study.interview import InterviewPlan, plan_interview
    from studycli.study.roadmap import upcoming_new

    day, interview = on.toordinal(), schedule.interview.toordinal()
    if pace is None:  # a filtered drill, or another day: the pace of the whole plan
        pace = pace_on(a, schedule, on, a.store.new_introduced_on(day), seen)
    settings = interview_settings(a)
    key = (
        PLAN_CACHE_FORMAT, day, interview, schedule.start.toordinal(), tuple(settings),
        tuple(a.scheduler.parameters), pace.unseen if pace is not None else -1,
    )  # fmt: skip
    path = a.home / "cache" / FILE_NAME
    cached = read_plan(path, key)
    if cached is not None and not a.store.logged_since(cached[0], day):
        plan = InterviewPlan(*cached[1])
        done = a.store.cards_logged_on(day)
        return plan._replace(due=[c for c in plan.due if c not in done])
    upcoming: list[int] = []
    if pace is not None:
        upcoming = upcoming_new(schedule, pace, on)
    mark = a.store.log_mark()
    plan = plan_interview(
        known_memories(a), day, interview,
        parameters=a.scheduler.parameters, settings=settings, upcoming=upcoming,
    )  # fmt: skip
    write_plan(path, key, mark, tuple(plan))
    return plan


def plan_tomorrow(a: AppContext) -> None:
    """Leave tomorrow's interview plan in the cache, made from the memory today's reviews
    left, so that tomorrow's first start finds it ready. A no-op without a running plan."""
    schedule = schedule_of(a)
    if schedule is not None:
        interview_plan(a, schedule, on=today_date(a) + dt.timedelta(days=1))


def rebuild_states(a: AppContext) -> int:
    """Recompute every card state with the scheduler the (possibly new) settings describe."""
    a.__dict__.pop("scheduler", None)  # AppContext.scheduler is cached; the settings just changed
    return a.store.rebuild_states(a.scheduler)


def stats_numbers(a: AppContext) -> ReportData:
    """report_data(): what `stats`, `stats --json` and `report` show (cards/reviews/retention_30d stable)."""
    from studycli.study.report import report_data

    return report_data(a.store, a.catalogue, a.scheduler, a.config, a.now(), a.rollover_hour)


def interview_settings(a: AppContext) -> InterviewSettings:
    """The planner's settings: the target, and the daily review budget: the drill's limit,
    and no more reviews than the daily study time 'studycli init' was given holds."""
    from studycli.study.interview import InterviewSettings

    per_day = a.limits.reviews_per_day
    if minutes := int(a.config["minutes_per_day"]):
        from studycli.study.budget import REVIEW_MINUTES

        per_day = min(per_day, max(1, int(minutes / REVIEW_MINUTES)))
    return InterviewSettings(
        target_recall=float(a.config["target_recall"]), reviews_per_day=per_day
    )


def known_memories(a: AppContext) -> list[tuple[str, float, float, int, int]]:
    """The memory of every seen, unsuspended card the content still has."""
    cards = a.catalogue.cards
    return [m for m in a.store.memories() if m[0] in cards]


def interview_forecast(a: AppContext) -> tuple[InterviewForecast | None, str]:
    """The forecast `studycli roadmap forecast` shows, or None and why not."""
    schedule = schedule_of(a)
    if schedule is None:
        return None, "no plan yet: 'studycli roadmap start --interview YYYY-MM-DD' starts one"
    if schedule.interview is None:
        return None, "no interview date: 'studycli config set interview_date YYYY-MM-DD'"
    today = today_date(a)
    if today >= schedule.interview:
        return None, (
            f"the interview was on {schedule.interview.isoformat()}: reviews follow plain FSRS again"
        )
    if today < schedule.start:
        return None, f"the plan starts on {schedule.start.isoformat()}"
    from studycli.study.interview import forecast
    from studycli.study.roadmap import upcoming_new

    seen, suspended = a.store.seen_cards()
    cards = a.catalogue.cards
    day = today.toordinal()
    # the pace `today` and `drill` keep (paced_limits), so the plan is theirs
    pace = pace_on(a, schedule, today, a.store.new_introduced_on(day), seen)
    upcoming: list[int] = []
    if pace is not None:
        upcoming = upcoming_new(schedule, pace, today)
    sizes: dict[str, int] = {}
    for card in cards.values():
        if card.id not in suspended:
            sizes[card.deck] = sizes.get(card.deck, 0) + 1

    def deck_of(card_id: str) -> str | None:
        card = cards.get(card_id)
        return card.deck if card is not None else None

    settings = interview_settings(a)
    result = forecast(
        known_memories(a), deck_of, sizes, day, schedule.interview.toordinal(),
        parameters=a.scheduler.parameters, settings=settings, upcoming=upcoming,
    )  # fmt: skip
    return result, ""
