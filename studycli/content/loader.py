"""Decks, incidents and the roadmap: YAML schema, loading, validation, search paths.

Content is the catalogue; the database is the memory. Every problem found is
reported as `file:line: what: field ...`, all of them at once. Parsing uses
libyaml (`CSafeLoader`) when present; the validated result is cached by file
fingerprint, so a normal start does not parse YAML at all.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from studycli import __version__
from studycli.content.cache import CACHE_FORMAT, _read_cache, _write_cache
from studycli.content.model import INCIDENT_DECK, Card, Catalogue, Deck
from studycli.content.paths import (
    SOURCES_FILES,
    bundled_root,
    content_files,
    content_roots,
    display_path,
    sources_file,
)
from studycli.errors import ContentError


class LoadResult(NamedTuple):
    catalogue: Catalogue
    problems: list[str]


def load_files(files: Sequence[tuple[str, Path]]) -> LoadResult:
    """Parse and validate the given files; cross-file checks (duplicate ids, roadmap tags,
    sources and `see:` references)."""
    # The parsers are needed only when the cache is stale: a normal start does not import them.
    from studycli.content.roadmap import _parse_roadmap
    from studycli.content.schema import _parse_deck, _parse_incident, incident_cards
    from studycli.content.sources import (
        Ref,
        check_refs,
        collect_refs,
        parse_sources,
        root_of,
    )
    from studycli.content.yamlio import _line_of, _Problems, parse_yaml

    all_cards: dict[str, Card] = {}
    cat = Catalogue(cards=all_cards)
    problems: list[str] = []
    where: dict[str, str] = {}  # card id -> origin
    deck_where: dict[str, str] = {}
    refs: list[Ref] = []
    # folders with a sources list name a source entry in every `source` and figure `via`
    strict = {root_of(path).resolve() for kind, path in files if kind == "sources"}
    bundled_dir = bundled_root().resolve()
    for kind, path in files:
        display = display_path(path)
        bundled = path.resolve().is_relative_to(bundled_dir)
        data, node, file_problems = parse_yaml(path, display)
        if file_problems or data is None:
            problems += file_problems
            continue
        fp = _Problems(display, node)
        if kind != "sources":
            refs += collect_refs(kind, data, fp, root_of(path).resolve() in strict)
        if kind == "sources":
            for source in parse_sources(data, fp):
                if source.id in cat.sources:
                    fp.items.append(
                        f"{source.path}: source '{source.id}': also defined at "
                        f"{cat.sources[source.id].path}"
                    )
                else:
                    cat.sources[source.id] = source
            new_cards = []
        elif kind == "decks":
            deck, cards = _parse_deck(data, fp, bundled)
            if deck:
                if deck.id in deck_where:
                    fp.add(("id",), f"deck id '{deck.id}' is also used by {deck_where[deck.id]}")
                else:
                    deck_where[deck.id] = display
                    cat.decks[deck.id] = deck
            new_cards = cards
        elif kind == "incidents":
            inc = _parse_incident(data, fp, bundled)
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
    problems += check_refs(refs, cat.sources, all_cards)
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
        cat = _read_cache(cache, key, reload=lambda: load_files(files).catalogue)
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


def validate_paths(
    paths: Sequence[str | os.PathLike[str]], extra: Iterable[str | os.PathLike[str]] = ()
) -> LoadResult:
    """Validate files or folders. With no paths: all content (bundled and extra folders)."""
    from studycli.content.sources import root_of

    if not paths:
        return load_files(content_files(content_roots(extra)))
    files: list[tuple[str, Path]] = []
    problems: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = content_files([p])
            if not any(kind != "sources" for kind, _ in found):
                problems.append(f"{display_path(p)}: no YAML content found")
            files += found
        elif p.is_file() and p.name in SOURCES_FILES:
            files.append(("sources", p))
        elif p.is_file():
            kind = p.parent.name if p.parent.name in ("decks", "incidents", "roadmap") else "decks"
            files.append((kind, p))
            listed = sources_file(root_of(p))  # a file is checked against its folder's sources
            if listed is not None:
                files.append(("sources", listed))
        else:
            problems.append(f"{display_path(p)}: no such file or folder")
    # the bundled sources can be cited from any folder
    bundled = sources_file(bundled_root())
    if bundled is not None:
        files.insert(0, ("sources", bundled))
    files = _unique(files)
    result = load_files(files)
    # Loaded beside the content every command loads (bundled, $STUDYCLI_CONTENT, --content),
    # the given files get the cross-file checks a command would make: an id already used
    # elsewhere, a focus tag no card has. Their problems are taken from that load.
    given = {p.resolve() for _, p in files}
    others = [(k, p) for k, p in content_files(content_roots(extra)) if p.resolve() not in given]
    both = load_files(_unique(others + files))
    displays = {display_path(p) for k, p in files if k != "sources"}
    mine = [line for line in both.problems if line.split(":", 1)[0] in displays]
    rest = [line for line in result.problems if line.split(":", 1)[0] not in displays]
    return LoadResult(result.catalogue, problems + rest + mine)


def _unique(files: list[tuple[str, Path]]) -> list[tuple[str, Path]]:
    """Each file once (a sources list may be named by several paths), sources lists first."""
    seen: set[Path] = set()
    out: list[tuple[str, Path]] = []
    for kind, path in sorted(files, key=lambda f: f[0] != "sources"):
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            out.append((kind, path))
    return out
