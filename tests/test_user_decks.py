"""Your own decks: docs/decks.md's examples validate and load; `source` is optional in them;
`decks validate DIR` reports an id that clashes with the bundled content."""

from __future__ import annotations

import re
from pathlib import Path

from .helpers import ROOT, write

DOC = ROOT / "docs" / "decks.md"


def doc_examples() -> dict[str, str]:
    """The example files in docs/decks.md: yaml blocks whose first line names their path."""
    text = DOC.read_text(encoding="utf-8")
    out = {}
    for block in re.findall(r"^```yaml\n(.*?)^```", text, re.S | re.M):
        first = block.splitlines()[0]
        if m := re.fullmatch(r"# ((?:decks|incidents|roadmap)/[\w.-]+\.yaml)", first):
            out[m.group(1)] = block
    return out


def folder(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "mine"
    for rel, text in files.items():
        write(root / rel, text)
    return root


def test_the_doc_has_an_example_of_each_kind():
    kinds = {rel.split("/")[0] for rel in doc_examples()}
    assert kinds == {"decks", "incidents", "roadmap"}


def test_doc_examples_validate_and_load(cli, tmp_path):
    root = folder(tmp_path, doc_examples())
    r = cli("decks", "validate", str(root))
    assert r.exit_code == 0, r.output
    assert r.output.startswith("OK: 3 cards, 2 decks, 1 incidents, roadmap of 2 days")
    shown = cli("--content", str(root), "cards", "show", "my-sd-rate-limiter")
    assert shown.exit_code == 0, shown.output
    assert "token bucket" in shown.output
    story = cli("--content", str(root), "cards", "show", "inc-my-outage-story")
    assert story.exit_code == 0, story.output
    listed = cli("--content", str(root), "decks", "list")
    assert "my-system-design" in listed.output


def test_every_field_the_loader_knows_is_documented():
    text = DOC.read_text(encoding="utf-8")
    from studycli.content import roadmap, schema  # the field sets

    sets = [getattr(schema, n) for n in ("CARD_FIELDS", "DECK_FIELDS", "INCIDENT_FIELDS")]
    sets += [getattr(roadmap, f"{n}_FIELDS") for n in ("ROADMAP", "WEEK", "DAY", "TASK")]
    for fields in sets:
        assert fields
        for name in fields:
            assert f"| `{name}` |" in text, name


def test_source_is_optional_in_a_user_deck(cli, tmp_path):
    deck = doc_examples()["decks/my-system-design.yaml"]
    assert "source:" not in deck
    root = folder(tmp_path, {"decks/my-system-design.yaml": deck})
    assert cli("decks", "validate", str(root)).exit_code == 0
    r = cli("--content", str(root), "drill", "--deck", "my-system-design", "--new", "1",
            input="a\n\n3\n", now="2026-11-22T09:00:00+00:00")  # fmt: skip
    assert r.exit_code == 0 and "Reviewed 1 card" in r.output, r.output


def test_bundled_cards_still_name_their_source():
    import yaml

    for path in sorted((ROOT / "decks").glob("*.yaml")):
        for card in yaml.safe_load(path.read_text(encoding="utf-8"))["cards"]:
            assert card.get("source"), (path.name, card["id"])


CLASH = """\
id: mine
title: Mine
cards:
  - id: {card_id}
    level: mid
    tags: [rag]
    question: A question?
    answer: An answer.
    key_points: [one, two, three]
"""


def test_validate_dir_reports_an_id_clashing_with_bundled_content(cli, tmp_path):
    root = folder(tmp_path, {"decks/mine.yaml": CLASH.format(card_id="rag-chunk-size-tradeoff")})
    r = cli("decks", "validate", str(root))
    assert r.exit_code == 2, r.output
    line = next(line for line in r.output.splitlines() if "rag-chunk-size-tradeoff" in line)
    assert "mine.yaml:4" in line and "duplicate id" in line
    assert "decks/rag.yaml:" in line  # names the bundled card's place too
    # the same words as when a command loads the folder
    loaded = cli("--content", str(root), "today", now="2026-11-22T09:00:00+00:00")
    assert loaded.exit_code == 2 and "duplicate id" in loaded.output
    fine = folder(tmp_path / "2", {"decks/mine.yaml": CLASH.format(card_id="my-own-card")})
    assert cli("decks", "validate", str(fine)).exit_code == 0


def test_validate_dir_reports_a_deck_id_clashing_with_bundled_content(cli, tmp_path):
    text = CLASH.format(card_id="my-own-card").replace("id: mine", "id: rag", 1)
    root = folder(tmp_path, {"decks/mine.yaml": text})
    r = cli("decks", "validate", str(root))
    assert r.exit_code == 2
    assert "deck id 'rag' is also used by" in r.output and "rag.yaml" in r.output
