"""`studycli export` and `studycli import`: Anki packages and progress files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from studycli.cli.base import DeckOpt, LevelOpt, TagOpt, app, app_context, check_filters
from studycli.cli.context import rebuild_states

export_app = typer.Typer(
    help="Write your cards (Anki) or your progress (review log and settings) to a file.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

# `import` is a Python keyword: the Typer is named for what it brings in.
import_app = typer.Typer(
    help="Merge progress written by 'studycli export progress' on another machine.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


app.add_typer(export_app, name="export")


app.add_typer(import_app, name="import")


@export_app.command("anki")
def export_anki(
    ctx: typer.Context,
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE.apkg", help="Package to write.")
    ] = Path("studycli.apkg"),
    deck: DeckOpt = None,
    tag: TagOpt = None,
    level: LevelOpt = None,
) -> None:
    """Write the cards as an Anki package: one note per card (question, answer, key points),
    decks and tags kept; importing a later export updates the notes instead of duplicating them."""
    from studycli.study.anki_export import export_anki as write_apkg

    a = app_context(ctx)
    decks, tags, levels = deck or [], tag or [], level or []
    check_filters(a, decks, tags, levels)
    cards = a.catalogue.select(decks, tags, levels)
    done = write_apkg(a.catalogue, cards, output, a.now())
    typer.echo(f"wrote {done.notes} notes in {done.decks} decks to {done.path}")


@export_app.command("progress")
def export_progress(
    ctx: typer.Context,
    output: Annotated[
        str,
        typer.Option(
            "--output", "-o", metavar="FILE", help="File to write ('-' for standard output)."
        ),
    ],
) -> None:
    """Write the review log, roadmap progress and synced settings as JSON lines
    (format: docs/progress-format.md), for 'studycli import progress' on another machine."""
    import sys

    from studycli.storage.files import output_path
    from studycli.study.sync import export_progress as write_progress

    a = app_context(ctx)
    target = sys.stdout if output == "-" else output_path(output)
    done = write_progress(a.store, a.config, a.now(), target)
    where = "standard output" if output == "-" else done.path
    typer.echo(
        f"wrote {done.reviews} log events, {done.plan} roadmap events and {done.settings} settings "
        f"to {where}",
        err=output == "-",
    )


@import_app.command("progress")
def import_progress(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A file written by 'studycli export progress'.")
    ],
) -> None:
    """Merge another machine's progress file: new reviews are added (never twice), newer settings
    win, and every card's state is rebuilt from the merged log. The whole file is checked first."""
    from studycli.study.sync import merge_progress, read_progress

    a = app_context(ctx)
    progress = read_progress(file)  # validates every line before anything is written
    with a.store.bulk("import"):  # killed before the states are rebuilt: the next start does it
        result = merge_progress(a.store, a.config, progress, a.now())
        cards = rebuild_states(a)
    typer.echo(
        f"merged {file}: {result.reviews_added} new log events "
        f"({result.reviews_known} already here), "
        f"{result.plan_added} new roadmap events ({result.plan_known} already here)"
    )
    if result.settings_changed:
        typer.echo(
            "settings taken from the file (newer there): " + ", ".join(result.settings_changed)
        )
    if result.conflicts:
        typer.echo(
            f"warning: {result.conflicts} event(s) in the file differ from local ones with "
            "the same uid; kept the local ones",
            err=True,
        )
    typer.echo(f"rebuilt the state of {cards} cards from the merged log")
