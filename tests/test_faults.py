"""Faults: killed drills, two terminals at once, damaged, foreign and newer databases,
a read-only home, a full disk, the daily backups, and `doctor` explaining and repairing.

The kill harness starts real `studycli drill` processes (mostly through a pipe with
STUDYCLI_PLAIN=1, a few in a pseudo-terminal, one or more with a grader talking to a
loopback LLM server), answers a few cards and SIGKILLs them at random points. After every
kill: the database passes `PRAGMA integrity_check`, every rating the process showed as
saved is in the review log exactly once, nothing appears that was never sent, and
`studycli doctor` finds the card states equal to a replay of the log.

Read-only home and full disk are real where the machine allows it (chmod as a normal user;
a read-only or tiny tmpfs when running as root with mount rights) and otherwise simulated
in-process: a read-only home through the store's `open_mode="ro"` argument (root ignores file
permissions), a full disk through SQLite's `PRAGMA max_page_count`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import re
import select
import shutil
import signal
import sqlite3
import string
import subprocess
import threading
import time
from collections import Counter
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from studycli.clock import study_day, to_ms
from studycli.errors import StoreError
from studycli.scheduler import Scheduler
from studycli.storage import backup as backup_mod
from studycli.storage import faults
from studycli.storage.backup import check_copy, daily_backup, list_backups
from studycli.storage.codec import LogEntry, new_uid
from studycli.storage.store import Store, insert_log

from .helpers import studycli_command

UTC = dt.UTC
START = dt.datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
SAVED = re.compile(rb"(Again|Hard|Good|Easy) saved \xc2\xb7 back in")
QUESTION = rb"Type your answer\."
ENDED = rb"Session complete|Session ended|Nothing is due|Interrupted"
RATE = rb"Rate your recall(?: \(Enter = [1-4] \w+\))?: "  # graded drills pre-select a rating
RATINGS = (1, 2, 3, 3, 3, 4)
KEPT_NAME = re.compile(r"^studycli\.db\.damaged-\d{8}T\d{6}Z(-\d+)?$")


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def child_env(home: Path, now: str, **extra: str) -> dict[str, str]:
    """The environment of a studycli subprocess: its own home and clock, no provider keys."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.endswith("_API_KEY")
        and k not in ("OPENAI_BASE_URL", "OPENAI_API_BASE", "STUDYCLI_DEBUG")
    }
    env.update(
        STUDYCLI_HOME=str(home),
        STUDYCLI_NOW=now,
        STUDYCLI_PLAIN="1",
        COLUMNS="100",
        PYTHONUNBUFFERED="1",
        LITELLM_LOCAL_MODEL_COST_MAP="True",
    )
    env.update(extra)
    return env


def run_cli(home: Path, *args: str, now: str = iso(START), input: str = "", timeout: float = 60):
    """`studycli ARGS` in a real subprocess."""
    return subprocess.run(
        [*studycli_command(), *args],
        input=input,
        capture_output=True,
        text=True,
        env=child_env(home, now),
        timeout=timeout,
    )


def one_line_error(stderr: str) -> str:
    """The single line a failing command printed on stderr (no traceback, nothing else)."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("studycli: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def review_answers(db_path: Path) -> list[tuple[str, int]]:
    db = sqlite3.connect(db_path)
    try:
        return db.execute(
            "SELECT answer, rating FROM review_entries WHERE kind = 'review' ORDER BY id"
        ).fetchall()
    finally:
        db.close()


def integrity(db_path: Path) -> list[tuple[str]]:
    db = sqlite3.connect(db_path)
    try:
        return db.execute("PRAGMA integrity_check").fetchall()
    finally:
        db.close()


# --------------------------------------------------------------------------- a drill through a pipe


class PipedDrill:
    """A real `studycli drill` process fed through a pipe, as a script or a test would drive it."""

    def __init__(self, home: Path, now: str, *args: str, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [*studycli_command(), "drill", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env or child_env(home, now),
        )
        self.out = b""
        self.pos = 0
        self.lock = threading.Lock()
        self._stderr: str | None = None

    def _read(self, timeout: float) -> bool:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return True
        chunk = os.read(self.proc.stdout.fileno(), 65536)
        self.out += chunk
        return bool(chunk)

    def expect(self, *patterns: bytes, timeout: float = 30) -> int:
        """Wait for the first of `patterns` after the previous match; returns its index."""
        regexes = [re.compile(p) for p in patterns]
        deadline = time.monotonic() + timeout
        while True:
            found = [
                (m.start(), i, m)
                for i, r in enumerate(regexes)
                if (m := r.search(self.out, self.pos))
            ]
            if found:
                _, index, match = min(found)
                self.pos = match.end()
                return index
            if time.monotonic() > deadline:
                raise TimeoutError(f"{patterns} not seen; output ends: {self.out[-800:]!r}")
            if not self._read(0.05):
                raise EOFError(
                    f"{patterns} not seen before exit; output ends: {self.out[-800:]!r}; "
                    f"stderr: {self.stderr()!r}"
                )

    def send(self, text: str) -> None:
        assert self.proc.stdin is not None
        with suppress(BrokenPipeError, OSError):
            self.proc.stdin.write(text.encode())
            self.proc.stdin.flush()

    def kill(self) -> bool:
        """SIGKILL; True if the process was still running. Collects whatever it had written."""
        alive = self.proc.poll() is None
        with suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        while self._read(0):
            pass
        return alive

    def finish(self, timeout: float = 120) -> int:
        """Read everything until the process exits on its own; returns its exit status."""
        deadline = time.monotonic() + timeout
        while self._read(0.05):
            if time.monotonic() > deadline:
                raise TimeoutError(f"still running; output ends: {self.out[-800:]!r}")
        return self.proc.wait(timeout=30)

    def stderr(self) -> str:
        """What the process wrote on stderr (once it has exited; read once, then remembered)."""
        if self.proc.poll() is None or self.proc.stderr is None:
            return ""
        if self._stderr is None:
            self._stderr = self.proc.stderr.read().decode(errors="replace")
        return self._stderr

    def close(self) -> None:
        if self.proc.poll() is None:
            self.kill()
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                with suppress(OSError):
                    pipe.close()

    def saved_count(self) -> int:
        return len(SAVED.findall(self.out))


# --------------------------------------------------------------------------- the kill harness


@dataclass
class Ledger:
    """What the harness knows about the user's history."""

    saved: dict[str, int] = field(default_factory=dict)  # answer token -> rating shown as saved
    in_doubt: dict[str, int] = field(
        default_factory=dict
    )  # rating sent, killed before "saved" showed
    kills: Counter[str] = field(default_factory=Counter)

    @property
    def total_kills(self) -> int:
        return sum(self.kills.values())


