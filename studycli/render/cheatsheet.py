"""The cheat sheet as a Document: answer frameworks, named incidents, then each topic's cards.

Per topic: every card's question as a heading line with its key points, then a
table of the topic's figures (number, what it is, who reported it, when). The
incidents are one table (date, what happened, root cause, mitigation); the
answer frameworks (cards tagged `framework`) come first, as numbered steps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from studycli.content.model import INCIDENT_DECK, Card, Catalogue, Figure
from studycli.render.blocks import CardBlock, Document, Heading, Paragraph, Table, Title, pretty

FRAMEWORK_TAG = "framework"
FIGURE_COLUMNS = ["Figure", "What it is", "Who reported it", "When"]
FIGURE_WIDTHS = [18, 41, 24, 15]
INCIDENT_COLUMNS = ["Date", "Incident", "What happened", "Root cause", "Mitigation"]
INCIDENT_WIDTHS = [9, 14, 34, 22, 34]


def _figure_rows(
    figures: Sequence[Figure], seen: set[tuple[str, str]]
) -> list[list[str | list[str]]]:
    rows: list[list[str | list[str]]] = []
    for fig in figures:
        key = (fig.value.strip().lower(), fig.what.strip().lower())
        if key in seen:
            continue
        seen.add(key)
        rows.append([pretty(fig.value), pretty(fig.what), pretty(fig.who), fig.when])
    return rows


def _paragraphs(text: str) -> str | list[str]:
    """A field of card text as a cell: its paragraphs (read as everywhere, content.markup),
    one line each; a line break inside a paragraph is a space."""
    from studycli.content.markup import paragraphs

    lines = [pretty(p) for p in paragraphs(text)]
    return lines[0] if len(lines) == 1 else lines


def _card_block(card: Card, notes: Mapping[str, str], ordered: bool = False) -> CardBlock:
    return CardBlock(
        question=pretty(card.question),
        points=[pretty(p) for p in card.key_points],
        ordered=ordered,
        note=notes.get(card.id, ""),
    )


def build_cheatsheet(
    catalogue: Catalogue,
    cards: Sequence[Card],
    *,
    generated: dt.date,
    scope: str,
    notes: Mapping[str, str] | None = None,
) -> Document:
    """A Document for the given cards (in catalogue order), grouped by topic."""
    notes = notes or {}
    chosen = {c.id for c in cards}
    ordered = [c for c in catalogue.cards.values() if c.id in chosen]
    blocks: list[object] = []
    seen_figures: set[tuple[str, str]] = set()

    frameworks = [c for c in ordered if FRAMEWORK_TAG in c.tags]
    if frameworks:
        blocks.append(Heading("Answer frameworks"))
        for card in frameworks:
            blocks.append(_card_block(card, notes, ordered=True))
        rows = _figure_rows([f for c in frameworks for f in c.figures], seen_figures)
        if rows:
            blocks.append(Heading("Figures · answer frameworks", 3))
            blocks.append(Table(FIGURE_COLUMNS, rows, FIGURE_WIDTHS, bold_first=True))

    incident_cards = [c for c in ordered if c.deck == INCIDENT_DECK and FRAMEWORK_TAG not in c.tags]
    incidents = sorted(
        (
            inc
            for inc in catalogue.incidents.values()
            if any(c.id.startswith(inc.id + "-") for c in incident_cards)
        ),
        key=lambda inc: (inc.date, inc.id),
    )
    if incidents:
        blocks.append(Heading("Named incidents"))
        rows_i: list[list[str | list[str]]] = [
            [
                inc.date,
                pretty(
                    f"{inc.title} ({inc.case})"
                    if inc.case and inc.case not in inc.title
                    else inc.title
                ),
                _paragraphs(inc.what_happened),
                _paragraphs(inc.root_cause),
                [pretty(m) for m in inc.mitigations],
            ]
            for inc in incidents
        ]
        blocks.append(Table(INCIDENT_COLUMNS, rows_i, INCIDENT_WIDTHS, records=True))
        for card in incident_cards:
            if notes.get(card.id):  # a weakest-cards sheet says which incident cards are weak
                blocks.append(_card_block(card, notes))
        figures = [f for inc in incidents for f in inc.figures] + [
            f for c in incident_cards for f in c.figures
        ]
        rows = _figure_rows(figures, seen_figures)
        if rows:
            blocks.append(Heading("Figures · named incidents", 3))
            blocks.append(Table(FIGURE_COLUMNS, rows, FIGURE_WIDTHS, bold_first=True))
    # Incident cards whose incident is not loaded (user content) still appear as cards.
    known = {inc.id for inc in incidents}
    orphans = [c for c in incident_cards if not any(c.id.startswith(i + "-") for i in known)]

    for deck in sorted(catalogue.decks.values(), key=lambda d: d.id):
        topic = [
            c
            for c in ordered
            if c.deck == deck.id
            and FRAMEWORK_TAG not in c.tags
            and (c.deck != INCIDENT_DECK or c in orphans)
        ]
        if not topic:
            continue
        blocks.append(Heading(pretty(deck.title or deck.id)))
        for card in topic:
            blocks.append(_card_block(card, notes))
        rows = _figure_rows([f for c in topic for f in c.figures], seen_figures)
        if rows:
            blocks.append(Heading(f"Figures · {pretty(deck.title or deck.id)}", 3))
            blocks.append(Table(FIGURE_COLUMNS, rows, FIGURE_WIDTHS, bold_first=True))

    figures_total = len(seen_figures)
    meta = [
        scope,
        " · ".join(
            f"{n} {word}{'s' if n != 1 else ''}"
            for n, word in (
                (len(ordered), "card"),
                (len(incidents), "incident"),
                (figures_total, "figure"),
            )
            if n
        ),
        f"generated {generated.isoformat()}",
    ]
    if not blocks:
        blocks.append(Paragraph("No cards selected.", muted=True))
    return Document(
        Title("studycli cheat sheet", meta),
        blocks,
        columns=2,
        kind="cheatsheet",
        generated=generated.isoformat(),
    )
