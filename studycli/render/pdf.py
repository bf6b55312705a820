"""PDF writer (fpdf2): lays out a Document in one or two columns for print.

fpdf2 is pure Python and draws text, lines and the SVG charts itself. Text uses
DejaVu Sans Condensed, shipped in `fonts/` and embedded (subset) in each PDF, so
→ × ≤ é “ ” print on any machine. The layout is done here rather than with
fpdf2's own tables so that a table can continue in the next column, repeating
its header, and a heading is never left alone at the foot of a column.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from studycli.render.blocks import (
    CardBlock,
    Cell,
    Chart,
    Document,
    Heading,
    Paragraph,
    Table,
    Title,
    split_label,
)

FONT = "dejavu"
FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILES = {"": "DejaVuSansCondensed.ttf", "B": "DejaVuSansCondensed-Bold.ttf"}
PAPERS = {"a4": "A4", "letter": "Letter"}
PT = 25.4 / 72  # millimetres per point
SVG_MM = 0.3  # millimetres per SVG unit (a little larger than 96 per inch), capped at the column

# Print sizes (points) chosen to stay readable on paper while keeping the sheet short.
BODY = 7.4
SMALL = 6.8
QUESTION = 7.7
H2 = 10.5
H3 = 8.8
INK = (36, 41, 47)
MUTED = (87, 96, 106)
ACCENT = (31, 80, 150)
RULE = (200, 204, 210)
ZEBRA = (244, 246, 248)
HEAD_FILL = (226, 232, 240)

Run = tuple[str, str]  # (text, "" regular | "B" bold)


@lru_cache(maxsize=1)
def covered_codepoints() -> frozenset[int]:
    """Every character the bundled font can draw (both weights share coverage closely)."""
    from fontTools.ttLib import TTFont

    with TTFont(FONT_DIR / FONT_FILES[""], lazy=True) as font:
        regular = set(font.getBestCmap())
    with TTFont(FONT_DIR / FONT_FILES["B"], lazy=True) as font:
        bold = set(font.getBestCmap())
    return frozenset(regular & bold)


def printable(text: str) -> str:
    """The text with tabs/newlines as spaces and characters the font lacks as '?'."""
    covered = covered_codepoints()
    out = []
    for ch in text:
        if ch in "\t\r\n":
            out.append(" ")
        elif ord(ch) < 32:
            continue
        elif ord(ch) in covered:
            out.append(ch)
        else:
            out.append("?")
    return "".join(out)


def _make_pdf(paper: str, footer_left: str, footer_right: str):  # type: ignore[no-untyped-def]
    from fpdf import FPDF

    class Pages(FPDF):
        def footer(self) -> None:
            self.set_y(-9)
            self.set_font(FONT, "", 6.5)
            self.set_text_color(*MUTED)
            self.cell(0, 4, footer_left, align="L")
            self.set_x(self.l_margin)
            self.cell(0, 4, f"{footer_right} · page {self.page_no()} of {{nb}}", align="R")

    pdf = Pages(orientation="portrait", unit="mm", format=PAPERS[paper])
    for style, name in FONT_FILES.items():
        pdf.add_font(FONT, style, str(FONT_DIR / name))
    pdf.set_margins(11, 11, 11)
    pdf.set_auto_page_break(False, margin=13)
    pdf.alias_nb_pages()
    return pdf


@dataclass
class _Line:
    runs: list[Run]
    width: float
    indent: float = 0.0  # continuation lines of a bullet inside a table cell


class Flow:
    """Places blocks top to bottom, column after column, page after page."""

    def __init__(self, pdf, columns: int, gutter: float = 6.0) -> None:  # type: ignore[no-untyped-def]
        self.pdf = pdf
        self.columns = columns
        self.gutter = gutter
        self.col_w = (pdf.epw - gutter * (columns - 1)) / columns
        self.bottom = pdf.h - 13
        self.col = 0
        self.top = pdf.t_margin
        self.y = self.top
        self._font: tuple[str, float] | None = None
        self._widths: dict[tuple[str, str, float], float] = {}

    # -- geometry -------------------------------------------------------------------

    @property
    def x0(self) -> float:
        return float(self.pdf.l_margin + self.col * (self.col_w + self.gutter))

    def at_top(self) -> bool:
        return self.y <= self.top + 0.01

    def next_column(self) -> None:
        if self.col + 1 < self.columns:
            self.col += 1
        else:
            self.pdf.add_page()
            self.col = 0
            self.top = self.pdf.t_margin
        self.y = self.top

    def ensure(self, height: float) -> None:
        """Move on to the next column unless `height` fits below the current position."""
        if self.y + height > self.bottom and not self.at_top():
            self.next_column()

    def space(self, height: float) -> None:
        if not self.at_top():
            self.y += height

    # -- text -------------------------------------------------------------------------

    def font(self, style: str, size: float) -> None:
        if self._font != (style, size):
            self.pdf.set_font(FONT, style, size)
            self._font = (style, size)

    def width(self, text: str, style: str, size: float) -> float:
        key = (text, style, size)
        if key not in self._widths:
            self.font(style, size)
            self._widths[key] = float(self.pdf.get_string_width(text))
        return self._widths[key]

    def wrap(self, runs: list[Run], width: float, size: float) -> list[_Line]:
        """Greedy word wrap of styled runs; a word longer than a line is cut."""
        words: list[tuple[str, str]] = []
        for text, style in runs:
            for word in printable(text).split(" "):
                if word:
                    words.append((word, style))
        lines: list[_Line] = []
        current: list[Run] = []
        used = 0.0
        for word, style in words:
            w = self.width(word, style, size)
            space = self.width(" ", style, size) if current else 0.0
            if current and used + space + w > width:
                lines.append(_Line(current, used))
                current, used, space = [], 0.0, 0.0
            while w > width and len(word) > 1:  # a URL or a very long token
                cut = len(word)
                while cut > 1 and self.width(word[:cut], style, size) > width - used:
                    cut -= 1
                soft = max(word.rfind(ch, 0, cut) for ch in "/-_.,;:")
                if soft >= cut // 3:  # break after a slash or hyphen rather than mid-word
                    cut = soft + 1
                current.append((word[:cut], style))
                lines.append(_Line(current, used + self.width(word[:cut], style, size)))
                current, used = [], 0.0
                word = word[cut:]
                w = self.width(word, style, size)
            if current and current[-1][1] == style:
                current[-1] = (current[-1][0] + " " + word, style)
            else:
                current.append(((" " if current else "") + word, style))
            used += space + w
        if current:
            lines.append(_Line(current, used))
        return lines or [_Line([], 0.0)]

    def cell_lines(self, cell: Cell, width: float, size: float, bold: bool = False) -> list[_Line]:
        """A table cell's lines; a list becomes bullets with hanging indents."""
        if not isinstance(cell, list):
            return self.wrap([(cell, "B" if bold else "")], width, size)
        if len(cell) == 1:
            return self.wrap([(cell[0], "")], width, size)
        hang = self.width("• ", "", size)
        out: list[_Line] = []
        for item in cell:
            lines = self.wrap([(item, "")], width - hang, size)
            out.append(_Line([("•", "")], 0.0, 0.0))
            first = lines[0]
            out[-1] = _Line([("• ", "")] + first.runs, first.width + hang)
            out += [_Line(line.runs, line.width, hang) for line in lines[1:]]
        return out

    def draw_line(
        self,
        line: _Line,
        x: float,
        y: float,
        size: float,
        colour=INK,
        align: str = "l",
        width: float = 0,
    ) -> None:  # type: ignore[no-untyped-def]
        x += line.indent
        if align == "r":
            x += width - line.width
        self.pdf.set_text_color(*colour)
        baseline = y + size * PT * 0.92
        for text, style in line.runs:
            self.font(style, size)
            self.pdf.text(x, baseline, text)
            x += self.width(text, style, size)

    def paragraph(
        self,
        runs: list[Run],
        size: float = BODY,
        *,
        indent: float = 0.0,
        bullet: str = "",
        colour=INK,  # type: ignore[no-untyped-def]
        leading: float = 1.22,
        keep: float = 0.0,
    ) -> None:
        """Wrapped text, continued in the next column if need be; `keep` stays with line 1."""
        lh = size * PT * leading
        lines = self.wrap(runs, self.col_w - indent, size)
        self.ensure(lh * min(2, len(lines)) + keep)
        for i, line in enumerate(lines):
            self.ensure(lh)
            if i == 0 and bullet:
                self.pdf.set_text_color(*MUTED)
                self.font("", size)
                self.pdf.text(
                    self.x0 + indent - self.width(bullet, "", size) - 1.0,
                    self.y + size * PT * 0.92,
                    bullet,
                )
            self.draw_line(line, self.x0 + indent, self.y, size, colour)
            self.y += lh

    # -- blocks -----------------------------------------------------------------------

    def title(self, block: Title) -> None:
        """Full width across the first page; the columns start below it."""
        pdf = self.pdf
        x, w = pdf.l_margin, pdf.epw
        self.font("B", 15)
        pdf.set_text_color(*ACCENT)
        pdf.text(x, self.y + 15 * PT * 0.92, printable(block.text))
        self.y += 15 * PT * 1.3
        meta = "  ·  ".join(block.meta)
        saved_w, saved_col = self.col_w, self.col
        self.col_w, self.col = w, 0
        self.paragraph([(meta, "")], 8, colour=MUTED)
        self.col_w, self.col = saved_w, saved_col
        self.y += 1.2
        pdf.set_draw_color(*ACCENT)
        pdf.set_line_width(0.5)
        pdf.line(x, self.y, x + w, self.y)
        self.y += 3.5
        self.top = self.y

    def lead_height(self, block: object) -> float:
        """Height of the start of a block, which the heading before it must stay with."""
        line = BODY * PT * 1.22
        if isinstance(block, Chart):
            width, height = _svg_size(block.svg(FONT))
            w = min(self.col_w, width * SVG_MM)
            return w * height / width + 3
        if isinstance(block, Table):
            return 4 * SMALL * PT * 1.2 + 6 if block.rows else 2 * line
        if isinstance(block, CardBlock):
            return 4 * line
        if isinstance(block, Heading):
            return 2 * H3 * PT * 1.25 + 4 * line
        return 2 * line

    def heading(self, block: Heading, following: object = None) -> None:
        size = H2 if block.level <= 2 else H3
        lh = size * PT * 1.25
        self.space(3.2 if block.level <= 2 else 1.8)
        lines = self.wrap([(block.text, "B")], self.col_w, size)
        # Keep the heading with the start of what follows it.
        self.ensure(lh * len(lines) + 2 + self.lead_height(following))
        colour = ACCENT if block.level <= 2 else INK
        for line in lines:
            self.draw_line(line, self.x0, self.y, size, colour)
            self.y += lh
        if block.level <= 2:
            self.pdf.set_draw_color(*ACCENT)
            self.pdf.set_line_width(0.3)
            self.pdf.line(self.x0, self.y, self.x0 + self.col_w, self.y)
            self.y += 1.4
        else:
            self.y += 0.4

    def card(self, block: CardBlock) -> None:
        self.space(1.1)
        lh = BODY * PT * 1.22
        runs: list[Run] = [(block.question, "B")]
        if block.note:
            runs.append((f"  ({block.note})", ""))
        self.paragraph(runs, QUESTION, keep=lh * 1.5, leading=1.18)
        self.y += 0.3
        for i, point in enumerate(block.points, 1):
            label, sep, rest = split_label(point)
            lead = label + (" → " if sep == "→" else sep + " ")
            body: list[Run] = [(lead, "B"), (rest, "")] if label else [(point, "")]
            bullet = f"{i}." if block.ordered else "•"
            self.paragraph(body, BODY, indent=3.2, bullet=bullet)

    def text(self, block: Paragraph) -> None:
        self.space(1.0)
        self.paragraph(
            [(block.text, "")], SMALL if block.muted else BODY, colour=MUTED if block.muted else INK
        )

    def chart(self, block: Chart) -> None:
        svg = block.svg(FONT)
        width, height = _svg_size(svg)
        w = min(self.col_w, width * SVG_MM)
        h = w * height / width
        self.space(1.5)
        self.ensure(h)
        self.pdf.image(io.BytesIO(svg.encode("utf-8")), x=self.x0, y=self.y, w=w, h=h)
        self.y += h + 1.5

    def table(self, block: Table) -> None:
        self.space(1.5)
        if not block.rows:
            self.paragraph([(block.empty, "")], SMALL, colour=MUTED)
            return
        if block.records and self.col_w < 120:
            self._records(block)
            return
        total = sum(block.widths or [1.0] * len(block.columns))
        widths = [self.col_w * w / total for w in (block.widths or [1.0] * len(block.columns))]
        size, pad = SMALL, 0.9
        lh = size * PT * 1.2
        header = [
            self.wrap([(c, "B")], w - 2 * pad, size)
            for c, w in zip(block.columns, widths, strict=True)
        ]
        header_h = max(len(c) for c in header) * lh + 2 * pad

        def draw_cells(columns: list[list[Any]], take: int) -> None:
            """The first `take` wrapped lines of each column, side by side at the current y."""
            x = self.x0
            for i, (lines, w) in enumerate(zip(columns, widths, strict=True)):
                for k, line in enumerate(lines[:take]):
                    self.draw_line(
                        line,
                        x + pad,
                        self.y + pad + k * lh,
                        size,
                        INK,
                        block.aligned(i),
                        w - 2 * pad,
                    )
                x += w

        def draw_header() -> None:
            self.pdf.set_fill_color(*HEAD_FILL)
            self.pdf.rect(self.x0, self.y, self.col_w, header_h, style="F")
            draw_cells(header, len(max(header, key=len)))
            self.y += header_h

        self.ensure(header_h + lh * 2 + 2 * pad)
        draw_header()
        for r, row in enumerate(block.rows):
            cells = [
                self.cell_lines(cell, w - 2 * pad, size, bold=block.bold_first and i == 0)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            ]
            remaining = [list(c) for c in cells]
            while any(remaining):
                room = int((self.bottom - self.y - 2 * pad) // lh)
                need = max(len(c) for c in remaining)
                if room < min(need, 3):
                    self.next_column()
                    draw_header()
                    continue
                take = min(need, room)
                height = take * lh + 2 * pad
                if r % 2:
                    self.pdf.set_fill_color(*ZEBRA)
                    self.pdf.rect(self.x0, self.y, self.col_w, height, style="F")
                draw_cells(remaining, take)
                remaining = [lines[take:] for lines in remaining]
                self.y += height
                self.pdf.set_draw_color(*RULE)
                self.pdf.set_line_width(0.15)
                self.pdf.line(self.x0, self.y, self.x0 + self.col_w, self.y)
        self.y += 1.0

    def _records(self, block: Table) -> None:
        """A wide table in a narrow column: each row as a small two-column table of its own."""
        size, pad = SMALL, 0.9
        lh = size * PT * 1.2
        label_w = 17.0
        for row in block.rows:
            title = " · ".join(_flat(c) for c in row[:2])
            fields = list(zip(block.columns[2:], row[2:], strict=False))
            head_lines = self.wrap([(title, "B")], self.col_w - 2 * pad, size + 0.4)
            head_h = len(head_lines) * lh + 2 * pad
            self.ensure(head_h + 3 * lh + 2 * pad)
            self.pdf.set_fill_color(*HEAD_FILL)
            self.pdf.rect(self.x0, self.y, self.col_w, head_h, style="F")
            for k, line in enumerate(head_lines):
                self.draw_line(line, self.x0 + pad, self.y + pad + k * lh, size + 0.4)
            self.y += head_h
            for f, (label, cell) in enumerate(fields):
                value_lines = self.cell_lines(cell, self.col_w - label_w - 2 * pad, size)
                label_lines = self.wrap([(label, "B")], label_w - 2 * pad, size)
                remaining = value_lines
                first = True
                while remaining:
                    room = int((self.bottom - self.y - 2 * pad) // lh)
                    if room < min(len(remaining), 2):
                        self.next_column()
                        continue
                    take = min(len(remaining), room)
                    height = max(take, len(label_lines) if first else 0) * lh + 2 * pad
                    if f % 2:
                        self.pdf.set_fill_color(*ZEBRA)
                        self.pdf.rect(self.x0, self.y, self.col_w, height, style="F")
                    if first:
                        for k, line in enumerate(label_lines):
                            self.draw_line(line, self.x0 + pad, self.y + pad + k * lh, size, MUTED)
                    for k, line in enumerate(remaining[:take]):
                        self.draw_line(line, self.x0 + label_w + pad, self.y + pad + k * lh, size)
                    remaining = remaining[take:]
                    first = False
                    self.y += height
            self.pdf.set_draw_color(*RULE)
            self.pdf.set_line_width(0.15)
            self.pdf.line(self.x0, self.y, self.x0 + self.col_w, self.y)
            self.y += 2.5


def _flat(cell: Cell) -> str:
    return "; ".join(cell) if isinstance(cell, list) else cell


def _svg_size(svg: str) -> tuple[float, float]:
    import re

    m = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    if not m:
        return 400.0, 150.0
    return float(m.group(1)), float(m.group(2))


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


def render_pdf(
    doc: Document, paper: str = "a4", generated: dt.datetime | None = None
) -> RenderedPdf:
    """The document as a PDF on A4 or Letter paper."""
    footer_left = doc.title.text
    footer_right = f"generated {doc.generated}" if doc.generated else ""
    pdf = _make_pdf(paper, printable(footer_left), printable(footer_right))
    pdf.set_title(doc.title.text)
    pdf.set_creator("studycli")
    pdf.set_lang("en")
    if generated is not None:
        pdf.set_creation_date(generated)
    pdf.add_page()
    flow = Flow(pdf, doc.columns)
    flow.title(doc.title)
    for i, block in enumerate(doc.blocks):
        if isinstance(block, Heading):
            flow.heading(block, doc.blocks[i + 1] if i + 1 < len(doc.blocks) else None)
        elif isinstance(block, CardBlock):
            flow.card(block)
        elif isinstance(block, Table):
            flow.table(block)
        elif isinstance(block, Chart):
            flow.chart(block)
        elif isinstance(block, Paragraph):
            flow.text(block)
        else:  # pragma: no cover - a new block type must be taught to every writer
            raise TypeError(f"cannot render {type(block).__name__} as PDF")
    data = bytes(pdf.output())
    return RenderedPdf(data, pdf.pages_count)
