"""The terminal's look: the rating colours and the one way a console is made."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

RATING_STYLE = {1: "bold red", 2: "bold yellow", 3: "bold green", 4: "bold cyan"}


def make_console(stderr: bool = False) -> Console:
    """A console for studycli's output (rich is imported here, when something is printed)."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, emoji=False)  # ":name:" is never an emoji here
