"""Timed mock interviews: selection, timing, transcript, reviews, grading, a real terminal."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import socket
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pexpect
import pyte
import pytest

from studycli.clock import to_ms
from studycli.errors import UsageError
from studycli.scheduler import Scheduler
from studycli.study.mock import Mock, checklist_from_numbers, fits, select_questions, suggest_rating

from .helpers import studycli_command

UTC = dt.UTC
NOW = "2026-11-22T09:00:00+00:00"
NOW_DT = dt.datetime(2026, 11, 22, 9, tzinfo=UTC)


# --------------------------------------------------------------------------- selection


def test_selection_by_kind_and_level(catalogue):
    rng = random.Random(1)
    for kind in ("system-design", "incident", "fundamentals", "behavioural"):
        cards = select_questions(catalogue, kind, None, 6, rng)
        assert len(cards) == 6 and len({c.id for c in cards}) == 6
        assert all(fits(c, kind) for c in cards)
    senior = select_questions(catalogue, "system-design", "senior", 5, rng)
    assert all(c.level == "senior" for c in senior)
    # More questions than the level holds: the nearest levels fill in, the asked level first.
    staff = select_questions(catalogue, "behavioural", "staff", 12, rng)
    levels = [c.level for c in staff]
    assert levels[0] == "staff" and set(levels) <= {"staff", "senior", "mid", "junior"}
    assert levels == sorted(
        levels, key=lambda lv: abs(["junior", "mid", "senior", "staff"].index(lv) - 3)
    )
    mixed = select_questions(catalogue, "mixed", None, 8, rng)
    order = ("fundamentals", "system-design", "incident", "behavioural")
    # the kinds take turns: the i-th question comes from the i-th kind's pool (a card may fit more than one)
    assert all(fits(c, k) for c, k in zip(mixed[:4], order, strict=True))
    a = select_questions(catalogue, "mixed", "mid", 5, random.Random(7))
    b = select_questions(catalogue, "mixed", "mid", 5, random.Random(7))
    assert [c.id for c in a] == [c.id for c in b]  # same seed, same round
    with pytest.raises(UsageError, match="--kind: must be one of"):
        select_questions(catalogue, "coding", None, 3, rng)
    with pytest.raises(UsageError, match="--level: must be one of"):
        select_questions(catalogue, "mixed", "principal", 3, rng)


def test_checklist_and_suggested_rating():
    assert checklist_from_numbers("1 3", 4) == [True, False, True, False]
    assert checklist_from_numbers("2,4", 4) == [False, True, False, True]
    assert checklist_from_numbers("all", 3) == [True, True, True]
    assert checklist_from_numbers("", 3) == [False, False, False]
    with pytest.raises(ValueError, match="1 to 4"):
        checklist_from_numbers("5", 4)
    assert [suggest_rating(s, "x") for s in (0.0, 0.5, 0.8, 1.0)] == [1, 2, 3, 3]
    assert suggest_rating(1.0, "  ") == 1  # "I don't know" is Again


# --------------------------------------------------------------------------- core session


def test_time_accounting_transcript_and_reviews(store, catalogue, tmp_path):
    m = Mock.start(store, Scheduler(), catalogue, NOW_DT, kind="fundamentals", level="mid",
                   minutes=7, answer_seconds=180, seed=3)  # fmt: skip
    assert len(m.questions) == 2  # 7 minutes at 3 a question
    row = store.conn.execute(
        "SELECT kind, level, minutes, finished_ts FROM mocks WHERE uid = ?", (m.uid,)
    ).fetchone()
    assert row == ("fundamentals", "mid", 7, None)
    assert m.budget() == 180
    q1 = m.submit("Tokens are sub-words.", 200.0)  # over the budget: counted as timed out
    assert q1.timed_out and q1.seconds == 200.0 and q1.budget_s == 180
    # Saved at once: a crash now loses nothing typed so far.
    saved = json.loads(
        store.conn.execute("SELECT transcript FROM mocks WHERE uid = ?", (m.uid,)).fetchone()[0]
    )
    assert (
        saved["questions"][0]["answer"] == "Tokens are sub-words."
        and saved["questions"][1]["answer"] is None
    )
    assert m.left_seconds == 7 * 60 - 200 and m.budget() == 180
    q2 = m.submit("", 30.5)
    assert not q2.timed_out and m.current is None
    m.check(q1, [True, False, True])
    assert q1.score == pytest.approx(round(2 / 3, 4)) and q1.suggested == 2
    m.check(q2, [False] * len(q2.key_points))
    assert q2.suggested == 1
    later = NOW_DT + dt.timedelta(minutes=5)
    m.rate(q1, 3, later)
    m.rate(q2, 1, later)
    m.rate(q2, 4, later)  # rating twice does nothing
    logs = store.conn.execute(
        "SELECT card_id, rating, rated_by, session, answer, duration_ms, suggested "
        "FROM review_entries ORDER BY id"
    ).fetchall()
    assert logs == [
        (q1.card_id, 3, "mock", m.uid, "Tokens are sub-words.", 200000, 2),
        (q2.card_id, 1, "mock", m.uid, "", 30500, 1),
    ]
    assert store.state(q1.card_id).reps == 1 and store.state(q1.card_id).last_rating == 3
    path = m.finish(later, tmp_path / "mocks")
    row = store.conn.execute(
        "SELECT finished_ts, markdown_path, score, transcript FROM mocks WHERE uid = ?", (m.uid,)
    ).fetchone()
    assert row[0] == to_ms(later) and row[1] == str(path)
    assert row[2] == pytest.approx(round((2 / 3 + 0) / 2, 4))
    t = json.loads(row[3])
    assert t["status"] == "finished" and t["used_seconds"] == 230.5
    assert [q["rating"] for q in t["questions"]] == [3, 1] and t["questions"][0][
        "rated_by"
    ] == "self"
    md = path.read_text()
    assert md.startswith("# Mock interview · 2026-11-22 09:00 · fundamentals · mid")
    assert "Time: 3:50 used of 7:00 · 3:00 per answer" in md
    assert "Time taken: 3:20 of 3:00 (time ran out)" in md
    assert "> Tokens are sub-words." in md and "_(no answer: I don't know)_" in md
    assert md.count("- [x] ") == 2 and "Result: score 67% · rated Good (self)" in md
    assert "<summary>Model answer</summary>" in md


def test_total_time_runs_out(store, catalogue, tmp_path):
    m = Mock.start(
        store, Scheduler(), catalogue, NOW_DT, kind="mixed", minutes=5, answer_seconds=120, seed=1
    )
    assert len(m.questions) == 2
    m.submit("first", 170)
    assert m.budget() == 120
    m.submit("second", 140)  # every question asked (310 s used of 300)
    assert m.current is None and m.position == 2 and m.left_seconds == 0
    m2 = Mock.start(
        store, Scheduler(), catalogue, NOW_DT, kind="mixed", minutes=4, answer_seconds=60, seed=1
    )
    m2.submit("a", 200)
    assert m2.budget() == 40  # only 40 s of the round left for the next answer
    m2.submit("b", 45)
    assert m2.current is None and m2.status == "out-of-time"
    assert sum(q.answered for q in m2.questions) == 2 and len(m2.questions) == 4
    assert "_Not reached._" in m2.markdown()


# --------------------------------------------------------------------------- CLI, piped


def plain_mock(cli, *args: str, input: str, now: str = NOW, env: dict | None = None):
    """A mock without follow-ups (test_mock_interviewer.py covers those)."""
    return cli("mock", "--no-follow-ups", *args, now=now, input=input, env=env)


def test_mock_self_rated_through_the_cli(cli, isolated_home, catalogue):
    # Enter to start; two answers (blank line submits); then per answer: key points, rating.
    r = plain_mock(cli, "--minutes", "6", "--kind", "behavioural", "--level", "senior",
                   input="\nSituation, task, action, result.\nWe cut cost 40%.\n\n"
                   "\n1 2\n\n3\n")  # fmt: skip
    assert r.exit_code == 0, r.output
    out = r.output
    assert "Mock interview · behavioural · senior · 2 questions · 6:00 · 3:00 per answer" in out
    assert "Question 1/2" in out and "Question 2/2" in out
    # No model answer before the review.
    assert out.index("Model answer") > out.index("Review · 1 answered · 1 empty")
    assert "No grader configured" in out
    path = Path(re.search(r"Transcript saved: (\S+)", out).group(1))
    assert path.exists() and path.parent == isolated_home / "mocks"
    db = sqlite3.connect(isolated_home / "studycli.db")
    rows = db.execute("SELECT rating, rated_by, answer FROM review_entries ORDER BY id").fetchall()
    assert rows == [
        (2, "mock", "Situation, task, action, result.\nWe cut cost 40%."),
        (3, "mock", ""),
    ]
    (score, md_path, finished) = db.execute(
        "SELECT score, markdown_path, finished_ts FROM mocks"
    ).fetchone()
    assert md_path == str(path) and finished is not None and score is not None
    md = path.read_text()
    assert "> Situation, task, action, result." in md and "- [x] " in md


def test_mock_quit_early_and_bad_options(cli, isolated_home):
    r = plain_mock(cli, "--minutes", "9", input="\nfirst answer\n\n/quit\n\n1\n")
    assert r.exit_code == 0, r.output
    assert "Review · 1 answer" in r.output and "Transcript saved" in r.output
    db = sqlite3.connect(isolated_home / "studycli.db")
    t = json.loads(db.execute("SELECT transcript FROM mocks").fetchone()[0])
    assert t["status"] == "ended-early" and [q["answer"] for q in t["questions"]] == [
        "first answer",
        None,
        None,
    ]
    for args, message in [
        (
            ("--kind", "coding"),
            "studycli: --kind: must be one of system-design, incident, fundamentals, "
            "behavioural, mixed (got 'coding')",
        ),
        (
            ("--level", "principal"),
            "studycli: --level: must be one of junior, mid, senior, staff (got 'principal')",
        ),
    ]:
        r = plain_mock(cli, *args, input="")
        assert r.exit_code == 2 and r.output.strip() == message
    r = plain_mock(cli, "--minutes", "0", input="")
    assert r.exit_code == 2 and "--minutes" in r.output
    assert db.execute("SELECT count(*) FROM mocks").fetchone()[0] == 1  # the bad ones wrote nothing


def test_cancelled_mock_saves_nothing_and_skip_is_i_dont_know(cli, isolated_home):
    r = plain_mock(cli, input="q\n")
    assert r.exit_code == 0 and "No answers given: nothing saved." in r.output
    db = sqlite3.connect(isolated_home / "studycli.db")
    assert db.execute("SELECT count(*) FROM mocks").fetchone()[0] == 0
    assert not (isolated_home / "mocks").exists()
    r = plain_mock(cli, "--minutes", "3", input="\n/skip\n\n1\n")
    assert r.exit_code == 0, r.output
    assert db.execute("SELECT rating, answer FROM review_entries").fetchall() == [(1, "")]


# --------------------------------------------------------------------------- CLI with a grader


def _norm(text: str) -> str:
    from studycli.grading.verdict import normalise

    return normalise(text)


class JudgeServer:
    """OpenAI-compatible chat completions on 127.0.0.1: a point is met when the answer states it."""

    def __init__(self) -> None:
        self.calls = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)))
                outer.calls += 1
                user = body["messages"][1]["content"]
                answer = _norm(
                    re.search(r"<answer-([0-9a-f]+)>\n(.*)\n</answer-\1>", user, re.S).group(2)
                )
                points = [
                    {
                        "id": pid,
                        "evidence": text if _norm(text) in answer else "",
                        "met": _norm(text) in answer,
                    }
                    for pid, text in re.findall(r"^(k\d+): (.*)$", user, re.M)
                ]
                verdict = {"points": points, "red_flags": [], "feedback": "Name one metric."}
                data = json.dumps({
                    "id": "x", "object": "chat.completion", "created": 1,
                    "model": body.get("model"),
                    "choices": [{
                        "index": 0, "finish_reason": "stop",
                        "message": {"role": "assistant", "content": json.dumps(verdict)},
                    }],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
                }).encode()  # fmt: skip
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def no_keys(monkeypatch):
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_API_BASE"):
        monkeypatch.delenv(var, raising=False)


def the_question(catalogue, kind: str, minutes: int = 3):
    """The card `studycli mock` will ask at NOW (the round is seeded from the clock)."""
    return select_questions(
        catalogue, kind, None, max(1, minutes // 3), random.Random(to_ms(NOW_DT))
    )


def test_mock_graded_by_the_configured_grader(cli, isolated_home, catalogue, no_keys):
    server = JudgeServer()
    try:
        for key, value in [
            ("grader.model", "openai/judge"),
            ("grader.api_base", server.url),
            ("grader.retries", "0"),
            ("grader.verify", "off"),  # this judge answers checklists only
        ]:
            assert cli("config", "set", key, value).exit_code == 0
        (card,) = the_question(catalogue, "incident")
        answer = f"{card.key_points[0]}. {card.key_points[1]}."
        r = plain_mock(cli, "--minutes", "3", "--kind", "incident", input=f"\n{answer}\n\n\n")
        assert r.exit_code == 0, r.output
    finally:
        server.close()
    assert server.calls == 1
    n = len(card.key_points)
    assert f"Covered 2/{n} key points" in r.output and "Name one metric." in r.output
    db = sqlite3.connect(isolated_home / "studycli.db")
    review_uid, rating, suggested = db.execute(
        "SELECT uid, rating, suggested FROM review_entries"
    ).fetchone()
    status, score, linked, final = db.execute(
        "SELECT status, score, review_uid, final_rating FROM grades"
    ).fetchone()
    assert status == "done" and score == pytest.approx(round(2 / n, 4))
    assert (
        linked == review_uid and final == rating == suggested
    )  # Enter took the grader's suggestion
    t = json.loads(db.execute("SELECT transcript FROM mocks").fetchone()[0])
    q = t["questions"][0]
    assert (
        q["rated_by"] == "grader"
        and q["grade_status"] == "done"
        and q["checklist"][:2] == [True, True]
    )


def test_mock_grade_pending_when_the_grader_fails(cli, isolated_home, catalogue, no_keys):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    dead = s.getsockname()[1]
    s.close()
    for key, value in [("grader.model", "openai/judge"), ("grader.api_base", f"http://127.0.0.1:{dead}/v1"),
                       ("grader.retries", "0")]:  # fmt: skip
        cli("config", "set", key, value)
    r = plain_mock(cli, "--minutes", "3", "--kind", "incident", input="\nsome answer\n\n1\n2\n")
    assert r.exit_code == 0, r.output
    assert "1 answer(s) could not be graded now (grade pending)" in r.output
    db = sqlite3.connect(isolated_home / "studycli.db")
    review_uid, rating = db.execute("SELECT uid, rating FROM review_entries").fetchone()
    assert rating == 2  # self-rated, and the answer still counts as a review
    status, linked = db.execute("SELECT status, review_uid FROM grades").fetchone()
    assert status == "pending" and linked == review_uid  # 'studycli grade --pending' can finish it
    t = json.loads(db.execute("SELECT transcript FROM mocks").fetchone()[0])
    assert (
        t["questions"][0]["grade_status"] == "pending" and t["questions"][0]["rated_by"] == "self"
    )


# --------------------------------------------------------------------------- a real terminal


class Terminal:
    """`studycli` in a pseudo-terminal, shown on a virtual screen (pyte) as a person sees it."""

    def __init__(self, home: Path, *args: str, rows: int = 40, cols: int = 120) -> None:
        env = dict(os.environ, STUDYCLI_HOME=str(home), STUDYCLI_NOW=NOW, TERM="xterm-256color",
                   PROMPT_TOOLKIT_NO_CPR="1")  # fmt: skip
        env.pop("STUDYCLI_PLAIN", None)
        cmd = studycli_command()
        self.child = pexpect.spawn(cmd[0], [*cmd[1:], *args], env=env, dimensions=(rows, cols),
                                   encoding="utf-8", timeout=20)  # fmt: skip
        self.screen = pyte.HistoryScreen(cols, rows, history=5000)
        self.stream = pyte.Stream(self.screen)
        self.cols = cols
        self.log = ""

    def text(self) -> str:
        """Everything on screen, with the lines that scrolled off above it."""
        old = ["".join(line[x].data for x in range(self.cols)) for line in self.screen.history.top]
        return "\n".join(line.rstrip() for line in [*old, *self.screen.display])

    def wait_for(self, pattern: str, timeout: float = 15) -> re.Match[str]:
        end = time.monotonic() + timeout
        while True:
            m = re.search(pattern, self.text())
            if m:
                return m
            if time.monotonic() > end:
                raise AssertionError(f"{pattern!r} not on screen:\n{self.text()}")
            try:
                data = self.child.read_nonblocking(65536, timeout=0.2)
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                if not re.search(pattern, self.text()):
                    raise AssertionError(
                        f"{pattern!r} not on screen at exit:\n{self.text()}"
                    ) from None
                continue
            self.log += data
            self.stream.feed(data)

    def send(self, text: str) -> None:
        self.child.send(text)

    def finish(self) -> int:
        self.child.expect(pexpect.EOF)
        self.child.close()
        return self.child.exitstatus


@pytest.mark.terminal
def test_one_minute_mock_in_a_real_terminal(isolated_home):
    term = Terminal(isolated_home, "mock", "--no-follow-ups", "--minutes", "1")
    term.wait_for("Mock interview · mixed · 1 question · 1:00")
    term.wait_for("Press Enter to start")
    term.send("\r")
    term.wait_for("Question 1/1")
    first = term.wait_for(r"⏱ (\d:\d\d) left for this answer · (\d:\d\d) left in the mock").group(1)
    assert first in ("1:00", "0:59")
    # The countdown is redrawn in place while the candidate thinks.
    later = term.wait_for(r"⏱ (0:5[0-7]) left for this answer", timeout=8).group(1)
    assert later < first
    term.send("Hybrid search: BM25 plus vectors.\r")
    term.send("Then rerank.\r")
    term.send("\r")
    term.wait_for(r"Answer saved · 0:0\d of 1:00")
    term.wait_for("Review · 1 answer")
    term.wait_for("Model answer")
    term.wait_for(r"Key points you covered \(numbers 1-\d")
    term.send("1\r")
    term.wait_for("Rate:")
    term.send("3")
    term.wait_for("Good saved as a review.")
    term.wait_for(r"Transcript saved: ")
    assert term.finish() == 0
    db = sqlite3.connect(isolated_home / "studycli.db")
    path = Path(db.execute("SELECT markdown_path FROM mocks").fetchone()[0])
    assert f"Transcript saved: {path}" in term.text().replace(
        "\n", ""
    )  # the terminal wrapped the long path
    md = path.read_text()
    assert "> Hybrid search: BM25 plus vectors.\n> Then rerank." in md
    assert "- [x] " in md and "rated Good (self)" in md
    assert db.execute("SELECT rated_by, rating FROM review_entries").fetchall() == [("mock", 3)]


@pytest.mark.terminal
def test_answer_is_submitted_when_its_time_runs_out(isolated_home):
    term = Terminal(
        isolated_home,
        "mock",
        "--no-follow-ups",
        "--minutes",
        "1",
        "--answer-minutes",
        "0.1",
        "--kind",
        "incident",
    )
    term.wait_for("Press Enter to start")
    term.send("\r")
    term.wait_for("Question 1/10")
    term.wait_for(r"⏱ 0:0\d left for this answer")
    term.send("half an answer")  # no Enter: the clock submits it
    term.wait_for(r"Time's up: answer submitted · 0:06 of 0:06", timeout=12)
    term.wait_for("Question 2/10")
    term.send("/quit\r")
    term.wait_for(r"Key points you covered")
    term.send("\r")
    term.wait_for("Rate:")
    term.send("q")
    term.wait_for(r"Transcript saved: ")
    assert term.finish() == 0
    db = sqlite3.connect(isolated_home / "studycli.db")
    t = json.loads(db.execute("SELECT transcript FROM mocks").fetchone()[0])
    q = t["questions"][0]
    assert q["answer"] == "half an answer" and q["timed_out"] and q["rating"] is None
    assert t["status"] == "ended-early" and t["questions"][1]["answer"] is None
    assert (
        db.execute("SELECT count(*) FROM review_entries").fetchone()[0] == 0
    )  # not rated: not a review


@pytest.mark.terminal
def test_ctrl_c_keeps_the_answers_given(isolated_home):
    term = Terminal(
        isolated_home, "mock", "--no-follow-ups", "--minutes", "6", "--kind", "fundamentals"
    )
    term.wait_for("Press Enter to start")
    term.send("\r")
    term.wait_for("Question 1/2")
    term.wait_for(r"⏱ \d:\d\d left for this answer")
    term.send("Embeddings map text to vectors.\r\r")
    term.wait_for("Question 2/2")
    term.wait_for(r"⏱ \d:\d\d left for this answer · \d:\d\d left in the mock")
    term.send("half typed")
    term.send("\x03")
    term.wait_for("Interrupted: the answers so far are saved, unrated.")
    term.wait_for("Transcript saved: ")
    assert term.finish() == 130
    db = sqlite3.connect(isolated_home / "studycli.db")
    t = json.loads(db.execute("SELECT transcript FROM mocks").fetchone()[0])
    assert t["status"] == "interrupted"
    assert [q["answer"] for q in t["questions"]] == ["Embeddings map text to vectors.", None]
    assert Path(db.execute("SELECT markdown_path FROM mocks").fetchone()[0]).exists()
    assert db.execute("SELECT count(*) FROM review_entries").fetchone()[0] == 0


@pytest.mark.terminal
def test_a_follow_up_in_a_real_terminal_without_a_model(isolated_home):
    term = Terminal(isolated_home, "mock", "--minutes", "6", "--kind", "fundamentals")
    term.wait_for("Press Enter to start")
    term.send("\r")
    term.wait_for("Question 1/2")
    term.wait_for(r"⏱ \d:\d\d left for this answer")
    term.send("Embeddings map text to vectors.\r\r")
    term.wait_for("tick what your answer covered")
    term.send("1\r")
    term.wait_for("Follow-up")
    term.wait_for(r"⏱ 1:\d\d left for this answer")  # its own countdown: half an answer's time
    term.send("A second, shorter answer.\r\r")
    term.wait_for("Follow-up answer saved")
    term.wait_for("Question 2/2")
    term.send("/quit\r")
    term.wait_for("Tick what your two answers covered together")
    term.send("1\r")
    term.wait_for("Rate:")
    term.send("q")
    term.wait_for("Transcript saved: ")
    assert term.finish() == 0
    db = sqlite3.connect(isolated_home / "studycli.db")
    t = json.loads(db.execute("SELECT transcript FROM mocks").fetchone()[0])
    q = t["questions"][0]
    assert q["follow_up_source"] == "card" and q["follow_answer"] == "A second, shorter answer."
