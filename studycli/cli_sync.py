"""Commands of the sync feature: Anki export, progress export/import, FSRS optimisation.

Registered on the main app when studycli.cli is imported. Only typer and the stdlib
at module level: genanki, fsrs fitting and the sync core are imported inside commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .cli import DeckOpt, LevelOpt, TagOpt, _check_filters, _ctx, app

if TYPE_CHECKING:
    from .app import AppContext

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


def _rebuild(a: AppContext) -> int:
    """Recompute every card state with the scheduler the (possibly new) settings describe."""
    a.__dict__.pop("scheduler", None)  # AppContext.scheduler is cached; the settings just changed
    return a.store.rebuild_states(a.scheduler)


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
    from .anki_export import export_anki as write_apkg

    a = _ctx(ctx)
    decks, tags, levels = deck or [], tag or [], level or []
    _check_filters(a, decks, tags, levels)
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

    from .sync import export_progress as write_progress

    a = _ctx(ctx)
    done = write_progress(a.store, a.config, a.now(), sys.stdout if output == "-" else Path(output))
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
    from .sync import merge_progress, read_progress

    a = _ctx(ctx)
    progress = read_progress(file)  # validates every line before anything is written
    result = merge_progress(a.store, a.config, progress, a.now())
    cards = _rebuild(a)
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


@app.command()
def optimize(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report the figures but keep the current parameters.")
    ] = False,
) -> None:
    """Fit FSRS parameters to your own review log. Reports log loss and RMSE on held-out recent
    reviews for the current and the fitted parameters, and keeps the fitted ones only if better."""
    from .optimize import fit
    from .scheduler import day_date
    from .sync import stamp_changes

    a = _ctx(ctx)
    current = a.store.get_setting("fsrs_parameters")
    report = fit(a.store, current)
    label = "current" if report.default is not None else "default"
    typer.echo(
        f"{report.reviews} reviews of {report.cards} cards: fitted on {report.train_items} "
        f"predictions, checked on {report.test_items} held out "
        f"(from {day_date(report.holdout_from_day).isoformat()})"
    )
    typer.echo(f"{'':10} {'log loss':>9} {'RMSE':>8}")
    rows = [(label, report.current), ("fitted", report.fitted)]
    if report.default is not None:
        rows.insert(0, ("default", report.default))
    for name, score in rows:
        typer.echo(f"{name:10} {score.log_loss:9.4f} {score.rmse:8.4f}")
    if not report.improved:
        typer.echo(
            f"kept the {label} parameters: the fitted ones do not predict the held-out reviews "
            "better"
        )
        return
    if dry_run:
        typer.echo("the fitted parameters are better; --dry-run: nothing changed")
        return
    a.store.set_setting("fsrs_parameters", list(report.fitted_parameters))
    stamp_changes(a.store, a.config, a.now())
    cards = _rebuild(a)
    typer.echo(f"kept the fitted parameters and rebuilt the state of {cards} cards")
