"""The content cache: validated content kept between starts, so a normal start parses no YAML.

The card index (id, deck, level, tags) is one marshalled value with repeated values
written once; each card's text is read on first access (`CardIndex`). The file itself
is `storage.content_cache`.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from studycli.content.model import BODY_FIELDS, Card, CardIndex, Catalogue, Deck, Figure
from studycli.storage.content_cache import BodyFile, CacheHead, read_cache_head, write_cache_file

CACHE_FORMAT = 10  # bump when the cached shape of content changes


def _card_body(c: Card) -> tuple[Any, ...]:
    return (
        c.source, c.question, c.answer, c.key_points, c.red_flags, c.follow_ups,
        tuple(tuple(f) for f in c.figures), c.tips, c.probe, c.stage, c.origin, c.see,
        c.synonyms,
    )  # fmt: skip


class _BodyReader:
    """Fills a lazily loaded card's body from the cache file, on first access.

    A cache that cannot be read (deleted, damaged) is not the user's problem: the card is
    read from the content itself (`reload`, once), and the cache file is removed so that
    the next start writes it afresh."""

    def __init__(self, path: Path, reload: Callable[[], Catalogue] | None = None) -> None:
        self.path = path
        self.read = BodyFile(path)
        self.reload = reload
        self._fresh: Catalogue | None = None

    def __call__(self, card: Card) -> None:
        blob = self.read(card.id)
        fresh = self._from_content(card.id) if blob is None else None
        if fresh is not None:
            body: tuple[Any, ...] = _card_body(fresh)
        elif blob is None:  # no cache and no content left to read: an empty card, not a crash
            body = ("", "", "", (), (), (), (), (), "", "", "", (), ())
        else:
            body = marshal.loads(blob)
        for name, value in zip(BODY_FIELDS, body, strict=True):
            if name == "figures":
                value = tuple(Figure(*f) for f in value)
            object.__setattr__(card, name, value)

    def _from_content(self, card_id: str) -> Card | None:
        if self.reload is None:
            return None
        if self._fresh is None:
            self.path.unlink(missing_ok=True)
            self._fresh = self.reload()
        return self._fresh.cards.get(card_id)


def _write_cache(path: Path, cat: Catalogue, fingerprint: str) -> None:
    import pickle

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
    head = CacheHead(
        fingerprint,
        marshal.dumps(index),
        marshal.dumps([tuple(d) for d in cat.decks.values()]),
        pickle.dumps((cat.incidents, cat.roadmap, cat.sources)),
    )
    write_cache_file(path, head, ((c.id, marshal.dumps(_card_body(c))) for c in cards))


def _read_cache(
    path: Path, fingerprint: str, reload: Callable[[], Catalogue] | None = None
) -> Catalogue | None:
    head = read_cache_head(path)
    if head is None or head.fingerprint != fingerprint:
        return None
    try:
        ids, decks, levels, tags = marshal.loads(head.card_index)
        cat = Catalogue(cards=CardIndex(ids, decks, levels, tags, _BodyReader(path, reload)))
        for d in marshal.loads(head.decks):
            cat.decks[d[0]] = Deck(*d)
        import pickle

        cat.incidents, cat.roadmap, cat.sources = pickle.loads(head.other)
    except Exception:  # noqa: BLE001 - any unreadable cache is simply rebuilt
        return None
    return cat
