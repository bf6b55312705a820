"""Progress files: two machines kept in step through exported files; bad files refused cleanly."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studycli.cli.context import AppContext
from studycli.errors import UsageError
from studycli.scheduler import Scheduler
from studycli.storage.codec import LOG_COLUMNS
from studycli.storage.config import Config
from studycli.storage.store import Store
from studycli.study.drill import Drill
from studycli.study.sync import FORMAT_VERSION, merge_progress, read_progress
from studycli.vocab import AGAIN, EASY, GOOD, HARD

UTC = dt.UTC


def at(day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def drill(
    home: Path, catalogue, card_ids: list[str], ratings: list[int], start: dt.datetime
) -> None:
    """Rate the given cards in order through the real Drill, one minute apart, in `home`."""
    a = AppContext(home_option=home)
    try:
        d = Drill(a.store, a.scheduler, catalogue, list(card_ids), rollover_hour=a.rollover_hour)
        now = start
        for rating in ratings:
            assert d.current is not None
            d.rate(rating, now, answer=f"typed at {now:%H:%M}", duration_ms=5000)
            now += dt.timedelta(minutes=1)
    finally:
        a.close()


def snapshot(home: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(home / "studycli.db")
    try:
        return {
            "card_state": conn.execute("SELECT * FROM card_state ORDER BY card_id").fetchall(),
            "review_log": conn.execute(
                f"SELECT {', '.join(LOG_COLUMNS)} FROM review_entries ORDER BY uid"
            ).fetchall(),
            "plan_log": conn.execute(
                "SELECT uid, task_id, kind, ts, day FROM plan_log ORDER BY uid"
            ).fetchall(),
            "settings": conn.execute(
                "SELECT key, value FROM settings WHERE key NOT LIKE 'local.%' ORDER BY key"
            ).fetchall(),
        }
    finally:
        conn.close()


def raw_dump(home: Path) -> list[str]:
    conn = sqlite3.connect(home / "studycli.db")
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def deck_cards(catalogue, deck: str, n: int) -> list[str]:
    return sorted(c.id for c in catalogue.cards.values() if c.deck == deck)[:n]


# --------------------------------------------------------------------------- the exchange


def test_two_homes_exchange_files_and_end_identical(cli, catalogue, tmp_path):
    home_a, home_b = tmp_path / "laptop", tmp_path / "desktop"
    rag = deck_cards(catalogue, "rag", 4)
    agents = deck_cards(catalogue, "agents", 4)
    shared = rag[0]  # reviewed on both machines: its two histories must interleave

    # Laptop: desired_retention changed on day 21, then two days of drilling, an undo and a suspend.
    r = cli("--home", str(home_a), "config", "set", "desired_retention", "0.85", now=iso(at(21)))
    assert r.exit_code == 0, r.output
    drill(
        home_a, catalogue, rag, [GOOD, AGAIN, HARD, EASY, GOOD], at(22)
    )  # rag[1] Again -> requeued
    drill(home_a, catalogue, [rag[0], rag[1]], [GOOD, GOOD], at(25))
    a = AppContext(home_option=home_a)
    d = Drill(a.store, a.scheduler, catalogue, [rag[2], rag[3]], rollover_hour=4)
    d.rate(AGAIN, at(26))
    d.undo(at(26, 9, 1))  # the undo travels, so the other machine ignores that rating too
    d.rate(GOOD, at(26, 9, 2))
    d.suspend(at(26, 9, 3))  # rag[3]
    a.close()

    # Desktop: other cards, the shared card on a day in between, a later config change
    # and a roadmap start.
    drill(home_b, catalogue, agents + [shared], [GOOD, GOOD, HARD, AGAIN, EASY, GOOD], at(23, 20))
    r = cli("--home", str(home_b), "config", "set", "new_per_day", "20", now=iso(at(24)))
    assert r.exit_code == 0, r.output
    b = AppContext(home_option=home_b)
    b.store.set_setting("roadmap_start", "2026-11-23")
    b.store.conn.execute(
        "INSERT INTO plan_log (uid, task_id, kind, ts, day) VALUES ('p1', 'd1-read', 'done', ?, ?)",
        (int(at(23).timestamp() * 1000), at(23).date().toordinal()),
    )
    b.close()

    file_a, file_b = tmp_path / "sync" / "laptop.jsonl", tmp_path / "sync" / "desktop.jsonl"
    file_a.parent.mkdir()
    for home, path in ((home_a, file_a), (home_b, file_b)):
        r = cli("--home", str(home), "export", "progress", "-o", str(path), now=iso(at(27)))
        assert r.exit_code == 0, r.output
    header = json.loads(file_a.read_text().splitlines()[0])
    assert header["record"] == "header" and header["version"] == FORMAT_VERSION

    for _ in range(2):  # importing twice changes nothing the second time
        ra = cli("--home", str(home_a), "import", "progress", str(file_b), now=iso(at(27, 10)))
        rb = cli("--home", str(home_b), "import", "progress", str(file_a), now=iso(at(27, 10)))
        assert ra.exit_code == 0 and rb.exit_code == 0, (ra.output, rb.output)
    assert "0 new log events (6 already here)" in ra.output  # desktop: 5 cards, one asked twice
    assert "0 new log events" in rb.output

    snap_a, snap_b = snapshot(home_a), snapshot(home_b)
    assert snap_a["review_log"] == snap_b["review_log"]
    assert snap_a["plan_log"] == snap_b["plan_log"] and len(snap_a["plan_log"]) == 1
    assert snap_a["settings"] == snap_b["settings"]
    assert snap_a["card_state"] == snap_b["card_state"]
    assert len(snap_a["review_log"]) == 11 + 6  # laptop: 9 ratings, an undo, a suspend; desktop: 6

    # Both now schedule with the merged settings; the states are exactly a replay of the merged log.
    for home in (home_a, home_b):
        ctx = AppContext(home_option=home)
        assert ctx.config["desired_retention"] == 0.85 and ctx.config["new_per_day"] == 20
        assert ctx.store.get_setting("roadmap_start") == "2026-11-23"
        sched = Scheduler(desired_retention=0.85)
        for card_id, state in ctx.store.states().items():
            assert sched.replay(card_id, ctx.store.card_events(card_id)) == state
        states = ctx.store.states()
        assert states[rag[3]].suspended
        assert states[shared].reps == 3  # laptop day 22, desktop day 23, laptop day 25
        assert (
            states[rag[2]].reps == 2 and states[rag[2]].last_rating == GOOD
        )  # the Again was undone
        ctx.close()


def test_reimport_after_more_drilling_adds_only_the_new_reviews(cli, catalogue, tmp_path):
    home_a, home_b = tmp_path / "a", tmp_path / "b"
    cards = deck_cards(catalogue, "evals", 3)
    drill(home_a, catalogue, cards, [GOOD, GOOD, GOOD], at(22))
    f = tmp_path / "a.jsonl"
    cli("--home", str(home_a), "export", "progress", "-o", str(f), now=iso(at(22, 12)))
    r = cli("--home", str(home_b), "import", "progress", str(f), now=iso(at(22, 13)))
    assert "3 new log events (0 already here)" in r.output
    drill(home_a, catalogue, cards[:1], [HARD], at(24))
    cli("--home", str(home_a), "export", "progress", "-o", str(f), now=iso(at(24, 12)))
    r = cli("--home", str(home_b), "import", "progress", str(f), now=iso(at(24, 13)))
    assert "1 new log events (3 already here)" in r.output
    assert snapshot(home_a)["card_state"] == snapshot(home_b)["card_state"]


def test_newest_setting_wins_and_ties_agree(cli, tmp_path):
    home_a, home_b = tmp_path / "a", tmp_path / "b"
    cli("--home", str(home_a), "config", "set", "desired_retention", "0.85", now=iso(at(21)))
    cli(
        "--home", str(home_b), "config", "set", "desired_retention", "0.80", now=iso(at(22))
    )  # later
    cli(
        "--home", str(home_a), "config", "set", "rollover_hour", "5", now=iso(at(23))
    )  # later still
    cli(
        "--home", str(home_b), "config", "set", "rollover_hour", "6", now=iso(at(23))
    )  # same moment
    fa, fb = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    cli("--home", str(home_a), "export", "progress", "-o", str(fa), now=iso(at(25)))
    cli("--home", str(home_b), "export", "progress", "-o", str(fb), now=iso(at(25)))
    r = cli("--home", str(home_a), "import", "progress", str(fb), now=iso(at(25, 10)))
    assert "config:desired_retention" in r.output
    cli("--home", str(home_b), "import", "progress", str(fa), now=iso(at(25, 10)))
    for home in (home_a, home_b):
        ctx = AppContext(home_option=home)
        assert ctx.config["desired_retention"] == 0.80  # the desktop's change was newer
        assert ctx.config["rollover_hour"] == 6  # a tie: both sides pick the same value
    # A setting changed and then unset travels as "unset".
    cli("--home", str(home_a), "config", "unset", "desired_retention", now=iso(at(26)))
    cli("--home", str(home_a), "export", "progress", "-o", str(fa), now=iso(at(26, 1)))
    cli("--home", str(home_b), "import", "progress", str(fa), now=iso(at(26, 2)))
    assert AppContext(home_option=home_b).config.values.get("desired_retention") is None


def test_hand_edit_is_stamped_when_first_seen(cli, tmp_path):
    """A change made behind studycli's back counts from the first export or import that sees it."""
    home_a, home_b = tmp_path / "a", tmp_path / "b"
    cli("--home", str(home_b), "config", "set", "new_per_day", "30", now=iso(at(22)))
    home_a.mkdir()
    (home_a / "config.yaml").write_text("new_per_day: 25\n")
    fa, fb = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    cli("--home", str(home_a), "export", "progress", "-o", str(fa), now=iso(at(23)))
    cli("--home", str(home_b), "export", "progress", "-o", str(fb), now=iso(at(23)))
    cli("--home", str(home_b), "import", "progress", str(fa), now=iso(at(23, 1)))
    cli("--home", str(home_a), "import", "progress", str(fb), now=iso(at(23, 1)))
    assert AppContext(home_option=home_a).config["new_per_day"] == 25
    assert AppContext(home_option=home_b).config["new_per_day"] == 25


