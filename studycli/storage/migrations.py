"""Schema migrations (sqlite_utils.Migrations). Released migrations are never edited.

Each step is a plain function listed in `STEPS` in order; `MIGRATION_NAMES` is derived
from that list, so a normal start checks the schema without importing sqlite-utils, and
no second list has to be kept in step. A released step depends on nothing that can
change: it imports only the review-log codec, and the vocabulary it encodes is frozen
here as it was when the step was released.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from studycli.storage.codec import pack_answer, pack_uid

if TYPE_CHECKING:
    from sqlite_utils import Database, Migrations

Step = Callable[["Database"], None]
STEPS: list[Step] = []


def step(fn: Step) -> Step:
    STEPS.append(fn)
    return fn


@step
def m001_review_log(db: Database) -> None:
    # The source of truth: append-only. `kind` is review | undo | suspend | unsuspend.
    db.execute(
        """
        CREATE TABLE review_log (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            card_id TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'review',
            ts INTEGER NOT NULL,            -- epoch milliseconds, UTC
            day INTEGER NOT NULL,           -- study day (local date ordinal after rollover)
            rating INTEGER,                 -- 1 Again, 2 Hard, 3 Good, 4 Easy
            phase TEXT,                     -- card phase before this review
            duration_ms INTEGER,
            rated_by TEXT,                  -- self | grader | mock
            suggested INTEGER,              -- grader's suggested rating, if any
            answer TEXT,
            ref TEXT,                       -- for undo: uid of the review undone
            session TEXT
        )
        """
    )
    db.execute("CREATE INDEX review_log_card ON review_log(card_id, ts)")
    db.execute("CREATE INDEX review_log_undo ON review_log(ref) WHERE kind = 'undo'")
    db.execute("CREATE INDEX review_log_day ON review_log(day)")


@step
def m002_card_state(db: Database) -> None:
    # A cache: `studycli doctor --rebuild` recomputes every row from review_log alone.
    db.execute(
        """
        CREATE TABLE card_state (
            card_id TEXT PRIMARY KEY,
            phase TEXT NOT NULL,            -- new | learning | review | relearning
            stability REAL,
            difficulty REAL,
            due_day INTEGER,
            due_ts INTEGER,                 -- epoch ms; set while (re)learning within a day
            last_day INTEGER,
            last_ts INTEGER,
            first_day INTEGER,
            reps INTEGER NOT NULL DEFAULT 0,
            lapses INTEGER NOT NULL DEFAULT 0,
            last_rating INTEGER,
            suspended INTEGER NOT NULL DEFAULT 0,
            last_uid TEXT
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX card_state_due ON card_state(due_day)")
    db.execute("CREATE INDEX card_state_first ON card_state(first_day)")


@step
def m003_settings(db: Database) -> None:
    # Settings that travel with the review log (e.g. fitted FSRS parameters).
    db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")


@step
def m004_grades(db: Database) -> None:
    # One row per grading attempt of a typed answer; `cache_key` makes the same answer free.
    db.execute(
        """
        CREATE TABLE grades (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            review_uid TEXT,                -- review_log.uid this grade belongs to, if any
            card_id TEXT NOT NULL,
            ts INTEGER NOT NULL,
            status TEXT NOT NULL,           -- done | pending | failed
            model TEXT,
            cache_key TEXT,
            content_hash TEXT,
            answer TEXT,
            checklist TEXT,                 -- JSON
            score REAL,
            suggested INTEGER,
            final_rating INTEGER,
            feedback TEXT,
            tokens_in INTEGER,
            tokens_out INTEGER,
            cost REAL,
            latency_ms INTEGER,
            error TEXT
        )
        """
    )
    db.execute("CREATE INDEX grades_cache ON grades(cache_key)")
    db.execute("CREATE INDEX grades_status ON grades(status)")
    db.execute("CREATE INDEX grades_review ON grades(review_uid)")


@step
def m005_plan_log(db: Database) -> None:
    # Roadmap progress, append-only like the review log: kind is done | undone.
    db.execute(
        """
        CREATE TABLE plan_log (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            task_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            ts INTEGER NOT NULL,
            day INTEGER NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX plan_log_task ON plan_log(task_id, ts)")


@step
def m006_mocks(db: Database) -> None:
    # Timed mock interviews; answers also go to review_log (rated_by = 'mock').
    db.execute(
        """
        CREATE TABLE mocks (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            started_ts INTEGER NOT NULL,
            finished_ts INTEGER,
            kind TEXT NOT NULL,
            level TEXT,
            minutes REAL,
            transcript TEXT,                -- JSON: questions, answers, time taken, checklist, scores
            markdown_path TEXT,
            score REAL
        )
        """
    )


@step
def m007_report_review_stats_index(db: Database) -> None:
    # Covers the per-day aggregates of stats and report (reviews, retention, ratings, time),
    # so they never visit the table: their cost follows the rows in the window, not the log.
    db.execute(
        "CREATE INDEX review_log_kind_day ON review_log(kind, day, rating, phase, duration_ms)"
    )


@step
def m008_compact_review_log(db: Database) -> None:
    # Five years of heavy use is about a million reviews; this layout keeps them near 50 bytes
    # each plus the typed answer (see "the review log's encoding" in store.py): kinds and phases
    # become small integers, card ids, raters and sessions become keys into `names` (each
    # string stored once), uids their 8 bytes, and long answers are zlib-compressed.
    # review_log_day goes: every per-day query also filters on kind (review_log_kind_day).
    # the vocabulary of 0.1, frozen: a code is a position in these tuples
    KINDS = ("review", "undo", "suspend", "unsuspend")
    PHASES = ("new", "learning", "review", "relearning")

    conn = db.conn
    conn.create_function("studycli_uid", 1, pack_uid, deterministic=True)
    conn.create_function("studycli_answer", 1, pack_answer, deterministic=True)
    kind_code = " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(KINDS))
    phase_code = " ".join(f"WHEN '{p}' THEN {i}" for i, p in enumerate(PHASES))
    db.execute("CREATE TABLE names (key INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
    db.execute(
        "INSERT INTO names (name) SELECT name FROM ("
        "SELECT card_id AS name FROM review_log UNION SELECT rated_by FROM review_log "
        "UNION SELECT session FROM review_log) WHERE name IS NOT NULL ORDER BY name"
    )
    db.execute(
        """
        CREATE TABLE review_log_new (
            id INTEGER PRIMARY KEY,
            uid BLOB NOT NULL UNIQUE,       -- 8 bytes (16 hex digits outside); other uids as TEXT
            card INTEGER NOT NULL,          -- names.key of the card id
            kind INTEGER NOT NULL,          -- KINDS: 0 review, 1 undo, 2 suspend, 3 unsuspend
            ts INTEGER NOT NULL,            -- epoch milliseconds, UTC
            day INTEGER NOT NULL,           -- study day (local date ordinal after rollover)
            rating INTEGER,                 -- 1 Again, 2 Hard, 3 Good, 4 Easy
            phase INTEGER,                  -- PHASES: card phase before this review
            duration_ms INTEGER,
            rated_by INTEGER,               -- names.key: self | grader | mock
            suggested INTEGER,              -- grader's suggested rating, if any
            answer,                         -- TEXT, or BLOB: zlib of the UTF-8 text
            ref BLOB,                       -- for undo: uid of the review undone
            session INTEGER                 -- names.key of the session id
        )
        """
    )
    db.execute(
        f"""
        INSERT INTO review_log_new (id, uid, card, kind, ts, day, rating, phase, duration_ms,
                                    rated_by, suggested, answer, ref, session)
        SELECT l.id, studycli_uid(l.uid), c.key, CASE l.kind {kind_code} END, l.ts, l.day,
               l.rating, CASE l.phase {phase_code} END, l.duration_ms, r.key, l.suggested,
               studycli_answer(l.answer), studycli_uid(l.ref), s.key
        FROM review_log l JOIN names c ON c.name = l.card_id
        LEFT JOIN names r ON r.name = l.rated_by LEFT JOIN names s ON s.name = l.session
        ORDER BY l.id
        """
    )
    db.execute("DROP TABLE review_log")
    db.execute("ALTER TABLE review_log_new RENAME TO review_log")
    db.execute("CREATE INDEX review_log_card ON review_log(card, ts)")
    db.execute("CREATE INDEX review_log_undo ON review_log(ref) WHERE kind = 1")
    db.execute(
        "CREATE INDEX review_log_kind_day ON review_log(kind, day, rating, phase, duration_ms)"
    )
    # The log as LogEntry's plain strings, for reading (and for anyone opening the file with
    # the sqlite3 shell); an answer stays a zlib BLOB when it was compressed.
    uid, ref = (
        f"CASE typeof(l.{c}) WHEN 'blob' THEN lower(hex(l.{c})) ELSE l.{c} END"
        for c in ("uid", "ref")
    )
    kind_text = " ".join(f"WHEN {i} THEN '{k}'" for i, k in enumerate(KINDS))
    phase_text = " ".join(f"WHEN {i} THEN '{p}'" for i, p in enumerate(PHASES))
    db.execute(
        f"""
        CREATE VIEW review_entries AS
        SELECT l.id AS id, {uid} AS uid, c.name AS card_id, CASE l.kind {kind_text} END AS kind,
               l.ts AS ts, l.day AS day, l.rating AS rating, CASE l.phase {phase_text} END AS phase,
               l.duration_ms AS duration_ms, r.name AS rated_by, l.suggested AS suggested,
               l.answer AS answer, {ref} AS ref, s.name AS session
        FROM review_log l JOIN names c ON c.key = l.card
        LEFT JOIN names r ON r.key = l.rated_by LEFT JOIN names s ON s.key = l.session
        """
    )


MIGRATION_NAMES = tuple(fn.__name__ for fn in STEPS)


def migration_set() -> Migrations:
    """The steps as a sqlite-utils migration set (imports sqlite-utils: only when needed)."""
    from sqlite_utils import Migrations

    migrations = Migrations("studycli")
    for fn in STEPS:
        migrations()(fn)
    return migrations
