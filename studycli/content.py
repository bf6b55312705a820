"""Decks, incidents and the roadmap: YAML schema, loading, validation, search paths.

Content is the catalogue; the database is the memory. Every problem found is
reported as `file:line: what: field ...`, all of them at once. Parsing uses
libyaml (`CSafeLoader`) when present; the validated result is cached by file
fingerprint, so a normal start does not parse YAML at all.
"""

from __future__ import annotations

import marshal
import os
import re
import threading
from collections.abc import ItemsView, Iterable, Iterator, Mapping, Sequence, ValuesView
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from . import __version__
from .errors import ContentError

LEVELS = ("junior", "mid", "senior", "staff")
STAGES = ("screen", "technical", "system-design", "onsite", "behavioural")
TASK_KINDS = ("read", "build", "drill", "mock", "write")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 12
INCIDENT_DECK = "incidents"
CACHE_FORMAT = 8  # bump when the cached shape of content changes
# A start reads id, deck, level and tags of every card (to filter and plan); these fields
# are read only when a card is shown.
BODY_FIELDS = (
    "source", "question", "answer", "key_points", "red_flags", "follow_ups", "figures", "tips",
    "probe", "stage", "origin",
)  # fmt: skip


# --------------------------------------------------------------------------- model


class Figure(NamedTuple):
    value: str
    what: str
    who: str
    when: str


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


# --------------------------------------------------------------------------- paths


def bundled_root() -> Path:
    """The content shipped with studycli: inside the wheel, or the checkout's top level."""
    here = Path(__file__).resolve().parent
    packaged = here / "_content"
    if packaged.is_dir():
        return packaged
    return here.parent


def content_roots(extra: Iterable[str | os.PathLike[str]] = ()) -> list[Path]:
    """Bundled content first, then $STUDYCLI_CONTENT (path list), then --content dirs."""
    roots = [bundled_root()]
    env = os.environ.get("STUDYCLI_CONTENT", "")
    roots += [Path(p).expanduser() for p in env.split(os.pathsep) if p.strip()]
    roots += [Path(p).expanduser() for p in extra]
    # absolute, so the content cache is the same whichever way a folder was named
    return [r if r.is_absolute() else Path.cwd() / r for r in roots]


def content_files(roots: Sequence[Path]) -> list[tuple[str, Path]]:
    """(kind, path) for every YAML file under each root's decks/, incidents/, roadmap/.

    A root that is itself a folder of YAML files (no such sub-folders) is read as decks.
    """
    files: list[tuple[str, Path]] = []
    for root in roots:
        found = False
        for kind in ("decks", "incidents", "roadmap"):
            sub = root / kind
            if sub.is_dir():
                found = True
                files += [
                    (kind, p) for p in sorted(sub.glob("*.y*ml")) if p.suffix in (".yaml", ".yml")
                ]
        if not found and root.is_dir():
            files += [
                ("decks", p) for p in sorted(root.glob("*.y*ml")) if p.suffix in (".yaml", ".yml")
            ]
    return files


