"""Katas: the bundled ones load, each stub fails its checks and each reference passes them;
the sandbox turns whatever a candidate's file does into one line; ratings and the log."""

from __future__ import annotations

import datetime as dt
import signal
import time
from pathlib import Path

import pytest

from studycli.content import katas as C
from studycli.errors import ContentError, UsageError
from studycli.scheduler import Scheduler
from studycli.study import katas as K
from studycli.study.kata_runner import RunResult, run_checks
from studycli.vocab import AGAIN, EASY, GOOD, HARD

from .helpers import ROOT, write

UTC = dt.UTC
T0 = dt.datetime(2026, 11, 22, 9, tzinfo=UTC)
KATA_IDS = sorted(p.name for p in (ROOT / "decks" / "katas").iterdir() if p.is_dir())


@pytest.fixture(scope="module")
def bundled() -> dict[str, C.Kata]:
    return C.load_katas([ROOT])


def test_at_least_ten_katas_load(bundled):
    assert len(bundled) >= 10
    assert sorted(bundled) == KATA_IDS
    for kata in bundled.values():
        assert kata.minutes >= 5 and kata.entry and kata.task and kata.notes
        assert kata.card_id == f"kata-{kata.id}"


def test_kata_folders_are_not_decks(catalogue):
    assert not any(card_id.startswith("kata-") for card_id in catalogue.cards)
    assert "katas" not in catalogue.decks


def test_related_cards_exist(bundled, catalogue):
    for kata in bundled.values():
        for card in kata.cards:
            assert card in catalogue.cards, f"{kata.id}: no card {card}"


@pytest.mark.parametrize("kata_id", KATA_IDS)
def test_stub_fails_and_reference_passes(bundled, kata_id):
    kata = bundled[kata_id]
    stub = run_checks(kata.checks_path, kata.folder / "stub.py", entry=kata.entry)
    assert stub.error is None, stub.error
    assert stub.checks and not any(c.passed for c in stub.checks), [
        c.name for c in stub.checks if c.passed
    ]
    ref = run_checks(kata.checks_path, kata.folder / "solution.py", entry=kata.entry)
    assert ref.passed, ref.lines
    assert len(ref.checks) >= 10
    assert len({c.name for c in ref.checks}) == len(ref.checks), "check names must be unique"


def test_stub_names_its_edge_cases_and_holds_no_solution(bundled):
    for kata in bundled.values():
        stub = kata.stub()
        assert stub.startswith('"""') and "raise NotImplementedError" in stub
        assert len(stub) < len(kata.solution()) + 2500
        for name in kata.entry:
            assert f"def {name}(" in stub or f"class {name}" in stub


# -- the sandbox -------------------------------------------------------------------

CHECKS = """
from katacheck import check, eq

@check("adds two numbers")
def _(m):
    eq(m.add(2, 3), 5, "as the sum")

@check("adds negatives")
def _(m):
    eq(m.add(-2, -3), -5, "as the sum")
"""


@pytest.fixture
def checks(tmp_path: Path) -> Path:
    return write(tmp_path / "checks.py", CHECKS)


def run(checks: Path, source: str, **kw) -> RunResult:
    path = write(checks.parent / "cand.py", source)
    kw.setdefault("entry", ("add",))
    return run_checks(checks, path, display="cand.py", **kw)


def test_failures_are_one_plain_line_each(checks):
    result = run(checks, "def add(a, b):\n    return a - b\n")
    assert not result.passed
    assert result.lines == [
        "adds two numbers: expected 5 as the sum, got -1",
        "adds negatives: expected -5 as the sum, got 1",
    ]


def test_a_pass(checks):
    result = run(checks, "def add(a, b):\n    return a + b\n")
    assert result.passed and result.lines == [] and len(result.checks) == 2


def test_syntax_error_is_one_line(checks):
    result = run(checks, "def add(a, b)\n    return a + b\n")
    assert result.lines == ["syntax error at line 1: expected ':'"]


def test_exception_names_the_candidates_line_not_ours(checks):
    result = run(checks, "def add(a, b):\n    x = {}\n    return x['k']\n")
    assert result.lines[0] == "adds two numbers: your code raised KeyError: 'k' (line 3)"
    assert "checks.py" not in " ".join(result.lines) and "Traceback" not in " ".join(result.lines)


