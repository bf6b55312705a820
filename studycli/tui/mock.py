"""The mock interview in the terminal: questions against a countdown, then review and rating.

The state machine is `study.mock.Mock`; this module only reads keys and draws. rich and
prompt_toolkit are imported inside the functions that use them.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from rich.console import Console

    from studycli.content.model import Card
    from studycli.study.follow_ups import Interviewer
    from studycli.study.mock import Mock, MockGrade, Question


def run_mock(
    now: Callable[[], dt.datetime],
    session: Mock,
    console: Console,
    grader: Callable[[Card, str], MockGrade] | None = None,
    interviewer: Interviewer | None = None,
) -> str:
    """Ask the questions against the clock, each with a follow-up, then grade and rate.

    Returns why it ended."""
    from rich.panel import Panel

    from studycli.study.mock import clock
    from studycli.tui.input import CODING_TAG, Input
    from studycli.tui.panels import id_in_title, inline

    inp = Input.detect(console)
    n = len(session.questions)
    console.print(
        f"[bold]Mock interview[/] · {session.kind}"
        + (f" · {session.level}" if session.level else "")
        + f" · {n} question{'s' if n != 1 else ''} · {clock(session.total_seconds)}"
        f" · {clock(session.answer_seconds)} per answer"
    )
    console.print(
        "No model answers until the end. Enter on an empty line submits; when the time runs out "
        "the answer is submitted as it stands. /skip passes, /quit ends the questions early.",
        style="dim",
    )
    if (ended := wait_to_start(inp, session.stop)) is not None:
        return ended
    from studycli.study.follow_ups import Interviewer

    interviewer = interviewer or Interviewer()
    try:
        while (q := session.current) is not None:
            i = session.position + 1
            card = session.catalogue.cards.get(q.card_id)
            if card is not None and q.asked is None:
                q.asked = interviewer.question(card)
            _say_notes(console, interviewer)
            budget = session.budget()
            console.print()
            title, below = id_in_title(
                f"[bold]Question {i}/{n}[/] · {q.deck} · {q.level}", q.card_id, console.width
            )
            code = card is not None and CODING_TAG in card.tags
            console.print(
                Panel(
                    inline(q.asked or q.question, "bold"),
                    title=title,
                    title_align="left",
                    subtitle=below or None,
                    subtitle_align="right",
                    border_style="magenta",
                )
            )
            started = time.monotonic()
            left = session.left_seconds
            plain = f"You have {clock(budget)} · {clock(left)} left in the mock."
            reply = timed_reply(console, inp, budget, left, plain, code)
            if reply is None:
                break
            took = time.monotonic() - started
            session.submit(reply.text, took, timed_out=reply.timed_out, skipped=reply.skipped)
            if reply.skipped:
                note = "Skipped"
            elif q.timed_out:
                note = "Time's up: answer submitted"
            else:
                note = "Answer saved" if q.answer else "No answer (I don't know)"
            console.print(f"{note} · {clock(q.seconds)} of {clock(q.budget_s)}", style="dim")
            if card is not None and not _follow_up(session, q, card, console, inp, interviewer):
                break
    except KeyboardInterrupt:
        session.stop("interrupted")
        console.print("\nInterrupted: the answers so far are saved, unrated.")
        return "interrupted"
    if session.status == "running" and session.position < n:
        session.stop("ended-early")
    elif session.status == "out-of-time":
        console.print("[bold]Time is up.[/]")
    return _review(now, session, console, inp, grader)


def print_numbered(console: Console, items: Sequence[str]) -> None:
    """A numbered list whose wrapped lines hang under their text, not under the number."""
    from studycli.tui.panels import hanging, inline

    console.print(hanging((f"{k}.", inline(item)) for k, item in enumerate(items, 1)))


def wait_to_start(inp: Any, stop: Callable[[str], None]) -> str | None:
    """Enter starts the round; q, Ctrl-D or Ctrl-C cancel it. Returns why it ended, or None."""
    from studycli.tui.input import Quit

    try:
        if inp.key("Press Enter to start (q to cancel): ", "sq", default="s", echo=False) != "q":
            return None
    except KeyboardInterrupt:
        stop("interrupted")
        return "interrupted"
    except Quit:
        pass
    stop("cancelled")
    return "quit"


def _say_notes(console: Console, interviewer: Interviewer) -> None:
    while interviewer.notes:
        console.print(f"[yellow]Note: {interviewer.notes.pop(0)}.[/]")


def _follow_up(
    session: Mock, q: Question, card: Card, console: Console, inp: Any, interviewer: Interviewer
) -> bool:
    """Ask the interviewer's follow-up to the answer just given. False: the candidate quit."""
    from rich.panel import Panel
    from rich.text import Text

    from studycli.study.mock import clock
    from studycli.tui.input import Quit

    if not (q.answer or "").strip() or session.left_seconds <= 0:
        return True
    missed = None
    if not interviewer.follow_ups:
        return True
    if interviewer.settings is None and card.follow_ups and q.key_points:
        console.print("[dim]Before the follow-up, tick what your answer covered:[/]")
        print_numbered(console, q.key_points)
        try:
            covered = _ask_checklist(console, inp, len(q.key_points))
        except Quit:
            return False
        session.check(q, covered)
        missed = [k for k, hit in enumerate(covered) if not hit]
    if interviewer.uses_model:
        console.print("The interviewer reads your answer…", style="dim")
    chosen = interviewer.follow_up(card, q.answer or "", missed)
    _say_notes(console, interviewer)
    if chosen is None:
        return True
    session.ask_follow_up(q, chosen.question, chosen.point, chosen.source)
    budget = q.follow_budget_s
    console.print(
        Panel(Text(chosen.question, style="bold"), title="[bold]Follow-up[/]", title_align="left",
              border_style="magenta")
    )  # fmt: skip
    started = time.monotonic()
    plain = f"You have {clock(budget)} for the follow-up."
    reply = timed_reply(console, inp, budget, session.left_seconds, plain)
    if reply is None:
        return False
    took = time.monotonic() - started
    session.answer_follow_up(q, reply.text, took, timed_out=reply.timed_out)
    note = "Time's up: follow-up submitted" if q.follow_timed_out else "Follow-up answer saved"
    console.print(f"{note} · {clock(q.follow_seconds)} of {clock(budget)}", style="dim")
    return True


