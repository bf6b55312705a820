"""`studycli kata`: coding katas, run against hidden checks and scheduled like cards."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from studycli.cli.base import app, app_context
from studycli.errors import UsageError
from studycli.tui.styles import make_console

if TYPE_CHECKING:
    from studycli.cli.context import AppContext
    from studycli.content.katas import Kata

kata_app = typer.Typer(
    help="Coding katas: write real code against hidden checks; each check is a review, "
    "scheduled like a card.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(kata_app, name="kata")


def _katas(a: AppContext) -> dict[str, Kata]:
    """Every kata by id, easiest first (level, then minutes)."""
    from studycli.content.katas import load_katas
    from studycli.content.paths import content_roots
    from studycli.vocab import LEVELS

    katas = load_katas(content_roots(a.content_dirs))
    order = sorted(katas.values(), key=lambda k: (LEVELS.index(k.level), k.minutes, k.id))
    return {k.id: k for k in order}


@kata_app.command("list")
def kata_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
) -> None:
    """Every kata: id, title, level, minutes, tags, when it is due and your best time."""
    from studycli.clock import day_date
    from studycli.study.katas import kata_records

    a = app_context(ctx)
    katas = _katas(a)
    records = kata_records(a.store, list(katas))
    today = a.today()
    if as_json:
        import json

        rows = []
        for kata in katas.values():
            r = records[kata.id]
            rows.append(
                {
                    "id": kata.id,
                    "title": kata.title,
                    "level": kata.level,
                    "minutes": kata.minutes,
                    "tags": list(kata.tags),
                    "checks": r.checks,
                    "passes": r.passes,
                    "due": None if r.due_day is None else day_date(r.due_day).isoformat(),
                    "due_today": r.due_day is not None and r.due_day <= today,
                    "best_seconds": None if r.best_ms is None else round(r.best_ms / 1000),
                }
            )
        typer.echo(json.dumps(rows, indent=2))
        return
    from studycli.tui.kata import print_kata_list

    print_kata_list(make_console(), list(katas.values()), records, today)


@kata_app.command("start")
def kata_start(
    ctx: typer.Context,
    kata_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]", help="The kata (see 'studycli kata list'); asked if left out."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Where to write the stub [default: ./ID.py, with _ for -].",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
) -> None:
    """Write the kata's stub (task, signature, edge cases; no solution) and start its clock."""
    from studycli.cli.prompts import interactive
    from studycli.content.katas import find_kata
    from studycli.study.katas import kata_records, start
    from studycli.tui.kata import pick_kata, print_started

    a = app_context(ctx)
    katas = _katas(a)
    if kata_id is None:
        if not interactive():
            raise UsageError("kata start: name the kata, e.g. 'studycli kata start rrf' "
                             "(see 'studycli kata list')")  # fmt: skip
        picked = pick_kata(list(katas.values()), kata_records(a.store, list(katas)), a.today())
        if picked is None:
            raise typer.Exit(1)
        kata = picked
    else:
        kata = find_kata(katas, kata_id)
    path = output or Path(kata.id.replace("-", "_") + ".py")
    if path.is_dir():
        raise UsageError(f"--output: {path} is a folder; name a file")
    if path.exists() and not force:
        raise UsageError(
            f"{path} already exists: check it with 'studycli kata check {kata.id} {path}', "
            "or pass --force to overwrite it (or -o to write elsewhere)"
        )
    try:
        path.write_text(kata.stub(), encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--output: cannot write {path}: {exc.strerror or exc}") from None
    start(a.store, kata, a.now())
    print_started(make_console(), kata, str(path))


@kata_app.command("check")
def kata_check(
    ctx: typer.Context,
    kata_id: Annotated[str, typer.Argument(metavar="ID", help="The kata.")],
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Your solution.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Run the kata's hidden checks on FILE in a sandbox and log the result as a review.

    Every check passed within the kata's minutes is rated Good (Easy within half of
    them), passed over time Hard, any failure Again. Exit status 0 when every check
    passes, 1 when any fails."""
    from studycli.content.katas import find_kata
    from studycli.study.katas import check_file, record_check

    a = app_context(ctx)
    kata = find_kata(_katas(a), kata_id)
    result = check_file(kata, file)
    review = record_check(a.store, a.scheduler, kata, result, a.now(), a.rollover_hour)
    if as_json:
        import json

        typer.echo(json.dumps(_check_json(kata, result, review), indent=2))
    else:
        from studycli.tui.kata import print_check

        print_check(make_console(), kata, result, review)
    if not result.passed:
        raise typer.Exit(1)


def _check_json(kata: Kata, result: Any, review: Any) -> dict[str, Any]:
    return {
        "kata": kata.id,
        "passed": result.passed,
        "error": result.error,
        "checks": [
            {"name": c.name, "passed": c.passed, "message": c.message} for c in result.checks
        ],
        "elapsed_seconds": None if review.elapsed_s is None else round(review.elapsed_s, 1),
        "minutes": kata.minutes,
        "rating": review.rating_name,
        "next_in": review.interval,
    }


@kata_app.command("solution")
def kata_solution(
    ctx: typer.Context,
    kata_id: Annotated[str, typer.Argument(metavar="ID", help="The kata.")],
) -> None:
    """Print the reference solution, with notes on why it is written that way."""
    from studycli.content.katas import find_kata
    from studycli.tui.kata import print_solution

    a = app_context(ctx)
    kata = find_kata(_katas(a), kata_id)
    console = make_console()
    print_solution(console, kata, plain=not console.is_terminal)
