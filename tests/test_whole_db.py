"""Whole-database operations beside a drill, backups, damage and bounded input, through the CLI.

Every test drives real `studycli` processes on a real SQLite file (STUDYCLI_HOME), as a
person in two terminals would: a drill rates cards while `doctor --repair`, a rebuild, an
import or `optimize` works on the whole database; a command is killed between two steps;
the backups folder holds odd entries; the file is damaged after the day's backup or has a
WAL beside a truncated file; the home is read-only or the disk full; config.yaml and
progress files are hostile. Numbers in the test names' docstrings refer to the cases of
the issue this file answers: the promise is one clear line (or the right behaviour) and
nothing the user did lost.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import resource
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .helpers import studycli_command
from .test_faults import (
    KEPT_NAME,
    QUESTION,
    RATE,
    SAVED,
    START,
    PipedDrill,
    _am_root,
    _can_mount,
    child_env,
    integrity,
    iso,
    one_line_error,
    review_answers,
    sha,
    tmpfs,
)

DAY = dt.timedelta(days=1)


# --------------------------------------------------------------------------- helpers


def run(
    home: Path,
    *args: str,
    now: str = iso(START),
    input: str = "",
    env: dict[str, str] | None = None,
    timeout: float = 120,
    limit_memory: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """`studycli ARGS` in a real subprocess (optionally with an address-space limit in bytes)."""
    environ = child_env(home, now)
    environ.update(env or {})

    def limit() -> None:
        if limit_memory:
            resource.setrlimit(resource.RLIMIT_AS, (limit_memory, limit_memory))

    return subprocess.run(
        [*studycli_command(), *args],
        input=input,
        capture_output=True,
        text=True,
        env=environ,
        timeout=timeout,
        preexec_fn=limit if limit_memory else None,
    )


def seed(home: Path, days: int = 2, per_day: int = 3) -> int:
    """A few days of real drilling; from the second day on, each day's first write makes a backup."""
    for day in range(days):
        answers = "".join(f"seed{day}-{i}\n\n3\n" for i in range(per_day))
        r = run(home, "drill", "--new", str(per_day), now=iso(START + day * DAY), input=answers)
        assert r.returncode == 0, r.stderr
    return days * per_day


def doctor_clean(home: Path, now: str = iso(START)) -> str:
    r = run(home, "doctor", now=now)
    assert r.returncode == 0 and "match the review log" in r.stdout, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and "unexpected error" not in r.stderr, r.stderr
    return r.stdout + r.stderr


def no_crash(r: subprocess.CompletedProcess[str]) -> None:
    """Whatever happened, it was said in clean lines: no traceback, no 'unexpected error'."""
    assert "Traceback" not in r.stderr and "unexpected error" not in r.stderr, r.stderr


