"""Coding katas as content: `decks/katas/<id>/` folders, their spec and its validation.

A kata folder holds `kata.yaml` (the spec: title, level, minutes, tags, source, the
task in words, edge cases, notes on the reference), `stub.py` (what the user starts
from), `solution.py` (the reference) and `checks.py` (the hidden checks). The deck
loader reads only `decks/*.yaml`, so these folders are never taken for decks. A
bad spec is reported like any content: file, line and field, exit status 2.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from studycli.content.paths import content_roots, display_path
from studycli.errors import ContentError, UsageError
from studycli.vocab import KATA_PREFIX, LEVELS

CARD_PREFIX = KATA_PREFIX  # a kata's card id in the review log is CARD_PREFIX + its id
KATA_FILES = ("kata.yaml", "stub.py", "solution.py", "checks.py")
KATA_FIELDS = {
    "id", "title", "level", "minutes", "tags", "source", "article", "cards", "entry", "task",
    "edge_cases", "notes",
}  # fmt: skip
KATA_REQUIRED = ("id", "title", "level", "minutes", "tags", "source", "entry", "task", "notes")


@dataclass(frozen=True)
class Kata:
    id: str
    title: str
    level: str
    minutes: int
    tags: tuple[str, ...]
    source: str
    article: str
    cards: tuple[str, ...]
    entry: tuple[str, ...]
    task: str
    edge_cases: tuple[str, ...]
    notes: str
    folder: Path

    @property
    def card_id(self) -> str:
        return CARD_PREFIX + self.id

    @property
    def checks_path(self) -> Path:
        return self.folder / "checks.py"

    def stub(self) -> str:
        return (self.folder / "stub.py").read_text(encoding="utf-8")

    def solution(self) -> str:
        return (self.folder / "solution.py").read_text(encoding="utf-8")


def kata_folders(roots: Iterable[Path]) -> list[Path]:
    """Every `decks/katas/<id>/` folder holding a kata.yaml, bundled content first."""
    found: list[Path] = []
    for root in roots:
        base = root / "decks" / "katas"
        if base.is_dir():
            found += sorted(p.parent for p in base.glob("*/kata.yaml"))
    return found


def _parse_kata(folder: Path) -> tuple[Kata | None, list[str]]:
    # Here, not at the top: `today` reads CARD_PREFIX and must not pay for the schema.
    from studycli.content.schema import ID_RE, _Validator
    from studycli.content.yamlio import _Problems, parse_yaml

    path = folder / "kata.yaml"
    display = display_path(path)
    data, node, problems = parse_yaml(path, display)
    if problems:
        return None, problems
    p = _Problems(display, node)
    v = _Validator(p)
    if not v.mapping(data, (), "kata"):
        return None, p.items
    v.fields(data, (), "kata", KATA_FIELDS, KATA_REQUIRED)
    kid = v.ident(data, (), "kata")
    if kid and kid != folder.name:
        p.add(("id",), f"kata: id '{kid}' must match its folder name '{folder.name}'")
    minutes = data.get("minutes")
    if minutes is not None and (
        isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 240
    ):
        p.add(("minutes",), "kata: minutes must be a whole number from 1 to 240")
        minutes = None
    entry = v.strings(data, "entry", (), "kata", 1, 10, 80)
    for name in entry:
        if not name.isidentifier():
            p.add(("entry",), f"kata: entry '{name}' is not a Python name")
    cards = v.strings(data, "cards", (), "kata", 0, 10, 80)
    for card in cards:
        if not ID_RE.match(card):
            p.add(("cards",), f"kata: card id '{card}' is not a valid id")
    for name in KATA_FILES[1:]:
        if not (folder / name).is_file():
            p.items.append(f"{display_path(folder / name)}: missing (a kata needs {name})")
    kata = Kata(
        id=kid,
        title=v.text(data, "title", (), "kata", max_len=120),
        level=v.choice(data, "level", (), "kata", LEVELS),
        minutes=int(minutes or 0),
        tags=v.strings(data, "tags", (), "kata", 1, 12, 40),
        source=v.text(data, "source", (), "kata", max_len=200),
        article=v.text(data, "article", (), "kata", required=False, max_len=300),
        cards=cards,
        entry=entry,
        task=v.text(data, "task", (), "kata", max_len=4000),
        edge_cases=v.strings(data, "edge_cases", (), "kata", 0, 20, 300),
        notes=v.text(data, "notes", (), "kata", max_len=4000),
        folder=folder,
    )
    return (None if p.items else kata), p.items


def load_katas(roots: Sequence[Path] | None = None) -> dict[str, Kata]:
    """Every kata by id; ContentError (exit 2) naming file and line when one is invalid."""
    katas: dict[str, Kata] = {}
    problems: list[str] = []
    for folder in kata_folders(content_roots() if roots is None else roots):
        kata, found = _parse_kata(folder)
        problems += found
        if kata is None:
            continue
        if kata.id in katas:
            problems.append(
                f"{display_path(folder / 'kata.yaml')}: kata '{kata.id}' is already defined in "
                f"{display_path(katas[kata.id].folder / 'kata.yaml')}"
            )
            continue
        katas[kata.id] = kata
    if problems:
        raise ContentError(problems)
    return katas


def find_kata(katas: dict[str, Kata], kata_id: str) -> Kata:
    kata = katas.get(kata_id.removeprefix(CARD_PREFIX))
    if kata is not None:
        return kata
    import difflib

    close = difflib.get_close_matches(kata_id, list(katas), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else " (see 'studycli kata list')"
    raise UsageError(f"no kata '{kata_id}'{hint}")
