"""`studycli grade`: grade one answer against a card's key points, or the grades left pending."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from studycli.cli import complete
from studycli.cli.base import app, app_context, card_or_fail
from studycli.errors import UsageError
from studycli.tui.styles import make_console

if TYPE_CHECKING:
    from studycli.grading.grader import Grader

NO_MODEL = (
    "no grader model set: choose one with 'studycli config set grader.model openai/gpt-4o-mini' "
    "(any LiteLLM model string; grader.api_base for a local server)"
)


@app.command()
def grade(
    ctx: typer.Context,
    card_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[CARD_ID]",
            help="The card the answer is for.",
            show_default=False,
            autocompletion=complete.card_ids,
        ),
    ] = None,
    answer: Annotated[
        str | None, typer.Option("--answer", "-a", metavar="TEXT", help="The answer to grade.")
    ] = None,
    answer_file: Annotated[
        Path | None,
        typer.Option(
            "--answer-file",
            "-f",
            metavar="FILE",
            help="Read the answer from FILE ('-' = standard input).",
        ),
    ] = None,
    pending: Annotated[
        bool,
        typer.Option(
            "--pending",
            help="Grade the answers whose grade was left pending (e.g. by a failed call).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the grade(s) as JSON.")] = False,
) -> None:
    """Grade a typed answer against a card's key points with the model set in grader.model.

    The answer comes from --answer, --answer-file or standard input. Prints the checklist
    (each key point met or missed, with a quote from the answer as evidence), the score and
    the suggested rating, and stores the grade like one made in a drill. Exit status 1 if
    the grade could not be made (it is then saved as pending).
    """
    a = app_context(ctx)
    if pending:
        if card_id or answer is not None or answer_file is not None:
            raise UsageError("--pending: takes no CARD_ID, --answer or --answer-file")
        _grade_pending(a, as_json)
        return
    if not card_id:
        raise UsageError("CARD_ID: missing; give the card the answer is for (or use --pending)")
    if answer is not None and answer_file is not None:
        raise UsageError("--answer and --answer-file: give only one of them")
    card = card_or_fail(a, card_id)
    grader = _grader_or_fail(a)
    text = answer if answer is not None else _read_answer(answer_file)
    result = grader.grade(card, text, a.now())
    if as_json:
        import json

        typer.echo(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
    else:
        _print_result(result, card.red_flags)
    if not result.done:
        if not as_json:
            _failure(result)
        raise typer.Exit(1)


def _grader_or_fail(a: Any) -> Grader:
    """The configured grader (LiteLLM imported on its first grade, not here), or a usage error."""
    from studycli.grading.grader import build_grader

    grader = build_grader(a.config, a.store, warm=False)
    if grader is None:
        raise UsageError(NO_MODEL)
    return grader


def _read_answer(path: Path | None) -> str:
    if path is not None and str(path) != "-":
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise UsageError(f"--answer-file: {path} is not UTF-8 text") from None
        except OSError as exc:
            raise UsageError(f"--answer-file: cannot read {path}: {exc.strerror or exc}") from None
    if path is None and sys.stdin.isatty():
        raise UsageError(
            "no answer: give --answer TEXT, --answer-file FILE, or pipe it on standard input"
        )
    return sys.stdin.read()


def _print_result(result: Any, red_flags: tuple[str, ...] = ()) -> None:
    from studycli.tui.grade_view import grade_panel
    from studycli.vocab import RATING_NAMES

    console = make_console()
    if result.done:
        console.print(grade_panel(result, red_flags))
        console.print(
            f"Score {result.score:.2f} · {result.met_count}/{len(result.points)} key points · "
            f"suggested rating {result.suggested} {RATING_NAMES[result.suggested]}",
            highlight=False,
        )


def _failure(result: Any) -> None:
    typer.echo(
        f"studycli: grading failed: {result.error}; the answer is saved and its grade is pending "
        "('studycli grade --pending' tries again)",
        err=True,
    )


def _grade_pending(a: Any, as_json: bool) -> None:
    from studycli.storage.grades import pending_count
    from studycli.vocab import RATING_NAMES

    if not pending_count(a.store):
        if as_json:
            typer.echo("[]")
        else:
            typer.echo("No pending grades.")
        return
    grader = _grader_or_fail(a)
    results = grader.grade_pending(a.catalogue.cards, a.now())
    left = [r for r in results if r.status == "pending"]
    if as_json:
        import json

        typer.echo(json.dumps([r.as_json() for r in results], indent=2, ensure_ascii=False))
    else:
        for r in results:
            if r.done:
                typer.echo(
                    f"✓ {r.card_id}: {r.met_count}/{len(r.points)} key points · suggests "
                    f"{r.suggested} {RATING_NAMES.get(r.suggested or 0, '?')}"
                )
            elif r.status == "failed":
                typer.echo(f"✗ {r.card_id}: not graded ({r.error})")
            else:
                typer.echo(f"… {r.card_id}: still pending ({r.error})")
        done = sum(r.done for r in results)
        typer.echo(
            f"Graded {done} of {len(results)} pending answers"
            + (f"; {len(left)} still pending." if left else ".")
        )
    if left:
        raise typer.Exit(1)
