"""A circuit breaker for a flaky tool.

Stop calling a tool that keeps failing, and try it again after a pause.

States (read them from the `state` property: "closed", "open" or "half-open"):
- closed: call(fn, *args, **kwargs) calls fn and returns its result. An
  exception from fn is re-raised unchanged and counts as a failure; a success
  resets the count. After `failure_threshold` failures in a row the circuit
  opens, at clock() of the last failure.
- open: call() raises CircuitOpenError(message, retry_in) without calling fn,
  where retry_in is the number of seconds left until the circuit turns
  half-open. Rejected calls do not extend the wait.
- half-open: once clock() - opened_at >= reset_after, the next call is a trial:
  fn is called; success closes the circuit (count back to 0); failure opens it
  again, with the wait starting at that failure.

Exceptions that are instances of a type in `ignore` (e.g. a ValueError caused by
the caller's bad input) are re-raised but count as a success: the tool did
answer.

Edge cases to handle:
- the exception from fn reaches the caller unchanged, in every state
- failure_threshold < 1 or reset_after < 0 raises ValueError
- use only the `clock` you are given
"""

from collections.abc import Callable
from typing import Any


class CircuitOpenError(Exception):
    def __init__(self, message: str, retry_in: float) -> None:
        super().__init__(message)
        self.retry_in = retry_in


class CircuitBreaker:
    def __init__(
        self,
        clock: Callable[[], float],
        failure_threshold: int = 3,
        reset_after: float = 30.0,
        ignore: tuple[type[BaseException], ...] = (),
    ) -> None:
        raise NotImplementedError

    @property
    def state(self) -> str:
        raise NotImplementedError

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError
