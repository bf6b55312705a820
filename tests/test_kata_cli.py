"""`studycli kata`: list, start, check, solution through the real CLI and a real database;
and katas in `today`, `drill`, `stats`, the roadmap and `decks validate`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from .helpers import ROOT, write

NOW = "2026-11-22T09:00"
RRF = ROOT / "decks" / "katas" / "rrf"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def reviews(home: Path) -> list[tuple]:
    with sqlite3.connect(home / "studycli.db") as conn:
        return conn.execute(
            "SELECT card_id, rating, rated_by, duration_ms FROM review_entries ORDER BY ts"
        ).fetchall()


def test_list_shows_ten_katas_easiest_first(cli):
    r = cli("kata", "list", now=NOW)
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines[0].split()[:4] == ["kata", "title", "level", "min"]
    ids = [line.split()[0] for line in lines[1:-1]]
    assert len(ids) >= 10 and "token-chunker" in ids and "admission-queue" in ids
    assert lines[-1] == "Next: studycli kata start rrf"
    rows = json.loads(cli("kata", "list", "--json", now=NOW).output)
    assert [row["id"] for row in rows] == ids
    assert {"id", "title", "level", "minutes", "tags", "due", "best_seconds"} <= set(rows[0])
    assert all(row["due"] is None and row["checks"] == 0 for row in rows)


def test_start_check_fail_fix_pass_is_logged(cli, in_tmp, isolated_home):
    r = cli("kata", "start", "rrf", now=NOW)
    assert r.exit_code == 0, r.output
    stub = (in_tmp / "rrf.py").read_text()
    assert stub == (RRF / "stub.py").read_text() and "NotImplementedError" in stub
    assert "studycli kata check rrf rrf.py" in r.output

    # a plausible first try: ranks counted from 0, no tie order
    write(
        in_tmp / "rrf.py",
        (RRF / "solution.py")
        .read_text()
        .replace("enumerate(ranking, start=1)", "enumerate(ranking)")
        .replace("key=lambda item: (-item[1], item[0])", "key=lambda item: -item[1]"),
    )
    r = cli("kata", "check", "rrf", "rrf.py", now="2026-11-22T09:05")
    assert r.exit_code == 1
    assert (
        "✗ one list keeps its order with scores 1/(k + rank): expected 0.0163934 for the first "
        "document, got 0.016666666666666666" in r.output
    )
    assert "✗ orders equal scores by id: expected ['a', 'z', 'm', 'y'] order, got" in r.output
    assert "checks passed · 5m 00s of 15m · rated Again · next in 10m" in r.output
    assert "Traceback" not in r.output and "checks.py" not in r.output

    write(in_tmp / "rrf.py", (RRF / "solution.py").read_text())
    r = cli("kata", "check", "rrf", "rrf.py", now="2026-11-22T09:12")
    assert r.exit_code == 0, r.output
    assert r.output.strip().startswith("✓ 13/13 checks passed · 12m 00s of 15m · rated Good")
    assert reviews(isolated_home) == [
        ("kata-rrf", 1, "kata", 5 * 60_000),
        ("kata-rrf", 3, "kata", 12 * 60_000),
    ]
    rows = {row["id"]: row for row in json.loads(cli("kata", "list", "--json", now=NOW).output)}
    assert rows["rrf"]["best_seconds"] == 720 and rows["rrf"]["passes"] == 1


def test_check_json_and_an_untimed_pass(cli, in_tmp, isolated_home):
    write(in_tmp / "mine.py", (RRF / "solution.py").read_text())
    r = cli("kata", "check", "rrf", "mine.py", "--json", now=NOW)
    assert r.exit_code == 0
    data = json.loads(r.output)
    assert data["passed"] is True and data["rating"] == "Good" and data["elapsed_seconds"] is None
    assert len(data["checks"]) == 13 and all(c["passed"] for c in data["checks"])


def test_a_syntax_error_is_one_line_and_an_again(cli, in_tmp, isolated_home):
    write(in_tmp / "bad.py", "def fuse(rankings:\n    pass\n")
    r = cli("kata", "check", "rrf", "bad.py", now=NOW)
    assert r.exit_code == 1
    assert r.output.splitlines()[0] == "✗ syntax error at line 1: '(' was never closed"
    assert "not checked · untimed (no 'kata start') · rated Again" in r.output
    assert reviews(isolated_home) == [("kata-rrf", 1, "kata", None)]


def test_usage_errors_exit_2_and_log_nothing(cli, in_tmp, isolated_home):
    r = cli("kata", "check", "rrff", "x.py", now=NOW)
    assert r.exit_code == 2
    assert "no kata 'rrff' (did you mean 'rrf'?)" in r.output
    r = cli("kata", "check", "rrf", "missing.py", now=NOW)
    assert r.exit_code == 2 and "missing.py: no such file" in r.output
    r = cli("kata", "start", now=NOW)
    assert r.exit_code == 2 and "name the kata" in r.output
    assert not (isolated_home / "studycli.db").exists() or reviews(isolated_home) == []


def test_start_never_overwrites_work(cli, in_tmp):
    write(in_tmp / "rrf.py", "my work in progress\n")
    r = cli("kata", "start", "rrf", now=NOW)
    assert r.exit_code == 2 and "rrf.py already exists" in r.output
    assert (in_tmp / "rrf.py").read_text() == "my work in progress\n"
    r = cli("kata", "start", "rrf", "-o", "elsewhere/fusion.py", now=NOW)
    assert r.exit_code == 2 and "cannot write elsewhere/fusion.py" in r.output
    assert cli("kata", "start", "rrf", "-o", "fusion.py", now=NOW).exit_code == 0
    assert (in_tmp / "fusion.py").read_text() == (RRF / "stub.py").read_text()
    assert cli("kata", "start", "rrf", "--force", now=NOW).exit_code == 0
    assert (in_tmp / "rrf.py").read_text() == (RRF / "stub.py").read_text()


def test_solution_prints_notes_and_code(cli):
    r = cli("kata", "solution", "token-chunker", now=NOW)
    assert r.exit_code == 0
    assert "Token-window chunker with overlap · token-chunker · junior · 25 min" in r.output
    assert "trailing window of pure overlap" in " ".join(r.output.split())
    assert "def chunk(" in r.output and "break" in r.output


def test_due_katas_in_today_never_in_drill(cli, in_tmp):
    write(in_tmp / "mine.py", "def fuse(*a, **k):\n    return []\n")
    cli("kata", "check", "rrf", "mine.py", now=NOW)  # Again: due again within the day
    r = cli("today", now="2026-11-22T10:00")
    assert "Katas · 1 due: rrf → 'studycli kata start rrf'" in r.output
    r = cli("drill", "--limit", "1", now="2026-11-22T10:00", input="/quit\n")
    assert "kata" not in r.output.lower()


def test_stats_and_report_show_kata_results(cli, in_tmp):
    write(in_tmp / "mine.py", (RRF / "solution.py").read_text())
    cli("kata", "start", "rrf", "-o", "stub.py", now=NOW)
    cli("kata", "check", "rrf", "mine.py", now="2026-11-22T09:06")
    data = json.loads(cli("stats", "--json", now=NOW).output)["katas"]
    assert data["total"] >= 10 and data["attempted"] == 1 and data["passed"] == 1
    assert data["items"] == [
        {
            "id": "rrf",
            "checks": 1,
            "passes": 1,
            "best_seconds": 360,
            "last_rating": "Easy",
            "last_date": "2026-11-22",
            "due": data["items"][0]["due"],
        }
    ]
    text = cli("stats", now=NOW).output
    assert "Coding katas 1 of 10 passed · 1 tried · 1 checks · 0 due today" in text
    cli("report", "-o", "report.md", now=NOW)
    report = (in_tmp / "report.md").read_text()
    assert "## Coding katas" in report and "| rrf | 1/1 | 6m 00s | Easy | 2026-11-22 |" in report


def test_roadmap_build_days_name_their_katas(cli, catalogue):
    tasks = catalogue.roadmap.tasks
    assert tasks["d05-build-token-chunker"].katas == ("token-chunker",)
    assert tasks["d07-build-backoff-jitter"].katas == ("backoff-retry",)
    assert "react-loop" in tasks["d14-build-react-loop"].katas
    cli("roadmap", "start", "--start", "2026-11-18", "--interview", "2026-12-31", now=NOW)
    r = cli("today", now=NOW)  # plan day 5
    assert "d05-build-token-chunker (build) kata token-chunker" in r.output


def test_decks_validate_checks_katas_and_keeps_their_history(cli, in_tmp, tmp_path):
    write(in_tmp / "mine.py", (RRF / "solution.py").read_text())
    cli("kata", "check", "rrf", "mine.py", now=NOW)
    r = cli("decks", "validate", now=NOW)
    assert r.exit_code == 0 and "10 katas" in r.output and "orphaned" not in r.output
    extra = tmp_path / "extra"
    write(extra / "decks" / "katas" / "broken" / "kata.yaml", "id: broken\ntitle: x\n")
    r = cli("--content", str(extra), "decks", "validate", now=NOW)
    assert r.exit_code == 2
    assert "broken/kata.yaml:1: kata: missing required field 'level'" in r.output
    r = cli("--content", str(extra), "kata", "list", now=NOW)
    assert r.exit_code == 2 and "missing required field" in r.output
    # a whole kata, but citing a source no sources.yaml lists
    other = tmp_path / "other"
    for name in ("stub.py", "solution.py", "checks.py"):
        write(other / "decks" / "katas" / "rrf2" / name, (RRF / name).read_text())
    spec = (RRF / "kata.yaml").read_text().replace("id: rrf", "id: rrf2")
    write(other / "decks" / "katas" / "rrf2" / "kata.yaml", spec.replace(
        "source: sixty-senior-questions", "source: nowhere"))  # fmt: skip
    r = cli("--content", str(other), "decks", "validate", now=NOW)
    assert r.exit_code == 2 and "kata 'rrf2': no source 'nowhere' in sources.yaml" in r.output


@pytest.mark.terminal
def test_start_without_an_id_asks_in_a_terminal(in_tmp, isolated_home):
    import os

    pexpect = pytest.importorskip("pexpect")
    from .helpers import studycli_command

    env = dict(os.environ, STUDYCLI_HOME=str(isolated_home), STUDYCLI_NOW=NOW, TERM="xterm")
    env.pop("STUDYCLI_PLAIN", None)
    cmd = studycli_command()
    child = pexpect.spawn(
        cmd[0], [*cmd[1:], "kata", "start"], env=env, cwd=str(in_tmp), dimensions=(24, 80),
        encoding="utf-8", timeout=20,
    )  # fmt: skip
    child.expect("Which kata")
    child.expect("token-chunker")
    child.send("\x1b[B")  # down: the second kata, easiest first
    child.send("\r")
    child.expect("The clock is running")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (in_tmp / "token_chunker.py").read_text() == (
        ROOT / "decks" / "katas" / "token-chunker" / "stub.py"
    ).read_text()


def test_the_kata_example_in_the_docs_loads(tmp_path):
    import re

    from studycli.content.katas import load_katas

    text = (ROOT / "docs" / "decks.md").read_text(encoding="utf-8")
    (block,) = [
        b for b in re.findall(r"^```yaml\n(.*?)^```", text, re.S | re.M) if "kata.yaml" in b
    ]
    folder = tmp_path / "decks" / "katas" / "my-dedupe"
    write(folder / "kata.yaml", block)
    for name in ("stub.py", "solution.py", "checks.py"):
        write(folder / name, "")
    kata = load_katas([tmp_path])["my-dedupe"]
    assert kata.minutes == 20 and kata.entry == ("dedupe",)
