"""The command line: parse options, call the core, print. Nothing below imports this."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import click
import typer
from typer.core import TyperGroup

from . import __version__
from .app import AppContext
from .content import LEVELS
from .errors import ContentError, StudyError, UsageError


class StudyGroup(TyperGroup):
    """Turns StudyError (and anything unexpected) into one clean line and an exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except StudyError as exc:
            if os.environ.get("STUDYCLI_DEBUG") == "1":
                raise
            _fail(exc.message, exc.exit_code)
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # noqa: BLE001 - the contract is one line, not a traceback
            if os.environ.get("STUDYCLI_DEBUG") == "1":
                raise
            _fail(f"unexpected error: {type(exc).__name__}: {exc} (set STUDYCLI_DEBUG=1 for details)", 1)
        finally:
            obj = ctx.obj
            if isinstance(obj, AppContext):
                obj.close()


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"studycli: {message}", err=True)
    raise typer.Exit(code)


app = typer.Typer(
    cls=StudyGroup,
    help="Drill AI-engineering interview questions and incident postmortems, with FSRS spaced repetition.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
decks_app = typer.Typer(help="List and validate decks.", no_args_is_help=True, rich_markup_mode=None)
config_app = typer.Typer(help="Show and change settings (config.yaml).", no_args_is_help=True, rich_markup_mode=None)
cards_app = typer.Typer(help="Look up, suspend and unsuspend cards.", no_args_is_help=True, rich_markup_mode=None)
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
        typer.Option("--home", metavar="DIR", help="Data folder holding studycli.db and config.yaml [env: STUDYCLI_HOME]."),
    ] = None,
    content: Annotated[
        list[Path] | None,
        typer.Option("--content", metavar="DIR", help="Extra deck/incident folder (repeatable) [env: STUDYCLI_CONTENT]."),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
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

    return Console(stderr=stderr, highlight=False)


def _check_filters(a: AppContext, decks: list[str], tags: list[str], levels: list[str]) -> None:
    cat = a.catalogue
    for d in decks:
        if d not in cat.decks:
            raise UsageError(f"--deck: no deck '{d}' (known: {', '.join(sorted(cat.decks))})")
    known_tags = cat.tags
    for t in tags:
        if t not in known_tags:
            raise UsageError(f"--tag: no card has tag '{t}' (see 'studycli decks list --tags')")
    for lv in levels:
        if lv not in LEVELS:
            raise UsageError(f"--level: must be one of {', '.join(LEVELS)} (got '{lv}')")


DeckOpt = Annotated[list[str] | None, typer.Option("--deck", "-d", help="Only this deck (repeatable).")]
TagOpt = Annotated[list[str] | None, typer.Option("--tag", "-t", help="Only cards with this tag (repeatable).")]
LevelOpt = Annotated[
    list[str] | None, typer.Option("--level", "-l", help="Only this level: junior, mid, senior, staff (repeatable).")
]


# --------------------------------------------------------------------------- drill


@app.command()
def drill(
    ctx: typer.Context,
    deck: DeckOpt = None,
    tag: TagOpt = None,
    level: LevelOpt = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="At most N cards this session.")] = None,
    new: Annotated[
        int | None, typer.Option("--new", min=0, help="Introduce N new cards now (overrides today's remaining limit).")
    ] = None,
) -> None:
    """Answer today's due and new cards one by one, then rate your recall (1-4)."""
    from .session import Drill, plan_day
    from .terminal import run_drill

    a = _ctx(ctx)
    decks, tags, levels = deck or [], tag or [], level or []
    _check_filters(a, decks, tags, levels)
    console = _console()
    now = a.now()
    cards = a.catalogue.select(decks, tags, levels)
    states = a.store.states()
    plan = plan_day(cards, states, a.scheduler, a.store, now, a.rollover_hour, a.limits, extra_new=new)
    queue = plan.queue[:limit] if limit else plan.queue
    if not queue:
        console.print(_nothing_due_message(plan, new))
        return
    console.print(
        f"[bold]studycli drill[/] · {len(plan.learning) + len(plan.due)} due · {len(plan.new)} new"
        + (f" · limited to {limit}" if limit and limit < len(plan.queue) else ""),
    )
    session = Drill(a.store, a.scheduler, a.catalogue, list(queue), rollover_hour=a.rollover_hour)
    reason = run_drill(session, console, a.now)
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

    from .session import plan_day

    a = _ctx(ctx)
    console = _console()
    now = a.now()
    states = a.store.states()
    cat = a.catalogue
    plan = plan_day(list(cat.cards.values()), states, a.scheduler, a.store, now, a.rollover_hour, a.limits)
    due_ids = set(plan.due) | set(plan.learning)
    new_ids = set(plan.new)
    table = Table(title=None, box=None, pad_edge=False)
    table.add_column("deck")
    table.add_column("due", justify="right")
    table.add_column("new today", justify="right")
    table.add_column("unseen", justify="right")
    table.add_column("cards", justify="right")
    for deck in sorted(cat.decks.values(), key=lambda d: d.id):
        ids = [c.id for c in cat.cards.values() if c.deck == deck.id]
        unseen = sum(1 for i in ids if i not in states or states[i].reps == 0)
        table.add_row(
            deck.id,
            str(sum(1 for i in ids if i in due_ids)),
            str(sum(1 for i in ids if i in new_ids)),
            str(unseen),
            str(len(ids)),
        )
    console.print(f"[bold]Today[/] · {now.date().isoformat()} · {len(due_ids)} due · {len(new_ids)} new")
    console.print(table)
    if due_ids or new_ids:
        console.print("Next: [bold]studycli drill[/]")
    else:
        console.print(_nothing_due_message(plan, None))


