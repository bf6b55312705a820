"""Retry with exponential backoff and full jitter: reference solution."""

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class RetryError(Exception):
    """Retries ran out or the deadline would pass; `__cause__` is the last failure."""

    def __init__(self, message: str, attempts: int) -> None:
        super().__init__(message)
        self.attempts = attempts


def is_transient(exc: BaseException) -> bool:
    """A failure worth retrying: a timeout, a dropped connection, a 429 or a 5xx."""
    if isinstance(exc, (TimeoutError, ConnectionError)):
        return True
    status = getattr(exc, "status", None)
    return isinstance(status, int) and (status == 429 or 500 <= status <= 599)


def call_with_retry(
    fn: Callable[[], T],
    *,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
    rand: Callable[[], float],
    max_attempts: int = 5,
    base: float = 0.5,
    cap: float = 30.0,
    deadline: float = 60.0,
) -> T:
    if max_attempts < 1:
        raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
    start = clock()
    attempt = 0
    while True:
        attempt += 1
        try:
            return fn()
        except Exception as exc:
            if not is_transient(exc):
                raise  # a bug or a bad request: retrying only repeats it
            last = exc
        if attempt >= max_attempts:
            break  # no sleep after the last attempt: nobody is waiting for it
        retry_after = getattr(last, "retry_after", None)
        if retry_after is not None:
            delay = float(retry_after)  # the server knows when it will have room
        else:
            delay = rand() * min(cap, base * 2 ** (attempt - 1))
        if clock() - start + delay > deadline:
            break  # sleeping would only end after the caller stopped caring
        sleep(delay)
    raise RetryError(f"gave up after {attempt} attempts: {last}", attempt) from last
