"""Commands of the plan feature: `studycli roadmap` and `studycli mock`; the plan part of `today`.

Registered on the main app when studycli.cli is imported. Module level imports only
typer and the standard library; the core (roadmap, readiness, mock) and rich are
imported inside the functions that use them.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .cli import _console, _ctx, app
from .errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from rich.console import Console

    from .app import AppContext
    from .content import Card, Task
    from .mock import Mock, MockGrade
    from .roadmap import Pacing, PlanToday, Schedule
    from .scheduler import CardState
    from .session import DayPlan, Limits

roadmap_app = typer.Typer(
    help="The 30-day plan toward your interview. With no command: the four weeks and thirty "
    "days, what is done, today marked.",
    rich_markup_mode=None,
)
app.add_typer(roadmap_app, name="roadmap")

KIND_HELP = "system-design, incident, fundamentals, behavioural or mixed."


# --------------------------------------------------------------------------- shared helpers


def _interview(a: AppContext) -> dt.date | None:
    from .roadmap import interview_date

    return interview_date(a.config)


def _today_date(a: AppContext) -> dt.date:
    return dt.date.fromordinal(a.today())


def schedule_of(a: AppContext) -> Schedule | None:
    if not a.store.plan_started():
        return None  # the common case needs neither the roadmap module nor the roadmap
    from .roadmap import load_schedule

    return load_schedule(a.catalogue.roadmap, a.store, _interview(a))


def paced_limits(
    a: AppContext,
) -> tuple[Limits, Callable[[Sequence[Card]], list[Card]] | None, PlanToday | None, Pacing | None]:
    """Limits and new-card order for an unfiltered drill or `today`: paced to the interview
    while a roadmap runs, else the configured limits. Also returns today's plan view."""
    from .session import Limits

    schedule = schedule_of(a)
    if schedule is None:
        return a.limits, None, None, None
    from .roadmap import done_tasks, pacing, plan_today

    today = _today_date(a)
    view = plan_today(schedule, done_tasks(a.store), today)
    pace = pacing(
        schedule,
        a.catalogue.cards.values(),
        a.store.seen_cards()[0],
        a.store.new_introduced_on(a.today()),
        today,
    )
    if pace is None:
        return a.limits, None, view, None
    return Limits(pace.new_per_day, a.limits.reviews_per_day), pace.order, view, pace


