"""The schema of decks, cards and incidents, and their validation with file:line messages;
an incident becomes two drillable cards.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from studycli.content.model import INCIDENT_DECK, STAGES, Card, Deck, Figure, Incident
from studycli.content.yamlio import _Problems
from studycli.vocab import LEVELS

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

CARD_FIELDS = {
    "id", "level", "tags", "source", "question", "answer", "key_points",
    "red_flags", "follow_ups", "figures", "tips", "probe", "stage", "see", "synonyms",
}  # fmt: skip

CARD_REQUIRED = ("id", "level", "tags", "question", "answer", "key_points")
# Bundled cards and incidents name the article they were written from; a user's may not.
BUNDLED_REQUIRED = ("source",)

DECK_FIELDS = {"id", "title", "description", "cards"}

INCIDENT_FIELDS = {
    "id", "title", "case", "date", "level", "tags", "source", "what_happened", "root_cause",
    "impact", "mitigations", "probe", "lesson", "key_points", "figures", "sources",
    "red_flags", "follow_ups",
}  # fmt: skip

INCIDENT_REQUIRED = (
    "id", "title", "case", "date", "level", "tags", "what_happened", "root_cause",
    "impact", "mitigations", "probe", "lesson", "key_points", "figures", "sources",
)  # fmt: skip

FIGURE_FIELDS = ("value", "what", "who", "when")  # required; "via" (a source id) is optional

MAX_SEE = 8
MAX_SYNONYMS = 30  # words or phrases with alternatives, per card


def _list_of(raw: Any, problems: _Problems, path: tuple[Any, ...], message: str) -> list[Any]:
    """A field that must be a non-empty list when present; [] (and a problem) otherwise."""
    if raw is not None and (not isinstance(raw, list) or not raw):
        problems.add(path, message)
        return []
    return raw or []


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
            keys = FIGURE_FIELDS + (("via",) if isinstance(fig, dict) and "via" in fig else ())
            if (
                not isinstance(fig, dict)
                or set(fig) != set(keys)
                or not all(
                    isinstance(fig[k], (str, int, float))
                    and not isinstance(fig[k], bool)
                    and str(fig[k]).strip()
                    for k in keys
                )
            ):
                self.p.add(
                    fpath,
                    f"{what}: figures[{i}] must have value, what, who, when and optionally via "
                    "(all text)",
                )
                continue
            out.append(Figure(*(str(fig[k]).strip() for k in keys)))
        return tuple(out)

    def synonyms(
        self, data: dict[str, Any], path: tuple[Any, ...], what: str
    ) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """`synonyms:` maps a word or phrase of the key points to other ways of saying it,
        which the grader's evidence check accepts in a quote."""
        value = data.get("synonyms")
        if value is None:
            return ()
        shape = (
            f"{what}: synonyms must map a word or phrase of the key points to a list of "
            f"alternatives (at most {MAX_SYNONYMS} entries, 10 alternatives each)"
        )
        ok = isinstance(value, dict) and len(value) <= MAX_SYNONYMS
        ok = ok and all(
            isinstance(k, str)
            and k.strip()
            and isinstance(alts, list)
            and 1 <= len(alts) <= 10
            and all(isinstance(a, str) and a.strip() and len(a) <= 80 for a in alts)
            for k, alts in value.items()
        )
        if not ok:
            self.p.add(path + ("synonyms",), shape)
            return ()
        return tuple((k.strip(), tuple(a.strip() for a in alts)) for k, alts in value.items())

    def ids(
        self, data: dict[str, Any], key: str, path: tuple[Any, ...], what: str, hi: int
    ) -> tuple[str, ...]:
        """A list of at most `hi` ids (lowercase letters, digits, hyphens), e.g. `see:`."""
        value = data.get(key)
        if value is None:
            return ()
        if (
            not isinstance(value, list)
            or len(value) > hi
            or not all(isinstance(v, str) and ID_RE.match(v) for v in value)
        ):
            self.p.add(path + (key,), f"{what}: {key} must be a list of at most {hi} card ids")
            return ()
        return tuple(value)


def _parse_card(
    v: _Validator,
    raw: Any,
    path: tuple[Any, ...],
    deck: str,
    origin: str,
    bundled: bool = False,
) -> Card | None:
    if not v.mapping(raw, path, f"card {path[-1] + 1}"):
        return None
    before = len(v.p.items)
    cid = v.ident(raw, path, f"card {path[-1] + 1}")
    what = f"card '{cid}'" if cid else f"card {path[-1] + 1}"
    v.fields(raw, path, what, CARD_FIELDS, CARD_REQUIRED + (BUNDLED_REQUIRED if bundled else ()))
    card = Card(
        id=cid,
        deck=deck,
        level=v.choice(raw, "level", path, what, LEVELS),
        tags=v.strings(raw, "tags", path, what, 1, 12, 40),
        source=v.text(raw, "source", path, what, required=bundled, max_len=200),
        question=v.text(raw, "question", path, what, max_len=2000),
        answer=v.text(raw, "answer", path, what),
        key_points=v.strings(raw, "key_points", path, what, 3, 7, 400),
        red_flags=v.strings(raw, "red_flags", path, what, 0, 20),
        follow_ups=v.strings(raw, "follow_ups", path, what, 0, 20),
        figures=v.figures(raw, path, what),
        tips=v.strings(raw, "tips", path, what, 0, 20),
        probe=v.text(raw, "probe", path, what, required=False, max_len=2000),
        stage=v.choice(raw, "stage", path, what, STAGES),
        origin=origin,
        see=v.ids(raw, "see", path, what, MAX_SEE),
        synonyms=v.synonyms(raw, path, what),
    )
    return card if len(v.p.items) == before else None


def _parse_deck(
    data: Any, problems: _Problems, bundled: bool = False
) -> tuple[Deck | None, list[Card]]:
    v = _Validator(problems)
    if not v.mapping(data, (), "deck file"):
        return None, []
    v.fields(data, (), "deck", DECK_FIELDS, ("id", "title", "cards"))
    deck_id = v.ident(data, (), "deck")
    title = v.text(data, "title", (), "deck", max_len=200)
    description = v.text(data, "description", (), "deck", required=False, max_len=1000)
    raw_cards = _list_of(
        data.get("cards"), problems, ("cards",), "deck: cards must be a non-empty list"
    )
    cards: list[Card] = []
    for i, raw in enumerate(raw_cards):
        line = problems.line(("cards", i))
        card = _parse_card(v, raw, ("cards", i), deck_id, f"{problems.display}:{line}", bundled)
        if card:
            cards.append(card)
    if not deck_id:
        return None, cards
    deck = Deck(deck_id, title, description, problems.display, tuple(c.id for c in cards))
    return deck, cards


def _parse_incident(data: Any, problems: _Problems, bundled: bool = False) -> Incident | None:
    v = _Validator(problems)
    if not v.mapping(data, (), "incident file"):
        return None
    before = len(problems.items)
    iid = v.ident(data, (), "incident")
    what = f"incident '{iid}'" if iid else "incident"
    v.fields(
        data, (), what, INCIDENT_FIELDS, INCIDENT_REQUIRED + (BUNDLED_REQUIRED if bundled else ())
    )
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
        source=v.text(data, "source", (), what, required=bundled, max_len=200),
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
