"""`studycli roadmap`: the 30-day plan toward the interview; start it, mark tasks done."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from studycli.cli import complete
from studycli.cli.base import app, app_context
from studycli.cli.context import interview_of, schedule_of, today_date
from studycli.errors import UsageError
from studycli.tui.plan import print_catch_up, print_task, print_week
from studycli.tui.styles import make_console

if TYPE_CHECKING:
    import datetime as dt

    from rich.console import Console

    from studycli.cli.context import AppContext
    from studycli.content.model import Roadmap
    from studycli.study.roadmap import Schedule


roadmap_app = typer.Typer(
    help="The 30-day plan toward your interview. With no command: the four weeks and thirty "
    "days, what is done, today marked.",
    rich_markup_mode=None,
)
app.add_typer(roadmap_app, name="roadmap")


def _roadmap(a: AppContext) -> Roadmap:
    roadmap = a.catalogue.roadmap
    if roadmap is None:
        raise UsageError("no roadmap in the loaded content (roadmap/plan.yaml)")
    return roadmap


@roadmap_app.callback(invoke_without_command=True)
def roadmap_view(
    ctx: typer.Context,
    tasks: Annotated[bool, typer.Option("--tasks", help="List every task of every day.")] = False,
    week: Annotated[
        int | None,
        typer.Option(
            "--week",
            metavar="N",
            help="Only week N: its goal, the targets to know from memory, its days and tasks.",
        ),
    ] = None,
) -> None:
    """Show the four weeks and thirty days: what is done, today marked."""
    if ctx.invoked_subcommand is not None:
        return
    if week is not None:
        _week_view(ctx, week)
        return
    from studycli.storage.plans import done_tasks
    from studycli.study.roadmap import plan_today

    a = app_context(ctx)
    roadmap = _roadmap(a)
    console = make_console()
    schedule = schedule_of(a)
    done = done_tasks(a.store)
    today = today_date(a)
    view = plan_today(schedule, done, today) if schedule else None
    console.print(f"[bold]{roadmap.title}[/]")
    if view is None:
        console.print(
            "Not started: 'studycli roadmap start --interview YYYY-MM-DD' puts dates on it "
            "(start defaults to today)."
        )
    else:
        iv = schedule.interview if schedule else None
        console.print(
            f"Start {view.schedule.start.isoformat()} · "
            + (f"interview {iv.isoformat()}" if iv else "no interview date set")
        )
        console.print(f"[bold]{view.headline()}[/]")
        if view.schedule.compressed:
            console.print(f"[yellow]{view.schedule.compression_note()}[/]")
    title_width = max((len(d.title) for d in roadmap.days), default=0)
    today_nums = {d.day for d in view.days} if view else set()
    overdue = {t.id for t in view.overdue} if view else set()
    for wk in roadmap.weeks:
        console.print()
        console.print(f"[bold]Week {wk.week}: {wk.title}[/]")
        for day in wk.days:
            n_done = sum(1 for t in day.tasks if t.id in done)
            total = len(day.tasks)
            is_today = day.day in today_nums
            late = any(t.id in overdue for t in day.tasks)
            mark = (
                "[bold cyan]▶[/]" if is_today
                else "[green]✓[/]" if n_done == total
                else "[yellow]![/]" if late
                else "◐" if n_done
                else "·"
            )  # fmt: skip
            date = ""
            if schedule is not None:
                date = schedule.date_of(day.day).strftime("%a %d %b") + "  "
            note = " [bold cyan]today[/]" if is_today else " [yellow]behind[/]" if late else ""
            console.print(
                f" {mark} {day.day:>2}  {date}{day.title:<{title_width}} {n_done}/{total}{note}",
                highlight=False,
            )
            if tasks or is_today:
                for task in day.tasks:
                    print_task(console, task, task.id in done, indent=5)
    if view is not None and view.catch_up is not None:
        console.print()
        print_catch_up(console, view, max_days=len(view.catch_up.days))


def _week_view(ctx: typer.Context, number: int) -> None:
    from studycli.storage.plans import done_tasks

    a = app_context(ctx)
    roadmap = _roadmap(a)
    numbers = [w.week for w in roadmap.weeks]
    chosen = next((w for w in roadmap.weeks if w.week == number), None)
    if chosen is None:
        raise UsageError(
            f"--week: the plan has weeks {numbers[0]}-{numbers[-1]} (got {number})"
            if numbers
            else "--week: the plan has no weeks"
        )
    schedule = schedule_of(a)
    print_week(make_console(), chosen, done_tasks(a.store), schedule, today_date(a))


DATE_FORMS = "2026-12-22, 'Dec 22', 'next friday', 'in 3 weeks', '+21d'"


@roadmap_app.command("start")
def roadmap_start(
    ctx: typer.Context,
    interview: Annotated[
        str | None,
        typer.Option(
            "--interview",
            metavar="DATE",
            help=f"Interview date: {DATE_FORMS} (saved as config interview_date; change it "
            "later with 'studycli config set interview_date').",
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            metavar="DATE",
            help="First day of the plan, e.g. 'last monday' [default: today].",
        ),
    ] = None,
) -> None:
    """Start (or restart) the 30-day plan; compressed to fit if the interview is sooner."""
    from studycli.dates import describe, parse_date

    a = app_context(ctx)
    console = make_console()
    today = today_date(a)
    first = parse_date(start, today, option="--start", allow_past=True) if start else today
    when = parse_date(interview, today, option="--interview") if interview else None
    if start:
        console.print(describe("start", first, today), highlight=False)
    if when is not None:
        console.print(describe("interview", when, today), highlight=False)
    start_plan(a, console, first, when, source="--interview" if interview else None)
    console.print("Next: [bold]studycli today[/]")


def start_plan(
    a: AppContext, console: Console, first: dt.date, when: dt.date | None, source: str | None
) -> None:
    """Start the plan on `first` toward `when` (saved as interview_date when `source` names the
    option it came from; None: the configured date, if any), then say what that means."""
    print_started(console, begin_plan(a, first, when, source), len(done_tasks_of(a)))


def begin_plan(a: AppContext, first: dt.date, when: dt.date | None, source: str | None) -> Schedule:
    """Check the dates and write them (config interview_date, the plan's start); print nothing,
    so an interrupted output never leaves half a plan."""
    from studycli.storage.progress import put_setting
    from studycli.study.roadmap import START_SETTING, Schedule, set_start
    from studycli.study.sync import save_config_with

    roadmap = _roadmap(a)
    today = today_date(a)
    if source is None:
        when, source = interview_of(a), "config interview_date"
    if when is not None:
        if when <= first:
            raise UsageError(
                f"{source}: the interview ({when.isoformat()}) must be after the plan start "
                f"({first.isoformat()})"
            )
        if when < today:
            raise UsageError(f"{source}: the interview date {when.isoformat()} has passed")
    if when is not None and source != "config interview_date":
        a.config.set("interview_date", when.isoformat())
        # The plan's start and the interview date are saved together, or neither is.
        save_config_with(
            a.store,
            a.config,
            a.now(),
            also=lambda conn: put_setting(conn, START_SETTING, first.isoformat()),
        )
    else:
        set_start(a.store, first)
    return Schedule(roadmap, first, when)


def done_tasks_of(a: AppContext) -> dict[str, int]:
    from studycli.storage.plans import done_tasks

    return done_tasks(a.store)


def print_started(console: Console, schedule: Schedule, kept: int) -> None:
    first, when = schedule.start, schedule.interview
    line = f"Roadmap started on {first.isoformat()}: {schedule.plan_days} plan days"
    if when is not None:
        line += f" · interview {when.isoformat()} ({(when - first).days} days after the start)"
    console.print(f"[bold]{line}[/]")
    if schedule.compressed:
        console.print(f"[yellow]{schedule.compression_note()}[/]")
    elif when is None:
        console.print("No interview date yet: 'studycli config set interview_date DATE' adds one.")
    elif (when - first).days > schedule.plan_days:
        console.print(
            f"The plan ends on {schedule.end.isoformat()}; the days after it until the interview "
            "are for review and mocks."
        )
    if kept:
        console.print(f"{kept} task(s) already marked done are kept.")


def _mark(ctx: typer.Context, task_ids: list[str], kind: str) -> None:
    from studycli.storage.plans import done_tasks
    from studycli.study.roadmap import mark_tasks

    a = app_context(ctx)
    roadmap = _roadmap(a)
    results = mark_tasks(a.store, roadmap, task_ids, kind, a.now(), a.rollover_hour)
    done = done_tasks(a.store)
    tasks = roadmap.tasks
    for tid, changed in results:
        day = roadmap.day(tasks[tid].day)
        assert day is not None
        n = sum(1 for t in day.tasks if t.id in done)
        progress = f"day {day.day}: {n}/{len(day.tasks)} done"
        if kind == "done":
            msg = f"Done: {tid} ({progress})" if changed else f"{tid} was already done ({progress})"
        else:
            msg = (
                f"Not done: {tid} ({progress})"
                if changed
                else f"{tid} was not marked done ({progress})"
            )
        typer.echo(msg)


@roadmap_app.command("done")
def roadmap_done(
    ctx: typer.Context,
    task_ids: Annotated[
        list[str],
        typer.Argument(
            metavar="TASK_ID",
            help="Task ids, as 'studycli today' shows them.",
            autocompletion=complete.task_ids,
        ),
    ],
) -> None:
    """Mark roadmap tasks done."""
    _mark(ctx, task_ids, "done")


@roadmap_app.command("undo")
def roadmap_undo(
    ctx: typer.Context,
    task_ids: Annotated[
        list[str],
        typer.Argument(
            metavar="TASK_ID",
            help="Task ids marked done by mistake.",
            autocompletion=complete.task_ids,
        ),
    ],
) -> None:
    """Mark roadmap tasks as not done again."""
    _mark(ctx, task_ids, "undone")


@roadmap_app.command("forecast")
def roadmap_forecast(ctx: typer.Context) -> None:
    """Recall on the interview day per deck if the plan is kept, the reviews planned for
    each day left, and what a missed day costs."""
    from studycli.cli.context import interview_forecast
    from studycli.tui.plan import print_forecast

    a = app_context(ctx)
    result, why = interview_forecast(a)
    if result is None:
        raise UsageError(f"no forecast: {why}")
    print_forecast(make_console(), result, str(a.config["schedule"]))
