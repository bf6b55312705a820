"""`studycli drill`: today's due and new cards, one by one."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from studycli.cli.base import DeckOpt, LevelOpt, TagOpt, app, app_context, check_filters
from studycli.cli.context import (
    AppContext,
    day_plan,
    first_run,
    focus_ids,
    interview_of,
    plan_tomorrow,
    today_date,
)
from studycli.errors import UsageError
from studycli.tui.styles import make_console


@app.command()
def drill(
    ctx: typer.Context,
    deck: DeckOpt = None,
    tag: TagOpt = None,
    level: LevelOpt = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", "-n", min=1, metavar="N", help="At most N cards this session."),
    ] = None,
    new: Annotated[
        int | None,
        typer.Option(
            "--new",
            min=0,
            metavar="N",
            help="Introduce N new cards now (overrides today's remaining limit).",
        ),
    ] = None,
    ahead: Annotated[
        int | None,
        typer.Option(
            "--ahead",
            min=1,
            metavar="N",
            help="Practise N cards that are not due yet, the lowest predicted recall on the "
            "interview date (or now, without one) first.",
        ),
    ] = None,
    again: Annotated[
        bool, typer.Option("--again", help="Ask again the cards you forgot today (rated Again).")
    ] = False,
) -> None:
    """Answer today's due and new cards one by one, then rate your recall (1-4).

    --ahead and --again practise beyond the queue; their ratings are ordinary reviews
    (FSRS counts an early review as such).
    """
    from studycli.study.drill import Drill
    from studycli.tui.drill import run_drill

    a = app_context(ctx)
    if first_run(a):  # two stat calls; questionary only when the offer is made
        from studycli.cli.init import offer_setup

        offer_setup(a)
    decks, tags, levels = deck or [], tag or [], level or []
    check_filters(a, decks, tags, levels)
    if new is not None and (ahead or again):
        raise UsageError("--new: not with --ahead or --again (they ask cards already seen)")
    console = make_console()
    now = a.now()
    filtered = bool(decks or tags or levels)
    # an unfiltered drill follows the roadmap's pacing and the focus chosen in 'studycli init'
    card_ids = a.catalogue.select_ids(decks, tags, levels) if filtered else focus_ids(a)
    early: dict[str, str] = {}
    if ahead or again:
        queue = practice_queue(a, card_ids, ahead or 0, again)
        if not queue:
            console.print(nothing_to_practise_message(ahead or 0, again))
            return
        console.print(f"[bold]studycli drill[/] · {practice_headline(a, ahead or 0, again, queue)}")
    else:
        plan, _, pace = day_plan(a, card_ids, now, paced=not filtered, extra_new=new)
        queue = plan.queue[:limit] if limit else plan.queue
        if not queue:
            light = pace is not None and pace.light
            console.print(nothing_due_message(plan, new, light=light), soft_wrap=True)
            return
        early = plan.interview.reasons if plan.interview is not None else {}
        pulled = sum(1 for cid in plan.due if cid in early)
        console.print(
            f"[bold]studycli drill[/] · {len(plan.learning) + len(plan.due)} due"
            + (f" ({pulled} early, for the interview)" if pulled else "")
            + f" · {len(plan.new)} new"
            + (f" · limited to {limit}" if limit and limit < len(plan.queue) else ""),
        )
    session = Drill(
        a.store, a.scheduler, a.catalogue, list(queue), rollover_hour=a.rollover_hour,
        leech_lapses=int(a.config["leech_lapses"]), leech_action=str(a.config["leech_action"]),
        notes=dict(early),
    )  # fmt: skip
    if not (ahead or again) and plan.interview is not None:
        session.planned_due = list(plan.due)
        selected, today = set(card_ids), plan.interview.today
        later = [d for c, d in plan.interview.next_review.items() if d > today and c in selected]
        session.next_planned_day = min(later, default=None)
    grader = None
    if a.config["grader.model"]:  # the grading module (and LiteLLM) only when a model is set
        from studycli.grading.grader import build_grader

        grader = build_grader(a.config, a.store)
    reason = run_drill(session, console, a.now, grader=grader)
    if reason == "interrupted":
        raise typer.Exit(130)
    # Tomorrow's first start then finds its interview plan made (the session is over, and
    # nobody waits on these few tens of milliseconds at most).
    plan_tomorrow(a)


def practice_queue(a: AppContext, card_ids: list[str], ahead: int, again: bool) -> list[str]:
    """Today's lapses (with --again), then up to `ahead` cards not due yet (with --ahead)."""
    from studycli.storage.stats import lapsed_on
    from studycli.study.practice import again_queue, ahead_queue
    from studycli.study.readiness import readiness_date

    states = a.store.states()
    selected = set(card_ids)
    queue = again_queue(lapsed_on(a.store, a.today()), selected, states) if again else []
    if ahead:
        on = readiness_date(interview_of(a), today_date(a)).toordinal()
        picked = ahead_queue(selected - set(queue), states, a.scheduler, a.today(), on, ahead)
        queue += picked
    return queue


def practice_headline(a: AppContext, ahead: int, again: bool, queue: list[str]) -> str:
    from studycli.study.readiness import readiness_date

    if not ahead:
        return f"{len(queue)} forgotten today, asked again"
    on = readiness_date(interview_of(a), today_date(a))
    basis = (
        f"lowest recall on {on.isoformat()} first"
        if on != today_date(a)
        else "lowest recall now first"
    )
    head = f"{len(queue)} card{'s' if len(queue) != 1 else ''} ahead of schedule ({basis})"
    if again:
        head = f"today's lapses, then {head}"
    return head


def nothing_to_practise_message(ahead: int, again: bool) -> str:
    if again and not ahead:
        return "No card was forgotten today in this selection: nothing to ask again."
    return (
        "No card to practise ahead: every card seen in this selection is due today or "
        "suspended, or none has been seen yet ('studycli drill' asks what is due and new)."
    )


def nothing_due_message(plan: Any, new: int | None, *, light: bool = False) -> str:
    """Nothing due: when the next card is, and how to get more new cards (not on a light
    review day, whose pacing line already says why there are none)."""
    from studycli.clock import day_date

    lines = ["[bold green]Nothing is due right now.[/]"]
    if plan.next_due_day is not None:
        lines.append(f"Next card due on {day_date(plan.next_due_day).isoformat()}.")
    if light:
        pass
    elif plan.new_unseen and plan.new_left_today == 0 and new is None:
        lines.append(
            f"Today's new-card limit is used up ({plan.new_unseen} unseen left): "
            "'studycli drill --new 5' introduces more."
        )
    elif not plan.new_unseen and plan.next_due_day is None:
        lines.append("Every card in this selection is suspended or there are none.")
    return "\n".join(lines)
