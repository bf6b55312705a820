"""The progress report as a Document, built from `study.report.report_data()` and nothing else.

So the JSON a script reads, the terminal stats and the printed report show the
same numbers. Sections whose data comes from optional modules (readiness,
roadmap, grader) say so when that data is absent instead of disappearing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from studycli.render import charts
from studycli.render.blocks import Cell, Chart, Document, Heading, Paragraph, Table, Title
from studycli.study.report_types import CardRow, Katas, ReportData
from studycli.vocab import RATING_NAMES

HEATMAP_MIN_WEEKS = 12


def pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}"


def num(n: float | int | None) -> str:
    if n is None:
        return "–"
    if isinstance(n, float) and not n.is_integer():
        return f"{n:,.1f}"
    return f"{int(n):,}"


def hours(minutes: float | None) -> str:
    if not minutes:
        return "0 min"
    return f"{minutes:.0f} min" if minutes < 90 else f"{minutes / 60:.1f} h"


def money(x: float | None) -> str:
    if x is None:
        return "–"
    return f"${x:,.2f}" if x >= 0.1 or x == 0 else f"${x:,.4f}"


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def short_date(text: str) -> str:
    return _d(text).strftime("%d %b").lstrip("0")


# --------------------------------------------------------------------------- shared with `stats`


def summary_rows(data: ReportData, extras: bool = True) -> list[list[Cell]]:
    """The headline numbers; `extras` adds one line each for readiness, roadmap, mocks, grader."""
    c, r, ret, act = data["cards"], data["reviews"], data["retention_30d"], data["activity"]
    seen_share = f" ({c['seen'] / c['total']:.0%})" if c["total"] else ""
    rows: list[list[Cell]] = [
        [
            "Cards",
            f"{c['seen']} of {c['total']} seen{seen_share} · {c['mature']} mature · "
            f"{c['due']} due today · {c['unseen']} unseen · {c['suspended']} suspended",
        ],
        [
            "Reviews",
            f"{r['today']} today · {act['reviews_7d']} in 7 days · "
            f"{act['reviews_30d']} in 30 days · "
            f"{num(r['total'])} in total",
        ],
        [
            "True retention (30 days)",
            f"{pct(ret['rate'])} of {ret['total']} reviews of learnt cards"
            if ret["total"]
            else "no reviews of learnt cards yet",
        ],
        [
            "Study time",
            f"{hours(act['minutes_7d'])} in 7 days · {hours(act['minutes_30d'])} in 30 days · "
            f"{act['days_studied_30d']}/30 days studied · {act['streak_days']}-day streak",
        ],
        [
            "Ratings (30 days)",
            " · ".join(f"{k.title()} {v}" for k, v in act["ratings_30d"].items()),
        ],
        [
            "Leeches",
            f"{c['leeches']} cards forgotten {data['leech_lapses']}+ times after learning them",
        ],
    ]
    if not extras:
        return rows
    readiness = data.get("readiness")
    if readiness:
        rows.append(["Readiness", readiness.get("headline") or pct(readiness.get("recall"))])
    roadmap = data.get("roadmap")
    if roadmap:
        rows.append(["Roadmap", roadmap_line(roadmap)])
    mocks = data.get("mocks")
    if mocks and mocks.get("count"):
        rows.append(
            [
                "Mock interviews",
                f"{mocks['count']} · latest score {pct(mocks['latest_score'])} · "
                f"best {pct(mocks['best_score'])}",
            ]
        )
    katas = data["katas"]
    if katas and katas["attempted"]:
        rows.append(["Coding katas", kata_line(katas)])
    grader = data.get("grader")
    if grader and grader.get("graded"):
        rows.append(["Grader", grader_line(grader)])
    return rows


def kata_line(k: Katas) -> str:
    return (
        f"{k['passed']} of {k['total']} passed · {k['attempted']} tried · "
        f"{k['checks']} checks · {k['due_today']} due today"
    )


def kata_rows(k: Katas) -> list[list[Cell]]:
    from studycli.tui.kata import clock_text

    return [
        [
            item["id"],
            f"{item['passes']}/{item['checks']}",
            clock_text(item["best_seconds"]),
            item["last_rating"] or "–",
            item["last_date"] or "–",
            item["due"] or "–",
        ]
        for item in k["items"]
    ]


def roadmap_line(rm: Mapping[str, Any]) -> str:
    """Where the plan stands, in plain words: 'day 9 of 30 · 20 of the 24 tasks due by now
    done (83%) · 20 of 88 tasks done in all'."""
    status = rm.get("status")
    if status == "active":
        where = f"day {rm['day']} of {rm['calendar_days']}"
    elif status == "not-started":
        where = f"starts on {rm['start']}"
    elif status == "finished":
        where = f"plan finished on {rm['end']}"
    elif status == "interview-day":
        where = "interview day"
    else:
        where = f"the interview was on {rm.get('interview')}"
    due, done_due = int(rm["tasks_due"]), int(rm["done_of_due"])
    if not due:
        so_far = "no task due before today"
    elif done_due == due:
        so_far = f"all {due} tasks due by now done"
    else:
        so_far = f"{done_due} of the {due} tasks due by now done ({pct(rm.get('rate'))})"
    return f"{where} · {so_far} · {rm['tasks_done']} of {rm['tasks_total']} tasks done in all"


