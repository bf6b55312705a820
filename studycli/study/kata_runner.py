"""Run a kata's hidden checks against a candidate file in a sandboxed subprocess.

The candidate's code never runs in our process: `katacheck.py` runs in a fresh
`python -I` (no user site, no environment, no script folder on the path) whose
working directory is a scratch folder removed afterwards, with limits on memory,
CPU time and file size, a time limit per check and a wall-clock limit over all,
real sleeps and network connections disabled. Whatever happens in there (a syntax
error, an endless loop, a crash, a flood of output) comes back as one line.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HARNESS = Path(__file__).with_name("katacheck.py")
MEMORY_MB = 512
CHECK_SECONDS = 3.0
MAX_OUTPUT = 1 << 20  # bytes of results read back; a check's line is short


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    message: str = ""

    @property
    def line(self) -> str:
        """The one line shown for a failed check: its name, then what went wrong."""
        return f"{self.name}: {self.message}" if self.message else self.name


@dataclass(frozen=True)
class RunResult:
    """What the checks said. `error` is set when the file could not be checked at all."""

    checks: list[CheckResult] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.error is None and bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def failures(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.passed]

    @property
    def lines(self) -> list[str]:
        """One line per problem: the error, or each failed check."""
        if self.error is not None:
            return [self.error]
        return [c.line for c in self.failures]


def run_checks(
    checks: Path,
    candidate: Path,
    *,
    entry: tuple[str, ...] = (),
    display: str | None = None,
    check_seconds: float = CHECK_SECONDS,
    total_seconds: float | None = None,
    memory_mb: int = MEMORY_MB,
    python: str | None = None,
) -> RunResult:
    """Run `checks` (a kata's checks.py) against `candidate` (the user's file).

    `entry` names what the file must define; `display` is how the file is named in
    messages (its path as the user typed it). Never raises for anything the
    candidate's code does.
    """
    started = time.monotonic()
    checks, candidate = Path(checks).resolve(), Path(candidate).resolve()
    if total_seconds is None:
        total_seconds = 10.0 + check_seconds * 4
    config = {
        "checks": str(checks),
        "candidate": str(candidate),
        "display": display or candidate.name,
        "entry": list(entry),
        "check_s": check_seconds,
        "cpu_s": int(total_seconds) + 1,
        "memory_mb": memory_mb,
        "file_mb": 8,
    }
    with tempfile.TemporaryDirectory(prefix="studycli-kata-") as scratch:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": scratch, "TMPDIR": scratch}
        try:
            proc = subprocess.Popen(
                [python or sys.executable, "-I", "-S", str(HARNESS), json.dumps(config)],
                cwd=scratch,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as exc:
            return RunResult(error=f"could not start Python to run the checks: {exc.strerror}")
        timed_out = False
        try:
            out, _ = proc.communicate(timeout=total_seconds)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill(proc)
            out, _ = proc.communicate()
    return _result(out[:MAX_OUTPUT], proc.returncode, timed_out, total_seconds, started)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def _result(
    out: bytes, code: int, timed_out: bool, total_seconds: float, started: float
) -> RunResult:
    checks: list[CheckResult] = []
    running: str | None = None
    error: str | None = None
    done = False
    for raw in out.decode("utf-8", "replace").splitlines():
        try:
            event = json.loads(raw)
        except ValueError:
            continue
        kind = event.get("event")
        if kind == "start":
            running = event["name"]
        elif kind == "result":
            checks.append(CheckResult(event["name"], bool(event["ok"]), event.get("message", "")))
            running = None
        elif kind == "error":
            error = event["message"]
        elif kind == "done":
            done = True
    if error is None and not done:
        error = _why_stopped(code, timed_out, total_seconds)
        if running is not None:
            checks.append(CheckResult(running, False, error))
            error = f"{running}: {error}"
    return RunResult(checks, error, time.monotonic() - started)


def _why_stopped(code: int, timed_out: bool, total_seconds: float) -> str:
    if timed_out:
        return f"did not finish within {total_seconds:g} s (an endless loop?)"
    if code == -signal.SIGXCPU or code == -signal.SIGKILL:
        return "used up its CPU time (an endless loop?)"
    if code == -signal.SIGXFSZ:
        return "wrote too large a file"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"crashed ({name})"
    if code != 0:
        return f"exited early with status {code}"
    return "stopped before the checks finished"