def test_export_to_stdout(cli, catalogue, isolated_home):
    drill(isolated_home, catalogue, deck_cards(catalogue, "rag", 1), [GOOD], at(22))
    r = cli("export", "progress", "-o", "-", now=iso(at(22, 10)))
    assert r.exit_code == 0
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["record"] for x in lines] == ["header", "review_log"]
    assert lines[1]["rating"] == GOOD and lines[1]["answer"] == "typed at 09:00"
    assert "wrote 1 log events" in r.stderr


def test_export_needs_output_and_a_writable_place(cli, tmp_path):
    r = cli("export", "progress")
    assert r.exit_code == 2 and "--output" in r.output
    r = cli("export", "progress", "-o", str(tmp_path / "missing" / "p.jsonl"), now=iso(at(22)))
    assert r.exit_code == 2
    assert r.stderr.strip().splitlines() == [
        f"studycli: --output: folder '{tmp_path / 'missing'}' does not exist"
    ]


# --------------------------------------------------------------------------- bad files


@pytest.fixture
def good_file(cli, catalogue, isolated_home, tmp_path) -> Path:
    """A real export: line 1 header, 2 a setting, 3-5 review_log events."""
    cli("config", "set", "desired_retention", "0.88", now=iso(at(21)))
    drill(isolated_home, catalogue, deck_cards(catalogue, "rag", 2), [GOOD, AGAIN, GOOD], at(22))
    path = tmp_path / "good.jsonl"
    r = cli("export", "progress", "-o", str(path), now=iso(at(22, 12)))
    assert r.exit_code == 0
    return path


