"""The drill in the terminal: ask a card, read the answer, show it against the key points.

After an answer the screen holds, from the top: the question, the candidate's answer,
the key points (marked met or missed when graded), then the model answer, folded to the
rows that are left when it is taller than the screen (`m` shows all of it, and `m`
again folds it back), then the rating keys. Nothing of that scrolls away at 80x24.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.panel import Panel
from rich.segment import Segment
from rich.text import Text

from studycli.clock import day_date, study_day
from studycli.content.model import Card
from studycli.study.drill import Drill
from studycli.study.leeches import LeechNote
from studycli.tui.input import (
    ANSWER_HELP,
    CODE_HELP,
    CODING_TAG,
    KEY_HINTS,
    Action,
    Input,
    Quit,
    action_keys,
    pressed_action,
    typed_action,
)
from studycli.tui.panels import (
    model_answer,
    model_panel,
    question_panel,
    rating_prompt,
    rubric_panel,
    warm_up,
    your_answer_panel,
)
from studycli.tui.styles import RATING_STYLE
from studycli.vocab import AGAIN, RATING_NAMES

if TYPE_CHECKING:
    from studycli.grading.grader import Grader
    from studycli.grading.result import GradeResult

PROMPT_ROWS = 2  # the rating keys and the question under them


def rows(console: Console, renderable: RenderableType | str) -> int:
    """How many terminal rows `renderable` takes at the console's width."""
    return len(console.render_lines(renderable, console.options, pad=False))


class _Rows:
    """Rendered rows drawn again as they are (the first rows of a folded answer)."""

    def __init__(self, lines: list[list[Segment]]) -> None:
        self.lines = lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines:
            yield from line
            yield Segment.line()


class AfterAnswer:
    """The key points and the model answer, fitted to the rows the screen has left.

    When the model answer is taller than that, it is folded, and `m` pages through it a
    screenful at a time; after the last page `m` brings back the answer and key points."""

    def __init__(
        self, console: Console, card: Card, answer: str, grade: GradeResult | None, fit: bool
    ) -> None:
        self.console, self.card, self.answer, self.fit = console, card, answer, fit
        self.grade = grade if grade is not None and grade.done else None
        self.model = model_answer(card)
        self.pages: list[list[list[Segment]]] = []  # the folded model answer, a screenful each
        self.page = 0  # 0: the fitted view; k: page k of the model answer

    @property
    def keys(self) -> list[tuple[str, str]]:
        """The extra key next to the rating buttons, when there is more to see."""
        if not self.pages:
            return []
        if self.page == 0:
            return [("m", "full model answer")]
        if self.page < len(self.pages):
            return [("m", f"more ({self.page + 1}/{len(self.pages)})")]
        return [("m", "back to the key points")]

    def show(self, above: int) -> None:
        """Print the key points and the model answer under `above` rows already on screen."""
        console = self.console
        full = model_panel(self.model)
        rubric = rubric_panel(self.card, self.grade, evidence=True)
        room = console.size.height - above - rows(console, rubric) - PROMPT_ROWS
        if self.grade is not None and room < 4 and rows(console, full) > room:
            rubric = rubric_panel(self.card, self.grade)  # the marks without the quotes
            room = console.size.height - above - rows(console, rubric) - PROMPT_ROWS
        console.print(rubric)
        self.page = 0
        if not self.fit or rows(console, full) <= room:
            console.print(full)
            self.pages = []
            return
        inner = console.options.update_width(console.width - 4)
        lines = console.render_lines(self.model, inner)
        per_page = max(3, console.size.height - PROMPT_ROWS - 3)
        self.pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)]
        for page in self.pages[1:]:  # a page starts with text, not with a paragraph's gap
            while len(page) > 1 and not "".join(seg.text for seg in page[0]).strip():
                del page[0]
        more = "m shows the whole model answer"
        if room < 4:  # no room for a panel: a line says where it is, if even that fits
            if room > 0:
                console.print(f"[dim]Model answer: {len(lines)} lines · {more}[/]", highlight=False)
            return
        shown = room - 3  # two borders and the line that says what is left out
        hint = Text(f"… {len(lines) - shown} more lines · {more}", style="dim")
        body = _Rows([*lines[:shown], *console.render_lines(hint, inner)])
        console.print(model_panel(body))

    def next(self) -> None:
        """`m`: the next screenful of the model answer; after the last, the fitted view again."""
        if self.page < len(self.pages):
            self.page += 1
            note = f"part {self.page} of {len(self.pages)}" if len(self.pages) > 1 else ""
            self.console.print(model_panel(_Rows(self.pages[self.page - 1]), note))
            return
        mine = your_answer_panel(self.answer)
        self.console.print(mine)
        self.show(rows(self.console, mine))


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
    warm = inp.interactive  # a person is typing: prime the answer's renderer meanwhile
    try:
        while True:
            drill.release(now())
            card = drill.current
            if card is None:
                break
            index, total = drill.counter
            code = CODING_TAG in card.tags
            console.print()
            question = question_panel(card, index, total, console.width)
            console.print(question)
            above = 1 + rows(console, question)
            if note := drill.notes.get(card.id):
                console.print(note, style="dim", highlight=False)
                above += rows(console, Text(note))
            help_text = CODE_HELP if code else ANSWER_HELP
            console.print(help_text, style="dim")
            above += rows(console, Text(help_text))
            started = time.monotonic()
            # The first answer box primes the Markdown renderer while the candidate types.
            answer = inp.answer(code, warm_up if warm else None)
            warm = False
            action = typed_action(answer)
            if action is not None:
                if _act(action, drill, card, console, now):
                    reason = "quit"
                    break
                continue
            above += _box_rows(console, answer, code)
            if not answer:
                console.print("(no answer: I don't know)", style="dim")
                above += 1
            grade = None
            if grader is not None:
                grade, shown = _grade(grader, card, answer, console, now, grade_errors)
                above += shown
            view = AfterAnswer(console, card, answer, grade, fit=inp.interactive)
            view.show(above)
            suggested = grade.suggested if grade is not None and grade.done else None
            outcomes = drill.outcomes(now())
            enter = str(suggested) if suggested else None  # Enter accepts the grader's suggestion
            while True:
                key = inp.key(
                    rating_prompt(outcomes, suggested, view.keys, KEY_HINTS),
                    "1234" + action_keys(*Action) + "".join(k for k, _ in view.keys),
                    default=enter,
                )
                if key != "m":
                    break
                view.next()
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
            if drill.last_kept:  # the database stayed busy: the rating waits in a file
                console.print(
                    f"[{RATING_STYLE[rating]}]{RATING_NAMES[rating]}[/] kept · the database is "
                    "busy (another program holds it); your answer and rating wait in "
                    "pending-ratings/ and are saved with the next save",
                    highlight=False,
                )
                continue
            if grade is not None:
                from studycli.storage.grades import link_review

                link_review(drill.store, grade.uid, drill.history[-1].uid, rating)
            console.print(_saved_line(drill, rating, outcome.label), highlight=False)
            if drill.leech is not None:
                console.print(leech_line(drill.leech), highlight=False, soft_wrap=True)
            for note in drill.store.take_notices():  # e.g. the file was replaced and reopened
                console.print(f"[yellow]{note}[/]", highlight=False)
    except Quit:
        reason = "quit"
    except KeyboardInterrupt:
        reason = "interrupted"
        console.print()
    print_summary(drill, console, now(), reason)
    return reason


