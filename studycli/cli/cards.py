"""`studycli cards`: look up, suspend and unsuspend one card."""

from __future__ import annotations

import typer

from studycli.cli.base import app, app_context, card_or_fail
from studycli.tui.styles import make_console

cards_app = typer.Typer(
    help="Look up, suspend and unsuspend cards.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(cards_app, name="cards")


@cards_app.command("show")
def cards_show(ctx: typer.Context, card_id: str) -> None:
    """Print a card with its model answer, key points and scheduling state."""
    from studycli.tui.panels import answer_panel, question_panel

    a = app_context(ctx)
    card = card_or_fail(a, card_id)
    console = make_console()
    console.print(question_panel(card, 1, 1))
    console.print(answer_panel(card))
    state = a.store.state(card_id)
    console.print(
        f"phase {state.phase} · reviews {state.reps} · lapses {state.lapses}"
        + (" · suspended" if state.suspended else ""),
        style="dim",
    )


def _suspend_event(ctx: typer.Context, card_id: str, kind: str) -> None:
    from studycli.clock import study_day, to_ms
    from studycli.storage.codec import LogEntry, new_uid

    a = app_context(ctx)
    card_or_fail(a, card_id)
    now = a.now()
    entry = LogEntry(new_uid(), card_id, kind, to_ms(now), study_day(now, a.rollover_hour))
    a.store.append_and_replay(entry, a.scheduler)
    typer.echo(f"{kind}ed {card_id}")


@cards_app.command("suspend")
def cards_suspend(ctx: typer.Context, card_id: str) -> None:
    """Take a card out of every queue."""
    _suspend_event(ctx, card_id, "suspend")


@cards_app.command("unsuspend")
def cards_unsuspend(ctx: typer.Context, card_id: str) -> None:
    """Put a suspended card back in the queues."""
    _suspend_event(ctx, card_id, "unsuspend")
