"""Shared fixtures. No test touches the real home or the network."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner


def pytest_configure(config: pytest.Config) -> None:
    # The terminal tests press Ctrl-C as a candidate would, and a terminal delivers it. A
    # run started in the background of a non-interactive shell ignores SIGINT and SIGQUIT,
    # and every process it spawns would inherit that: a Ctrl-C sent before the answer box
    # takes the terminal would then be lost. Give the run (and so its children) the
    # dispositions a terminal session has.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if signal.getsignal(signal.SIGQUIT) == signal.SIG_IGN:
        signal.signal(signal.SIGQUIT, signal.SIG_DFL)


UTC = dt.UTC


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data home, UTC clock zone and no extra content."""
    home = tmp_path / "home"
    monkeypatch.setenv("STUDYCLI_HOME", str(home))
    monkeypatch.delenv("STUDYCLI_CONTENT", raising=False)
    monkeypatch.delenv("STUDYCLI_NOW", raising=False)
    monkeypatch.delenv("STUDYCLI_DEBUG", raising=False)
    # A fresh home in a terminal is offered 'studycli init' first; tests of the drill in a
    # pseudo-terminal mean the drill (tests/test_init.py removes this to test the offer).
    monkeypatch.setenv("STUDYCLI_NO_INIT", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TZ", "UTC")
    if hasattr(__import__("time"), "tzset"):
        __import__("time").tzset()
    return home


@pytest.fixture(autouse=True)
def no_provider_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """No real provider key or endpoint reaches a test."""
    for var in (
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "GEMINI_API_KEY",
        "OPENAI_BASE_URL",
        "OPENAI_API_BASE",
    ):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def cli(runner: CliRunner):
    """Invoke the CLI: cli("today", now="2026-11-22T09:00", input="...")."""
    from studycli.cli.main import load_commands

    app = load_commands(None)

    def invoke(
        *args: str, now: str | None = None, input: str | None = None, env: dict | None = None
    ):
        environ = dict(env or {})
        if now:
            environ["STUDYCLI_NOW"] = now
        environ.setdefault("STUDYCLI_PLAIN", "1")
        return runner.invoke(app, list(args), input=input, env=environ, catch_exceptions=False)

    return invoke


@pytest.fixture
def at():
    """at(day, hour) -> aware UTC datetime on 2026-11-<day>."""

    def make(day: int = 22, hour: int = 9, minute: int = 0) -> dt.datetime:
        return dt.datetime(2026, 11, 1, hour, minute, tzinfo=UTC) + dt.timedelta(days=day - 1)

    return make


@pytest.fixture
def store(isolated_home: Path):
    from studycli.storage.store import Store

    s = Store(isolated_home / "studycli.db")
    yield s
    s.close()


@pytest.fixture(scope="session")
def catalogue():
    """The bundled content through the real loader (no cache)."""
    from studycli.content.loader import load_files
    from studycli.content.paths import content_files, content_roots

    result = load_files(content_files(content_roots()))
    assert not result.problems, result.problems[:5]
    return result.catalogue


@pytest.fixture(scope="session")
def history_db(tmp_path_factory, catalogue) -> Path:
    """One realistic home (tests/history.py), built once per run; use history_home."""
    from studycli.storage.store import Store

    from .history import add_mock_and_grade, build_history

    path = tmp_path_factory.mktemp("history") / "studycli.db"
    with Store(path) as s:
        build_history(s, catalogue)
        add_mock_and_grade(s, sorted(catalogue.cards)[0])
        s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def history_home(history_db: Path, isolated_home: Path) -> Path:
    """The test's own home holding a copy of the shared history."""
    isolated_home.mkdir(parents=True, exist_ok=True)
    shutil.copy(history_db, isolated_home / "studycli.db")
    return isolated_home


os.environ.setdefault("COLUMNS", "100")
