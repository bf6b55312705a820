"""Content loading and validation: messages name file, line and field; all problems at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from studycli.content.loader import load_catalogue, load_files, validate_paths
from studycli.content.model import INCIDENT_DECK
from studycli.content.paths import content_files, content_roots
from studycli.errors import ContentError

from .helpers import ROOT, write

GOOD_DECK = """\
id: extra
title: Extra deck
cards:
  - id: extra-one
    level: mid
    tags: [extra, rag]
    source: mine.txt
    question: What is one?
    answer: One is one.
    key_points: [a, b, c]
"""


def test_bundled_content_is_complete(catalogue):
    """All bundled content validates through the real loader and covers the plan."""
    cat = catalogue
    assert len(cat.cards) >= 150
    assert {
        "foundations", "rag", "agents", "evals", "cost-latency", "safety-security",
        "system-design", "operations-incidents", "leadership-behavioural", "interview-craft",
    } <= set(cat.decks)  # fmt: skip
    for card in cat.cards.values():
        assert 3 <= len(card.key_points) <= 7, card.id
        assert card.level and card.source, card.id
    # all five named incidents, each drillable
    names = " ".join(i.case + " " + i.title for i in cat.incidents.values()).lower()
    for needle in ("air canada", "avianca", "samsung", "dpd", "stanford"):
        assert needle in names
    assert len([c for c in cat.cards.values() if c.deck == INCIDENT_DECK]) == 2 * len(cat.incidents)
    # roadmap: days 1-30 present; every focus tag resolves to a deck or card tag
    assert cat.roadmap is not None
    assert [d.day for d in cat.roadmap.days] == list(range(1, 31))
    assert {w.week for w in cat.roadmap.weeks} == {1, 2, 3, 4}
    tags = cat.tags
    for day in cat.roadmap.days:
        assert set(day.focus) <= tags, day.day
    # every deck is introduced as a focus by about day 24
    introduced = {t for d in cat.roadmap.days if d.day <= 24 for t in d.focus}
    assert set(cat.decks) <= introduced
    # coding drills exist
    coding = [c for c in cat.cards.values() if "coding" in c.tags]
    assert len(coding) >= 3


def test_bundled_content_in_own_words():
    tool = ROOT.parent / "shared" / "tools" / "seed-overlap"
    if not tool.exists():
        pytest.skip("seed-overlap tool is not beside this checkout")
    proc = subprocess.run(
        [sys.executable, str(tool)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout[-2000:]


def test_error_names_file_line_and_field(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bad = GOOD_DECK.replace("key_points: [a, b, c]", "key_points: [a, b]")
    write(tmp_path / "decks" / "extra.yaml", bad)
    result = validate_paths([tmp_path / "decks"])
    assert result.problems == [
        "decks/extra.yaml:10: card 'extra-one': key_points must be a list of 3-7 strings"
    ]


def test_all_problems_listed_unknown_fields_and_missing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = (
        GOOD_DECK
        + """\
  - id: extra-two
    level: principal
    tags: [extra]
    source: mine.txt
    question: Two?
    key_points: [a, b, c]
    colour: blue
