"""Runs one kata's hidden checks against a candidate file, inside the sandbox process.

This file is run as a script by `kata_runner` (`python -I katacheck.py CONFIG`) and is
also what a kata's checks.py imports (`from katacheck import check, eq, ...`): the
script registers itself under that name before loading the checks. It uses the
standard library only, limits its own memory, CPU time and file size first, and
reports one JSON object per line on the process's original stdout; the candidate's
own prints go to /dev/null.

A check fails with one plain line: its name, then what was expected and what came
back ("retries a 429: expected 3 calls, got 1"). Exceptions raised by the candidate's
code name the line of the candidate's file they came from, never a line of ours.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn

Check = Callable[[Any], None]
CHECKS: list[tuple[str, Check]] = []


class Failed(AssertionError):
    """A check's expectation was not met; the message is the part after the check's name."""


class CheckTimeout(BaseException):
    """The per-check time limit ran out (a BaseException so `except Exception` cannot eat it)."""


# -- what checks.py uses -------------------------------------------------------------


def check(name: str) -> Callable[[Check], Check]:
    """Register a check under a one-line human name."""

    def register(fn: Check) -> Check:
        CHECKS.append((name, fn))
        return fn

    return register


def show(value: Any, limit: int = 70) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def fail(message: str) -> NoReturn:
    raise Failed(message)


def that(condition: object, message: str) -> None:
    if not condition:
        fail(message)


def eq(got: Any, want: Any, what: str = "") -> None:
    """Fail with 'expected WANT WHAT, got GOT' unless got == want."""
    if got != want or (isinstance(got, bool) != isinstance(want, bool)):
        label = f" {what}" if what else ""
        fail(f"expected {show(want)}{label}, got {show(got)}")


def close(got: Any, want: float, what: str = "", tol: float = 1e-9) -> None:
    """Like eq for floats: equal within `tol` (relative or absolute)."""
    ok = isinstance(got, (int, float)) and not isinstance(got, bool)
    if not ok or abs(got - want) > tol * max(1.0, abs(want)):
        label = f" {what}" if what else ""
        fail(f"expected {want:g}{label}, got {show(got)}")


def raises(kind: type[BaseException] | tuple[type[BaseException], ...], fn: Callable[..., Any],
           *args: Any, **kwargs: Any) -> BaseException:  # fmt: skip
    """Call fn and return the exception of `kind` it raises; fail if it returns or raises another."""
    names = " or ".join(k.__name__ for k in kind) if isinstance(kind, tuple) else kind.__name__
    try:
        value = fn(*args, **kwargs)
    except kind as exc:
        return exc
    except (CheckTimeout, NotImplementedError):
        raise
    except Exception as exc:
        fail(f"expected {names}, got {describe(exc)}")
    fail(f"expected {names}, got a return value {show(value)}")


# -- describing what went wrong ------------------------------------------------------

_candidate_file = "<candidate>"


def _candidate_line(exc: BaseException) -> int | None:
    """The deepest line of the candidate's file in the exception's traceback."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == _candidate_file:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def describe(exc: BaseException) -> str:
    """'KeyError: 'x' (line 12)': the exception in one line, located in the candidate's file."""
    lines = str(exc).strip().splitlines()
    first = lines[0] if lines else ""
    first = first if len(first) <= 100 else first[:97] + "..."
    head = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    line = _candidate_line(exc)
    return f"{head} (line {line})" if line else head


# -- the sandbox ---------------------------------------------------------------------


def _limit(memory_mb: int, cpu_s: int, file_mb: int) -> None:
    try:
        import resource
    except ImportError:  # not POSIX: the parent's wall-clock limit still holds
        return
    limits = (
        ("RLIMIT_AS", memory_mb * 1024 * 1024),
        ("RLIMIT_CPU", cpu_s),
        ("RLIMIT_FSIZE", file_mb * 1024 * 1024),
        ("RLIMIT_CORE", 0),
    )
    for name, value in limits:
        which = getattr(resource, name, None)
        if which is None:
            continue
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        with contextlib.suppress(ValueError, OSError):  # a limit we may not set stays as it is
            resource.setrlimit(which, (value, hard))


