"""Cards in the terminal: the question, the key points, the model answer, the rating keys.

A question and a key point are one paragraph each and are drawn as rich Text (no
Markdown parser, so the first question appears as fast as before); a model answer is
Markdown, drawn by rich's Markdown renderer with the parser of `content.markup`:
paragraphs reflow to the terminal, lists hang, code keeps its indentation and is
highlighted by Pygments, tables are tables. rich.markdown (and with it markdown-it
and Pygments) is imported only when an answer is drawn.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.console import Group
from rich.panel import Panel
from rich.text import Text

from studycli.content.model import shown_tags
from studycli.tui.styles import MARKS, RATING_STYLE
from studycli.vocab import RATING_NAMES

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table

    from studycli.content.model import Card
    from studycli.grading.result import GradeResult
    from studycli.scheduler import Outcome

CODE_THEME = "monokai"
INLINE = re.compile(r"`([^`]+)`|\*\*([^*]+)\*\*")


def inline(text: str, style: str = "") -> Text:
    """One paragraph of card text (a question, a key point): whitespace runs are one space,
    `code` and **bold** are styled."""
    flat = " ".join(text.split())
    out = Text(style=style)
    at = 0
    for m in INLINE.finditer(flat):
        out.append(flat[at : m.start()])
        if m.group(1) is not None:
            out.append(m.group(1), style="bold cyan")
        else:
            out.append(m.group(2), style="bold")
        at = m.end()
    out.append(flat[at:])
    return out


def markdown(text: str) -> RenderableType:
    """Card text (Markdown) as rich draws it."""
    from rich.markdown import Markdown

    from studycli.content.markup import parser

    md = Markdown("", code_theme=CODE_THEME, hyperlinks=False)
    md.markup = text
    md.parsed = parser().parse(text)  # raw HTML stays text, as in every other output
    return md


def warm_up() -> None:
    """Import and prime the Markdown renderer (markdown-it, Pygments and its regexes, about
    a quarter second) in the background, while the first answer is being typed."""
    import threading

    def prime() -> None:
        import io

        from rich.console import Console

        sample = "x `y`\n\n- z\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\n```python\ndef f(x):\n    return x\n```\n"
        Console(file=io.StringIO(), width=60).print(markdown(sample))

    threading.Thread(target=prime, name="studycli-markdown-warm-up", daemon=True).start()


def hanging(rows: Iterable[tuple[Text | str, Text]]) -> Table:
    """Marker and text side by side, so a wrapped line hangs under the text, not the marker."""
    from rich.table import Table  # not on the way to the first question: it costs ~12 ms

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for marker, text in rows:
        grid.add_row(marker, text)
    return grid


def id_in_title(title: str, card_id: str, width: int | None) -> tuple[str, str]:
    """(title, subtitle prefix): the card id ends the title when it fits on the top border
    of a `width`-column panel, else it starts the bottom one, so it is never cut."""
    plain = Text.from_markup(title).plain
    if width is None or len(plain) + len(card_id) + 9 <= width:
        return f"{title} · {card_id}", ""
    return title, card_id


def question_panel(card: Card, index: int, total: int, width: int | None = None) -> Panel:
    """The question; its title names the counter, deck, level and card id."""
    tags = " ".join(f"#{t}" for t in shown_tags(card.tags, card.deck))
    title, below = id_in_title(
        f"[bold]{index}/{total}[/] · {card.deck} · {card.level}", card.id, width
    )
    return Panel(
        inline(card.question, "bold"),
        title=title,
        title_align="left",
        subtitle=" · ".join(x for x in (below, tags) if x),
        subtitle_align="right",
        border_style="blue",
    )


def rubric_panel(card: Card, grade: GradeResult | None = None, *, evidence: bool = False) -> Panel:
    """The key points (with met/missed marks when graded) and the red flags, compact."""
    parts: list[RenderableType] = []
    if grade is None:
        parts.append(hanging((f"{i}.", inline(p)) for i, p in enumerate(card.key_points, 1)))
        title = f"[bold green]Key points[/] · {card.id}"
    else:
        from studycli.tui.grade_view import guard_lines

        parts += guard_lines(grade)
        parts.append(hanging(_graded_rows(grade, card.red_flags, evidence)))
        suggested = grade.suggested or 1
        title = (
            f"[bold]Grade[/] · {grade.met_count}/{len(grade.points)} key points · suggests "
            f"[{RATING_STYLE[suggested]}]{RATING_NAMES[suggested]}[/] · {card.id}"
        )
    if grade is None and card.red_flags:  # one row each under the points
        flags = (
            (Text("⚑", style="red"), Text("red flag: ", style="red") + inline(f))
            for f in card.red_flags
        )
        parts.append(hanging(flags))
    subtitle = None
    if grade is not None:
        from rich.markup import escape

        from studycli.tui.grade_view import cost_text

        if grade.feedback:
            parts.append(inline(grade.feedback, "italic"))
        subtitle = "[dim]" + escape(" · ".join(x for x in (grade.model, cost_text(grade)) if x))
    return Panel(
        Group(*parts),
        title=title,
        title_align="left",
        subtitle=subtitle,
        subtitle_align="right",
        border_style="magenta" if grade is not None else "green",
    )


def _graded_rows(
    grade: GradeResult, red_flags: Sequence[str], evidence: bool
) -> list[tuple[Text | str, Text]]:
    rows: list[tuple[Text | str, Text]] = []
    for n, point in enumerate(grade.points, 1):
        mark, style = MARKS.get(point.status, ("?", "yellow"))
        text = inline(point.text)
        if evidence and point.status == "met" and point.evidence:
            text.append(f"\n“{point.evidence}”", style="dim")
        elif point.status in ("unverified", "unassessed") and point.note:
            text.append(f" ({point.note})", style="yellow")
        rows.append((Text(f"{mark} {n}.", style=f"bold {style}"), text))
    claimed = {flag.text: flag for flag in grade.flags}
    for said in red_flags:  # each red flag of the card, and whether the answer raised it
        flag = claimed.get(said)
        if flag is not None and flag.hit:
            row = Text("red flag in your answer: ", style="bold red") + inline(said)
            if evidence and flag.evidence:
                row.append(f"\n“{flag.evidence}”", style="dim")
            rows.append((Text("⚑", style="bold red"), row))
        elif flag is not None:
            row = Text("red flag claimed, not counted: ", style="yellow") + inline(said)
            rows.append((Text("⚑", style="yellow"), row))
        else:
            row = Text("red flag, check yourself: ", style="dim") + inline(said)
            rows.append((Text("⚑", style="dim"), row))
    return rows


def model_answer(card: Card) -> RenderableType:
    """The model answer and the follow-up questions."""
    parts: list[RenderableType] = [markdown(card.answer.strip())]
    if card.follow_ups:
        parts.append(Text("\nFollow-ups", style="bold"))
        parts.append(hanging(("→", inline(q)) for q in card.follow_ups))
    if card.see:
        see = Text("\nSee also ", style="bold")
        see.append(", ".join(card.see), style="cyan")
        see.append(" (studycli cards show ID)", style="dim")
        parts.append(see)
    return Group(*parts)


def model_panel(body: RenderableType, note: str = "") -> Panel:
    return Panel(
        body,
        title="Model answer",
        title_align="left",
        subtitle=f"[dim]{note}[/]" if note else None,
        subtitle_align="right",
        border_style="green",
    )


def your_answer_panel(answer: str) -> Panel:
    """The candidate's own answer, as typed (line breaks and indentation kept)."""
    body = Text(answer, overflow="fold") if answer else Text("(no answer)", style="dim")
    return Panel(body, title="Your answer", title_align="left", border_style="blue")


