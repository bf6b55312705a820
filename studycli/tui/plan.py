"""The plan in the terminal: today's plan opening, pacing, catch-up, readiness and the next
command to run.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from rich.console import Console
    from rich.text import Text

    from studycli.content.model import Task, Week
    from studycli.study.day_plan import DayPlan
    from studycli.study.interview import InterviewForecast
    from studycli.study.roadmap import Pacing, PlanToday, Schedule


def task_lines(task: Task, done: bool, width: int, indent: int = 2) -> list[Text]:
    """A task with its whole text, wrapped to `width` under its first words (never cut)."""
    import textwrap

    from rich.text import Text

    lead = " " * indent + ("✓" if done else "·") + " "
    head = f"{lead}{task.id} ({task.kind}) "
    hang = " " * (len(lead) + 2)
    katas = f"kata {', '.join(task.katas)} · " if task.katas else ""  # 'studycli kata start ID'
    body = katas + " ".join(task.text.split())
    wrapped = textwrap.wrap(
        head + body,
        width=max(len(head) + 10, width),
        subsequent_indent=hang,
        break_long_words=False,
        break_on_hyphens=False,
    )
    lines = [Text(line) for line in wrapped]
    first = lines[0]
    if done:
        first.stylize("green", indent, indent + 1)
    first.stylize("bold", len(lead), len(lead) + len(task.id))
    first.stylize("dim", len(lead) + len(task.id) + 1, len(head) - 1)
    if katas and len(first) >= len(head) + len(katas) - 2:  # only when whole on the first line
        first.stylize("cyan", len(head), len(head) + len(katas) - 2)
    return lines


def print_task(console: Console, task: Task, done: bool, indent: int = 2) -> None:
    for line in task_lines(task, done, console.width, indent):
        console.print(line, soft_wrap=True)


def print_week(
    console: Console,
    week: Week,
    done: Mapping[str, int],
    schedule: Schedule | None,
    today: dt.date,
) -> None:
    """One week whole: its goal, the targets to know from memory by its end, its days and tasks."""
    import textwrap

    width = max(40, console.width)

    def para(text: str, first: str, rest: str) -> None:
        for line in textwrap.wrap(
            " ".join(text.split()), width, initial_indent=first, subsequent_indent=rest,
            break_long_words=False, break_on_hyphens=False,
        ):  # fmt: skip
            console.print(line, highlight=False, soft_wrap=True, markup=False)

    console.print(f"[bold]Week {week.week}: {week.title}[/]", highlight=False)
    if week.goal:
        para(week.goal, "Goal: ", "      ")
    if week.targets:
        console.print()
        console.print("[bold]Targets[/] (know these from memory by the end of the week):")
        for i, target in enumerate(week.targets, 1):
            para(target, f"  {i}. ", " " * (len(str(i)) + 4))
    for day in week.days:
        console.print()
        when = f" · {schedule.date_of(day.day).strftime('%a %d %b')}" if schedule else ""
        n_done = sum(1 for t in day.tasks if t.id in done)
        console.print(
            f"[bold]Day {day.day}: {day.title}[/]{when} · {n_done}/{len(day.tasks)} done",
            highlight=False,
        )
        console.print(f"  [dim]Focus: {' · '.join(day.focus)}[/]", highlight=False)
        for task in day.tasks:
            print_task(console, task, task.id in done, indent=2)


def _dates_span(dates: list[dt.date], today: dt.date) -> str:
    names = []
    for d in dates:
        off = (d - today).days
        names.append("today" if off == 0 else "tomorrow" if off == 1 else d.strftime("%a %d %b"))
    return ", ".join(names)


def print_plan_opening(console: Console, view: PlanToday | None, pace: Pacing | None) -> None:
    """The plan at the top of `today`: headline, focus, tasks, behind/catch-up, compression."""
    if view is None:
        console.print(
            "[dim]No plan yet: 'studycli init' lays the 30-day plan out toward your interview, "
            "at the pace your daily time allows.[/]"
        )
        return
    console.print(f"[bold]{view.headline()}[/]")
    if view.schedule.interview is None and view.status == "active":
        console.print("[dim]No interview date: 'studycli config set interview_date YYYY-MM-DD'.[/]")
    if view.status == "active":
        titles = " + ".join(d.title for d in view.days)
        console.print(f"Today: {titles}")
        console.print(f"Focus: {' · '.join(view.focus)}")
        for task in view.tasks:
            print_task(console, task, task.id in view.done)
    elif view.status == "finished":
        console.print("The plan is done: review what is due each day and run 'studycli mock'.")
    elif view.status == "interview-day":
        console.print("Good luck. A light review only: 'studycli drill --limit 10'.")
    elif view.status == "interview-passed":
        console.print(
            "[dim]Another interview coming? 'studycli config set interview_date YYYY-MM-DD', "
            "then 'studycli roadmap start'.[/]"
        )
    if view.schedule.compressed and view.status in ("active", "not-started"):
        console.print(f"[yellow]{view.schedule.compression_note()}[/]")
    if view.behind and view.catch_up is not None:
        print_catch_up(console, view)
    if pace is not None:
        print_pacing(console, view, pace)


def print_pacing(console: Console, view: PlanToday, pace: Pacing) -> None:
    iv = view.schedule.interview
    before = f", {(iv - pace.target).days} days before the interview" if iv else ""
    if pace.light:
        left = (
            f" ({pace.unseen_now} cards stay unseen; 'studycli drill --new 5' introduces some "
            "anyway)"
            if pace.unseen_now
            else ""
        )
        console.print(
            f"[dim]Pacing: light review: no new cards in the last days before the interview{left}.[/]",
            soft_wrap=True,
        )
    elif not pace.unseen:
        console.print("[dim]Pacing: every card has been seen; reviews only from here.[/]")
    elif pace.late:
        console.print(
            f"[yellow]Pacing: behind: {pace.unseen_now} cards unseen and the target "
            f"({pace.target.isoformat()}{before}) has passed: {pace.new_per_day} new today, "
            "today's focus first"
            + (
                f" (at most {pace.new_per_day} a day: not all can be seen in time)"
                if pace.capped
                else ""
            )
            + ".[/]"
        )
    elif pace.capped:  # the daily time (or the most a day can learn) is short of the pace needed
        seen = min(pace.unseen, pace.new_per_day * pace.days_left)
        console.print(
            f"[yellow]Pacing: {pace.new_per_day} new cards a day (the most your plan allows), "
            f"today's focus first: {seen} of the {pace.unseen} unseen cards seen by "
            f"{pace.target.isoformat()}{before}; more time a day or fewer decks "
            "('studycli init') would see them all.[/]"
        )
    else:
        console.print(
            f"[dim]Pacing: {pace.new_per_day} new cards a day, today's focus first: "
            f"all {pace.unseen_now} unseen cards seen by {pace.target.isoformat()}{before}.[/]"
        )


def print_catch_up(console: Console, view: PlanToday, max_days: int = 3) -> None:
    assert view.catch_up is not None
    days = sorted({t.day for t in view.overdue})
    where = f"day {days[0]}" if len(days) == 1 else f"days {days[0]}-{days[-1]}"
    n = len(view.overdue)
    plan = view.catch_up.days
    last = plan[-1][0] if plan else view.date
    console.print(
        f"[bold yellow]Behind:[/] {n} task{'s' if n != 1 else ''} from {where} "
        f"{'is' if n == 1 else 'are'} not done. Catch-up, on top of each day's tasks, "
        f"done by {_dates_span([last], view.date)}:"
    )
    for date, tasks in plan[:max_days]:
        console.print(
            f"  {_dates_span([date], view.date) + ':':<11} {', '.join(t.id for t in tasks)}",
            highlight=False,
        )
    if len(plan) > max_days:
        console.print(
            f"  [dim]… {len(plan) - max_days} more day(s): 'studycli roadmap' lists them[/]"
        )
    if view.catch_up.dropped:
        console.print(
            f"  [dim]{len(view.catch_up.dropped)} older task(s) left out: no room for them before "
            "the interview (the drill queue still covers their cards).[/]"
        )
    console.print(
        "[dim]Done some already? 'studycli roadmap done TASK_ID ...' (several ids at once).[/]"
    )


def next_command(view: PlanToday | None, plan: DayPlan) -> str:
    """The exact command to run next."""
    if plan.learning or plan.due or plan.new:
        return "studycli drill"
    if view is not None and view.status == "active":
        todo = [t for t in view.tasks if t.id not in view.done]
        mock = next((t for t in todo if t.kind == "mock"), None)
        if mock is not None:
            return f"studycli mock --minutes 30 (then 'studycli roadmap done {mock.id}')"
        if todo and todo[0].katas:
            return f"studycli kata start {todo[0].katas[0]} (then 'studycli roadmap done {todo[0].id}')"
        if todo:
            return f"{todo[0].kind} {todo[0].id}, then 'studycli roadmap done {todo[0].id}'"
        if view.overdue:
            first = view.overdue[0]
            return f"{first.kind} {first.id}, then 'studycli roadmap done {first.id}'"
    return ""


def print_interview_today(console: Console, plan: DayPlan) -> None:
    """What the interview schedule changed today, and recall on the day with and without it."""
    planned = plan.interview
    if planned is None:
        return
    from studycli.study.interview import day_month

    when = day_month(planned.interview)
    early = sum(1 for cid in plan.due if cid in planned.reasons)
    line = f"[bold]Interview schedule for {when}[/]"
    if early:
        line += f" · {early} of today's {len(plan.due)} reviews come early for it"
    console.print(line, highlight=False)
    if planned.held:
        n = len(planned.held)
        console.print(
            f"  {n} card{'s' if n != 1 else ''} FSRS has due wait{'s' if n == 1 else ''} for a "
            "day nearer the interview",
            highlight=False,
        )
    if planned.cards:
        console.print(
            f"  Recall on {when} ({planned.cards} cards seen): {planned.recall_today:.0%} with "
            f"today's session, {planned.recall_now:.0%} without",
            highlight=False,
        )
    ahead = planned.per_day[1:]
    if ahead and max(ahead) >= 0.5:
        i = max(range(len(ahead)), key=ahead.__getitem__)
        day = planned.today + 1 + i
        console.print(
            f"  Busiest day ahead: {dt.date.fromordinal(day):%a} {day_month(day)}, "
            f"{ahead[i]:.0f} reviews · [dim]'studycli roadmap forecast'[/]",
            highlight=False,
        )
    else:
        console.print("  [dim]The days ahead: 'studycli roadmap forecast'[/]", highlight=False)


def print_forecast(console: Console, fc: InterviewForecast, schedule_setting: str) -> None:
    """`studycli roadmap forecast`: recall on the day per deck, reviews per day left, a missed day."""
    from rich.table import Table

    from studycli.study.interview import day_month
    from studycli.study.readiness import pct

    plan = fc.plan
    when = day_month(plan.interview)
    left = plan.days_left
    console.print(
        f"[bold]Forecast for the interview on {dt.date.fromordinal(plan.interview):%a} {when}[/]"
        f" · {left} day{'s' if left != 1 else ''} left · schedule: {schedule_setting}",
        highlight=False,
    )
    if schedule_setting != "interview":
        console.print(
            "[dim]Drills follow plain FSRS: 'studycli config set schedule interview' follows this plan.[/]"
        )
    if plan.cards:
        console.print(
            f"Recall on {when} of the {plan.cards} cards seen: {pct(plan.recall_planned)} if "
            f"the plan is kept, {pct(plan.recall_now)} if you stopped now",
            highlight=False,
        )
    else:
        console.print(
            f"No card seen yet: recall on {when} is forecast once the drill has introduced some.",
            highlight=False,
        )
    table = Table(box=None, pad_edge=False)
    for col in ("deck", "seen", "now", "on plan"):
        table.add_column(col, justify="left" if col == "deck" else "right")
    for d in fc.decks:
        table.add_row(d.deck, f"{d.seen}/{d.cards}", pct(d.recall_now), pct(d.recall_planned))
    console.print(table)
    to_come = sum(fc.new_per_day)
    console.print(
        "[bold]Reviews planned per day[/]"
        + (f" (with the {to_come} new cards still to come)" if to_come else ""),
        highlight=False,
    )
    top = max(plan.per_day, default=0.0) or 1.0
    light = len(plan.per_day) - fc.settings.light_days
    for i, load in enumerate(plan.per_day):
        day = plan.today + i
        tag = "today" if i == 0 else "light" if i >= light else ""
        new = f" +{fc.new_per_day[i]} new" if fc.new_per_day[i] else ""
        bar = "█" * max(1 if load >= 0.5 else 0, round(24 * load / top))
        console.print(
            f"  {dt.date.fromordinal(day):%a} {day_month(day):>6} {tag:5} {load:4.0f} {bar}{new}",
            highlight=False,
        )
    if fc.spread is not None:
        busiest = max(range(len(plan.per_day)), key=plan.per_day.__getitem__)
        day = plan.today + busiest
        budget = fc.spread.level
        console.print(
            f"Busiest day: {dt.date.fromordinal(day):%a} {day_month(day)}, "
            f"{plan.per_day[busiest]:.0f} reviews. At most {budget:.0f} a day spreads them over "
            f"earlier days, for recall {pct(fc.spread.recall_planned)} on {when} "
            f"({(fc.spread.recall_planned - plan.recall_planned) * 100:+.1f} points):",
            highlight=False,
        )
        console.print(f"  studycli config set reviews_per_day {budget:.0f}", highlight=False)
    cost = fc.missed_cost
    if fc.missed is not None and cost is not None and plan.cards:
        extra = max(0.0, sum(fc.missed.per_day) - sum(plan.per_day[1:]))
        reviews = f"with {extra:.0f} more reviews on the days left"
        if cost < 0.0005:  # a day's reviews fit the days left: the plan still reaches it
            console.print(
                f"A missed day: skip today and the plan still reaches "
                f"{pct(fc.missed.recall_planned)} on {when}, {reviews}.",
                highlight=False,
            )
        else:
            console.print(
                f"A missed day: skip today and the plan's recall on {when} becomes "
                f"{pct(fc.missed.recall_planned)} ({-cost * 100:+.1f} points), {reviews}.",
                highlight=False,
            )
    console.print(
        "[dim]Recall: FSRS's predicted probability of recalling each seen card on the day; a "
        "lapse counts as relearnt. Reviews include lapses to relearn.[/]"
    )


def print_readiness_short(console: Console, summary: dict[str, Any]) -> None:
    from studycli.study.readiness import headline, pct

    if summary["seen"] and summary["weakest"]:
        # The headline without its "weakest" part: the next line lists the weakest decks.
        console.print(f"[bold]Readiness[/] · {headline(summary, weakest=False)}", highlight=False)
        weak = " · ".join(f"{w['deck']} {pct(w['recall'])}" for w in summary["weakest"])
        console.print(
            f"  weakest: {weak} → '{summary['weakest'][0]['command']}'",
            highlight=False,
            soft_wrap=True,
        )
    else:
        console.print(f"[bold]Readiness[/] · {summary['headline']}", highlight=False)


def print_readiness(console: Console, summary: dict[str, Any]) -> None:
    """The full readiness table (for `studycli stats`)."""
    from rich.table import Table

    from studycli.study.readiness import pct

    console.print(f"[bold]Readiness[/] · {summary['headline']}", highlight=False)
    table = Table(box=None, pad_edge=False)
    for col in ("deck", "seen", "recall on date", "recall of seen", "grade"):
        table.add_column(col, justify="left" if col == "deck" else "right")
    for d in summary["decks"]:
        grade = f"{pct(d['grade'])} of {d['graded']}" if d["graded"] else "–"
        table.add_row(
            d["deck"], f"{d['seen']}/{d['cards']}", pct(d["recall"]), pct(d["recall_seen"]), grade
        )
    console.print(table)
    console.print(
        "[dim]Recall on date: FSRS probability of recalling each card on that date if you stopped "
        "reviewing now; unseen cards count as 0.[/]"
    )
    for w in summary["weakest"]:
        console.print(f"  weak: {w['deck']} {pct(w['recall'])} → {w['command']}", highlight=False)
