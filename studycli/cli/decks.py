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
    cat = result.catalogue
    problems = list(result.problems)
    kata_ids: list[str] = []
    if not paths:  # all content: the katas and the roadmap's references to them too
        kata_ids, kata_problems = _validate_katas(a, cat)
        problems += kata_problems
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        typer.echo(f"{len(problems)} problem(s) found.", err=True)
        raise typer.Exit(2)
    typer.echo(
        f"OK: {len(cat.cards)} cards, {len(cat.decks)} decks, {len(cat.incidents)} incidents"
        + (f", roadmap of {len(cat.roadmap.days)} days" if cat.roadmap else "")
        + (f", {len(kata_ids)} katas" if kata_ids else "")
    )
    if not paths:
        from studycli.vocab import KATA_PREFIX

        _print_orphans(a, [*cat.cards, *(KATA_PREFIX + k for k in kata_ids)])


def _validate_katas(a: AppContext, cat: Any) -> tuple[list[str], list[str]]:
    """(kata ids, problems): each kata's spec, its source, and that every kata a roadmap task
    names exists."""
    from studycli.content.katas import load_katas
    from studycli.content.paths import content_roots, display_path
    from studycli.errors import ContentError

    try:
        katas = load_katas(content_roots(a.content_dirs))
    except ContentError as exc:
        return [], exc.problems
    ids = list(katas)
    problems = [
        f"{display_path(kata.folder / 'kata.yaml')}: kata '{kata.id}': no source '{kata.source}' "
        "in sources.yaml"
        for kata in katas.values()
        if cat.sources and kata.source not in cat.sources
    ]
    if cat.roadmap is not None:
        for task in cat.roadmap.tasks.values():
            for kid in task.katas:
                if kid not in ids:
                    problems.append(
                        f"{cat.roadmap.path}: task '{task.id}': katas: no kata '{kid}' "
                        "(see 'studycli kata list')"
                    )
    return ids, problems


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
