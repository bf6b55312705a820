"""The command line: parse options, call the core, print. Nothing below imports this."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from . import __version__
from .app import AppContext
from .content import LEVELS
from .errors import ContentError, StudyError, UsageError


class StudyGroup(TyperGroup):
    """Turns StudyError (and anything unexpected) into one clean line and an exit status."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except StudyError as exc:
            if os.environ.get("STUDYCLI_DEBUG") == "1":
                raise
            _fail(exc.message, exc.exit_code)
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # noqa: BLE001 - the contract is one line, not a traceback
            if (line := _usage_line(exc)) is not None:
                _fail(line, exc.exit_code)  # type: ignore[attr-defined]
            if _is_cli_exception(exc) or os.environ.get("STUDYCLI_DEBUG") == "1":
                raise
            if (damage := _damage_found(ctx.obj, exc)) is not None:
                _fail(damage.message, damage.exit_code)
            _fail(
                f"unexpected error: {type(exc).__name__}: {exc} (set STUDYCLI_DEBUG=1 for details)",
                1,
            )
        finally:
            obj = ctx.obj
            if isinstance(obj, AppContext):
                obj.close()

    def make_context(self, info_name: Any, args: Any, parent: Any = None, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except Exception as exc:  # noqa: BLE001 - a bad global option is one line too
            if (line := _usage_line(exc)) is None:
                raise
            _fail(line, exc.exit_code)  # type: ignore[attr-defined]


def _damage_found(obj: Any, exc: Exception) -> StudyError | None:
    """SQLite meeting a damaged page mid-command: keep the file aside first, then say so."""
    import sqlite3

    from .store import damaged_error, is_damage

    if not isinstance(exc, sqlite3.DatabaseError) or not is_damage(exc):
        return None
    if not isinstance(obj, AppContext) or "store" not in obj.__dict__:
        return None
    return damaged_error(obj.store.path, str(exc))


def _usage_line(exc: Exception) -> str | None:
    """A framework usage error (bad option value, unknown option...) as one line; else None."""
    if not _is_cli_exception(exc) or not hasattr(exc, "format_message"):
        return None  # Exit and Abort carry no message
    if type(exc).__name__ == "NoArgsIsHelpError":
        return None  # a bare group: its help is the answer
    ctx = getattr(exc, "ctx", None)
    hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    return f"{exc.format_message()}{hint}"


def _is_cli_exception(exc: Exception) -> bool:
    """Exit, Abort and usage errors of the CLI framework (typer vendors click): let them through."""
    return any(cls.__module__.split(".")[0] in ("click", "typer") for cls in type(exc).__mro__[:-3])


def _fail(message: str, code: int) -> NoReturn:
    # One line whatever the user typed: control characters (a newline in an option) are escaped.
    line = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in message)
    typer.echo(f"studycli: {line}", err=True)
    raise typer.Exit(code)


