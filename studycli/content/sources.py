"""Sources: the articles and studies content draws on, and the references that name them.

A content folder may hold `sources.yaml`: a list of entries (id, title, author,
publication, date; optionally file, url, note). In a folder that has one, every card's,
incident's and roadmap's `source` names an entry, and every figure names the entry it was
taken from in `via` (its `who` stays whoever first reported it). A `via` must always name
an entry, and a card's `see:` must name another card. Folders without a sources list keep
free-text `source` values, as before. Every broken reference is a `file:line: what: field`
problem, reported with all the others.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from studycli.content.model import Source
from studycli.content.schema import _list_of, _Validator
from studycli.content.yamlio import _Problems

SOURCE_FIELDS = {"id", "title", "author", "publication", "date", "file", "url", "note"}
SOURCE_REQUIRED = ("id", "title", "author", "publication", "date")


def parse_sources(data: Any, problems: _Problems) -> list[Source]:
    """The entries of one sources file; problems (with lines) go to `problems`."""
    v = _Validator(problems)
    if not v.mapping(data, (), "sources file"):
        return []
    v.fields(data, (), "sources file", {"sources"}, ("sources",))
    raw = _list_of(
        data.get("sources"), problems, ("sources",), "sources: must be a non-empty list of entries"
    )
    out: list[Source] = []
    seen: dict[str, int | None] = {}
    for i, entry in enumerate(raw):
        path: tuple[Any, ...] = ("sources", i)
        if not v.mapping(entry, path, f"source {i + 1}"):
            continue
        before = len(problems.items)
        sid = v.ident(entry, path, f"source {i + 1}")
        what = f"source '{sid}'" if sid else f"source {i + 1}"
        v.fields(entry, path, what, SOURCE_FIELDS, SOURCE_REQUIRED)
        date = entry.get("date")
        if date is not None and not isinstance(date, str):
            problems.add(
                path + ("date",),
                f'{what}: date must be quoted text such as "2024-05", or n.d. when undated',
            )
        line = problems.line(path)
        if sid in seen:
            problems.add(path + ("id",), f"{what}: duplicate id (first at line {seen[sid]})")
        elif sid:
            seen[sid] = line
        source = Source(
            id=sid,
            title=v.text(entry, "title", path, what, max_len=300),
            author=v.text(entry, "author", path, what, max_len=300),
            publication=v.text(entry, "publication", path, what, max_len=300),
            date=v.text(entry, "date", path, what, max_len=40) if isinstance(date, str) else "",
            file=v.text(entry, "file", path, what, required=False, max_len=300),
            url=v.text(entry, "url", path, what, required=False, max_len=500),
            note=v.text(entry, "note", path, what, required=False, max_len=2000),
            path=f"{problems.display}:{line}" if line else problems.display,
        )
        if len(problems.items) == before:
            out.append(source)
    return out


class Ref(NamedTuple):
    """One reference to check once everything is loaded."""

    where: str  # "file:line"
    what: str  # "card 'x'", "incident 'y'", "roadmap"
    field: str  # "source", "figures[2].via", "see"
    kind: str  # "source" | "via" | "see"
    value: str  # the id named ("" for a missing via)
    owner: str = ""  # the card id, for a see that names its own card
    strict: bool = False  # the folder has a sources list


def collect_refs(kind: str, data: Any, problems: _Problems, strict: bool) -> list[Ref]:
    """The source, via and see references in one parsed deck, incident or roadmap file."""
    if not isinstance(data, dict):
        return []

    def ref(
        path: tuple[Any, ...], what: str, kind: str, value: str, owner: str = "", name: str = ""
    ) -> Ref:
        return Ref(problems.where(path), what, name or kind, kind, value, owner, strict)

    refs: list[Ref] = []

    def item(raw: Any, path: tuple[Any, ...], what: str, owner: str = "") -> None:
        if isinstance(raw.get("source"), str):
            refs.append(ref(path + ("source",), what, "source", raw["source"].strip(), owner))
        figures = raw.get("figures")
        for j, fig in enumerate(figures if isinstance(figures, list) else []):
            if not isinstance(fig, dict):
                continue
            via = fig.get("via")
            if isinstance(via, str) or (via is None and strict):
                fpath = path + ("figures", j) + (("via",) if via is not None else ())
                value = via.strip() if isinstance(via, str) else ""
                refs.append(ref(fpath, what, "via", value, owner, f"figures[{j}].via"))
        see = raw.get("see")
        for k, target in enumerate(see if isinstance(see, list) else []):
            if isinstance(target, str):
                refs.append(ref(path + ("see", k), what, "see", target, owner))

    if kind == "decks":
        cards = data.get("cards")
        for i, raw in enumerate(cards if isinstance(cards, list) else []):
            if isinstance(raw, dict):
                raw_id = raw.get("id")
                cid = raw_id if isinstance(raw_id, str) else ""
                item(raw, ("cards", i), f"card '{cid}'" if cid else f"card {i + 1}", cid)
    elif kind == "incidents":
        raw_id = data.get("id")
        iid = raw_id if isinstance(raw_id, str) else ""
        item(data, (), f"incident '{iid}'" if iid else "incident")
    elif kind == "roadmap" and isinstance(data.get("source"), str):
        refs.append(ref(("source",), "roadmap", "source", data["source"].strip()))
    return refs


def check_refs(
    refs: list[Ref], sources: Mapping[str, Source], card_ids: Collection[str]
) -> list[str]:
    """A problem line for every reference that names nothing."""
    names = sorted(sources)
    known = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "") or "none defined"
    problems = []
    for ref in refs:
        head = f"{ref.where}: {ref.what}: {ref.field}"
        if ref.kind == "see":
            if ref.value == ref.owner:
                problems.append(f"{head}: '{ref.value}' is the card itself")
            elif ref.value not in card_ids:
                problems.append(f"{head}: no card '{ref.value}'")
        elif ref.kind == "via" and not ref.value:
            problems.append(f"{head}: missing; name the source entry the figure was taken from")
        elif ref.value not in sources and (ref.kind == "via" or ref.strict):
            problems.append(f"{head}: '{ref.value}' is not in the sources list (known: {known})")
    return problems


def root_of(path: Path) -> Path:
    """The content folder a file belongs to: the parent of decks/, incidents/ or roadmap/."""
    parent = path.parent
    if parent.name in ("decks", "incidents", "roadmap"):
        return parent.parent
    return parent
