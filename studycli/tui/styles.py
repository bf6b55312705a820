"""The terminal's look: the rating colours, the marks of a graded key point, and the one
way a console is made."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

RATING_STYLE = {1: "bold red", 2: "bold yellow", 3: "bold green", 4: "bold cyan"}
# How a graded key point is marked: met, missed, claimed without evidence, not assessed.
MARKS = {
    "met": ("✓", "green"),
    "missed": ("✗", "red"),
    "unverified": ("?", "yellow"),
    "unassessed": ("–", "yellow"),
}


def make_console(stderr: bool = False) -> Console:
    """A console for studycli's output (rich is imported here, when something is printed)."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, emoji=False)  # ":name:" is never an emoji here
