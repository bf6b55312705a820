"""`studycli cheatsheet`: real PDFs parsed back, Markdown and HTML, filters and --weakest."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import write
from .history import NOW, build_history

UNICODE_DECK = """\
id: typo
title: Typography “check”
cards:
  - id: typo-arrows
    level: mid
    tags: [typo, framework]
    source: mine.txt
    question: Does → × ≤ é “quoted” print?
    answer: It does.
    key_points:
      - Latency budget -> p95 ≤ 800 ms × 3 hops
      - Café résumé naïve “smart quotes”
      - Unknown glyph 漢 becomes a question mark
    figures:
      - value: "≤ 2 s"
        what: budget for “first token” → user
        who: Zoë Müller
        when: "2025-01"
"""


def pdf_text(data: bytes) -> tuple[str, list[str]]:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    pages = [page.extract_text() for page in reader.pages]
    return "\n".join(pages), pages


@pytest.fixture(scope="module")
def full_sheets(tmp_path_factory):
    """The full bundled sheet on A4 and Letter, made once through the CLI."""
    from typer.testing import CliRunner

    from studycli.cli.main import load_commands

    app = load_commands(None)

    out = tmp_path_factory.mktemp("sheets")
    runner = CliRunner()
    results = {}
    for paper in ("a4", "letter"):
        path = out / f"sheet-{paper}.pdf"
        r = runner.invoke(
            app,
            ["--home", str(out / "home"), "cheatsheet", "--paper", paper, "-o", str(path)],
            env={"STUDYCLI_NOW": NOW},
            catch_exceptions=False,
        )
        assert r.exit_code == 0, r.output
        results[paper] = (path.read_bytes(), r.output)
    return results


def test_full_sheet_pdf_content_and_page_furniture(full_sheets, catalogue):
    data, output = full_sheets["a4"]
    text, pages = pdf_text(data)
    n = len(pages)
    assert (
        output.strip().endswith(f"({len(catalogue.cards)} cards, {n} pages, A4)")
        or f"{n} pages, A4" in output
    )
    assert 10 <= n <= 22, n  # the whole bundled content: a sensible booklet
    for i, page in enumerate(pages, 1):
        assert f"page {i} of {n}" in page and "generated 2026-11-22" in page
    flat = " ".join(text.split())
    for heading in (
        "Answer frameworks",
        "Named incidents",
        "Retrieval-augmented generation",
        "Figure What it is",
    ):
        assert heading in flat, heading
    # Every card's question is on the sheet (compare whitespace-free: lines wrap).
    squashed = re.sub(r"\s+", "", text)
    missing = [
        c.id
        for c in catalogue.cards.values()
        if c.deck != "incidents" and re.sub(r"\s+", "", c.question)[:40] not in squashed
    ]
    assert not missing
    for inc in catalogue.incidents.values():
        assert inc.date in text and re.sub(r"\s+", "", inc.root_cause)[:40] in squashed
    # Figures carry who and when.
    fig = next(f for c in catalogue.cards.values() for f in c.figures if f.when != "n.d.")
    assert re.sub(r"\s+", "", fig.who)[:15] in squashed


def test_letter_paper_and_two_columns(full_sheets):
    import pypdf

    a4 = pypdf.PdfReader(io.BytesIO(full_sheets["a4"][0]))
    letter = pypdf.PdfReader(io.BytesIO(full_sheets["letter"][0]))
    assert [round(float(x)) for x in a4.pages[0].mediabox[2:]] == [595, 842]
    assert [round(float(x)) for x in letter.pages[0].mediabox[2:]] == [612, 792]
    # Text on a middle page starts at two x positions: the left and the right column.
    starts: list[float] = []
    a4.pages[3].extract_text(
        visitor_text=lambda t, cm, tm, fd, fs: starts.append(tm[4]) if t.strip() else None
    )
    width = float(a4.pages[3].mediabox[2])
    left = [x for x in starts if x < width / 2]
    right = [x for x in starts if x > width / 2]
    assert len(left) > 50 and len(right) > 50
    assert min(right) - min(left) > width * 0.4


def test_unicode_renders_with_the_bundled_font(cli, tmp_path):
    content = tmp_path / "content"
    write(content / "decks" / "typo.yaml", UNICODE_DECK)
    out = tmp_path / "typo.pdf"
    r = cli("--content", str(content), "cheatsheet", "--deck", "typo", "-o", str(out), now=NOW)
    assert r.exit_code == 0, r.output
    text, _ = pdf_text(out.read_bytes())
    for s in (
        "→",
        "×",
        "≤",
        "é",
        "“",
        "”",
        "Zoë Müller",
        "p95 ≤ 800 ms × 3 hops",
        "Café résumé naïve",
    ):
        assert s in text, s
    assert "漢" not in text and "Unknown glyph ? becomes" in text
    assert b"DejaVuSansCondensed" in out.read_bytes()  # the embedded font, not a core font
    if shutil.which("pdftotext"):  # a second, independent reader where poppler is installed
        plain = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(out), "-"], capture_output=True, check=True
        ).stdout
        assert "“first token” → user" in plain.decode("utf-8") and "Zoë Müller" in plain.decode(
            "utf-8"
        )


def test_markdown_is_plain_and_complete(cli, tmp_path):
    content = tmp_path / "content"
    write(content / "decks" / "typo.yaml", UNICODE_DECK)
    r = cli(
        "--content",
        str(content),
        "cheatsheet",
        "--deck",
        "typo",
        "--deck",
        "rag",
        "--format",
        "md",
        now=NOW,
    )
    assert r.exit_code == 0
    md = r.output
    assert md.startswith("# studycli cheat sheet\n")
    assert "## Answer frameworks\n" in md and "#### Does → × ≤ é “quoted” print?" in md
    assert "1. **Latency budget →** p95 ≤ 800 ms × 3 hops" in md
    assert "| Figure | What it is | Who reported it | When |" in md
    assert "| **≤ 2 s** | budget for “first token” → user | Zoë Müller | 2025-01 |" in md
    assert "## Retrieval-augmented generation" in md and not re.search(r"<[A-Za-z/!]", md)


def test_html_is_self_contained_and_prints(cli, tmp_path):
    out = tmp_path / "sheet.html"
    r = cli("cheatsheet", "-o", str(out), now=NOW)  # format from the extension
    assert r.exit_code == 0 and "HTML" in r.output
    html = out.read_text()
    # one section per bundled deck card (160 since foundations-ten-concepts was dropped)
    assert '<table class="records">' in html and html.count('<section class="card">') == 160
    for bad in ("<script", "<link", "src=", "http://", "https://"):
        assert bad not in html
    assert "@media print" in html and "columns: 2" in html and "counter(pages)" in html


def test_filters_and_empty_selection(cli, catalogue):
    r = cli("cheatsheet", "--deck", "system-design", "--level", "senior", "-f", "md", now=NOW)
    assert r.exit_code == 0
    expected = [
        c for c in catalogue.cards.values() if c.deck == "system-design" and c.level == "senior"
    ]
    assert r.output.count("\n#### ") == len(expected)
    r = cli("cheatsheet", "--tag", "framework", "-f", "md", now=NOW)
    assert r.output.count("\n#### ") == sum("framework" in c.tags for c in catalogue.cards.values())
    r = cli("cheatsheet", "--deck", "incidents", "-f", "md", now=NOW)
    assert "## Named incidents" in r.output and r.output.count("\n| 20") == len(catalogue.incidents)
    r = cli("cheatsheet", "--deck", "foundations", "--level", "staff", now=NOW)
    assert (
        r.exit_code == 2
        and r.output.strip() == "studycli: no card matches deck foundations · level staff"
    )
    r = cli("cheatsheet", "--format", "docx", now=NOW)
    assert r.exit_code == 2 and "--format: must be one of pdf, html, md" in r.output
    r = cli("cheatsheet", "--weakest", "0", now=NOW)
    assert r.exit_code == 2 and "--weakest" in r.output


def test_weakest_sheet(cli, store, catalogue, isolated_home):
    r = cli("cheatsheet", "--weakest", "5", now=NOW)
    assert r.exit_code == 2
    assert (
        r.output.strip()
        == "studycli: --weakest: no card here has been reviewed yet; run 'studycli drill' first"
    )
    build_history(store, catalogue, days=10)
    from studycli.clock import study_day
    from studycli.render.markdown import md_text
    from studycli.scheduler import Scheduler
    from studycli.storage.store import Store
    from studycli.study.report import weakest_cards

    with Store(isolated_home / "studycli.db") as s:
        expected = weakest_cards(
            s, catalogue, Scheduler(), study_day(dt.datetime.fromisoformat(NOW), 4), 12
        )
    r = cli("cheatsheet", "--weakest", "12", "-f", "md", now=NOW)
    assert r.exit_code == 0
    assert "Your 12 weakest cards" in r.output
    shown = r.output
    for row in expected:
        card = catalogue.cards[row["id"]]
        if card.deck == "incidents":
            continue
        assert f"recall {row['recall']:.0%}" in shown
        assert md_text(card.question) in shown
    # Combined with a filter, only that deck's weakest cards.
    r = cli("cheatsheet", "--weakest", "3", "--deck", "rag", "-f", "md", now=NOW)
    assert r.exit_code == 0 and r.output.count("\n#### ") == 3 and "(deck rag)" in r.output


def test_pdf_to_stdout_and_default_file_name(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = cli("cheatsheet", "--deck", "rag", now=NOW)
    assert r.exit_code == 0 and r.output.startswith(
        "wrote studycli-cheatsheet-2026-11-22.pdf (23 cards, "
    )
    assert (tmp_path / "studycli-cheatsheet-2026-11-22.pdf").read_bytes().startswith(b"%PDF-")


def test_help_and_today_do_not_import_pdf_libraries():
    code = (
        "import sys; from typer.testing import CliRunner; from studycli.cli.main import load_commands; app = load_commands(None); "
        "CliRunner().invoke(app, ['cheatsheet', '--help']); "
        "CliRunner().invoke(app, ['report', '--help']); "
        "print(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('fpdf', 'fontTools', 'PIL', 'pypdf')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_font_licence_ships_next_to_the_font():
    from studycli.render.pdf import FONT_DIR, FONT_FILES

    for name in FONT_FILES.values():
        assert (FONT_DIR / name).stat().st_size > 100_000
    licence = (FONT_DIR / "LICENSE").read_text()
    assert "Bitstream Vera Fonts Copyright" in licence and "Arev Fonts Copyright" in licence


def test_every_block_type_renders_in_every_format():
    """The three writers take the same Document; a table row taller than a column still fits."""
    from studycli.render.blocks import CardBlock, Chart, Document, Heading, Paragraph, Table, Title
    from studycli.render.charts import bars_svg
    from studycli.render.html import render_html
    from studycli.render.markdown import render_markdown
    from studycli.render.pdf import render_pdf

    long_cell = " ".join(["word"] * 3000)
    doc = Document(
        Title("t", ["m"]),
        [
            Heading("h"),
            CardBlock("q?", ["a -> b", "plain"], ordered=True, note="n"),
            Table(["a", "b"], [["x", long_cell], ["y", ["one", "two"]]]),
            Table(
                ["d", "t", "what", "why"], [["2024", "x", long_cell, ["m1", "m2"]]], records=True
            ),
            Chart(lambda f: bars_svg(["a", "b"], [1, 2], f), "alt"),
            Paragraph("p", muted=True),
        ],
        columns=2,
        generated="2026-11-22",
    )
    pdf = render_pdf(doc)
    assert pdf.pages >= 3 and pdf.data.startswith(b"%PDF")
    assert "<svg" in render_html(doc) and "| a | b |" in render_markdown(doc)
    assert not Path("t").exists()
