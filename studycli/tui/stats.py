"""`studycli stats` in the terminal: rich tables, a calendar heatmap and the 14-day due forecast.

Built from `report.report_data()` like the printed report, so both show the same
numbers. Only renderables are built here; the CLI prints them. Shades (· ░ ▒ ▓ █)
carry the heatmap's levels, so it reads without colour too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from studycli.render.charts import heat_level
from studycli.render.report import TOPIC_COLUMNS, daily_counts, pct, summary_rows, topic_rows
from studycli.study.report_types import CardRow, ReportData

FULL_RECALL_NOTE = (
    "Ranked by recall now, then lapses, a last Again and grades: a card reviewed today is at "
    "100% recall now and ranks by the rest."
)
SHADES = ("·", "░", "▒", "▓", "█")

HEAT_STYLES = ("grey35", "green", "green", "bold green", "bold bright_green")

FORECAST_BAR = 30


def _table(*columns: str, right_from: int = 1) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for i, col in enumerate(columns):
        table.add_column(col, justify="right" if i >= right_from else "left")
    return table


def heatmap(data: ReportData, width: int) -> RenderableType:
    """Weeks as columns (Monday on top), as many recent weeks as fit (at most a year)."""
    today = dt.date.fromisoformat(data["date"])
    counts = daily_counts(data)
    first_seen = data["activity"]["first_day"]
    fit = max(4, (width - 6) // 2)
    wanted = 12
    if first_seen:
        wanted = max(wanted, (today - dt.date.fromisoformat(first_seen)).days // 7 + 1)
    weeks = min(fit, wanted, 53)
    this_monday = today - dt.timedelta(days=today.weekday())
    start = this_monday - dt.timedelta(weeks=weeks - 1)
    top = max((n for d, n in counts.items() if start <= d <= today), default=0)
    months = Text("    ")
    last_month = None
    for w in range(weeks):
        # A month is named over the week holding its 1st (this week's too, once the 1st is
        # past), and the first column after the month it starts in.
        monday = start + dt.timedelta(weeks=w)
        week = [monday + dt.timedelta(days=i) for i in range(7)]
        first = next((d for d in week if d.day == 1 and d <= today), None)
        named = first or (monday if w == 0 else None)
        if named is not None and named.month != last_month:
            label = named.strftime("%b")
            if len(months.plain) <= 4 + 2 * w:
                months.append(" " * (4 + 2 * w - len(months.plain)) + label)
            last_month = named.month
    lines = [months]
    for i, name in enumerate(("Mon", "", "Wed", "", "Fri", "", "Sun")):
        line = Text(f"{name:<4}", style="dim")
        for w in range(weeks):
            day = start + dt.timedelta(weeks=w, days=i)
            if day > today:
                line.append("  ")
                continue
            level = heat_level(counts.get(day, 0), top)
            style = HEAT_STYLES[level] + (" reverse" if day == today else "")
            line.append(SHADES[level], style=style)
            line.append(" ")
        lines.append(line)
    total = sum(n for d, n in counts.items() if start <= d <= today)
    legend = Text("    less ", style="dim")
    for level, shade in enumerate(SHADES):
        legend.append(shade + " ", style=HEAT_STYLES[level])
    legend.append(f"more · {total} reviews in {weeks} weeks · busiest day {top}", style="dim")
    lines.append(legend)
    return Group(*lines)


def forecast(data: ReportData) -> RenderableType:
    rows = data["forecast"]
    peak = max((r["due"] for r in rows), default=0)
    table = _table("day", "due", "", right_from=1)
    table.columns[2].justify = "left"
    for i, row in enumerate(rows):
        day = dt.date.fromisoformat(row["date"])
        bar = "█" * (round(FORECAST_BAR * row["due"] / peak) if peak else 0)
        if row["due"] and not bar:
            bar = "▏"
        label = day.strftime("%a %d %b") + (" (today, with overdue)" if i == 0 else "")
        table.add_row(label, str(row["due"]), Text(bar, style="cyan"))
    return table


def retention_weeks(data: ReportData) -> RenderableType:
    weeks = list(data["retention_by_week"])
    while len(weeks) > 4 and not weeks[0]["reviews"]:
        weeks.pop(0)
    table = _table("week of", "reviews", "of learnt cards", "retention", "")
    table.columns[4].justify = "left"
    for w in weeks:
        rate = w["rate"]
        bar = (
            Text("█" * round(20 * rate), style="green" if rate >= 0.85 else "yellow")
            if rate is not None
            else Text("")
        )
        table.add_row(w["week_start"], str(w["reviews"]), str(w["review_phase"]), pct(rate), bar)
    return table


def topics(data: ReportData) -> RenderableType:
    table = _table(*TOPIC_COLUMNS)
    for row in topic_rows(data, label="deck"):  # topics with cards, as the report lists them
        table.add_row(*(c if isinstance(c, str) else "\n".join(c) for c in row))
    return table


def card_rows(rows: Sequence[CardRow], width: int) -> RenderableType:
    table = _table("card", "topic", "recall now", "lapses", "reviews", right_from=2)
    deck_w = max((len(r["deck"]) for r in rows), default=5)
    card = table.columns[0]
    card.no_wrap, card.overflow, card.max_width = True, "ellipsis", max(20, width - deck_w - 32)
    for r in rows:
        table.add_row(
            r["question"], r["deck"], pct(r["recall"]), str(r["lapses"]), str(r["reviews"])
        )
    return table


def stats_view(data: ReportData, width: int = 100) -> list[RenderableType]:
    """Everything `studycli stats` prints, in order, except the other modules' sections."""
    head = Text(f"studycli stats · {data['date']}", style="bold")
    if data.get("interview_date"):
        left = data.get("days_to_interview")
        head.append(
            f" · interview {data['interview_date']}"
            + (f" (in {left} days)" if left and left > 0 else "")
        )
    summary = _table("", "", right_from=9)
    summary.show_header = False
    for label, value in summary_rows(data, extras=False):
        summary.add_row(Text(str(label), style="bold"), Text(str(value)))
    out: list[RenderableType] = [head, summary, Text("")]
    out += [Text("Reviews per day", style="bold"), heatmap(data, width), Text("")]
    out += [Text("Due in the next 14 days", style="bold"), forecast(data), Text("")]
    out += [Text("True retention by week", style="bold"), retention_weeks(data), Text("")]
    out += [Text("Topics", style="bold"), topics(data), Text("")]
    if data["weakest"]:
        out += [Text("Weakest cards", style="bold"), card_rows(data["weakest"][:5], width)]
        if any(r["recall"] >= 0.995 for r in data["weakest"][:5]):
            out.append(Text(f"  {FULL_RECALL_NOTE}", style="dim"))
        out.append(
            Text(
                "  'studycli cheatsheet --weakest 20' prints your weakest cards as a sheet",
                style="dim",
            )
        )
        out.append(Text(""))
    if data["leeches"]:
        out += [
            Text(f"Leeches (forgotten {data['leech_lapses']}+ times)", style="bold"),
            card_rows(data["leeches"][:10], width),
            Text(""),
        ]
    if roadmap := data["roadmap"]:
        from studycli.render.report import roadmap_line

        out.append(Text.assemble(("Roadmap ", "bold"), roadmap_line(roadmap)))
    if (katas := data["katas"]) and katas["attempted"]:
        from studycli.render.report import kata_line

        out.append(Text.assemble(("Coding katas ", "bold"), kata_line(katas)))
    mocks = data.get("mocks") or {}
    if mocks.get("count"):
        out.append(
            Text.assemble(
                ("Mock interviews ", "bold"),
                f"{mocks['count']} · latest {pct(mocks['latest_score'])} · "
                f"best {pct(mocks['best_score'])}",
            )
        )
    return out
