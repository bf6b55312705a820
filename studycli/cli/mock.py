"""`studycli mock`: a timed mock interview. The loop itself is `tui.mock`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from studycli.cli.base import app, app_context, check_filters, make_console
from studycli.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from studycli.cli.context import AppContext
    from studycli.content.model import Card
    from studycli.study.mock import MockGrade


KIND_HELP = "system-design, incident, fundamentals, behavioural or mixed."


@app.command()
def mock(
    ctx: typer.Context,
    minutes: Annotated[
        float,
        typer.Option("--minutes", "-m", metavar="N", min=1, max=240, help="Length of the round."),
    ] = 30,
    level: Annotated[
        str | None,
        typer.Option(
            "--level",
            "-l",
            metavar="LEVEL",
            help="junior, mid, senior or staff (nearest levels fill in).",
        ),
    ] = None,
    kind: Annotated[str, typer.Option("--kind", "-k", metavar="KIND", help=KIND_HELP)] = "mixed",
    answer_minutes: Annotated[
        float,
        typer.Option("--answer-minutes", metavar="N", min=0.1, max=60, help="Time per answer."),
    ] = 3,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", metavar="DIR", help="Folder for the Markdown transcript [default: HOME/mocks]."
        ),
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option(
            "--tag",
            "-t",
            metavar="TAG",
            help="Only cards with this tag or from this deck (repeatable); --tag meta adds the "
            "cards about interview craft itself, left out otherwise.",
        ),
    ] = None,
) -> None:
    """A timed mock interview: questions against a countdown, no model answer until the end.

    Answers are graded at the end (by the configured grader, else by you against the key
    points), count as reviews, and the transcript is saved and written as Markdown.
    """
    from studycli.study.mock import KINDS, Mock

    a = app_context(ctx)
    if kind not in KINDS:
        raise UsageError(f"--kind: must be one of {', '.join(KINDS)} (got '{kind}')")
    check_filters(a, [], tag or [], [])
    console = make_console()
    session = Mock.start(
        a.store, a.scheduler, a.catalogue, a.now(),
        kind=kind, level=level, minutes=minutes, answer_seconds=int(round(answer_minutes * 60)),
        rollover_hour=a.rollover_hour, tags=tag or [],
    )  # fmt: skip
    from studycli.tui.mock import run_mock

    reason = run_mock(a.now, session, console, _grader(a))
    if not session.answered():
        session.discard()  # cancelled before any answer: nothing worth a transcript
        console.print("No answers given: nothing saved.")
    else:
        path = session.finish(a.now(), out or (a.home / "mocks"))
        console.print(f"Transcript saved: {path}", highlight=False, soft_wrap=True)
    if reason == "interrupted":
        raise typer.Exit(130)


def _grader(a: AppContext) -> Callable[[Card, str], MockGrade] | None:
    """The configured grader (studycli/grading.py) as a mock grader, or None when no model is set.

    Built when the mock starts, so LiteLLM is imported in the background while the candidate
    answers. A grade that fails comes back pending (saved for 'studycli grade --pending').
    """
    try:
        from studycli.grading.grader import build_grader
    except ImportError:  # the grading feature is optional
        return None
    grader = build_grader(a.config, a.store)
    if grader is None:
        return None

    def grade(card: Card, answer: str) -> MockGrade:
        from studycli.study.mock import MockGrade

        res = grader.grade(card, answer, a.now())
        return MockGrade(
            status="done" if res.status == "done" else "pending",
            score=res.score,
            checklist=[p.met for p in res.points] if res.points else None,
            suggested=res.suggested,
            feedback=res.feedback or (res.error or ""),
            grade_uid=res.uid,
        )

    return grade