def progress_file(
    path: Path,
    reviews: int,
    cards: int,
    *,
    tag: str = "g",
    start: dt.datetime = START - 400 * DAY,
    seed_value: int = 1,
) -> Path:
    """A valid progress file of `reviews` reviews of `cards` made-up cards over many days.

    Answers are `<tag>-<n>` and uids unique to the tag, so a test can tell the file's rows apart.
    """
    rng = random.Random(seed_value)
    per_card = max(1, reviews // cards)
    lines = [
        {
            "record": "header",
            "format": "studycli-progress",
            "version": 1,
            "counts": {"review_log": reviews},
        }
    ]
    n = 0
    for c in range(cards):
        moment = start + dt.timedelta(minutes=c)
        for _ in range(per_card if c < cards - 1 else reviews - n):
            if n >= reviews:
                break
            moment += dt.timedelta(days=rng.randint(1, 4), minutes=rng.randint(0, 200))
            lines.append(
                {
                    "record": "review_log",
                    "uid": f"{tag}-{n:012d}",
                    "card_id": f"{tag}-card-{c}",
                    "kind": "review",
                    "ts": int(moment.timestamp() * 1000),
                    "day": (moment - dt.timedelta(hours=4)).date().toordinal(),
                    "rating": rng.choice((1, 2, 3, 3, 3, 4)),
                    "phase": "review",
                    "duration_ms": 4000,
                    "rated_by": "self",
                    "answer": f"{tag}-{n}",
                    "session": f"{tag}-session-{c % 20}",
                }
            )
            n += 1
    assert n == reviews
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


def checkpoint(db: Path) -> None:
    """Move everything from the WAL into the file itself (no reader may be in a transaction)."""
    conn = sqlite3.connect(db, timeout=30)
    try:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0
    finally:
        conn.close()


def add_mock_filler(db: Path, rows: int = 300) -> None:
    """Rows in the `mocks` table, which a drill never reads: damage there is found only by a check."""
    conn = sqlite3.connect(db, timeout=30)
    try:
        with conn:
            conn.executemany(
                "INSERT INTO mocks (uid, started_ts, kind, transcript) VALUES (?, ?, 'mixed', ?)",
                (
                    (f"filler-{i}", 1_700_000_000_000 + i, "MOCKFILL" + "x" * 900)
                    for i in range(rows)
                ),
            )
    finally:
        conn.close()
    checkpoint(db)


def corrupt_pages_holding(db: Path, marker: bytes, how_many: int = 2) -> list[int]:
    """Overwrite table-leaf pages that hold `marker` (in the file itself, not the WAL)."""
    data = bytearray(db.read_bytes())
    size = int.from_bytes(data[16:18], "big")
    pages = [
        n
        for n in range(1, len(data) // size)
        if data[n * size] == 0x0D and marker in data[n * size : (n + 1) * size]
    ]
    assert len(pages) >= how_many, "no page holds the marker"
    chosen = pages[len(pages) // 2 : len(pages) // 2 + how_many]
    with open(db, "r+b") as f:  # in place: the file keeps its identity, as real damage does
        for n in chosen:
            f.seek(n * size)
            f.write(b"\xa5" * size)
    return chosen


def wait_for(predicate, timeout: float = 60, every: float = 0.005) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


def count_rows(db: Path, sql: str) -> int:
    try:
        conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=1)
        try:
            return int(conn.execute(sql).fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return -1


def rate_one(d: PipedDrill, token: str, rating: int = 3, timeout: float = 60) -> float:
    """Answer the card on screen and rate it; returns the seconds the save took."""
    d.send(f"{token}\n\n")
    d.expect(RATE, timeout=timeout)
    sent = time.monotonic()
    d.send(f"{rating}\n")
    d.expect(SAVED.pattern, timeout=timeout)
    return time.monotonic() - sent


# --------------------------------------------------------------------------- 1, 2, 3: beside a drill, killed


def test_repair_beside_a_drill_keeps_every_saved_rating(isolated_home):
    """1. `doctor --repair` replaces a damaged file while a drill is open in another terminal:
    the drill must not keep writing into the replaced (orphaned) file."""
    home = isolated_home
    seed(home, days=2)
    db = home / "studycli.db"
    add_mock_filler(db)
    now = iso(START + 2 * DAY)
    d = PipedDrill(home, now, "--new", "6")
    saved: list[str] = []
    try:
        d.expect(QUESTION)
        rate_one(d, "before-repair")  # the day's first write: a backup, then the rating
        saved.append("before-repair")
        d.expect(QUESTION)
        checkpoint(db)
        corrupt_pages_holding(db, b"MOCKFILL")
        r = run(home, "doctor", "--repair", now=now)
        no_crash(r)
        assert r.returncode == 0 and "repaired" in r.stdout, r.stdout + r.stderr
        for i in range(3):
            token = f"after-repair-{i}"
            d.send(f"{token}\n\n")
            if d.expect(RATE, rb"studycli: ", timeout=60) == 1:
                break
            d.send("3\n")
            if d.expect(SAVED.pattern, rb"studycli: ", timeout=60) == 1:
                break
            saved.append(token)
            if i < 2:
                d.expect(QUESTION)
        d.send("/quit\n")
        status = d.finish()
        err = d.stderr()
    finally:
        d.close()
    if status != 0:  # stopped instead of reopening: one clear line
        one_line_error(err)
    answers = dict(review_answers(db))
    lost = [t for t in saved if t not in answers]
    assert not lost, f"ratings shown as saved are not in the database: {lost}; stderr: {err}"
    assert integrity(db) == [("ok",)]
    doctor_clean(home, now)


def test_rebuild_beside_a_drill_never_writes_a_stale_state(isolated_home, tmp_path):
    """2. A card rated while `doctor --rebuild` recomputes every state must not come back as new."""
    home = isolated_home
    r = run(home, "import", "progress", str(progress_file(tmp_path / "big.jsonl", 60_000, 1500)))
    assert r.returncode == 0, r.stderr
    now = iso(START)
    d = PipedDrill(home, now, "--new", "90")
    rated: list[str] = []
    try:
        d.expect(QUESTION)
        with subprocess.Popen(
            [*studycli_command(), "doctor", "--rebuild"],
            env=child_env(home, now),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ) as rebuild:
            # A rating every ~50 ms from the rebuild's start to its end: some land while it
            # reads the log, some while it writes the states.
            while rebuild.poll() is None and len(rated) < 88:
                token = f"during-rebuild-{len(rated)}"
                rate_one(d, token)
                rated.append(token)
                d.expect(QUESTION)
                time.sleep(0.05)
            out, err = rebuild.communicate(timeout=120)
        assert rebuild.returncode == 0, err
        d.send("/quit\n")
        assert d.finish() == 0
    finally:
        d.close()
    assert len(rated) >= 3, "the rebuild ended before the drill could rate beside it"
    answers = dict(review_answers(home / "studycli.db"))
    assert all(t in answers for t in rated)
    doctor_clean(home, now)


def _kill_when(proc: subprocess.Popen, ready) -> bool:
    """SIGKILL `proc` as soon as `ready()` holds; True if it was still running then."""
    try:
        assert wait_for(lambda: ready() or proc.poll() is not None, timeout=120)
        alive = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        return alive
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_import_killed_after_its_merge_leaves_no_stale_state(isolated_home, tmp_path):
    """3. Killed between the merge and the card-state rebuild: states are rebuilt or still right."""
    home = isolated_home
    seed(home, days=1)
    db = home / "studycli.db"
    reviews = 40_000
    path = progress_file(tmp_path / "p.jsonl", reviews, 1000)
    merged = "SELECT count(*) FROM review_log WHERE kind = 0 AND card IN (SELECT key FROM names WHERE name LIKE 'g-card-%')"
    with subprocess.Popen(
        [*studycli_command(), "import", "progress", str(path)],
        env=child_env(home, iso(START)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as proc:
        killed = _kill_when(proc, lambda: count_rows(db, merged) >= reviews)
    assert killed, "the import finished before the kill"
    assert integrity(db) == [("ok",)]
    doctor_clean(home)
    r = run(home, "import", "progress", str(path))  # the same file again: nothing new
    assert r.returncode == 0 and f"0 new log events ({reviews} already here)" in r.stdout, r.stdout


def test_optimize_killed_after_saving_parameters_leaves_no_stale_state(isolated_home, tmp_path):
    """3. Killed after the fitted parameters are saved, before the states follow them."""
    home = isolated_home
    db = home / "studycli.db"
    r = run(home, "import", "progress", str(progress_file(tmp_path / "p.jsonl", 60_000, 1500)))
    assert r.returncode == 0, r.stderr
    saved = "SELECT count(*) FROM settings WHERE key = 'fsrs_parameters'"
    with subprocess.Popen(
        [*studycli_command(), "optimize"],
        env=child_env(home, iso(START)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as proc:
        killed = _kill_when(proc, lambda: count_rows(db, saved) > 0)
    assert killed, "optimize finished before the kill"
    assert count_rows(db, saved) == 1
    assert integrity(db) == [("ok",)]
    doctor_clean(home)


# --------------------------------------------------------------------------- 4: backups


def backup_reviews(folder: Path) -> dict[str, int]:
    """Review count of every readable copy in the backups folder, by name."""
    found = {}
    for p in folder.iterdir():
        if p.is_symlink() or not p.is_file():
            continue
        n = count_rows(p, "SELECT count(*) FROM review_log")
        if n >= 0:
            found[p.name] = n
    return found


def test_future_named_files_never_prune_the_real_backups(isolated_home):
    """4. Files named like backups of later days must not make pruning delete the real ones."""
    home = isolated_home
    seed(home, days=2)  # day 2's copy holds day 1's 3 reviews
    folder = home / "backups"
    real = folder / "studycli-2026-11-23.db"
    for year in range(2091, 2099):  # copies under future names, and garbage
        shutil.copy(real, folder / f"studycli-{year}-01-01.db")
        (folder / f"studycli-{year}-06-01.db").write_bytes(b"not a backup" * 100)
    r = run(home, "drill", "--new", "1", now=iso(START + 2 * DAY), input="x\n\n3\n")
    assert r.returncode == 0 and "Good saved" in r.stdout, r.stderr
    counts = backup_reviews(folder)
    assert 6 in counts.values(), f"today's copy (6 reviews) is gone: {counts}"
    assert 3 in counts.values(), f"yesterday's copy (3 reviews) is gone: {counts}"
    for year in range(2091, 2099):  # not ours: left alone
        assert (folder / f"studycli-{year}-06-01.db").read_bytes() == b"not a backup" * 100
    r = run(home, "doctor", "--restore", now=iso(START + 2 * DAY))
    no_crash(r)
    assert r.returncode == 0
    listed = re.findall(r"^  (studycli-\S+\.db)\s", r.stdout, re.M)
    assert "studycli-2026-11-24.db" in listed and "studycli-2026-11-23.db" in listed, r.stdout
    skipped = [line for line in r.stdout.splitlines() if "skipped" in line]
    assert len(skipped) == 1, r.stdout  # the odd entries, in one line
    assert not any(f"{year}-06-01" in name for name in listed for year in range(2091, 2099))


def test_backups_as_a_regular_file_never_blocks_a_save(isolated_home):
    """4. `backups` is a plain file: the day's copy cannot be made, the rating is still saved."""
    home = isolated_home
    seed(home, days=1)
    (home / "backups").write_text("in the way")
    r = run(home, "drill", "--new", "1", now=iso(START + DAY), input="kept\n\n3\n")
    no_crash(r)
    assert r.returncode == 0 and "Good saved" in r.stdout, r.stdout + r.stderr
    assert "kept" in dict(review_answers(home / "studycli.db"))
    assert (home / "backups").read_text() == "in the way"
    r = run(home, "doctor", now=iso(START + DAY))
    no_crash(r)
    assert r.returncode == 0 and "backups" in r.stdout and "not a folder" in r.stdout, r.stdout


@pytest.mark.parametrize("odd", ["directory", "dangling-link"])
def test_odd_entries_with_backup_names_are_skipped(isolated_home, odd):
    """4. A directory or a dangling link named like a backup breaks neither a rating nor doctor."""
    home = isolated_home
    seed(home, days=2)
    folder = home / "backups"
    for day in range(10, 17):  # a full week of older copies, so that pruning runs
        shutil.copy(folder / "studycli-2026-11-23.db", folder / f"studycli-2026-11-{day}.db")
        os.utime(
            folder / f"studycli-2026-11-{day}.db", (START.timestamp() - (23 - day) * 86400,) * 2
        )
    oldest = folder / "studycli-2026-11-01.db"
    today = folder / "studycli-2026-11-24.db"
    for p in (oldest, today):
        if odd == "directory":
            p.mkdir()
        else:
            p.symlink_to(home / "nowhere" / p.name)
    r = run(home, "drill", "--new", "1", now=iso(START + 2 * DAY), input="odd\n\n3\n")
    no_crash(r)
    assert r.returncode == 0 and "Good saved" in r.stdout, r.stdout + r.stderr
    assert "odd" in dict(review_answers(home / "studycli.db"))
    assert oldest.is_symlink() or oldest.is_dir()  # not ours: left alone
    assert 6 in backup_reviews(folder).values(), "no copy of today was made"
    for args in (("doctor",), ("doctor", "--restore")):
        r = run(home, *args, now=iso(START + 2 * DAY))
        no_crash(r)
        assert r.returncode == 0, r.stdout + r.stderr
        skipped = [line for line in r.stdout.splitlines() if "skipped" in line]
        assert len(skipped) == 1 and "studycli-2026-11-01.db" in skipped[0], r.stdout


def test_a_killed_copy_leaves_no_journal_behind(isolated_home):
    """4. A copy killed half-way leaves a partial file and its journal; both are cleared later."""
    home = isolated_home
    seed(home, days=1)
    folder = home / "backups"
    folder.mkdir()
    old = START.timestamp() - 2 * 86400
    left = [
        folder / ".studycli-2026-11-20.db.4242.partial",
        folder / ".studycli-2026-11-20.db.4242.partial-journal",
        folder / ".studycli-2026-11-19.db.4243.partial-journal",
    ]
    for p in left:
        p.write_bytes(b"half" * 1000)
        os.utime(p, (old, old))
    r = run(home, "drill", "--new", "1", now=iso(START + DAY), input="x\n\n3\n")
    assert r.returncode == 0
    assert (folder / "studycli-2026-11-23.db").exists()
    assert not [p.name for p in left if p.exists()]


def test_a_real_kill_during_the_days_copy_is_cleaned_up(isolated_home):
    """4. SIGKILL while the day's copy is written (a large database): nothing half-made stays."""
    home = isolated_home
    seed(home, days=1)
    db = home / "studycli.db"
    conn = sqlite3.connect(db)
    with conn:  # a database large enough that the copy takes a moment
        conn.executemany(
            "INSERT INTO mocks (uid, started_ts, kind, transcript) VALUES (?, 1, 'mixed', ?)",
            ((f"big-{i}", os.urandom(3000).hex()) for i in range(8000)),
        )
    conn.close()
    folder = home / "backups"
    now = START + DAY
    with subprocess.Popen(
        [*studycli_command(), "drill", "--new", "1"],
        env=child_env(home, iso(now)),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as proc:
        assert proc.stdin is not None
        proc.stdin.write(b"x\n\n3\n")
        proc.stdin.flush()
        partial = lambda: any(p.name.endswith((".partial", "-journal")) for p in folder.glob(".*"))  # noqa: E731
        assert wait_for(lambda: folder.is_dir() and partial(), timeout=60)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    left = [p for p in folder.iterdir() if p.name.startswith(".")]
    assert left, "the kill did not land in the copy"
    later = now + dt.timedelta(hours=2)
    for p in left:  # an hour and more later, another day's first write clears them
        os.utime(p, (now.timestamp(), now.timestamp()))
    r = run(home, "drill", "--new", "1", now=iso(later + DAY), input="y\n\n3\n")
    assert r.returncode == 0, r.stderr
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]
    assert integrity(db) == [("ok",)]


# --------------------------------------------------------------------------- 5: damage


@pytest.mark.parametrize("size", ["small", "large"])
def test_damage_after_the_days_backup_is_found_before_writing(isolated_home, size):
    """5. Damage that appears after the day's copy (no second check today) must not be written
    to; a large file (past the size checked whole before each first write) too."""
    home = isolated_home
    seed(home, days=2)  # day 2 has its copy: the next write of day 2 makes none
    db = home / "studycli.db"
    if size == "large":
        conn = sqlite3.connect(db)
        with conn:
            conn.executemany(
                "INSERT INTO mocks (uid, started_ts, kind, transcript) VALUES (?, 1, 'mixed', ?)",
                ((f"pad-{i}", os.urandom(2500).hex()) for i in range(5000)),
            )
        conn.close()
        assert db.stat().st_size > 20_000_000
    add_mock_filler(db)
    corrupt_pages_holding(db, b"MOCKFILL")
    damaged = sha(db)
    r = run(
        home,
        "drill",
        "--new",
        "1",
        now=iso(START + DAY + dt.timedelta(hours=3)),
        input="late\n\n3\n",
    )
    assert r.returncode == 1, r.stdout
    line = one_line_error(r.stderr)
    assert "damaged" in line and "studycli doctor" in line, line
    assert sha(db) == damaged
    kept = [p for p in home.iterdir() if KEPT_NAME.match(p.name)]
    assert len(kept) == 1 and sha(kept[0]) == damaged


def _truncated_with_wal(home: Path) -> tuple[bytes, bytes]:
    """A database killed with committed pages in its WAL, then cut to half its size."""
    db = home / "studycli.db"
    code = (
        "import os, sqlite3\n"
        f"c = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
        "c.execute('PRAGMA wal_autocheckpoint = 0')\n"
        "for i in range(60): c.execute(\"INSERT INTO settings (key, value) VALUES (?, '1')\", (f'k{i}',))\n"
        "os.kill(os.getpid(), 9)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=False)
    wal = db.with_name("studycli.db-wal")
    assert wal.stat().st_size > 0
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])
    return db.read_bytes(), wal.read_bytes()


def test_truncated_file_with_a_wal_is_kept_aside_before_sqlite_touches_it(isolated_home):
    """5. The WAL beside a truncated file must not be checkpointed into it before the copy."""
    home = isolated_home
    seed(home, days=2)
    truncated, wal_bytes = _truncated_with_wal(home)
    db = home / "studycli.db"
    r = run(home, "today", now=iso(START + 2 * DAY))
    assert r.returncode == 1
    line = one_line_error(r.stderr)
    assert "damaged" in line, line
    kept = [p for p in home.iterdir() if KEPT_NAME.match(p.name)]
    assert len(kept) == 1, sorted(p.name for p in home.iterdir())
    assert kept[0].read_bytes() == truncated, "the copy kept aside was changed first"
    kept_wal = kept[0].with_name(kept[0].name + "-wal")
    assert kept_wal.exists() and kept_wal.read_bytes() == wal_bytes
    assert db.read_bytes() == truncated
    assert db.with_name("studycli.db-wal").read_bytes() == wal_bytes
    r = run(home, "doctor", "--repair", now=iso(START + 2 * DAY))
    assert r.returncode == 0, r.stdout + r.stderr
    doctor_clean(home, iso(START + 2 * DAY))


# --------------------------------------------------------------------------- 6: not damage


def test_a_damaged_content_cache_is_not_blamed_on_the_history(isolated_home):
    """6. SQLite damage in the content cache is the cache's: rebuilt, the history left alone."""
    home = isolated_home
    seed(home, days=2)
    cache = home / "cache" / "content.sqlite"
    data = bytearray(cache.read_bytes())
    size = int.from_bytes(data[16:18], "big")
    for n in range(1, len(data) // size):
        if data[n * size] == 0x0A:  # the cards' index pages: a drill reads card text through them
            data[n * size + 8 : (n + 1) * size] = b"\xa5" * (size - 8)
    cache.write_bytes(bytes(data))
    db = home / "studycli.db"
    before = len(review_answers(db))
    r = run(home, "drill", "--new", "1", now=iso(START + 2 * DAY), input="cache\n\n3\n")
    no_crash(r)
    assert r.returncode == 0 and "Good saved" in r.stdout, r.stdout + r.stderr
    assert not [p for p in home.iterdir() if KEPT_NAME.match(p.name)], "the history was blamed"
    assert re.search(r" 1\. \w", r.stdout), "the card was shown without its text"
    assert len(review_answers(db)) == before + 1
    doctor_clean(home, iso(START + 2 * DAY))


def _read_only_home(tmp_path: Path):
    """A seeded home made read-only for real: a read-only tmpfs (root) or chmod (a normal user)."""
    from contextlib import contextmanager

    @contextmanager
    def made():
        if not _am_root():
            home = tmp_path / "ro-home"
            seed(home, days=2)
            os.chmod(home, 0o555)
            try:
                yield home
            finally:
                os.chmod(home, 0o755)
            return
        if not _can_mount():
            pytest.skip("running as root without mount rights")
        with tmpfs(tmp_path / "mnt", 8192) as mnt:
            home = mnt / "home"
            seed(home, days=2)
            subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
            try:
                yield home
            finally:
                subprocess.run(["mount", "-o", "remount,rw", str(mnt)], check=True)

    return made()


def test_a_read_only_home_is_not_damage_and_repair_leaves_it(tmp_path):
    """6. doctor on a read-only home says read-only, and --repair salvages nothing."""
    with _read_only_home(tmp_path) as home:
        db = home / "studycli.db"
        before = sha(db)
        r = run(home, "doctor", now=iso(START + 2 * DAY))
        no_crash(r)
        assert "damaged" not in r.stdout and "read-only" in r.stdout + r.stderr, r.stdout
        r = run(home, "doctor", "--repair", now=iso(START + 2 * DAY))
        no_crash(r)
        assert "damaged" not in r.stdout + r.stderr and "read-only" in r.stdout + r.stderr
        assert "repaired" not in r.stdout
        assert sha(db) == before
        assert not [p for p in home.iterdir() if KEPT_NAME.match(p.name) or "partial" in p.name]


@pytest.fixture
def full_disk(tmp_path):
    """A seeded home on a tiny tmpfs, then filled to the last byte (root with mount rights)."""
    if not _can_mount():
        pytest.skip("needs root with mount rights for a tiny tmpfs")
    with tmpfs(tmp_path / "mnt", 8192) as mnt:
        home = mnt / "home"
        seed(home, days=2)
        filler = mnt / "filler"
        with open(filler, "wb", buffering=0) as f:
            try:
                while f.write(b"\0" * 4096):
                    pass
            except OSError:
                pass
        yield home


def test_a_full_disk_is_not_damage(full_disk):
    """6. doctor on a full disk says the disk is full, and --repair salvages nothing."""
    home = full_disk
    db = home / "studycli.db"
    before = sha(db)
    for args in (("doctor",), ("doctor", "--repair")):
        r = run(home, *args, now=iso(START + 2 * DAY))
        no_crash(r)
        said = r.stdout + r.stderr
        assert "damaged" not in said and "disk is full" in said, said
    assert sha(db) == before
    assert not [p for p in home.iterdir() if KEPT_NAME.match(p.name) or "partial" in p.name]


# --------------------------------------------------------------------------- 7: failed commands


def _newer_schema(db: Path) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('studycli', 'm099_future', 'x')"
        )
    conn.close()


@pytest.mark.parametrize(
    "args",
    [
        ("config", "set", "desired_retention", "0.85"),
        ("config", "unset", "new_per_day"),
        ("roadmap", "start", "--interview", "2026-12-30"),
    ],
    ids=["config-set", "config-unset", "roadmap-start"],
)
def test_a_failing_command_leaves_config_yaml_unchanged(isolated_home, args):
    """7. The database refuses the command (a newer schema): config.yaml must stay as it was."""
    home = isolated_home
    seed(home, days=1)
    config = home / "config.yaml"
    config.write_text("new_per_day: 7\ninterview_date: '2027-01-20'\n")
    before = config.read_bytes()
    _newer_schema(home / "studycli.db")
    r = run(home, *args)
    assert r.returncode == 1, r.stdout
    assert "newer studycli" in one_line_error(r.stderr)
    assert config.read_bytes() == before
    assert not [p.name for p in home.iterdir() if p.name.startswith("config.yaml.")]


# --------------------------------------------------------------------------- 8: resource bounds


def _alias_bomb() -> str:
    parts = ['&a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, cur in zip("abcdefgh", "bcdefghi", strict=True):
        parts.append(f"&{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "new_per_day: [" + ", ".join(parts) + "]\n"


def test_a_yaml_alias_bomb_in_config_is_one_short_line(isolated_home):
    """8. 338 bytes that expand to gigabytes: refused at once, in one line naming the file."""
    home = isolated_home
    home.mkdir(parents=True)
    bomb = _alias_bomb()
    assert len(bomb) < 400
    (home / "config.yaml").write_text(bomb)
    started = time.monotonic()
    r = run(home, "today", timeout=60, limit_memory=1_500_000_000)
    assert time.monotonic() - started < 15
    assert r.returncode == 2, r.stderr[:300]
    line = one_line_error(r.stderr)
    assert "config.yaml" in line and len(line) < 400, line[:400]


def test_a_huge_config_value_gives_a_short_error(isolated_home):
    """8. A wrong value is quoted in a few dozen characters, not in full."""
    home = isolated_home
    home.mkdir(parents=True)
    (home / "config.yaml").write_text("new_per_day: [" + ", ".join(["12345"] * 5000) + "]\n")
    r = run(home, "today")
    assert r.returncode == 2
    line = one_line_error(r.stderr)
    assert "new_per_day" in line and len(line) < 400, line[:400]


@pytest.mark.parametrize("source", ["dev-zero", "one-long-line"])
def test_a_progress_file_without_line_ends_is_bounded(isolated_home, tmp_path, source):
    """8. `import progress /dev/zero` (or a 700 MB line) stops early, in one line, in bounded memory."""
    home = isolated_home
    if source == "dev-zero":
        path = Path("/dev/zero")
    else:
        path = tmp_path / "long.jsonl"
        with open(path, "wb") as f:
            f.write(b'{"record": "header", "format": "studycli-progress", "version": 1, "x": "')
            f.truncate(700_000_000)  # sparse: costs no disk
    started = time.monotonic()
    r = run(home, "import", "progress", str(path), timeout=120, limit_memory=1_000_000_000)
    assert time.monotonic() - started < 30
    assert r.returncode == 2, r.stderr[:300]
    line = one_line_error(r.stderr)
    assert str(path) in line and "line 1" in line.replace(":1:", " line 1 "), line


def test_a_rating_beside_a_large_import_waits_at_most_two_seconds(isolated_home, tmp_path):
    """8. Imports commit in chunks: a drill's rating never waits long for the write lock."""
    home = isolated_home
    seed(home, days=1)
    path = progress_file(tmp_path / "big.jsonl", 120_000, 2000)
    now = iso(START + DAY)
    d = PipedDrill(home, now, "--new", "30")
    waits: list[float] = []
    try:
        d.expect(QUESTION)
        rate_one(d, "first")  # the day's backup is made before the import starts
        d.expect(QUESTION)
        db = home / "studycli.db"
        with subprocess.Popen(
            [*studycli_command(), "import", "progress", str(path)],
            env=child_env(home, now),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ) as imp:
            # rate while the import writes (from its first row to its end)
            assert wait_for(
                lambda: (
                    imp.poll() is not None
                    or count_rows(db, "SELECT count(*) FROM names WHERE name LIKE 'g-%'") > 0
                )
            )
            while imp.poll() is None and len(waits) < 28:
                waits.append(rate_one(d, f"beside-{len(waits)}"))
                d.expect(QUESTION)
            _, err = imp.communicate(timeout=300)
        assert imp.returncode == 0, err
        d.send("/quit\n")
        assert d.finish() == 0
    finally:
        d.close()
    assert len(waits) >= 3, "the import ended before the drill could rate beside it"
    assert max(waits) < 2.0, f"a rating waited {max(waits):.1f} s: {[round(w, 2) for w in waits]}"
    doctor_clean(home, now)


@pytest.mark.slow
def test_a_rating_kept_when_the_database_stays_busy(isolated_home):
    """8. Past the busy timeout the typed answer is kept (and said so), then saved, never lost."""
    home = isolated_home
    seed(home, days=2)
    db = home / "studycli.db"
    now = iso(START + DAY + dt.timedelta(hours=2))
    d = PipedDrill(home, now, "--new", "2")
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        d.expect(QUESTION)
        holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock for 25 s
        holder.execute("INSERT INTO settings (key, value) VALUES ('holder', '1')")
        d.send("typed while busy\n\n")
        d.expect(RATE)
        d.send("3\n")
        d.expect(rb"kept|saved", timeout=40)
        time.sleep(max(0.0, 25 - 15))
        holder.execute("COMMIT")
        d.send("/quit\n")
        d.finish()
        out = d.out.decode(errors="replace")
    finally:
        holder.close()
        d.close()
    assert "typed while busy" in out or "kept" in out
    r = run(home, "today", now=now)  # the next start saves what was kept
    no_crash(r)
    assert "typed while busy" in dict(review_answers(db))
    doctor_clean(home, now)


# --------------------------------------------------------------------------- 9: clear errors


def _progress_with(tmp_path: Path, **fields) -> Path:
    record = {
        "record": "review_log",
        "uid": "0123456789abcdef",
        "card_id": "rag-why-rag",
        "kind": "review",
        "ts": 1_764_000_000_000,
        "day": 739_579,
        "rating": 3,
    }
    record.update(fields)
    head = {"record": "header", "format": "studycli-progress", "version": 1}
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(head) + "\n" + json.dumps(record) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text, expect",
    [
        ("interview_date: 2026-02-30\n", "interview_date"),
        ("rollover_hour: 4\ninterview_date: 2026-13-01\n", "interview_date"),
        ("interview_date: 2026-02-30T10:00:00\n", "interview_date"),
    ],
    ids=["feb-30", "month-13", "datetime"],
)
def test_an_impossible_date_in_config_names_the_setting(isolated_home, text, expect):
    home = isolated_home
    home.mkdir(parents=True)
    (home / "config.yaml").write_text(text)
    r = run(home, "today")
    assert r.returncode == 2, r.stderr
    line = one_line_error(r.stderr)
    assert "config.yaml" in line and expect in line, line


def test_config_as_a_folder_is_one_line(isolated_home):
    home = isolated_home
    (home / "config.yaml").mkdir(parents=True)
    for args in (("today",), ("config", "set", "new_per_day", "3"), ("config", "show")):
        r = run(home, *args)
        assert r.returncode in (1, 2), r.stderr
        line = one_line_error(r.stderr)
        assert "unexpected" not in line and "Errno" not in line, line
        assert "config.yaml: " in line and "is a folder" in line, line


@pytest.mark.parametrize(
    "args",
    [
        ("config", "set", "new_per_day", "3"),
        ("roadmap", "start", "--interview", "2026-12-30"),
        ("doctor", "--restore", "2026-11-23"),
    ],
    ids=["config", "roadmap", "restore"],
)
def test_read_only_home_for_config_roadmap_restore_is_one_line(tmp_path, args):
    with _read_only_home(tmp_path) as home:
        before = sha(home / "studycli.db")
        r = run(home, *args, now=iso(START + 2 * DAY))
        assert r.returncode == 1, r.stdout
        assert "read-only" in one_line_error(r.stderr)
        assert sha(home / "studycli.db") == before


@pytest.mark.parametrize(
    "args",
    [
        ("config", "set", "new_per_day", "3"),
        ("roadmap", "start", "--interview", "2026-12-30"),
        ("doctor", "--restore", "2026-11-23"),
    ],
    ids=["config", "roadmap", "restore"],
)
def test_full_disk_for_config_roadmap_restore_is_one_line(full_disk, args):
    home = full_disk
    before = sha(home / "studycli.db")
    r = run(home, *args, now=iso(START + 2 * DAY))
    assert r.returncode == 1, r.stdout
    assert "disk is full" in one_line_error(r.stderr)
    assert sha(home / "studycli.db") == before
    leftovers = [
        p.name
        for p in home.rglob("*")
        if p.is_file()
        and p.stat().st_size == 0
        and not p.name.startswith(("studycli.db-", "studycli.db.lock"))
    ]
    assert not leftovers, f"empty files left behind: {leftovers}"
    r = run(home, "doctor", "--restore", now=iso(START + 2 * DAY))
    listed = re.findall(r"^  (studycli-\S+\.db)\s", r.stdout, re.M)
    assert listed == ["studycli-2026-11-23.db"], r.stdout


def test_lone_surrogates_in_a_progress_file_are_one_line(isolated_home, tmp_path):
    path = _progress_with(tmp_path, answer="half \ud800 a pair")
    r = run(isolated_home, "import", "progress", str(path))
    assert r.returncode == 2, r.stderr
    line = one_line_error(r.stderr)
    assert f"{path}:2" in line and "answer" in line, line


def test_year_9999_timestamps_are_refused_or_shown(isolated_home, tmp_path):
    home = isolated_home
    seed(home, days=2)
    path = _progress_with(tmp_path, ts=253_402_300_799_999, day=dt.date.max.toordinal())
    r = run(home, "import", "progress", str(path), now=iso(START + 2 * DAY))
    no_crash(r)
    if r.returncode != 0:
        assert r.returncode == 2 and "ts" in one_line_error(r.stderr)
    east = {"TZ": "Asia/Tokyo"}
    checks = [("today",), ("stats",), ("doctor",), ("report", "-o", str(tmp_path / "r.md"))]
    for args in checks:
        r = run(home, *args, now=iso(START + 2 * DAY), env=east)
        no_crash(r)
    r = run(home, "drill", "--new", "1", now=iso(START + 3 * DAY), input="x\n\n3\n", env=east)
    no_crash(r)
    r = run(home, "doctor", "--restore", now=iso(START + 3 * DAY), env=east)
    no_crash(r)
    assert r.returncode == 0
    for now in ("9999-12-31T23:00:00+00:00", "0001-01-01T00:00:00+00:00"):
        for args in (("today",), ("stats",)):
            r = run(home, *args, now=now, env=east)
            no_crash(r)
            if r.returncode:
                assert "STUDYCLI_NOW" in one_line_error(r.stderr)


@pytest.mark.parametrize("value", ["nan", "inf", "-nan"])
def test_mock_answer_minutes_not_a_number_is_one_line(isolated_home, value):
    r = run(isolated_home, "mock", "--answer-minutes", value)
    assert r.returncode == 2, r.stderr
    assert "--answer-minutes" in one_line_error(r.stderr)


@pytest.mark.parametrize("output", ["", "/", "."])
def test_export_progress_to_no_file_name_is_one_line(isolated_home, output):
    seed(isolated_home, days=1)
    r = run(isolated_home, "export", "progress", "-o", output)
    assert r.returncode == 2, r.stderr
    assert "--output" in one_line_error(r.stderr)


def test_doctor_into_a_closed_pipe_is_quiet(isolated_home):
    """`studycli doctor | head -1`: the reader has gone; no traceback, no 'unexpected error'."""
    seed(isolated_home, days=2)
    read_end, write_end = os.pipe()
    os.close(read_end)  # gone before the first line: every write meets a broken pipe
    try:
        r = subprocess.run(
            [*studycli_command(), "doctor"],
            env=child_env(isolated_home, iso(START + 2 * DAY)),
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in r.stderr and "unexpected error" not in r.stderr, r.stderr
    assert "Broken pipe" not in r.stderr, r.stderr


# --------------------------------------------------------------------------- 10: overwrites


@pytest.mark.parametrize("kind", ["char-device", "fifo"])
def test_report_into_a_device_or_fifo_writes_into_it(isolated_home, tmp_path, kind):
    """10. `report -o` to a device node or a FIFO writes into it; it never replaces it."""
    seed(isolated_home, days=1)
    target = tmp_path / f"out-{kind}"
    if kind == "char-device":
        if not _am_root():
            pytest.skip("mknod needs root")
        os.mknod(target, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # the null device
        r = run(isolated_home, "report", "-o", str(target))
        no_crash(r)
        assert stat.S_ISCHR(target.lstat().st_mode), "the device node was replaced"
        assert r.returncode == 0, r.stderr
        return
    os.mkfifo(target)
    reader = os.open(target, os.O_RDONLY | os.O_NONBLOCK)
    try:
        r = run(isolated_home, "report", "--format", "md", "-o", str(target))
        no_crash(r)
        assert stat.S_ISFIFO(target.lstat().st_mode), "the FIFO was replaced"
        assert r.returncode == 0, r.stderr
        got = b""
        while chunk := os.read(reader, 65536):
            got += chunk
        assert got.startswith(b"#"), got[:80]
    finally:
        os.close(reader)


def test_export_progress_into_a_device_writes_into_it(isolated_home, tmp_path):
    if not _am_root():
        pytest.skip("mknod needs root")
    seed(isolated_home, days=1)
    target = tmp_path / "null"
    os.mknod(target, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    r = run(isolated_home, "export", "progress", "-o", str(target))
    no_crash(r)
    assert r.returncode == 0 and stat.S_ISCHR(target.lstat().st_mode)


def test_repair_keeps_a_symlinked_database_a_symlink(isolated_home, tmp_path):
    """10. The database is a link to a file elsewhere: the repair writes the file, not the link."""
    home = isolated_home
    seed(home, days=3)
    elsewhere = tmp_path / "sync-folder"
    elsewhere.mkdir()
    real = elsewhere / "studycli.db"
    shutil.move(home / "studycli.db", real)
    (home / "studycli.db").symlink_to(real)
    data = real.read_bytes()
    real.write_bytes(data[: len(data) // 2])
    r = run(home, "doctor", "--repair", now=iso(START + 3 * DAY))
    assert r.returncode == 0, r.stdout + r.stderr
    link = home / "studycli.db"
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert integrity(real) == [("ok",)] and len(review_answers(real)) == 6
    doctor_clean(home, iso(START + 3 * DAY))


def test_config_set_keeps_the_comments_of_a_hand_edited_file(isolated_home):
    home = isolated_home
    home.mkdir(parents=True)
    config = home / "config.yaml"
    config.write_text(
        "# my settings, tuned for the Stripe loop\n"
        "new_per_day: 12   # more on weekends\n"
        "\n"
        "grader:\n"
        "  # the cheap one first\n"
        "  model: openai/gpt-4o-mini\n"
        "  timeout: 20\n"
    )
    r = run(home, "config", "set", "new_per_day", "20")
    assert r.returncode == 0, r.stderr
    r = run(home, "config", "set", "grader.retries", "1")
    assert r.returncode == 0, r.stderr
    text = config.read_text()
    for comment in (
        "# my settings, tuned for the Stripe loop",
        "# more on weekends",
        "# the cheap one first",
    ):
        assert comment in text, text
    r = run(home, "config", "show")
    assert "new_per_day = 20\n" in r.stdout and "grader.retries = 1\n" in r.stdout
    assert (
        "grader.model = openai/gpt-4o-mini\n" in r.stdout and "grader.timeout = 20.0\n" in r.stdout
    )


def test_a_control_character_in_an_imported_card_id_hides_no_card(isolated_home, tmp_path):
    """10. An id like 'x<US>rag-simple-support-bot' must not make that card look seen."""
    home = isolated_home
    seed(home, days=1)
    now = iso(START + DAY)
    before = run(home, "today", now=now).stdout
    path = _progress_with(
        tmp_path, card_id="x\x1frag-simple-support-bot", kind="suspend", rating=None
    )
    r = run(home, "import", "progress", str(path), now=now)
    no_crash(r)
    if r.returncode == 0:
        assert run(home, "today", now=now).stdout == before
    else:
        assert r.returncode == 2 and "card_id" in one_line_error(r.stderr)