app = typer.Typer(
    cls=StudyGroup,
    help="Drill AI-engineering interview questions and incident postmortems, with FSRS spaced repetition.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
decks_app = typer.Typer(
    help="List and validate decks.", no_args_is_help=True, rich_markup_mode=None
)
config_app = typer.Typer(
    help="Show and change settings (config.yaml).", no_args_is_help=True, rich_markup_mode=None
)
cards_app = typer.Typer(
    help="Look up, suspend and unsuspend cards.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(decks_app, name="decks")
app.add_typer(config_app, name="config")
app.add_typer(cards_app, name="cards")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"studycli {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            metavar="DIR",
            help="Data folder holding studycli.db and config.yaml [env: STUDYCLI_HOME].",
        ),
    ] = None,
    content: Annotated[
        list[Path] | None,
        typer.Option(
            "--content",
            metavar="DIR",
            help="Extra deck/incident folder (repeatable) [env: STUDYCLI_CONTENT].",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Drill AI-engineering interview questions and incident postmortems, with FSRS spaced repetition."""
    ctx.obj = AppContext(home_option=home, content_dirs=list(content or []))


def _ctx(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    assert isinstance(obj, AppContext)
    return obj


def _console(stderr: bool = False):  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, emoji=False)  # ":name:" is never an emoji here


def _check_filters(a: AppContext, decks: list[str], tags: list[str], levels: list[str]) -> None:
    cat = a.catalogue
    for d in decks:
        if d not in cat.decks:
            raise UsageError(f"--deck: no deck '{d}' (known: {', '.join(sorted(cat.decks))})")
    known_tags = cat.tags if tags else set()
    for t in tags:
        if t not in known_tags:
            raise UsageError(f"--tag: no card has tag '{t}' (see 'studycli decks list --tags')")
    for lv in levels:
        if lv not in LEVELS:
            raise UsageError(f"--level: must be one of {', '.join(LEVELS)} (got '{lv}')")


DeckOpt = Annotated[
    list[str] | None,
    typer.Option("--deck", "-d", metavar="DECK", help="Only this deck (repeatable)."),
]
TagOpt = Annotated[
    list[str] | None,
    typer.Option("--tag", "-t", metavar="TAG", help="Only cards with this tag (repeatable)."),
]
LevelOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--level",
        "-l",
        metavar="LEVEL",
        help="Only this level: junior, mid, senior, staff (repeatable).",
    ),
]


def _day_plan(
    a: AppContext,
    card_ids: list[str],
    now: Any,
    *,
    paced: bool = True,
    extra_new: int | None = None,
) -> tuple[Any, Any, Any]:
    """Today's plan for `drill` and `today`: paced toward the interview while a roadmap runs.

    Returns (day plan, roadmap view or None, pacing or None)."""
    from .session import plan_day

    limits, new_order, view, pace = a.limits, None, None, None
    if paced:
        from .cli_plan import paced_limits

        limits, new_order, view, pace = paced_limits(a)
    plan = plan_day(
        card_ids, a.catalogue.cards, a.store, now, a.rollover_hour, limits,
        extra_new=extra_new, new_order=new_order,
    )  # fmt: skip
    return plan, view, pace


# --------------------------------------------------------------------------- drill


@app.command()
def drill(
    ctx: typer.Context,
    deck: DeckOpt = None,
    tag: TagOpt = None,
    level: LevelOpt = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", "-n", min=1, metavar="N", help="At most N cards this session."),
    ] = None,
    new: Annotated[
        int | None,
        typer.Option(
            "--new",
            min=0,
            metavar="N",
            help="Introduce N new cards now (overrides today's remaining limit).",
        ),
    ] = None,
) -> None:
    """Answer today's due and new cards one by one, then rate your recall (1-4)."""
    from .session import Drill
    from .terminal import run_drill

    a = _ctx(ctx)
    decks, tags, levels = deck or [], tag or [], level or []
    _check_filters(a, decks, tags, levels)
    console = _console()
    now = a.now()
    card_ids = a.catalogue.select_ids(decks, tags, levels)
    # an unfiltered drill follows the roadmap's pacing
    plan, _, _ = _day_plan(a, card_ids, now, paced=not (decks or tags or levels), extra_new=new)
    queue = plan.queue[:limit] if limit else plan.queue
    if not queue:
        console.print(_nothing_due_message(plan, new))
        return
    console.print(
        f"[bold]studycli drill[/] · {len(plan.learning) + len(plan.due)} due · {len(plan.new)} new"
        + (f" · limited to {limit}" if limit and limit < len(plan.queue) else ""),
    )
    session = Drill(a.store, a.scheduler, a.catalogue, list(queue), rollover_hour=a.rollover_hour)
    grader = None
    if a.config["grader.model"]:  # the grading module (and LiteLLM) only when a model is set
        from .grading import build_grader

        grader = build_grader(a.config, a.store)
    reason = run_drill(session, console, a.now, grader=grader)
    if reason == "interrupted":
        raise typer.Exit(130)


def _nothing_due_message(plan: Any, new: int | None) -> str:
    from .scheduler import day_date

    lines = ["[bold green]Nothing is due right now.[/]"]
    if plan.next_due_day is not None:
        lines.append(f"Next card due on {day_date(plan.next_due_day).isoformat()}.")
    if plan.new_unseen and plan.new_left_today == 0 and new is None:
        lines.append(
            f"Today's new-card limit is used up ({plan.new_unseen} unseen left): "
            "'studycli drill --new 5' introduces more."
        )
    elif not plan.new_unseen and plan.next_due_day is None:
        lines.append("Every card in this selection is suspended or there are none.")
    return "\n".join(lines)


# --------------------------------------------------------------------------- today


@app.command()
def today(ctx: typer.Context) -> None:
    """What is due today, per deck, and what to run next."""
    from rich.table import Table

    a = _ctx(ctx)
    console = _console()
    now = a.now()
    states = a.store.states()
    cat = a.catalogue
    from .cli_plan import (
        next_command,
        print_plan_opening,
        print_readiness_short,
        readiness_for,
    )

    plan, view, pace = _day_plan(a, list(cat.cards), now)
    print_plan_opening(console, view, pace)
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
        f"[bold]Today[/] · {now.date().isoformat()} · {len(due_ids)} due · {len(new_ids)} new"
    )
    console.print(table)
    print_readiness_short(console, readiness_for(a, states, grades=False))
    if due_ids or new_ids:
        console.print("Next: [bold]studycli drill[/]")
    else:
        console.print(_nothing_due_message(plan, None))
        if step := next_command(view, plan):
            console.print(f"Next: [bold]{step}[/]", highlight=False)


# --------------------------------------------------------------------------- stats


def stats_numbers(a: AppContext) -> dict[str, Any]:
    """report_data(): what `stats`, `stats --json` and `report` show (cards/reviews/retention_30d stable)."""
    from .report import report_data

    return report_data(a.store, a.catalogue, a.scheduler, a.config, a.now(), a.rollover_hour)


@app.command()
def stats(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the numbers as JSON.")] = False,
) -> None:
    """Cards, reviews, true retention, a calendar heatmap, the 14-day due forecast and weak cards."""
    a = _ctx(ctx)
    numbers = stats_numbers(a)
    if as_json:
        import json

        typer.echo(json.dumps(numbers, indent=2))
        return
    from .cli_grade import grader_stats_lines
    from .cli_plan import print_readiness
    from .render.stats_view import stats_view

    console = _console()
    for renderable in stats_view(numbers, console.width):
        console.print(renderable)
    if numbers.get("readiness"):
        console.print()
        print_readiness(console, numbers["readiness"])
    if numbers.get("grader"):
        lines = grader_stats_lines(numbers["grader"], a.config["grader.model"])
        if lines:
            console.print()
        for line in lines:
            console.print(line)


# --------------------------------------------------------------------------- decks


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

    a = _ctx(ctx)
    cat = a.catalogue
    table = Table(box=None, pad_edge=False)
    for col in ("deck", "title", "cards", *LEVELS):
        table.add_column(col, justify="right" if col not in ("deck", "title") else "left")
    for deck in sorted(cat.decks.values(), key=lambda d: d.id):
        levels = Counter(c.level for c in cat.cards.values() if c.deck == deck.id)
        total = sum(levels.values())
        table.add_row(deck.id, deck.title, str(total), *(str(levels.get(lv, 0)) for lv in LEVELS))
    console = _console()
    console.print(table)
    console.print(
        f"{len(cat.cards)} cards in {len(cat.decks)} decks · {len(cat.incidents)} incidents"
    )
    if show_tags:
        tags = Counter(t for c in cat.cards.values() for t in c.tags)
        console.print(" ".join(f"{t}({n})" for t, n in sorted(tags.items())))


@decks_app.command("validate")
def decks_validate(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders; default: all content.")
    ] = None,
) -> None:
    """Check content files; list every problem with file:line. Exit 0 if clean, 2 if not."""
    from .content import validate_paths

    a = _ctx(ctx)
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
    from .config import DB_NAME
    from .doctor import orphaned_cards

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


