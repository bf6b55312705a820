"""The questions `studycli init` asks in a terminal; an answer given as an option is not asked."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from studycli.cli.context import AppContext, today_date
from studycli.cli.prompts import pick, text, ticks, yes_no
from studycli.cli.setup_plan import (
    DEFAULT_MODEL,
    MINUTE_CHOICES,
    Answers,
    budget_for,
    model_or_fail,
    pace_of,
)
from studycli.errors import StudyError
from studycli.vocab import LEVELS

if TYPE_CHECKING:
    from rich.console import Console

DATE_HINT = "Dec 22, in 3 weeks, 2026-12-22; empty: none yet"


def ask_all(a: AppContext, console: Console, answers: Answers, given: dict[str, object]) -> Answers:
    if "interview" not in given:
        ask_interview(a, console, answers)
    if "decks" not in given:
        ask_decks(a, answers)
    if "levels" not in given:
        ask_levels(a, answers)
    if "minutes" not in given:
        ask_minutes(a, answers)
    if "model" not in given:
        ask_model(console, answers)
    elif answers.model:
        model_or_fail(answers)
    return answers


def ask_interview(a: AppContext, console: Console, answers: Answers) -> None:
    from studycli.dates import describe, parse_date

    today = today_date(a)

    def check(value: str) -> str | None:
        if not value.strip():
            return None
        try:
            parse_date(value, today, option="interview")
        except StudyError as exc:
            return exc.message
        return None

    raw = text(
        f"Interview date? ({DATE_HINT})",
        default=answers.interview.isoformat() if answers.interview else "",
        check=check,
        what="init",
    )
    answers.interview = parse_date(raw, today, option="interview") if raw.strip() else None
    if answers.interview is not None:
        console.print(f"  {describe('interview', answers.interview, today)}", highlight=False)


def ask_decks(a: AppContext, answers: Answers) -> None:
    decks = a.catalogue.decks
    order = sorted(decks)
    room = max(10, shutil.get_terminal_size().columns - 42)  # "» ● " + id + count + margin
    choices = [
        (
            f"{d:<24} {len(decks[d].card_ids):>3}  {_clip(decks[d].title, room)}",
            d,
            not answers.decks or d in answers.decks,
        )
        for d in order
    ]
    chosen = ticks(
        "Decks to learn new cards from?",
        choices,
        at_least_one="Tick at least one deck (Space), then Enter.",
        what="init",
    )
    answers.decks = [] if len(chosen) == len(order) else chosen


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def ask_levels(a: AppContext, answers: Answers) -> None:
    counts = {lv: len(a.catalogue.select_ids(answers.decks, (), [lv])) for lv in LEVELS}
    choices = [
        (f"{lv:<7} {counts[lv]:>3} cards", lv, not answers.levels or lv in answers.levels)
        for lv in LEVELS
    ]
    chosen = ticks(
        "Which levels?",
        choices,
        at_least_one="Tick at least one level (Space), then Enter.",
        what="init",
    )
    answers.levels = [] if len(chosen) == len(LEVELS) else chosen


def ask_minutes(a: AppContext, answers: Answers) -> None:
    offered = sorted({*MINUTE_CHOICES, answers.minutes})
    choices = []
    for minutes in offered:
        budget = budget_for(a, answers, minutes)
        pace = pace_of(a, budget, answers.interview)
        if not budget.pool:
            what = "reviews only: every card is seen"
        elif pace.by_target >= budget.pool:
            what = f"all {budget.pool} seen by {pace.target:%d %b}"
        else:
            what = f"{pace.by_target} of {budget.pool} seen by {pace.target:%d %b}"
        choices.append((f"{minutes:>3} min  {pace.per_day:>2} new a day · {what}", minutes))
    answers.minutes = pick(
        "Time a day? (it sets the new cards a day)",
        choices,
        default=answers.minutes,
        what="init",
    )


def ask_model(console: Console, answers: Answers) -> None:
    if not yes_no(
        "Grade your typed answers with a model (through LiteLLM)?",
        default=bool(answers.model),
        what="init",
    ):
        answers.model = answers.api_base = ""
        return
    from studycli.grading.probe import check_model

    while True:
        answers.model = text(
            "Model? (e.g. openai/gpt-4o-mini, ollama/llama3.1)",
            default=answers.model or DEFAULT_MODEL,
            check=lambda v: None if v.strip() else "A model string, e.g. openai/gpt-4o-mini",
            what="init",
        ).strip()
        answers.api_base = text(
            "Server URL? (empty: the provider's own)",
            default=answers.api_base,
            what="init",
        ).strip()
        console.print("  trying it with one short call...", highlight=False)
        try:
            result = check_model(answers.model, answers.api_base, timeout=30)
        except StudyError as exc:  # LiteLLM not installed
            console.print(f"  [red]✗[/] {exc.message}", highlight=False)
            answers.model = answers.api_base = ""
            return
        if result.ok:
            console.print(f"  [green]✓[/] {result.message}", highlight=False)
            answers.model_note = result.message
            return
        console.print(f"  [red]✗[/] {result.message}", highlight=False)
        then = pick(
            "What now?",
            [
                ("Try another model or server", "retry"),
                ("Keep it anyway (grades wait as pending until it answers)", "keep"),
                ("No grading for now", "off"),
            ],
            what="init",
        )
        if then == "keep":
            answers.model_note = f"not answering yet: {result.message}"
            return
        if then == "off":
            answers.model = answers.api_base = ""
            return
