"""The console script's start: a table of command name -> module, so a start imports only
the command it runs (the way pip's `commands_dict` works).

Each command module registers its commands on `base.app` when imported and imports only
typer at module level; its heavy work is imported inside each command. `--help`, a typo
(whose suggestions need every name) and shell completion import them all, in the order
of the table, which is the order `--help` lists them in.
"""

from __future__ import annotations

import importlib
import os
import sys

import typer

from studycli.errors import ContentError

# command word -> module in studycli.cli; modules in the order `--help` lists them
COMMANDS: dict[str, str] = {
    "init": "init",
    "drill": "drill",
    "today": "today",
    "stats": "stats",
    "doctor": "doctor",
    "grade": "grade",
    "mock": "mock",
    "cheatsheet": "render",
    "report": "render",
    "optimize": "optimize",
    "decks": "decks",
    "config": "config",
    "cards": "cards",
    "roadmap": "roadmap",
    "kata": "kata",
    "export": "sync",
    "import": "sync",
}

# Global options that take a value; the first other word on the command line names the command.
# (Were one missing here, its value would name no command, and all would be imported: slower, not wrong.)
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


def load_commands(word: str | None) -> typer.Typer:
    """The app with the command `word` names registered, or every command if it names none."""
    completing = any(k.endswith("_COMPLETE") for k in os.environ)
    module = None if completing else COMMANDS.get(word or "")
    for name in [module] if module else dict.fromkeys(COMMANDS.values()):
        importlib.import_module(f"studycli.cli.{name}")
    from studycli.cli.base import app

    return app


def main() -> None:
    try:
        load_commands(_command_word(sys.argv[1:]))()
    except ContentError as exc:  # raised before a command ran (e.g. in a callback)
        typer.echo(f"studycli: {exc.message}", err=True)
        sys.exit(exc.exit_code)