def display_path(path: Path) -> str:
    """A path as the user should see it: relative to the working directory when under it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


# --------------------------------------------------------------------------- parsing


class _Problems:
    """Collects problems for one file; resolves data paths to line numbers via the node tree."""

    def __init__(self, display: str, node: Any = None, text: str = "") -> None:
        self.display = display
        self.node = node
        self.text = text
        self.items: list[str] = []

    def add(self, path: tuple[Any, ...], message: str) -> None:
        line = _line_of(self.node, path) if self.node is not None else None
        where = f"{self.display}:{line}" if line else self.display
        self.items.append(f"{where}: {message}")


def _line_of(node: Any, path: tuple[Any, ...]) -> int | None:
    """1-based line of the value at `path` (keys and indexes); the nearest parent if missing."""
    import yaml

    line = node.start_mark.line + 1
    for step in path:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            for key, value in node.value:
                if getattr(key, "value", None) == step:
                    line = key.start_mark.line + 1
                    node = value
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if step >= len(node.value):
                return line
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _check_nodes(node: Any, problems: _Problems) -> bool:
    """Reject anchors/aliases (YAML bombs), excessive nesting and duplicate keys."""
    import yaml

    seen: set[int] = set()
    stack = [(node, 0)]
    ok = True
    while stack:
        current, depth = stack.pop()
        if id(current) in seen:
            problems.items.append(
                f"{problems.display}:{_first_alias_line(problems.text) or current.start_mark.line + 1}: "
                "YAML anchors and aliases are not allowed in content"
            )
            return False
        seen.add(id(current))
        if depth > MAX_DEPTH:
            problems.items.append(
                f"{problems.display}:{current.start_mark.line + 1}: nesting deeper than {MAX_DEPTH} levels"
            )
            return False
        if isinstance(current, yaml.MappingNode):
            keys: dict[str, int] = {}
            for key, value in current.value:
                name = getattr(key, "value", None)
                if isinstance(name, str) and name in keys:
                    problems.items.append(
                        f"{problems.display}:{key.start_mark.line + 1}: duplicate key '{name}' "
                        f"(first on line {keys[name]})"
                    )
                    ok = False
                elif isinstance(name, str):
                    keys[name] = key.start_mark.line + 1
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in current.value)
    return ok


def _first_alias_line(text: str) -> int | None:
    import yaml

    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        for event in yaml.parse(text, Loader=loader_cls):
            if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
                return int(event.start_mark.line) + 1
    except yaml.YAMLError:
        return None
    return None


def parse_yaml(path: Path, display: str) -> tuple[Any, Any, list[str]]:
    """(data, node tree, problems) for one file. Never raises for bad content."""
    import yaml

    problems = _Problems(display)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, None, [f"{display}: cannot read file: {exc.strerror or exc}"]
    if len(raw) > MAX_FILE_BYTES:
        return None, None, [f"{display}: file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB"]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, None, [f"{display}:{line}: not valid UTF-8 (byte {exc.start})"]
    text = text.removeprefix("\ufeff")
    # libyaml's composer recurses per nesting level: refuse absurd flow nesting before parsing.
    if _flow_depth(text) > MAX_DEPTH * 4:
        return None, None, [f"{display}: nesting deeper than {MAX_DEPTH} levels"]
    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_cls(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None, [f"{display}: file is empty"]
        problems.node = node
        problems.text = text
        if not _check_nodes(node, problems):
            return None, node, problems.items
        data = loader.construct_document(node)
        if data is None:  # `~` or `null` alone: not silently skipped
            return (
                None,
                node,
                [f"{display}:{node.start_mark.line + 1}: file holds no content (a null document)"],
            )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{display}:{mark.line + 1}" if mark else display
        what = exc.problem or "invalid YAML"
        return None, None, [f"{where}: YAML syntax error: {what}"]
    except yaml.reader.ReaderError as exc:  # e.g. a control character: name its line
        at = exc.position if isinstance(exc.position, int) else None
        where = f"{display}:{text[:at].count(chr(10)) + 1}" if at is not None else display
        return None, None, [f"{where}: YAML error: {str(exc).splitlines()[0]}"]
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        return (
            None,
            None,
            [
                f"{display}: YAML error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
            ],
        )
    finally:
        loader.dispose()
    return data, node, problems.items


_BRACKETS = re.compile(r"[\[\]{}]")


def _flow_depth(text: str) -> int:
    depth = best = 0
    for ch in _BRACKETS.findall(text):
        if ch in "[{":
            depth += 1
            best = max(best, depth)
        elif ch in "]}":
            depth = max(0, depth - 1)
    return best


# --------------------------------------------------------------------------- validation

CARD_FIELDS = {
    "id", "level", "tags", "source", "question", "answer", "key_points",
    "red_flags", "follow_ups", "figures", "tips", "probe", "stage",
}  # fmt: skip
CARD_REQUIRED = ("id", "level", "tags", "source", "question", "answer", "key_points")
DECK_FIELDS = {"id", "title", "description", "cards"}
INCIDENT_FIELDS = {
    "id", "title", "case", "date", "level", "tags", "source", "what_happened", "root_cause",
    "impact", "mitigations", "probe", "lesson", "key_points", "figures", "sources",
    "red_flags", "follow_ups",
}  # fmt: skip
INCIDENT_REQUIRED = (
    "id", "title", "case", "date", "level", "tags", "source", "what_happened", "root_cause",
    "impact", "mitigations", "probe", "lesson", "key_points", "figures", "sources",
)  # fmt: skip
FIGURE_FIELDS = ("value", "what", "who", "when")
ROADMAP_FIELDS = {"id", "title", "source", "weeks"}
WEEK_FIELDS = {"week", "title", "goal", "targets", "days"}
DAY_FIELDS = {"day", "title", "focus", "tasks"}
TASK_FIELDS = {"id", "kind", "text"}


class _Validator:
    """Type checks with messages that say what is wrong and where."""

    def __init__(self, problems: _Problems) -> None:
        self.p = problems

    def mapping(self, value: Any, path: tuple[Any, ...], what: str) -> bool:
        if not isinstance(value, dict):
            self.p.add(path, f"{what} must be a mapping")
            return False
        return True

    def fields(
        self,
        data: dict[str, Any],
        path: tuple[Any, ...],
        what: str,
        allowed: set[str],
        required: Sequence[str],
    ) -> None:
        for key in data:
            if key not in allowed:
                self.p.add(path + (key,), f"{what}: unknown field '{key}'")
        for key in required:
            if key not in data or data[key] is None:
                self.p.add(path, f"{what}: missing required field '{key}'")

    def text(
        self,
        data: dict[str, Any],
        key: str,
        path: tuple[Any, ...],
        what: str,
        *,
        required: bool = True,
        max_len: int = 20000,
    ) -> str:
        value = data.get(key)
        if value is None:
            return ""  # missing required fields are reported once, by fields()
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.p.add(path + (key,), f"{what}: {key} must be text")
            return ""
        value = str(value).strip()
        if required and not value:
            self.p.add(path + (key,), f"{what}: {key} must not be empty")
        if len(value) > max_len:
            self.p.add(path + (key,), f"{what}: {key} is longer than {max_len} characters")
        return value

    def strings(
        self,
        data: dict[str, Any],
        key: str,
        path: tuple[Any, ...],
        what: str,
        lo: int = 0,
        hi: int = 50,
        max_len: int = 2000,
    ) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        bounds = f"{lo}-{hi}" if lo else f"at most {hi}"
        ok = isinstance(value, list) and lo <= len(value) <= hi
        ok = ok and all(isinstance(v, str) and v.strip() for v in value)
        if not ok:
            self.p.add(path + (key,), f"{what}: {key} must be a list of {bounds} strings")
            return ()
        if any(len(v) > max_len for v in value):
            self.p.add(path + (key,), f"{what}: {key} has an item longer than {max_len} characters")
        return tuple(v.strip() for v in value)

    def ident(self, data: dict[str, Any], path: tuple[Any, ...], what: str) -> str:
        value = data.get("id")
        if value is None:
            return ""
        if not isinstance(value, str) or not ID_RE.match(value) or len(value) > 80:
            self.p.add(
                path + ("id",),
                f"{what}: id must be lowercase letters, digits and hyphens (got {value!r})",
            )
            return ""
        return value

    def choice(
        self,
        data: dict[str, Any],
        key: str,
        path: tuple[Any, ...],
        what: str,
        options: Sequence[str],
        *,
        required: bool = True,
    ) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if value not in options:
            self.p.add(
                path + (key,), f"{what}: {key} must be one of {', '.join(options)} (got {value!r})"
            )
            return ""
        return str(value)

    def figures(self, data: dict[str, Any], path: tuple[Any, ...], what: str) -> tuple[Figure, ...]:
        value = data.get("figures")
        if value is None:
            return ()
        if not isinstance(value, list):
            self.p.add(
                path + ("figures",),
                f"{what}: figures must be a list of mappings with {', '.join(FIGURE_FIELDS)}",
            )
            return ()
        out = []
        for i, fig in enumerate(value):
            fpath = path + ("figures", i)
            if (
                not isinstance(fig, dict)
                or set(fig) != set(FIGURE_FIELDS)
                or not all(
                    isinstance(fig[k], (str, int, float))
                    and not isinstance(fig[k], bool)
                    and str(fig[k]).strip()
                    for k in FIGURE_FIELDS
                )
            ):
                self.p.add(
                    fpath,
                    f"{what}: figures[{i}] must have exactly value, what, who, when (all text)",
                )
                continue
            out.append(Figure(*(str(fig[k]).strip() for k in FIGURE_FIELDS)))
        return tuple(out)


def _parse_card(
    v: _Validator, raw: Any, path: tuple[Any, ...], deck: str, origin: str
) -> Card | None:
    if not v.mapping(raw, path, f"card {path[-1] + 1}"):
        return None
    before = len(v.p.items)
    cid = v.ident(raw, path, f"card {path[-1] + 1}")
    what = f"card '{cid}'" if cid else f"card {path[-1] + 1}"
    v.fields(raw, path, what, CARD_FIELDS, CARD_REQUIRED)
    card = Card(
        id=cid,
        deck=deck,
        level=v.choice(raw, "level", path, what, LEVELS),
        tags=v.strings(raw, "tags", path, what, 1, 12, 40),
        source=v.text(raw, "source", path, what, max_len=200),
        question=v.text(raw, "question", path, what, max_len=2000),
        answer=v.text(raw, "answer", path, what),
        key_points=v.strings(raw, "key_points", path, what, 3, 7, 400),
        red_flags=v.strings(raw, "red_flags", path, what, 0, 20),
        follow_ups=v.strings(raw, "follow_ups", path, what, 0, 20),
        figures=v.figures(raw, path, what),
        tips=v.strings(raw, "tips", path, what, 0, 20),
        probe=v.text(raw, "probe", path, what, required=False, max_len=2000),
        stage=v.choice(raw, "stage", path, what, STAGES, required=False),
        origin=origin,
    )
    return card if len(v.p.items) == before else None


def _parse_deck(data: Any, problems: _Problems, path: Path) -> tuple[Deck | None, list[Card]]:
    v = _Validator(problems)
    if not v.mapping(data, (), "deck file"):
        return None, []
    v.fields(data, (), "deck", DECK_FIELDS, ("id", "title", "cards"))
    deck_id = v.ident(data, (), "deck")
    title = v.text(data, "title", (), "deck", max_len=200)
    description = v.text(data, "description", (), "deck", required=False, max_len=1000)
    raw_cards = data.get("cards")
    cards: list[Card] = []
    if raw_cards is not None and (not isinstance(raw_cards, list) or not raw_cards):
        problems.add(("cards",), "deck: cards must be a non-empty list")
        raw_cards = []
    for i, raw in enumerate(raw_cards or []):
        line = _line_of(problems.node, ("cards", i)) if problems.node is not None else None
        card = _parse_card(v, raw, ("cards", i), deck_id, f"{problems.display}:{line}")
        if card:
            cards.append(card)
    if not deck_id:
        return None, cards
    deck = Deck(deck_id, title, description, problems.display, tuple(c.id for c in cards))
    return deck, cards


def _parse_incident(data: Any, problems: _Problems) -> Incident | None:
    v = _Validator(problems)
    if not v.mapping(data, (), "incident file"):
        return None
    before = len(problems.items)
    iid = v.ident(data, (), "incident")
    what = f"incident '{iid}'" if iid else "incident"
    v.fields(data, (), what, INCIDENT_FIELDS, INCIDENT_REQUIRED)
    date = data.get("date")
    if date is not None and not isinstance(date, str):
        problems.add(
            ("date",),
            f'{what}: date must be quoted text such as "2024-02" (only as precise as the source)',
        )
    incident = Incident(
        id=iid,
        title=v.text(data, "title", (), what, max_len=200),
        case=v.text(data, "case", (), what, max_len=200),
        date=str(date or ""),
        level=v.choice(data, "level", (), what, LEVELS),
        tags=v.strings(data, "tags", (), what, 1, 12, 40),
        source=v.text(data, "source", (), what, max_len=200),
        what_happened=v.text(data, "what_happened", (), what),
        root_cause=v.text(data, "root_cause", (), what, max_len=1000),
        impact=v.text(data, "impact", (), what),
        mitigations=v.strings(data, "mitigations", (), what, 2, 6, 600),
        probe=v.text(data, "probe", (), what, max_len=1000),
        lesson=v.text(data, "lesson", (), what, max_len=1000),
        key_points=v.strings(data, "key_points", (), what, 3, 7, 400),
        figures=v.figures(data, (), what),
        sources=v.strings(data, "sources", (), what, 1, 20, 200),
        red_flags=v.strings(data, "red_flags", (), what, 0, 20),
        follow_ups=v.strings(data, "follow_ups", (), what, 0, 20),
        path=problems.display,
    )
    return incident if len(problems.items) == before else None


def incident_cards(inc: Incident) -> list[Card]:
    """The drillable cards an incident becomes: the story, and the probe with its mitigations."""
    tags = inc.tags if INCIDENT_DECK in inc.tags else (INCIDENT_DECK, *inc.tags)
    common = dict(
        deck=INCIDENT_DECK, level=inc.level, tags=tags, source=inc.source, origin=inc.path
    )
    mitigation_text = "\n".join(f"- {m}" for m in inc.mitigations)
    story = Card(
        id=f"{inc.id}-story",
        question=(
            f"Tell the {inc.case} story ({inc.date}): what happened, the root cause in one "
            "sentence, and the mitigation in two."
        ),
        answer=(
            f"{inc.what_happened.strip()}\n\nImpact: {inc.impact.strip()}\n\n"
            f"Root cause: {inc.root_cause}\n\nMitigation:\n{mitigation_text}\n\nLesson: {inc.lesson}"
        ),
        key_points=inc.key_points,
        red_flags=inc.red_flags,
        follow_ups=inc.follow_ups,
        figures=inc.figures,
        **common,  # type: ignore[arg-type]
    )
    points = (f"Root cause: {inc.root_cause}", *inc.mitigations)
    probe = Card(
        id=f"{inc.id}-probe",
        question=inc.probe,
        answer=(
            f"Anchor it in {inc.case} ({inc.date}). Root cause: {inc.root_cause}\n\n"
            f"The mitigation skeleton I would build:\n{mitigation_text}\n\n{inc.lesson}"
        ),
        key_points=points[:7],
        follow_ups=inc.follow_ups,
        figures=inc.figures,
        **common,  # type: ignore[arg-type]
    )
    return [story, probe]


def _parse_roadmap(data: Any, problems: _Problems) -> Roadmap | None:
    v = _Validator(problems)
    if not v.mapping(data, (), "roadmap file"):
        return None
    before = len(problems.items)
    v.fields(data, (), "roadmap", ROADMAP_FIELDS, ("id", "title", "weeks"))
    rid = v.ident(data, (), "roadmap")
    weeks_raw = data.get("weeks")
    if weeks_raw is not None and (not isinstance(weeks_raw, list) or not weeks_raw):
        problems.add(("weeks",), "roadmap: weeks must be a non-empty list")
        weeks_raw = []
    weeks: list[Week] = []
    seen_days: dict[int, str] = {}
    seen_tasks: dict[str, str] = {}
    for wi, wraw in enumerate(weeks_raw or []):
        wpath: tuple[Any, ...] = ("weeks", wi)
        if not v.mapping(wraw, wpath, f"week {wi + 1}"):
            continue
        wnum = wraw.get("week")
        wwhat = f"week {wnum}" if isinstance(wnum, int) else f"week {wi + 1}"
        v.fields(wraw, wpath, wwhat, WEEK_FIELDS, ("week", "title", "days"))
        if not isinstance(wnum, int) or isinstance(wnum, bool) or wnum < 1:
            problems.add(wpath + ("week",), f"{wwhat}: week must be a positive whole number")
            wnum = wi + 1
        days: list[Day] = []
        days_raw = wraw.get("days")
        if days_raw is not None and (not isinstance(days_raw, list) or not days_raw):
            problems.add(wpath + ("days",), f"{wwhat}: days must be a non-empty list")
            days_raw = []
        for di, draw in enumerate(days_raw or []):
            dpath = wpath + ("days", di)
            if not v.mapping(draw, dpath, f"{wwhat} day {di + 1}"):
                continue
            dnum = draw.get("day")
            dwhat = f"day {dnum}" if isinstance(dnum, int) else f"{wwhat} day {di + 1}"
            v.fields(draw, dpath, dwhat, DAY_FIELDS, ("day", "title", "focus", "tasks"))
            if not isinstance(dnum, int) or isinstance(dnum, bool) or not 1 <= dnum <= 366:
                problems.add(dpath + ("day",), f"{dwhat}: day must be a whole number from 1")
                continue
            line = _line_of(problems.node, dpath) if problems.node is not None else ""
            if dnum in seen_days:
                problems.add(
                    dpath + ("day",), f"day {dnum} appears twice (first at line {seen_days[dnum]})"
                )
            seen_days[dnum] = str(line)
            tasks: list[Task] = []
            tasks_raw = draw.get("tasks")
            if tasks_raw is not None and (not isinstance(tasks_raw, list) or not tasks_raw):
                problems.add(dpath + ("tasks",), f"{dwhat}: tasks must be a non-empty list")
                tasks_raw = []
            for ti, traw in enumerate(tasks_raw or []):
                tpath = dpath + ("tasks", ti)
                if not v.mapping(traw, tpath, f"{dwhat} task {ti + 1}"):
                    continue
                tid = v.ident(traw, tpath, f"{dwhat} task {ti + 1}")
                twhat = f"task '{tid}'" if tid else f"{dwhat} task {ti + 1}"
                v.fields(traw, tpath, twhat, TASK_FIELDS, ("id", "kind", "text"))
                if tid and tid in seen_tasks:
                    problems.add(
                        tpath + ("id",), f"{twhat}: duplicate task id (first at {seen_tasks[tid]})"
                    )
                elif tid:
                    seen_tasks[tid] = (
                        f"line {_line_of(problems.node, tpath)}"
                        if problems.node is not None
                        else "?"
                    )
                tasks.append(
                    Task(
                        id=tid,
                        kind=v.choice(traw, "kind", tpath, twhat, TASK_KINDS),
                        text=v.text(traw, "text", tpath, twhat, max_len=2000),
                        day=dnum,
                    )
                )
            days.append(
                Day(
                    day=dnum,
                    week=wnum,
                    title=v.text(draw, "title", dpath, dwhat, max_len=200),
                    focus=v.strings(draw, "focus", dpath, dwhat, 1, 8, 40),
                    tasks=tuple(tasks),
                )
            )
        weeks.append(
            Week(
                week=wnum,
                title=v.text(wraw, "title", wpath, wwhat, max_len=200),
                goal=v.text(wraw, "goal", wpath, wwhat, required=False, max_len=2000),
                targets=v.strings(wraw, "targets", wpath, wwhat, 0, 20),
                days=tuple(sorted(days, key=lambda d: d.day)),
            )
        )
    if seen_days and sorted(seen_days) != list(range(1, max(seen_days) + 1)):
        missing = sorted(set(range(1, max(seen_days) + 1)) - set(seen_days))
        problems.add(
            ("weeks",),
            f"roadmap: days must run 1..{max(seen_days)} without gaps (missing {missing[:10]})",
        )
    if len(problems.items) != before:
        return None
    return Roadmap(
        id=rid,
        title=v.text(data, "title", (), "roadmap", max_len=200),
        source=v.text(data, "source", (), "roadmap", required=False, max_len=200),
        weeks=tuple(sorted(weeks, key=lambda w: w.week)),
        path=problems.display,
    )


# --------------------------------------------------------------------------- loading


class LoadResult(NamedTuple):
    catalogue: Catalogue
    problems: list[str]


def load_files(files: Sequence[tuple[str, Path]]) -> LoadResult:
    """Parse and validate the given files; cross-file checks (duplicate ids, roadmap tags)."""
    all_cards: dict[str, Card] = {}
    cat = Catalogue(cards=all_cards)
    problems: list[str] = []
    where: dict[str, str] = {}  # card id -> origin
    deck_where: dict[str, str] = {}
    for kind, path in files:
        display = display_path(path)
        data, node, file_problems = parse_yaml(path, display)
        if file_problems or data is None:
            problems += file_problems
            continue
        fp = _Problems(display, node)
        if kind == "decks":
            deck, cards = _parse_deck(data, fp, path)
            if deck:
                if deck.id in deck_where:
                    fp.add(("id",), f"deck id '{deck.id}' is also used by {deck_where[deck.id]}")
                else:
                    deck_where[deck.id] = display
                    cat.decks[deck.id] = deck
            new_cards = cards
        elif kind == "incidents":
            inc = _parse_incident(data, fp)
            new_cards = []
            if inc:
                if inc.id in cat.incidents:
                    fp.add(
                        ("id",),
                        f"incident id '{inc.id}' is also used by {cat.incidents[inc.id].path}",
                    )
                else:
                    cat.incidents[inc.id] = inc
                    new_cards = incident_cards(inc)
                    for card in new_cards:
                        object.__setattr__(card, "origin", f"{display}:{_line_of(node, ('id',))}")
        else:
            roadmap = _parse_roadmap(data, fp)
            if roadmap:
                cat.roadmap = roadmap  # later folders override the bundled plan
            new_cards = []
        for card in new_cards:
            if card.id in where:
                line_display = card.origin
                fp.items.append(
                    f"{line_display}: card '{card.id}': duplicate id (also at {where[card.id]})"
                )
                continue
            where[card.id] = card.origin
            all_cards[card.id] = card
        problems += fp.items
    if cat.incidents and INCIDENT_DECK not in cat.decks:
        ids = tuple(c.id for c in cat.cards.values() if c.deck == INCIDENT_DECK)
        cat.decks[INCIDENT_DECK] = Deck(
            INCIDENT_DECK, "Named incidents", "Postmortems interviewers probe.", "incidents/", ids
        )
    if cat.roadmap:
        known = cat.tags
        for day in cat.roadmap.days:
            for tag in day.focus:
                if tag not in known:
                    problems.append(
                        f"{cat.roadmap.path}: day {day.day}: focus tag '{tag}' matches no deck or card tag"
                    )
    return LoadResult(cat, problems)


def _fingerprint(files: Sequence[tuple[str, Path]]) -> str:
    """What the cache was built from: version, and each file's path, mtime and size."""
    lines = [f"{__version__}/{CACHE_FORMAT}"]
    for kind, path in files:
        try:
            st = path.stat()
        except OSError:
            continue
        lines.append(f"{kind}\0{path}\0{st.st_mtime_ns}\0{st.st_size}")
    return "\n".join(lines)


