"""`studycli mock`: a timed mock interview. The loop itself is `tui.mock`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from studycli.cli.base import app, app_context, check_filters
from studycli.errors import UsageError
from studycli.tui.styles import make_console


def _finite(value: float) -> float:
    """NaN passes every range check (it compares false to both bounds): refuse it here."""
    import math

    if not math.isfinite(value):
        raise typer.BadParameter(f"{value} is not a number of minutes from 0.1 to 60")
    return value


if TYPE_CHECKING:
    from collections.abc import Callable

    from studycli.cli.context import AppContext
    from studycli.content.model import Card
    from studycli.study.design import DesignRound
    from studycli.study.mock import Mock, MockGrade


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
        typer.Option(
            "--answer-minutes",
            metavar="N",
            min=0.1,
            max=60,
            callback=_finite,
            help="Time per answer.",
        ),
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
    follow_ups: Annotated[
        bool,
        typer.Option("--follow-ups/--no-follow-ups", help="Ask a follow-up after each answer."),
    ] = True,
    rephrase: Annotated[
        bool,
        typer.Option(
            "--rephrase",
            help="Ask each question in other words (needs a model), so wording alone does not pass.",
        ),
    ] = False,
) -> None:
    """A timed mock interview: questions against a countdown, each with a follow-up.

    After each answer the interviewer asks one follow-up on its weakest part (chosen by the
    configured model, else the card's follow-up for the key points you tick as missed).
    Answers are graded at the end (by the grader, else by you against the key points),
    count as reviews, and the transcript is saved as Markdown. '--kind system-design' runs
    one design prompt in timed phases (clarify, high-level design, deep dive, trade-offs,
    failure modes, scaling), each with its rubric.
    """
    from studycli.study.mock import KINDS, Mock

    a = app_context(ctx)
    if kind not in KINDS:
        raise UsageError(f"--kind: must be one of {', '.join(KINDS)} (got '{kind}')")
    check_filters(a, [], tag or [], [])
    if not 1 <= minutes <= 240:  # also refuses nan, which the option's range lets through
        raise UsageError("--minutes: must be a number from 1 to 240")
    from studycli.grading.settings import GraderSettings

    settings = GraderSettings.from_config(a.config)  # no LiteLLM import
    if rephrase and settings is None:
        raise UsageError("--rephrase: needs a model ('studycli config set grader.model ...')")
    console = make_console()
    if kind == "system-design":
        _design_round(a, console, level, minutes, out)
        return
    session = Mock.start(
        a.store, a.scheduler, a.catalogue, a.now(),
        kind=kind, level=level, minutes=minutes, answer_seconds=int(round(answer_minutes * 60)),
        rollover_hour=a.rollover_hour, tags=tag or [],
    )  # fmt: skip
    from studycli.study.follow_ups import Interviewer
    from studycli.tui.mock import run_mock

    interviewer = Interviewer(settings, rephrase=rephrase, follow_ups=follow_ups)
    reason = run_mock(a.now, session, console, _grader(a), interviewer)
    _close(a, console, session, reason, out, "No answers given: nothing saved.")


def _grader(a: AppContext) -> Callable[[Card, str], MockGrade] | None:
    """The configured grader (studycli.grading) as a mock grader, or None when no model is set.

    Built when the mock starts, so LiteLLM is imported in the background while the candidate
    answers. A grade that fails comes back pending (saved for 'studycli grade --pending').
    """
    from studycli.grading.grader import build_grader

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


def _design_round(
    a: AppContext, console: Any, level: str | None, minutes: float, out: Path | None
) -> None:
    from studycli.study.design import DesignRound
    from studycli.tui.design import run_design

    rnd = DesignRound.start(a.store, a.catalogue, a.now(), level=level, minutes=minutes)

    def rate(rating: int) -> str:
        from studycli.study.drill import Drill
        from studycli.vocab import RATING_NAMES

        drill = Drill(
            a.store, a.scheduler, a.catalogue, [rnd.card.id], rollover_hour=a.rollover_hour,
            session_id=rnd.uid, rated_by="mock",
        )  # fmt: skip
        if drill.current is None:
            return "The prompt's card is no longer in the content: not rated."
        answer = "\n\n".join(f"{p.title}:\n{p.answer}" for p in rnd.answered())
        seconds = int(rnd.used_seconds * 1000)
        drill.rate(rating, a.now(), answer=answer, duration_ms=seconds)
        return f"{RATING_NAMES[rating]} saved as a review of {rnd.card.id}."

    reason = run_design(a.now, rnd, console, _grader(a), rate)
    _close(a, console, rnd, reason, out, "No phase answered: nothing saved.")


def _close(
    a: AppContext, console: Any, round_: Mock | DesignRound, reason: str, out: Path | None,
    nothing: str,
) -> None:  # fmt: skip
    """Keep the transcript of a round with answers, forget one without; Ctrl-C exits 130."""
    if not round_.answered():
        round_.discard()  # cancelled before any answer: nothing worth a transcript
        console.print(nothing)
    else:
        path = round_.finish(a.now(), out or (a.home / "mocks"))
        console.print(f"Transcript saved: {path}", highlight=False, soft_wrap=True)
    if reason == "interrupted":
        raise typer.Exit(130)
