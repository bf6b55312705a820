"""`studycli stats`: retention, heatmap, forecast and readiness, or the numbers as JSON."""

from __future__ import annotations

from typing import Annotated

import typer

from studycli.cli.base import app, app_context
from studycli.cli.context import stats_numbers
from studycli.tui.styles import make_console


@app.command()
def stats(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the numbers as JSON.")] = False,
) -> None:
    """Cards, reviews, true retention, a calendar heatmap, the 14-day due forecast and weak cards."""
    a = app_context(ctx)
    numbers = stats_numbers(a)
    if as_json:
        import json

        typer.echo(json.dumps(numbers, indent=2))
        return
    from studycli.tui.grade_view import grader_stats_lines
    from studycli.tui.plan import print_readiness
    from studycli.tui.stats import stats_view

    console = make_console()
    for renderable in stats_view(numbers, console.width):
        console.print(renderable)
    if readiness := numbers["readiness"]:
        console.print()
        print_readiness(console, readiness)
    if grader := numbers["grader"]:
        lines = grader_stats_lines(grader, a.config["grader.model"])
        if lines:
            console.print()
        for line in lines:
            console.print(line)
