"""`studycli today`: the plan day, what is due per deck, and what to run next."""

from __future__ import annotations

import typer

from studycli.cli.base import app, app_context
from studycli.cli.context import (
    day_plan,
    first_run,
    focus_ids,
    focus_of,
    readiness_for,
    today_date,
)
from studycli.cli.drill import nothing_due_message
from studycli.study.day_plan import due_katas
from studycli.tui.styles import make_console


@app.command()
def today(ctx: typer.Context) -> None:
    """What is due today, per deck, and what to run next."""
    from rich.table import Table

    a = app_context(ctx)
    console = make_console()
    if first_run(a):  # two stat calls; questionary only when the offer is made
        from studycli.cli.init import offer_setup

        offer_setup(a)
    now = a.now()
    states = a.store.states()
    cat = a.catalogue
    from studycli.tui.plan import (
        next_command,
        print_interview_today,
        print_plan_opening,
        print_readiness_short,
    )

    plan, view, pace = day_plan(a, focus_ids(a), now)
    print_plan_opening(console, view, pace)
    decks, levels = focus_of(a)
    if decks or levels:
        console.print(
            f"[dim]New cards from: {', '.join(decks) or 'every deck'} · "
            f"{', '.join(levels) or 'every level'} ('studycli init' changes it)[/]"
        )
    due_ids = set(plan.due) | set(plan.learning)
    new_ids = set(plan.new)
    table = Table(title=None, box=None, pad_edge=False)
    table.add_column("deck")
    table.add_column("due", justify="right")
    table.add_column("new today", justify="right")
    table.add_column("unseen", justify="right")
    table.add_column("cards", justify="right")
    counts = {d: [0, 0, 0, 0] for d in cat.decks}  # due, new today, unseen, cards: one pass
    for card in cat.cards.values():
        row = counts.get(card.deck)
        if row is None:
            continue
        state = states.get(card.id)
        row[0] += card.id in due_ids
        row[1] += card.id in new_ids
        row[2] += state is None or state.reps == 0
        row[3] += 1
    for deck_id in sorted(counts):
        table.add_row(deck_id, *(str(n) for n in counts[deck_id]))
    console.print(
        f"[bold]Today[/] · {today_date(a).isoformat()} · {len(due_ids)} due · {len(new_ids)} new"
    )
    console.print(table)
    print_interview_today(console, plan)
    print_readiness_short(console, readiness_for(a, states, grades=False))
    if katas := due_katas(states, a.today()):
        shown = ", ".join(katas[:4]) + (f" and {len(katas) - 4} more" if len(katas) > 4 else "")
        console.print(
            f"[bold]Katas[/] · {len(katas)} due: {shown} → 'studycli kata start {katas[0]}'",
            highlight=False,
        )
    if due_ids or new_ids:
        console.print("Next: [bold]studycli drill[/]")
    else:
        light = pace is not None and pace.light
        console.print(nothing_due_message(plan, None, light=light), soft_wrap=True)
        if step := next_command(view, plan):  # one line, so the command can be copied
            console.print(f"Next: [bold]{step}[/]", highlight=False, soft_wrap=True)
