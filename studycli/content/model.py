"""The catalogue's records: cards, decks, incidents, figures and the roadmap's weeks, days and
tasks, and `Catalogue`/`CardIndex`, which make a card's text on first access.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterable, Iterator, Mapping, Sequence, ValuesView
from dataclasses import dataclass, field
from typing import Any, NamedTuple

STAGES = ("screen", "technical", "system-design", "onsite", "behavioural")

TASK_KINDS = ("read", "build", "drill", "mock", "write")

INCIDENT_DECK = "incidents"

# A start reads id, deck, level and tags of every card (to filter and plan); these fields
# are read only when a card is shown.
BODY_FIELDS = (
    "source", "question", "answer", "key_points", "red_flags", "follow_ups", "figures", "tips",
    "probe", "stage", "origin", "see", "synonyms",
)  # fmt: skip

# Tags that organise content but mean nothing to a reader ("table": the answer is a table).
INTERNAL_TAGS = frozenset({"table"})

# Cards about interview craft itself (how rounds are scored, what to ask at the end): drilled
# like any card, but left out of mock interviews unless asked for with --tag meta.
META_TAG = "meta"


def shown_tags(tags: Iterable[str], deck: str = "") -> tuple[str, ...]:
    """The tags a user sees: without internal ones and without the deck's own name."""
    return tuple(t for t in tags if t not in INTERNAL_TAGS and t != deck)


class Figure(NamedTuple):
    value: str
    what: str
    who: str  # whoever first reported it (Anthropic, Reuters, a court, the article's author)
    when: str  # as precise as known; n.d. when undated
    via: str = ""  # id of the source entry it was taken from


class Source(NamedTuple):
    """One entry of a sources list: an article the content draws on, or a primary study."""

    id: str
    title: str
    author: str
    publication: str
    date: str
    file: str = ""
    url: str = ""
    note: str = ""
    path: str = ""  # "file:line" where it is defined


@dataclass(slots=True)  # not frozen: construction is ~10x cheaper, and start-up builds thousands
class Card:
    id: str
    deck: str
    level: str
    tags: tuple[str, ...]
    source: str
    question: str
    answer: str
    key_points: tuple[str, ...]
    red_flags: tuple[str, ...] = ()
    follow_ups: tuple[str, ...] = ()
    figures: tuple[Figure, ...] = ()
    tips: tuple[str, ...] = ()
    probe: str = ""
    stage: str = ""
    origin: str = ""  # "path:line" where the card is defined
    see: tuple[str, ...] = ()  # ids of related cards (cross-links)
    # word or phrase of the key points -> other ways of saying it (for the grader's evidence)
    synonyms: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Cards read from the content cache start with only their index fields; the rest
    # (question, answer, ...) is read from the cache on first use by this loader.
    _body: Any = field(default=None, repr=False, compare=False)

    def __getattr__(self, name: str) -> Any:
        # Only called for a slot never set: a lazily loaded card's body field.
        if name in BODY_FIELDS:
            loader = object.__getattribute__(self, "_body")
            if loader is not None:
                loader(self)
                return object.__getattribute__(self, name)
        raise AttributeError(name)

    @property
    def content_hash(self) -> str:
        """Hash of what the card says (not where it lives); a change is noted, not punished."""
        import hashlib

        text = "\x1f".join([self.question, self.answer, *self.key_points, *self.red_flags])
        if self.synonyms:  # they change grades; cards without them keep their hash
            text += "\x1e" + repr(self.synonyms)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Deck(NamedTuple):
    id: str
    title: str
    description: str
    path: str
    card_ids: tuple[str, ...]


class Incident(NamedTuple):
    id: str
    title: str
    case: str
    date: str
    level: str
    tags: tuple[str, ...]
    source: str
    what_happened: str
    root_cause: str
    impact: str
    mitigations: tuple[str, ...]
    probe: str
    lesson: str
    key_points: tuple[str, ...]
    figures: tuple[Figure, ...]
    sources: tuple[str, ...]
    red_flags: tuple[str, ...] = ()
    follow_ups: tuple[str, ...] = ()
    path: str = ""


class Task(NamedTuple):
    id: str
    kind: str
    text: str
    day: int
    katas: tuple[str, ...] = ()  # coding katas that practise the task ('studycli kata start ID')


class Day(NamedTuple):
    day: int
    week: int
    title: str
    focus: tuple[str, ...]
    tasks: tuple[Task, ...]