def verify_history(home: Path, ledger: Ledger, cli, now: str) -> None:
    db_path = home / "studycli.db"
    if not db_path.exists():
        assert not ledger.saved
        return
    assert integrity(db_path) == [("ok",)]
    rows = review_answers(db_path)
    counts = Counter(answer for answer, _ in rows)
    assert not [a for a, n in counts.items() if n > 1], "a review was duplicated"
    got = dict(rows)
    lost = {t: r for t, r in ledger.saved.items() if got.get(t) != r}
    assert not lost, f"ratings shown as saved are missing: {lost}"
    unexpected = set(got) - set(ledger.saved) - set(ledger.in_doubt)
    assert not unexpected, f"reviews nobody rated: {unexpected}"
    for token, rating in list(ledger.in_doubt.items()):
        if token in got:  # committed just before the kill: from now on it must stay
            assert got[token] == rating
            ledger.saved[token] = rating
        del ledger.in_doubt[token]
    r = cli("doctor", now=now)
    assert r.exit_code == 0 and "match the review log" in r.output, r.output


def next_card(d: PipedDrill) -> bool:
    return d.expect(QUESTION, ENDED) == 0


def answer_and_rate(d: PipedDrill, token: str, rating: int, ledger: Ledger) -> None:
    d.send(f"{token}\n\n")
    d.expect(RATE)
    d.send(f"{rating}\n")
    d.expect(SAVED.pattern)
    ledger.saved[token] = rating


def piped_kill(
    home: Path, run: int, mode: str, rng: random.Random, ledger: Ledger, now: str
) -> bool:
    """One drill killed at a chosen kind of point; returns whether a running process was killed."""
    d = PipedDrill(home, now, "--new", "3")
    try:
        if mode == "random":
            return _random_kill(d, run, rng, ledger)
        for i in range(rng.randint(1 if mode == "after-saved" else 0, 2)):
            if not next_card(d):
                return False
            answer_and_rate(d, f"k{run}-{i}", rng.choice(RATINGS), ledger)
        if mode == "after-saved":
            return d.kill()
        if not next_card(d):
            return False
        token = f"k{run}-last"
        if mode == "typing":  # a line typed, the answer not yet submitted
            d.send(f"{token}\n")
            time.sleep(rng.uniform(0, 0.02))
            return d.kill()
        assert mode == "rating-sent"  # the key pressed, the save may or may not have happened
        d.send(f"{token}\n\n")
        d.expect(RATE)
        rating = rng.choice(RATINGS)
        before = d.saved_count()
        d.send(f"{rating}\n")
        time.sleep(rng.uniform(0, 0.004))
        killed = d.kill()
        if d.saved_count() > before:
            ledger.saved[token] = rating
        else:
            ledger.in_doubt[token] = rating
        return killed
    finally:
        d.close()