def answer_panel(card: Card) -> Panel:
    """The model answer of a card, with its follow-ups and related cards, in full."""
    return model_panel(model_answer(card))


def card_view(card: Card, width: int | None = None) -> Sequence[RenderableType]:
    """A whole card, as `cards show` prints it at `width` columns."""
    return [question_panel(card, 1, 1, width), answer_panel(card), rubric_panel(card)]


def rating_prompt(
    outcomes: dict[int, Outcome],
    suggested: int | None = None,
    extra: Sequence[tuple[str, str]] = (),
    keys: Sequence[tuple[str, str]] = (),
) -> str:
    """The rating buttons (and any `extra` keys) on one line, the other keys with the question.

    Two rows at 80 columns, so nothing of it wraps away from what it explains."""
    buttons = []
    for rating, outcome in outcomes.items():
        mark = "▸" if rating == suggested else " "
        style = RATING_STYLE[rating]
        buttons.append(f"{mark}[{style}]{rating}[/] {RATING_NAMES[rating]} [dim]{outcome.label}[/]")
    more = "".join(f"   [bold]{key}[/] {label}" for key, label in extra)
    enter = f" (Enter = {suggested} {RATING_NAMES[suggested]})" if suggested else ""
    hint = " · ".join(f"{key} {label}" for key, label in keys)
    return "  ".join(buttons) + more + f"\n[dim]{hint}[/] · Rate your recall{enter}: "
