"""`studycli decks`: list the decks and validate content files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from studycli.cli.base import app, app_context
from studycli.cli.context import AppContext
from studycli.errors import StudyError
from studycli.tui.styles import make_console
from studycli.vocab import LEVELS

decks_app = typer.Typer(
    help="List and validate decks.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(decks_app, name="decks")


@decks_app.command("list")
def decks_list(
    ctx: typer.Context,
    show_tags: Annotated[
        bool, typer.Option("--tags", help="Also list every tag with its card count.")
    ] = False,
) -> None:
    """Every deck with its card counts by level."""
    from collections import Counter

    from rich.table import Table

    a = app_context(ctx)
    cat = a.catalogue
    table = Table(box=None, pad_edge=False)
    for col in ("deck", "title", "cards", *LEVELS):
        table.add_column(col, justify="right" if col not in ("deck", "title") else "left")
    for deck in sorted(cat.decks.values(), key=lambda d: d.id):
        levels = Counter(c.level for c in cat.cards.values() if c.deck == deck.id)
        total = sum(levels.values())
        table.add_row(deck.id, deck.title, str(total), *(str(levels.get(lv, 0)) for lv in LEVELS))
    console = make_console()
    console.print(table)
    console.print(
        f"{len(cat.cards)} cards in {len(cat.decks)} decks · {len(cat.incidents)} incidents"
    )
    if show_tags:
        from studycli.content.model import INTERNAL_TAGS

        tags = Counter(t for c in cat.cards.values() for t in c.tags if t not in INTERNAL_TAGS)
        console.print(" ".join(f"{t}({n})" for t, n in sorted(tags.items())))


@decks_app.command("validate")
def decks_validate(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders; default: all content.")
    ] = None,
) -> None:
    """Check content files; list every problem with file:line. Exit 0 if clean, 2 if not."""
    from studycli.content.loader import validate_paths

    a = app_context(ctx)
    result = validate_paths(paths or [], a.content_dirs)
    for problem in result.problems:
        typer.echo(problem, err=True)
    cat = result.catalogue
    if result.problems:
        typer.echo(f"{len(result.problems)} problem(s) found.", err=True)
        raise typer.Exit(2)
    typer.echo(
        f"OK: {len(cat.cards)} cards, {len(cat.decks)} decks, {len(cat.incidents)} incidents"
        + (f", roadmap of {len(cat.roadmap.days)} days" if cat.roadmap else "")
    )
    if not paths:
        _print_orphans(a, cat.cards)


def _print_orphans(a: AppContext, card_ids: Any) -> None:
    """Ids with history but no card: progress is kept, and comes back if the id returns."""
    from studycli.storage.config import DB_NAME
    from studycli.storage.doctor import orphaned_cards

    if not (a.home / DB_NAME).exists():
        return
    try:
        orphans = orphaned_cards(a.store, card_ids)
    except StudyError as exc:
        typer.echo(f"note: could not look for orphaned card ids: {exc.message}", err=True)
        return
    if orphans:
        typer.echo(
            f"{len(orphans)} orphaned card id(s): history in the database but no such card in the content "
            "(kept; restoring the id brings the card back with its history):"
        )
        for cid, reviews in orphans:
            typer.echo(f"  {cid}  {reviews} review{'s' if reviews != 1 else ''}")
