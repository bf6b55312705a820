"""Bad input, generated with hypothesis: malformed content files and malformed command lines.

Every case must end in one clean line on stderr that names the file (with its line, and the
field where one is at fault) or the option, exit status 2, and leave the database (and
config.yaml) byte for byte as they were. The content cases run the real loader through the
real CLI; the bundled folder is swapped for a small one so that each example parses two
small files instead of every bundled deck (one test below uses the real bundled content).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from studycli.clock import study_day, to_ms
from studycli.content import paths as content_mod
from studycli.content import yamlio
from studycli.dates import parse_date, parse_moment
from studycli.errors import UsageError
from studycli.scheduler import Scheduler
from studycli.storage.codec import LogEntry, new_uid
from studycli.storage.store import Store
from studycli.vocab import LEVELS

from .helpers import write

NOW = "2026-11-22T09:00:00+00:00"
FUZZ = dict(
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
CONTENT_EXAMPLES = 90
CLI_EXAMPLES = 60  # 150 in the default run, all told

BASE_DECK = {
    "id": "base",
    "title": "Base deck",
    "cards": [
        {
            "id": f"base-{n}",
            "level": "mid",
            "tags": ["base"],
            "source": "test",
            "question": f"Base question {n}?",
            "answer": "Base answer.",
            "key_points": ["point one", "point two", "point three"],
        }
        for n in ("one", "two", "three")
    ],
}

BASE_PLAN = {
    "id": "base-plan",
    "title": "Base plan",
    "weeks": [
        {
            "week": 1,
            "title": "Week one",
            "days": [
                {
                    "day": d,
                    "title": f"Day {d}",
                    "focus": ["base"],
                    "tasks": [
                        {"id": f"d{d}-drill", "kind": "drill", "text": "Drill the base deck."}
                    ],
                }
                for d in (1, 2)
            ],
        }
    ],
}


def valid_deck() -> dict[str, Any]:
    return {
        "id": "fuzz",
        "title": "Fuzz deck",
        "description": "Generated.",
        "cards": [
            {
                "id": "fuzz-one",
                "level": "senior",
                "tags": ["fuzz", "generated"],
                "source": "generated",
                "question": "What does a property-based test do?",
                "answer": "It checks a property over generated inputs.",
                "key_points": ["generates inputs", "checks a property", "shrinks failures"],
                "red_flags": ["only example tests"],
            },
            {
                "id": "fuzz-two",
                "level": "junior",
                "tags": ["fuzz"],
                "source": "generated",
                "question": "What is shrinking?",
                "answer": "Reducing a failing input to a minimal one.",
                "key_points": ["smaller input", "same failure", "easier to debug"],
            },
        ],
    }


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10**6)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def small_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "bundle"
    write(root / "decks" / "base.yaml", dump(BASE_DECK))
    write(root / "roadmap" / "plan.yaml", dump(BASE_PLAN))
    monkeypatch.setattr(content_mod, "bundled_root", lambda: root)
    return root


@pytest.fixture
def history(isolated_home: Path, small_bundle: Path) -> Path:
    """A database with a few reviews of the base cards, closed (WAL checkpointed)."""
    moment = dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC)
    sched = Scheduler()
    with Store(isolated_home / "studycli.db") as store:
        for n in ("one", "two"):
            uid = new_uid()
            entry = LogEntry(
                uid, f"base-{n}", "review", to_ms(moment), study_day(moment), rating=3, answer="x"
            )
            store.record(
                entry, sched.apply(store.state(entry.card_id), 3, entry.ts, entry.day, uid)
            )
    write(isolated_home / "config.yaml", "new_per_day: 5\n")
    return isolated_home


def snapshot(home: Path) -> tuple[str, str, tuple[int, ...], list[str]]:
    """The database and config bytes, the database's row counts and the home's database files."""
    db = home / "studycli.db"
    conn = sqlite3.connect(f"{db.absolute().as_uri()}?mode=ro", uri=True)
    try:
        counts = tuple(
            conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("review_log", "card_state", "settings", "grades", "plan_log", "mocks")
        )
    finally:
        conn.close()
    files = sorted(p.name for p in home.iterdir() if p.name.startswith("studycli.db"))
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    return digest, (home / "config.yaml").read_text(), counts, files


def clean_error(result: Any) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("studycli: "), result.stderr
    return lines[0]


# --------------------------------------------------------------------------- malformed content

NOT_TEXT = st.one_of(
    st.booleans(),
    st.lists(st.integers(), min_size=1, max_size=3),
    st.dictionaries(st.just("k"), st.integers(), min_size=1),
)
TEXT_FIELDS = {"source": 200, "question": 2000, "answer": 20000}


@st.composite
def wrong_type(draw: st.DrawFn) -> tuple[bytes, str, str | None]:
    deck = valid_deck()
    card = draw(st.sampled_from(deck["cards"]))
    field = draw(
        st.sampled_from(
            [
                "source",
                "question",
                "answer",
                "level",
                "tags",
                "key_points",
                "id",
                "red_flags",
                "figures",
            ]
        )
    )
    if field in TEXT_FIELDS:
        card[field] = draw(NOT_TEXT)
    elif field == "level":
        card[field] = draw(
            st.one_of(
                st.text(max_size=12).filter(lambda s: s not in LEVELS), st.integers(), NOT_TEXT
            )
        )
    elif field in ("tags", "red_flags"):
        card[field] = draw(
            st.one_of(
                st.text(min_size=1, max_size=5),
                st.integers(),
                st.lists(st.integers(), min_size=1, max_size=3),
                st.lists(st.just("t"), min_size=21, max_size=25),
                st.just([""]),
            )
        )
    elif field == "key_points":
        card[field] = draw(
            st.one_of(
                st.lists(st.just("p"), max_size=2),
                st.lists(st.just("p"), min_size=8, max_size=12),
                st.integers(),
            )
        )
    elif field == "figures":
        card[field] = draw(st.one_of(st.integers(), st.just([{"value": "1"}]), st.just(["x"])))
    else:
        card[field] = draw(
            st.one_of(
                st.integers(),
                st.text(min_size=1, max_size=10).filter(
                    lambda s: not re.fullmatch(r"[a-z0-9][a-z0-9-]*", s)
                ),
                NOT_TEXT,
            )
        )
    return dump(deck).encode(), "wrong type", field


@st.composite
def missing_field(draw: st.DrawFn) -> tuple[bytes, str, str | None]:
    deck = valid_deck()
    if draw(st.booleans()):
        field = draw(st.sampled_from(["id", "title", "cards"]))
        if draw(st.booleans()):
            del deck[field]
        else:
            deck[field] = None
    else:
        field = draw(
            # `source` is optional in a user deck, so it is not among the required fields
            st.sampled_from(["level", "tags", "question", "answer", "key_points"])
        )
        del draw(st.sampled_from(deck["cards"]))[field]
    return dump(deck).encode(), "missing field", field


@st.composite
def duplicate_id(draw: st.DrawFn) -> tuple[bytes, str, str | None]:
    deck = valid_deck()
    if draw(st.booleans()):
        deck["cards"][1]["id"] = deck["cards"][0]["id"]
    else:
        deck["cards"][draw(st.integers(0, 1))]["id"] = draw(
            st.sampled_from(["base-one", "base-two", "base-three"])
        )
    return dump(deck).encode(), "duplicate id", "duplicate id"


@st.composite
def huge_string(draw: st.DrawFn) -> tuple[bytes, str, str | None]:
    deck = valid_deck()
    card = draw(st.sampled_from(deck["cards"]))
    field = draw(st.sampled_from(["question", "answer", "source", "key_points", "tags"]))
    char = draw(st.sampled_from(["x", "é", "→", "😀"]))
    if field in TEXT_FIELDS:
        card[field] = char * (TEXT_FIELDS[field] + draw(st.integers(1, 30000)))
    elif field == "key_points":
        card[field][0] = char * (401 + draw(st.integers(0, 5000)))
    else:
        card[field] = [char * (41 + draw(st.integers(0, 500)))]
    return dump(deck).encode(), "huge string", field


INVALID_UTF8 = [
    b"\xff",
    b"\xfe\xfe",
    b"\xc3\x28",
    b"\xed\xa0\x80",
    b"\xf8\x88\x80\x80\x80",
    b"\xc0\xaf",
    b"\xe2\x82",
]


@st.composite
def invalid_utf8(draw: st.DrawFn) -> tuple[bytes, str, str | None]:
    data = dump(valid_deck()).encode()
    at = draw(st.integers(0, len(data)))
    bad = draw(st.sampled_from(INVALID_UTF8))
    mutated = data[:at] + bad + data[at:]
    try:
        mutated.decode("utf-8")
    except UnicodeDecodeError:
        return mutated, "invalid utf-8", "UTF-8"
    raise AssertionError("the mutation must be invalid UTF-8")


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, (old, text)
    return text.replace(old, new, 1)


@st.composite
def yaml_bomb(draw: st.DrawFn) -> tuple[bytes, str, str | None]:
    depth = draw(st.integers(1, 9))
    width = draw(st.integers(2, 9))
    kind = draw(st.sampled_from(["laughs", "nested", "merge", "self"]))
    if kind == "laughs":  # billion laughs
        lines = ['a0: &a0 ["lol"]']
        lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, depth + 1)]
        text = "\n".join(lines) + "\n"
    elif kind == "nested":  # aliases inside a card, nested in lists
        text = _replace_once(dump(valid_deck()), "  tags:\n  - fuzz\n", "  tags: &t\n  - fuzz\n")
        nested = "[" * depth + "*t" + "]" * depth
        text = _replace_once(text, "- id: fuzz-two\n", f"- id: fuzz-two\n  follow_ups: {nested}\n")
    elif kind == "merge":
        text = "base: &b {level: mid}\n" + _replace_once(
            dump(valid_deck()), "  level: senior\n", "  <<: *b\n"
        )
    else:  # an alias to an anchor around it
        text = "id: &x fuzz\ntitle: *x\ncards: []\n"
    return text.encode(), "yaml bomb", "aliases"


@st.composite
def tab_indent(draw: st.DrawFn) -> tuple[bytes, str, str | None]:
    lines = dump(valid_deck()).splitlines()
    indented = [i for i, line in enumerate(lines) if line.startswith(" ")]
    i = draw(st.sampled_from(indented))
    stripped = lines[i].lstrip(" ")
    lines[i] = draw(st.sampled_from(["\t", "\t\t", "  \t", "\t  "])) + stripped
    return ("\n".join(lines) + "\n").encode(), "tab", "tab"


@st.composite
def deep_nesting(draw: st.DrawFn) -> tuple[bytes, str, str | None]:
    depth = draw(st.integers(13, 400))
    deck = valid_deck()
    value: Any = "deep"
    for _ in range(min(depth, 60)):
        value = [value] if draw(st.booleans()) else {"k": value}
    if depth > 60:  # flow style: past what the composer should ever be asked to recurse through
        text = dump(deck) + "extra: " + "[" * depth + "]" * depth + "\n"
    else:
        deck["cards"][0]["follow_ups"] = value
        text = dump(deck)
    return text.encode(), "deep nesting", "nesting"


@st.composite
def wrong_shape(draw: st.DrawFn) -> tuple[bytes, str, str | None]:
    text = draw(
        st.sampled_from(
            [
                "",
                "   \n",
                "~\n",
                "- a\n- b\n",
                "just text\n",
                "42\n",
                "cards: {}\nid: x\ntitle: y\n",
                "id: x\ntitle: y\ncards: []\n",
                "id: x\ntitle: y\ncards: [1, 2]\n",
                "---\nid: a\n---\nid: b\n",
                "id: x\ntitle: y\ncards:\n  - id: z\n    colour: red\n",
                "key: [unclosed\n",
                "a: b: c\n",
            ]
        )
    )
    return text.encode(), "wrong shape", None


@st.composite
def control_chars(draw: st.DrawFn) -> tuple[bytes, str, str | None]:
    data = dump(valid_deck())
    at = draw(st.integers(0, len(data)))
    char = draw(
        st.sampled_from(["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\ufffe"])
    )
    return (data[:at] + char + data[at:]).encode(), "control character", None


MALFORMED = st.one_of(
    wrong_type(),
    missing_field(),
    duplicate_id(),
    huge_string(),
    invalid_utf8(),
    yaml_bomb(),
    tab_indent(),
    deep_nesting(),
    wrong_shape(),
    control_chars(),
)
BOMS = [b"", b"\xef\xbb\xbf"]
COMMANDS = [
    ("drill",),
    ("drill", "--new", "3"),
    ("today",),
    ("stats", "--json"),
    ("cards", "suspend", "base-one"),
]
_counter = itertools.count()


def _run_malformed(
    cli,
    home: Path,
    tmp: Path,
    case: tuple[bytes, str, str | None],
    bom: bytes,
    command: tuple[str, ...],
):
    data, kind, field = case
    folder = tmp / f"content-{next(_counter)}"
    path = folder / "decks" / "fuzz.yaml"
    path.parent.mkdir(parents=True)
    path.write_bytes(bom + data)
    before = snapshot(home)
    r = cli("--content", str(folder), *command, now=NOW)
    line = clean_error(r)
    assert line.startswith(f"studycli: {path}"), line
    located = re.match(rf"studycli: {re.escape(str(path))}:(\d+): ", line)
    if kind not in ("deep nesting", "wrong shape") or located:
        # File-level problems (an empty file, flow nesting) name the file; all others its line.
        assert located or kind in ("deep nesting", "wrong shape"), line
    if located:
        assert 1 <= int(located.group(1)) <= data.count(b"\n") + data.count(b"\r") + 1, line
    if field and kind in ("wrong type", "missing field", "huge string"):
        assert field in line, line
    assert snapshot(home) == before, "nothing may be written to the database"
    return kind


@settings(max_examples=CONTENT_EXAMPLES, **FUZZ)
@given(case=MALFORMED, bom=st.sampled_from(BOMS), command=st.sampled_from(COMMANDS))
@example(
    case=(b"\xff\xfe" + "id: x\n".encode("utf-16-le"), "invalid utf-8", "UTF-8"),
    bom=b"",
    command=("drill",),
)
@example(case=(b"a: &a [x]\nb: *a\n", "yaml bomb", None), bom=b"\xef\xbb\xbf", command=("drill",))
def test_malformed_content_is_one_clean_line_and_writes_nothing(
    cli, history, tmp_path, case, bom, command
):
    _run_malformed(cli, history, tmp_path, case, bom, command)


@pytest.mark.slow
@settings(max_examples=1500, **dict(FUZZ, derandomize=False))
@given(case=MALFORMED, bom=st.sampled_from(BOMS), command=st.sampled_from(COMMANDS))
def test_malformed_content_many_more_examples(cli, history, tmp_path, case, bom, command):
    _run_malformed(cli, history, tmp_path, case, bom, command)


def test_a_leading_bom_alone_is_fine(cli, history, tmp_path):
    path = tmp_path / "c" / "decks" / "fuzz.yaml"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xef\xbb\xbf" + dump(valid_deck()).encode())
    r = cli("--content", str(tmp_path / "c"), "decks", "validate")
    assert r.exit_code == 0 and "OK: 5 cards" in r.output


def test_file_over_the_size_limit(cli, history, tmp_path):
    path = tmp_path / "c" / "decks" / "big.yaml"
    path.parent.mkdir(parents=True)
    path.write_bytes(
        dump(valid_deck()).encode() + b"# " + b"x" * (yamlio.MAX_FILE_BYTES + 10) + b"\n"
    )
    before = snapshot(history)
    line = clean_error(cli("--content", str(tmp_path / "c"), "drill", now=NOW))
    assert line == f"studycli: {path}: file is larger than 4 MB"
    assert snapshot(history) == before


def test_malformed_content_next_to_the_real_bundle_in_a_subprocess(history, tmp_path, monkeypatch):
    """The whole real path once: installed CLI, bundled content, bad user deck, no traceback."""
    import subprocess

    from .helpers import studycli_command

    monkeypatch.undo()  # the real bundled content
    monkeypatch.setenv("STUDYCLI_HOME", str(history))
    path = write(
        tmp_path / "c" / "decks" / "x.yaml", dump(valid_deck()).replace("fuzz-two", "rag-why-rag")
    )
    before = snapshot(history)
    r = subprocess.run(
        [*studycli_command(), "--content", str(tmp_path / "c"), "drill"],
        capture_output=True,
        text=True,
        env={"STUDYCLI_HOME": str(history), "PATH": "/usr/bin:/bin", "STUDYCLI_NOW": NOW},
        timeout=60,
    )
    assert r.returncode == 2 and r.stdout == ""
    assert re.fullmatch(
        rf"studycli: {re.escape(str(path))}:\d+: card 'rag-why-rag': "
        r"duplicate id \(also at .*rag\.yaml:\d+\)\n",
        r.stderr,
    )
    assert snapshot(history) == before


# ---------------------------------------------------------------- malformed command lines


def _not_a_date(text: str) -> bool:
    """Text the date reader refuses whatever the option (past dates aside: --start takes them)."""
    try:
        parse_date(text, dt.date(2026, 11, 22), option="x", allow_past=True)
    except UsageError:
        return "\x00" not in text
    return False


BAD_DATE = st.one_of(
    st.sampled_from(
        [
            "2026-02-30",
            "2026-13-01",
            "3/4/2026",  # March or April?
            "Fri 22 Dec 2026",  # a Tuesday
            "32 Dec",
            "next month",
            "2026-11-22T09:00",  # a time where a date is wanted
            "0000-01-01",
        ]
    ),
    st.text(min_size=1, max_size=20),
).filter(_not_a_date)


def _not_a_moment(text: str) -> bool:
    try:
        parse_moment(text, dt.datetime(2026, 11, 22, 9, tzinfo=dt.UTC), option="STUDYCLI_NOW")
    except UsageError:
        return bool(text.strip()) and "\x00" not in text
    return False


BAD_NOW = st.one_of(
    st.sampled_from(["someday", "2026-11-22 25:00", "9am", "Dec 22 13pm"]),
    st.text(min_size=1, max_size=20),
).filter(_not_a_moment)
NOT_AN_INT = st.text(min_size=1, max_size=8).filter(
    lambda s: not re.fullmatch(r"\s*[+-]?\d+\s*", s) and not s.startswith("-")
)
UNKNOWN = st.text(min_size=1, max_size=24).filter(lambda s: not s.startswith("-"))


@st.composite
def bad_command(draw: st.DrawFn) -> tuple[tuple[str, ...], str, dict[str, str]]:
    """(argv, the name the error must mention, extra environment)."""
    kind = draw(
        st.sampled_from(
            [
                "limit",
                "new",
                "limit-text",
                "tag",
                "deck",
                "level",
                "interview",
                "start",
                "config-date",
                "config-number",
                "weakest",
                "minutes",
                "now",
                "unknown-option",
                "card",
            ]
        )
    )
    if kind == "limit":
        return ("drill", "--limit", str(draw(st.integers(max_value=0)))), "--limit", {}
    if kind == "new":
        return ("drill", "--new", str(draw(st.integers(max_value=-1)))), "--new", {}
    if kind == "limit-text":
        return ("drill", "-n", draw(NOT_AN_INT)), "--limit", {}
    if kind == "tag":
        return ("drill", "--tag", draw(UNKNOWN.filter(lambda t: t != "base"))), "--tag", {}
    if kind == "deck":
        return ("drill", "--deck", draw(UNKNOWN.filter(lambda d: d != "base"))), "--deck", {}
    if kind == "level":
        return ("drill", "--level", draw(UNKNOWN.filter(lambda v: v not in LEVELS))), "--level", {}
    if kind == "interview":
        return ("roadmap", "start", "--interview", draw(BAD_DATE)), "--interview", {}
    if kind == "start":
        return ("roadmap", "start", "--start", draw(BAD_DATE)), "--start", {}
    if kind == "config-date":
        return ("config", "set", "interview_date", "--", draw(BAD_DATE)), "interview_date", {}
    if kind == "config-number":
        value = draw(st.one_of(st.integers(max_value=-1).map(str), NOT_AN_INT))
        return ("config", "set", "new_per_day", "--", value), "new_per_day", {}
    if kind == "weakest":
        return ("cheatsheet", "--weakest", str(draw(st.integers(max_value=0)))), "--weakest", {}
    if kind == "minutes":
        return (
            ("mock", "--minutes", draw(st.one_of(st.integers(max_value=0).map(str), NOT_AN_INT))),
            "--minutes",
            {},
        )
    if kind == "now":
        return ("today",), "STUDYCLI_NOW", {"STUDYCLI_NOW": draw(BAD_NOW)}
    if kind == "card":
        return (
            ("cards", "suspend", draw(UNKNOWN.filter(lambda c: not c.startswith("base-")))),
            "CARD_ID",
            {},
        )
    option = "--" + draw(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=12).filter(
            lambda o: o not in ("help",)
        )
    )
    command = draw(st.sampled_from([("drill",), ("today",), ("stats",), ("doctor",)]))
    return (*command, option, "1"), option, {}


def _run_bad_command(cli, home: Path, case: tuple[tuple[str, ...], str, dict[str, str]]) -> None:
    argv, name, env = case
    before = snapshot(home)
    now = env.get("STUDYCLI_NOW", NOW)
    r = cli(*argv, now=now, env={k: v for k, v in env.items() if k != "STUDYCLI_NOW"})
    line = clean_error(r)
    assert name in line, (argv, line)
    assert snapshot(home) == before, "nothing may be written to the database or config"


@settings(max_examples=CLI_EXAMPLES, **FUZZ)
@given(case=bad_command())
def test_malformed_command_lines_are_one_clean_line_and_write_nothing(cli, history, case):
    _run_bad_command(cli, history, case)


@pytest.mark.slow
@settings(max_examples=1000, **dict(FUZZ, derandomize=False))
@given(case=bad_command())
def test_malformed_command_lines_many_more_examples(cli, history, case):
    _run_bad_command(cli, history, case)