def _random_kill(d: PipedDrill, run: int, rng: random.Random, ledger: Ledger) -> bool:
    """Input typed in bursts by a feeder thread; SIGKILL after a random delay, wherever it lands."""
    tokens = [f"k{run}-{i}" for i in range(6)]
    ratings = [rng.choice(RATINGS) for _ in tokens]
    rated: list[int] = []  # indexes whose rating line was sent
    stop = threading.Event()
    gaps = [rng.uniform(0, 0.03) for _ in range(len(tokens) * 2)]

    def feed() -> None:
        for i, (token, rating) in enumerate(zip(tokens, ratings, strict=True)):
            if stop.wait(gaps[2 * i]):
                return
            d.send(f"{token}\n\n")
            if stop.wait(gaps[2 * i + 1]):
                return
            rated.append(i)
            d.send(f"{rating}\n")

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    time.sleep(rng.uniform(0.15, 0.9))
    stop.set()
    feeder.join()
    killed = d.kill()
    shown = d.saved_count()
    for i in range(shown):
        ledger.saved[tokens[i]] = ratings[i]
    if shown < len(tokens) and shown in rated:
        ledger.in_doubt[tokens[shown]] = ratings[shown]
    return killed


def pty_kill(home: Path, run: int, mode: str, rng: random.Random, ledger: Ledger, now: str) -> bool:
    """The drill in a real pseudo-terminal: killed while typing an answer, or after a save."""
    from .helpers import text
    from .test_terminal_drill import BOX_UP, spawn

    child = spawn(home, now, "drill", "--new", "3")
    try:
        ended = [text("Nothing is due"), text("Session complete")]
        for i in range(rng.randint(1 if mode == "pty-after-saved" else 0, 2)):
            if child.expect([BOX_UP, *ended]) != 0:
                return False
            token, rating = f"k{run}-{i}", rng.choice((2, 3, 4))
            child.send(f"{token}\x1b\r")  # Esc Enter submits prose and code answers alike
            child.expect(text("Rate your recall"))
            child.send(str(rating))
            child.expect(text(" saved · back in"))
            ledger.saved[token] = rating
        if mode == "pty-typing":
            if child.expect([BOX_UP, *ended]) != 0:
                return False
            child.send(f"k{run}-typing half an answer")
            time.sleep(rng.uniform(0, 0.05))
        alive = child.isalive()
        os.kill(child.pid, signal.SIGKILL)
        return alive
    finally:
        child.close(force=True)


def grading_kill(home: Path, run: int, rng: random.Random, ledger: Ledger, now: str, llm) -> bool:
    """A drill with a grader: killed while the (slow) grading call is out, or after the rating."""
    slow = rng.random() < 0.6
    llm.delay = 3.0 if slow else 0.0
    d = PipedDrill(home, now, "--new", "2")
    try:
        if not next_card(d):
            return False
        token = f"k{run}-graded"
        d.send(f"{token}\n\n")
        d.expect(rb"Grading with")
        if slow:
            time.sleep(rng.uniform(0, 0.3))
            return d.kill()
        d.expect(RATE, timeout=60)
        d.send("3\n")
        d.expect(SAVED.pattern)
        ledger.saved[token] = 3
        killed = d.kill()
        db = sqlite3.connect(home / "studycli.db")
        try:
            linked = db.execute(
                "SELECT g.final_rating FROM grades g JOIN review_entries r ON r.uid = g.review_uid "
                "WHERE r.answer = ?",
                (token,),
            ).fetchall()
        finally:
            db.close()
        assert linked == [(3,)], "a rating shown as saved after grading has its grade linked"
        return killed
    finally:
        d.close()


class GraderServer:
    """The loopback LLM of test_grading, answering with its honest judge after `delay` seconds."""

    def __init__(self) -> None:
        from .test_grading import LoopbackLLM, honest_judge

        self.delay = 0.0
        self.server = LoopbackLLM()
        self.server.judge = lambda body: dict(honest_judge(body), delay=self.delay)
        self.url = self.server.url

    def close(self) -> None:
        self.server.close()


PLAIN_MODES = ("typing", "after-saved", "rating-sent", "random")


