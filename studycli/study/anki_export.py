"""Anki packages (.apkg) of the catalogue, written with genanki: one note per card.

Every id is derived from studycli's own stable ids, never from text or the clock:
the note GUID from the card id, the Anki deck id from the deck id, the note type
id from a fixed name. Re-exporting after a card's wording changed therefore
updates the note in Anki instead of adding a duplicate, and the candidate's Anki
review history on that note is kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from studycli.content.markup import inline_html, to_html
from studycli.content.model import INTERNAL_TAGS, Card, Catalogue
from studycli.errors import UsageError

DECK_PARENT = "studycli"

NOTE_TYPE_NAME = "studycli card (v1)"

# The note type's fields are part of its identity in Anki: never reorder or rename them;
# a new field means a new NOTE_TYPE_NAME (and so a new note type id).
FIELDS = ("Question", "Answer", "Key points", "Red flags", "Follow-ups", "Level", "Card ID")

CSS = """\
.card { font-family: system-ui, sans-serif; font-size: 18px; text-align: left; line-height: 1.45;
        color: #1d1d1f; background: #fff; max-width: 46em; margin: 0 auto; }
.nightMode .card, .card.nightMode { color: #eee; background: #1e1e1e; }
.meta { font-size: 13px; color: #888; margin-bottom: .6em; }
.question { font-weight: 600; }
pre { background: #f4f4f6; padding: .6em .8em; border-radius: 6px; overflow-x: auto;
      font-size: 15px; line-height: 1.35; }
.nightMode pre { background: #2a2a2e; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; }
table { border-collapse: collapse; } th, td { border: 1px solid #ccc; padding: .2em .5em; }
h4 { margin: 1em 0 .3em; font-size: 15px; text-transform: uppercase; letter-spacing: .04em;
     color: #888; }
"""

FRONT = '<div class="meta">{{Deck}} · {{Level}}</div>\n<div class="question">{{Question}}</div>'

BACK = (
    "{{FrontSide}}\n<hr id=answer>\n{{Answer}}\n"
    "{{#Key points}}<h4>Key points</h4>{{Key points}}{{/Key points}}\n"
    "{{#Red flags}}<h4>Red flags</h4>{{Red flags}}{{/Red flags}}\n"
    "{{#Follow-ups}}<h4>Follow-ups</h4>{{Follow-ups}}{{/Follow-ups}}"
)


def stable_id(*parts: str) -> int:
    """An Anki object id from names: in genanki's recommended range [2**30, 2**31)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


def deck_name(deck_id: str) -> str:
    return f"{DECK_PARENT}::{deck_id}"


def text_to_html(text: str) -> str:
    """Card text (Markdown) as HTML: paragraphs, lists, code blocks whole in <pre><code>."""
    return to_html(text)


def list_html(items: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{inline_html(i)}</li>" for i in items) + "</ul>" if items else ""


def note_fields(card: Card) -> list[str]:
    return [
        inline_html(card.question),
        text_to_html(card.answer),
        list_html(card.key_points),
        list_html(card.red_flags),
        list_html(card.follow_ups),
        card.level,
        card.id,
    ]


def anki_tags(card: Card) -> list[str]:
    # Anki tags are whitespace-separated words; studycli tags are already single words.
    return sorted({t.replace(" ", "_") for t in card.tags if t not in INTERNAL_TAGS})


@dataclass(frozen=True)
class AnkiExport:
    path: Path
    notes: int
    decks: int


def export_anki(
    catalogue: Catalogue, cards: Sequence[Card], path: Path, now: dt.datetime
) -> AnkiExport:
    """Write `cards` to an .apkg at `path` (atomically), one Anki deck per studycli deck."""
    import genanki

    if not cards:
        raise UsageError("no cards match the given filters; nothing to export")
    model = genanki.Model(
        stable_id("studycli-note-type", NOTE_TYPE_NAME),
        NOTE_TYPE_NAME,
        fields=[{"name": f} for f in FIELDS],
        templates=[{"name": "Recall", "qfmt": FRONT, "afmt": BACK}],
        css=CSS,
        sort_field_index=0,
    )
    decks: dict[str, genanki.Deck] = {}
    for card in sorted(cards, key=lambda c: (c.deck, c.id)):
        deck = decks.get(card.deck)
        if deck is None:
            info = catalogue.decks.get(card.deck)
            deck = genanki.Deck(
                stable_id("studycli-deck", card.deck),
                deck_name(card.deck),
                description=html.escape(info.title if info else card.deck),
            )
            decks[card.deck] = deck
        deck.add_note(
            genanki.Note(
                model=model,
                fields=note_fields(card),
                tags=anki_tags(card),
                guid=genanki.guid_for("studycli", card.id),
                sort_field=card.question,
            )
        )
    package = genanki.Package(list(decks.values()))
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        package.write_to_file(str(tmp), timestamp=now.timestamp())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"--output: cannot write {path}: {exc.strerror or exc}") from None
    return AnkiExport(path, len(cards), len(decks))