# --------------------------------------------------------------------------- cards


def _card_or_fail(a: AppContext, card_id: str):  # type: ignore[no-untyped-def]
    card = a.catalogue.cards.get(card_id)
    if card is None:
        raise UsageError(f"CARD_ID: no card '{card_id}' (see 'studycli decks list')")
    return card


@cards_app.command("show")
def cards_show(ctx: typer.Context, card_id: str) -> None:
    """Print a card with its model answer, key points and scheduling state."""
    from .terminal import answer_panel, question_panel

    a = _ctx(ctx)
    card = _card_or_fail(a, card_id)
    console = _console()
    console.print(question_panel(card, 1, 1))
    console.print(answer_panel(card))
    state = a.store.state(card_id)
    console.print(
        f"phase {state.phase} · reviews {state.reps} · lapses {state.lapses}"
        + (" · suspended" if state.suspended else ""),
        style="dim",
    )


def _suspend_event(ctx: typer.Context, card_id: str, kind: str) -> None:
    from .scheduler import study_day, to_ms
    from .store import LogEntry, new_uid

    a = _ctx(ctx)
    _card_or_fail(a, card_id)
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


# --------------------------------------------------------------------------- config


@config_app.command("show")
def config_show(ctx: typer.Context) -> None:
    """Every setting with its value; (default) marks ones not set in config.yaml."""
    a = _ctx(ctx)
    for key, value, is_default in a.config.items():
        shown = ",".join(value) if isinstance(value, list) else value
        mark = "  (default)" if is_default else ""
        typer.echo(f"{key} = {shown}{mark}")
    typer.echo(f"# file: {a.home / 'config.yaml'}")


@config_app.command("set")
def config_set(ctx: typer.Context, key: str, value: str) -> None:
    """Set KEY to VALUE, e.g. 'studycli config set new_per_day 20'."""
    from .config import save_config

    a = _ctx(ctx)
    parsed = a.config.set(key, value)
    save_config(a.config)
    _stamp_for_sync(a, key)
    typer.echo(f"{key} = {','.join(parsed) if isinstance(parsed, list) else parsed}")


