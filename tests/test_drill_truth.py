"""The drill and the mock say what is true and undo exactly what they say they undo.

Driven through the CLI with piped input (one line per answer line, a blank line ends an
answer, one line per key), plus a real terminal where only a terminal shows the fault.
"""

from __future__ import annotations

import re
import sqlite3

import pytest

from .helpers import write
from .screen import Terminal

NOW = "2026-11-22T09:00:00+00:00"
IDS = [f"five-{n}" for n in range(1, 6)]
FIVE = "id: five\ntitle: Five\ndescription: Five plain cards.\ncards:\n" + "".join(
    f"""\
  - id: five-{n}
    level: junior
    tags: [five]
    source: tests
    question: Question number {n} of the five?
    answer: Answer {n}.
    key_points: [Point {n}a, Point {n}b, Point {n}c]
"""
    for n in range(1, 6)
)


@pytest.fixture
def five(tmp_path):
    return write(tmp_path / "five" / "decks" / "five.yaml", FIVE).parent.parent


def drill(cli, content, new: int, input: str, now: str = NOW):
    r = cli("--content", str(content), "drill", "--deck", "five", "--new", str(new),
            now=now, input=input)  # fmt: skip
    assert r.exit_code == 0, r.output
    return r.output


def asked(output: str) -> list[str]:
    """The cards in the order their questions were shown."""
    return [f"five-{n}" for n in re.findall(r"Question number (\d) of the five", output)]


def log(home) -> list[tuple[str, str, int | None]]:
    db = sqlite3.connect(home / "studycli.db")
    rows = db.execute("SELECT card_id, kind, rating FROM review_entries ORDER BY id").fetchall()
    db.close()
    return rows


def kept_reviews(home) -> list[tuple[str, int]]:
    db = sqlite3.connect(home / "studycli.db")
    rows = db.execute(
        "SELECT card_id, rating FROM review_entries WHERE kind = 'review' AND uid NOT IN "
        "(SELECT ref FROM review_entries WHERE kind = 'undo') ORDER BY id"
    ).fetchall()
    db.close()
    return rows


@pytest.mark.parametrize("how", ["typed", "pressed"])
def test_undo_after_a_skip_brings_back_the_undone_card(cli, five, isolated_home, how):
    if how == "typed":  # /skip in the answer box, /undo in the next one
        steps = "first\n\n3\n/skip\n/undo\n"
    else:  # s and u pressed at the rating keys
        steps = "first\n\n3\nsecond\n\ns\nthird\n\nu\n"
    out = drill(cli, five, 3, steps + "again\n\n4\n/quit\n")
    assert asked(out) == [IDS[0], IDS[1], IDS[2], IDS[0], IDS[2]]
    assert "Undid the last rating of five-1" in out
    assert kept_reviews(isolated_home) == [(IDS[0], 4)]
    assert (IDS[0], "undo", None) in log(isolated_home)


def test_undo_after_a_suspend_keeps_the_suspended_card_out(cli, five, isolated_home):
    out = drill(cli, five, 3, "first\n\n3\n/suspend\n/undo\nagain\n\n4\nthird\n\n3\n")
    assert asked(out) == [IDS[0], IDS[1], IDS[2], IDS[0], IDS[2]]
    assert "Session complete. Reviewed 2 cards" in out
    assert re.search(r"suspended 1\b", out)
    assert kept_reviews(isolated_home) == [(IDS[0], 4), (IDS[2], 3)]
    assert not any(cid == IDS[1] and kind == "review" for cid, kind, _ in log(isolated_home))
    r = cli("--content", str(five), "cards", "show", IDS[1], now=NOW)
    assert "suspended" in r.output


def test_again_comes_back_when_its_step_is_due_or_last(cli, five, isolated_home):
    # The clock stands still (STUDYCLI_NOW): ten minutes never pass, so the card rated
    # Again waits until nothing else is left, and the line says so.
    out = drill(cli, five, 5, "x\n\n1\n" + "y\n\n3\n" * 4 + "z\n\n1\n/quit\n")
    assert asked(out) == [*IDS, IDS[0], IDS[0]]
    lines = [line for line in out.splitlines() if line.startswith("Again saved")]
    assert len(lines) == 2
    assert "10m" in lines[0] and "end of the session" in lines[0]
    assert "nothing else is left" in lines[1] and "asked again now" in lines[1]


def test_summary_counts_cards_still_due_today(cli, five, isolated_home):
    out = drill(cli, five, 2, "x\n\n3\ny\n\n1\n/quit\n")
    summary = out[out.index("Session ended") :]
    assert re.search(r"\b1 card (is )?still due today", summary), summary
    assert "Next reviews due 2026-11-24" not in summary
    # Everything done: the next day with a review is named.
    out = drill(cli, five, 0, "z\n\n3\n", now="2026-11-22T09:30:00+00:00")
    summary = out[out.index("Session complete") :]
    assert "still due today" not in summary and "Next reviews due" in summary


# --------------------------------------------------------------------------- the mock


def test_mock_counts_and_lines_leave_out_skipped_questions(cli, isolated_home):
    r = cli("mock", "--minutes", "6", "--kind", "behavioural", "--level", "senior", now=NOW,
            input="\n/skip\nSituation, task, action, result.\n\n" "1\n1 2\n3\n")  # fmt: skip
    assert r.exit_code == 0, r.output
    out = r.output
    assert out.count("Answer saved") == 1  # the skipped question is not "saved"
    assert re.search(r"Skipped · \d:\d\d of 3:00", out)
    assert "Review · 2 answers" not in out and "Review · 1 answer" in out
    done = next(line for line in out.splitlines() if line.startswith("Mock done."))
    assert "1 answered" in done and "1 skipped" in done, done


def test_mock_start_and_countdown_fit_an_80_column_terminal(isolated_home):
    term = Terminal(isolated_home, "mock", "--minutes", "3", "--kind", "fundamentals", cols=80)
    term.wait_for("Press Enter to start")
    term.send("\r")
    term.wait_for("Question 1/1")
    term.wait_for("⏱", screen=True)
    start = next(line for line in term.text().splitlines() if "Press Enter to start" in line)
    assert start.rstrip().endswith(":"), start  # Enter is not echoed as a stray "s"
    rows = term.visible()
    i = next(i for i, row in enumerate(rows) if "⏱" in row)
    assert rows[i + 1].startswith("│"), rows[i : i + 2]  # the countdown did not wrap
    term.send("\x03")
    term.finish()