def grader_line(g: Mapping[str, Any]) -> str:
    agree = g.get("agreement") or {}
    spend = (g.get("spend_total") or {}).get("cost")
    line = f"{g.get('graded', 0)} answers graded · you kept its rating "
    line += f"{pct(agree.get('rate'))} of {agree.get('total', 0)}"
    return line + f" · spend {money(spend)}"


def heatmap_range(data: ReportData) -> tuple[dt.date, dt.date]:
    today = _d(data["date"])
    window_first = today - dt.timedelta(days=int(data["activity"]["window_days"]) - 1)
    first_seen = data["activity"]["first_day"]
    first = today - dt.timedelta(weeks=HEATMAP_MIN_WEEKS) + dt.timedelta(days=1)
    if first_seen:
        first = min(first, _d(first_seen))
    return max(first, window_first), today


def daily_counts(data: ReportData) -> dict[dt.date, int]:
    return {_d(row["date"]): int(row["reviews"]) for row in data["daily"]}


def topic_rows(data: ReportData, label: str = "title") -> list[list[Cell]]:
    """One row per topic: label (title or deck id), cards, seen, mature, due, leeches, recall."""
    return [
        [
            t["title"] if label == "title" else t["deck"],
            str(t["cards"]),
            str(t["seen"]),
            str(t["mature"]),
            str(t["due"]),
            str(t["leeches"]),
            pct(t["recall"]),
        ]
        for t in data["topics"]
        if t["cards"]
    ]


TOPIC_COLUMNS = ["Topic", "Cards", "Seen", "Mature", "Due", "Leeches", "Recall now"]


def weakest_rows(rows: Sequence[CardRow]) -> list[list[Cell]]:
    return [
        [
            r["question"],
            r["deck"],
            pct(r["recall"]),
            str(r["lapses"]),
            str(r["reviews"]),
            RATING_NAMES.get(r["last_rating"] or 0, "–"),
            "–" if r["grade"] is None else f"{r['grade']:.1f}/4",
        ]
        for r in rows
    ]


WEAKEST_COLUMNS = ["Card", "Topic", "Recall now", "Lapses", "Reviews", "Last rating", "Grader"]


def card_table(rows: Sequence[CardRow], empty: str) -> Table:
    """Weakest cards or leeches: one layout for both."""
    return Table(
        WEAKEST_COLUMNS, weakest_rows(rows), [46, 15, 9, 7, 8, 9, 8], align="llrrrlr", empty=empty
    )


