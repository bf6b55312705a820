"""Sources lists, `via` on figures, `see:` cross-links, meta cards in mocks, internal tags."""

from __future__ import annotations

import random

import pytest
from rich.console import Console

from studycli.content.loader import load_catalogue, validate_paths
from studycli.content.model import INTERNAL_TAGS, META_TAG, shown_tags
from studycli.errors import ContentError
from studycli.study.mock import fits, select_questions
from studycli.tui.panels import answer_panel, question_panel

from .helpers import write

SOURCES = """\
sources:
  - id: my-notes
    title: My reading notes
    author: me
    publication: notebook
    date: n.d.
"""

DECK = """\
id: mine
title: Mine
cards:
  - id: mine-one
    level: mid
    tags: [mine, table]
    source: my-notes
    see: [mine-two]
    question: What is one?
    answer: One.
    key_points: [a, b, c]
    figures:
      - value: "1"
        what: one thing
        who: me
        when: n.d.
        via: my-notes
  - id: mine-two
    level: mid
    tags: [mine]
    source: my-notes
    question: What is two?
    answer: Two.
    key_points: [a, b, c]
"""


def folder(tmp_path, deck=DECK, sources=SOURCES):
    root = tmp_path / "mine"
    write(root / "decks" / "mine.yaml", deck)
    if sources is not None:
        write(root / "sources.yaml", sources)
    return root


def test_bundled_sources_name_every_article_once(catalogue):
    files = {s.file for s in catalogue.sources.values() if s.file}
    assert len(files) == 5  # the five source articles, one entry each
    for source in catalogue.sources.values():
        assert source.title and source.author and source.publication and source.date
    cited = {c.source for c in catalogue.cards.values()}
    assert cited <= set(catalogue.sources)
    figures = [f for c in catalogue.cards.values() for f in c.figures]
    assert figures and all(f.via in catalogue.sources for f in figures)
    assert catalogue.roadmap is not None and catalogue.roadmap.source in catalogue.sources
    # a figure's who is the original reporter, via the source it was taken from
    legal = [f for f in figures if f.value == "~33%"]
    assert {(f.who, f.via) for f in legal} == {
        (
            "Stanford RegLab and HAI (Magesh et al., Hallucination-Free?)",
            "magesh-2024-hallucination-free",
        )
    }


def test_bundled_see_links_point_both_ways_for_merged_stories(catalogue):
    cards = catalogue.cards
    for card in cards.values():
        assert set(card.see) <= set(cards) and card.id not in card.see, card.id
    story = cards["operations-incidents-incident-story"]
    assert "rag-metadata-prefilter" in story.see
    assert "operations-incidents-incident-story" in cards["rag-metadata-prefilter"].see