def _one_line(text: str, width: int = 72) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _task_line(task: Task, done: bool) -> str:
    mark = "[green]✓[/]" if done else "·"
    return f"  {mark} [bold]{task.id}[/] [dim]({task.kind})[/] {_one_line(task.text, 200)}"


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
            "[dim]No plan yet: 'studycli roadmap start --interview YYYY-MM-DD' lays the 30-day "
            "plan out toward your interview.[/]"
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
            console.print(
                _task_line(task, task.id in view.done),
                highlight=False,
                no_wrap=True,
                overflow="ellipsis",
            )
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
    if not pace.unseen:
        console.print("[dim]Pacing: every card has been seen; reviews only from here.[/]")
    elif pace.late:
        console.print(
            f"[yellow]Pacing: behind: {pace.unseen} cards unseen and the target "
            f"({pace.target.isoformat()}{before}) has passed: {pace.new_per_day} new today, "
            "today's focus first"
            + (
                f" (at most {pace.new_per_day} a day: not all can be seen in time)"
                if pace.capped
                else ""
            )
            + ".[/]"
        )
    else:
        console.print(
            f"[dim]Pacing: {pace.new_per_day} new cards a day, today's focus first: "
            f"all {pace.unseen} unseen cards seen by {pace.target.isoformat()}{before}"
            + (" (capped: not all can be seen by then)" if pace.capped else "")
            + ".[/]"
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
            return f"studycli mock --minutes 30   (then 'studycli roadmap done {mock.id}')"
        if todo:
            return f"{todo[0].kind} {todo[0].id}, then 'studycli roadmap done {todo[0].id}'"
        if view.overdue:
            first = view.overdue[0]
            return f"{first.kind} {first.id}, then 'studycli roadmap done {first.id}'"
    return ""


def readiness_for(
    a: AppContext, states: dict[str, CardState], *, grades: bool = True
) -> dict[str, Any]:
    """Readiness on the interview date (today when none is set or it has passed)."""
    from .readiness import readiness_date, readiness_summary

    on = readiness_date(_interview(a), _today_date(a))
    return readiness_summary(a.catalogue, states, a.scheduler, a.store if grades else None, on=on)


def print_readiness_short(console: Console, summary: dict[str, Any]) -> None:
    from .readiness import pct

    console.print(f"[bold]Readiness[/] · {summary['headline']}", highlight=False)
    if summary["seen"] and summary["weakest"]:
        weak = " · ".join(f"{w['deck']} {pct(w['recall'])}" for w in summary["weakest"])
        console.print(f"  weakest: {weak} → '{summary['weakest'][0]['command']}'", highlight=False)


def print_readiness(console: Console, summary: dict[str, Any]) -> None:
    """The full readiness table (for `studycli stats`)."""
    from rich.table import Table

    from .readiness import pct

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


# --------------------------------------------------------------------------- roadmap


@roadmap_app.callback(invoke_without_command=True)
def roadmap_view(
    ctx: typer.Context,
    tasks: Annotated[bool, typer.Option("--tasks", help="List every task of every day.")] = False,
) -> None:
    """Show the four weeks and thirty days: what is done, today marked."""
    if ctx.invoked_subcommand is not None:
        return
    from .roadmap import done_tasks, plan_today

    a = _ctx(ctx)
    roadmap = a.catalogue.roadmap
    if roadmap is None:
        raise UsageError("no roadmap in the loaded content (roadmap/plan.yaml)")
    console = _console()
    schedule = schedule_of(a)
    done = done_tasks(a.store)
    today = _today_date(a)
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
    today_nums = {d.day for d in view.days} if view else set()
    overdue = {t.id for t in view.overdue} if view else set()
    for week in roadmap.weeks:
        console.print()
        console.print(f"[bold]Week {week.week}: {week.title}[/]")
        for day in week.days:
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
                f" {mark} {day.day:>2}  {date}{_one_line(day.title, 44):<44}"
                f" {n_done}/{total}{note}",
                highlight=False,
            )
            if tasks or is_today:
                for task in day.tasks:
                    console.print(
                        "   " + _task_line(task, task.id in done),
                        highlight=False, no_wrap=True, overflow="ellipsis",
                    )  # fmt: skip
    if view is not None and view.catch_up is not None:
        console.print()
        print_catch_up(console, view, max_days=len(view.catch_up.days))


@roadmap_app.command("start")
def roadmap_start(
    ctx: typer.Context,
    interview: Annotated[
        str | None,
        typer.Option(
            "--interview",
            metavar="YYYY-MM-DD",
            help="Interview date (saved as config interview_date; change it later with "
            "'studycli config set interview_date').",
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--start", metavar="YYYY-MM-DD", help="First day of the plan [default: today]."
        ),
    ] = None,
) -> None:
    """Start (or restart) the 30-day plan; compressed to fit if the interview is sooner."""
    from .config import save_config
    from .roadmap import Schedule, done_tasks, parse_iso_date, set_start

    a = _ctx(ctx)
    roadmap = a.catalogue.roadmap
    if roadmap is None:
        raise UsageError("no roadmap in the loaded content (roadmap/plan.yaml)")
    today = _today_date(a)
    first = parse_iso_date(start, "--start") if start else today
    when = parse_iso_date(interview, "--interview") if interview else _interview(a)
    if when is not None:
        source = "--interview" if interview else "config interview_date"
        if when <= first:
            raise UsageError(
                f"{source}: the interview ({when.isoformat()}) must be after the plan start "
                f"({first.isoformat()})"
            )
        if when < today:
            raise UsageError(f"{source}: the interview date {when.isoformat()} has passed")
    if interview:
        assert when is not None
        a.config.set("interview_date", when.isoformat())
        save_config(a.config)
    set_start(a.store, first)
    schedule = Schedule(roadmap, first, when)
    console = _console()
    line = f"Roadmap started on {first.isoformat()}: {schedule.plan_days} plan days"
    if when is not None:
        line += f" · interview {when.isoformat()} ({(when - first).days} days after the start)"
    console.print(f"[bold]{line}[/]")
    if schedule.compressed:
        console.print(f"[yellow]{schedule.compression_note()}[/]")
    elif when is None:
        console.print(
            "No interview date yet: 'studycli config set interview_date YYYY-MM-DD' adds one."
        )
    elif (when - first).days > schedule.plan_days:
        console.print(
            f"The plan ends on {schedule.end.isoformat()}; the days after it until the interview "
            "are for review and mocks."
        )
    kept = len(done_tasks(a.store))
    if kept:
        console.print(f"{kept} task(s) already marked done are kept.")
    console.print("Next: [bold]studycli today[/]")


