"""The kill harness for whole-database operations, each with a drill running beside it.

Every round starts a real `studycli drill` fed by a thread (it answers and rates cards at a
steady pace), then one whole-database operation in another process: `import progress` (a
new history or an earlier export), `export progress`, `optimize` or `doctor --repair` (of
stale card states, or of a file damaged in pages that hold only the card-state cache).
One process is SIGKILLed at a random moment: the operation, or, in "drill" rounds, the
drill beside it. After every kill:

- the file passes `PRAGMA integrity_check` (a repair that was killed is first run again:
  its fault, damage or stale states, was made on purpose; the kill must only leave it
  repairable);
- every rating the drill showed as saved is in the review log, exactly once, with its
  rating; a rating sent but not yet shown may be there or not, and is settled then;
- every row an import brought in stays, nothing appears that nobody rated or imported,
  and no answer appears twice;
- an export's file, when there, is whole (its header's counts match its lines);
- `studycli doctor` finds the card states equal to a replay of the log.

`test_whole_db_kills_small` runs ten rounds in the default suite; the slow run kills at
least 45 processes of each kind (225 in all) and prints the counts.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import signal
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .helpers import studycli_command
from .test_faults import (
    ENDED,
    QUESTION,
    RATE,
    SAVED,
    START,
    PipedDrill,
    child_env,
    integrity,
    iso,
    review_answers,
)
from .test_whole_db import doctor_clean, progress_file, run

KINDS = ("drill", "import", "export", "optimize", "repair")
STOPPED = rb"\nstudycli: "  # a drill that stopped with its one line
GUESS_S = {"import": 1.2, "export": 0.7, "optimize": 2.5, "repair": 1.0}


@dataclass
class History:
    """What the harness knows the user did, and what it may find in the database."""

    saved: dict[str, int] = field(default_factory=dict)  # drill token -> rating shown saved
    in_doubt: dict[str, int] = field(default_factory=dict)  # sent, killed before "saved"
    offered: set[str] = field(default_factory=set)  # answers of rows handed to an import
    imported: set[str] = field(default_factory=set)  # of those, rows seen in the database
    kills: Counter[str] = field(default_factory=Counter)
    rounds: int = 0
    rated_beside: int = 0  # ratings saved by drills while an operation ran beside them

    @property
    def total_kills(self) -> int:
        return sum(self.kills.values())


class BesideDrill:
    """A real drill answered by a thread at a steady pace until stopped or killed."""

    def __init__(self, home: Path, now: str, run_no: int, rng: random.Random, history: History):
        self.drill = PipedDrill(home, now, "--new", "6")
        self.run_no = run_no
        self.ratings = [rng.choice((1, 2, 3, 3, 4)) for _ in range(200)]
        self.gaps = [rng.uniform(0.02, 0.15) for _ in range(200)]
        self.history = history
        self.stop = threading.Event()
        self.sent: dict[str, int] = {}  # rating sent, "saved" not seen yet
        self.saved: list[str] = []
        self.started = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        d = self.drill
        try:
            for i in range(200):
                if d.expect(QUESTION, ENDED, STOPPED, timeout=120) != 0:
                    return
                self.started.set()
                if self.stop.wait(self.gaps[i]):
                    return
                token, rating = f"k{self.run_no}-{i}", self.ratings[i]
                d.send(f"{token}\n\n")
                if d.expect(RATE, STOPPED, timeout=120) != 0:
                    return
                self.sent[token] = rating
                d.send(f"{rating}\n")
                if d.expect(SAVED.pattern, STOPPED, timeout=120) != 0:
                    return
                del self.sent[token]
                self.saved.append(token)
                self.history.saved[token] = rating
        except (EOFError, TimeoutError):
            return
        finally:
            self.started.set()

    def wait_started(self) -> None:
        self.started.wait(60)

    def kill(self) -> bool:
        alive = self.drill.proc.poll() is None
        with suppress(ProcessLookupError):
            self.drill.proc.send_signal(signal.SIGKILL)
        self.drill.proc.wait(timeout=30)
        self.thread.join(timeout=60)
        while self.drill._read(0):  # what it wrote before dying
            pass
        self._settle()
        return alive

    def quit(self) -> tuple[int, str]:
        self.stop.set()
        self.thread.join(timeout=180)
        assert not self.thread.is_alive(), "the drill beside stopped answering"
        self.drill.send("/quit\n")
        status = self.drill.finish(timeout=180)
        self._settle()
        return status, self.drill.stderr()

    def _settle(self) -> None:
        # A rating whose "saved" came after the thread stopped reading was saved all the same.
        shown = len(SAVED.findall(self.drill.out))
        for token in list(self.sent):
            rating = self.sent.pop(token)
            if shown > len(self.saved):
                self.history.saved[token] = rating
            else:
                self.history.in_doubt[token] = rating
        self.history.rated_beside += len(self.saved)

    def close(self) -> None:
        self.stop.set()
        self.drill.close()
        self.thread.join(timeout=30)


def ended_by_study_error(text: str) -> None:
    """A failing operation (run with STUDYCLI_DEBUG=1, which re-raises what would be its one
    line) ended on one of studycli's own errors, not on anything unexpected."""
    last = text.strip().splitlines()[-1] if text.strip() else ""
    assert re.match(r"studycli\.(errors|storage\.faults)\.\w+: ", last), text[-3000:]