def run_kill_harness(
    home: Path, cli, *, kills: int, pty_kills: int, grading_kills: int, seed: int
) -> Ledger:
    """Kill `kills` drills: `pty_kills` of them in a terminal, `grading_kills` while grading."""
    rng = random.Random(seed)
    ledger = Ledger()
    plan = ["pty-typing", "pty-after-saved"] * (pty_kills // 2) + ["pty-typing"] * (pty_kills % 2)
    plan += ["grading"] * grading_kills
    plan += [PLAIN_MODES[i % len(PLAIN_MODES)] for i in range(kills - len(plan))]
    rng.shuffle(plan)
    grader: GraderServer | None = None
    moment = START
    run = 0
    try:
        while plan and run < kills * 4:
            run += 1
            mode = plan[0]
            moment += dt.timedelta(hours=2)  # days go by: new due cards, a backup each day
            now = iso(moment)
            if mode == "grading":
                if grader is None:
                    grader = GraderServer()
                cli("config", "set", "grader.model", "openai/gpt-4o-mini")
                cli("config", "set", "grader.api_base", grader.url)
                cli("config", "set", "grader.retries", "0")
                killed = grading_kill(home, run, rng, ledger, now, grader)
                for key in ("grader.model", "grader.api_base", "grader.retries"):
                    cli("config", "unset", key)
            elif mode.startswith("pty"):
                killed = pty_kill(home, run, mode, rng, ledger, now)
            else:
                killed = piped_kill(home, run, mode, rng, ledger, now)
            verify_history(home, ledger, cli, now)
            if killed:
                ledger.kills[mode] += 1
                plan.pop(0)
    finally:
        if grader is not None:
            grader.close()
    assert not plan, f"only {ledger.total_kills} kills landed: {dict(ledger.kills)}"
    # Copies made while processes were being killed are whole: named files only, each healthy.
    backups = list_backups(home / "studycli.db")
    daily = [b for b in backups if backup_mod.DAILY_RE.match(b.name)]
    assert daily and len(daily) <= backup_mod.KEEP
    assert all(check_copy(b.path) is None for b in backups)
    return ledger


def test_killed_drills_lose_nothing(isolated_home, cli):
    ledger = run_kill_harness(isolated_home, cli, kills=12, pty_kills=2, grading_kills=1, seed=8)
    assert ledger.total_kills == 12
    assert len(ledger.saved) >= 5
    print(
        f"kills survived: {ledger.total_kills} {dict(ledger.kills)}; "
        f"ratings kept: {len(ledger.saved)}"
    )


@pytest.mark.slow
def test_killed_drills_lose_nothing_200_times(isolated_home, cli):
    ledger = run_kill_harness(
        isolated_home, cli, kills=210, pty_kills=16, grading_kills=8, seed=2026
    )
    assert ledger.total_kills == 210
    print(
        f"kills survived: {ledger.total_kills} {dict(ledger.kills)}; "
        f"ratings kept: {len(ledger.saved)}"
    )


# --------------------------------------------------------------------------- two terminals


def _two_drills(
    home: Path, cards: int, nows: tuple[str, str]
) -> tuple[dict[str, int], list[PipedDrill]]:
    sent: dict[str, int] = {}
    drills = []
    for who, now in zip("ab", nows, strict=True):
        d = PipedDrill(home, now, "--new", str(cards))
        drills.append(d)
        script = []
        for i in range(cards):
            token, rating = f"{who}{i}", (2, 3, 4)[i % 3]
            sent[token] = rating
            script.append(f"{token}\n\n{rating}\n")
        d.send("".join(script) + "/quit\n")
    return sent, drills


@pytest.mark.parametrize("same_clock", [True, False], ids=["same-clock", "clocks-apart"])
def test_two_terminals_at_once(isolated_home, cli, same_clock):
    """Two drills on one fresh home rate the same cards at full speed: no lock, no lost review."""
    cards = 25
    nows = (iso(START), iso(START) if same_clock else iso(START + dt.timedelta(seconds=1)))
    sent, drills = _two_drills(isolated_home, cards, nows)
    try:
        for d in drills:
            status = d.finish()
            err = d.stderr()
            assert status == 0, err
            assert "locked" not in err and "busy" not in err
            assert d.saved_count() == cards
    finally:
        for d in drills:
            d.close()
    rows = review_answers(isolated_home / "studycli.db")
    assert sorted(rows) == sorted(sent.items())  # every review once, none lost
    assert integrity(isolated_home / "studycli.db") == [("ok",)]
    r = cli("doctor", now=iso(START))
    assert r.exit_code == 0 and "match the review log" in r.output, r.output


def _rate(store: Store, sched: Scheduler, before, rating: int, moment: dt.datetime) -> None:
    uid = new_uid()
    entry = LogEntry(
        uid, "c1", "review", to_ms(moment), study_day(moment), rating=rating, answer=uid
    )
    new = sched.apply(before, rating, entry.ts, entry.day, uid)
    store.record(entry, new, expected=before, scheduler=sched)


def test_a_stale_state_is_replayed_not_overwritten(store, at):
    """Terminal B saves a review of a card after terminal A read it: A's save keeps B's review."""
    sched = Scheduler()
    seen_by_a = store.state("c1")
    with Store(store.path) as b:
        _rate(b, sched, b.state("c1"), 4, at(22, 9))
    _rate(store, sched, seen_by_a, 1, at(22, 9, 1))  # computed from what A saw
    replayed = sched.replay("c1", store.card_events("c1"))
    assert store.state("c1") == replayed and replayed.reps == 2 and replayed.last_rating == 1


def test_an_entry_that_sorts_before_a_saved_one_is_replayed(store, at):
    """Clocks apart: A's review carries an earlier time than B's, though saved after it."""
    sched = Scheduler()
    with Store(store.path) as b:
        _rate(b, sched, b.state("c1"), 4, at(22, 9, 5))
    _rate(store, sched, store.state("c1"), 1, at(22, 9, 0))  # fresh state, earlier clock
    replayed = sched.replay("c1", store.card_events("c1"))
    assert store.state("c1") == replayed and replayed.last_rating == 4


# ---------------------------------------------------------------- damaged, foreign, newer


def seed_history(home: Path, cli, days: int = 2, per_day: int = 3) -> int:
    """A few days of real drilling through the CLI; returns the reviews made."""
    made = 0
    for day in range(days):
        answers = "".join(f"seed{day}-{i}\n\n3\n" for i in range(per_day))
        r = cli(
            "drill",
            "--new",
            str(per_day),
            now=iso(START + dt.timedelta(days=day)),
            input=answers + "/quit\n",
        )
        assert r.exit_code == 0, r.output
        made += per_day
    return made


def test_truncated_database_is_kept_aside_untouched_and_repaired_from_backup(isolated_home, cli):
    seed_history(isolated_home, cli, days=3)
    db = isolated_home / "studycli.db"
    assert not db.with_name("studycli.db-wal").exists()
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])
    damaged = db.read_bytes()

    r = run_cli(isolated_home, "drill", now=iso(START + dt.timedelta(days=3)), input="x\n\n3\n")
    assert r.returncode == 1
    line = one_line_error(r.stderr)
    assert "damaged" in line and "truncated" in line and "studycli doctor" in line
    kept = [p for p in isolated_home.iterdir() if KEPT_NAME.match(p.name)]
    assert len(kept) == 1 and kept[0].read_bytes() == damaged  # kept aside first ...
    assert db.read_bytes() == damaged  # ... and the user's file never written to
    assert (
        not db.with_name("studycli.db-wal").exists()
        and not db.with_name("studycli.db-shm").exists()
    )

    run_cli(isolated_home, "today")  # the same damaged file again: no second copy
    assert len([p for p in isolated_home.iterdir() if KEPT_NAME.match(p.name)]) == 1

    r = cli("doctor")
    assert r.exit_code == 1
    assert "damaged: file is truncated" in r.output and "doctor --repair" in r.output
    r = cli("doctor", "--repair", now=iso(START + dt.timedelta(days=3)))
    assert r.exit_code == 0, r.output
    # The newest backup was taken before day 3's first write: days 1-2 come back from it.
    assert (
        "repaired: 6 reviews" in r.output
        and "6 more from backup studycli-2026-11-24.db" in r.output
    )
    assert kept[0].read_bytes() == damaged  # the damaged copy stays for the user
    r = cli("doctor")
    assert r.exit_code == 0 and "match the review log" in r.output


