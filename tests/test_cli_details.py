"""Small things a new user trips on: negative config values, a no-op unsuspend, lines that
repeat themselves or break a command, counts that disagree, labels that leave things out."""

from __future__ import annotations

import json
import re
import sqlite3

from .helpers import answers

NOW = "2026-11-22T09:00:00+00:00"


def log_rows(home) -> int:
    db = sqlite3.connect(home / "studycli.db")
    try:
        return db.execute("SELECT count(*) FROM review_log").fetchone()[0]
    finally:
        db.close()


def quoted_commands(output: str) -> list[str]:
    return re.findall(r"'studycli [^']*'", output)


def assert_commands_whole(output: str) -> None:
    commands = quoted_commands(output)
    assert commands, output
    for command in commands:
        assert "\n" not in command, command


# --------------------------------------------------------------------------- config


def test_config_set_a_negative_number_is_a_value_not_an_option(cli, isolated_home):
    r = cli("config", "set", "new_per_day", "-5")
    assert r.exit_code == 2
    assert r.output.strip() == (
        "studycli: config new_per_day: expected a whole number from 0 to 9999 (got '-5')"
    )
    r = cli("config", "set", "desired_retention", "-0.5")
    assert r.exit_code == 2 and "config desired_retention:" in r.output and "'-0.5'" in r.output
    assert not (isolated_home / "config.yaml").exists()  # nothing written
    assert cli("config", "set", "new_per_day", "5").exit_code == 0  # positives still work


# --------------------------------------------------------------------------- cards


def test_unsuspend_of_a_card_not_suspended_says_so_and_writes_nothing(cli, isolated_home):
    cli("drill", "--new", "1", now=NOW, input=answers(3))
    db = sqlite3.connect(isolated_home / "studycli.db")
    (card_id,) = db.execute("SELECT card_id FROM review_entries").fetchone()
    db.close()
    before = log_rows(isolated_home)
    r = cli("cards", "unsuspend", card_id, now=NOW)
    assert r.exit_code == 0 and "not suspended" in r.output and "nothing" in r.output
    assert log_rows(isolated_home) == before
    assert cli("cards", "suspend", card_id, now=NOW).exit_code == 0
    assert log_rows(isolated_home) == before + 1
    again = cli("cards", "suspend", card_id, now=NOW)
    assert again.exit_code == 0 and "already suspended" in again.output
    assert log_rows(isolated_home) == before + 1


# --------------------------------------------------------------------------- today


def test_readiness_line_says_weakest_once_and_commands_print_whole(cli):
    cli("drill", "--new", "3", now=NOW, input=answers(3, 3, 3))
    r = cli("today", now=NOW, env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    readiness = r.output[r.output.index("Readiness") :]
    assert readiness.lower().count("weakest") == 1, readiness
    assert_commands_whole(r.output)


def test_nothing_due_hint_keeps_its_command_on_one_line(cli):
    cli("config", "set", "new_per_day", "1")
    cli("drill", now=NOW, input=answers(4))
    r = cli("drill", now=NOW, env={"COLUMNS": "60"})
    assert "Nothing is due right now." in r.output
    assert "'studycli drill --new 5'" in r.output
    assert_commands_whole(r.output)


def test_pacing_counts_the_cards_still_unseen(cli):
    cli(
        "roadmap", "start", "--interview", "2026-12-22", "--start", "2026-11-22", now=NOW
    )  # fmt: skip
    before = cli("today", now=NOW).output
    total = json.loads(cli("stats", "--json", now=NOW).output)["cards"]["unseen"]
    assert f"all {total} unseen cards" in " ".join(before.split())
    cli("drill", "--limit", "3", now=NOW, input=answers(3, 3, 3))
    unseen = json.loads(cli("stats", "--json", now=NOW).output)["cards"]["unseen"]
    assert unseen == total - 3
    after = " ".join(cli("today", now=NOW).output.split())
    assert f"all {unseen} unseen cards" in after, after


def test_suggested_mock_command_prints_whole(cli):
    cli(
        "roadmap", "start", "--interview", "2026-12-20", "--start", "2026-11-20", now=NOW
    )  # fmt: skip
    day29 = "2026-12-18T09:00:00+00:00"  # a mock day with nothing due and no new cards
    r = cli("today", now=day29, env={"COLUMNS": "80"})
    assert "studycli mock --minutes 30" in r.output
    assert "'studycli roadmap done d29-mock-system-design'" in r.output
    assert_commands_whole(r.output)


# --------------------------------------------------------------------------- stats and report


def roadmap_line(output: str) -> str:
    return " ".join(
        next(line for line in output.splitlines() if line.startswith("Roadmap")).split()
    )


def test_report_roadmap_line_reads_plainly(cli):
    cli(
        "roadmap", "start", "--interview", "2026-12-20", "--start", "2026-11-22", now=NOW
    )  # fmt: skip
    first = roadmap_line(cli("stats", now=NOW, env={"COLUMNS": "120"}).output)
    assert "day 1 of 28" in first.lower() or "day 1 of 30" in first.lower()
    assert "0 of 0" not in first and "(–)" not in first
    data = json.loads(cli("stats", "--json", now=NOW).output)["roadmap"]
    total = data["tasks_total"]
    assert f"0 of {total}" in first or f"0/{total}" in first
    late = "2027-01-10T09:00:00+00:00"  # long after the plan and the interview
    cli("config", "set", "interview_date", "2027-01-20", now=NOW)
    line = roadmap_line(cli("stats", now=late, env={"COLUMNS": "120"}).output)
    assert not re.search(r"day \d+ of \d+", line.lower()), line  # not "day 50 of 30"
    assert "finished" in line.lower() or "complete" in line.lower()


def test_heatmap_month_labels_include_the_current_month(cli):
    cli("drill", "--new", "1", now=NOW, input=answers(3))
    thursday = "2026-12-03T09:00:00+00:00"  # December's first Monday is still ahead
    r = cli("stats", now=thursday, env={"COLUMNS": "100"})
    heat = r.output[r.output.index("Reviews per day") :]
    months = heat.splitlines()[1]
    assert "Nov" in months and "Dec" in months, months
    html = cli("report", "--format", "html", "-o", "-", now=thursday).output
    svg = html[html.index("<svg") :]
    assert ">Dec</text>" in svg and ">Nov</text>" in svg


def test_weakest_cards_explain_their_ranking_at_full_recall(cli):
    cli("drill", "--new", "3", now=NOW, input=answers(3, 3, 3))
    r = cli("stats", now=NOW, env={"COLUMNS": "100"})
    section = r.output[r.output.index("Weakest cards") :]
    assert "100%" in section
    assert "ranked by" in " ".join(section.split()).lower()
    assert "reviewed today" in " ".join(section.split()).lower()
