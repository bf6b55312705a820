"""The bundled content reads as written text: paragraphs without hard line breaks, one meaning
per headline figure, undated article figures marked n.d., the plan's tasks backed by cards."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

MARKER = re.compile(r"^\s*([-*+]|\d+[.)])\s+")

# Reporters whose figures are quoted on many cards; each (reporter, value) means one thing.
ANCHOR_REPORTERS = (
    "Anthropic (multi-agent research system)",
    "Stanford RegLab (Dahl et al., Large Legal Fictions)",
    "Stanford RegLab and HAI (Magesh et al., Hallucination-Free?)",
    "Checkmarx",
    "Judge P. Kevin Castel, S.D.N.Y. (reported by Reuters)",
    "BC Civil Resolution Tribunal (reported by CBC News)",
    "DPD (reported by ITV)",
    "Samsung (reported by Dark Reading)",
)


def hard_breaks(text: str) -> list[str]:
    """Lines that continue the paragraph or list item above them instead of starting a block."""
    found = []
    code = False
    previous = ""  # "", "text" or "item"
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            code = not code
            previous = ""
            continue
        if code or not stripped or stripped.startswith(("|", "#")):
            previous = ""
            continue
        if MARKER.match(line):
            previous = "item"
            continue
        if previous:
            found.append(line)
        previous = "text"
    return found


def test_paragraphs_have_no_hard_line_breaks(catalogue):
    bad = {}
    for card in catalogue.cards.values():
        if card.deck == "incidents":
            continue  # built from the incident's fields, checked below
        lines = hard_breaks(card.answer)
        if lines:
            bad[card.id] = lines[0]
    for inc in catalogue.incidents.values():
        for name in ("what_happened", "impact"):
            lines = hard_breaks(getattr(inc, name))
            if lines:
                bad[f"{inc.id}.{name}"] = lines[0]
    assert not bad, bad


def test_hard_break_detector_sees_wrapped_paragraphs_and_items():
    assert hard_breaks("One line\nwrapped here.") == ["wrapped here."]
    assert hard_breaks("- item\n  wrapped item") == ["  wrapped item"]
    assert hard_breaks("Intro:\n- a\n- b\n\n```python\nx = 1\ny = 2\n```\n| a |\n| b |") == []


def test_headline_figures_mean_one_thing_everywhere(catalogue):
    meanings: dict[tuple[str, str], set[str]] = defaultdict(set)
    figures = [f for c in catalogue.cards.values() for f in c.figures]
    for fig in figures:
        if fig.who in ANCHOR_REPORTERS:
            meanings[(fig.who, fig.value)].add(fig.what)
    assert meanings, "no anchor figures found"
    assert {k: v for k, v in meanings.items() if len(v) > 1} == {}


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("80%", "variance in performance on the BrowseComp"),
        ("~15x", "relative to a chat interaction"),
        ("58-88%", "federal court cases"),
    ],
)
def test_anchor_figures_say_what_the_original_measured(catalogue, value, needle):
    whats = {f.what for c in catalogue.cards.values() for f in c.figures if f.value == value}
    whats = {w for w in whats if "Anthropic" in w or needle in w or "chatbots" in w}
    assert whats and all(needle in w for w in whats), whats


def test_corrected_figures_stay_corrected(catalogue):
    text = " ".join(
        " ".join((c.answer, *c.key_points, *(f.what + " " + f.value for f in c.figures)))
        for c in catalogue.cards.values()
    ).lower()
    # Harvey was not among the tools tested
    assert "harvey" not in text.replace("harvey was not", "")
    assert "one-fifth to one-third" not in text and "a fifth to a third" not in text
    points = " ".join(
        " ".join((*c.key_points, *(f.what for f in c.figures))) for c in catalogue.cards.values()
    ).lower()
    assert "task-to-task" not in points  # the 80% is variance in performance explained by tokens
    assert "thousand-fold speedup" not in text
    assert "on a single h100, batch 32" not in text


def test_undated_article_figures_carry_nd(catalogue):
    article_reporters = {
        "Sixty senior questions guide",
        "@TheProdSDE",
        "GenAI questions 2026 guide",
        "2026 AI engineer guide",
        "Module 12 prep guide",
    }
    dated = {
        (c.id, f.value, f.when)
        for c in catalogue.cards.values()
        for f in c.figures
        if f.who in article_reporters and f.when != "n.d."
    }
    assert dated == set()


def test_plan_does_not_ask_for_what_no_card_holds(catalogue):
    plan = catalogue.roadmap
    assert plan is not None
    tasks = " ".join(t.text for d in plan.days for t in d.tasks).lower()
    assert "list the 11" not in tasks
    assert "ten concepts" not in tasks
    # day 11 drills drift, so its focus reaches the drift table
    drift_day = plan.day(11)
    assert drift_day is not None and "drift" in drift_day.focus
    focus_cards = catalogue.select_ids(tags=list(drift_day.focus))
    assert "operations-incidents-drift-table" in focus_cards


def test_enough_deck_cards_and_no_borrowed_first_person_stories(catalogue):
    deck_cards = [c for c in catalogue.cards.values() if c.deck != "incidents"]
    assert len(deck_cards) >= 160
    for card in deck_cards:
        if "star" in card.tags or card.stage == "behavioural":
            assert "STAR example I'd use" not in card.answer, card.id
            assert "An example of the right shape. I built" not in card.answer, card.id
