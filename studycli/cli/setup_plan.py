"""The plan `studycli init` sets up: the answers, what they buy (new cards a day, when every
card is seen), the summary shown before saving, and saving it (config and roadmap start)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from studycli.cli.context import AppContext, focus_of, interview_of, today_date
from studycli.errors import StudyError

if TYPE_CHECKING:
    from rich.console import Console

    from studycli.study.budget import Budget

MINUTE_CHOICES = (15, 20, 30, 45, 60, 90, 120)
DEFAULT_MINUTES = 30
DEFAULT_MODEL = "openai/gpt-4o-mini"


@dataclass
class Answers:
    interview: dt.date | None = None
    decks: list[str] = field(default_factory=list)  # empty: every deck
    levels: list[str] = field(default_factory=list)  # empty: every level
    minutes: int = DEFAULT_MINUTES
    model: str = ""  # empty: no grading
    api_base: str = ""
    model_note: str = ""  # what the test call said


def current(a: AppContext) -> Answers:
    """What is set now (a past interview date is not offered again)."""
    when = interview_of(a)
    decks, levels = focus_of(a)
    return Answers(
        interview=when if when is not None and when >= today_date(a) else None,
        decks=decks,
        levels=levels,
        minutes=int(a.config["minutes_per_day"]) or DEFAULT_MINUTES,
        model=str(a.config["grader.model"] or ""),
        api_base=str(a.config["grader.api_base"] or ""),
    )


def model_or_fail(answers: Answers) -> None:
    """--model without questions: one real call, or exit 1 with nothing saved."""
    from studycli.grading.probe import check_model

    result = check_model(answers.model, answers.api_base, timeout=30)
    if not result.ok:
        raise StudyError(f"--model: {result.message}; nothing saved")
    answers.model_note = result.message


def pool_of(a: AppContext, decks: list[str], levels: list[str]) -> int:
    """Unseen, unsuspended cards new cards would come from."""
    seen, suspended = a.store.seen_cards()
    ids = a.catalogue.select_ids(decks, (), levels)
    return sum(1 for cid in ids if cid not in seen and cid not in suspended)


def horizon(a: AppContext, interview: dt.date | None) -> tuple[int, dt.date]:
    """(days until the interview, or the plan's length without one; the day by which the plan
    wants every card seen)."""
    today = today_date(a)
    roadmap = a.catalogue.roadmap
    days = (interview - today).days if interview else (len(roadmap.days) if roadmap else 30)
    if roadmap is None:
        return max(1, days), today + dt.timedelta(days=max(1, days))
    from studycli.study.roadmap import Schedule

    target = Schedule(roadmap, plan_start(a) or today, interview).target_day()
    return max(1, days), dt.date.fromordinal(max(target, today.toordinal() + 1))


def plan_start(a: AppContext) -> dt.date | None:
    """The start of a plan already running (init keeps it), or None."""
    from studycli.study.roadmap import start_date

    return start_date(a.store) if a.store.plan_started() else None


def budget_for(a: AppContext, answers: Answers, minutes: int) -> Budget:
    from studycli.study.budget import plan_budget

    days, _ = horizon(a, answers.interview)
    return plan_budget(a.scheduler, minutes, pool_of(a, answers.decks, answers.levels), days)


def budget_of(a: AppContext, answers: Answers) -> Budget:
    return budget_for(a, answers, answers.minutes)


def summary(a: AppContext, console: Console, answers: Answers, budget: Budget) -> None:
    from studycli.dates import describe

    today = today_date(a)
    console.print()
    if answers.interview is not None:
        console.print(describe("interview", answers.interview, today), highlight=False)
    else:
        console.print("interview: no date yet (the plan runs 30 days)", highlight=False)
    left_out = [d for d in sorted(a.catalogue.decks) if d not in answers.decks]
    if not answers.decks:
        decks = "every deck"
    elif len(left_out) < len(answers.decks):
        decks = f"every deck but {', '.join(left_out)}"
    else:
        decks = ", ".join(answers.decks)
    levels = ", ".join(answers.levels) if answers.levels else "every level"
    console.print(
        f"new cards from: {decks} · {levels} ({budget.pool} unseen)",
        highlight=False,
    )
    for line in pace_lines(a, budget, answers.interview):
        console.print(line, highlight=False)
    if answers.model:
        note = f" ({answers.model_note})" if answers.model_note else ""
        console.print(f"grading: {answers.model}{note}", highlight=False)
    else:
        console.print("grading: off (you rate your own answers)", highlight=False)


@dataclass(frozen=True)
class Pace:
    """New cards a day as the plan's pacing will run them under a daily time budget."""

    per_day: int  # what will be introduced: the plan's need, up to what the time allows
    needed: int  # what the plan needs to show every card by `target`
    target: dt.date
    by_target: int  # cards seen by `target` at `per_day`