def edit(path: Path, number: int, change) -> Path:
    lines = path.read_text(encoding="utf-8").splitlines()
    new = change(lines[number - 1])
    if new is None:
        del lines[number - 1]
    else:
        lines[number - 1] = new
    out = path.with_name("bad.jsonl")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def patch(number: int, **fields):
    def change(line: str) -> str:
        rec = json.loads(line)
        for key, value in fields.items():
            if value is ...:
                rec.pop(key)
            else:
                rec[key] = value
        return json.dumps(rec)

    return number, change


BAD_FILES = {
    "bad-json": ((4, lambda line: line[:-3]), ":4: not valid JSON"),
    "missing-field": (patch(3, ts=...), ":3: review_log record: field 'ts': missing"),
    "unknown-record": (
        patch(4, record="grade"),
        ":4: record: field 'record': unknown record kind \"grade\"",
    ),
    "unknown-event-kind": (
        patch(5, kind="bury"),
        ":5: review_log record: field 'kind': unknown kind 'bury'",
    ),
    "bad-rating": (
        patch(3, rating=7),
        ":3: review_log record: field 'rating': must be a whole number from 1 to 4",
    ),
    "string-ts": (
        patch(3, ts="yesterday"),
        ":3: review_log record: field 'ts': must be a whole number",
    ),
    "unknown-field": (
        patch(3, colour="red"),
        ":3: review_log record: field 'colour': unknown field",
    ),
    "newer-version": (
        patch(1, version=FORMAT_VERSION + 1),
        ":1: header record: field 'version': format version 2 was written by a newer studycli",
    ),
    "not-a-progress-file": (patch(1, format="anki"), ":1: header record: field 'format'"),
    "no-header": (
        (1, lambda line: None),
        ":1: setting record: field 'record': the first line must be the header",
    ),
    "bad-config-value": (
        patch(2, value=3.5),
        ":2: setting record: field 'value': desired_retention: expected a number from 0.7 to 0.99",
    ),
    "unknown-config-key": (
        patch(2, key="grader.model"),
        ":2: setting record: field 'key': unknown config setting 'grader.model'",
    ),
    "local-store-key": (
        patch(2, scope="store", key="local.sync_stamps"),
        ":2: setting record: field 'key': 'local.sync_stamps' is a machine-local setting",
    ),
    "bad-fsrs-parameters": (
        patch(2, scope="store", key="fsrs_parameters", value=[1, 2, 3]),
        ":2: setting record: field 'value': fsrs_parameters must be a list of 21",
    ),
    "duplicate-uid": ((5, None), ":5: review_log record: field 'uid': duplicate review_log"),
    "truncated": (
        (5, lambda line: None),
        "header field 'counts': promises 3 review_log records but the file has 2",
    ),
    "not-an-object": ((3, lambda line: "[1, 2]"), ":3: each line must be a JSON object"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_is_one_line_exit_2_and_writes_nothing(case, cli, good_file, isolated_home):
    (number, change), expected = BAD_FILES[case]
    if case == "duplicate-uid":
        uid = json.loads(good_file.read_text().splitlines()[2])["uid"]
        change = lambda line: json.dumps({**json.loads(line), "uid": uid})  # noqa: E731
    bad = edit(good_file, number, change)
    before = raw_dump(isolated_home)
    config_before = (isolated_home / "config.yaml").read_text()
    r = cli("import", "progress", str(bad), now=iso(at(23)))
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"studycli: {bad}"), r.stderr
    assert expected in lines[0], lines[0]
    assert "Traceback" not in r.output
    assert raw_dump(isolated_home) == before  # not even the settings ledger moved
    assert (isolated_home / "config.yaml").read_text() == config_before


def test_missing_and_binary_files(cli, tmp_path):
    r = cli("import", "progress", str(tmp_path / "nope.jsonl"))
    assert r.exit_code == 2 and "nope.jsonl: cannot read progress file: No such file" in r.stderr
    blob = tmp_path / "blob.jsonl"
    blob.write_bytes(b"\xff\xfe\x00{\n")
    r = cli("import", "progress", str(blob))
    assert r.exit_code == 2 and f"{blob}:1: not valid UTF-8" in r.stderr
    deep = tmp_path / "deep.jsonl"
    deep.write_text("[" * 100_000 + "]" * 100_000 + "\n")
    r = cli("import", "progress", str(deep))
    assert r.exit_code == 2 and f"{deep}:1: not valid JSON: nested too deeply" in r.stderr
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    r = cli("import", "progress", str(empty))
    assert r.exit_code == 2 and "the file is empty" in r.stderr


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_fuzzed_files_never_crash_the_reader(data, good_file, tmp_path_factory):
    """Any mutation of a real file either reads cleanly or is one UsageError naming file:line."""
    lines = good_file.read_text(encoding="utf-8").splitlines()
    index = data.draw(st.integers(0, len(lines) - 1))
    rec = json.loads(lines[index])
    key = data.draw(st.sampled_from(sorted(rec)))
    junk = st.one_of(
        st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
        st.text(max_size=30), st.lists(st.integers(), max_size=25),
        st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    )  # fmt: skip
    rec[key] = data.draw(junk)
    lines[index] = json.dumps(rec)
    path = tmp_path_factory.mktemp("fuzz") / "f.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        progress = read_progress(path)
    except UsageError as exc:
        assert exc.message.startswith(f"{path}:") and "\n" not in exc.message
        return
    # What the reader accepts, the merge must take without error.
    home = path.parent / "home"
    with Store(home / "studycli.db") as store:
        merge_progress(store, Config(path=home / "config.yaml"), progress, at(23))
        store.rebuild_states(Scheduler())
