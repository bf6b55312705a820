"""`studycli init`: the plan in a few questions, or from options for scripts.

Asks (with questionary, in a terminal) for the interview date, the decks and levels new
cards come from, the daily time (which sets new cards a day, from the review load FSRS
predicts) and, optionally, a grader model, which is tried with one real call before it is
saved. Every answer has an option; `--yes` saves without asking. Then the 30-day plan
starts toward the interview. Also offered once, on the very first `today` or `drill` in a
terminal (`studycli.cli.context.first_run`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

import typer

from studycli.cli import complete
from studycli.cli.base import app, app_context
from studycli.cli.context import AppContext, today_date
from studycli.cli.setup_plan import budget_of, current, model_or_fail, save, summary
from studycli.errors import UsageError
from studycli.tui.styles import make_console
from studycli.vocab import LEVELS

if TYPE_CHECKING:
    from rich.console import Console


@app.command()
def init(
    ctx: typer.Context,
    interview: Annotated[
        str | None,
        typer.Option(
            "--interview",
            metavar="DATE",
            help="Interview date: 2026-12-22, 'Dec 22', 'in 3 weeks', '+21d' ('none': no date yet).",
        ),
    ] = None,
    minutes_per_day: Annotated[
        int | None,
        typer.Option(
            "--minutes-per-day",
            min=5,
            max=600,
            metavar="N",
            help="Daily study time; sets how many new cards a day.",
        ),
    ] = None,
    level: Annotated[
        list[str] | None,
        typer.Option(
            "--level",
            "-l",
            metavar="LEVEL",
            help="Levels new cards come from (repeatable) [default: all].",
            autocompletion=complete.levels,
        ),
    ] = None,
    deck: Annotated[
        list[str] | None,
        typer.Option(
            "--deck",
            "-d",
            metavar="DECK",
            help="Decks new cards come from (repeatable) [default: all].",
            autocompletion=complete.deck_ids,
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            metavar="MODEL",
            help="LiteLLM model that grades answers, tried with one call first; the key is "
            "the provider's usual variable (OPENAI_API_KEY...); 'none' turns grading off.",
        ),
    ] = None,
    api_base: Annotated[
        str | None,
        typer.Option("--api-base", metavar="URL", help="The model's server, e.g. a local one."),
    ] = None,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes", "-y", help="Save without asking; what no option gives keeps its current value."
        ),
    ] = False,
) -> None:
    """Set up your plan: interview date, daily time, decks and levels, an optional grader."""
    from studycli.cli.prompts import interactive

    a = app_context(ctx)
    if not yes and not interactive():
        raise UsageError(
            "init asks its questions in a terminal; here give the answers as options with "
            "--yes, e.g. studycli init --interview 'Dec 22' --minutes-per-day 30 --yes"
        )
    given = _from_options(a, interview, minutes_per_day, level or [], deck or [], model, api_base)
    setup(a, make_console(), given, ask=not yes)


def _from_options(
    a: AppContext,
    interview: str | None,
    minutes: int | None,
    levels: list[str],
    decks: list[str],
    model: str | None,
    api_base: str | None,
) -> dict[str, object]:
    """The answers given as options, checked before anything is asked or saved."""
    from studycli.dates import parse_date

    given: dict[str, object] = {}
    if interview is not None:
        none = interview.strip().lower() in ("none", "")
        given["interview"] = (
            None if none else parse_date(interview, today_date(a), option="--interview")
        )
    if minutes is not None:
        given["minutes"] = minutes
    for lv in levels:
        if lv not in LEVELS:
            raise UsageError(f"--level: must be one of {', '.join(LEVELS)} (got '{lv}')")
    if levels:
        given["levels"] = [lv for lv in LEVELS if lv in levels]
    for d in decks:
        if d not in a.catalogue.decks:
            known = ", ".join(sorted(a.catalogue.decks))
            raise UsageError(f"--deck: no deck '{d}' (known: {known})")
    if decks:
        given["decks"] = list(dict.fromkeys(decks))
    if model is not None:
        given["model"] = "" if model.strip().lower() in ("none", "") else model.strip()
    if api_base is not None:
        given["api_base"] = api_base.strip()
    return given


def setup(a: AppContext, console: Console, given: dict[str, object], *, ask: bool) -> None:
    """Ask what `given` lacks (when `ask`), show the plan, save it and start the roadmap."""
    answers = replace(current(a), **given)  # type: ignore[arg-type]
    if ask:
        from studycli.cli.init_questions import ask_all

        answers = ask_all(a, console, answers, given)
    elif ("model" in given or "api_base" in given) and answers.model:
        model_or_fail(answers)  # a model given as an option is tried before it is saved
    budget = budget_of(a, answers)
    summary(a, console, answers, budget)
    if ask:
        from studycli.cli.prompts import yes_no

        if not yes_no("Save this plan?", default=True, what="init"):
            console.print("Nothing saved; 'studycli init' asks again.")
            return
    save(a, console, answers, budget)


def offer_setup(a: AppContext) -> None:
    """Offered once, before the first `today` or `drill`: set up now, or carry on."""
    from studycli.cli.prompts import yes_no

    console = make_console()
    console.print(
        "[bold]Welcome to studycli.[/] No plan yet: your interview date, the time you have "
        "a day and the topics you want set the pace."
    )
    if yes_no("Set up your plan now?", default=True, what="init"):
        setup(a, console, {}, ask=True)
        console.print()
    else:
        console.print("Any time: [bold]studycli init[/]")