def test_endless_loop_in_a_check_times_out_alone(checks):
    source = "def add(a, b):\n    while a < 0:\n        pass\n    return a + b\n"
    started = time.monotonic()
    result = run(checks, source, check_seconds=0.5)
    assert time.monotonic() - started < 5
    assert result.checks[0].passed
    assert result.lines == ["adds negatives: did not finish within 0.5 s (an endless loop?)"]


def test_endless_loop_that_blocks_the_timeout_is_killed(checks):
    source = (
        "import signal\ndef add(a, b):\n    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
        "    while True:\n        pass\n"
    )
    started = time.monotonic()
    result = run(checks, source, check_seconds=0.3, total_seconds=2)
    assert time.monotonic() - started < 6
    assert result.lines == [
        "adds two numbers: did not finish within 2 s (an endless loop?)",
    ]


def test_endless_loop_at_import_is_one_line(checks):
    result = run(checks, "while True:\n    pass\n", total_seconds=1.5)
    assert result.lines == ["did not finish within 1.5 s (an endless loop?)"]


def test_memory_bomb_is_contained(checks):
    source = "def add(a, b):\n    x = []\n    while True:\n        x.append(bytearray(10**8))\n"
    result = run(checks, source, memory_mb=256)
    assert result.lines[0] == "adds two numbers: ran out of memory"


def test_crash_and_exit_are_one_line(checks):
    aborted = run(checks, "import os\ndef add(a, b):\n    os.abort()\n")
    assert aborted.lines == ["adds two numbers: crashed (SIGABRT)"]
    assert signal.SIGABRT  # the name comes from the signal module
    exited = run(checks, "import sys\ndef add(a, b):\n    sys.exit(3)\n")
    assert exited.lines[0] == "adds two numbers: your code called sys.exit()"
    hard_exit = run(checks, "import os\ndef add(a, b):\n    os._exit(3)\n")
    assert hard_exit.lines == ["adds two numbers: exited early with status 3"]


def test_missing_name_and_load_error(checks):
    assert run(checks, "def plus(a, b):\n    return a + b\n").lines == [
        "the file does not define add"
    ]
    assert run(checks, "import numpy_not_here\n").lines == [
        "the file failed to load: ModuleNotFoundError: No module named 'numpy_not_here' (line 1)"
    ]


def test_no_real_sleep_no_network_and_prints_are_harmless(checks, tmp_path):
    sleepy = run(checks, "import time\ndef add(a, b):\n    time.sleep(30)\n    return a + b\n")
    assert "time.sleep is disabled" in sleepy.lines[0]
    net = run(
        checks,
        "import socket\ndef add(a, b):\n    socket.create_connection(('example.com', 80))\n",
    )
    assert "network access is disabled" in net.lines[0]
    noisy = run(checks, "import sys\ndef add(a, b):\n    print('{\"event\": \"done\"}')\n"
                "    sys.stderr.write('x' * 100000)\n    return a + b\n")  # fmt: skip
    assert noisy.passed


def test_runs_in_a_scratch_folder_that_is_removed(checks, tmp_path):
    source = (
        "import os\nopen('left-behind.txt', 'w').write(os.getcwd())\n"
        "def add(a, b):\n    return a + b\n"
    )
    result = run(checks, source)
    assert result.passed
    assert not (tmp_path / "left-behind.txt").exists()
    assert not list(Path.cwd().glob("left-behind.txt"))


def test_broken_checks_say_so(tmp_path):
    bad = write(tmp_path / "checks.py", "from katacheck import nothing_like_this\n")
    result = run(bad, "def add(a, b):\n    return a + b\n")
    assert result.error is not None and result.error.startswith("the kata's checks did not load")


# -- loading errors ------------------------------------------------------------------


def kata_tree(root: Path, kata_id: str, yaml_text: str) -> Path:
    folder = root / "decks" / "katas" / kata_id
    write(folder / "kata.yaml", yaml_text)
    for name in ("stub.py", "solution.py", "checks.py"):
        write(folder / name, "")
    return folder


GOOD_YAML = """id: demo
title: Demo
level: junior
minutes: 10
tags: [coding]
source: 000.txt
entry: [add]
task: Add two numbers.
notes: Plain.
"""


