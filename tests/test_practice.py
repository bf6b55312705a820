"""Practice beyond the queue: `drill --ahead N` and `drill --again`, real reviews both."""

from __future__ import annotations

import json
import sqlite3

from .helpers import answers

NOW = "2026-11-22T09:00:00+00:00"
LATER = "2026-11-22T15:00:00+00:00"  # the same study day


def reviews(home) -> list[tuple[str, int]]:
    db = sqlite3.connect(home / "studycli.db")
    try:
        return db.execute(
            "SELECT card_id, rating FROM review_entries WHERE kind = 'review' ORDER BY id"
        ).fetchall()
    finally:
        db.close()


def cards(cli, *args: str, now: str = NOW) -> list[dict]:
    r = cli("cards", "list", *args, "--json", now=now)
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def test_ahead_on_a_day_with_nothing_due_asks_n_cards(cli, isolated_home):
    r = cli("drill", "--new", "6", now=NOW, input=answers(3, 3, 3, 3, 3, 3))
    assert r.exit_code == 0, r.output
    cli("config", "set", "new_per_day", "0")
    idle = cli("drill", now=LATER)
    assert "Nothing is due right now." in idle.output
    before = len(reviews(isolated_home))
    r = cli("drill", "--ahead", "5", now=LATER, input=answers(3, 3, 3, 3, 3))
    assert r.exit_code == 0, r.output
    assert "1/5" in r.output and "5/5" in r.output and "6/" not in r.output
    assert "Reviewed 5 cards" in r.output
    assert "5 ahead of schedule" in " ".join(r.output.split())
    after = reviews(isolated_home)
    assert len(after) == before + 5  # real reviews in the log
    asked = [cid for cid, _ in after[before:]]
    assert len(set(asked)) == 5
    # FSRS took them as early reviews: each is still scheduled days ahead, not due today.
    assert all(c["due"] > "2026-11-22" for c in cards(cli) if c["id"] in asked)


def test_ahead_asks_the_lowest_recall_on_the_interview_date_first(cli, isolated_home):
    cli("config", "set", "interview_date", "2026-12-20", now=NOW)
    r = cli("drill", "--new", "3", now=NOW, input=answers(4, 2, 3))
    assert r.exit_code == 0, r.output
    rated = dict(reviews(isolated_home))
    hard = next(cid for cid, rating in rated.items() if rating == 2)
    r = cli("drill", "--ahead", "1", now=LATER, input=answers(3))
    assert r.exit_code == 0, r.output
    assert reviews(isolated_home)[-1][0] == hard


def test_ahead_without_an_interview_date_uses_recall_now(cli, isolated_home):
    r = cli("drill", "--new", "2", now=NOW, input=answers(4, 3))
    assert r.exit_code == 0, r.output
    good = next(cid for cid, rating in reviews(isolated_home) if rating == 3)
    # The next day neither is due; the one rated Good has the lower recall now.
    r = cli("drill", "--ahead", "1", now="2026-11-23T09:00:00+00:00", input=answers(3))
    assert r.exit_code == 0, r.output
    assert reviews(isolated_home)[-1][0] == good


def test_ahead_combines_with_filters(cli, isolated_home):
    r = cli("drill", "--new", "8", now=NOW, input=answers(*[3] * 8))
    assert r.exit_code == 0, r.output
    decks = {c["id"]: c["deck"] for c in cards(cli)}
    seen_decks = sorted({decks[cid] for cid, _ in reviews(isolated_home)})
    deck = seen_decks[0]
    in_deck = {cid for cid, _ in reviews(isolated_home) if decks[cid] == deck}
    before = len(reviews(isolated_home))
    r = cli("drill", "--ahead", "20", "--deck", deck, now=LATER, input=answers(*[3] * 20))
    assert r.exit_code == 0, r.output
    asked = [cid for cid, _ in reviews(isolated_home)[before:]]
    assert set(asked) == in_deck and len(asked) == len(in_deck)


def test_ahead_with_nothing_seen_says_so(cli):
    r = cli("drill", "--ahead", "5", now=NOW)
    assert r.exit_code == 0
    assert "no card" in r.output.lower() and "ahead" in r.output.lower()
    bad = cli("drill", "--ahead", "0", now=NOW)
    assert bad.exit_code == 2 and "--ahead" in bad.output
    bad = cli("drill", "--ahead", "3", "--new", "2", now=NOW)
    assert bad.exit_code == 2 and "--new" in bad.output


def test_again_re_asks_todays_lapses_only(cli, isolated_home):
    # card 1 forgotten (Again), card 2 Good; the session ends before card 1 comes back
    r = cli("drill", "--new", "2", now=NOW, input=answers(1, 3) + "/quit\n")
    assert r.exit_code == 0, r.output
    log = reviews(isolated_home)
    assert [rating for _, rating in log] == [1, 3]
    lapsed = log[0][0]
    r = cli("drill", "--again", now=LATER, input=answers(3))
    assert r.exit_code == 0, r.output
    assert "1/1" in r.output and "Reviewed 1 card" in r.output
    assert [cid for cid, _ in reviews(isolated_home)[2:]] == [lapsed]
    # Asked again even once it is learnt again: practice, ahead of its schedule.
    r = cli("drill", "--again", now="2026-11-22T16:00:00+00:00", input=answers(3))
    assert r.exit_code == 0, r.output
    assert [cid for cid, _ in reviews(isolated_home)[3:]] == [lapsed]
    assert "1 ahead of schedule" in " ".join(r.output.split())
    # Another day: no lapse that day, nothing to re-ask.
    r = cli("drill", "--again", now="2026-11-23T09:00:00+00:00")
    assert r.exit_code == 0 and "forgotten today" in r.output.lower()


def test_again_combines_with_filters(cli, isolated_home):
    r = cli("drill", "--new", "2", now=NOW, input=answers(1, 1, 3, 3))
    assert r.exit_code == 0, r.output
    decks = {c["id"]: c["deck"] for c in cards(cli)}
    lapsed = [cid for cid, rating in reviews(isolated_home) if rating == 1]
    deck = decks[lapsed[0]]
    before = len(reviews(isolated_home))
    r = cli("drill", "--again", "--deck", deck, now=LATER, input=answers(3, 3))
    assert r.exit_code == 0, r.output
    asked = [cid for cid, _ in reviews(isolated_home)[before:]]
    assert asked and all(decks[cid] == deck for cid in asked)
