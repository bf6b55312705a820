"""Anki export: the .apkg is imported into the real Anki library and read back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from studycli.content.model import INTERNAL_TAGS
from studycli.study.anki_export import FIELDS, deck_name, stable_id, text_to_html

from .helpers import write

NOW1 = "2026-11-22T09:00:00+00:00"
NOW2 = "2026-11-23T09:00:00+00:00"

DECK = """\
id: mydeck
title: My own deck
description: Cards written by the candidate.
cards:
  - id: mydeck-latency
    level: senior
    tags: [mydeck, latency, cost]
    source: notes.txt
    question: Why is p99 < p50 impossible & what does it mean if a dashboard shows it?
    answer: |
      Percentiles are ordered by definition.

      A dashboard showing it is mixing windows:
      - different sampling periods
      - averaged percentiles
    key_points:
      - Percentiles are monotone
      - Averaging percentiles across hosts is wrong
      - Check the aggregation window
    red_flags:
      - Trusting the averaged p99
  - id: mydeck-tokens
    level: junior
    tags: [mydeck, cost]
    source: notes.txt
    question: What is a token?
    answer: A unit of text the model reads and writes.
    key_points:
      - Subword unit
      - Billing is per token
      - Roughly four characters of English
"""


def anki_notes(apkg: Path, collection: Path, *, again: Path | None = None):
    """Import .apkg files into a new real Anki collection; return its notes and their count."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col = Collection(str(collection))
    try:
        for package in [apkg] + ([again] if again else []):
            col.import_anki_package(
                ImportAnkiPackageRequest(
                    package_path=str(package), options=ImportAnkiPackageOptions()
                )
            )
        notes = {}
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            cards = note.cards()
            notes[note["Card ID"]] = {
                "fields": dict(note.items()),
                "tags": sorted(note.tags),
                "guid": note.guid,
                "decks": {col.decks.name(c.did) for c in cards},
                "cards": len(cards),
            }
        return notes, col.note_count()
    finally:
        col.close()


@pytest.fixture
def content(tmp_path: Path) -> Path:
    write(tmp_path / "mine" / "decks" / "mydeck.yaml", DECK)
    return tmp_path / "mine"


def test_whole_catalogue_imports_into_anki(cli, catalogue, tmp_path):
    out = tmp_path / "all.apkg"
    r = cli("export", "anki", "-o", str(out), now=NOW1)
    assert r.exit_code == 0, r.output
    assert (
        r.output.strip()
        == f"wrote {len(catalogue.cards)} notes in {len(catalogue.decks)} decks to {out}"
    )
    notes, count = anki_notes(out, tmp_path / "col.anki2")
    assert count == len(catalogue.cards) == len(notes)
    for card in catalogue.cards.values():
        note = notes[card.id]
        assert note["decks"] == {deck_name(card.deck)}
        assert note["tags"] == sorted(t for t in card.tags if t not in INTERNAL_TAGS)
        assert note["cards"] == 1
        assert list(note["fields"]) == list(FIELDS)
        assert note["fields"]["Level"] == card.level
    some = next(iter(catalogue.cards.values()))
    assert notes[some.id]["fields"]["Key points"].count("<li>") == len(some.key_points)