def test_folder_with_sources_list_checks_every_reference(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bad = (
        DECK.replace("source: my-notes\n    see", "source: notes.txt\n    see")
        .replace("        via: my-notes\n", "")
        .replace("see: [mine-two]", "see: [mine-two, mine-three, mine-one]")
    )
    problems = validate_paths([folder(tmp_path, bad)]).problems
    assert problems[0].startswith(
        "mine/decks/mine.yaml:7: card 'mine-one': source: 'notes.txt' is not in the sources list"
    )
    assert problems[1:] == [
        "mine/decks/mine.yaml:13: card 'mine-one': figures[0].via: missing; "
        "name the source entry the figure was taken from",
        "mine/decks/mine.yaml:8: card 'mine-one': see: no card 'mine-three'",
        "mine/decks/mine.yaml:8: card 'mine-one': see: 'mine-one' is the card itself",
    ]


def test_a_file_is_checked_against_its_own_folders_sources(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root = folder(tmp_path, DECK.replace("via: my-notes", "via: elsewhere"))
    problems = validate_paths([root / "decks" / "mine.yaml"]).problems
    assert len(problems) == 1
    assert problems[0].startswith(
        "mine/decks/mine.yaml:17: card 'mine-one': figures[0].via: 'elsewhere' is not in the "
        "sources list (known: "
    )
    ok = folder(tmp_path)
    assert validate_paths([ok / "decks" / "mine.yaml"]).problems == []


def test_folder_without_sources_keeps_free_text_but_via_must_resolve(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    loose = DECK.replace("source: my-notes", "source: chapter 3 of a book")
    root = folder(tmp_path, loose.replace("via: my-notes", "via: sixty-senior-questions"), None)
    assert validate_paths([root]).problems == []  # bundled source ids can be cited anywhere
    root = folder(tmp_path, loose, None)
    (problem,) = validate_paths([root]).problems
    assert problem.startswith(
        "mine/decks/mine.yaml:17: card 'mine-one': figures[0].via: 'my-notes'"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            SOURCES.replace("    date: n.d.\n", ""),
            "mine/sources.yaml:2: source 'my-notes': missing required field 'date'",
        ),
        (
            SOURCES.replace("date: n.d.", "date: 2024"),
            "mine/sources.yaml:6: source 'my-notes': date must be quoted text",
        ),
        (SOURCES + SOURCES[9:], "mine/sources.yaml:7: source 'my-notes': duplicate id (first at"),
        (
            SOURCES.replace("    title:", "    colour: red\n    title:"),
            "mine/sources.yaml:3: source 'my-notes': unknown field 'colour'",
        ),
        ("sources: []\n", "mine/sources.yaml:1: sources: must be a non-empty list of entries"),
    ],
)
def test_bad_sources_list_is_one_line_per_problem(tmp_path, monkeypatch, text, expected):
    monkeypatch.chdir(tmp_path)
    problems = validate_paths([folder(tmp_path, sources=text)]).problems
    assert any(p.startswith(expected) for p in problems), problems


def test_source_id_defined_twice_across_folders_names_both(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "other" / "sources.yaml", SOURCES)
    write(tmp_path / "other" / "decks" / "o.yaml", DECK.replace("mine", "other"))
    problems = validate_paths([folder(tmp_path), tmp_path / "other"]).problems
    assert problems == [
        "other/sources.yaml:2: source 'my-notes': also defined at mine/sources.yaml:2"
    ]


def test_cache_keeps_sources_via_and_see(tmp_path):
    root = folder(tmp_path)
    fresh = load_catalogue([root], cache_dir=tmp_path / "cache")
    cached = load_catalogue([root], cache_dir=tmp_path / "cache")
    assert type(cached.cards).__name__ == "CardIndex"  # read back from the cache
    for cat in (fresh, cached):
        card = cat.cards["mine-one"]
        assert card.see == ("mine-two",)
        assert card.figures[0].via == "my-notes"
        assert cat.sources["my-notes"].title == "My reading notes"
        assert "sixty-senior-questions" in cat.sources


def test_broken_reference_stops_loading(tmp_path):
    root = folder(tmp_path, DECK.replace("see: [mine-two]", "see: [gone]"))
    with pytest.raises(ContentError) as err:
        load_catalogue([root])
    assert err.value.problems[0].endswith("card 'mine-one': see: no card 'gone'")


def test_meta_cards_stay_out_of_mocks_unless_asked(catalogue):
    meta = {cid for cid, c in catalogue.cards.items() if META_TAG in c.tags}
    assert len(meta) >= 20 and "interview-craft-reverse-frontier-lab" in meta
    for kind in ("system-design", "behavioural", "mixed"):
        picked = select_questions(catalogue, kind, None, 60, random.Random(3))
        assert not meta & {c.id for c in picked}, kind
    asked = select_questions(catalogue, "mixed", None, 60, random.Random(3), tags=[META_TAG])
    assert asked and {c.id for c in asked} <= meta
    assert all(fits(c, "mixed") for c in asked)
    rag = select_questions(catalogue, "fundamentals", None, 5, random.Random(3), tags=["rag"])
    assert {c.deck for c in rag} == {"rag"}


def test_mock_tag_option_is_checked_before_the_round(cli):
    r = cli("mock", "--tag", "no-such-tag", now="2026-11-22T09:00")
    assert r.exit_code == 2
    assert r.output.strip().endswith(
        "--tag: no card has tag 'no-such-tag' (see 'studycli decks list --tags')"
    )


def render(renderable) -> str:
    console = Console(width=100, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_internal_tags_hidden_and_see_also_shown(catalogue, cli):
    card = catalogue.cards["rag-chunking-strategies-table"]
    assert "table" in card.tags and shown_tags(card.tags, card.deck) == ("chunking",)
    question = render(question_panel(card, 1, 1))
    assert "#chunking" in question and "#table" not in question
    linked = catalogue.cards["rag-failure-modes"]
    answer = render(answer_panel(linked))
    assert "See also system-design-failure-modes" in answer
    tags = cli("decks", "list", "--tags").output
    assert "chunking(" in tags and not any(f"{t}(" in tags for t in INTERNAL_TAGS)