def _no_waiting_no_network() -> None:
    """Real sleeps and connections fail at once: a kata's checks inject both."""
    import socket
    import time

    def no_sleep(*_: object) -> None:
        raise RuntimeError("time.sleep is disabled in kata checks; use the sleep you are given")

    def no_network(*_: object, **__: object) -> None:
        raise OSError("network access is disabled in kata checks")

    time.sleep = no_sleep
    socket.create_connection = no_network  # type: ignore[assignment]
    socket.socket.connect = no_network  # type: ignore[method-assign]
    socket.socket.connect_ex = no_network  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = no_network  # type: ignore[assignment]


class _Reporter:
    def __init__(self, fd: int) -> None:
        self.out = os.fdopen(fd, "w", encoding="utf-8")

    def __call__(self, **event: Any) -> None:
        self.out.write(json.dumps(event) + "\n")
        self.out.flush()


def _load(path: str, name: str, filename: str) -> Any:
    import types

    with open(path, encoding="utf-8") as f:
        source = f.read()
    code = compile(source, filename, "exec", dont_inherit=True)
    module = types.ModuleType(name)
    module.__file__ = filename
    sys.modules[name] = module
    exec(code, module.__dict__)
    return module


def _run_check(fn: Check, module: Any, seconds: float) -> tuple[bool, str]:
    import signal

    def expire(*_: object) -> None:
        raise CheckTimeout

    signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        fn(module)
    except CheckTimeout:
        return False, f"did not finish within {seconds:g} s (an endless loop?)"
    except Failed as exc:
        return False, str(exc)
    except MemoryError:
        return False, "ran out of memory"
    except SystemExit:
        return False, "your code called sys.exit()"
    except RecursionError as exc:
        line = _candidate_line(exc)
        return False, "recursion too deep" + (f" (line {line})" if line else "")
    except NotImplementedError as exc:
        if _candidate_line(exc):
            return False, "not written yet (NotImplementedError)"
        return False, describe(exc)
    except Exception as exc:
        where = "your code raised" if _candidate_line(exc) else "unexpected result:"
        return False, f"{where} {describe(exc)}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return True, ""


def main(argv: list[str]) -> int:
    global _candidate_file
    config = json.loads(argv[1])
    # The results go to the original stdout; fd 1 and 2 are /dev/null for the candidate.
    report = _Reporter(os.dup(1))
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    _limit(config["memory_mb"], config["cpu_s"], config["file_mb"])
    sys.setrecursionlimit(2000)
    sys.modules["katacheck"] = sys.modules[__name__]
    _candidate_file = config["display"]
    try:
        _load(config["checks"], "kata_checks", "<checks>")
    except BaseException as exc:  # a broken kata is ours to fix: say so plainly
        report(event="error", message=f"the kata's checks did not load: {describe(exc)}")
        return 0
    _no_waiting_no_network()
    try:
        module = _load(config["candidate"], "candidate", _candidate_file)
    except SyntaxError as exc:
        where = f"line {exc.lineno}" if exc.lineno else "somewhere"
        report(event="error", message=f"syntax error at {where}: {exc.msg}")
        return 0
    except MemoryError:
        report(event="error", message="ran out of memory while loading the file")
        return 0
    except BaseException as exc:
        report(event="error", message=f"the file failed to load: {describe(exc)}")
        return 0
    missing = [n for n in config["entry"] if not hasattr(module, n)]
    if missing:
        report(event="error", message=f"the file does not define {', '.join(missing)}")
        return 0
    for name, fn in CHECKS:
        report(event="start", name=name)
        ok, message = _run_check(fn, module, config["check_s"])
        report(event="result", name=name, ok=ok, message=message)
    report(event="done")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
