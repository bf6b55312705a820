"""Shell completion of card ids, deck ids, tags, levels and task ids, from the catalogue.

`studycli --install-completion` (Typer's) installs the script for the running shell. The
functions here run only when the shell asks for completions: they read the content
cache the way a command does (honouring --home and --content given earlier on the line)
and never print a traceback. Importing this module costs nothing at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from studycli.vocab import LEVELS

if TYPE_CHECKING:
    from studycli.content.model import Catalogue


def _catalogue(ctx: typer.Context) -> Catalogue | None:
    from studycli.cli.context import AppContext

    params = ctx.find_root().params
    try:
        a = AppContext(
            home_option=params.get("home"), content_dirs=list(params.get("content") or [])
        )
        return a.catalogue
    except Exception:  # noqa: BLE001 - a broken deck must not break the shell's Tab
        return None


def card_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    cat = _catalogue(ctx)
    if cat is None:
        return []
    found = [cid for cid in cat.cards if cid.startswith(incomplete)]
    if len(found) > 40:  # a long list: ids only, no need to make Card objects for help texts
        return [(cid, "") for cid in found]
    out = []
    for cid in found:
        card = cat.cards[cid]
        question = " ".join(card.question.split())
        out.append((cid, f"{card.deck} · {card.level} · {question[:60]}"))
    return out


def deck_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    cat = _catalogue(ctx)
    if cat is None:
        return []
    return [(d, deck.title) for d, deck in sorted(cat.decks.items()) if d.startswith(incomplete)]


def tags(ctx: typer.Context, incomplete: str) -> list[str]:
    cat = _catalogue(ctx)
    return sorted(t for t in cat.tags if t.startswith(incomplete)) if cat is not None else []


def levels(incomplete: str) -> list[str]:
    return [lv for lv in LEVELS if lv.startswith(incomplete)]


def task_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    cat = _catalogue(ctx)
    if cat is None or cat.roadmap is None:
        return []
    return [
        (t.id, " ".join(t.text.split())[:60])
        for d in cat.roadmap.days
        for t in d.tasks
        if t.id.startswith(incomplete)
    ]
