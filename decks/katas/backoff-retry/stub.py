"""Retry with exponential backoff and full jitter.

Call `fn()` and return its result. When it raises:

- transient failures are retried: TimeoutError, ConnectionError (and its
  subclasses), and any exception whose `status` attribute is 429 or 500..599;
- anything else is raised at once, unchanged (it is a bug or a bad request).

Before retry number n (n = 0 for the first retry), wait
    rand() * min(cap, base * 2 ** n)           (full jitter; rand() is in [0, 1])
unless the exception has a `retry_after` attribute that is not None: then wait
exactly that many seconds instead (even above `cap`).

Give up, raising RetryError(message, attempts) chained to the last failure
(`raise RetryError(...) from last`), when:
- `max_attempts` calls have failed (do not sleep after the last one), or
- the wait would end past `deadline` seconds after the first call started
  (measured with `clock()`, time spent inside calls included); a wait that ends
  exactly at the deadline is allowed.

Use only the `sleep`, `clock` and `rand` you are given (time.sleep is disabled
in the checks). max_attempts < 1 raises ValueError before any call.
"""

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class RetryError(Exception):
    def __init__(self, message: str, attempts: int) -> None:
        super().__init__(message)
        self.attempts = attempts


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
    raise NotImplementedError