def _mark(ctx: typer.Context, task_ids: list[str], kind: str) -> None:
    from .roadmap import done_tasks, mark_tasks

    a = _ctx(ctx)
    roadmap = a.catalogue.roadmap
    if roadmap is None:
        raise UsageError("no roadmap in the loaded content (roadmap/plan.yaml)")
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
        typer.Argument(metavar="TASK_ID", help="Task ids, as 'studycli today' shows them."),
    ],
) -> None:
    """Mark roadmap tasks done."""
    _mark(ctx, task_ids, "done")


@roadmap_app.command("undo")
def roadmap_undo(
    ctx: typer.Context,
    task_ids: Annotated[
        list[str], typer.Argument(metavar="TASK_ID", help="Task ids marked done by mistake.")
    ],
) -> None:
    """Mark roadmap tasks as not done again."""
    _mark(ctx, task_ids, "undone")


# --------------------------------------------------------------------------- mock


@app.command()
def mock(
    ctx: typer.Context,
    minutes: Annotated[
        float,
        typer.Option("--minutes", "-m", metavar="N", min=1, max=240, help="Length of the round."),
    ] = 30,
    level: Annotated[
        str | None,
        typer.Option(
            "--level",
            "-l",
            metavar="LEVEL",
            help="junior, mid, senior or staff (nearest levels fill in).",
        ),
    ] = None,
    kind: Annotated[str, typer.Option("--kind", "-k", metavar="KIND", help=KIND_HELP)] = "mixed",
    answer_minutes: Annotated[
        float,
        typer.Option("--answer-minutes", metavar="N", min=0.1, max=60, help="Time per answer."),
    ] = 3,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", metavar="DIR", help="Folder for the Markdown transcript [default: HOME/mocks]."
        ),
    ] = None,
) -> None:
    """A timed mock interview: questions against a countdown, no model answer until the end.

    Answers are graded at the end (by the configured grader, else by you against the key
    points), count as reviews, and the transcript is saved and written as Markdown.
    """
    from .mock import KINDS, Mock

    a = _ctx(ctx)
    if kind not in KINDS:
        raise UsageError(f"--kind: must be one of {', '.join(KINDS)} (got '{kind}')")
    console = _console()
    session = Mock.start(
        a.store, a.scheduler, a.catalogue, a.now(),
        kind=kind, level=level, minutes=minutes, answer_seconds=int(round(answer_minutes * 60)),
        rollover_hour=a.rollover_hour,
    )  # fmt: skip
    reason = run_mock(a, session, console, _grader(a))
    if not session.answered():
        session.discard()  # cancelled before any answer: nothing worth a transcript
        console.print("No answers given: nothing saved.")
    else:
        path = session.finish(a.now(), out or (a.home / "mocks"))
        console.print(f"Transcript saved: {path}", highlight=False, soft_wrap=True)
    if reason == "interrupted":
        raise typer.Exit(130)


def _grader(a: AppContext) -> Callable[[Card, str], MockGrade] | None:
    """The configured grader (studycli/grading.py) as a mock grader, or None when no model is set.

    Built when the mock starts, so LiteLLM is imported in the background while the candidate
    answers. A grade that fails comes back pending (saved for 'studycli grade --pending').
    """
    try:
        from .grading import build_grader
    except ImportError:  # the grading feature is optional
        return None
    grader = build_grader(a.config, a.store)
    if grader is None:
        return None

    def grade(card: Card, answer: str) -> MockGrade:
        from .mock import MockGrade

        res = grader.grade(card, answer, a.now())
        return MockGrade(
            status="done" if res.status == "done" else "pending",
            score=res.score,
            checklist=[p.met for p in res.points] if res.points else None,
            suggested=res.suggested,
            feedback=res.feedback or (res.error or ""),
            grade_uid=res.uid,
        )

    return grade