@config_app.command("unset")
def config_unset(ctx: typer.Context, key: str) -> None:
    """Return KEY to its default."""
    from .config import save_config

    a = _ctx(ctx)
    a.config.unset(key)
    save_config(a.config)
    _stamp_for_sync(a, key)
    typer.echo(f"{key} reset to default")


def _stamp_for_sync(a: AppContext, key: str) -> None:
    """Note when a synced setting changed, so the newest change wins across machines (sync.py)."""
    from .sync import SYNCED_CONFIG_KEYS, stamp_changes

    if key in SYNCED_CONFIG_KEYS:
        stamp_changes(a.store, a.config, a.now())


# --------------------------------------------------------------------------- doctor


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
            help="List the backups; with NAME, restore that one (the current file is kept).",
        ),
    ] = False,
) -> None:
    """Check the database, its card-state cache and backups; explain and repair what is wrong."""
    from .config import DB_NAME
    from .doctor import examine, salvage, stale_states

    a = _ctx(ctx)
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
        _print_backups_short(check.backups)
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
    _print_backups_short(check.backups)
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


def _print_backups_short(backups: list[Any]) -> None:
    if backups:
        typer.echo(
            f"backups: {len(backups)}, newest {backups[0].name} ('studycli doctor --restore' lists them)"
        )
    else:
        typer.echo("backups: none yet (one is made each day before the first change)")


def _doctor_restore(a: AppContext, path: Path, name: str | None) -> None:
    import datetime as dt

    from .backup import list_backups, restore_backup

    if not name:
        backups = list_backups(path)
        if not backups:
            typer.echo("No backups yet: one is made each day before the first change.")
            return
        typer.echo(f"Backups in {backups[0].path.parent} (newest first):")
        for b in backups:
            last = ""
            if b.last_review_ms:
                last = ", last " + dt.datetime.fromtimestamp(
                    b.last_review_ms / 1000
                ).astimezone().strftime("%Y-%m-%d %H:%M")
            what = f"{b.reviews} reviews{last}" if b.reviews is not None else "unreadable"
            typer.echo(f"  {b.name}  {b.size // 1024} KB  {what}")
        typer.echo("Restore one with 'studycli doctor --restore NAME'.")
        return
    chosen, kept = restore_backup(path, name, a.now())
    if kept:
        typer.echo(f"kept the current database as {kept.name} (restore it the same way to go back)")
    store = a.store
    n = store.rebuild_states(a.scheduler)
    typer.echo(
        f"restored {chosen.name}: {store.review_count()} reviews; rebuilt the state of {n} cards"
    )


# Feature commands live in their own modules and register on `app` when imported.
# They import only typer at module level; their heavy work is imported inside each command.
from . import cli_grade, cli_plan, cli_render, cli_sync  # noqa: E402, F401

# Global options that take a value; the first other word on the command line names the command.
# (Were one missing here, its value would name no command, and all would be built: slower, not wrong.)
_GLOBAL_VALUE_OPTIONS = ("--home", "--content")


def _command_word(argv: list[str]) -> str | None:
    words = iter(argv)
    for word in words:
        if word in _GLOBAL_VALUE_OPTIONS:
            next(words, None)
        elif word == "--":
            return next(words, None)
        elif not word.startswith("-"):
            return word
    return None


@contextmanager
def _only_the_command(name: str | None) -> Iterator[None]:
    """Let typer build only the command being run.

    Typer turns every registered function into a click command before parsing (about 30 ms
    for all of ours, a tenth of a drill's start). When the command line names one exactly,
    the others are set aside meanwhile; help, a typo's suggestions and shell completion
    still see them all.
    """
    commands, groups = list(app.registered_commands), list(app.registered_groups)
    names = [
        c.name or (typer.main.get_command_name(c.callback.__name__) if c.callback else "")
        for c in commands
    ]
    completing = any(k.endswith("_COMPLETE") for k in os.environ)
    if name is not None and not completing:
        if name in names:
            app.registered_commands[:] = [commands[names.index(name)]]
            app.registered_groups[:] = []
        elif name in [g.name for g in groups]:
            app.registered_commands[:] = []
            app.registered_groups[:] = [g for g in groups if g.name == name]
    try:
        yield
    finally:
        app.registered_commands[:], app.registered_groups[:] = commands, groups


def main() -> None:
    try:
        with _only_the_command(_command_word(sys.argv[1:])):
            app()
    except ContentError as exc:  # raised before a command ran (e.g. in a callback)
        typer.echo(f"studycli: {exc.message}", err=True)
        sys.exit(exc.exit_code)
