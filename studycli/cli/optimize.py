"""`studycli optimize`: fit FSRS parameters to the candidate's own review log."""

from __future__ import annotations

from typing import Annotated

import typer

from studycli.cli.base import app, app_context
from studycli.cli.context import rebuild_states


@app.command()
def optimize(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report the figures but keep the current parameters.")
    ] = False,
) -> None:
    """Fit FSRS parameters to your own review log. Reports log loss and RMSE on held-out recent
    reviews for the current and the fitted parameters, and keeps the fitted ones only if better."""
    from studycli.clock import day_date
    from studycli.study.optimize import fit
    from studycli.study.sync import stamp_changes

    a = app_context(ctx)
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
    with a.store.bulk("optimize"):  # killed before the states follow: the next start does it
        a.store.set_setting("fsrs_parameters", list(report.fitted_parameters))
        stamp_changes(a.store, a.config, a.now())
        cards = rebuild_states(a)
    typer.echo(f"kept the fitted parameters and rebuilt the state of {cards} cards")
