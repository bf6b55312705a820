"""The real `studycli drill` in a real pseudo-terminal, driven as a person would."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3

import pytest

from .helpers import studycli_command, text

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.terminal
BOX_UP = "\x1b\\[\\?2004h"  # the answer box has taken the terminal (bracketed paste on)


def spawn(home, now: str, *args: str):
    env = dict(
        os.environ,
        STUDYCLI_HOME=str(home),
        STUDYCLI_NOW=now,
        TERM="xterm-256color",
        PROMPT_TOOLKIT_NO_CPR="1",
    )
    env.pop("STUDYCLI_PLAIN", None)
    cmd = studycli_command()
    child = pexpect.spawn(
        cmd[0], [*cmd[1:], *args], env=env, dimensions=(50, 140), encoding="utf-8", timeout=20
    )
    return child


def first_new_cards(catalogue, n: int):
    from studycli.study.day_plan import interleaved_new_order

    return interleaved_new_order(list(catalogue.cards.values()))[:n]


def test_answer_rate_quit_restart_struggled_card_first(isolated_home, catalogue):
    hard_card, easy_card, third = first_new_cards(catalogue, 3)
    child = spawn(isolated_home, "2026-11-22T09:00:00+00:00", "drill", "--new", "3")
    child.expect(text("1/3"))
    child.expect(BOX_UP)
    child.send("I think it is about tools.\r")
    child.send("And a loop.\r")
    child.send("\r")
    child.expect(text("Key points"))
    child.expect(text("Rate your recall"))
    child.send("2")  # Hard: back tomorrow
    child.expect(text("Hard saved · back in 1d"))
    child.expect(text("2/3"))
    child.expect(BOX_UP)
    child.send("\r")  # empty answer: I don't know
    child.expect(text("no answer: I don't know"))
    child.expect(text("Rate your recall"))
    child.send("4")  # Easy
    child.expect(text("Easy saved"))
    child.expect(text("3/3"))
    child.expect(BOX_UP)
    child.send("/quit\r")
    child.expect(text("Session ended. Reviewed 2 cards"))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    db = sqlite3.connect(isolated_home / "studycli.db")
    rows = db.execute("SELECT card_id, rating, answer FROM review_entries ORDER BY id").fetchall()
    assert rows == [
        (hard_card.id, 2, "I think it is about tools.\nAnd a loop."),
        (easy_card.id, 4, ""),
    ]

    # Tomorrow: the card rated Hard is due and comes first; the Easy one is not due.
    child = spawn(isolated_home, "2026-11-23T09:00:00+00:00", "drill", "--new", "0")
    child.expect(text("1/1"))
    child.expect(text(hard_card.question[:40]))
    child.send("\x03")  # Ctrl-C loses nothing already rated
    child.expect(text("Interrupted"))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert db.execute("SELECT count(*) FROM review_entries").fetchone()[0] == 2


def test_rating_survives_closed_terminal(isolated_home):
    child = spawn(isolated_home, "2026-11-22T09:00:00+00:00", "drill", "--new", "2")
    child.expect(text("1/2"))
    child.send("answer\r\r")  # typed before the box is up: must still work
    child.expect(text("Rate your recall"))
    child.send("3")
    child.expect(text("Good saved"))
    child.expect(text("2/2"))
    child.close(force=True)  # the terminal goes away (SIGHUP)
    db = sqlite3.connect(isolated_home / "studycli.db")
    assert db.execute("SELECT rating FROM review_entries").fetchall() == [(3,)]
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    _ = dt
