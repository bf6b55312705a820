"""The document model every output is built from: a title, headings, cards, tables, charts.

Cheat sheets and reports are first turned into a list of blocks; the Markdown,
HTML and PDF writers each render that one list, so the three formats carry the
same content and cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

Cell = str | list[str]  # a list renders as one item per line (a bullet list in HTML)


@dataclass
class Title:
    text: str
    meta: list[str] = field(default_factory=list)  # short facts shown under the title


@dataclass
class Heading:
    text: str
    level: int = 2  # 2 = section, 3 = sub-section


@dataclass
class Paragraph:
    text: str
    muted: bool = False


@dataclass
class CardBlock:
    """A question as a heading line and its key points."""

    question: str
    points: list[str]
    ordered: bool = False  # numbered steps (answer frameworks)
    note: str = ""  # e.g. "recall 42% · 3 lapses" on a weakest-cards sheet


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Cell]]
    widths: Sequence[float] | None = None  # relative column widths (PDF, HTML)
    align: str = ""  # one letter per column, "l" or "r"; default all left
    bold_first: bool = False  # the first column is a label or the figure itself
    records: bool = False  # too wide for a narrow column: the PDF shows each row as a record
    empty: str = "none"  # shown instead of a table without rows

    def aligned(self, i: int) -> str:
        return self.align[i] if i < len(self.align) else "l"


@dataclass
class Chart:
    """A chart drawn from data: `svg(font_family)` gives the SVG; `table` the same numbers."""

    svg: Callable[[str], str]
    alt: str
    table: Table | None = None


@dataclass
class Document:
    title: Title
    blocks: list[object]
    columns: int = 1  # the PDF and printed HTML flow in this many columns
    kind: str = "report"  # "cheatsheet" | "report": names the file and the footer
    generated: str = ""  # the generation date shown in every page's footer


ARROW = re.compile(r"\s*->\s*")


def pretty(text: str) -> str:
    """Typography for display: ASCII arrows become →, whitespace runs one space."""
    return " ".join(ARROW.sub(" → ", text).split())


def split_label(point: str) -> tuple[str, str, str]:
    """The lead-in a reader scans for, if any: (label, separator, rest).

    'KV cache → per session' -> ('KV cache', '→', 'per session');
    'Routing: classify, then send' -> ('Routing', ':', 'classify, then send');
    anything else -> ('', '', point).
    """
    head, sep, tail = point.partition(" → ")
    if sep and 0 < len(head) <= 48:
        return head, "→", tail
    head, sep, tail = point.partition(": ")
    if sep and 0 < len(head) <= 32 and len(head.split()) <= 4 and tail:
        return head, ":", tail
    return "", "", point
