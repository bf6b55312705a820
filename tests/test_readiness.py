"""Readiness: share seen, FSRS recall on the interview date (hand-computed), grades, headline."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from studycli.scheduler import Scheduler
from studycli.study.drill import Drill
from studycli.study.readiness import readiness_date, readiness_summary, report_section

UTC = dt.UTC
INTERVIEW = dt.date(2026, 12, 20)
# FSRS-6 default parameters, written out: w2 is a new card's stability after Good,
# w0 after Again, w20 the decay of the forgetting curve.
W0, W2, W20 = 0.212, 2.3065, 0.1542


def recall(stability: float, days: float) -> float:
    """FSRS-6 forgetting curve by hand: R(t) = (1 + f t / S)^(-w20), f = 0.9^(-1/w20) - 1."""
    factor = 0.9 ** (-1 / W20) - 1
    return (1 + factor * days / stability) ** (-W20)


def rate(store, catalogue, card_id: str, rating: int, when: dt.datetime) -> None:
    Drill(store, Scheduler(), catalogue, [card_id]).rate(rating, when)


def deck_row(summary, deck):
    return next(d for d in summary["decks"] if d["deck"] == deck)


def test_recall_on_interview_day_matches_hand_computed_fsrs(store, catalogue):
    rag = sorted(c.id for c in catalogue.cards.values() if c.deck == "rag")
    first_day = dt.datetime(2026, 11, 22, 9, tzinfo=UTC)
    rate(store, catalogue, rag[0], 3, first_day)  # Good: S = w2
    rate(store, catalogue, rag[1], 1, first_day)  # Again: S = w0
    summary = readiness_summary(catalogue, store.states(), Scheduler(), store, on=INTERVIEW)
    t = (INTERVIEW - first_day.date()).days  # 28 days after the review
    r_good, r_again = recall(W2, t), recall(W0, t)
    assert r_good == pytest.approx(0.6741, abs=5e-4)  # (1 + 0.98035 * 28 / 2.3065) ^ -0.1542
    assert r_again == pytest.approx(0.4718, abs=5e-4)  # (1 + 0.98035 * 28 / 0.212) ^ -0.1542
    row = deck_row(summary, "rag")
    n = len(rag)
    assert row["cards"] == n and row["seen"] == 2
    assert row["seen_share"] == pytest.approx(2 / n, abs=1e-4)
    assert row["recall"] == pytest.approx((r_good + r_again) / n, abs=1e-4)  # unseen count as 0
    assert row["recall_seen"] == pytest.approx((r_good + r_again) / 2, abs=1e-4)
    total = len(catalogue.cards)
    assert summary["recall"] == pytest.approx((r_good + r_again) / total, abs=1e-4)
    # The date matters: recall tomorrow is higher than on the interview day.
    tomorrow = readiness_summary(
        catalogue, store.states(), Scheduler(), store, on=dt.date(2026, 11, 23)
    )
    assert deck_row(tomorrow, "rag")["recall_seen"] == pytest.approx(
        (recall(W2, 1) + recall(W0, 1)) / 2, abs=1e-4
    )
    assert deck_row(tomorrow, "rag")["recall_seen"] > row["recall_seen"]


def test_grades_weakest_headline_and_suspended(store, catalogue):
    from studycli.clock import to_ms
    from studycli.storage.codec import LogEntry, new_uid

    now = dt.datetime(2026, 11, 22, 9, tzinfo=UTC)
    for card in catalogue.cards.values():
        if card.deck != "safety-security":
            rate(store, catalogue, card.id, 4, now)  # Easy on everything but one deck
    safety = sorted(c.id for c in catalogue.cards.values() if c.deck == "safety-security")
    rate(store, catalogue, safety[0], 3, now)
    agents = sorted(c.id for c in catalogue.cards.values() if c.deck == "agents")
    rows = [  # (card, ts, status, score): the latest finished grade per card counts
        (agents[0], 1, "done", 0.2), (agents[0], 2, "done", 0.8), (agents[1], 3, "done", 0.5),
        (agents[2], 4, "pending", None), (agents[3], 5, "failed", None),
    ]  # fmt: skip
    with store.transaction() as conn:
        for cid, ts, status, score in rows:
            conn.execute(
                "INSERT INTO grades (uid, card_id, ts, status, score) VALUES (?, ?, ?, ?, ?)",
                (new_uid(), cid, ts, status, score),
            )
    # A suspended card leaves the totals.
    store.append_and_replay(
        LogEntry(new_uid(), safety[1], "suspend", to_ms(now), now.date().toordinal()), Scheduler()
    )
    s = readiness_summary(catalogue, store.states(), Scheduler(), store, on=INTERVIEW)
    row = deck_row(s, "agents")
    assert row["graded"] == 2 and row["grade"] == pytest.approx(0.65)
    assert s["graded"] == 2 and s["grade"] == pytest.approx(0.65)
    sec = deck_row(s, "safety-security")
    assert sec["cards"] == len(safety) - 1 and sec["seen"] == 1
    weakest = [w["deck"] for w in s["weakest"]]
    assert weakest[0] == "safety-security" and len(weakest) == 3
    assert (
        s["weakest"][0]["command"]
        == f"studycli drill --deck safety-security --new {min(10, len(safety) - 2)}"
    )
    assert s["headline"] == (
        f"Predicted recall on 2026-12-20: {s['recall']:.0%} · {s['seen']}/{s['cards']} cards seen"
        f" · weakest: safety-security {sec['recall']:.0%}"
    )
    assert s["cards"] == len(catalogue.cards) - 1
    # Without a store, grades are not read (today's short view) and nothing else changes.
    light = readiness_summary(catalogue, store.states(), Scheduler(), None, on=INTERVIEW)
    assert light["graded"] == 0 and light["recall"] == s["recall"]


def test_readiness_date_and_report_section(store, catalogue):
    from studycli.storage.config import Config

    today = dt.date(2026, 11, 22)
    assert readiness_date(INTERVIEW, today) == INTERVIEW
    assert readiness_date(None, today) == today
    assert (
        readiness_date(dt.date(2026, 11, 1), today) == today
    )  # a past interview is not a prediction
    cfg = Config({"interview_date": INTERVIEW.isoformat()})
    sec = report_section(
        store=store, catalogue=catalogue, scheduler=Scheduler(), config=cfg, today=today.toordinal()
    )
    assert sec["date"] == "2026-12-20" and sec["interview"] == "2026-12-20"
    assert {
        "cards",
        "seen",
        "seen_share",
        "recall",
        "recall_seen",
        "graded",
        "grade",
        "decks",
        "weakest",
        "headline",
    } <= set(sec)
    assert (
        sec["headline"]
        == f"Predicted recall on 2026-12-20: 0% · 0/{len(catalogue.cards)} cards seen"
        " · nothing drilled yet"
    )


def test_today_short_and_stats_full(cli, catalogue):
    assert (
        cli(
            "config", "set", "interview_date", "2026-12-20", now="2026-11-22T09:00:00+00:00"
        ).exit_code
        == 0
    )
    cli("drill", "--new", "2", now="2026-11-22T09:00:00+00:00", input="a\n\n3\nb\n\n4\n")
    out = cli("today", now="2026-11-23T09:00:00+00:00").output
    line = next(ln for ln in out.splitlines() if ln.startswith("Readiness"))
    assert line.startswith("Readiness · Predicted recall on 2026-12-20: ")
    assert line.endswith(f"2/{len(catalogue.cards)} cards seen")  # "weakest" is on the next line
    assert out.lower().count("weakest") == 1 and "→ 'studycli drill --deck " in out
    full = cli("stats", now="2026-11-23T09:00:00+00:00")
    assert full.exit_code == 0 and "recall on date" in full.output
    data = json.loads(cli("stats", "--json", now="2026-11-23T09:00:00+00:00").output)
    assert data["readiness"]["date"] == "2026-12-20" and data["readiness"]["seen"] == 2
    assert data["readiness"]["headline"].startswith(
        line.removeprefix("Readiness · ") + " · weakest"
    )


def test_full_readiness_table(store, catalogue):
    import io

    from rich.console import Console

    from studycli.tui.plan import print_readiness

    rate(store, catalogue, sorted(c.id for c in catalogue.cards.values() if c.deck == "rag")[0], 3,
         dt.datetime(2026, 11, 22, 9, tzinfo=UTC))  # fmt: skip
    summary = readiness_summary(catalogue, store.states(), Scheduler(), store, on=INTERVIEW)
    buf = io.StringIO()
    print_readiness(Console(file=buf, width=100, highlight=False), summary)
    out = buf.getvalue()
    assert out.startswith("Readiness · Predicted recall on 2026-12-20")
    assert "recall on date" in out and "recall of seen" in out
    rag = deck_row(summary, "rag")
    line = next(ln for ln in out.splitlines() if ln.startswith("rag "))
    assert line.split() == [
        "rag",
        f"1/{rag['cards']}",
        f"{rag['recall']:.0%}",
        f"{rag['recall_seen']:.0%}",
        "–",
    ]
    assert "weak: " in out and "studycli drill --deck" in out