def _box_rows(console: Console, answer: str, code: bool) -> int:
    """Rows the answer box left on screen: each typed line behind '│ ', then the empty line
    whose Enter submitted a prose answer."""
    width = max(1, console.width)
    lines = answer.splitlines() or [""]
    return sum(max(1, -(-(len(line) + 2) // width)) for line in lines) + (0 if code else 1)


def _saved_line(drill: Drill, rating: int, label: str) -> str:
    saved = f"[{RATING_STYLE[rating]}]{RATING_NAMES[rating]}[/] saved · back in {label}"
    if rating != AGAIN or not any(cid == drill.history[-1].card_id for _, cid in drill.waiting):
        return saved
    if drill.only_waiting_left:
        return f"{saved}, but nothing else is left: it is asked again now"
    return f"{saved}, or at the end of the session if the rest is done first"


def _act(
    action: Action, drill: Drill, card: Card, console: Console, now: Callable[[], dt.datetime]
) -> bool:
    """Carry out an action typed or pressed on a card; True when the drill should stop."""
    if action is Action.QUIT:
        return True
    if action is Action.SKIP:
        drill.skip()
        console.print(f"Skipped {card.id}.", style="dim")
    elif action is Action.SUSPEND:
        drill.suspend(now())
        console.print(
            f"Suspended {card.id}; 'studycli cards unsuspend {card.id}' brings it back.",
            style="yellow",
        )
    else:
        undone = drill.undo(now())
        if undone is None:
            console.print("Nothing to undo in this session.", style="yellow")
        elif undone.id in drill.suspended_ids:
            console.print(
                f"Undid the last rating of {undone.id}; it stays suspended.", style="yellow"
            )
        else:
            console.print(
                f"Undid the last rating of {undone.id}; it is asked again.", style="yellow"
            )
    return False


def _grade(
    grader: Grader,
    card: Card,
    answer: str,
    console: Console,
    now: Callable[[], dt.datetime],
    seen: set[str],
) -> tuple[GradeResult, int]:
    """Grade the typed answer (stored before the rating); say why when it could not be.

    Returns the result and the rows printed. A done grade is shown with the key points."""
    from studycli.tui.grade_view import failure_line

    shown = 0
    if answer:
        console.print(f"Grading with {grader.settings.model}…", style="dim", highlight=False)
        shown += 1
    result = grader.grade(card, answer, now())
    if not result.done:
        line = failure_line(result, repeated=result.error in seen)
        console.print(line, highlight=False)
        shown += rows(console, Text.from_markup(line))
        seen.add(result.error or "")
    return result, shown


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
        early = "early, for the interview" if drill.planned_due is not None else "ahead of schedule"
        lines[0] += f" · {drill.ahead} {early}"
    if drill.skipped or drill.suspended:
        lines.append(f"Skipped {drill.skipped} · suspended {drill.suspended}")
    lines.append("Every rating is saved.")
    today = study_day(now, drill.rollover_hour)
    if drill.planned_due is not None:  # the interview plan's reviews, not FSRS's due cards
        done = drill.store.cards_logged_on(today)
        due_today = len(drill.waiting) + sum(
            1 for c in drill.planned_due if c not in done and c not in drill.suspended_ids
        )
        next_day = drill.next_planned_day
    else:
        due_today = drill.store.due_count(today)
        next_day = drill.store.next_due_day(after=today) if not due_today else None
    if due_today:
        lines.append(
            f"{due_today} card{' is' if due_today == 1 else 's are'} still due today: "
            "'studycli drill' asks them."
        )
    elif next_day is not None:
        when = "tomorrow" if next_day == today + 1 else day_date(next_day).isoformat()
        lines.append(f"Next reviews due {when}.")
    console.print(Panel("\n".join(lines), border_style="cyan"))
