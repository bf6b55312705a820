"""The drill's terminal loop: show a card, read the answer, grade, rate, undo, summarise."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.console import Console
from rich.panel import Panel

from studycli.clock import day_date, study_day
from studycli.content.model import Card
from studycli.study.drill import Drill
from studycli.study.leeches import LeechNote
from studycli.tui.input import (
    ANSWER_HELP,
    Action,
    Input,
    Quit,
    action_keys,
    pressed_action,
    typed_action,
)
from studycli.tui.panels import answer_panel, question_panel, rating_prompt
from studycli.tui.styles import RATING_STYLE
from studycli.vocab import RATING_NAMES

if TYPE_CHECKING:
    from studycli.grading.grader import Grader
    from studycli.grading.result import GradeResult


def run_drill(
    drill: Drill,
    console: Console,
    now: Callable[[], dt.datetime],
    inp: Input | None = None,
    grader: Grader | None = None,
) -> str:
    """Drive a drill to the end or until the candidate quits. Returns why it stopped."""
    inp = inp or Input.detect(console)
    reason = "finished"
    grade_errors: set[str] = set()
    try:
        while (card := drill.current) is not None:
            index, total = drill.counter
            console.print()
            console.print(question_panel(card, index, total))
            if note := drill.notes.get(card.id):
                console.print(note, style="dim", highlight=False)
            console.print(ANSWER_HELP, style="dim")
            started = time.monotonic()
            answer = inp.answer()
            action = typed_action(answer)
            if action is not None:
                if _act(action, drill, card, console, now):
                    reason = "quit"
                    break
                continue
            if not answer:
                console.print("(no answer: I don't know)", style="dim")
            console.print(answer_panel(card))
            grade = _grade(grader, card, answer, console, now, grade_errors) if grader else None
            suggested = grade.suggested if grade is not None and grade.done else None
            outcomes = drill.outcomes(now())
            enter = str(suggested) if suggested else None  # Enter accepts the grader's suggestion
            keys = "1234" + action_keys(*Action)
            key = inp.key(rating_prompt(outcomes, suggested), keys, default=enter)
            action = pressed_action(key)
            if action is not None:
                if _act(action, drill, card, console, now):
                    reason = "quit"
                    break
                continue
            rating = int(key)
            duration = int((time.monotonic() - started) * 1000)
            outcome = drill.rate(
                rating,
                now(),
                answer=answer,
                duration_ms=duration,
                suggested=suggested,
                rated_by="grader" if suggested == rating else None,
            )
            if grade is not None:
                from studycli.storage.grades import link_review

                link_review(drill.store, grade.uid, drill.history[-1].uid, rating)
            console.print(
                f"[{RATING_STYLE[rating]}]{RATING_NAMES[rating]}[/] saved · back in {outcome.label}",
                highlight=False,
            )
            if drill.leech is not None:
                console.print(leech_line(drill.leech), highlight=False, soft_wrap=True)
    except Quit:
        reason = "quit"
    except KeyboardInterrupt:
        reason = "interrupted"
        console.print()
    print_summary(drill, console, now(), reason)
    return reason


def _grade(
    grader: Grader,
    card: Card,
    answer: str,
    console: Console,
    now: Callable[[], dt.datetime],
    seen: set[str],
) -> GradeResult:
    """Grade the typed answer (stored before the rating) and show the checklist or why it failed."""
    from studycli.tui.grade_view import failure_line, grade_panel

    if answer:
        console.print(f"Grading with {grader.settings.model}…", style="dim", highlight=False)
    result = grader.grade(card, answer, now())
    if result.done:
        console.print(grade_panel(result, card.red_flags))
    else:
        console.print(failure_line(result, repeated=result.error in seen), highlight=False)
        seen.add(result.error or "")
    return result


def _act(
    action: Action, drill: Drill, card: Card, console: Console, now: Callable[[], dt.datetime]
) -> bool:
    """Carry out an action typed or pressed on a card; True when the drill should stop."""
    if action is Action.QUIT:
        return True
    if action is Action.SKIP:
        drill.skip()
        console.print("Skipped.", style="dim")
    elif action is Action.SUSPEND:
        drill.suspend(now())
        console.print(
            f"Suspended {card.id}; 'studycli cards unsuspend {card.id}' brings it back.",
            style="yellow",
        )
    else:
        _undo(drill, console, now)
    return False


def _undo(drill: Drill, console: Console, now: Callable[[], dt.datetime]) -> None:
    card = drill.undo(now())
    if card is None:
        console.print("Nothing to undo in this session.", style="yellow")
    else:
        console.print(f"Undid the last rating of {card.id}; it is asked again.", style="yellow")


def leech_line(note: LeechNote) -> str:
    """One line: the card became a leech, what happened to it, and the command to look at it."""
    done = "suspended" if note.suspended else "tagged a leech (it stays in your queues)"
    return (
        f"[yellow]Leech: {note.card_id} forgotten {note.lapses} times after it was learnt; "
        f"{done}.[/] Often the wording is the problem: 'studycli cards show {note.card_id}', "
        "then reword it in a deck of your own."
    )


def print_summary(drill: Drill, console: Console, now: dt.datetime, reason: str) -> None:
    counts = " · ".join(
        f"{RATING_NAMES[r]} {drill.ratings[r]}" for r in RATING_NAMES if drill.ratings[r]
    )
    head = {
        "finished": "Session complete.",
        "quit": "Session ended.",
        "interrupted": "Interrupted.",
    }[reason]
    lines = [f"[bold]{head}[/] Reviewed {drill.reviewed} card{'s' if drill.reviewed != 1 else ''}"]
    if counts:
        lines[0] += f" ({counts})"
    if drill.ahead:
        lines[0] += f" · {drill.ahead} ahead of schedule"
    if drill.skipped or drill.suspended:
        lines.append(f"Skipped {drill.skipped} · suspended {drill.suspended}")
    lines.append("Every rating is saved.")
    today = study_day(now, drill.rollover_hour)
    next_day = drill.store.next_due_day(after=today)
    if next_day is not None:
        when = "tomorrow" if next_day == today + 1 else day_date(next_day).isoformat()
        lines.append(f"Next reviews due {when}.")
    console.print(Panel("\n".join(lines), border_style="cyan"))
