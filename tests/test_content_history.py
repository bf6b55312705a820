"""Editing content under a user with history.

Progress is keyed on each card's id, never its text: a reworded card keeps its history; a
removed card keeps its rows, drops out of every queue and comes back with its history when
restored; a changed id is a new card, and `decks validate` reports the old id as orphaned
with its review count.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml

from .helpers import write

DAY1, DAY2, DAY3 = (
    "2026-11-22T09:00:00+00:00",
    "2026-11-23T09:00:00+00:00",
    "2026-11-24T09:00:00+00:00",
)


def card(cid: str, question: str) -> dict[str, Any]:
    return {
        "id": cid,
        "level": "junior",
        "tags": ["history"],
        "source": "test",
        "question": question,
        "answer": f"The answer to: {question}",
        "key_points": ["first point", "second point", "third point"],
    }


ORIGINAL = [
    card("hist-one", "What is the first thing?"),
    card("hist-two", "What is the second thing?"),
    card("hist-three", "What is the third thing?"),
]


@pytest.fixture
def deck(tmp_path: Path):
    """write_deck(cards): (re)write the user's deck; returns the content folder."""
    folder = tmp_path / "mine"

    def write_deck(cards: list[dict[str, Any]]) -> Path:
        data = {"id": "hist", "title": "History deck", "cards": cards}
        write(folder / "decks" / "hist.yaml", yaml.safe_dump(data, sort_keys=False))
        return folder

    write_deck(ORIGINAL)
    return write_deck


@pytest.fixture
def drill(cli, deck):
    folder = deck(ORIGINAL)

    def run(now: str, answers: str, *extra: str, content: Path | None = None):
        """Drill the 'hist' deck of the original content, or of `content` when given."""
        r = cli(
            "--content",
            str(content or folder),
            "drill",
            "--deck",
            "hist",
            *extra,
            now=now,
            input=answers + "/quit\n",
        )
        assert r.exit_code == 0, r.output
        return r

    return run


def reviews(home: Path, card_id: str) -> list[int]:
    db = sqlite3.connect(home / "studycli.db")
    try:
        rows = db.execute(
            "SELECT rating FROM review_entries WHERE card_id = ? AND kind = 'review' AND uid NOT IN "
            "(SELECT ref FROM review_entries WHERE kind = 'undo') ORDER BY id",
            (card_id,),
        ).fetchall()
    finally:
        db.close()
    return [r for (r,) in rows]


def state(home: Path, card_id: str) -> tuple[int, int] | None:
    db = sqlite3.connect(home / "studycli.db")
    try:
        return db.execute(
            "SELECT reps, due_day FROM card_state WHERE card_id = ?", (card_id,)
        ).fetchone()
    finally:
        db.close()


def day_one(drill) -> None:
    """Good, Good (undone, then Easy), Hard: hist-three is due tomorrow, the others later."""
    r = drill(DAY1, "a\n\n3\nb\n\n3\n/undo\nb again\n\n4\nc\n\n2\n", "--new", "3")
    assert (
        r.output.count(" saved · back in") == 4 and "Undid the last rating of hist-two" in r.output
    )


def orphans(output: str) -> dict[str, int]:
    return {cid: int(n) for cid, n in re.findall(r"^  (\S+)  (\d+) reviews?$", output, re.M)}


def test_reworded_card_keeps_its_history(cli, isolated_home, deck, drill):
    day_one(drill)
    before = state(isolated_home, "hist-three")
    reworded = [
        ORIGINAL[0],
        ORIGINAL[1],
        card("hist-three", "Put the third thing in your own words?"),
    ]
    reworded[2]["key_points"] = [
        "a new first point",
        "second point",
        "third point",
        "a fourth point",
    ]
    folder = deck(reworded)
    assert state(isolated_home, "hist-three") == before
    r = cli("--content", str(folder), "drill", "--deck", "hist", now=DAY2, input="c2\n\n3\n/quit\n")
    assert r.exit_code == 0
    assert (
        "1/1" in r.output and "Put the third thing in your own words?" in r.output
    )  # due, new text
    assert reviews(isolated_home, "hist-three") == [2, 3]
    assert state(isolated_home, "hist-three")[0] == 2
    r = cli("--content", str(folder), "cards", "show", "hist-three")
    assert "reviews 2" in r.output
    r = cli("--content", str(folder), "decks", "validate")
    assert r.exit_code == 0 and "orphaned" not in r.output
    assert cli("--content", str(folder), "doctor").exit_code == 0


