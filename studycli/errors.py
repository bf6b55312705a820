"""The one error type the CLI turns into a clean message and an exit status."""


class StudyError(Exception):
    """A failure the user can act on. `exit_code` 2 = usage/content, 1 = runtime."""

    exit_code = 1

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        return str(self.args[0])


class UsageError(StudyError):
    """Bad option or argument."""

    exit_code = 2


class ContentError(StudyError):
    """Invalid deck, incident or roadmap content; carries every problem found."""

    exit_code = 2

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        head = problems[0] if problems else "invalid content"
        more = (
            f" (and {len(problems) - 1} more; run 'studycli decks validate')"
            if len(problems) > 1
            else ""
        )
        super().__init__(head + more)


class StoreError(StudyError):
    """The database cannot be opened or written safely."""

    exit_code = 1
