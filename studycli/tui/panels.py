"""A card on screen: the question panel, the answer panel and the rating prompt."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.panel import Panel
from rich.text import Text

from studycli.content.model import Card, shown_tags
from studycli.scheduler import Outcome
from studycli.tui.styles import RATING_STYLE
from studycli.vocab import RATING_NAMES

if TYPE_CHECKING:
    pass


def question_panel(card: Card, index: int, total: int) -> Panel:
    tags = " ".join(f"#{t}" for t in shown_tags(card.tags, card.deck))
    title = f"[bold]{index}/{total}[/] · {card.deck} · {card.level}"
    body = Text(card.question, style="bold")
    return Panel(
        body,
        title=title,
        title_align="left",
        subtitle=tags,
        subtitle_align="right",
        border_style="blue",
    )


def answer_panel(card: Card) -> Panel:
    parts: list[Text] = [Text(card.answer.strip())]
    points = Text("\nKey points\n", style="bold green")
    for i, point in enumerate(card.key_points, 1):
        points.append(f"  {i}. {point}\n", style="")
    parts.append(points)
    if card.red_flags:
        flags = Text("Red flags\n", style="bold red")
        for flag in card.red_flags:
            flags.append(f"  ✗ {flag}\n", style="")
        parts.append(flags)
    if card.follow_ups:
        fu = Text("Follow-ups\n", style="bold")
        for q in card.follow_ups:
            fu.append(f"  → {q}\n", style="")
        parts.append(fu)
    if card.see:
        see = Text("See also ", style="bold")
        see.append(", ".join(card.see), style="cyan")
        see.append("  (studycli cards show ID)", style="dim")
        parts.append(see)
    return Panel(Group(*parts), title="Model answer", title_align="left", border_style="green")


def rating_prompt(outcomes: dict[int, Outcome], suggested: int | None = None) -> str:
    buttons = []
    for rating, outcome in outcomes.items():
        mark = "▸" if rating == suggested else " "
        style = RATING_STYLE[rating]
        buttons.append(f"{mark}[{style}]{rating}[/] {RATING_NAMES[rating]} [dim]{outcome.label}[/]")
    extra = "[dim]s skip · x suspend · u undo last · q quit[/]"
    # On the question line, so the hint never wraps away from the buttons it explains.
    enter = f" (Enter = {suggested} {RATING_NAMES[suggested]})" if suggested else ""
    return "  ".join(buttons) + f"   {extra}\nRate your recall{enter}: "