def test_garbage_database_is_one_line_and_never_overwritten(isolated_home):
    isolated_home.mkdir(parents=True)
    db = isolated_home / "studycli.db"
    garbage = random.Random(1).randbytes(9000)
    db.write_bytes(garbage)
    for args in (("today",), ("drill",), ("stats",), ("cards", "suspend", "rag-why-rag")):
        r = run_cli(isolated_home, *args)
        assert r.returncode == 1, (args, r.stderr)
        assert "not an SQLite database file" in one_line_error(r.stderr)
    assert db.read_bytes() == garbage
    kept = [p for p in isolated_home.iterdir() if KEPT_NAME.match(p.name)]
    assert len(kept) == 1 and kept[0].read_bytes() == garbage


def corrupt_review_pages(db: Path, how_many: int = 2) -> None:
    """Overwrite table-leaf pages in the middle of the file (not the B-tree's interior pages)."""
    data = bytearray(db.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    leaves = [n for n in range(1, len(data) // page_size) if data[n * page_size] == 0x0D]
    middle = leaves[len(leaves) // 3 : len(leaves) // 3 + how_many]
    for n in middle:
        data[n * page_size : (n + 1) * page_size] = b"\xa5" * page_size
    db.write_bytes(bytes(data))


def bulk_reviews(store: Store, count: int, start: int = 0) -> list[str]:
    uids = []
    rows = []
    for i in range(start, start + count):
        moment = START + dt.timedelta(minutes=i)
        uid = new_uid()
        uids.append(uid)
        entry = LogEntry(
            uid,
            f"bulk-{i % 40}",
            "review",
            to_ms(moment),
            study_day(moment),
            rating=2 + i % 3,
            phase="review",
            answer=f"answer {i} " + "x" * 60,
            session="bulk",
        )
        rows.append(entry)
    with store.transaction() as conn:
        insert_log(conn, rows)
    store.rebuild_states(Scheduler())
    return uids


def test_damage_found_mid_command_then_salvaged_from_both_ends_and_the_backup(isolated_home, cli):
    db = isolated_home / "studycli.db"
    with Store(db) as s:
        early = bulk_reviews(s, 2000)
        assert daily_backup(s, START) is not None  # yesterday's copy holds the first 2000
        late = bulk_reviews(s, 1000, start=2000)
    corrupt_review_pages(db)
    assert faults.file_problem(db) is None  # the header looks fine: SQLite finds it later

    # A command reading the log meets the damage: one line, the file kept aside first.
    r = cli("export", "progress", "-o", str(isolated_home.parent / "out.jsonl"), now=iso(START))
    assert r.exit_code == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("studycli: ") and "malformed" in lines[0], (
        r.stderr
    )
    assert "kept as studycli.db.damaged-" in lines[0]
    # The day's first write checks the file before copying it: no write into a damaged file.
    r = cli("drill", "--new", "1", now=iso(START + dt.timedelta(days=1)), input="x\n\n3\n")
    assert (
        r.exit_code == 1 and "or damaged (" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    ), r.stderr
    assert not (isolated_home / "backups" / "studycli-2026-11-23.db").exists()
    assert len([p for p in isolated_home.iterdir() if KEPT_NAME.match(p.name)]) == 1

    r = cli("doctor")
    assert r.exit_code == 1 and "damaged: " in r.output
    r = cli("doctor", "--repair", now=iso(START + dt.timedelta(days=1)))
    assert r.exit_code == 0, r.output
    with Store(db) as s:
        got = {row[0] for row in s.conn.execute("SELECT uid FROM review_entries")}
        assert s.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert set(early) <= got  # everything the backup had
    assert got <= set(early) | set(late)  # nothing invented
    assert len(got & set(late)) > 900  # and most of what only the damaged file held
    r = cli("doctor")
    assert r.exit_code == 0 and "match the review log" in r.output


def test_newer_schema_is_refused_and_left_byte_for_byte(isolated_home, cli):
    seed_history(isolated_home, cli, days=1)
    db = isolated_home / "studycli.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('studycli', 'm099_future', 'x')"
    )
    conn.commit()
    conn.close()
    before = sha(db)
    for args in (("today",), ("drill",)):
        r = run_cli(isolated_home, *args)
        assert r.returncode == 1
        line = one_line_error(r.stderr)
        assert "written by a newer studycli" in line and "m099_future" in line
    r = cli("doctor")
    assert r.exit_code == 1 and "newer studycli" in r.output and "not changed" in r.output
    assert sha(db) == before
    assert not db.with_name("studycli.db-wal").exists()
    assert not [
        p for p in isolated_home.iterdir() if KEPT_NAME.match(p.name)
    ]  # not damaged, not copied


def test_foreign_database_is_refused_and_left_alone(isolated_home, cli):
    isolated_home.mkdir(parents=True)
    db = isolated_home / "studycli.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('my notes')")
    conn.commit()
    conn.close()
    before = sha(db)
    r = run_cli(isolated_home, "drill")
    assert r.returncode == 1
    assert "not a studycli database (it holds notes)" in one_line_error(r.stderr)
    r = cli("doctor")
    assert r.exit_code == 1 and "not a studycli database" in r.output
    assert sha(db) == before


# ---------------------------------------------------------------- read-only home, full disk


def _am_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _can_mount() -> bool:
    if not _am_root() or not shutil.which("mount"):
        return False
    return _MOUNT_PROBE()


def _probe() -> bool:
    import tempfile

    where = Path(tempfile.mkdtemp(prefix="studycli-mount-probe-"))
    try:
        ok = (
            subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(where)], capture_output=True
            ).returncode
            == 0
        )
        if ok:
            subprocess.run(["umount", str(where)], capture_output=True)
        return ok
    finally:
        with suppress(OSError):
            where.rmdir()


