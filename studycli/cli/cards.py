"""`studycli cards`: list and search cards, look one up, suspend and unsuspend it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from studycli.cli.base import (
    CardIdArg,
    DeckOpt,
    LevelOpt,
    TagOpt,
    app,
    app_context,
    card_or_fail,
    check_filters,
)
from studycli.errors import UsageError
from studycli.tui.styles import make_console

if TYPE_CHECKING:
    from studycli.cli.context import AppContext
    from studycli.scheduler import CardState

cards_app = typer.Typer(
    help="List, search and look up cards; suspend and unsuspend them.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(cards_app, name="cards")

SORT_HELP = (
    "recall (lowest first), due (soonest first), lapses (most first) or id "
    "[default: id; with --search, the best match first]."
)


def interview_day(a: AppContext) -> int | None:
    """The interview's study day while it is ahead (or today); None without one."""
    from studycli.cli.context import interview_of, today_date

    when = interview_of(a)
    return when.toordinal() if when is not None and when >= today_date(a) else None


@cards_app.command("list")
def cards_list(
    ctx: typer.Context,
    deck: DeckOpt = None,
    tag: TagOpt = None,
    level: LevelOpt = None,
    search: Annotated[
        str | None,
        typer.Option(
            "--search",
            "-s",
            metavar="TEXT",
            help="Only cards whose question, answer, key points or tags hold every word "
            "(case-insensitive).",
        ),
    ] = None,
    due: Annotated[bool, typer.Option("--due", help="Only cards due today.")] = False,
    suspended: Annotated[bool, typer.Option("--suspended", help="Only suspended cards.")] = False,
    leeches: Annotated[
        bool, typer.Option("--leeches", help="Only leeches (forgotten leech_lapses times).")
    ] = False,
    sort: Annotated[str | None, typer.Option("--sort", metavar="ORDER", help=SORT_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the cards as JSON.")] = False,
) -> None:
    """Every card (or those matching the filters) with its phase, due date, recall and lapses."""
    from studycli.study.card_list import SORTS, list_cards

    if sort is not None and sort not in SORTS:
        raise UsageError(f"--sort: must be one of {', '.join(SORTS)} (got '{sort}')")
    a = app_context(ctx)
    decks, tags, levels = deck or [], tag or [], level or []
    check_filters(a, decks, tags, levels)
    rows = list_cards(
        a.catalogue.select(decks, tags, levels), a.store.states(), a.scheduler, a.today(),
        interview_day=interview_day(a), leech_lapses=int(a.config["leech_lapses"]),
        search=search, due=due, suspended=suspended, leeches=leeches, sort=sort,
    )  # fmt: skip
    if as_json:
        import json

        typer.echo(json.dumps([r.as_json() for r in rows], indent=2, ensure_ascii=False))
        return
    console = make_console()
    if not rows:
        console.print("No card matches." + (f" (search: {search!r})" if search else ""))
        return
    from studycli.cli.context import today_date
    from studycli.tui.card_list import card_table

    for line in card_table(rows, today_date(a), console.width):
        console.print(line, soft_wrap=True)
    n_leech = sum(r.leech for r in rows)
    note = f" · {n_leech} lee{'ches' if n_leech != 1 else 'ch'} (lapses in red)" if n_leech else ""
    console.print(
        f"{len(rows)} card{'s' if len(rows) != 1 else ''}{note} · recall: FSRS probability "
        "of recall now",
        style="dim",
    )


@cards_app.command("show")
def cards_show(ctx: typer.Context, card_id: CardIdArg) -> None:
    """Print a card with its model answer, key points and scheduling state."""
    from studycli.tui.panels import card_view

    a = app_context(ctx)
    card = card_or_fail(a, card_id)
    console = make_console()
    for part in card_view(card, console.width):
        console.print(part)
    console.print(" · ".join(state_facts(a, a.store.state(card_id))), style="dim")


def state_facts(a: AppContext, state: CardState) -> list[str]:
    """What `cards show` says of a card's schedule: phase, due, interval, recall, lapses."""
    from studycli.clock import day_date
    from studycli.study.card_list import interval_days
    from studycli.study.leeches import is_leech

    if state.reps == 0:
        facts = ["new: not seen yet"]
        return facts + ["suspended"] if state.suspended else facts
    facts = [f"phase {state.phase}", f"reviews {state.reps}", f"lapses {state.lapses}"]
    if state.due_day is not None:
        facts.append(f"due {day_date(state.due_day).isoformat()}")
    interval = interval_days(state)
    if interval is not None:
        facts.append(f"last interval {interval}d")
    facts.append(f"recall now {a.scheduler.retrievability(state, a.today()):.0%}")
    on = interview_day(a)
    if on is not None:
        recall = a.scheduler.retrievability(state, on)
        facts.append(f"recall on {day_date(on).isoformat()} (interview) {recall:.0%}")
    if is_leech(state, int(a.config["leech_lapses"])):
        facts.append("a leech")
    if state.suspended:
        facts.append("suspended")
    return facts


def _suspend_event(ctx: typer.Context, card_id: str, kind: str) -> None:
    from studycli.clock import study_day, to_ms
    from studycli.storage.codec import LogEntry, new_uid

    a = app_context(ctx)
    card_or_fail(a, card_id)
    suspended = bool(a.store.state(card_id).suspended)
    if suspended == (kind == "suspend"):  # already so: say it, and write nothing
        typer.echo(
            f"{card_id} is already suspended; nothing changed"
            if suspended
            else f"{card_id} is not suspended; nothing changed"
        )
        return
    now = a.now()
    entry = LogEntry(new_uid(), card_id, kind, to_ms(now), study_day(now, a.rollover_hour))
    a.store.append_and_replay(entry, a.scheduler)
    typer.echo(f"{kind}ed {card_id}")


@cards_app.command("suspend")
def cards_suspend(ctx: typer.Context, card_id: CardIdArg) -> None:
    """Take a card out of every queue."""
    _suspend_event(ctx, card_id, "suspend")


@cards_app.command("unsuspend")
def cards_unsuspend(ctx: typer.Context, card_id: CardIdArg) -> None:
    """Put a suspended card back in the queues."""
    _suspend_event(ctx, card_id, "unsuspend")
