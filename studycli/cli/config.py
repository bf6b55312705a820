"""`studycli config`: show, set and unset the settings in config.yaml."""

from __future__ import annotations

import typer

from studycli.cli.base import app, app_context
from studycli.cli.context import AppContext
from studycli.errors import UsageError

config_app = typer.Typer(
    help="Show and change settings (config.yaml).", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(config_app, name="config")

DATE_KEYS = {"interview_date": "interview"}  # settings typed as dates, and how they are echoed


@config_app.command("show")
def config_show(ctx: typer.Context) -> None:
    """Every setting with its value; (default) marks ones not set in config.yaml."""
    a = app_context(ctx)
    for key, value, is_default in a.config.items():
        shown = ",".join(value) if isinstance(value, list) else value
        mark = "  (default)" if is_default else ""
        typer.echo(f"{key} = {shown}{mark}")
    typer.echo(f"# file: {a.home / 'config.yaml'}")


# A value such as -5 is a value, not an option: the settings' own parsers judge it.
@config_app.command("set", context_settings={"ignore_unknown_options": True})
def config_set(ctx: typer.Context, key: str, value: str) -> None:
    """Set KEY to VALUE, e.g. 'studycli config set new_per_day 20'."""
    a = app_context(ctx)
    echo = None
    if key in DATE_KEYS and value.strip():  # "Dec 22", "in 3 weeks": read against the study day
        from studycli.cli.context import today_date
        from studycli.dates import describe, parse_date

        today = today_date(a)
        day = parse_date(value, today, option=f"config {key}")
        value, echo = day.isoformat(), describe(DATE_KEYS[key], day, today)
    parsed = a.config.set(key, value)
    if key == "focus.decks":  # the settings table cannot know the decks; the catalogue does
        unknown = [d for d in parsed if d not in a.catalogue.decks]
        if unknown:
            known = ", ".join(sorted(a.catalogue.decks))
            raise UsageError(f"config focus.decks: no deck '{unknown[0]}' (known: {known})")
    _save(a, key)
    typer.echo(echo or f"{key} = {','.join(parsed) if isinstance(parsed, list) else parsed}")


@config_app.command("unset")
def config_unset(ctx: typer.Context, key: str) -> None:
    """Return KEY to its default."""
    a = app_context(ctx)
    a.config.unset(key)
    _save(a, key)
    typer.echo(f"{key} reset to default")


def _save(a: AppContext, key: str) -> None:
    """Write config.yaml; a synced setting also notes when it changed, so the newest change wins
    across machines (study/sync.py), in the same step: if the database refuses, the file is
    left as it was."""
    from studycli.study.sync import SYNCED_CONFIG_KEYS, save_config_with

    if key in SYNCED_CONFIG_KEYS:
        save_config_with(a.store, a.config, a.now())
    else:
        from studycli.storage.config import save_config

        save_config(a.config)
