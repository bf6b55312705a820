"""HTML writer: one self-contained file (inline CSS and SVG, no scripts, no network) for print."""

from __future__ import annotations

import re
from html import escape

from studycli.render.blocks import (
    CardBlock,
    Cell,
    Chart,
    Document,
    Heading,
    Paragraph,
    Table,
    split_label,
)

FONT_STACK = (
    'system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Roboto, Helvetica, Arial, sans-serif'
)
PAGE_SIZES = {"a4": "A4", "letter": "letter"}

CSS = """
:root { --ink: #24292f; --muted: #57606a; --accent: #1f5096; --rule: #d0d7de;
        --zebra: #f6f8fa; --head: #e2e8f0; }
* { box-sizing: border-box; }
body { font: 14px/1.45 FONTS; color: var(--ink); background: #fff;
       max-width: 1180px; margin: 0 auto; padding: 20px 24px 40px; }
header { border-bottom: 2px solid var(--accent); margin-bottom: 10px; padding-bottom: 6px; }
h1 { color: var(--accent); font-size: 26px; margin: 0; }
.meta { color: var(--muted); margin: 4px 0 0; }
.meta span + span::before { content: " · "; }
h2 { color: var(--accent); font-size: 18px; margin: 20px 0 6px; padding-bottom: 2px;
     border-bottom: 1px solid var(--accent); break-after: avoid; }
h3 { font-size: 14px; margin: 12px 0 4px; break-after: avoid; }
.card { margin: 0 0 9px; break-inside: avoid; }
.card h4 { font-size: 1em; margin: 0 0 2px; }
.card .note { font-weight: normal; color: var(--muted); }
.card ul, .card ol { margin: 0; padding-left: 1.35em; }
.card li::marker { color: var(--muted); }
p.muted { color: var(--muted); font-size: 0.92em; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 12px; font-size: 0.93em; }
th { background: var(--head); text-align: left; }
th, td { padding: 3px 6px; vertical-align: top; border-bottom: 1px solid var(--rule); }
tbody tr:nth-child(even) td { background: var(--zebra); }
td.r, th.r { text-align: right; font-variant-numeric: tabular-nums; }
td.b { font-weight: bold; }
td ul { margin: 0; padding-left: 1.1em; }
figure { margin: 6px 0 14px; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 0.9em; }
details { margin: 0 0 10px; }
summary { color: var(--muted); cursor: pointer; font-size: 0.9em; }
@media (min-width: 900px) { .cols-2 { columns: 2; column-gap: 28px; } }
@page { SIZE margin: 11mm 11mm 14mm;
  @bottom-left { content: "FOOTER_LEFT"; font: 7pt FONTS; color: #57606a; }
  @bottom-right { content: "FOOTER_RIGHT" counter(page) " of " counter(pages);
                  font: 7pt FONTS; color: #57606a; } }
@media print {
  body { font-size: 7.6pt; line-height: 1.28; max-width: none; padding: 0; }
  h1 { font-size: 16pt; } h2 { font-size: 10.5pt; margin: 8pt 0 3pt; }
  h3 { font-size: 8.8pt; margin: 6pt 0 2pt; }
  .cols-2 { columns: 2; column-gap: 6mm; }
  .card { margin-bottom: 4pt; }
  table { font-size: 6.9pt; margin: 2pt 0 6pt; } th, td { padding: 1.5pt 3pt; }
  thead { display: table-header-group; } tr { break-inside: avoid; }
  figure svg { max-width: 100%; }
  details { display: none; }
  a { color: inherit; text-decoration: none; }
}
"""

SVG_SCALE = 1.45  # SVG units are drawn a little larger than CSS pixels, up to the page width
_SIZE = re.compile(r'^<svg ([^>]*?)width="([\d.]+)" height="([\d.]+)"')


def scaled_svg(svg: str) -> str:
    return _SIZE.sub(
        lambda m: (
            f'<svg {m.group(1)}width="{float(m.group(2)) * SVG_SCALE:.0f}" '
            f'height="{float(m.group(3)) * SVG_SCALE:.0f}"'
        ),
        svg,
        count=1,
    )


def _inline(text: str) -> str:
    label, sep, rest = split_label(text)
    if label:
        return f"<b>{escape(label)}{' →' if sep == '→' else sep}</b> {escape(rest)}"
    return escape(text)