class Reply(NamedTuple):
    text: str  # empty when passed on
    timed_out: bool
    skipped: bool  # /skip or another command: a pass, "I don't know"


def timed_reply(
    console: Console, inp: Any, budget: float, left: float, plain: str, code: bool = False
) -> Reply | None:
    """One timed answer: the box with its countdown in a terminal, else lines from stdin
    (after the line `plain`). None when the candidate quits (/quit, end of input)."""
    from studycli.tui.input import Action, Quit, typed_action

    if inp.interactive:
        text, timed_out = _timed_answer(budget, left, code)
    else:
        console.print(plain)
        try:
            text, timed_out = inp.answer(code), False
        except Quit:
            return None
    action = typed_action(text)
    if action is Action.QUIT:
        return None
    return Reply("" if action is not None else text, timed_out, action is not None)


def _timed_answer(budget: float, mock_left: float, code: bool = False) -> tuple[str, bool]:
    """A multi-line answer box with a countdown in the bottom toolbar, redrawn every second.

    Submits what is typed when the time runs out. Returns (answer, timed_out).
    """
    import asyncio

    from prompt_toolkit import PromptSession

    from studycli.study.mock import clock
    from studycli.tui.input import answer_bindings

    begin = time.monotonic()
    deadline = begin + budget
    timed_out = False

    def countdown() -> str:
        # The countdown is part of the prompt itself, redrawn every second (refresh_interval):
        # unlike a bottom toolbar it needs no cursor-position report from the terminal.
        now = time.monotonic()
        left = max(0.0, deadline - now)
        total = max(0.0, mock_left - (now - begin))
        # Under 80 columns with the longest clocks, so it never wraps.
        return (
            f"⏱ {clock(left)} left for this answer · {clock(total)} left in the mock · "
            + ("Esc Enter submits" if code else "blank line submits")
            + "\n│ "
        )

    session: PromptSession[str] = PromptSession(
        multiline=True,
        key_bindings=answer_bindings(code),
        prompt_continuation=lambda width, line_number, is_soft_wrap: "│ ",
        refresh_interval=1.0,
    )

    async def expire() -> None:
        nonlocal timed_out
        await asyncio.sleep(max(0.0, deadline - time.monotonic()))
        timed_out = True
        session.app.exit(result=session.default_buffer.text)

    def pre_run() -> None:
        session.app.create_background_task(expire())

    text = session.prompt(countdown, pre_run=pre_run)
    return (text.rstrip() if code else text.strip()), timed_out


