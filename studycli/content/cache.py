"""Decks, incidents and the roadmap: YAML schema, loading, validation, search paths.

Content is the catalogue; the database is the memory. Every problem found is
reported as `file:line: what: field ...`, all of them at once. Parsing uses
libyaml (`CSafeLoader`) when present; the validated result is cached by file
fingerprint, so a normal start does not parse YAML at all.
"""

from __future__ import annotations

import marshal
import os
import threading
from pathlib import Path
from typing import Any

from studycli.content.model import BODY_FIELDS, Card, CardIndex, Catalogue, Deck, Figure

CACHE_FORMAT = 8  # bump when the cached shape of content changes


def _card_body(c: Card) -> tuple[Any, ...]:
    return (
        c.source, c.question, c.answer, c.key_points, c.red_flags, c.follow_ups,
        tuple((f.value, f.what, f.who, f.when) for f in c.figures), c.tips, c.probe, c.stage,
        c.origin,
    )  # fmt: skip


class _BodyReader:
    """Fills a lazily loaded card's body from the cache file, on first access."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: Any = None
        self._lock = threading.Lock()

    def __call__(self, card: Card) -> None:
        import sqlite3

        with self._lock:
            if self._conn is None:
                self._conn = sqlite3.connect(
                    f"file:{self.path}?mode=ro", uri=True, check_same_thread=False
                )
            row = self._conn.execute("SELECT body FROM cards WHERE id = ?", (card.id,)).fetchone()
        if row is None:  # the cache vanished under us: an unreadable card is better than a crash
            body: tuple[Any, ...] = ("", "", "", (), (), (), (), (), "", "", "")
        else:
            body = marshal.loads(row[0])
        for name, value in zip(BODY_FIELDS, body, strict=True):
            if name == "figures":
                value = tuple(Figure(*f) for f in value)
            object.__setattr__(card, name, value)


def _write_cache(path: Path, cat: Catalogue, fingerprint: str) -> None:
    import pickle
    import sqlite3

    tmp = path.with_suffix(".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)
        conn = sqlite3.connect(tmp)
        with conn:
            conn.execute("CREATE TABLE cards (id TEXT PRIMARY KEY, body BLOB) WITHOUT ROWID")
            conn.executemany(
                "INSERT INTO cards VALUES (?, ?)",
                ((c.id, marshal.dumps(_card_body(c))) for c in cat.cards.values()),
            )
            # The index fields of every card, one list per field, in catalogue order. Equal
            # values are made one object, which marshal then writes once and reads back once.
            cards = list(cat.cards.values())
            same: dict[Any, Any] = {}
            one = same.setdefault
            index = [
                [c.id for c in cards],
                [one(c.deck, c.deck) for c in cards],
                [one(c.level, c.level) for c in cards],
                [one(tags, tuple(one(t, t) for t in tags)) for tags in (c.tags for c in cards)],
            ]
            conn.execute(
                "CREATE TABLE rest (fingerprint TEXT, card_index BLOB, decks BLOB, other BLOB)"
            )
            decks = [tuple(d) for d in cat.decks.values()]
            conn.execute(
                "INSERT INTO rest VALUES (?, ?, ?, ?)",
                (
                    fingerprint,
                    marshal.dumps(index),
                    marshal.dumps(decks),
                    pickle.dumps((cat.incidents, cat.roadmap)),
                ),
            )
        conn.close()
        for old in path.parent.glob("content-*.sqlite"):  # named by key before 0.2
            old.unlink(missing_ok=True)
        os.replace(tmp, path)
    except (OSError, sqlite3.Error):
        tmp.unlink(missing_ok=True)  # a read-only home only costs parse time


def _read_cache(path: Path, fingerprint: str) -> Catalogue | None:
    import sqlite3

    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            built_from, index_blob, decks_blob, other_blob = conn.execute(
                "SELECT fingerprint, card_index, decks, other FROM rest"
            ).fetchone()
        finally:
            conn.close()
        if built_from != fingerprint:
            return None
        ids, decks, levels, tags = marshal.loads(index_blob)
        cat = Catalogue(cards=CardIndex(ids, decks, levels, tags, _BodyReader(path)))
        for d in marshal.loads(decks_blob):
            cat.decks[d[0]] = Deck(*d)
        import pickle

        cat.incidents, cat.roadmap = pickle.loads(other_blob)
    except Exception:  # noqa: BLE001 - any unreadable cache is simply rebuilt
        return None
    return cat