def _answers(db: Path) -> list[tuple[str, int]]:
    return review_answers(db) if db.exists() else []


def verify(home: Path, history: History, now: str) -> None:
    db = home / "studycli.db"
    if not db.exists():
        assert not history.saved
        return
    assert integrity(db) == [("ok",)]
    rows = _answers(db)
    counts = Counter(answer for answer, _ in rows)
    twice = [a for a, n in counts.items() if n > 1]
    assert not twice, f"reviews duplicated: {twice[:5]}"
    got = dict(rows)
    lost = {t: r for t, r in history.saved.items() if got.get(t) != r}
    assert not lost, f"ratings shown as saved are missing: {lost}"
    gone = [a for a in history.imported if a not in got]
    assert not gone, f"imported reviews lost: {gone[:5]}"
    unexpected = set(got) - set(history.saved) - set(history.in_doubt) - history.offered
    assert not unexpected, f"reviews nobody made: {sorted(unexpected)[:5]}"
    for token, rating in list(history.in_doubt.items()):
        if token in got:  # committed just before the kill: from now on it must stay
            assert got[token] == rating
            history.saved[token] = rating
        del history.in_doubt[token]
    history.imported |= {a for a in got if a in history.offered}
    doctor_clean(home, now)


def _checkpoint(db: Path) -> None:
    for _ in range(100):
        conn = sqlite3.connect(db, timeout=30)
        try:
            if conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0:
                return
        finally:
            conn.close()
        time.sleep(0.05)
    raise AssertionError("could not checkpoint the WAL")


