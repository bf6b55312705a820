"""`studycli drill`: today's due and new cards, one by one."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from studycli.cli.base import DeckOpt, LevelOpt, TagOpt, app, app_context, check_filters
from studycli.cli.context import day_plan
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
) -> None:
    """Answer today's due and new cards one by one, then rate your recall (1-4)."""
    from studycli.study.drill import Drill
    from studycli.tui.drill import run_drill

    a = app_context(ctx)
    decks, tags, levels = deck or [], tag or [], level or []
    check_filters(a, decks, tags, levels)
    console = make_console()
    now = a.now()
    card_ids = a.catalogue.select_ids(decks, tags, levels)
    # an unfiltered drill follows the roadmap's pacing
    plan, _, _ = day_plan(a, card_ids, now, paced=not (decks or tags or levels), extra_new=new)
    queue = plan.queue[:limit] if limit else plan.queue
    if not queue:
        console.print(nothing_due_message(plan, new))
        return
    console.print(
        f"[bold]studycli drill[/] · {len(plan.learning) + len(plan.due)} due · {len(plan.new)} new"
        + (f" · limited to {limit}" if limit and limit < len(plan.queue) else ""),
    )
    session = Drill(a.store, a.scheduler, a.catalogue, list(queue), rollover_hour=a.rollover_hour)
    grader = None
    if a.config["grader.model"]:  # the grading module (and LiteLLM) only when a model is set
        from studycli.grading.grader import build_grader

        grader = build_grader(a.config, a.store)
    reason = run_drill(session, console, a.now, grader=grader)
    if reason == "interrupted":
        raise typer.Exit(130)


def nothing_due_message(plan: Any, new: int | None) -> str:
    from studycli.clock import day_date

    lines = ["[bold green]Nothing is due right now.[/]"]
    if plan.next_due_day is not None:
        lines.append(f"Next card due on {day_date(plan.next_due_day).isoformat()}.")
    if plan.new_unseen and plan.new_left_today == 0 and new is None:
        lines.append(
            f"Today's new-card limit is used up ({plan.new_unseen} unseen left): "
            "'studycli drill --new 5' introduces more."
        )
    elif not plan.new_unseen and plan.next_due_day is None:
        lines.append("Every card in this selection is suspended or there are none.")
    return "\n".join(lines)
