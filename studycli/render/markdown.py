"""Markdown writer: plain CommonMark with pipe tables, readable raw and in any viewer."""

from __future__ import annotations

import re

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

_UNDERSCORE = re.compile(r"(?<!\w)_|_(?!\w)")
_TAG = re.compile(r"<(?=[A-Za-z/!?])")


def md_text(text: str) -> str:
    """Escape what would turn into emphasis, code or HTML; intraword underscores stay as written."""
    text = text.replace("\\", "\\\\").replace("*", "\\*").replace("`", "\\`")
    text = _UNDERSCORE.sub(r"\\_", text)
    text = _TAG.sub("&lt;", text)
    if text[:1] in ("#", ">", "+", "-", "="):
        text = "\\" + text
    return text


def _cell(cell: Cell) -> str:
    text = " • ".join(cell) if isinstance(cell, list) else cell
    return md_text(text).replace("|", "\\|")


def _point(point: str) -> str:
    label, sep, rest = split_label(point)
    if label:
        return f"**{md_text(label)}{' →' if sep == '→' else sep}** {md_text(rest)}"
    return md_text(point)


def md_table(block: Table) -> str:
    if not block.rows:
        return f"_{md_text(block.empty)}_"
    head = "| " + " | ".join(md_text(c) for c in block.columns) + " |"
    rule = (
        "|"
        + "|".join("---:" if block.aligned(i) == "r" else "---" for i in range(len(block.columns)))
        + "|"
    )
    rows = []
    for row in block.rows:
        cells = [_cell(c) for c in row]
        if block.bold_first and cells and cells[0]:
            cells[0] = f"**{cells[0]}**"
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join([head, rule, *rows])


def render_markdown(doc: Document) -> str:
    out = [f"# {md_text(doc.title.text)}", "", " · ".join(md_text(m) for m in doc.title.meta), ""]
    for block in doc.blocks:
        if isinstance(block, Heading):
            out += ["#" * max(2, min(block.level, 3)) + " " + md_text(block.text), ""]
        elif isinstance(block, CardBlock):
            note = f" _({md_text(block.note)})_" if block.note else ""
            out += [f"#### {md_text(block.question)}{note}", ""]
            for i, point in enumerate(block.points, 1):
                out.append(f"{i}. {_point(point)}" if block.ordered else f"- {_point(point)}")
            out.append("")
        elif isinstance(block, Table):
            out += [md_table(block), ""]
        elif isinstance(block, Chart):
            out += [f"_{md_text(block.alt)}_", ""]
            if block.table is not None:
                out += [md_table(block.table), ""]
        elif isinstance(block, Paragraph):
            out += [f"_{md_text(block.text)}_" if block.muted else md_text(block.text), ""]
        else:  # pragma: no cover
            raise TypeError(f"cannot render {type(block).__name__} as Markdown")
    return "\n".join(out).rstrip() + "\n"
