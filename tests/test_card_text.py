"""Card text is Markdown, read the same way everywhere: `cards show`, the Anki export,
the cheat sheet. A line break inside a paragraph is a space; code blocks stay whole."""

from __future__ import annotations

import re

import pytest

from .drill_deck import CODE_ID, DECK, PROSE_ID, screen_deck
from .screen import code_lines, layout_problems
from .test_anki import anki_notes

NOW = "2026-11-22T09:00:00+00:00"


@pytest.mark.parametrize("cols", [80, 120])
def test_every_bundled_card_reads_cleanly_in_cards_show(cli, catalogue, cols):
    """No raw code fence, no paragraph broken before the edge, list items hang."""
    bad: dict[str, list[str]] = {}
    for card in catalogue.cards.values():
        r = cli("cards", "show", card.id, env={"COLUMNS": str(cols)})
        assert r.exit_code == 0, r.output
        problems = layout_problems(r.output.splitlines(), cols, code_lines(card.answer))
        if problems:
            bad[card.id] = problems
    assert not bad, f"{len(bad)} cards: " + "; ".join(f"{k}: {v[0]}" for k, v in bad.items())


def test_cards_show_renders_markdown(cli, tmp_path):
    content = screen_deck(tmp_path / "content")
    r = cli("--content", str(content), "cards", "show", CODE_ID, env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert layout_problems(lines, 80, code_lines(DECK)) == []
    assert CODE_ID in r.output
    defs = next(line for line in lines if "def windows(ids" in line)
    body = next(line for line in lines if "if size <= 0" in line)
    assert body.index("if size") - defs.index("def windows") == 4
    r = cli("--content", str(content), "cards", "show", "screen-table", env={"COLUMNS": "80"})
    row = next(line for line in r.output.splitlines() if "Fixed size" in line)
    assert "uniform prose" in row and "| --- |" not in r.output
    r = cli("--content", str(content), "cards", "show", PROSE_ID, env={"COLUMNS": "120"})
    flat = " ".join(" ".join(line.strip("│ ") for line in r.output.splitlines()).split())
    assert "evaluation traffic, and embedding calls. Discounts to include" in flat


def test_anki_keeps_code_blocks_whole_and_joins_paragraph_lines(cli, tmp_path):
    content = screen_deck(tmp_path / "content")
    out = tmp_path / "screen.apkg"
    r = cli(
        "--content", str(content), "export", "anki", "-o", str(out), "--deck", "screen", now=NOW
    )
    assert r.exit_code == 0, r.output
    notes, _ = anki_notes(out, tmp_path / "col.anki2")
    code = notes[CODE_ID]["fields"]["Answer"]
    pre = re.search(r"<pre><code[^>]*>(.*?)</code></pre>", code, re.S)
    assert pre, code
    assert pre.group(1) == (
        "def windows(ids, size=500, overlap=50):\n"
        "    if size &lt;= 0 or not 0 &lt;= overlap &lt; size:\n"
        "        raise ValueError(&quot;need 0 &lt;= overlap &lt; size&quot;)\n"
        "\n"
        "    out = []\n"
        "    for start in range(0, len(ids), size - overlap):\n"
        "        out.append(ids[start:start + size])\n"
        "        if start + size &gt;= len(ids):\n"
        "            break\n"
        "\n"
        "    return out\n"
    )
    assert "```" not in code and code.count("<pre>") == 1
    assert (
        "<p>It is O(n) in the number of ids, and an empty list gives an empty result.</p>" in code
    )
    prose = notes[PROSE_ID]["fields"]["Answer"]
    assert "<br" not in prose  # a line break inside a paragraph is not a break
    text = re.sub(r"\s+", " ", prose)
    assert "evaluation traffic, and embedding calls. Discounts to include" in text
    assert "<ol>" in prose and prose.count("<li>") == 4


def test_cheat_sheet_reads_paragraph_lines_as_one_line(cli, tmp_path):
    content = screen_deck(tmp_path / "content")
    r = cli(
        "--content", str(content), "cheatsheet", "--deck", "screen", "--format", "md",
        "-o", str(tmp_path / "sheet.md"), now=NOW,
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    md = (tmp_path / "sheet.md").read_text()
    assert "Cost is requests per day times 30 times the sum of input tokens" in md
