"""Leeches: a card forgotten `leech_lapses` times after it was learnt is a leech, suspended
(or only tagged), said in the drill, listed by `cards list --leeches` and in the report."""

from __future__ import annotations

import json
import sqlite3

from .helpers import answers

NOW = "2026-11-22T09:00:00+00:00"
# Moments of the same study day, 20 minutes apart: each rating at its own time.
TIMES = [f"2026-11-22T{10 + m // 60:02d}:{m % 60:02d}:00+00:00" for m in range(0, 600, 20)]
LAST = "2026-11-22T23:00:00+00:00"


def cards(cli, *args: str) -> list[dict]:
    r = cli("cards", "list", *args, "--json", now=LAST)
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def learn_one(cli) -> str:
    """A card seen and rated Good: in the review phase, due in a few days. No more new cards."""
    r = cli("drill", "--new", "1", now=NOW, input=answers(3))
    assert r.exit_code == 0, r.output
    cli("config", "set", "new_per_day", "0")
    (card,) = [c for c in cards(cli) if c["reviews"]]
    return card["id"]


def lapse(cli, n: int, then_good: bool = True):
    """Practise the learnt card ahead of schedule and forget it (Again); then, 20 minutes
    later, relearn it (Good) in the ordinary drill. Returns the run that forgot it."""
    forgot = cli("drill", "--ahead", "1", now=TIMES[2 * n], input=answers(1) + "/quit\n")
    assert forgot.exit_code == 0, forgot.output
    if then_good:
        relearn = cli("drill", now=TIMES[2 * n + 1], input=answers(3))
        assert relearn.exit_code == 0 and "Reviewed 1 card" in relearn.output, relearn.output
    return forgot


def test_defaults_and_bad_values(cli):
    out = cli("config", "show").output
    assert "leech_lapses = 8  (default)" in out
    assert "leech_action = suspend  (default)" in out
    bad = cli("config", "set", "leech_action", "delete")
    assert bad.exit_code == 2 and "leech_action" in bad.output and "suspend" in bad.output
    bad = cli("config", "set", "leech_lapses", "0")
    assert bad.exit_code == 2 and "leech_lapses" in bad.output


def test_a_leech_is_suspended_with_one_line_saying_so(cli, isolated_home):
    cli("config", "set", "leech_lapses", "2")
    cid = learn_one(cli)
    first = lapse(cli, 0)
    assert first.exit_code == 0, first.output
    assert "leech" not in first.output.lower()
    second = lapse(cli, 1, then_good=False)
    assert second.exit_code == 0, second.output
    lines = [line for line in second.output.splitlines() if "leech" in line.lower()]
    assert len(lines) == 1, second.output  # one line, with the command to copy whole
    line = lines[0]
    assert cid in line and "suspended" in line.lower()
    assert f"studycli cards show {cid}" in line
    listed = {c["id"]: c for c in cards(cli, "--leeches")}
    assert list(listed) == [cid] and listed[cid]["lapses"] == 2 and listed[cid]["leech"]
    assert [c["id"] for c in cards(cli, "--suspended")] == [cid]
    show = " ".join(cli("cards", "show", cid, now=LAST).output.split())
    assert "leech" in show and "suspended" in show
    # The suspension is an event in the log, so it syncs and survives a rebuild.
    db = sqlite3.connect(isolated_home / "studycli.db")
    kinds = [k for (k,) in db.execute("SELECT kind FROM review_entries ORDER BY id")]
    assert kinds[-1] == "suspend"
    assert cli("doctor", "--rebuild", now=LAST).exit_code == 0
    assert [c["id"] for c in cards(cli, "--suspended")] == [cid]


def test_leech_action_tag_keeps_the_card_in_the_queues(cli):
    cli("config", "set", "leech_lapses", "2")
    cli("config", "set", "leech_action", "tag")
    cid = learn_one(cli)
    lapse(cli, 0)
    second = lapse(cli, 1)
    line = next(line for line in second.output.splitlines() if "leech" in line.lower())
    assert cid in line and "suspended" not in line.lower()
    assert f"studycli cards show {cid}" in line
    assert [c["id"] for c in cards(cli, "--leeches")] == [cid]
    assert cards(cli, "--suspended") == []


def test_the_report_lists_leeches_with_their_lapses_even_when_suspended(cli):
    cli("config", "set", "leech_lapses", "2")
    cid = learn_one(cli)
    lapse(cli, 0)
    lapse(cli, 1, then_good=False)
    data = json.loads(cli("stats", "--json", now=LAST).output)
    assert data["leech_lapses"] == 2
    assert data["cards"]["leeches"] == 1
    assert [(row["id"], row["lapses"]) for row in data["leeches"]] == [(cid, 2)]
    md = cli("report", "--format", "md", now=LAST).output
    section = md[md.index("## Leeches") :]
    section = section[: section.index("\n## ", 3)]
    rows = [line for line in section.splitlines()[1:] if line.startswith("| ")][1:]
    assert len(rows) == 1, section  # under the header row: the leech, with its 2 lapses
    assert rows[0].split(" | ")[3].strip() == "2"
    stats = cli("stats", now=LAST, env={"COLUMNS": "100"}).output
    assert "Leeches (forgotten 2+ times)" in stats


def test_undoing_the_lapse_that_made_a_leech_unsuspends_it(cli):
    cli("config", "set", "leech_lapses", "2")
    cli("config", "set", "interview_date", "2026-12-20", now=NOW)
    r = cli("drill", "--new", "2", now=NOW, input=answers(3, 3))
    assert r.exit_code == 0, r.output
    cli("config", "set", "new_per_day", "0")
    # Forget one (Again, then Good); it is then the weaker of the two on the interview date,
    # so `--ahead 2` asks it first: forget it again, then undo that from the next question.
    lapse(cli, 0)
    leech_run = cli("drill", "--ahead", "2", now=TIMES[2], input=answers(1) + "/undo\n/quit\n")
    assert leech_run.exit_code == 0, leech_run.output
    assert "leech" in leech_run.output.lower()
    assert "Undid the last rating" in leech_run.output
    assert cards(cli, "--suspended") == [] and cards(cli, "--leeches") == []


def test_default_threshold_is_eight_lapses(cli):
    cid = learn_one(cli)
    for n in range(7):
        r = lapse(cli, n)
        assert "leech" not in r.output.lower(), r.output
    r = lapse(cli, 7, then_good=False)
    assert "leech" in r.output.lower() and cid in r.output
    assert [c["lapses"] for c in cards(cli, "--leeches")] == [8]


def test_a_card_becomes_a_leech_at_the_threshold_then_every_half_threshold():
    from dataclasses import replace

    from studycli.study.leeches import becomes_leech

    base = replace(_state(), phase="review")
    hits = []
    for lapses in range(1, 21):
        before, after = replace(base, lapses=lapses - 1), replace(base, lapses=lapses)
        if becomes_leech(before, after, 8):
            hits.append(lapses)
    assert hits == [8, 12, 16, 20]
    same = replace(base, lapses=8)
    assert not becomes_leech(same, same, 8)  # no new lapse (a Good on a leech): nothing new
    assert [n for n in range(1, 6) if becomes_leech(replace(base, lapses=n - 1),
            replace(base, lapses=n), 1)] == [1, 2, 3, 4, 5]  # fmt: skip


def _state():
    from studycli.scheduler import CardState

    return CardState("c")