def damage_state_pages(db: Path, rng: random.Random) -> bool:
    """Overwrite one or two index pages that hold card ids (the card-state cache, its indexes,
    the names index): damage `doctor --repair` must mend without losing a review."""
    _checkpoint(db)
    data = db.read_bytes()
    size = int.from_bytes(data[16:18], "big")
    pages = [
        n
        for n in range(1, len(data) // size)
        if data[n * size] == 0x0A and b"-card-" in data[n * size : (n + 1) * size]
    ]
    if not pages:
        return False
    with open(db, "r+b") as f:
        for n in rng.sample(pages, min(2, len(pages))):
            f.seek(n * size + 8)
            f.write(b"\xa5" * (size - 8))
    return True


def stale_some_states(db: Path) -> None:
    conn = sqlite3.connect(db, timeout=30, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "UPDATE card_state SET due_day = due_day + 40 "
            "WHERE card_id IN (SELECT card_id FROM card_state ORDER BY random() LIMIT 5)"
        )
        conn.execute("COMMIT")
    finally:
        conn.close()


def export_is_whole(path: Path) -> None:
    if not path.exists():
        return
    lines = path.read_text(encoding="utf-8").splitlines()
    head = json.loads(lines[0])
    assert head["record"] == "header"
    assert sum(head["counts"].values()) == len(lines) - 1, "an export's file was left half-written"


class Harness:
    def __init__(self, home: Path, work: Path, seed: int) -> None:
        self.home = home
        self.work = work
        self.rng = random.Random(seed)
        self.history = History()
        self.moment = START
        self.durations: dict[str, list[float]] = {k: [] for k in GUESS_S}
        self.exports: list[Path] = []
        self.files = 0

    def expected(self, op: str) -> float:
        seen = self.durations[op][-8:]
        return sum(seen) / len(seen) if seen else GUESS_S[op]

    def setup(self) -> None:
        """A history big enough for optimize to fit, and a few days of real drilling."""
        path = progress_file(self.work / "base.jsonl", 3000, 100, tag="base")
        self.history.offered |= {f"base-{n}" for n in range(3000)}
        r = run(self.home, "import", "progress", str(path), now=iso(self.moment))
        assert r.returncode == 0, r.stderr
        verify(self.home, self.history, iso(self.moment))

    def command(self, op: str, run_no: int) -> list[str]:
        db = self.home / "studycli.db"
        if op == "import":
            written = [p for p in self.exports if p.exists()]  # an export killed early wrote none
            if written and self.rng.random() < 0.3:
                return ["import", "progress", str(self.rng.choice(written))]
            self.files += 1
            tag = f"i{self.files}"
            reviews = self.rng.randint(300, 2500)
            path = progress_file(
                self.work / f"{tag}.jsonl",
                reviews,
                self.rng.randint(20, 200),
                tag=tag,
                seed_value=run_no,
            )
            self.history.offered |= {f"{tag}-{n}" for n in range(reviews)}
            return ["import", "progress", str(path)]
        if op == "export":
            out = self.work / f"export-{len(self.exports) % 4}.jsonl"
            if out not in self.exports:
                self.exports.append(out)
            return ["export", "progress", "-o", str(out)]
        if op == "optimize":
            return ["optimize"]
        assert op == "repair"
        if not (self.rng.random() < 0.5 and damage_state_pages(db, self.rng)):
            stale_some_states(db)
        return ["doctor", "--repair"]

    def round(self, kind: str, run_no: int) -> bool:
        """One round; True if the chosen process was killed while running."""
        self.moment += dt.timedelta(hours=6)
        now = iso(self.moment)
        op = kind if kind != "drill" else self.rng.choice(tuple(GUESS_S))
        beside = BesideDrill(self.home, now, run_no, self.rng, self.history)
        killed = False
        try:
            beside.wait_started()
            args = self.command(op, run_no)
            delay = self.rng.uniform(0, self.expected(op) * 1.3)
            started = time.monotonic()
            with subprocess.Popen(
                [*studycli_command(), *args],
                env=child_env(self.home, now, STUDYCLI_DEBUG="1"),  # a traceback names any bug
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            ) as proc:
                try:
                    proc.wait(timeout=delay)
                except subprocess.TimeoutExpired:
                    if kind == "drill":
                        killed = beside.kill()
                    else:
                        killed = proc.poll() is None
                        proc.send_signal(signal.SIGKILL)
                out, err = proc.communicate(timeout=300)
                if proc.returncode >= 0:
                    self.durations[op].append(time.monotonic() - started)
                    if proc.returncode != 0:  # e.g. optimize with too little history
                        ended_by_study_error(err.decode(errors="replace"))
            if kind != "drill" or not killed:
                status, err_text = beside.quit()
                assert "Traceback" not in err_text and "unexpected error" not in err_text
                if status != 0:
                    tail = beside.drill.out[-600:]
                    assert len(err_text.strip().splitlines()) == 1, (status, err_text, tail)
        finally:
            beside.close()
        if op == "export":
            export_is_whole(Path(args[-1]))
        if op == "repair" and killed and kind == "repair":
            # The fault (damage or stale states) was made on purpose; the kill must only leave
            # it repairable: the repair is run again, to the end, before the checks.
            r = run(self.home, "doctor", "--repair", now=now)
            assert r.returncode == 0, r.stdout + r.stderr
        verify(self.home, self.history, now)
        self.history.rounds += 1
        return killed


def run_harness(home: Path, work: Path, *, per_kind: int, seed: int) -> History:
    h = Harness(home, work, seed)
    h.setup()
    plan = [k for k in KINDS for _ in range(per_kind)]
    h.rng.shuffle(plan)
    run_no = 0
    while plan and run_no < per_kind * len(KINDS) * 5:
        run_no += 1
        kind = plan[0]
        if h.round(kind, run_no):
            h.history.kills[kind] += 1
            plan.pop(0)
    assert not plan, f"only {h.history.total_kills} kills landed: {dict(h.history.kills)}"
    assert h.history.rated_beside > 0
    return h.history


def _report(history: History) -> str:
    return (
        f"kills: {history.total_kills} {dict(sorted(history.kills.items()))} in "
        f"{history.rounds} rounds; ratings kept: {len(history.saved)} "
        f"({history.rated_beside} saved beside an operation); imported rows kept: "
        f"{len(history.imported)}; lost 0, duplicated 0, doctor clean after every round"
    )


def test_whole_db_kills_small(isolated_home, tmp_path):
    history = run_harness(isolated_home, tmp_path, per_kind=2, seed=14)
    assert history.total_kills == 2 * len(KINDS)
    print(_report(history))


@pytest.mark.slow
def test_whole_db_kills_225_times(isolated_home, tmp_path):
    history = run_harness(isolated_home, tmp_path, per_kind=45, seed=2026)
    assert history.total_kills >= 200
    assert all(history.kills[k] >= 45 for k in KINDS)
    print(_report(history))