def run_mock(
    a: AppContext,
    session: Mock,
    console: Console,
    grader: Callable[[Card, str], MockGrade] | None = None,
) -> str:
    """Ask the questions against the clock, then grade and rate. Returns why it ended."""
    from rich.panel import Panel
    from rich.text import Text

    from .mock import clock
    from .terminal import Input, Quit

    inp = Input.detect(console)
    n = len(session.questions)
    console.print(
        f"[bold]Mock interview[/] · {session.kind}"
        + (f" · {session.level}" if session.level else "")
        + f" · {n} question{'s' if n != 1 else ''} · {clock(session.total_seconds)}"
        f" · {clock(session.answer_seconds)} per answer"
    )
    console.print(
        "No model answers until the end. Enter on an empty line submits; when the time runs out "
        "the answer is submitted as it stands. /skip passes, /quit ends the questions early.",
        style="dim",
    )
    try:
        if inp.key("Press Enter to start (q to cancel): ", "sq", default="s") == "q":
            session.stop("cancelled")
            return "quit"
    except Quit:
        session.stop("cancelled")
        return "quit"
    except KeyboardInterrupt:
        session.stop("interrupted")
        return "interrupted"
    try:
        while (q := session.current) is not None:
            i = session.position + 1
            budget = session.budget()
            console.print()
            title = f"[bold]Question {i}/{n}[/] · {q.deck} · {q.level}"
            console.print(
                Panel(
                    Text(q.question, style="bold"),
                    title=title,
                    title_align="left",
                    border_style="magenta",
                )
            )
            started = time.monotonic()
            if inp.interactive:
                answer, timed_out = _timed_answer(budget, session.left_seconds)
            else:
                console.print(
                    f"You have {clock(budget)} · {clock(session.left_seconds)} left in the mock."
                )
                try:
                    answer, timed_out = inp.answer(), False
                except Quit:
                    break
            command = answer.strip().lower()
            if command in ("/quit", "/q", "/exit"):
                break
            if command in ("/skip", "/s"):
                answer = ""  # passing on a question is an "I don't know"
            took = time.monotonic() - started
            session.submit(answer, took, timed_out=timed_out)
            note = "Time's up: answer submitted" if q.timed_out else "Answer saved"
            console.print(f"{note} · {clock(q.seconds)} of {clock(q.budget_s)}", style="dim")
    except KeyboardInterrupt:
        session.stop("interrupted")
        console.print("\nInterrupted: the answers so far are saved, unrated.")
        return "interrupted"
    if session.status == "running" and session.position < n:
        session.stop("ended-early")
    elif session.status == "out-of-time":
        console.print("[bold]Time is up.[/]")
    return _review(a, session, console, inp, grader)


def _timed_answer(budget: float, mock_left: float) -> tuple[str, bool]:
    """A multi-line answer box with a countdown in the bottom toolbar, redrawn every second.

    Submits what is typed when the time runs out. Returns (answer, timed_out).
    """
    import asyncio

    from prompt_toolkit import PromptSession

    from .mock import clock
    from .terminal import answer_bindings

    begin = time.monotonic()
    deadline = begin + budget
    timed_out = False

    def countdown() -> str:
        # The countdown is part of the prompt itself, redrawn every second (refresh_interval):
        # unlike a bottom toolbar it needs no cursor-position report from the terminal.
        now = time.monotonic()
        left = max(0.0, deadline - now)
        total = max(0.0, mock_left - (now - begin))
        return (
            f"⏱ {clock(left)} left for this answer · {clock(total)} left in the mock"
            " · Enter on an empty line submits\n│ "
        )

    session: PromptSession[str] = PromptSession(
        multiline=True,
        key_bindings=answer_bindings(),
        prompt_continuation=lambda width, line_number, is_soft_wrap: "│ ",
        refresh_interval=1.0,
    )

    async def expire() -> None:
        nonlocal timed_out
        await asyncio.sleep(max(0.0, deadline - time.monotonic()))
        timed_out = True
        session.app.exit(result=session.default_buffer.text)

    def pre_run() -> None:
        session.app.create_background_task(expire())

    text = session.prompt(countdown, pre_run=pre_run)
    return text.strip(), timed_out