def pace_of(a: AppContext, budget: Budget, interview: dt.date | None) -> Pace:
    today = today_date(a)
    _, target = horizon(a, interview)
    days = max(1, (target - today).days)  # as the roadmap's pacing counts them
    needed = -(-budget.pool // days) if a.catalogue.roadmap is not None else budget.new_per_day
    per_day = min(needed, budget.new_per_day)
    return Pace(per_day, needed, target, min(budget.pool, per_day * days))


def pace_lines(a: AppContext, budget: Budget, interview: dt.date | None) -> list[str]:
    """What the daily time means for new cards, as the plan's pacing will run it: the pace
    the plan needs (every card seen by its target day) up to what the time allows."""
    from studycli.study.budget import minutes_for

    if not budget.pool:
        return [f"{budget.minutes} min a day: every card in the focus is already seen."]
    pace = pace_of(a, budget, interview)
    if pace.needed <= budget.new_per_day:
        load = minutes_for(a.scheduler, pace.needed, budget.pool, budget.days)
        seen_on = today_date(a) + dt.timedelta(days=-(-budget.pool // pace.needed) - 1)
        return [
            f"{budget.minutes} min a day: {_cards(pace.needed)} a day (about {round(load)} min on "
            f"the busiest day; up to {budget.new_per_day} would fit), every card seen once by "
            f"{min(pace.target, seen_on).isoformat()}."
        ]
    lines = [budget.line() + "."]
    if not budget.fits:
        lines.append(
            f"[yellow]Even one new card a day is about {round(budget.busiest_minutes)} min on "
            "the busiest day.[/]"
        )
    more = minutes_for(a.scheduler, pace.needed, budget.pool, budget.days)
    lines.append(
        f"[yellow]At {pace.per_day} a day, {pace.by_target} of the {budget.pool} cards are seen "
        f"by {pace.target.isoformat()}, when the plan wants them all seen: about "
        f"{5 * -(-round(more) // 5)} min a day would do it ({pace.needed} new a day), or fewer "
        "decks or levels.[/]"
    )
    return lines


def _cards(n: int) -> str:
    return f"{n} new card{'s' if n != 1 else ''}"


def save(a: AppContext, console: Console, answers: Answers, budget: Budget) -> None:
    """Write the settings and start (or re-aim) the plan, then say so: all writes come first."""
    from studycli.cli.roadmap import begin_plan, done_tasks_of, print_started
    from studycli.study.sync import save_config_with

    values: dict[str, object] = {
        "interview_date": answers.interview.isoformat() if answers.interview else "",
        "minutes_per_day": answers.minutes,
        "new_per_day": budget.new_per_day,
        "focus.decks": answers.decks,
        "focus.levels": answers.levels,
        "grader.model": answers.model,
        "grader.api_base": answers.api_base if answers.model else "",
    }
    for key, value in values.items():
        if value in ("", []):
            a.config.unset(key)
        else:
            a.config.set(key, value)
    schedule = None
    if a.catalogue.roadmap is not None:  # checks the dates before anything is saved
        schedule = begin_plan(a, plan_start(a) or today_date(a), answers.interview, None)
    # new_per_day and interview_date are synced: config.yaml is written with their stamps, or
    # left as it was when the database refuses
    save_config_with(a.store, a.config, a.now())
    console.print()
    if schedule is not None:
        print_started(console, schedule, len(done_tasks_of(a)))
    console.print(f"Saved to {a.config.path}", soft_wrap=True, highlight=False)
    console.print("Next: [bold]studycli drill[/]")
