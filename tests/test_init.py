"""`studycli init`: from options for scripts, in a real terminal for people, and offered once."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path

import pytest
import yaml

from .helpers import studycli_command, text
from .test_grading import LoopbackLLM, closed_port

NOW = "2026-12-01T09:00"


@pytest.fixture
def llm():
    server = LoopbackLLM()
    server.script["*"] = [{"content": "ready", "status": 200, "delay": 0.0, "headers": {},
                           "body": None, "usage": (5, 1)}] * 5  # fmt: skip
    yield server
    server.close()


def catalogue():
    from studycli.content.loader import load_catalogue

    return load_catalogue()


def config(home: Path) -> dict:
    return yaml.safe_load((home / "config.yaml").read_text())


def plan_start(home: Path) -> str | None:
    db = sqlite3.connect(home / "studycli.db")
    row = db.execute("SELECT value FROM settings WHERE key = 'roadmap_start'").fetchone()
    db.close()
    return json.loads(row[0]) if row else None  # settings are stored as JSON


# --------------------------------------------------------------------------- from options


def test_init_from_options_sets_up_a_plan(cli, isolated_home) -> None:
    r = cli("init", "--interview", "Dec 22", "--minutes-per-day", "30", "--yes", now=NOW)
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert "interview: 2026-12-22, Tuesday, in 21 days" in lines
    n = len(catalogue().cards)
    assert f"new cards from: every deck · every level ({n} unseen)" in lines
    assert any(line.startswith("30 min a day: 3 new cards a day, about ") for line in lines)
    assert f"At 3 a day, 51 of the {n} cards are seen by 2026-12-18" in r.output  # 17 days x 3
    assert "Roadmap started on 2026-12-01: 30 plan days · interview 2026-12-22" in r.output
    assert lines[-2:] == [f"Saved to {isolated_home / 'config.yaml'}", "Next: studycli drill"]
    saved = config(isolated_home)
    assert saved == {"interview_date": "2026-12-22", "minutes_per_day": 30, "new_per_day": 3}
    assert plan_start(isolated_home) == "2026-12-01"
    # The daily time caps the plan's pace: three new cards today, and `today` says why.
    today = cli("today", now=NOW).output
    assert "Today · 2026-12-01 · 0 due · 3 new" in today
    assert "Pacing: 3 new cards a day (the most your plan allows)" in today
    assert f"51 of the {n} unseen cards seen by 2026-12-18" in " ".join(today.split())


def test_focus_decks_and_levels_choose_the_new_cards(cli, isolated_home) -> None:
    r = cli(
        "init", "--deck", "rag", "--deck", "agents", "--level", "senior", "--level", "staff",
        "--minutes-per-day", "60", "--yes", now=NOW,
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    n = len(catalogue().select_ids(["rag", "agents"], (), ["senior", "staff"]))
    assert f"new cards from: rag, agents · senior, staff ({n} unseen)" in r.output
    assert config(isolated_home)["focus"] == {
        "decks": ["rag", "agents"],
        "levels": ["senior", "staff"],
    }
    today = cli("today", now=NOW).output
    assert "New cards from: rag, agents · senior, staff ('studycli init' changes it)" in today
    rows = {
        m.group(1): int(m.group(2))
        for m in re.finditer(r"^(\S+)\s+\d+\s+(\d+)\s+\d+\s+\d+$", today, re.M)
    }
    assert rows and sum(rows.values()) > 0
    assert {deck for deck, new in rows.items() if new} <= {"rag", "agents"}
    # Back to everything: 'init' with every deck is no focus at all.
    all_decks = [a for d in ("rag", "agents", "evals") for a in ("--deck", d)]
    assert cli("init", *all_decks, "--yes", now=NOW).exit_code == 0
    assert config(isolated_home)["focus"]["decks"] == ["rag", "agents", "evals"]


def test_a_focus_deck_that_disappeared_is_one_line(cli, isolated_home) -> None:
    isolated_home.mkdir(parents=True)
    (isolated_home / "config.yaml").write_text("focus:\n  decks: [retired-deck]\n")
    r = cli("today", now=NOW)
    assert r.exit_code == 2 and r.output.startswith(
        "studycli: config focus.decks: no deck 'retired-deck' (known: agents, "
    )
    assert r.output.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--interview", "Nov 3"], "studycli: --interview: 2026-11-03 (Tuesday) has passed"),
        (["--interview", "3/4"], "studycli: --interview: '3/4' is ambiguous"),
        (["--deck", "nope"], "studycli: --deck: no deck 'nope' (known: agents, "),
        (["--level", "guru"], "studycli: --level: must be one of junior, mid, senior, staff"),
        (["--minutes-per-day", "2"], "studycli: Invalid value for '--minutes-per-day'"),
    ],
)
def test_bad_options_save_nothing(cli, isolated_home, args, message) -> None:
    r = cli("init", *args, "--yes", now=NOW)
    assert r.exit_code == 2 and r.output.startswith(message), r.output
    assert r.output.count("\n") == 1
    assert not (isolated_home / "config.yaml").exists()


def test_without_a_terminal_init_wants_yes(cli, isolated_home) -> None:
    r = cli("init", "--interview", "Dec 22", now=NOW)
    assert r.exit_code == 2
    assert "init asks its questions in a terminal; here give the answers as options" in r.output
    assert not (isolated_home / "config.yaml").exists()


def test_a_model_is_tried_with_one_real_call_before_it_is_saved(cli, isolated_home, llm) -> None:
    r = cli("init", "--model", "openai/judge", "--api-base", llm.url, "--yes", now=NOW)
    assert r.exit_code == 0, r.output
    assert re.search(r"grading: openai/judge \(openai/judge answered in \d+\.\d s at ", r.output)
    assert len(llm.requests) == 1 and llm.models() == ["judge"]
    assert "Reply with the single word" in llm.requests[0]["messages"][0]["content"]
    assert config(isolated_home)["grader"] == {"model": "openai/judge", "api_base": llm.url}
    # 'none' turns grading off again, without a call.
    assert cli("init", "--model", "none", "--yes", now=NOW).exit_code == 0
    assert "grader" not in config(isolated_home) and len(llm.requests) == 1


def test_a_model_that_does_not_answer_is_not_saved(cli, isolated_home) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    r = cli("init", "--model", "openai/judge", "--api-base", url, "--yes", now=NOW)
    assert r.exit_code == 1
    assert r.output.startswith("studycli: --model: openai/judge: connection refused at ")
    assert r.output.rstrip().endswith("nothing saved")
    assert not (isolated_home / "config.yaml").exists()
    r = cli("init", "--model", "openai/gpt-4o-mini", "--yes", now=NOW)
    assert (r.exit_code, r.output) == (
        1,
        "studycli: --model: openai/gpt-4o-mini: OPENAI_API_KEY is not set (API keys stay in "
        "your environment); nothing saved\n",
    )


# --------------------------------------------------------------------------- in a terminal

pexpect = pytest.importorskip("pexpect")
DOWN, SPACE, ENTER, CTRL_U = "\x1b[B", " ", "\r", "\x15"


def spawn(home: Path, *args: str, offer: bool = False, now: str = NOW):
    env = dict(
        os.environ,
        STUDYCLI_HOME=str(home),
        STUDYCLI_NOW=now,
        TERM="xterm-256color",
        PROMPT_TOOLKIT_NO_CPR="1",
    )
    env.pop("STUDYCLI_PLAIN", None)
    if offer:
        env.pop("STUDYCLI_NO_INIT", None)
    cmd = studycli_command()
    return pexpect.spawn(
        cmd[0], [*cmd[1:], *args], env=env, dimensions=(40, 100), encoding="utf-8", timeout=30
    )


@pytest.mark.terminal
def test_init_asks_in_a_terminal(isolated_home, llm) -> None:
    child = spawn(isolated_home, "init")
    child.expect(text("Interview date?"))
    child.send("Nov 3" + ENTER)  # past: refused under the question, asked again
    child.expect(text("has passed; today is 2026-12-01"))
    child.send(CTRL_U + "in 3 weeks" + ENTER)
    child.expect(text("interview: 2026-12-22, Tuesday, in 21 days"))
    child.expect(text("Decks to learn new cards from?"))
    child.send(SPACE + ENTER)  # untick the first deck (agents)
    child.expect(text("Which levels?"))
    child.send(ENTER)
    child.expect(text("Time a day?"))
    child.expect(text("45 min"))
    child.send(DOWN + ENTER)  # from 30 to 45
    child.expect(text("Grade your typed answers with a model"))
    child.send("y")
    child.expect(text("Model?"))
    child.send(CTRL_U + "openai/judge" + ENTER)
    child.expect(text("Server URL?"))
    child.send(llm.url + ENTER)
    child.expect(text("openai/judge answered in"))
    child.expect(text("new cards from: every deck but agents"))
    child.expect(text("Save this plan?"))
    child.send("y")
    child.expect(text("Saved to"))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    saved = config(isolated_home)
    assert saved["interview_date"] == "2026-12-22" and saved["minutes_per_day"] == 45
    assert "agents" not in saved["focus"]["decks"] and "rag" in saved["focus"]["decks"]
    assert saved["grader"] == {"model": "openai/judge", "api_base": llm.url}
    assert len(llm.requests) == 1
    assert plan_start(isolated_home) == "2026-12-01"


@pytest.mark.terminal
def test_ctrl_c_leaves_nothing_behind(isolated_home) -> None:
    child = spawn(isolated_home, "init", "--interview", "Dec 22")
    child.expect(text("Decks to learn new cards from?"))  # the date came as an option
    child.sendintr()
    child.expect(text("studycli: init: cancelled, nothing saved"))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert not (isolated_home / "config.yaml").exists()


@pytest.mark.terminal
def test_the_first_run_offers_init_once(isolated_home) -> None:
    child = spawn(isolated_home, "today", offer=True)
    child.expect(text("Welcome to studycli."))
    child.expect(text("Set up your plan now"))
    child.send("n")
    child.expect(text("Any time: studycli init"))
    child.expect(text("Today · 2026-12-01"))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    child = spawn(isolated_home, "today", offer=True)
    index = child.expect([text("Set up your plan now"), text("Today · 2026-12-01")])
    child.expect(pexpect.EOF)
    assert index == 1  # not asked again


@pytest.mark.terminal
def test_the_first_drill_can_set_up_first(isolated_home) -> None:
    child = spawn(isolated_home, "drill", offer=True)
    child.expect(text("Set up your plan now"))
    child.send("y")
    child.expect(text("Interview date?"))
    child.send("+14d" + ENTER)
    child.expect(text("Decks to learn new cards from?"))
    child.send(ENTER)
    child.expect(text("Which levels?"))
    child.send(ENTER)
    child.expect(text("Time a day?"))
    child.send(ENTER)
    child.expect(text("Grade your typed answers"))
    child.send("n")
    child.expect(text("Save this plan?"))
    child.send("y")
    child.expect(text("Next: studycli drill"))
    child.expect(r"studycli drill\S* · \S*0 due\S* · \S*(\d+) new")  # and the drill goes on
    new = int(child.match.group(1))
    child.expect(text(f"1/{new}"))
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    assert config(isolated_home)["interview_date"] == "2026-12-15"