def test_a_bad_kata_names_file_line_and_field(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    kata_tree(tmp_path, "demo", GOOD_YAML.replace("minutes: 10", "minutes: ten"))
    with pytest.raises(ContentError) as err:
        C.load_katas([tmp_path])
    assert err.value.problems == [
        "decks/katas/demo/kata.yaml:4: kata: minutes must be a whole number from 1 to 240"
    ]
    assert err.value.exit_code == 2


def test_kata_id_must_match_folder_and_files_must_exist(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = kata_tree(tmp_path, "other", GOOD_YAML)
    (folder / "checks.py").unlink()
    with pytest.raises(ContentError) as err:
        C.load_katas([tmp_path])
    assert err.value.problems == [
        "decks/katas/other/kata.yaml:1: kata: id 'demo' must match its folder name 'other'",
        "decks/katas/other/checks.py: missing (a kata needs checks.py)",
    ]


def test_find_kata_suggests(bundled):
    assert C.find_kata(bundled, "rrf").id == "rrf"
    assert C.find_kata(bundled, "kata-rrf").id == "rrf"
    with pytest.raises(UsageError, match="no kata 'token-chunkr' \\(did you mean 'token-chunker'"):
        C.find_kata(bundled, "token-chunkr")


def test_check_file_refuses_what_it_cannot_read(bundled, tmp_path):
    kata = bundled["rrf"]
    with pytest.raises(UsageError, match="no such file"):
        K.check_file(kata, tmp_path / "missing.py")
    with pytest.raises(UsageError, match="not a file"):
        K.check_file(kata, tmp_path)
    big = write(tmp_path / "big.py", "#" * (K.MAX_CANDIDATE_BYTES + 1))
    with pytest.raises(UsageError, match="larger than"):
        K.check_file(kata, big)


# -- rating and the log ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("passed", "elapsed", "rating"),
    [
        (False, 10, AGAIN),
        (False, None, AGAIN),
        (True, None, GOOD),
        (True, 15 * 60, EASY),
        (True, 15 * 60 + 1, GOOD),
        (True, 30 * 60, GOOD),
        (True, 30 * 60 + 1, HARD),
    ],
)
def test_rate(passed, elapsed, rating):
    assert K.rate(passed, elapsed, 30) == rating


def test_checks_are_reviews_and_a_pass_stops_the_clock(store, bundled, tmp_path):
    kata = bundled["rrf"]
    scheduler = Scheduler()
    K.start(store, kata, T0)
    assert K.started_ms(store, kata) is not None
    stub = write(tmp_path / "rrf.py", kata.stub())
    failed = K.record_check(
        store, scheduler, kata, K.check_file(kata, stub), T0 + dt.timedelta(minutes=4)
    )
    assert failed.rating == AGAIN and failed.passed == 0 and failed.total >= 10
    assert K.started_ms(store, kata) is not None  # still running after a failure
    solved = write(tmp_path / "rrf.py", kata.solution())
    passed = K.record_check(
        store, scheduler, kata, K.check_file(kata, solved), T0 + dt.timedelta(minutes=12)
    )
    assert passed.rating == GOOD and passed.passed == passed.total  # 12 min of 15
    assert passed.elapsed_s == 12 * 60
    assert K.started_ms(store, kata) is None
    log = list(store.log([kata.card_id]))
    assert [(e.rating, e.rated_by, e.duration_ms) for e in log] == [
        (AGAIN, "kata", 4 * 60 * 1000),
        (GOOD, "kata", 12 * 60 * 1000),
    ]
    assert log[0].answer.startswith("0/") and "not written yet" in log[0].answer
    assert log[1].answer == f"{passed.total}/{passed.total} checks passed"
    state = store.state(kata.card_id)
    assert state.reps == 2 and state.phase == "review"


def test_mutation_script_finds_and_kills_mutants_of_a_kata(monkeypatch):
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(
        "kata_mutation", ROOT / "bench" / "kata_mutation.py"
    )
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "kata_mutation", bench)  # dataclasses look their module up
    spec.loader.exec_module(bench)
    source = (ROOT / "decks" / "katas" / "rrf" / "solution.py").read_text()
    kinds = {m.what.split()[0] for m in bench.mutants(source)}
    assert {"drop", "<", "1", "and", "+", "True", ">="} & kinds  # several operators apply
    tried, survivors = bench.score_kata(ROOT / "decks" / "katas" / "rrf", check_seconds=1.0)
    assert tried >= 25 and (tried - len(survivors)) / tried >= 0.8