def test_fields_decks_tags_and_filters(cli, content, tmp_path):
    out = tmp_path / "mine.apkg"
    r = cli(
        "--content", str(content), "export", "anki", "-o", str(out), "--deck", "mydeck", now=NOW1
    )
    assert r.exit_code == 0, r.output
    assert "wrote 2 notes in 1 decks" in r.output
    notes, count = anki_notes(out, tmp_path / "col.anki2")
    assert count == 2
    note = notes["mydeck-latency"]
    assert note["decks"] == {"studycli::mydeck"}
    assert note["tags"] == ["cost", "latency", "mydeck"]
    f = note["fields"]
    assert (
        f["Question"]
        == "Why is p99 &lt; p50 impossible &amp; what does it mean if a dashboard shows it?"
    )
    assert f["Answer"] == (
        "<p>Percentiles are ordered by definition.</p>"
        "<p>A dashboard showing it is mixing windows:</p>"
        "<ul><li>different sampling periods</li><li>averaged percentiles</li></ul>"
    )
    assert f["Key points"] == (
        "<ul><li>Percentiles are monotone</li><li>Averaging percentiles across hosts is wrong</li>"
        "<li>Check the aggregation window</li></ul>"
    )
    assert f["Red flags"] == "<ul><li>Trusting the averaged p99</li></ul>"
    assert f["Follow-ups"] == ""
    assert (f["Level"], f["Card ID"]) == ("senior", "mydeck-latency")

    r = cli(
        "--content",
        str(content),
        "export",
        "anki",
        "-o",
        str(out),
        "-d",
        "mydeck",
        "-t",
        "latency",
        now=NOW1,
    )
    assert "wrote 1 notes in 1 decks" in r.output


def test_reexport_updates_notes_instead_of_duplicating(cli, content, tmp_path):
    first, second = tmp_path / "v1.apkg", tmp_path / "v2.apkg"
    assert (
        cli(
            "--content", str(content), "export", "anki", "-o", str(first), "-d", "mydeck", now=NOW1
        ).exit_code
        == 0
    )
    # The candidate rewords a card; the card id (and so the note's GUID) stays.
    deck = content / "decks" / "mydeck.yaml"
    deck.write_text(deck.read_text().replace("What is a token?", "What is a token, really?"))
    assert (
        cli(
            "--content", str(content), "export", "anki", "-o", str(second), "-d", "mydeck", now=NOW2
        ).exit_code
        == 0
    )

    once, _ = anki_notes(first, tmp_path / "one.anki2")
    both, count = anki_notes(first, tmp_path / "two.anki2", again=second)
    assert count == 2  # updated, not duplicated
    assert both["mydeck-tokens"]["fields"]["Question"] == "What is a token, really?"
    assert both["mydeck-tokens"]["guid"] == once["mydeck-tokens"]["guid"]
    assert both["mydeck-latency"] == once["mydeck-latency"]


def test_ids_are_stable_and_in_ankis_range():
    assert stable_id("studycli-deck", "rag") == stable_id("studycli-deck", "rag")
    assert stable_id("studycli-deck", "rag") != stable_id("studycli-deck", "agents")
    assert all(2**30 <= stable_id("x", str(i)) < 2**31 for i in range(200))


def test_text_to_html_escapes_and_keeps_structure():
    # A line break inside a paragraph is a space; raw HTML is text.
    assert (
        text_to_html("a <b>\nc\n\n- x & y\n- z")
        == "<p>a &lt;b&gt; c</p><ul><li>x &amp; y</li><li>z</li></ul>"
    )


def test_bad_options_are_one_line(cli, tmp_path):
    r = cli("export", "anki", "--deck", "nope", "-o", str(tmp_path / "x.apkg"))
    assert r.exit_code == 2 and r.stderr.startswith("studycli: --deck: no deck 'nope'")
    target = tmp_path / "no-such-dir" / "x.apkg"
    r = cli("export", "anki", "-o", str(target), now=NOW1)
    assert r.exit_code == 2
    assert r.stderr.strip().splitlines() == [
        f"studycli: --output: cannot write {target}: No such file or directory"
    ]
    assert not list(tmp_path.glob("no-such-dir*"))


def test_export_uses_the_clock_it_is_given(cli, tmp_path):
    import sqlite3
    import zipfile

    out = tmp_path / "t.apkg"
    cli("export", "anki", "-o", str(out), "-d", "rag", now=NOW1)
    with zipfile.ZipFile(out) as z:
        (tmp_path / "c.anki2").write_bytes(z.read("collection.anki2"))
    conn = sqlite3.connect(tmp_path / "c.anki2")
    mods = {r[0] for r in conn.execute("SELECT mod FROM notes")}
    conn.close()
    assert mods == {int(dt.datetime.fromisoformat(NOW1).timestamp())}
