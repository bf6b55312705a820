"""Questions asked in a terminal, through questionary: a pick from a list, a text with a
check, a yes/no, several ticks. Only when a person is there (`interactive()`); questionary
(and prompt_toolkit under it) is imported by the first question, never at start-up.

Every function returns the answer or raises `Cancelled` on Ctrl-C / Ctrl-D, so a caller
says "nothing saved" once instead of testing for None after each question.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from studycli.errors import StudyError

T = TypeVar("T")


class Cancelled(StudyError):
    """The person left a question with Ctrl-C or Ctrl-D."""

    exit_code = 130


def interactive() -> bool:
    """A person at a terminal: stdin and stdout are terminals and plain output was not asked for."""
    return sys.stdin.isatty() and sys.stdout.isatty() and os.environ.get("STUDYCLI_PLAIN") != "1"


def _ask(question: Any, what: str) -> Any:
    try:
        answer = question.unsafe_ask()
    except (KeyboardInterrupt, EOFError):
        raise Cancelled(f"{what}: cancelled, nothing saved") from None
    if answer is None:
        raise Cancelled(f"{what}: cancelled, nothing saved")
    return answer


def pick(
    message: str, choices: Sequence[tuple[str, T]], *, default: T | None = None, what: str = ""
) -> T:
    """One of `choices` (title, value), arrow keys and Enter."""
    import questionary

    options = [questionary.Choice(title, value=i) for i, (title, _) in enumerate(choices)]
    start = next((i for i, (_, v) in enumerate(choices) if v == default), None)
    index = _ask(
        questionary.select(
            message, options, default=options[start] if start is not None else None, qmark="?"
        ),
        what or message,
    )
    return choices[index][1]


def ticks(
    message: str,
    choices: Sequence[tuple[str, T, bool]],
    *,
    at_least_one: str = "",
    what: str = "",
) -> list[T]:
    """Several of `choices` (title, value, ticked at first): Space ticks, `a` all, Enter ends."""
    import questionary

    options = [
        questionary.Choice(title, value=i, checked=on) for i, (title, _, on) in enumerate(choices)
    ]

    def check(picked: list[Any]) -> bool | str:
        return True if picked or not at_least_one else at_least_one

    indexes = _ask(
        questionary.checkbox(
            message,
            options,
            validate=check,
            instruction="(Space ticks, a all, i inverts, Enter ends)",
        ),
        what or message,
    )
    return [choices[i][1] for i in indexes]


def text(
    message: str,
    *,
    default: str = "",
    check: Callable[[str], str | None] | None = None,
    what: str = "",
) -> str:
    """A line of text; `check` returns a problem to show under it, or None to accept."""
    import questionary

    def validate(value: str) -> bool | str:
        if check is None:
            return True
        problem = check(value)
        return True if problem is None else problem

    return str(_ask(questionary.text(message, default=default, validate=validate), what or message))


def yes_no(message: str, *, default: bool = True, what: str = "") -> bool:
    """y or n (Enter takes the default)."""
    import questionary

    return bool(_ask(questionary.confirm(message, default=default), what or message))
