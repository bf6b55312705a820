"""`cards list` as a table that fits the terminal (80 columns included) and keeps ids whole.

Ids are what a user copies into `cards show ID`, so an id is never cut: when one is
wider than its column, it gets a line of its own and the rest of its row follows on
the next line. The deck column gives way first (shortened with an ellipsis).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rich.text import Text

from studycli.study.card_list import CardRow

GAP = "  "
COLUMNS = ("id", "deck", "level", "phase", "due", "recall", "lapses")
RIGHT = {"recall", "lapses"}
MIN_DECK = 8
MIN_ID = 16


def due_label(due: dt.date | None, today: dt.date) -> str:
    if due is None:
        return "–"
    if due == today:
        return "today"
    if abs((due - today).days) < 300:
        return due.strftime("%d %b")
    return due.strftime("%b %Y")


def pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}"


def _cells(row: CardRow, today: dt.date) -> dict[str, str]:
    return {
        "id": row.id,
        "deck": row.card.deck,
        "level": row.card.level,
        "phase": "suspended" if row.state.suspended else row.phase,
        "due": due_label(row.due, today),
        "recall": pct(row.recall_now),
        "lapses": str(row.state.lapses),
    }


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def card_table(rows: Sequence[CardRow], today: dt.date, width: int) -> list[Text]:
    """The table's lines: a header, then one line per card (two for an id wider than its column)."""
    cells = [_cells(r, today) for r in rows]
    widths = {c: max([len(c), *(len(x[c]) for x in cells)]) for c in COLUMNS}
    fixed = sum(widths[c] for c in COLUMNS[2:]) + len(GAP) * (len(COLUMNS) - 1)
    room = max(MIN_ID + MIN_DECK, width - fixed)
    if widths["id"] + widths["deck"] > room:
        widths["deck"] = min(widths["deck"], max(MIN_DECK, room - widths["id"]))
        widths["id"] = max(MIN_ID, room - widths["deck"])

    def line(values: dict[str, str], style: str = "") -> Text:
        parts = []
        for c in COLUMNS:
            value = _fit(values[c], widths[c]) if c != "id" else values[c]
            parts.append(value.rjust(widths[c]) if c in RIGHT else value.ljust(widths[c]))
        return Text(GAP.join(parts).rstrip(), style=style)

    out = [line({c: c for c in COLUMNS}, style="bold")]
    for row, values in zip(rows, cells, strict=True):
        style = "dim" if row.state.suspended else ""
        if len(values["id"]) > widths["id"]:
            out.append(Text(values["id"], style=style))
            values = {**values, "id": ""}
        text = line(values, style)
        if row.leech:
            start = len(text.plain) - len(values["lapses"])
            text.stylize("bold red", start)
        out.append(text)
    return out