_probe_result: list[bool] = []


def _MOUNT_PROBE() -> bool:  # noqa: N802 - cached once per session
    if not _probe_result:
        _probe_result.append(_probe())
    return _probe_result[0]


@contextmanager
def tmpfs(where: Path, size_kb: int):
    where.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(where)], check=True
    )
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_read_only_home_is_one_clear_line(tmp_path, cli):
    """Real: a read-only tmpfs (root with mount rights) or chmod (a normal user)."""
    if not _am_root():
        home = tmp_path / "home-ro"
        seed_history(home, lambda *a, **k: cli("--home", str(home), *a, **k), days=1)
        os.chmod(home, 0o555)
        os.chmod(home / "studycli.db", 0o444)
        try:
            _check_read_only(home)
        finally:
            os.chmod(home, 0o755)
        return
    if not _can_mount():
        pytest.skip("running as root without mount rights: see the simulated variant")
    with tmpfs(tmp_path / "mnt", 4096) as mnt:
        home = mnt / "home"
        seed_history(home, lambda *a, **k: cli("--home", str(home), *a, **k), days=1)
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        try:
            _check_read_only(home)
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(mnt)], check=True)
        assert len(review_answers(home / "studycli.db")) == 3
        assert integrity(home / "studycli.db") == [("ok",)]


def _check_read_only(home: Path) -> None:
    before = sha(home / "studycli.db")
    for args in (("today",), ("drill", "--new", "1")):
        r = run_cli(home, *args, input="x\n\n3\n")
        assert r.returncode == 1, r.stdout + r.stderr
        line = one_line_error(r.stderr)
        assert "read-only" in line, line
    assert sha(home / "studycli.db") == before


