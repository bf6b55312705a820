"""The system-design round in the terminal: a prompt, then each phase against its time box.

The round's state is `study.design.DesignRound`; this module reads answers and draws.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from studycli.content.model import Card
    from studycli.study.design import DesignRound, PhaseResult
    from studycli.study.mock import MockGrade


def run_design(
    now: Callable[[], dt.datetime],
    rnd: DesignRound,
    console: Console,
    grader: Callable[[Card, str], MockGrade] | None = None,
    rate: Callable[[int], str] | None = None,
) -> str:
    """Run the phases, then grade each against its rubric. Returns why it ended."""
    from rich.panel import Panel
    from rich.text import Text

    from studycli.study.mock import clock
    from studycli.tui.input import Input
    from studycli.tui.mock import timed_reply, wait_to_start

    inp = Input.detect(console)
    console.print(
        f"[bold]System-design round[/] · {rnd.card.level} · {clock(rnd.minutes * 60)} · "
        f"{len(rnd.phases)} phases"
    )
    console.print(Panel(Text(rnd.card.question.strip(), style="bold"), title="Prompt",
                        title_align="left", border_style="magenta"))  # fmt: skip
    plan = " · ".join(f"{p.title} {clock(p.budget_s)}" for p in rnd.phases)
    console.print(f"[dim]{plan}[/]", highlight=False)
    console.print(
        "Type each phase's answer; Enter on an empty line moves on to the next phase. "
        "/skip passes a phase, /quit ends the round.",
        style="dim",
    )
    if (ended := wait_to_start(inp, rnd.stop)) is not None:
        return ended
    try:
        while (phase := rnd.current) is not None:
            if rnd.left_seconds <= 0:
                rnd.stop("out-of-time")
                console.print("[bold]Time is up.[/]")
                break
            k = rnd.position + 1
            console.print()
            console.print(
                Panel(Text(phase.prompt), title=f"[bold]Phase {k}/{len(rnd.phases)}[/] · "
                      f"{phase.title}", title_align="left", border_style="cyan")
            )  # fmt: skip
            budget = min(phase.budget_s, rnd.left_seconds)
            started = time.monotonic()
            left = rnd.left_seconds
            plain = f"You have {clock(budget)} · {clock(left)} left."
            reply = timed_reply(console, inp, budget, left, plain)
            if reply is None:
                break
            rnd.submit(reply.text, time.monotonic() - started, timed_out=reply.timed_out)
            note = "Time's up: phase submitted" if phase.timed_out else "Phase saved"
            console.print(
                f"{note} · {clock(phase.seconds)} of {clock(phase.budget_s)}", style="dim"
            )
    except KeyboardInterrupt:
        rnd.stop("interrupted")
        console.print("\nInterrupted: the phases so far are saved.")
        return "interrupted"
    if rnd.status == "running":
        rnd.stop("ended-early")
    return _review_design(rnd, console, inp, grader, rate)


def _review_design(
    rnd: DesignRound,
    console: Console,
    inp: Any,
    grader: Callable[[Card, str], MockGrade] | None,
    rate: Callable[[int], str] | None,
) -> str:
    from studycli.study.mock import suggest_rating
    from studycli.tui.input import Quit
    from studycli.tui.mock import _ask_checklist, print_numbered, rating_buttons

    answered = rnd.answered()
    if not answered:
        console.print("No phase answered.")
        return "quit"
    console.print()
    console.print("[bold]Review[/] · each phase against its rubric")
    if grader is not None:
        console.print("Grading each phase…", style="dim")
        pending = rnd.grade_all(grader)
        if pending:
            console.print(
                f"[yellow]{len(pending)} phase(s) could not be graded now: tick those yourself.[/]"
            )
    try:
        for phase in answered:
            console.print()
            console.print(f"[bold]{phase.title}[/]")
            console.print(phase.answer or "(no answer)", highlight=False)
            if phase.grade_status != "done":
                print_numbered(console, phase.rubric)
                rnd.check(phase, _ask_checklist(console, inp, len(phase.rubric)))
            _print_phase(console, phase)
        score = rnd.score
        console.print()
        console.print(f"[bold]Round score: {score:.0%}[/]" if score is not None else "No score.")
        if rate is not None and score is not None:
            suggested = suggest_rating(score, " ".join(p.answer or "" for p in answered))
            key = inp.key(
                f"{rating_buttons(suggested)}   [dim]q skip[/] · Enter = {suggested}\n"
                "Rate the prompt's card: ",
                "1234q",
                default=str(suggested),
            )
            if key != "q":
                console.print(rate(int(key)))
    except Quit:
        pass
    return "finished" if rnd.status == "finished" else rnd.status


def _print_phase(console: Console, phase: PhaseResult) -> None:
    checks = phase.checklist or [False] * len(phase.rubric)
    for point, hit in zip(phase.rubric, checks, strict=False):
        mark = "[green]✓[/]" if hit else "[red]✗[/]"
        console.print(f"  {mark} {point}", highlight=False)
    if phase.score is not None:
        by = f" ({phase.graded_by})" if phase.graded_by else ""
        console.print(f"  Phase score {phase.score:.0%}{by}" + (
            f" · {phase.feedback}" if phase.feedback else ""), highlight=False)  # fmt: skip
