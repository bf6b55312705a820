"""`studycli cheatsheet` and `studycli report`: printable sheets and progress reports."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from studycli.cli.base import DeckOpt, LevelOpt, TagOpt, app, app_context, check_filters
from studycli.errors import UsageError

SHEET_FORMATS = ("pdf", "html", "md")

REPORT_FORMATS = ("html", "pdf", "md", "json")

PAPERS = ("a4", "letter")

PAPER_NAMES = {"a4": "A4", "letter": "Letter"}

SUFFIXES = {
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".md": "md",
    ".markdown": "md",
    ".json": "json",
}

TO_STDOUT = ("md", "json")  # without -o these print; pdf and html are written to a file


def _format_option(formats: str, default: str) -> Any:
    """--format/-f for a command writing one of `formats`."""
    return typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        show_default=False,
        help=f"{formats}  [default: {default}, or from -o's extension]",
    )


SheetFormatOpt = Annotated[str | None, _format_option("pdf, html or md", "pdf")]

ReportFormatOpt = Annotated[str | None, _format_option("html, pdf, md or json", "html")]

OutputOpt = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write here ('-' = standard output).",
        show_default=False,
    ),
]

PaperOpt = Annotated[str, typer.Option("--paper", metavar="SIZE", help="Paper size: a4 or letter.")]


def _choice(value: str, options: tuple[str, ...], option: str) -> str:
    v = value.strip().lower()
    if v not in options:
        raise UsageError(f"{option}: must be one of {', '.join(options)} (got '{value}')")
    return v


def _format(value: str | None, output: str | None, options: tuple[str, ...]) -> str:
    if value is not None:
        return _choice(value, options, "--format")
    suffix = Path(output).suffix.lower() if output and output != "-" else ""
    guessed = SUFFIXES.get(suffix)
    return guessed if guessed in options else options[0]


def _check_output(output: str | None) -> Path | None:
    """Fail before any work if -o cannot be written to (missing folder, a folder given)."""
    if output is None or output == "-":
        return None
    from studycli.storage.files import output_path

    return output_path(output, "-o")


def _emit(
    content: str | bytes,
    fmt: str,
    output: str | None,
    path: Path | None,
    default_name: str,
    what: str,
) -> None:
    if output == "-" or (output is None and fmt in TO_STDOUT):
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
        else:
            typer.echo(content, nl=False)
        return
    from studycli.storage.files import write_output

    target = path or Path(default_name)
    write_output(target, content, "-o")
    typer.echo(f"wrote {target} ({what})")


def _render(doc, fmt: str, paper: str, now) -> tuple[str | bytes, str]:  # type: ignore[no-untyped-def]
    """(content, description) of a Document in pdf, html or md."""
    if fmt == "pdf":
        from studycli.render.pdf import render_pdf

        pdf = render_pdf(doc, paper, generated=now)
        return (
            pdf.data,
            f"{pdf.pages} {'page' if pdf.pages == 1 else 'pages'}, {PAPER_NAMES[paper]}",
        )
    if fmt == "html":
        from studycli.render.html import render_html

        return render_html(doc, paper), "HTML"
    from studycli.render.markdown import render_markdown

    return render_markdown(doc), "Markdown"


def _scope(decks: list[str], tags: list[str], levels: list[str]) -> str:
    parts = [
        f"{name} {', '.join(values)}"
        for name, values in (("deck", decks), ("tag", tags), ("level", levels))
        if values
    ]
    return " · ".join(parts) if parts else "all decks"


@app.command()
def cheatsheet(
    ctx: typer.Context,
    deck: DeckOpt = None,
    tag: TagOpt = None,
    level: LevelOpt = None,
    weakest: Annotated[
        int | None,
        typer.Option(
            "--weakest",
            "-w",
            metavar="N",
            min=1,
            help="Only your N weakest reviewed cards (lowest recall, most lapses, worst grades).",
        ),
    ] = None,
    fmt: SheetFormatOpt = None,
    output: OutputOpt = None,
    paper: PaperOpt = "a4",
) -> None:
    """A printable cheat sheet: each card's question and key points per topic, figures,
    incidents and answer frameworks.

    FORMAT is pdf (default; two columns, page numbers), html (self-contained, prints well)
    or md; it is guessed from -o's extension when not given. pdf and html are written to
    studycli-cheatsheet-DATE.pdf/.html unless -o says where; md prints unless -o is given.
    """
    from studycli.clock import study_day
    from studycli.render.cheatsheet import build_cheatsheet
    from studycli.study.report import weakest_cards

    a = app_context(ctx)
    decks, tags, levels = deck or [], tag or [], level or []
    check_filters(a, decks, tags, levels)
    fmt_ = _format(fmt, output, SHEET_FORMATS)
    paper_ = _choice(paper, PAPERS, "--paper")
    path = _check_output(output)
    cards = a.catalogue.select(decks, tags, levels)
    scope = _scope(decks, tags, levels)
    if not cards:
        raise UsageError(f"no card matches {scope}")
    now = a.now()
    notes: dict[str, str] = {}
    if weakest is not None:
        rows = weakest_cards(
            a.store, a.catalogue, a.scheduler, study_day(now, a.rollover_hour), weakest, cards
        )
        if not rows:
            raise UsageError(
                "--weakest: no card here has been reviewed yet; run 'studycli drill' first"
            )
        cards = [a.catalogue.cards[r["id"]] for r in rows]
        notes = {
            r[
                "id"
            ]: f"recall {r['recall']:.0%} · {r['lapses']} lapse{'s' if r['lapses'] != 1 else ''}"
            + (f" · grade {r['grade']:.1f}/4" if r["grade"] is not None else "")
            for r in rows
        }
        scope = f"your {len(rows)} weakest cards" + ("" if scope == "all decks" else f" ({scope})")
    doc = build_cheatsheet(
        a.catalogue, cards, generated=now.date(), scope=scope.capitalize(), notes=notes
    )
    content, what = _render(doc, fmt_, paper_, now)
    _emit(
        content,
        fmt_,
        output,
        path,
        f"studycli-cheatsheet-{now.date().isoformat()}.{fmt_}",
        f"{len(cards)} card{'s' if len(cards) != 1 else ''}, {what}",
    )


@app.command()
def report(
    ctx: typer.Context,
    fmt: ReportFormatOpt = None,
    output: OutputOpt = None,
    paper: PaperOpt = "a4",
) -> None:
    """A progress report to show a mentor: reviews per day, true retention by week, cards per
    topic, readiness, roadmap adherence, weakest cards and leeches, mocks, grader agreement and
    spend.

    FORMAT is html (default; self-contained, opens from disk with no network), pdf, md or json
    (the same numbers as 'studycli stats --json'); it is guessed from -o's extension when not given.
    html and pdf are written to studycli-report-DATE.html/.pdf unless -o says where; md and json
    print.
    """
    import json

    from studycli.study.report import report_data

    a = app_context(ctx)
    fmt_ = _format(fmt, output, REPORT_FORMATS)
    paper_ = _choice(paper, PAPERS, "--paper")
    path = _check_output(output)
    now = a.now()
    data = report_data(a.store, a.catalogue, a.scheduler, a.config, now, a.rollover_hour)
    name = f"studycli-report-{now.date().isoformat()}.{fmt_}"
    if fmt_ == "json":
        _emit(json.dumps(data, indent=2) + "\n", fmt_, output, path, name, "JSON")
        return
    from studycli.render.report import build_report

    content, what = _render(build_report(data), fmt_, paper_, now)
    _emit(content, fmt_, output, path, name, what)