def test_read_only_database_simulated_through_the_test_hook(isolated_home, cli, monkeypatch):
    """Root ignores permissions: the store's open_mode opens the file with SQLite's ?mode=ro."""
    made = seed_history(isolated_home, cli, days=1)
    real_init = Store.__init__

    def read_only(self, *args, **kwargs):
        real_init(self, *args, **kwargs, open_mode="ro")

    monkeypatch.setattr(Store, "__init__", read_only)
    r = cli("drill", "--new", "1", now=iso(START + dt.timedelta(days=1)), input="ro-answer\n\n3\n")
    assert r.exit_code == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("studycli: ") and "read-only" in lines[0], (
        r.stderr
    )
    monkeypatch.setattr(Store, "__init__", real_init)
    assert len(review_answers(isolated_home / "studycli.db")) == made


def test_full_disk_on_a_real_tiny_tmpfs(tmp_path, cli):
    if not _can_mount():
        pytest.skip("needs root with mount rights for a tiny tmpfs; see the simulated variant")
    with tmpfs(tmp_path / "mnt", 4096) as mnt:
        home = mnt / "home"
        made = seed_history(home, lambda *a, **k: cli("--home", str(home), *a, **k), days=1)
        d = PipedDrill(home, iso(START + dt.timedelta(days=1)), "--new", "5")
        try:
            assert next_card(d)  # the database is open; now the disk fills up
            filler = mnt / "filler"
            with open(filler, "wb", buffering=0) as f, suppress(OSError):
                while f.write(b"\0" * 4096):
                    pass
            d.send("full-disk-answer\n\n3\n")
            d.finish(timeout=60)
            err = d.stderr()
        finally:
            d.close()
        assert d.proc.returncode == 1
        line = one_line_error(err)
        assert "the disk is full" in line, line
        assert not list((home / "backups").glob(".*.partial"))  # a failed copy leaves nothing
        filler.unlink()
        db = home / "studycli.db"
        assert integrity(db) == [("ok",)]
        rows = review_answers(db)
        assert len(rows) == made and "full-disk-answer" not in dict(rows)
        r = cli(
            "--home",
            str(home),
            "drill",
            "--new",
            "1",
            now=iso(START + dt.timedelta(days=1)),
            input="after\n\n3\n",
        )
        assert r.exit_code == 0 and "Good saved" in r.output
        assert cli("--home", str(home), "doctor").exit_code == 0


def test_full_disk_simulated_with_max_page_count(isolated_home, cli, monkeypatch):
    made = seed_history(isolated_home, cli, days=1)
    real_init = Store.__init__

    def capped(self, *args, **kwargs):  # the disk holds exactly what is there now
        real_init(self, *args, **kwargs)
        pages = self.conn.execute("PRAGMA page_count").fetchone()[0]
        self.conn.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(Store, "__init__", capped)
    rng = random.Random(5)  # a long answer that compresses poorly needs new pages
    big = "".join(rng.choice(string.ascii_letters + " ") for _ in range(20000))
    r = cli("drill", "--new", "2", now=iso(START + dt.timedelta(days=1)), input=f"{big}\n\n3\n")
    assert r.exit_code == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "could not save the review: the disk is full" in lines[0], r.stderr
    monkeypatch.setattr(Store, "__init__", real_init)
    assert len(review_answers(isolated_home / "studycli.db")) == made
    assert integrity(isolated_home / "studycli.db") == [("ok",)]


def test_store_error_on_full_disk_keeps_the_transaction_whole(store, at):
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")
    rng = random.Random(6)  # an answer that compresses poorly, so it needs new pages
    answer = "".join(rng.choice(string.ascii_letters) for _ in range(50000))
    entry = LogEntry(
        new_uid(), "c1", "review", to_ms(at()), study_day(at()), rating=3, answer=answer
    )
    with pytest.raises(StoreError, match="the disk is full"):
        store.record(entry, None)
    assert store.review_count() == 0 and not store.conn.in_transaction
    store.conn.execute("PRAGMA max_page_count = 1073741823")
    store.record(entry, None)
    assert store.review_count() == 1


# --------------------------------------------------------------------------- backups


def test_backup_once_a_day_before_the_first_write_keeping_seven(isolated_home, cli, monkeypatch):
    copies: list[Path] = []
    real_copy = backup_mod.copy_database

    def counting(conn, dest):
        copies.append(dest)
        real_copy(conn, dest)

    monkeypatch.setattr(backup_mod, "copy_database", counting)
    folder = isolated_home / "backups"
    seed_history(isolated_home, cli, days=1)  # day 1: nothing to protect before its first write
    assert not folder.exists() and copies == []
    for day in range(1, 10):
        moment = START + dt.timedelta(days=day)
        for session in range(2):  # a second process the same day only stats the folder
            r = cli(
                "drill",
                "--new",
                "1",
                now=iso(moment + dt.timedelta(hours=session)),
                input=f"d{day}s{session}\n\n3\n",
            )
            assert r.exit_code == 0, r.output
        assert len(copies) == day
        today = folder / f"studycli-{moment.date().isoformat()}.db"
        conn = sqlite3.connect(today)  # taken before today's first write, with the backup API
        try:
            answers = {a for (a,) in conn.execute("SELECT answer FROM review_entries")}
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        finally:
            conn.close()
        assert f"d{day}s0" not in answers and (day == 1 or f"d{day - 1}s1" in answers)
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"studycli-{(START + dt.timedelta(days=d)).date()}.db" for d in range(3, 10)]


