"""`studycli stats` in a terminal: the report's numbers, a heatmap and the 14-day forecast."""

from __future__ import annotations

import datetime as dt
import json
import os
import re

import pexpect
import pytest

from .helpers import studycli_command
from .history import NOW


def test_stats_shows_every_section(cli, history_home):
    r = cli("stats", now=NOW, env={"COLUMNS": "100"})
    assert r.exit_code == 0, r.output
    out = r.output
    data = json.loads(cli("stats", "--json", now=NOW).output)
    assert out.startswith("studycli stats · 2026-11-22")
    c = data["cards"]
    assert (
        f"{c['seen']} of {c['total']} seen" in out
        and f"{data['reviews']['total']:,} in total" in out
    )
    assert f"{data['retention_30d']['rate']:.0%} of {data['retention_30d']['total']} reviews" in out
    for section in (
        "Reviews per day",
        "Due in the next 14 days",
        "True retention by week",
        "Topics",
        "Weakest cards",
        "Readiness",
    ):
        assert section in out, section
    # Heatmap: seven weekday rows of shades, today's column included.
    grid = [
        line
        for line in out.splitlines()
        if line[:4].strip() in ("", "Mon", "Wed", "Fri", "Sun")
        and line[4:].strip()
        and set(line[4:].split()) <= set("·░▒▓█")
    ]
    assert len(grid) == 7 and [line[:3] for line in grid[::2]] == ["Mon", "Wed", "Fri", "Sun"]
    assert (
        len({len(line.rstrip()) for line in grid}) <= 2
    )  # whole weeks; the last one may end today
    assert "less · ░ ▒ ▓ █ more" in out
    # Forecast: fourteen days, counts as in the JSON.
    forecast = data["forecast"]
    assert "Sun 22 Nov (today, with overdue)" in out
    for f in forecast[1:]:
        label = dt.date.fromisoformat(f["date"]).strftime("%a %d %b")
        line = next(line for line in out.splitlines() if line.startswith(label))
        assert line.split()[3] == str(f["due"])
    assert "Grader" in out  # the grader block of the other module, from the same data


def test_stats_json_keeps_its_contract(cli, history_home):
    data = json.loads(cli("stats", "--json", now=NOW).output)
    assert set(data["cards"]) >= {"total", "seen", "due", "new_today", "suspended"}
    assert set(data["reviews"]) == {"today", "total"}
    assert set(data["retention_30d"]) == {"passed", "total", "rate"}
    assert data["date"] == "2026-11-22" and "grader" in data


def test_empty_home_stats(cli, catalogue):
    r = cli("stats", now=NOW)
    assert r.exit_code == 0
    assert (
        f"0 of {len(catalogue.cards)} seen" in r.output
        and "no reviews of learnt cards yet" in r.output
    )
    assert "Weakest cards" not in r.output


def test_heat_levels():
    from studycli.render.charts import heat_level

    assert [heat_level(n, 40) for n in (0, 1, 10, 11, 20, 21, 30, 31, 40)] == [
        0,
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
    ]
    assert heat_level(5, 0) == 0 and heat_level(1, 1) == 1


@pytest.mark.terminal
def test_stats_in_a_real_terminal_fits_80_columns(history_home):
    """In a pty rich draws colour; every line still fits the terminal's width."""
    cmd = studycli_command()
    env = {
        **os.environ,
        "STUDYCLI_HOME": str(history_home),
        "STUDYCLI_NOW": NOW,
        "COLUMNS": "80",
        "LINES": "50",
        "TERM": "xterm-256color",
        "TZ": "UTC",
    }
    env.pop("STUDYCLI_PLAIN", None)
    child = pexpect.spawn(
        cmd[0], [*cmd[1:], "stats"], env=env, dimensions=(50, 80), encoding="utf-8", timeout=30
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    raw = child.before
    assert "\x1b[" in raw  # coloured
    plain = re.sub(r"\x1b\[[0-9;]*m", "", raw)
    lines = plain.replace("\r\n", "\n").split("\n")
    assert max(len(line) for line in lines) <= 80
    assert any("▓" in line or "█" in line for line in lines)
    assert "Due in the next 14 days" in plain