def _review(
    a: AppContext,
    session: Mock,
    console: Console,
    inp: Any,
    grader: Callable[[Card, str], MockGrade] | None,
) -> str:
    """Grade (grader or self-check against the key points), show model answers, commit ratings."""
    from .mock import clock
    from .scheduler import RATING_NAMES
    from .terminal import RATING_STYLE, Quit, answer_panel

    answered = session.answered()
    if not answered:
        console.print("No answers to review.")
        return "quit" if session.status != "finished" else "finished"
    console.print()
    console.print(f"[bold]Review[/] · {len(answered)} answer{'s' if len(answered) != 1 else ''}")
    if grader is not None:
        console.print("Grading your answers…", style="dim")
        pending = session.grade_all(grader)
        if pending:
            console.print(
                f"[yellow]{len(pending)} answer(s) could not be graded now (grade pending): "
                "rate those yourself against the key points.[/]"
            )
    else:
        console.print(
            "No grader configured: check each answer against the key points, then rate it.",
            style="dim",
        )
    try:
        for i, q in enumerate(answered, 1):
            card = a.catalogue.cards.get(q.card_id)
            console.print()
            console.print(f"[bold]{i}. {q.question}[/]")
            console.print(
                f"[dim]Your answer ({clock(q.seconds)}"
                f"{', time ran out' if q.timed_out else ''}):[/]"
            )
            console.print(q.answer or "(no answer)", highlight=False)
            if card is not None:
                console.print(answer_panel(card))
            if q.grade_status != "done" and q.key_points:
                q_checklist = _ask_checklist(console, inp, len(q.key_points))
                session.check(q, q_checklist)
            elif q.score is not None:
                console.print(f"Grader: {q.score:.0%}" + (f" · {q.feedback}" if q.feedback else ""))
            if q.score is not None:
                console.print(
                    f"Covered {sum(q.checklist or [])}/{len(q.key_points)} key points"
                    f" ({q.score:.0%})."
                )
            suggested = q.suggested
            buttons = "  ".join(
                f"{'▸' if r == suggested else ' '}[{RATING_STYLE[r]}]{r}[/] {RATING_NAMES[r]}"
                for r in RATING_NAMES
            )
            key = inp.key(
                f"{buttons}   [dim]q stop rating[/]"
                + (f" · Enter = {suggested}" if suggested else "")
                + "\nRate: ",
                "1234q",
                default=str(suggested) if suggested else None,
            )
            if key == "q":
                break  # the rest stay in the transcript, unrated
            session.rate(q, int(key), a.now())
            console.print(
                f"[{RATING_STYLE[int(key)]}]{RATING_NAMES[int(key)]}[/] saved as a review."
            )
    except Quit:
        pass  # end of input: the rest stay in the transcript, unrated
    except KeyboardInterrupt:
        console.print("\nInterrupted: answers are saved; the ratings given so far count.")
        return "interrupted"
    score = session.score
    rated = sum(1 for q in answered if q.rating is not None)
    console.print()
    console.print(
        f"[bold]Mock done.[/] {len(answered)} answered · {rated} rated"
        f" · time used {clock(session.used_seconds)}"
        + (f" · score {score:.0%}" if score is not None else "")
    )
    return "finished"


def _ask_checklist(console: Console, inp: Any, n: int) -> list[bool]:
    from .mock import checklist_from_numbers
    from .terminal import Quit

    text = f"Key points you covered (numbers 1-{n}, e.g. '1 3', 'all'; Enter = none): "
    while True:
        line = _read_line(console, inp, text)
        if line is None:
            raise Quit
        try:
            return checklist_from_numbers(line, n)
        except ValueError as exc:
            console.print(str(exc), style="yellow")


def _read_line(console: Console, inp: Any, text: str) -> str | None:
    import sys

    if inp.interactive:
        from prompt_toolkit import prompt

        try:
            return prompt(text)
        except EOFError:
            return None
    console.print(text, end="", highlight=False)
    line = sys.stdin.readline()
    return None if not line else line.rstrip("\n")
