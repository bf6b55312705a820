"""Katas in the terminal: the list, a check's result, the reference solution, the picker."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from studycli.content.katas import Kata
    from studycli.study.kata_runner import RunResult
    from studycli.study.katas import CheckReview, KataRecord


def clock_text(seconds: float | None) -> str:
    """12m 04s, 1h 02m, or – when unknown."""
    if seconds is None:
        return "–"
    s = int(round(seconds))
    if s >= 3600:
        return f"{s // 3600}h {s % 3600 // 60:02d}m"
    return f"{s // 60}m {s % 60:02d}s"


def due_text(record: KataRecord | None, today: int) -> str:
    from studycli.clock import day_date

    if record is None or record.due_day is None:
        return "new" if record is None or not record.checks else "–"
    if record.due_day <= today:
        return "today"
    return day_date(record.due_day).isoformat()


def print_kata_list(
    console: Console, katas: Sequence[Kata], records: Mapping[str, KataRecord], today: int
) -> None:
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    wide = console.width >= 110  # tags only where they fit beside the rest
    id_width = max((len(k.id) for k in katas), default=4)
    tags_width = 30 if wide else 0
    # rich crops the last columns before it shortens a long title: give the title what is left
    rest = id_width + 6 + 3 + 10 + 7 + tags_width + 2 * (6 if wide else 5)
    table.add_column("kata", no_wrap=True, min_width=id_width)
    table.add_column(
        "title", overflow="ellipsis", no_wrap=True, max_width=max(12, console.width - rest)
    )
    table.add_column("level", no_wrap=True, min_width=6)
    table.add_column("min", justify="right", no_wrap=True, min_width=3)
    if wide:
        table.add_column("tags", overflow="ellipsis", no_wrap=True, max_width=tags_width)
    table.add_column("due", no_wrap=True, min_width=10)
    table.add_column("best", justify="right", no_wrap=True, min_width=7)
    for kata in katas:
        record = records.get(kata.id)
        best = record.best_ms / 1000 if record and record.best_ms is not None else None
        tags = [", ".join(t for t in kata.tags if t != "coding")] if wide else []
        table.add_row(
            kata.id,
            kata.title,
            kata.level,
            str(kata.minutes),
            *tags,
            due_text(record, today),
            clock_text(best),
        )
    console.print(table)
    due = [k.id for k in katas if due_text(records.get(k.id), today) == "today"]
    first = due[0] if due else next((k.id for k in katas if not records[k.id].checks), None)
    if first:
        console.print(f"Next: [bold]studycli kata start {first}[/]", highlight=False)


def print_check(console: Console, kata: Kata, result: RunResult, review: CheckReview) -> None:
    """One line per failed check (or the one error), then the verdict and the rating."""
    for line in result.lines:
        console.print(f"[red]✗[/] {line}", highlight=False, markup=True, soft_wrap=True)
    if review.elapsed_s is None:
        took = "untimed (no 'kata start')"
    else:
        took = f"{clock_text(review.elapsed_s)} of {kata.minutes}m"
    mark = "[green]✓[/]" if result.passed else "[red]✗[/]"
    counts = f"{review.passed}/{review.total} checks passed" if review.total else "not checked"
    console.print(
        f"{mark} {counts} · {took} · rated [bold]{review.rating_name}[/] · "
        f"next in {review.interval}",
        highlight=False,
    )


def print_solution(console: Console, kata: Kata, *, plain: bool) -> None:
    console.print(
        f"[bold]{kata.title}[/] · {kata.id} · {kata.level} · {kata.minutes} min", highlight=False
    )
    console.print()
    console.print(" ".join(kata.notes.split()), highlight=False)
    console.print()
    if plain:
        console.print(kata.solution().rstrip(), highlight=False, markup=False)
        return
    from rich.syntax import Syntax

    console.print(Syntax(kata.solution().rstrip(), "python", theme="ansi_dark"))


def print_started(console: Console, kata: Kata, path: str) -> None:
    console.print(
        f"[bold]{kata.title}[/] · {kata.id} · {kata.level} · {kata.minutes} min", highlight=False
    )
    console.print(
        f"Wrote {path}: the task and the edge cases are in its docstring. The clock is running.",
        highlight=False,
    )
    console.print(
        f"When it is ready: [bold]studycli kata check {kata.id} {path}[/]", highlight=False
    )


def pick_kata(katas: Sequence[Kata], records: Mapping[str, KataRecord], today: int) -> Kata | None:
    """Ask which kata to start (questionary); None when the question is cancelled."""
    import shutil

    import questionary

    width = shutil.get_terminal_size().columns - 4  # the pointer and a margin
    choices = []
    for k in katas:
        line = f"{k.id:<20} {k.minutes:>3} min  {due_text(records.get(k.id), today):<10}  {k.title}"
        line = line if len(line) <= width else line[: width - 1] + "…"
        choices.append(questionary.Choice(line, value=k.id))
    answer = questionary.select("Which kata?", choices=choices).ask()
    return next((k for k in katas if k.id == answer), None)