"""
    )
    write(tmp_path / "decks" / "extra.yaml", text)
    problems = validate_paths([tmp_path / "decks"]).problems
    assert "decks/extra.yaml:17: card 'extra-two': unknown field 'colour'" in problems
    assert "decks/extra.yaml:11: card 'extra-two': missing required field 'answer'" in problems
    assert any(
        p.startswith("decks/extra.yaml:12: card 'extra-two': level must be one of")
        for p in problems
    )


def test_duplicate_ids_across_files_name_both_places(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "decks" / "a.yaml", GOOD_DECK)
    write(tmp_path / "decks" / "b.yaml", GOOD_DECK.replace("id: extra\n", "id: extra-b\n"))
    problems = validate_paths([tmp_path / "decks"]).problems
    assert problems == ["decks/b.yaml:4: card 'extra-one': duplicate id (also at decks/a.yaml:4)"]


def test_user_card_with_bundled_id_is_an_error(tmp_path, catalogue):
    some_id = next(iter(catalogue.cards))
    write(tmp_path / "mine" / "decks" / "x.yaml", GOOD_DECK.replace("extra-one", some_id))
    with pytest.raises(ContentError) as err:
        load_catalogue([tmp_path / "mine"])
    assert f"card '{some_id}': duplicate id (also at" in err.value.problems[0]


def test_extra_content_from_env_and_option(tmp_path, monkeypatch, catalogue):
    write(tmp_path / "env" / "decks" / "x.yaml", GOOD_DECK)
    write(tmp_path / "opt" / "y.yaml", GOOD_DECK.replace("extra", "other"))
    monkeypatch.setenv("STUDYCLI_CONTENT", str(tmp_path / "env"))
    cat = load_catalogue([tmp_path / "opt"])
    assert "extra-one" in cat.cards and "other-one" in cat.cards
    assert len(cat.cards) == len(catalogue.cards) + 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id: x\ncards: [\n", "decks/bad.yaml:3: YAML syntax error"),
        ("a: &a [1]\nb: *a\n", "decks/bad.yaml:2: YAML anchors and aliases are not allowed"),
        ("id: x\nid: y\n", "decks/bad.yaml:2: duplicate key 'id' (first on line 1)"),
        ("\tid: x\n", "decks/bad.yaml:1: YAML syntax error"),
        ("", "decks/bad.yaml: file is empty"),
        ("- 1\n- 2\n", "decks/bad.yaml:1: deck file must be a mapping"),
        ("[" * 200 + "]" * 200, "decks/bad.yaml: nesting deeper than"),
    ],
)
def test_malformed_yaml_is_one_clean_line(tmp_path, monkeypatch, text, expected):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "decks" / "bad.yaml", text)
    problems = validate_paths([tmp_path / "decks"]).problems
    assert problems and problems[0].startswith(expected), problems


def test_invalid_utf8_and_bom(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "bad.yaml").write_bytes(b"id: x\ntitle: \xff\xfe\n")
    assert validate_paths([tmp_path / "decks"]).problems == [
        "decks/bad.yaml:2: not valid UTF-8 (byte 13)"
    ]
    (tmp_path / "decks" / "bad.yaml").write_bytes("\ufeff".encode() + GOOD_DECK.encode())
    assert validate_paths([tmp_path / "decks"]).problems == []


def test_incident_becomes_two_cards(catalogue):
    inc = next(iter(catalogue.incidents.values()))
    story = catalogue.cards[f"{inc.id}-story"]
    probe = catalogue.cards[f"{inc.id}-probe"]
    assert inc.root_cause in story.answer and inc.date in story.question
    assert probe.question == inc.probe
    assert probe.key_points[0] == f"Root cause: {inc.root_cause}"
    assert list(probe.key_points[1:]) == list(inc.mitigations)[:6]


def test_cache_is_used_and_invalidated(tmp_path):
    src = write(tmp_path / "mine" / "decks" / "x.yaml", GOOD_DECK)
    cache = tmp_path / "cache"
    first = load_catalogue([tmp_path / "mine"], cache_dir=cache)
    assert (cache / "content.sqlite").exists()
    again = load_catalogue([tmp_path / "mine"], cache_dir=cache)
    assert again.cards == first.cards and again.roadmap == first.roadmap
    assert again.incidents == first.incidents
    src.write_text(GOOD_DECK.replace("What is one?", "What is uno?"), encoding="utf-8")
    import os

    os.utime(src, ns=(1, 1))  # a different mtime, whatever the clock resolution
    changed = load_catalogue([tmp_path / "mine"], cache_dir=cache)
    assert changed.cards["extra-one"].question == "What is uno?"


def test_missing_content_folder(tmp_path):
    with pytest.raises(ContentError, match="content folder does not exist"):
        load_catalogue([tmp_path / "nope"])


def test_content_files_reads_plain_folder_as_decks(tmp_path):
    write(tmp_path / "plain" / "x.yaml", GOOD_DECK)
    files = content_files([tmp_path / "plain"])
    assert [(k, p.name) for k, p in files] == [("decks", "x.yaml")]
    result = load_files(files)
    assert not result.problems


def test_bundled_root_is_checkout(catalogue):
    assert content_roots()[0] == ROOT or (content_roots()[0] / "decks").is_dir()
    assert Path(catalogue.decks["rag"].path).name == "rag.yaml"


def test_cached_catalogue_selects_and_reads_like_the_parsed_one(tmp_path):
    """The cache's CardIndex makes Card objects on demand; it must answer as the parsed dict."""
    from studycli.content.model import CardIndex

    cache = tmp_path / "cache"
    parsed = load_catalogue(cache_dir=cache)  # parses and writes the cache
    cached = load_catalogue(cache_dir=cache)
    assert isinstance(cached.cards, CardIndex) and not isinstance(parsed.cards, CardIndex)
    filters = [
        ((), (), ()),
        (("rag",), (), ()),
        ((), ("rag", "tokens"), ()),
        ((), (), ("senior", "staff")),
        (("agents", "evals"), ("tools",), ("junior", "mid", "senior")),
    ]
    for decks, tags, levels in filters:
        ids = parsed.select_ids(decks, tags, levels)
        assert cached.select_ids(decks, tags, levels) == ids
        assert [c.id for c in cached.select(decks, tags, levels)] == ids
    assert list(cached.cards) == list(parsed.cards) and len(cached.cards) == len(parsed.cards)
    some = next(iter(parsed.cards))
    assert some in cached.cards and "no-such-card" not in cached.cards
    assert cached.cards[some] is cached.cards.get(some)  # made once
    assert cached.cards[some] == parsed.cards[some]  # text read from the cache on first use
    with pytest.raises(KeyError):
        cached.cards["no-such-card"]