def load_catalogue(
    extra: Iterable[str | os.PathLike[str]] = (), cache_dir: Path | None = None
) -> Catalogue:
    """Load all content or raise ContentError listing every problem. Uses the cache when fresh."""
    roots = content_roots(extra)
    for root in roots[1:]:
        if not root.is_dir():
            raise ContentError([f"{display_path(root)}: content folder does not exist"])
    files = content_files(roots)
    key = _fingerprint(files)
    cache = cache_dir / "content.sqlite" if cache_dir else None
    if cache is not None:
        cat = _read_cache(cache, key)
        if cat is not None:
            cat.roots = tuple(str(r) for r in roots)
            return cat
    result = load_files(files)
    if result.problems:
        raise ContentError(result.problems)
    result.catalogue.roots = tuple(str(r) for r in roots)
    if cache is not None:
        _write_cache(cache, result.catalogue, key)
    return result.catalogue


# The cache is a small SQLite file: the index fields of every card (id, deck, level, tags,
# ...) marshalled together in one value, and one row per card with the rest marshalled in
# `body`, read only when the card is first shown. A start then reads one value for the
# whole index (a tenth of the time of 10,000 rows) and the text of the cards it displays.


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


def validate_paths(
    paths: Sequence[str | os.PathLike[str]], extra: Iterable[str | os.PathLike[str]] = ()
) -> LoadResult:
    """Validate files or folders. With no paths: all content (bundled and extra folders)."""
    if not paths:
        return load_files(content_files(content_roots(extra)))
    files: list[tuple[str, Path]] = []
    problems: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = content_files([p])
            if not found:
                problems.append(f"{display_path(p)}: no YAML content found")
            files += found
        elif p.is_file():
            kind = p.parent.name if p.parent.name in ("decks", "incidents", "roadmap") else "decks"
            files.append((kind, p))
        else:
            problems.append(f"{display_path(p)}: no such file or folder")
    result = load_files(files)
    result.problems[:0] = problems
    return result
