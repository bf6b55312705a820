"""Charts as SVG text, drawn from plain numbers: one drawing for HTML (inline) and PDF (fpdf2).

Each function takes the font family to name in <text> elements, because the
HTML page uses the reader's fonts while the PDF uses the font it embeds.
Sizes are in SVG user units; the writers scale the picture to the page.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from xml.sax.saxutils import escape

HEAT = ("#ebedf0", "#c6e48b", "#7bc96f", "#239a3b", "#196127")
BLUE = "#2f6db5"
GREEN = "#239a3b"
LIGHT_GREEN = "#9fd89a"
GREY = "#c8ccd2"
DARK = "#24292f"
MUTED = "#57606a"
RED = "#cf222e"


def _svg(width: float, height: float, body: list[str], font: str) -> str:
    w, h = round(width), round(height)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        f'font-family="{escape(font)}" font-size="10">' + "".join(body) + "</svg>"
    )


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    size: float = 10,
    fill: str = MUTED,
    bold: bool = False,
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" '
        f'text-anchor="{anchor}"{weight}>{escape(text)}</text>'
    )


def _rect(x: float, y: float, w: float, h: float, fill: str, stroke: str = "") -> str:
    edge = f' stroke="{stroke}" stroke-width="1.2"' if stroke else ""
    size = f'width="{max(w, 0):.1f}" height="{max(h, 0):.1f}"'
    return f'<rect x="{x:.1f}" y="{y:.1f}" {size} fill="{fill}"{edge}/>'


def _line(
    x1: float, y1: float, x2: float, y2: float, stroke: str = GREY, dash: bool = False
) -> str:
    d = ' stroke-dasharray="4 3"' if dash else ""
    ends = f'x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"'
    return f'<line {ends} stroke="{stroke}" stroke-width="1"{d}/>'


def heat_level(n: int, top: int) -> int:
    """0 for no reviews, else 1-4 by quarter of the busiest day in view."""
    if n <= 0 or top <= 0:
        return 0
    return min(4, 1 + (4 * (n - 1)) // top)


def heatmap_svg(
    counts: dict[dt.date, int], first: dt.date, last: dt.date, today: dt.date, font: str
) -> str:
    """A calendar heatmap: one column per week (Monday on top), one cell per day."""
    start = first - dt.timedelta(days=first.weekday())
    weeks = (last - start).days // 7 + 1
    cell, pitch, left, top = 11, 13, 30, 16
    top_n = max((n for d, n in counts.items() if first <= d <= last), default=0)
    body: list[str] = []
    # Month names over the week holding the 1st; the first column is named only if there is room.
    labels: list[tuple[int, str]] = []
    for w in range(weeks):
        monday = start + dt.timedelta(days=7 * w)
        firsts = [monday + dt.timedelta(days=i) for i in range(7)]
        named = next((d for d in firsts if d.day == 1), monday if w == 0 else None)
        if named is not None:
            labels.append((w, named.strftime("%b")))
    shown: list[tuple[int, str]] = []
    for w, name in labels:
        if not shown or w - shown[-1][0] >= 3:
            shown.append((w, name))
        elif shown and shown[-1][0] == 0 and w - shown[-1][0] < 3:
            shown[-1] = (w, name)  # the partial first month gives way to the next one
    for w, name in shown:
        body.append(_text(left + w * pitch, 11, name, size=9))
    for w in range(weeks):
        monday = start + dt.timedelta(days=7 * w)
        for i in range(7):
            day = monday + dt.timedelta(days=i)
            if day < first or day > last:
                continue
            n = counts.get(day, 0)
            x, y = left + w * pitch, top + i * pitch
            stroke = DARK if day == today else ""
            body.append(_rect(x, y, cell, cell, HEAT[heat_level(n, top_n)], stroke))
    for i, name in ((0, "Mon"), (2, "Wed"), (4, "Fri"), (6, "Sun")):
        body.append(_text(left - 5, top + i * pitch + 9, name, anchor="end", size=8.5))
    height = top + 7 * pitch + 20
    total = sum(n for d, n in counts.items() if first <= d <= last)
    days = sum(1 for d, n in counts.items() if first <= d <= last and n > 0)
    summary = f"{total} reviews on {days} days · busiest day {top_n}"
    legend_w = 5 * pitch + 62
    # room for a month named over the last column
    width = max(left + weeks * pitch + 12, left + 5.2 * len(summary) + 16 + legend_w)
    body.append(_text(left, height - 5, summary, size=9))
    lx = width - 5 * pitch - 34
    body.append(_text(lx - 4, height - 5, "less", anchor="end", size=9))
    for k, colour in enumerate(HEAT):
        body.append(_rect(lx + k * pitch, height - 14, cell, cell, colour))
    body.append(_text(lx + 5 * pitch + 2, height - 5, "more", size=9))
    return _svg(width, height, body, font)


def bars_svg(
    labels: Sequence[str],
    values: Sequence[float],
    font: str,
    *,
    behind: Sequence[float] | None = None,
    colour: str = BLUE,
    behind_colour: str = GREY,
    fmt: str = "{:g}",
    highlight: int | None = None,
    height: float = 150,
    top: float | None = None,
    sublabels: Sequence[str] | None = None,
) -> str:
    """Vertical bars with their values on top; `behind` draws a wider context bar (e.g. planned)."""
    n = max(len(values), 1)
    left, right, head, foot = 8, 8, 16, 30 if sublabels else 20
    pitch = max(22.0, min(44.0, 600 / n))
    width = left + n * pitch + right
    peak = top if top is not None else max([*values, *(behind or []), 0])
    plot = height - head - foot
    base = head + plot
    body = [_line(left, base, width - right, base, MUTED)]
    for i, v in enumerate(values):
        x = left + i * pitch + pitch * 0.15
        w = pitch * 0.7
        if behind is not None:
            b = behind[i]
            hb = plot * b / peak if peak else 0
            body.append(_rect(x, base - hb, w, hb, behind_colour))
        h = plot * v / peak if peak else 0
        body.append(_rect(x, base - h, w, h, RED if i == highlight else colour))
        shown = fmt.format(v) if v or behind is None else ""
        if behind is not None and behind[i]:
            shown = f"{fmt.format(v)}/{fmt.format(behind[i])}"
        if shown:
            top_y = base - max(h, plot * (behind[i] / peak) if behind is not None and peak else 0)
            body.append(_text(x + w / 2, top_y - 3, shown, anchor="middle", size=8.5, fill=DARK))
        body.append(_text(x + w / 2, base + 11, labels[i], anchor="middle", size=8.5))
        if sublabels:
            body.append(_text(x + w / 2, base + 22, sublabels[i], anchor="middle", size=8))
    return _svg(width, height, body, font)


def line_svg(
    labels: Sequence[str],
    rates: Sequence[float | None],
    counts: Sequence[int],
    font: str,
    *,
    target: float | None = None,
    height: float = 170,
) -> str:
    """Percentages over time: a dot per point labelled with its rate, n under each label."""
    n = max(len(rates), 1)
    left, right, head, foot = 34, 10, 14, 32
    pitch = max(36.0, min(60.0, 620 / n))
    width = left + n * pitch + right
    plot = height - head - foot
    base = head + plot

    known = [r for r in rates if r is not None] + ([target] if target is not None else [])
    floor = min(0.5, math.floor(10 * min(known, default=0.5) - 1e-9) / 10) if known else 0.5
    floor = max(0.0, floor)

    def y_of(rate: float) -> float:
        return base - plot * max(0.0, min(1.0, (rate - floor) / (1 - floor)))

    body: list[str] = []
    for k in range(round(floor * 10), 11):
        tick = k / 10
        y = y_of(tick)
        body.append(_line(left, y, width - right, y, "#e4e7eb"))
        body.append(_text(left - 4, y + 3, f"{tick:.0%}", anchor="end", size=8.5))
    if target is not None:
        body.append(_line(left, y_of(target), width - right, y_of(target), GREEN, dash=True))
        body.append(
            _text(
                width - right,
                y_of(target) - 3,
                f"target {target:.0%}",
                anchor="end",
                size=8.5,
                fill=GREEN,
            )
        )
    points: list[tuple[float, float]] = []
    segments: list[list[tuple[float, float]]] = []
    for i, rate in enumerate(rates):
        x = left + i * pitch + pitch / 2
        body.append(_text(x, base + 12, labels[i], anchor="middle", size=8.5))
        body.append(_text(x, base + 24, f"n={counts[i]}", anchor="middle", size=8))
        if rate is None:
            if points:
                segments.append(points)
            points = []
            continue
        points.append((x, y_of(rate)))
    if points:
        segments.append(points)
    for seg in segments:
        if len(seg) > 1:
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in seg)
            body.append(f'<polyline points="{pts}" fill="none" stroke="{BLUE}" stroke-width="2"/>')
    for i, rate in enumerate(rates):
        if rate is None:
            continue
        x, y = left + i * pitch + pitch / 2, y_of(rate)
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{BLUE}"/>')
        body.append(_text(x, y - 6, f"{rate:.0%}", anchor="middle", size=8.5, fill=DARK))
    return _svg(width, height, body, font)


def hbars_svg(
    rows: Sequence[tuple[str, Sequence[float], str]],
    colours: Sequence[str],
    font: str,
    *,
    scale: float | None = None,
    legend: Sequence[str] = (),
) -> str:
    """Horizontal stacked bars: (label, segment values, text at the right) per row."""
    label_w = 8 + 6.2 * max((len(r[0]) for r in rows), default=4)
    bar_w, pitch, head = 380, 17, 18 if legend else 4
    right_w = 8 + 6 * max((len(r[2]) for r in rows), default=0)
    width = label_w + bar_w + right_w
    height = head + pitch * len(rows) + 4
    total = scale if scale is not None else max((sum(r[1]) for r in rows), default=0) or 1
    body: list[str] = []
    x = label_w
    for name, colour in zip(legend, colours, strict=False):
        body.append(_rect(x, 4, 10, 10, colour))
        body.append(_text(x + 14, 13, name, size=9))
        x += 24 + 6 * len(name)
    for i, (label, segments, text) in enumerate(rows):
        y = head + i * pitch
        body.append(_text(label_w - 6, y + 11, label, anchor="end", size=9.5, fill=DARK))
        body.append(_rect(label_w, y + 2, bar_w, 11, "#f3f4f6"))
        x = label_w
        for value, colour in zip(segments, colours, strict=False):
            w = bar_w * value / total
            body.append(_rect(x, y + 2, w, 11, colour))
            x += w
        body.append(_text(label_w + bar_w + 6, y + 11, text, size=9.5, fill=DARK))
    return _svg(width, height, body, font)