def _review(
    now: Callable[[], dt.datetime],
    session: Mock,
    console: Console,
    inp: Any,
    grader: Callable[[Card, str], MockGrade] | None,
) -> str:
    """Grade (grader or self-check against the key points), show model answers, commit ratings."""
    from rich.markup import escape

    from studycli.study.mock import answer_counts, clock
    from studycli.tui.input import Quit
    from studycli.tui.panels import model_answer, model_panel, rubric_panel, your_answer_panel
    from studycli.tui.styles import RATING_STYLE
    from studycli.vocab import RATING_NAMES

    answered = session.answered()
    if not answered:
        console.print("No answers to review.")
        return "quit" if session.status != "finished" else "finished"
    console.print()
    counts = answer_counts((q.answer, q.skipped) for q in answered)
    console.print(f"[bold]Review[/] · {counts}")
    if grader is not None:
        console.print("Grading your answers…", style="dim")
        pending = session.grade_all(grader)
        if pending:
            console.print(
                f"[yellow]{len(pending)} answer(s) could not be graded now (grade pending): "
                "rate those yourself against the key points.[/]"
            )
    else:
        console.print(
            "No grader configured: check each answer against the key points, then rate it.",
            style="dim",
        )
    try:
        for i, q in enumerate(answered, 1):
            card = session.catalogue.cards.get(q.card_id)
            console.print()
            console.print(
                f"[bold]{i}. {escape(q.question)}[/] [dim]· {q.card_id}[/]", highlight=False
            )
            if q.asked:
                console.print(f"[dim]Asked as: {q.asked}[/]", highlight=False)
            # The model answer first, then the candidate's answers right above the key points
            # and the prompts, so what is to be compared stays on screen together.
            if card is not None:
                console.print(model_panel(model_answer(card)))
            took = f"{clock(q.seconds)}{', time ran out' if q.timed_out else ''}"
            mine = your_answer_panel(q.answer or "")
            mine.title = f"Your answer · {took}" + (" · skipped" if q.skipped else "")
            console.print(mine)
            if q.follow_up:
                console.print(f"[bold]Follow-up:[/] {q.follow_up}", highlight=False)
                theirs = your_answer_panel(q.follow_answer or "")
                theirs.title = (
                    f"Your answer · {clock(q.follow_seconds)}"
                    f"{', time ran out' if q.follow_timed_out else ''}"
                )
                console.print(theirs)
            if card is not None:
                console.print(rubric_panel(card))
            if q.grade_status != "done" and q.key_points and not (q.answer or q.follow_answer):
                session.check(q, [False] * len(q.key_points))  # nothing said, nothing to check
            elif q.grade_status != "done" and q.key_points:
                if q.follow_up:
                    console.print("[dim]Tick what your two answers covered together.[/]")
                q_checklist = _ask_checklist(console, inp, len(q.key_points))
                session.check(q, q_checklist)
            elif q.score is not None:
                console.print(f"Grader: {q.score:.0%}" + (f" · {q.feedback}" if q.feedback else ""))
            if q.score is not None:
                console.print(
                    f"Covered {sum(q.checklist or [])}/{len(q.key_points)} key points"
                    f" ({q.score:.0%})."
                )
            suggested = q.suggested
            key = inp.key(
                f"{rating_buttons(suggested)}   [dim]q stop rating[/]"
                + (f" · Enter = {suggested}" if suggested else "")
                + "\nRate: ",
                "1234q",
                default=str(suggested) if suggested else None,
            )
            if key == "q":
                break  # the rest stay in the transcript, unrated
            session.rate(q, int(key), now())
            console.print(
                f"[{RATING_STYLE[int(key)]}]{RATING_NAMES[int(key)]}[/] saved as a review."
            )
    except Quit:
        pass  # end of input: the rest stay in the transcript, unrated
    except KeyboardInterrupt:
        console.print("\nInterrupted: answers are saved; the ratings given so far count.")
        return "interrupted"
    score = session.score
    rated = sum(1 for q in answered if q.rating is not None)
    console.print()
    console.print(
        f"[bold]Mock done.[/] {counts} · {rated} rated"
        f" · time used {clock(session.used_seconds)}"
        + (f" · score {score:.0%}" if score is not None else "")
    )
    return "finished"


def rating_buttons(suggested: int | None) -> str:
    """The four ratings on one line, the suggested one marked."""
    from studycli.tui.styles import RATING_STYLE
    from studycli.vocab import RATING_NAMES

    return "  ".join(
        f"{'▸' if r == suggested else ' '}[{RATING_STYLE[r]}]{r}[/] {RATING_NAMES[r]}"
        for r in RATING_NAMES
    )


def _ask_checklist(console: Console, inp: Any, n: int) -> list[bool]:
    from studycli.study.mock import checklist_from_numbers
    from studycli.tui.input import Quit

    text = f"Key points you covered (numbers 1-{n}, e.g. '1 3', 'all'; Enter = none): "
    while True:
        line = _read_line(console, inp, text)
        if line is None:
            raise Quit
        try:
            return checklist_from_numbers(line, n)
        except ValueError as exc:
            console.print(str(exc), style="yellow")


def _read_line(console: Console, inp: Any, text: str) -> str | None:
    import sys

    if inp.interactive:
        from prompt_toolkit import prompt

        try:
            return prompt(text)
        except EOFError:
            return None
    console.print(text, end="", highlight=False)
    line = sys.stdin.readline()
    return None if not line else line.rstrip("\n")