def test_removed_card_leaves_the_queues_and_comes_back_with_its_history(
    cli, isolated_home, deck, drill
):
    day_one(drill)
    folder = deck(ORIGINAL[:2])  # hist-three, due tomorrow, is removed from the deck
    r = cli(
        "--content", str(folder), "drill", "--deck", "hist", "--new", "5", now=DAY2, input="/quit\n"
    )
    assert r.exit_code == 0 and "Nothing is due right now" in r.output
    r = cli(
        "--content", str(folder), "drill", now=DAY2, input="/quit\n"
    )  # unfiltered, paced by the plan
    assert "What is the third thing?" not in r.output
    r = cli("--content", str(folder), "today", now=DAY2)
    row = re.search(r"^hist\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$", r.output, re.M)
    assert (
        r.exit_code == 0 and row and row.groups() == ("0", "0", "0", "2")
    )  # due, new, unseen, cards
    stats = json.loads(cli("--content", str(folder), "stats", "--json", now=DAY2).output)
    assert stats["reviews"]["total"] == 3
    r = cli("--content", str(folder), "decks", "validate")
    assert r.exit_code == 0, r.output
    assert orphans(r.output) == {"hist-three": 1}
    assert reviews(isolated_home, "hist-three") == [2]  # the rows are kept

    folder = deck(ORIGINAL)  # restored: due again, with its history
    r = cli("--content", str(folder), "drill", "--deck", "hist", now=DAY2, input="c2\n\n3\n/quit\n")
    assert "1/1" in r.output and "What is the third thing?" in r.output
    assert (
        reviews(isolated_home, "hist-three") == [2, 3]
        and state(isolated_home, "hist-three")[0] == 2
    )
    r = cli("--content", str(folder), "decks", "validate")
    assert "orphaned" not in r.output
    assert cli("--content", str(folder), "doctor").exit_code == 0


def test_changed_id_is_a_new_card_and_the_old_id_is_reported_orphaned(
    cli, isolated_home, deck, drill
):
    day_one(drill)
    renamed = [ORIGINAL[0], card("hist-two-v2", "What is the second thing?"), ORIGINAL[2]]
    folder = deck(renamed)
    r = cli("--content", str(folder), "cards", "show", "hist-two-v2")
    assert "new: not seen yet" in r.output
    r = drill(DAY2, "", "--new", "5", content=folder)
    assert "1 due · 1 new" in r.output  # hist-three due, the renamed card new
    r = cli("--content", str(folder), "decks", "validate")
    assert r.exit_code == 0
    assert "1 orphaned card id(s)" in r.output
    assert orphans(r.output) == {"hist-two": 1}  # its undone review is not counted
    assert reviews(isolated_home, "hist-two") == [4]

    r = cli("--content", str(folder), "decks", "validate", str(folder / "decks" / "hist.yaml"))
    assert r.exit_code == 0 and "orphaned" not in r.output  # only a whole-content check knows
    drill(DAY3, "x\n\n3\ny\n\n3\nz\n\n3\n", "--new", "5", content=folder)
    assert state(isolated_home, "hist-two-v2")[0] == 1 and state(isolated_home, "hist-two")[0] == 1


def test_validate_without_a_database_creates_none(cli, isolated_home, deck):
    r = cli("--content", str(deck(ORIGINAL)), "decks", "validate")
    assert r.exit_code == 0 and "orphaned" not in r.output
    assert not (isolated_home / "studycli.db").exists()
