"""How a grade looks in the terminal: the checklist with evidence, the suggestion, the cost.

Shared by the drill and `studycli grade`. Rendering only: rich, no prompts, no LiteLLM.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from studycli.grading.evidence import ECHO_NOTE
from studycli.grading.guard import INSTRUCTIONS_IGNORED
from studycli.grading.result import GradeResult
from studycli.tui.styles import MARKS, RATING_STYLE
from studycli.vocab import RATING_NAMES


def cost_text(result: GradeResult) -> str:
    if result.cached:
        return "cached: no charge"
    if not result.model:
        return "no call"
    tokens = f"{result.tokens_in:,} in / {result.tokens_out:,} out tokens"
    price = "cost unknown" if result.cost is None else f"${result.cost:.5f}"
    return f"{tokens} · {price}"


_GUARD_NOTES = (INSTRUCTIONS_IGNORED, ECHO_NOTE)


def guard_lines(result: GradeResult) -> list[Text]:
    """What the guard noticed (instructions to the grader, rubric echo), one line each."""
    return [
        Text(note[0].upper() + note[1:] + ".", style="bold yellow")
        for note in result.notes
        if note in _GUARD_NOTES
    ]


def grade_panel(result: GradeResult, red_flags: Sequence[str] = ()) -> Panel:
    """The checklist; `red_flags` (the card's) are listed for the candidate to check, since a
    red flag the grader leaves out cannot be seen by code."""
    parts: list[Any] = list(guard_lines(result))
    for n, point in enumerate(result.points, 1):
        mark, style = MARKS.get(point.status, ("?", "yellow"))
        line = Text(f"{mark} {n}. ", style=f"bold {style}")
        line.append(point.text)
        if point.status == "met" and point.evidence:
            line.append(f"\n     “{point.evidence}”", style="dim")
        elif point.status == "unverified":
            line.append(f"\n     marked met but not counted: {point.note}", style="yellow")
            if point.evidence:
                line.append(f" — “{point.evidence}”", style="dim")
        elif point.status == "unassessed":
            line.append(f"\n     {point.note} (counted as missed)", style="yellow")
        parts.append(line)
    for flag in result.flags:
        if flag.hit:
            line = Text("⚑ red flag: ", style="bold red")
            line.append(flag.text)
            if flag.evidence:
                line.append(f"\n     “{flag.evidence}”", style="dim")
        else:
            line = Text("⚑? red flag claimed but not counted: ", style="yellow")
            line.append(f"{flag.text} ({flag.note})")
        parts.append(line)
    if result.feedback:
        parts.append(Text("\n" + result.feedback))
    unreported = [t for t in red_flags if t not in {f.text for f in result.flags if f.hit}]
    if unreported:
        check = Text("Red flags to check yourself:", style="dim")
        for text in unreported:
            check.append(f"\n  ⚑ {text}", style="dim")
        parts.append(check)
    for note in result.notes:
        if note not in _GUARD_NOTES:
            parts.append(Text(f"note: {note}", style="dim"))
    if not result.model and not result.cached:
        parts.append(Text("Empty answer: graded without a model call.", style="dim"))
    suggested = result.suggested or 1
    title = (
        f"[bold]Grade[/] · {result.met_count}/{len(result.points)} key points · "
        f"suggests [{RATING_STYLE[suggested]}]{RATING_NAMES[suggested]}[/]"
    )
    subtitle = escape(" · ".join(x for x in (result.model or "", cost_text(result)) if x))
    return Panel(
        Group(*parts),
        title=title,
        title_align="left",
        subtitle=f"[dim]{subtitle}[/]",
        subtitle_align="right",
        border_style="magenta",
    )


def failure_line(result: GradeResult, repeated: bool = False) -> str:
    """One line for a grade that could not be made; shorter when the same problem repeats."""
    if repeated:
        return "[dim](grader unavailable: answer saved, grade pending)[/]"
    return (
        f"[yellow]Grading failed: {escape(result.error or 'unknown error')}.[/] "
        "Your answer is saved and its grade is pending ('studycli grade --pending'); "
        "rate it yourself."
    )


def grader_stats_lines(stats: dict[str, Any], model: str) -> list[str]:
    """The grader's lines in `studycli stats`: agreement, pending, spend; nothing if never used."""
    if not (stats["graded"] or stats["pending"] or model):
        return []
    agree, recent = stats["agreement"], stats["agreement_recent"]
    if agree["total"]:
        kept = f"{agree['agreed']}/{agree['total']}"
        agreement = f"you kept its suggestion {agree['rate']:.0%} of the time ({kept})"
        if recent["total"] < agree["total"]:
            agreement += f", last {recent['total']}: {recent['rate']:.0%}"
    else:
        agreement = "no graded answer rated yet"
    lines = [
        f"[bold]Grader[/]   {escape(model) or 'no model set'} · {stats['graded']} graded · "
        f"{stats['pending']} pending · {agreement}"
    ]
    today, total = stats["spend_today"], stats["spend_total"]
    unknown = total["unknown_price"]
    lines.append(
        f"[bold]Spend[/]    ${today['cost']:.4f} today · ${total['cost']:.4f} in total "
        f"({total['tokens_in']:,} tokens in, {total['tokens_out']:,} out"
        + (f"; {unknown} grade{'s' if unknown != 1 else ''} of unknown price)" if unknown else ")")
    )
    if stats["pending"]:
        lines.append("[dim]'studycli grade --pending' grades the pending answers.[/]")
    if stats["warning"]:
        lines.append(f"[yellow]Warning: {stats['warning']}.[/]")
    return lines