def test_reads_make_no_backup_and_stale_partials_are_cleared(isolated_home, cli):
    seed_history(isolated_home, cli, days=1)
    for args in (("today",), ("stats",), ("doctor",)):
        assert cli(*args, now=iso(START + dt.timedelta(days=1))).exit_code == 0
    folder = isolated_home / "backups"
    assert not folder.exists()
    folder.mkdir()
    stale = folder / ".studycli-2026-11-20.db.999.partial"
    stale.write_bytes(b"half a copy")
    old = (START - dt.timedelta(days=2)).timestamp()
    os.utime(stale, (old, old))
    r = cli("drill", "--new", "1", now=iso(START + dt.timedelta(days=1)), input="x\n\n3\n")
    assert r.exit_code == 0
    assert not stale.exists() and (folder / "studycli-2026-11-23.db").exists()


def test_doctor_restore_lists_and_restores_keeping_the_current_file(isolated_home, cli):
    seed_history(isolated_home, cli, days=3)  # copies of days 2 and 3 (before their first writes)
    r = cli("doctor", "--restore")
    assert r.exit_code == 0
    listed = re.findall(r"^  (studycli-\S+\.db)\s+\d+ KB\s+(\d+) reviews", r.output, re.M)
    assert listed == [("studycli-2026-11-24.db", "6"), ("studycli-2026-11-23.db", "3")]

    r = cli("doctor", "--restore", "2026-11-23", now=iso(START + dt.timedelta(days=3)))
    assert r.exit_code == 0, r.output
    assert "kept the current database as studycli-before-restore-20261125T090000.db" in r.output
    assert "restored studycli-2026-11-23.db: 3 reviews" in r.output
    db = isolated_home / "studycli.db"
    assert len(review_answers(db)) == 3 and integrity(db) == [("ok",)]
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    conn.close()
    assert cli("doctor").exit_code == 0

    r = cli("doctor", "--restore", "before-restore", now=iso(START + dt.timedelta(days=3, hours=1)))
    assert r.exit_code == 0 and len(review_answers(db)) == 9  # the restore itself undone

    for bad in ("nope", "studycli"):
        r = cli("doctor", "--restore", bad)
        assert (
            r.exit_code == 2
            and r.output.startswith("studycli: NAME: ")
            and len(r.output.splitlines()) == 1
        )
    r = cli("doctor", "2026-11-23")
    assert r.exit_code == 2 and "only with --restore" in r.output


def test_restore_over_a_garbage_file(isolated_home, cli):
    seed_history(isolated_home, cli, days=2)
    db = isolated_home / "studycli.db"
    db.write_bytes(b"\x00garbage" * 1000)
    r = cli("doctor")
    assert (
        r.exit_code == 1 and "not an SQLite database file" in r.output and "--restore" in r.output
    )
    r = cli("doctor", "--restore", "2026-11-23", now=iso(START + dt.timedelta(days=2)))
    assert r.exit_code == 0, r.output
    assert len(review_answers(db)) == 3 and cli("doctor").exit_code == 0
    kept = isolated_home / "backups" / "studycli-before-restore-20261124T090000.db"
    assert kept.read_bytes() == b"\x00garbage" * 1000


def test_a_damaged_backup_is_not_restored(isolated_home, cli):
    seed_history(isolated_home, cli, days=2)
    copy = isolated_home / "backups" / "studycli-2026-11-23.db"
    copy.write_bytes(copy.read_bytes()[:2000])
    before = sha(isolated_home / "studycli.db")
    r = cli("doctor", "--restore", "2026-11-23")
    assert r.exit_code == 1 and "cannot restore this backup" in r.output
    assert sha(isolated_home / "studycli.db") == before


# --------------------------------------------------------------------------- doctor on the cache


def test_doctor_finds_and_repairs_stale_or_missing_states(isolated_home, cli):
    seed_history(isolated_home, cli, days=1)
    db = isolated_home / "studycli.db"
    conn = sqlite3.connect(db)
    first, second = [
        r[0] for r in conn.execute("SELECT card_id FROM card_state ORDER BY card_id LIMIT 2")
    ]
    conn.execute("UPDATE card_state SET due_day = due_day + 40 WHERE card_id = ?", (first,))
    conn.execute("DELETE FROM card_state WHERE card_id = ?", (second,))
    conn.commit()
    conn.close()
    r = cli("doctor")
    assert r.exit_code == 1 and "2 card state(s) differ from the review log" in r.output
    r = cli("doctor", "--repair", now=iso(START))
    assert r.exit_code == 0 and "rebuilt the state of 3 cards" in r.output
    r = cli("doctor")
    assert r.exit_code == 0 and "card states: 3 match the review log" in r.output


def test_doctor_on_a_new_home(isolated_home, cli):
    r = cli("doctor")
    assert r.exit_code == 0 and "none yet" in r.output
    assert not (isolated_home / "studycli.db").exists()