# --------------------------------------------------------------------------- the document


def build_report(data: ReportData) -> Document:
    today = _d(data["date"])
    meta = [f"as of {data['date']}"]
    if data.get("interview_date"):
        left = int(data.get("days_to_interview") or 0)
        when = (
            "today"
            if left == 0
            else (f"in {left} days" if left and left > 0 else f"{-left} days ago")
        )
        meta.append(f"interview {data['interview_date']} ({when})")
    else:
        meta.append("no interview date set ('studycli config set interview_date YYYY-MM-DD')")
    meta.append(f"generated {data['generated'].replace('T', ' ')[:16]}")
    b: list[object] = []

    b.append(Heading("Summary"))
    b.append(Table(["Measure", "Value"], summary_rows(data), [22, 78], bold_first=True))

    # Readiness on the interview date (readiness module).
    b.append(Heading("Readiness on the interview date"))
    rd = data.get("readiness")
    if rd:
        b.append(Paragraph(rd.get("headline", "")))
        decks = [d for d in rd.get("decks", []) if d.get("cards")]
        if decks:
            b.append(
                Chart(
                    lambda font: charts.hbars_svg(
                        [(d["deck"], [d["recall"] or 0.0], pct(d["recall"])) for d in decks],
                        [charts.GREEN],
                        font,
                        scale=1.0,
                    ),
                    f"Predicted recall per topic on {rd.get('date')} if you stopped reviewing now "
                    "(unseen cards count as 0)",
                )
            )
            b.append(
                Table(
                    ["Topic", "Seen", "Recall on date", "Recall of seen", "Grade"],
                    [
                        [
                            d["title"],
                            f"{d['seen']}/{d['cards']}",
                            pct(d["recall"]),
                            pct(d["recall_seen"]),
                            f"{pct(d['grade'])} of {d['graded']}" if d.get("graded") else "–",
                        ]
                        for d in decks
                    ],
                    [40, 12, 16, 16, 16],
                    align="lrrrr",
                )
            )
    else:
        b.append(Paragraph("Readiness is not available in this version of studycli.", muted=True))

    # Reviews per day.
    b.append(Heading("Reviews per day"))
    first, last = heatmap_range(data)
    counts = daily_counts(data)
    b.append(
        Chart(
            lambda font: charts.heatmap_svg(counts, first, last, today, font),
            f"Reviews per study day, {first.isoformat()} to {last.isoformat()} (today outlined)",
            Table(
                ["Date", "Reviews", "Minutes"],
                [
                    [r["date"], str(r["reviews"]), num(r["minutes"])]
                    for r in data["daily"]
                    if first <= _d(r["date"]) <= last
                ],
                align="lrr",
            ),
        )
    )

    # True retention by week.
    b.append(Heading("True retention by week"))
    weeks = list(data["retention_by_week"])
    while len(weeks) > 4 and not weeks[0]["reviews"]:  # the weeks before the first review
        weeks.pop(0)
    target = data.get("desired_retention")
    b.append(
        Chart(
            lambda font: charts.line_svg(
                [short_date(w["week_start"]) for w in weeks],
                [w["rate"] for w in weeks],
                [w["review_phase"] for w in weeks],
                font,
                target=target,
            ),
            "Share of reviews of already-learnt cards rated Hard or better, per week "
            "(Monday first); "
            "n = such reviews that week",
            Table(
                ["Week of", "Reviews", "Of learnt cards", "Passed", "Retention"],
                [
                    [
                        w["week_start"],
                        str(w["reviews"]),
                        str(w["review_phase"]),
                        str(w["passed"]),
                        pct(w["rate"]),
                    ]
                    for w in weeks
                ],
                align="lrrrr",
            ),
        )
    )

    # Cards per topic.
    b.append(Heading("Cards seen and mature per topic"))
    topics = [t for t in data["topics"] if t["cards"]]
    b.append(
        Chart(
            lambda font: charts.hbars_svg(
                [
                    (
                        t["deck"],
                        [
                            t["mature"],
                            t["seen"] - t["mature"],
                            t["cards"] - t["seen"] - t["suspended"],
                            t["suspended"],
                        ],
                        f"{t['seen']}/{t['cards']}",
                    )
                    for t in topics
                ],
                [charts.GREEN, charts.LIGHT_GREEN, charts.GREY, "#f0b3b3"],
                font,
                legend=["mature", "young", "unseen", "suspended"],
            ),
            f"Cards per topic: mature (interval of {data['mature_days']}+ days), young, "
            "unseen, suspended",
        )
    )
    b.append(Table(TOPIC_COLUMNS, topic_rows(data), [34, 10, 10, 11, 9, 11, 15], align="lrrrrrr"))

    # Due forecast.
    b.append(Heading("Due in the next 14 days"))
    fc = data["forecast"]
    b.append(
        Chart(
            lambda font: charts.bars_svg(
                [_d(f["date"]).strftime("%a") for f in fc],
                [f["due"] for f in fc],
                font,
                sublabels=[short_date(f["date"]) for f in fc],
            ),
            "Cards due per day; today includes overdue cards",
            Table(["Date", "Due"], [[f["date"], str(f["due"])] for f in fc], align="lr"),
        )
    )

    # Roadmap adherence.
    b.append(Heading("Roadmap adherence"))
    rm = data.get("roadmap")
    if rm:
        b.append(Paragraph(roadmap_line(rm)))
        days = [d for d in rm.get("days", []) if d.get("tasks")]
        past = [d for d in days if _d(d["date"]) <= today]
        if past:
            shown = past[-30:]
            b.append(
                Chart(
                    lambda font: charts.bars_svg(
                        [str(_d(d["date"]).day) for d in shown],
                        [d["done"] for d in shown],
                        font,
                        behind=[d["tasks"] for d in shown],
                        colour=charts.GREEN,
                        height=130,
                    ),
                    "Roadmap tasks per calendar day: done (green) of planned (grey)",
                    Table(
                        ["Date", "Plan days", "Tasks", "Done"],
                        [
                            [
                                d["date"],
                                ", ".join(map(str, d["plan_days"])),
                                str(d["tasks"]),
                                str(d["done"]),
                            ]
                            for d in shown
                        ],
                        align="llrr",
                    ),
                )
            )
        behind = rm.get("behind") or []
        if behind:
            b.append(
                Paragraph(
                    f"Behind: {', '.join(behind[:12])}" + (" …" if len(behind) > 12 else ""),
                    muted=True,
                )
            )
    else:
        b.append(
            Paragraph(
                "No roadmap in progress ('studycli roadmap start' begins the 30-day plan).",
                muted=True,
            )
        )

    # Weakest cards and leeches.
    b.append(Heading("Weakest cards"))
    b.append(card_table(data["weakest"], "No card reviewed yet."))
    b.append(
        Paragraph(
            "Ranked by low predicted recall today, lapses, a last rating of Again and the "
            "grader's ratings"
            + (
                " (a card reviewed today is at 100% recall now and ranks by the rest)"
                if any(r["recall"] >= 0.995 for r in data["weakest"])
                else ""
            )
            + "; 'studycli cheatsheet --weakest 20' prints them as a sheet.",
            muted=True,
        )
    )
    shown_leeches = len(data["leeches"])
    b.append(Heading(f"Leeches (forgotten {data['leech_lapses']}+ times)"))
    if data["cards"]["leeches"] > shown_leeches:
        b.append(
            Paragraph(
                f"The {shown_leeches} most forgotten of {data['cards']['leeches']}.", muted=True
            )
        )
    b.append(card_table(data["leeches"], "No leeches."))

    # Mock interviews.
    b.append(Heading("Mock interviews"))
    mocks = data.get("mocks") or {}
    items = mocks.get("items") or []
    scored = [m for m in items if m.get("score") is not None]
    if scored:
        b.append(
            Chart(
                lambda font: charts.bars_svg(
                    [short_date(m["date"]) for m in scored],
                    [round(100 * (m["score"] or 0)) for m in scored],
                    font,
                    fmt="{:g}%",
                    top=100,
                    colour=charts.BLUE,
                    height=130,
                ),
                "Mock interview scores (share of key points covered), oldest first",
            )
        )
    b.append(
        Table(
            ["Date", "Kind", "Level", "Minutes", "Finished", "Score"],
            [
                [
                    m["date"],
                    m["kind"] or "",
                    m["level"] or "–",
                    num(m["minutes"]),
                    "yes" if m["finished"] else "no",
                    pct(m["score"]),
                ]
                for m in items
            ],
            [18, 22, 14, 14, 14, 14],
            align="lllrlr",
            empty="No mock interviews yet ('studycli mock').",
        )
    )

    # Coding katas.
    b.append(Heading("Coding katas"))
    katas = data["katas"]
    if katas and katas["total"]:
        b.append(Paragraph(kata_line(katas), muted=True))
    b.append(
        Table(
            ["Kata", "Passed/checks", "Best time", "Last rating", "Last check", "Due"],
            kata_rows(katas) if katas else [],
            [22, 16, 14, 14, 16, 16],
            align="lrrlll",
            empty="No kata checked yet ('studycli kata list').",
        )
    )

    # Grader.
    b.append(Heading("Grader agreement and spend"))
    g = data.get("grader")
    if g:
        agree, recent = g.get("agreement") or {}, g.get("agreement_recent") or {}
        total, today_spend = g.get("spend_total") or {}, g.get("spend_today") or {}
        rows: list[list[Cell]] = [
            [
                "Answers graded",
                f"{g.get('graded', 0)} · {g.get('pending', 0)} pending · "
                f"{g.get('failed', 0)} failed · "
                f"{g.get('cached', 0)} from cache",
            ],
            [
                "Agreement",
                f"you kept the suggested rating {agree.get('agreed', 0)} of "
                f"{agree.get('total', 0)} times "
                f"({pct(agree.get('rate'))})",
            ],
            [
                f"Agreement, last {recent.get('window', '')}",
                f"{pct(recent.get('rate'))} of {recent.get('total', 0)}",
            ],
            [
                "Spend",
                f"{money(total.get('cost'))} in total · {money(today_spend.get('cost'))} today · "
                f"{num(total.get('tokens_in'))} tokens in, {num(total.get('tokens_out'))} out",
            ],
        ]
        if total.get("unknown_price"):
            rows.append(
                ["Unpriced", f"{total['unknown_price']} grades used a model without a known price"]
            )
        b.append(Table(["Measure", "Value"], rows, [22, 78], bold_first=True))
        if g.get("warning"):
            b.append(Paragraph(f"Warning: {g['warning']}"))
    else:
        b.append(Paragraph("Grading is not available in this version of studycli.", muted=True))

    b.append(Heading("How these numbers are made", 3))
    b.append(
        Paragraph(
            "True retention: share of reviews of cards already in the review phase that were "
            "rated Hard, Good or Easy (first-time learning steps excluded). Recall now / on a "
            "date: the FSRS probability of remembering a card, from its review history. "
            f"Mature: the card's current interval is {data['mature_days']} days or more. "
            f"Leech: forgotten {data['leech_lapses']} or more times after it was learnt. "
            "Undone reviews are not counted. "
            f"Per-day figures cover at most the last {data['activity']['window_days']} days.",
            muted=True,
        )
    )
    return Document(
        Title("studycli progress report", meta),
        b,
        columns=1,
        kind="report",
        generated=data["generated"][:10],
    )
