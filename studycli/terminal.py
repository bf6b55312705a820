"""The drill's terminal side: show a card, read a typed answer and one-key choices.

Interactive terminals get a multi-line answer box (prompt_toolkit, imported only
once a question is on screen) and single-key choices; pipes and test runners get
plain line-by-line input, so the same loop can be driven either way.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from .content import Card
from .scheduler import RATING_NAMES, Outcome, day_date, study_day
from .session import Drill

if TYPE_CHECKING:
    from .grading import Grader, GradeResult

ANSWER_HELP = (
    "Type your answer. Enter on an empty line submits (Esc Enter or Ctrl-D too); "
    'an empty answer means "I don\'t know". Commands: /skip /suspend /undo /quit'
)
COMMANDS = {
    "/skip": "skip", "/s": "skip", "/suspend": "suspend", "/undo": "undo", "/u": "undo",
    "/quit": "quit", "/q": "quit", "/exit": "quit",
}  # fmt: skip
RATING_STYLE = {1: "bold red", 2: "bold yellow", 3: "bold green", 4: "bold cyan"}


class Quit(Exception):
    """The candidate asked to stop (q, Ctrl-D at a choice, or end of input)."""


class Input(NamedTuple):
    """Reads answers and keys from a terminal or, failing that, line by line from stdin."""

    console: Console
    interactive: bool

    @classmethod
    def detect(cls, console: Console) -> Input:
        tty = sys.stdin.isatty() and sys.stdout.isatty() and os.environ.get("STUDYCLI_PLAIN") != "1"
        return cls(console, tty)

    def answer(self) -> str:
        if self.interactive:
            return self._answer_box()
        lines: list[str] = []
        while True:
            line = sys.stdin.readline()
            if not line:
                if not lines:
                    raise Quit
                break
            line = line.rstrip("\n")
            if not lines and line.strip().lower() in COMMANDS:
                return line.strip()
            if not line.strip():
                break
            lines.append(line)
        return "\n".join(lines).strip()

    def _answer_box(self) -> str:
        from prompt_toolkit import PromptSession

        session: PromptSession[str] = PromptSession(
            multiline=True,
            key_bindings=answer_bindings(),
            prompt_continuation=lambda width, line_number, is_soft_wrap: "│ ",
            bottom_toolbar=" Enter on an empty line submits · empty = I don't know · /skip /suspend /undo /quit ",
        )
        return session.prompt("│ ").strip()

    def key(self, prompt: str, choices: str, default: str | None = None) -> str:
        """One key from `choices` (Enter picks `default`)."""
        self.console.print(prompt, end="", highlight=False)
        if self.interactive:
            while True:
                ch = _read_key()
                if ch in ("\r", "\n") and default:
                    ch = default
                if ch == "\x03":
                    raise KeyboardInterrupt
                if ch == "\x04":
                    raise Quit
                if ch.lower() in choices:
                    self.console.print(ch.lower())
                    return ch.lower()
        while True:
            line = sys.stdin.readline()
            if not line:
                raise Quit
            ch = line.strip()[:1].lower() or (default or "")
            if ch and ch in choices:
                self.console.print(ch)
                return ch
            self.console.print(f"\nPlease press one of: {', '.join(choices)}", style="yellow")
            self.console.print(prompt, end="", highlight=False)


def answer_bindings():  # type: ignore[no-untyped-def]
    """Keys of every answer box: Enter on an empty line (or after a /command) submits, Ctrl-D too."""
    from prompt_toolkit.key_binding import KeyBindings

    bindings = KeyBindings()

    @bindings.add("enter")
    @bindings.add("c-j")  # what Enter arrives as if typed before the box took the terminal
    def _enter(event) -> None:  # type: ignore[no-untyped-def]
        buf = event.current_buffer
        doc = buf.document
        at_end = doc.cursor_position == len(buf.text)
        is_command = buf.text.strip().lower() in COMMANDS
        if is_command or (at_end and (not buf.text.strip() or doc.current_line.strip() == "")):
            buf.validate_and_handle()
        else:
            buf.insert_text("\n")

    @bindings.add("c-d")
    def _submit(event) -> None:  # type: ignore[no-untyped-def]
        event.current_buffer.validate_and_handle()

    return bindings


def _read_key() -> str:
    import termios
    import tty

    fd = sys.stdin.fileno()
    old = termios.tcgetattr(fd)
    try:
        tty.setraw(fd, termios.TCSANOW)  # keep keys typed ahead (TCSAFLUSH would drop them)
        data = os.read(fd, 1)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)
    if not data:
        return "\x04"
    return data.decode("utf-8", "replace")


def question_panel(card: Card, index: int, total: int) -> Panel:
    tags = " ".join(f"#{t}" for t in card.tags if t != card.deck)
    title = f"[bold]{index}/{total}[/] · {card.deck} · {card.level}"
    body = Text(card.question, style="bold")
    return Panel(
        body,
        title=title,
        title_align="left",
        subtitle=tags,
        subtitle_align="right",
        border_style="blue",
    )


def answer_panel(card: Card) -> Panel:
    parts: list[Text] = [Text(card.answer.strip())]
    points = Text("\nKey points\n", style="bold green")
    for i, point in enumerate(card.key_points, 1):
        points.append(f"  {i}. {point}\n", style="")
    parts.append(points)
    if card.red_flags:
        flags = Text("Red flags\n", style="bold red")
        for flag in card.red_flags:
            flags.append(f"  ✗ {flag}\n", style="")
        parts.append(flags)
    if card.follow_ups:
        fu = Text("Follow-ups\n", style="bold")
        for q in card.follow_ups:
            fu.append(f"  → {q}\n", style="")
        parts.append(fu)
    return Panel(Group(*parts), title="Model answer", title_align="left", border_style="green")


def rating_prompt(outcomes: dict[int, Outcome], suggested: int | None = None) -> str:
    buttons = []
    for rating, outcome in outcomes.items():
        mark = "▸" if rating == suggested else " "
        style = RATING_STYLE[rating]
        buttons.append(f"{mark}[{style}]{rating}[/] {RATING_NAMES[rating]} [dim]{outcome.label}[/]")
    extra = "[dim]s skip · x suspend · u undo last · q quit[/]"
    # On the question line, so the hint never wraps away from the buttons it explains.
    enter = f" (Enter = {suggested} {RATING_NAMES[suggested]})" if suggested else ""
    return "  ".join(buttons) + f"   {extra}\nRate your recall{enter}: "


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
            console.print(ANSWER_HELP, style="dim")
            started = time.monotonic()
            answer = inp.answer()
            command = COMMANDS.get(answer.strip().lower())
            if command == "quit":
                reason = "quit"
                break
            if command == "skip":
                drill.skip()
                console.print("Skipped.", style="dim")
                continue
            if command == "suspend":
                drill.suspend(now())
                console.print(
                    f"Suspended {card.id}; 'studycli cards unsuspend {card.id}' brings it back.",
                    style="yellow",
                )
                continue
            if command == "undo":
                _undo(drill, console, now)
                continue
            if not answer:
                console.print("(no answer: I don't know)", style="dim")
            console.print(answer_panel(card))
            grade = _grade(grader, card, answer, console, now, grade_errors) if grader else None
            suggested = grade.suggested if grade is not None and grade.done else None
            outcomes = drill.outcomes(now())
            enter = str(suggested) if suggested else None  # Enter accepts the grader's suggestion
            key = inp.key(rating_prompt(outcomes, suggested), "1234sxuq", default=enter)
            if key == "q":
                reason = "quit"
                break
            if key == "s":
                drill.skip()
                continue
            if key == "x":
                drill.suspend(now())
                console.print(f"Suspended {card.id}.", style="yellow")
                continue
            if key == "u":
                _undo(drill, console, now)
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
                from .grading import link_review

                link_review(drill.store, grade.uid, drill.history[-1].uid, rating)
            console.print(
                f"[{RATING_STYLE[rating]}]{RATING_NAMES[rating]}[/] saved · back in {outcome.label}",
                highlight=False,
            )
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
    from .grade_view import failure_line, grade_panel

    if answer:
        console.print(f"Grading with {grader.settings.model}…", style="dim", highlight=False)
    result = grader.grade(card, answer, now())
    if result.done:
        console.print(grade_panel(result))
    else:
        console.print(failure_line(result, repeated=result.error in seen), highlight=False)
        seen.add(result.error or "")
    return result


def _undo(drill: Drill, console: Console, now: Callable[[], dt.datetime]) -> None:
    card = drill.undo(now())
    if card is None:
        console.print("Nothing to undo in this session.", style="yellow")
    else:
        console.print(f"Undid the last rating of {card.id}; it is asked again.", style="yellow")


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
    if drill.skipped or drill.suspended:
        lines.append(f"Skipped {drill.skipped} · suspended {drill.suspended}")
    lines.append("Every rating is saved.")
    today = study_day(now, drill.rollover_hour)
    next_day = drill.store.next_due_day(after=today)
    if next_day is not None:
        when = "tomorrow" if next_day == today + 1 else day_date(next_day).isoformat()
        lines.append(f"Next reviews due {when}.")
    console.print(Panel("\n".join(lines), border_style="cyan"))
