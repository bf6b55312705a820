"""The framework every command shares: the Typer app, its global options, the error-to-one-line
mapping, the console factory and the shared filter options. Imports no command module.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from studycli import __version__
from studycli.cli import complete
from studycli.cli.context import AppContext
from studycli.errors import StudyError, UsageError
from studycli.vocab import LEVELS


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
        except BrokenPipeError:
            _reader_gone()
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


def _reader_gone() -> NoReturn:
    """Whoever read the output has gone (`studycli doctor | head -1`): stop quietly, as other
    command-line tools do, rather than report an error nobody is there to read."""
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the final flush at exit must not fail again
    except OSError:
        pass
    raise typer.Exit(141)  # what a shell shows for a command ended by SIGPIPE


def _damage_found(obj: Any, exc: Exception) -> StudyError | None:
    """SQLite meeting a damaged page mid-command: keep the file aside first, then say so.

    Only when the database itself fails a quick check: damage met in another SQLite file
    (a cache) is not the history's."""
    import sqlite3

    from studycli.storage.faults import check_file, damaged_error, is_damage

    if not isinstance(exc, sqlite3.DatabaseError) or not is_damage(exc):
        return None
    if not isinstance(obj, AppContext) or "store" not in obj.__dict__:
        return None
    store = obj.store
    if check_file(store.conn, store.path) is None:
        return StudyError(
            f"a damaged file was read ({exc}), but the database {store.path} checks out; "
            f"delete {obj.home / 'cache'} to rebuild the content cache"
        )
    return damaged_error(store.path, str(exc))


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
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from studycli.content.version import content_version
        from studycli.storage.config import data_home

        typer.echo(f"studycli {__version__}")
        cache = data_home() / "cache"
        typer.echo(content_version(cache if cache.is_dir() else None))
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
    no_color: Annotated[
        bool,
        typer.Option("--no-color", help="No colours, in any screen [env: NO_COLOR]."),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Show the version of studycli and of its content, and exit.",
        ),
    ] = False,
) -> None:
    """Drill AI-engineering interview questions and incident postmortems, with FSRS spaced repetition."""
    if no_color:  # rich, prompt_toolkit and questionary all read NO_COLOR when they start
        os.environ["NO_COLOR"] = "1"
    ctx.obj = AppContext(home_option=home, content_dirs=list(content or []))


def app_context(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    assert isinstance(obj, AppContext)
    return obj


def check_filters(a: AppContext, decks: list[str], tags: list[str], levels: list[str]) -> None:
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
    typer.Option(
        "--deck",
        "-d",
        metavar="DECK",
        help="Only this deck (repeatable).",
        autocompletion=complete.deck_ids,
    ),
]

TagOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--tag",
        "-t",
        metavar="TAG",
        help="Only cards with this tag (repeatable).",
        autocompletion=complete.tags,
    ),
]

LevelOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--level",
        "-l",
        metavar="LEVEL",
        help="Only this level: junior, mid, senior, staff (repeatable).",
        autocompletion=complete.levels,
    ),
]


CardIdArg = Annotated[
    str, typer.Argument(metavar="CARD_ID", autocompletion=complete.card_ids, show_default=False)
]


def card_or_fail(a: AppContext, card_id: str):  # type: ignore[no-untyped-def]
    card = a.catalogue.cards.get(card_id)
    if card is None:
        raise UsageError(f"CARD_ID: no card '{card_id}' (see 'studycli decks list')")
    return card