class Week(NamedTuple):
    week: int
    title: str
    goal: str
    targets: tuple[str, ...]
    days: tuple[Day, ...]


class Roadmap(NamedTuple):
    id: str
    title: str
    source: str
    weeks: tuple[Week, ...]
    path: str = ""

    @property
    def days(self) -> list[Day]:
        return [d for w in self.weeks for d in w.days]

    def day(self, number: int) -> Day | None:
        return next((d for d in self.days if d.day == number), None)

    def week_of(self, number: int) -> Week | None:
        return next((w for w in self.weeks if any(d.day == number for d in w.days)), None)

    @property
    def tasks(self) -> dict[str, Task]:
        return {t.id: t for d in self.days for t in d.tasks}


@dataclass
class Catalogue:
    """Everything loaded: cards by id (decks' and incidents'), decks, incidents, roadmap."""

    cards: Mapping[str, Card] = field(default_factory=dict)
    decks: dict[str, Deck] = field(default_factory=dict)
    incidents: dict[str, Incident] = field(default_factory=dict)
    roadmap: Roadmap | None = None
    sources: dict[str, Source] = field(default_factory=dict)
    roots: tuple[str, ...] = ()

    @property
    def tags(self) -> set[str]:
        tags = {t for c in self.cards.values() for t in c.tags}
        return tags | set(self.decks)

    def select_ids(
        self,
        decks: Sequence[str] = (),
        tags: Sequence[str] = (),
        levels: Sequence[str] = (),
    ) -> list[str]:
        """Ids of the cards matching every given filter (any value within one filter)."""
        if not (decks or tags or levels):
            return list(self.cards)
        if isinstance(self.cards, CardIndex):
            rows: Iterable[tuple[str, str, str, tuple[str, ...]]] = self.cards.rows()
        else:
            rows = ((c.id, c.deck, c.level, c.tags) for c in self.cards.values())
        wanted = set(tags)
        return [
            cid
            for cid, deck, level, card_tags in rows
            if (not decks or deck in decks)
            and (not tags or deck in wanted or not wanted.isdisjoint(card_tags))
            and (not levels or level in levels)
        ]

    def select(
        self,
        decks: Sequence[str] = (),
        tags: Sequence[str] = (),
        levels: Sequence[str] = (),
    ) -> list[Card]:
        """Cards matching every given filter (any value within one filter)."""
        return [self.cards[cid] for cid in self.select_ids(decks, tags, levels)]


class CardIndex(Mapping[str, Card]):
    """The content cache's cards by id: id, deck, level and tags of each are read at start,
    a Card object is made on first access and its text read when first used. A drill over
    10,000 cards then makes objects only for the cards it plans with or shows."""

    def __init__(
        self,
        ids: list[str],
        decks: list[str],
        levels: list[str],
        tags: list[tuple[str, ...]],
        body: Any,
    ) -> None:
        self._columns = (ids, decks, levels, tags)
        self._at = dict(zip(ids, range(len(ids)), strict=True))
        self._made: dict[str, Card] = {}
        self._body = body

    def rows(self) -> Iterator[tuple[str, str, str, tuple[str, ...]]]:
        """(id, deck, level, tags) of every card, in catalogue order, without making Cards."""
        return zip(*self._columns, strict=True)

    def __getitem__(self, card_id: str) -> Card:
        card = self._made.get(card_id)
        if card is None:
            i = self._at[card_id]
            _, decks, levels, tags = self._columns
            card = object.__new__(Card)
            card.id, card.deck, card.level, card.tags = card_id, decks[i], levels[i], tags[i]
            card._body = self._body
            self._made[card_id] = card
        return card

    def __contains__(self, card_id: object) -> bool:
        return card_id in self._at

    def values(self) -> ValuesView[Card]:
        return self._every_card().values()

    def items(self) -> ItemsView[str, Card]:
        return self._every_card().items()

    def _every_card(self) -> dict[str, Card]:
        """All cards made, in catalogue order; once, then lookups and iteration run at C speed."""
        if len(self._made) < len(self._at):
            made, body, new = self._made, self._body, object.__new__
            every: dict[str, Card] = {}
            for cid, deck, level, tags in zip(*self._columns, strict=True):
                card = made.get(cid)
                if card is None:
                    card = new(Card)
                    card.id, card.deck, card.level, card.tags, card._body = (
                        cid, deck, level, tags, body,
                    )  # fmt: skip
                every[cid] = card
            self._made = every
        return self._made

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns[0])

    def __len__(self) -> int:
        return len(self._at)
