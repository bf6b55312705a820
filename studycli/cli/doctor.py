"""`studycli doctor`: check, repair and restore the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from studycli.cli.base import app, app_context
from studycli.cli.context import AppContext
from studycli.errors import UsageError


@app.command()
def doctor(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="[NAME]",
            help="With --restore: the backup to restore (file name or date).",
            show_default=False,
        ),
    ] = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Recompute every card's state from the review log.")
    ] = False,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Repair what can be repaired: salvage a damaged database (readable rows "
            "plus the newest backup) or rebuild stale card states.",
        ),
    ] = False,
    restore: Annotated[
        bool,
        typer.Option(
            "--restore",
            help="Pick a backup to restore (a list without a terminal); with NAME, restore that "
            "one. The current file is kept beside it.",
        ),
    ] = False,
) -> None:
    """Check the database, its card-state cache and backups; explain and repair what is wrong."""
    from studycli.storage.config import DB_NAME
    from studycli.storage.doctor import examine, salvage, stale_states

    a = app_context(ctx)
    path = a.home / DB_NAME
    if restore:
        _doctor_restore(a, path, name)
        return
    if name:
        raise UsageError("NAME: only with --restore (e.g. 'studycli doctor --restore 2026-11-21')")
    check = examine(path)
    if not check.exists:
        typer.echo(f"database: {path} (none yet: it is created by the first command that needs it)")
        return
    if check.blocked and not check.damage:
        state = "the file itself is fine" if check.reviews is not None else "not examined"
        typer.echo(f"database: {path} (cannot be opened for changes: {check.blocked}; {state})")
        _print_backups_short(check)
        typer.echo(
            "Nothing to repair in the file: fix the cause above and run 'studycli doctor' again."
        )
        raise typer.Exit(1)
    if check.newer:
        typer.echo(f"database: {path} (written by a newer studycli: schema step '{check.newer}')")
        typer.echo("Nothing to repair: upgrade studycli to use it. The file was not changed.")
        raise typer.Exit(1)
    if check.foreign:
        typer.echo(
            f"database: {path} (not a studycli database: it holds {', '.join(check.foreign[:5])})"
        )
        typer.echo(
            "Nothing to repair: move the file away or choose another data folder with --home."
        )
        raise typer.Exit(1)
    if check.damage:
        typer.echo(f"database: {path} (damaged: {check.damage})")
        if check.kept:
            typer.echo(f"kept aside untouched: {', '.join(p.name for p in check.kept)}")
        _print_backups_short(check)
        if check.blocked:
            typer.echo(f"It cannot be repaired in place now: {check.blocked}.")
            raise typer.Exit(1)
        if not repair:
            typer.echo(
                "Run 'studycli doctor --repair' to rebuild it from every readable review and the newest "
                "backup (the damaged file is kept aside), or 'studycli doctor --restore' to pick a backup."
            )
            raise typer.Exit(1)
        done = salvage(path, float(a.config["desired_retention"]))
        if done.kept:
            typer.echo(f"kept the damaged file as {done.kept.name}")
        source = f"{done.from_file} read from the damaged file"
        if done.backup:
            source += f", {done.from_backup} more from backup {done.backup}"
        typer.echo(
            f"repaired: {done.reviews} reviews ({source}); rebuilt the state of {done.cards} cards"
        )
        return
    store = a.store
    typer.echo(f"database: {store.path} (ok)")
    typer.echo(f"reviews in log: {store.review_count()}")
    _print_backups_short(check)
    if rebuild:
        n = store.rebuild_states(a.scheduler)
        typer.echo(f"rebuilt the state of {n} cards from the review log")
        return
    stale = stale_states(store, a.scheduler)
    if stale and repair:
        n = store.rebuild_states(a.scheduler)
        typer.echo(
            f"{len(stale)} card state(s) differed from the review log; rebuilt the state of {n} cards"
        )
        return
    if stale:
        typer.echo(
            f"{len(stale)} card state(s) differ from the review log; run 'studycli doctor --rebuild'"
        )
        raise typer.Exit(1)
    typer.echo(f"card states: {len(store.states())} match the review log")


def _print_backups_short(check: Any) -> None:
    backups = check.backups
    if backups:
        typer.echo(
            f"backups: {len(backups)}, newest {backups[0].name} ('studycli doctor --restore' lists them)"
        )
    else:
        typer.echo("backups: none yet (one is made each day before the first change)")
    if check.backups_note:
        typer.echo(check.backups_note)


def _when(ms: int) -> str:
    """A review time in local time; one far outside the calendar as it is stored."""
    import datetime as dt

    try:
        return dt.datetime.fromtimestamp(ms / 1000).astimezone().strftime("%Y-%m-%d %H:%M")
    except (ValueError, OverflowError, OSError):
        return f"{ms} ms after 1970"


def _doctor_restore(a: AppContext, path: Path, name: str | None) -> None:
    from studycli.storage.backup import restore_backup, survey

    if not name:
        from studycli.cli.prompts import interactive, pick

        found = survey(path)
        backups = found.backups
        if found.problem:
            typer.echo(f"backups: {found.problem}")
        rows = []
        for b in backups:
            last = f", last {_when(b.last_review_ms)}" if b.last_review_ms else ""
            what = f"{b.reviews} reviews{last}" if b.reviews is not None else "unreadable"
            rows.append((f"{b.name}  {b.size // 1024} KB  {what}", b.name))
        odd = found.odd_line()
        if not backups:
            typer.echo("No backups yet: one is made each day before the first change.")
        elif interactive():  # a person at a terminal picks one; a script gets the list
            if odd is not None:
                typer.echo(odd)
            name = pick(
                "Restore which backup? (the current database is kept beside it)",
                [*rows, ("Cancel: restore nothing", "")],
                what="doctor --restore",
            )
            if not name:
                typer.echo("Nothing restored.")
                return
        else:
            typer.echo(f"Backups in {backups[0].path.parent} (newest first):")
            for row, _ in rows:
                typer.echo(f"  {row}")
        if not name:
            if odd is not None:
                typer.echo(odd)
            if backups:
                typer.echo("Restore one with 'studycli doctor --restore NAME'.")
            return
    chosen, kept = restore_backup(path, name, a.now())
    if kept:
        typer.echo(f"kept the current database as {kept.name} (restore it the same way to go back)")
    store = a.store
    n = store.rebuild_states(a.scheduler, claim=True)
    typer.echo(
        f"restored {chosen.name}: {store.review_count()} reviews; rebuilt the state of {n} cards"
    )