# --------------------------------------------------------------------------- stats


def stats_numbers(a: AppContext) -> dict[str, Any]:
    from .session import plan_day

    now = a.now()
    today_day = a.today()
    states = a.store.states()
    cards = list(a.catalogue.cards.values())
    plan = plan_day(cards, states, a.scheduler, a.store, now, a.rollover_hour, a.limits)
    seen = sum(1 for c in cards if c.id in states and states[c.id].reps > 0)
    passed, total = a.store.retention(today_day - 29)
    return {
        "date": now.date().isoformat(),
        "cards": {
            "total": len(cards),
            "seen": seen,
            "due": len(plan.due) + len(plan.learning),
            "new_today": len(plan.new),
            "suspended": plan.suspended,
        },
        "reviews": {"today": a.store.reviews_on(today_day), "total": a.store.review_count()},
        "retention_30d": {"passed": passed, "total": total, "rate": round(passed / total, 4) if total else None},
    }


@app.command()
def stats(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the numbers as JSON.")] = False,
) -> None:
    """Cards seen and due, reviews, and true retention over the last 30 days."""
    a = _ctx(ctx)
    numbers = stats_numbers(a)
    if as_json:
        typer.echo(json.dumps(numbers, indent=2))
        return
    console = _console()
    c, r, ret = numbers["cards"], numbers["reviews"], numbers["retention_30d"]
    console.print(f"[bold]Cards[/]    {c['seen']}/{c['total']} seen · {c['due']} due · {c['suspended']} suspended")
    console.print(f"[bold]Reviews[/]  {r['today']} today · {r['total']} in total")
    rate = f"{ret['rate']:.0%} of {ret['total']} reviews" if ret["rate"] is not None else "no reviews yet"
    console.print(f"[bold]Retention[/] (30 days) {rate}")


# --------------------------------------------------------------------------- decks


@decks_app.command("list")
def decks_list(
    ctx: typer.Context,
    show_tags: Annotated[bool, typer.Option("--tags", help="Also list every tag with its card count.")] = False,
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
    console.print(f"{len(cat.cards)} cards in {len(cat.decks)} decks · {len(cat.incidents)} incidents")
    if show_tags:
        tags = Counter(t for c in cat.cards.values() for t in c.tags)
        console.print(" ".join(f"{t}({n})" for t, n in sorted(tags.items())))


@decks_app.command("validate")
def decks_validate(
    ctx: typer.Context,
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders; default: all content.")] = None,
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
    typer.echo(f"OK: {len(cat.cards)} cards, {len(cat.decks)} decks, {len(cat.incidents)} incidents"
               + (f", roadmap of {len(cat.roadmap.days)} days" if cat.roadmap else ""))


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
    console.print(f"phase {state.phase} · reviews {state.reps} · lapses {state.lapses}"
                  + (" · suspended" if state.suspended else ""), style="dim")


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
    from .config import SETTINGS

    a = _ctx(ctx)
    for key, value, is_default in a.config.items():
        shown = ",".join(value) if isinstance(value, list) else value
        mark = "  (default)" if is_default else ""
        typer.echo(f"{key} = {shown}{mark}")
        _ = SETTINGS
    typer.echo(f"# file: {a.home / 'config.yaml'}")


@config_app.command("set")
def config_set(ctx: typer.Context, key: str, value: str) -> None:
    """Set KEY to VALUE, e.g. 'studycli config set new_per_day 20'."""
    from .config import save_config

    a = _ctx(ctx)
    parsed = a.config.set(key, value)
    save_config(a.config)
    typer.echo(f"{key} = {','.join(parsed) if isinstance(parsed, list) else parsed}")


@config_app.command("unset")
def config_unset(ctx: typer.Context, key: str) -> None:
    """Return KEY to its default."""
    from .config import save_config

    a = _ctx(ctx)
    a.config.unset(key)
    save_config(a.config)
    typer.echo(f"{key} reset to default")


# --------------------------------------------------------------------------- doctor


@app.command()
def doctor(
    ctx: typer.Context,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Recompute every card's state from the review log.")] = False,
) -> None:
    """Check the database and the card-state cache; --rebuild recomputes states from the log."""
    a = _ctx(ctx)
    store = a.store
    ok = store.conn.execute("PRAGMA quick_check").fetchone()[0]
    typer.echo(f"database: {store.path} ({'ok' if ok == 'ok' else ok})")
    typer.echo(f"reviews in log: {store.review_count()}")
    if rebuild:
        n = store.rebuild_states(a.scheduler)
        typer.echo(f"rebuilt the state of {n} cards from the review log")
        return
    current = store.states()
    stale = [cid for cid in current if a.scheduler.replay(cid, store.card_events(cid)) != current[cid]]
    if stale:
        typer.echo(f"{len(stale)} card state(s) differ from the review log; run 'studycli doctor --rebuild'")
        raise typer.Exit(1)
    typer.echo(f"card states: {len(current)} match the review log")


# Feature commands live in their own modules and register on `app` when imported.
# They import only typer at module level; their heavy work is imported inside each command.
from . import cli_grade, cli_plan, cli_render, cli_sync  # noqa: E402, F401


def main() -> None:
    try:
        app()
    except ContentError as exc:  # raised before a command ran (e.g. in a callback)
        click.echo(f"studycli: {exc.message}", err=True)
        sys.exit(exc.exit_code)