def _cell(cell: Cell) -> str:
    if isinstance(cell, list):
        if len(cell) == 1:
            return escape(cell[0])
        return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in cell) + "</ul>"
    return escape(cell)


def _table(block: Table) -> str:
    if not block.rows:
        return f'<p class="muted">{escape(block.empty)}</p>'
    cls = ' class="records"' if block.records else ""
    total = sum(block.widths or [])
    cols = ""
    if block.widths:
        cols = (
            "<colgroup>"
            + "".join(f'<col style="width:{100 * w / total:.1f}%">' for w in block.widths)
            + "</colgroup>"
        )
    head = "".join(
        f"<th{' class=r' if block.aligned(i) == 'r' else ''}>{escape(c)}</th>"
        for i, c in enumerate(block.columns)
    )
    body = []
    for row in block.rows:
        tds = []
        for i, cell in enumerate(row):
            classes = [
                c
                for c, on in (("r", block.aligned(i) == "r"), ("b", block.bold_first and i == 0))
                if on
            ]
            attr = f' class="{" ".join(classes)}"' if classes else ""
            tds.append(f"<td{attr}>{_cell(cell)}</td>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    return f"<table{cls}>{cols}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def render_html(doc: Document, paper: str | None = None) -> str:
    """The document as one HTML page; `paper` fixes the printed page size (else the printer's)."""
    parts: list[tuple[str, bool]] = []  # (html, spans the page instead of flowing in columns)
    title = doc.title
    blocks = doc.blocks
    for i, block in enumerate(blocks):
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        wide = (isinstance(block, Table) and block.records) or (
            isinstance(block, Heading) and isinstance(nxt, Table) and nxt.records
        )
        html = _block(block)
        parts.append((html, wide))
    body: list[str] = []
    run: list[str] = []
    for html, wide in parts:
        if wide or doc.columns == 1:
            if run:
                body.append('<div class="cols-2">' + "\n".join(run) + "</div>")
                run = []
            body.append(html)
        else:
            run.append(html)
    if run:
        body.append('<div class="cols-2">' + "\n".join(run) + "</div>")
    size = f"size: {PAGE_SIZES[paper]};" if paper else ""
    css = (
        CSS.replace("FONTS", FONT_STACK)
        .replace("SIZE", size)
        .replace("FOOTER_LEFT", _css_string(title.text))
        .replace(
            "FOOTER_RIGHT",
            _css_string(f"generated {doc.generated} · page " if doc.generated else "page "),
        )
    )
    meta = "".join(f"<span>{escape(m)}</span>" for m in title.meta)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="studycli">'
        f"<title>{escape(title.text)} · {escape(doc.generated)}</title>"
        f"<style>{css}</style></head>\n"
        f'<body><header><h1>{escape(title.text)}</h1><p class="meta">{meta}</p></header>\n'
        "<main>\n" + "\n".join(body) + "\n</main></body></html>\n"
    )


def _block(block: object) -> str:
    if isinstance(block, Heading):
        level = 2 if block.level <= 2 else 3
        return f"<h{level}>{escape(block.text)}</h{level}>"
    if isinstance(block, CardBlock):
        tag = "ol" if block.ordered else "ul"
        note = f' <span class="note">({escape(block.note)})</span>' if block.note else ""
        items = "".join(f"<li>{_inline(p)}</li>" for p in block.points)
        head = f"<h4>{escape(block.question)}{note}</h4>"
        return f'<section class="card">{head}<{tag}>{items}</{tag}></section>'
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Chart):
        numbers = ""
        if block.table is not None and block.table.rows:
            numbers = f"<details><summary>the numbers</summary>{_table(block.table)}</details>"
        return (
            f'<figure role="img" aria-label="{escape(block.alt)}">'
            f"{scaled_svg(block.svg(FONT_STACK))}"
            f"<figcaption>{escape(block.alt)}</figcaption></figure>{numbers}"
        )
    if isinstance(block, Paragraph):
        cls = ' class="muted"' if block.muted else ""
        return f"<p{cls}>{escape(block.text)}</p>"
    raise TypeError(f"cannot render {type(block).__name__} as HTML")  # pragma: no cover
