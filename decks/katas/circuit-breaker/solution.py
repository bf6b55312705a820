"""A circuit breaker for a flaky tool: reference solution."""

from collections.abc import Callable
from typing import Any


class CircuitOpenError(Exception):
    """The circuit is open: the tool was not called."""

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
        if failure_threshold < 1:
            raise ValueError(f"failure_threshold must be at least 1, got {failure_threshold}")
        if reset_after < 0:
            raise ValueError(f"reset_after must not be negative, got {reset_after}")
        self._clock = clock
        self.failure_threshold = failure_threshold
        self.reset_after = reset_after
        self.ignore = ignore
        self._failures = 0  # consecutive
        self._opened_at: float | None = None

    @property
    def state(self) -> str:
        # Derived from the clock on every read, so no timer thread is needed.
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.reset_after:
            return "half-open"
        return "open"

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        trial = self._opened_at is not None  # it opened before: a trial, if the wait is over
        if self._opened_at is not None:
            waited = self._clock() - self._opened_at
            if waited < self.reset_after:
                left = self.reset_after - waited
                raise CircuitOpenError(f"circuit open: next try in {left:g} s", left)
        try:
            result = fn(*args, **kwargs)
        except self.ignore:
            self._succeeded()  # the tool answered; the caller's input was at fault
            raise
        except Exception:
            self._failed(trial)
            raise
        self._succeeded()
        return result

    def _succeeded(self) -> None:
        self._failures = 0
        self._opened_at = None

    def _failed(self, trial: bool) -> None:
        self._failures += 1
        if trial or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()  # (re)open; the wait starts now
