"""The review log, the state cache and the drill session, against a real SQLite file."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3

import pytest

from studycli.clock import study_day
from studycli.errors import StoreError
from studycli.scheduler import Scheduler
from studycli.storage.store import Store
from studycli.study.day_plan import Limits, plan_day
from studycli.study.drill import Drill
from studycli.vocab import AGAIN, EASY, GOOD, HARD

UTC = dt.UTC
T0 = dt.datetime(2026, 11, 22, 9, tzinfo=UTC)


def plan(store, catalogue, now, limits=Limits(), **kw):
    return plan_day(list(catalogue.cards), catalogue.cards, store, now, 4, limits, **kw)


def drill_for(store, catalogue, now, **kw):
    return Drill(store, Scheduler(), catalogue, plan(store, catalogue, now, **kw).queue)


def test_wal_and_schema(store):
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"review_log", "card_state", "settings", "grades", "plan_log", "mocks"} <= tables


def test_rating_is_committed_before_next_card(store, catalogue, isolated_home):
    d = drill_for(store, catalogue, T0)
    first = d.current
    d.rate(GOOD, T0, answer="my answer", duration_ms=1234)
    # a second, independent connection sees it at once
    other = sqlite3.connect(isolated_home / "studycli.db")
    row = other.execute(
        "SELECT card_id, rating, answer, duration_ms, rated_by FROM review_entries"
    ).fetchone()
    assert row == (first.id, GOOD, "my answer", 1234, "self")
    assert other.execute("SELECT reps FROM card_state WHERE card_id=?", (first.id,)).fetchone() == (
        1,
    )


def test_new_limit_and_due_before_new(store, catalogue):
    p = plan(store, catalogue, T0, Limits(new_per_day=5))
    assert len(p.new) == 5 and not p.due
    d = Drill(store, Scheduler(), catalogue, p.queue)
    for _ in range(5):
        d.rate(HARD, T0)  # Hard: due tomorrow
    assert plan(store, catalogue, T0, Limits(new_per_day=5)).new == []  # limit used up today
    tomorrow = T0 + dt.timedelta(days=1)
    p2 = plan(store, catalogue, tomorrow, Limits(new_per_day=5))
    assert len(p2.due) == 5 and len(p2.new) == 5
    assert p2.queue[:5] == p2.due  # due cards come first


def test_struggled_cards_come_back_first(store, catalogue):
    d = drill_for(store, catalogue, T0, limits=Limits(new_per_day=6))
    ids = list(d.queue)
    ratings = {ids[0]: EASY, ids[1]: HARD, ids[2]: GOOD, ids[3]: HARD, ids[4]: EASY, ids[5]: GOOD}
    while d.current:
        d.rate(ratings[d.current.id], T0)
    p = plan(store, catalogue, T0 + dt.timedelta(days=1), Limits(new_per_day=0))
    assert set(p.due) == {ids[1], ids[3]}


def test_again_comes_back_when_its_step_is_due(store, catalogue):
    d = drill_for(store, catalogue, T0, limits=Limits(new_per_day=6))
    first = d.current.id
    d.rate(AGAIN, T0)  # its learning step is due ten minutes later
    seen = []
    t = T0
    while d.current:
        t += dt.timedelta(minutes=4)
        seen.append(d.current.id)
        d.rate(GOOD, t)
    # Rated at 4, 8, 12 minutes: the card is in line once the step is up, after the third.
    assert seen.count(first) == 1 and seen.index(first) == 3
    assert store.state(first).reps == 2


def test_again_comes_back_at_the_end_when_its_step_is_not_up(store, catalogue):
    d = drill_for(store, catalogue, T0, limits=Limits(new_per_day=5))
    first = d.current.id
    d.rate(AGAIN, T0)
    assert d.counter == (2, 6) and not d.only_waiting_left  # it will be asked again
    seen = []
    t = T0
    while d.current:
        t += dt.timedelta(minutes=1)
        seen.append(d.current.id)
        d.rate(GOOD, t)
    assert seen.index(first) == 4  # nothing else was left, though only 4 minutes had passed


def test_undo_after_skip_and_suspend_asks_the_undone_card(store, catalogue):
    d = drill_for(store, catalogue, T0, limits=Limits(new_per_day=4))
    a, b, c, e = list(d.queue)
    d.rate(GOOD, T0)
    d.skip()
    assert d.undo(T0).id == a and d.current.id == a and d.counter == (2, 4)
    d.rate(EASY, T0)
    assert d.current.id == c
    d.suspend(T0)  # the suspended card never comes back in this session
    assert d.undo(T0).id == a and d.current.id == a
    d.rate(GOOD, T0)
    assert [d.current.id] == [e] and d.suspended == 1
    assert b not in d.queue[d.position :] and c not in d.queue[d.position :]


def test_undo_of_a_card_suspended_since_keeps_it_out(store, catalogue):
    d = drill_for(store, catalogue, T0, limits=Limits(new_per_day=2))
    a, _b = list(d.queue)
    d.rate(AGAIN, T0)
    d.skip()
    assert d.only_waiting_left and d.current.id == a  # nothing else left: back before its step
    d.suspend(T0)
    assert d.undo(T0).id == a
    assert d.current is None and d.suspended == 1
    assert store.state(a).suspended and store.state(a).reps == 0


def test_undo_restores_state_and_asks_again(store, catalogue):
    d = drill_for(store, catalogue, T0, limits=Limits(new_per_day=3))
    a = d.current.id
    d.rate(GOOD, T0)
    b = d.current.id
    d.rate(AGAIN, T0 + dt.timedelta(minutes=1))
    assert d.undo(T0 + dt.timedelta(minutes=2)).id == b
    assert d.current.id == b
    assert store.state(b).reps == 0 and store.state(a).reps == 1
    assert d.queue.count(b) == 1  # the Again requeue was withdrawn
    assert d.ratings[AGAIN] == 0
    assert store.reviews_on(study_day(T0)) == 1
    kinds = [r[0] for r in store.conn.execute("SELECT kind FROM review_entries ORDER BY id")]
    assert kinds == ["review", "review", "undo"]  # append-only


def test_suspend_takes_card_out_of_queues(store, catalogue):
    d = drill_for(store, catalogue, T0, limits=Limits(new_per_day=2))
    target = d.current.id
    d.suspend(T0)
    assert store.state(target).suspended
    assert target not in plan(store, catalogue, T0, Limits(new_per_day=50)).queue


def test_rebuilt_state_equals_incremental(store, catalogue):
    """Drill many days with a random rating pattern; the rebuild from the log alone matches."""
    rng = random.Random(7)
    now = T0
    for _day in range(40):
        d = drill_for(store, catalogue, now, limits=Limits(new_per_day=8))
        steps = 0
        while d.current and steps < 60:
            action = rng.random()
            now += dt.timedelta(seconds=rng.randint(5, 90))
            if action < 0.03:
                d.undo(now) or d.rate(GOOD, now)
            elif action < 0.05:
                d.suspend(now)
            else:
                d.rate(rng.choice([AGAIN, HARD, GOOD, GOOD, GOOD, EASY]), now)
            steps += 1
        now += dt.timedelta(days=1)
    incremental = store.states()
    assert len(incremental) > 100
    n = store.rebuild_states(Scheduler())
    assert n == len(incremental)
    assert store.states() == incremental


def test_newer_schema_is_refused_without_touching_file(isolated_home):
    path = isolated_home / "studycli.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('studycli', 'm999_future', 'x')"
    )
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer studycli"):
        Store(path)
    assert path.read_bytes() == before


def test_garbage_file_is_refused(isolated_home):
    path = isolated_home / "studycli.db"
    isolated_home.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="not a studycli database or damaged"):
        Store(path)
    assert path.read_bytes() == b"this is not a database" * 100


def test_settings_roundtrip(store):
    assert store.get_setting("x", 5) == 5
    store.set_setting("x", [1.5, 2])
    assert store.get_setting("x") == [1.5, 2]


def test_retention_counts_review_phase_only(store, catalogue):
    d = drill_for(store, catalogue, T0, limits=Limits(new_per_day=4))
    while d.current:
        d.rate(GOOD, T0)
    later = T0 + dt.timedelta(days=5)
    d = drill_for(store, catalogue, later, limits=Limits(new_per_day=0))
    ratings = [GOOD, AGAIN, HARD, EASY]
    while d.current:
        d.rate(ratings.pop(0) if ratings else GOOD, later)
    passed, total = store.retention(study_day(later) - 29)
    assert (passed, total) == (3, 4)


def _old_log(path, entries):
    """A database as studycli wrote it before m008: text columns, one row per LogEntry."""
    from sqlite_utils import Database

    from studycli.storage.codec import LOG_COLUMNS
    from studycli.storage.migrations import migration_set

    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    migration_set().apply(Database(conn), stop_before="m008_compact_review_log")
    conn.executemany(
        f"INSERT INTO review_log ({', '.join(LOG_COLUMNS)}) VALUES ({', '.join('?' * 13)})",
        [[getattr(e, c) for c in LOG_COLUMNS] for e in entries],
    )
    conn.commit()
    conn.close()


def test_compact_log_migration_keeps_every_field(isolated_home):
    from studycli.storage.codec import LogEntry

    day = study_day(T0)
    ms = int(T0.timestamp() * 1000)
    long_answer = "Hybrid search pairs BM25 with dense vectors; fusion merges the lists. " * 4
    entries = [
        LogEntry("00000000000000a1", "rag-hybrid", "review", ms, day, 3, "new", 41000, "self",
                 None, long_answer, None, "5e55100000000001"),
        LogEntry("00000000000000a2", "rag-hybrid", "review", ms + 1, day, 1, "review", 9000,
                 "grader", 2, "short answer, ünïcode ✓", None, "5e55100000000001"),
        LogEntry("00000000000000a3", "rag-hybrid", "undo", ms + 2, day, ref="00000000000000a2",
                 session="5e55100000000001"),
        LogEntry("imported-uid-1", "evals-judge", "review", ms + 3, day, 4, "new", None, "mock",
                 None, "", None, None),
        LogEntry("00000000000000a5", "evals-judge", "suspend", ms + 4, day),
        LogEntry("ABCDEF0123456789", "evals-judge", "unsuspend", ms + 5, day),
    ]  # fmt: skip
    db = isolated_home / "studycli.db"
    _old_log(db, entries)
    with Store(db) as s:
        assert list(s.log()) == entries
        assert s.review_count() == 2  # a1 and imported-uid-1; a2 was undone
        assert s.undone_uids() == {"00000000000000a2"}
        assert s.conn.execute("PRAGMA freelist_count").fetchone()[0] == 0  # the old table's pages
        kinds = dict(s.conn.execute("SELECT uid, typeof(answer) FROM review_entries"))
        assert kinds["00000000000000a1"] == "blob" and kinds["00000000000000a2"] == "text"
        assert s.rebuild_states(Scheduler()) == 2
    with Store(db) as s:  # opened again: nothing left to migrate, same log
        assert list(s.log(["evals-judge"])) == entries[3:]


def test_packed_values_round_trip():
    from studycli.storage.codec import pack_answer, pack_uid, unpack_answer, unpack_uid

    for uid in ("0123456789abcdef", "0123456789ABCDEF", "not-hex-at-all!!", "abc", ""):
        assert unpack_uid(pack_uid(uid)) == uid
    assert isinstance(pack_uid("0123456789abcdef"), bytes)
    for text in ("", "short", "é" * 500, "the same phrase again " * 30, None):
        assert unpack_answer(pack_answer(text)) == text
    assert len(pack_answer("the same phrase again " * 30)) < 100


def test_reviews_due_come_weakest_first_as_the_scheduler_rates_them(store, catalogue):
    """The store orders due cards in SQL; the order must be the scheduler's retrievability."""
    rng = random.Random(11)
    now, sched = T0, Scheduler()
    for _day in range(25):
        d = drill_for(store, catalogue, now, limits=Limits(new_per_day=12))
        while d.current:
            now += dt.timedelta(seconds=30)
            d.rate(rng.choice([AGAIN, HARD, GOOD, GOOD, EASY]), now)
        now += dt.timedelta(days=rng.choice([1, 1, 2, 5]))
    day = study_day(now) + 3
    due = [
        s
        for s in store.states().values()
        if s.reps and not s.suspended and s.due_ts is None and s.due_day <= day
    ]
    assert len(due) > 20
    expected = [
        s.card_id for s in sorted(due, key=lambda s: (sched.retrievability(s, day), s.card_id))
    ]
    assert [cid for cid, due_ts in store.due_cards(day) if due_ts is None] == expected
