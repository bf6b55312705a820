# ruff: noqa: E501  (embedded scripts for other interpreters are kept on one line each)
"""studycli benchmarks, side by side with Anki, in fresh processes. Writes bench/results.json.

    python bench/run.py --anki-python .venv-bench/bin/python [--quick]

Builds (once, cached under bench/work/) a content folder of 10,000 generated cards,
a small home (1,000 reviews) and a large one (1,000,000 reviews, about five years
of heavy use), and an Anki collection of 10,000 notes with the same review history.
Every timing is a median over repeated fresh processes; ratios are what to read,
since absolute numbers move with the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results.json"
STUDYCLI = [str(Path(sys.executable).with_name("studycli"))]
NOW = "2026-11-22T09:00:00+00:00"
N_CARDS = 10_000
FIRST_CARD = r"\d+/\d+ \S+ [\w-]+ \S+ (junior|mid|senior|staff)"  # the drill's card header
DECKS = 10
HISTORY_DAYS = 5 * 365
WORDS = [
    "retrieval",
    "chunk",
    "embedding",
    "latency",
    "cost",
    "cache",
    "router",
    "gateway",
    "tenant",
    "eval",
    "judge",
    "drift",
    "rollback",
    "prompt",
    "injection",
    "guardrail",
    "agent",
    "tool",
    "budget",
    "loop",
    "memory",
    "context",
    "token",
    "rerank",
    "hybrid",
    "vector",
    "index",
    "shard",
    "replica",
    "canary",
    "shadow",
    "metric",
    "rubric",
    "golden",
    "dataset",
    "failure",
    "incident",
    "mitigation",
]


def say(msg: str) -> None:
    print(msg, flush=True)


def answer_prose() -> list[list[str]]:
    """The model answers of the bundled decks, as word lists: what typed answers resemble."""
    import yaml

    return [
        card["answer"].split()
        for path in sorted((ROOT / "decks").glob("*.yaml"))
        for card in yaml.safe_load(path.read_text(encoding="utf-8"))["cards"]
    ]


def typed_answer(rng: random.Random, prose: list[list[str]]) -> str:
    """6-60 consecutive words of one answer: English as a candidate would type it."""
    words = rng.choice(prose)
    n = rng.randint(6, 60)
    start = rng.randint(0, max(0, len(words) - n))
    return " ".join(words[start : start + n])


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


# --------------------------------------------------------------------------- fixtures


def build_content(folder: Path) -> None:
    if (folder / "decks" / f"bench-{DECKS - 1}.yaml").exists():
        return
    import yaml

    rng = random.Random(1)
    (folder / "decks").mkdir(parents=True, exist_ok=True)
    per = N_CARDS // DECKS
    for d in range(DECKS):
        cards = [
            {
                "id": f"bench-{d}-{i}",
                "level": rng.choice(["junior", "mid", "senior", "staff"]),
                "tags": [f"bench-{d}", rng.choice(WORDS)],
                "source": "bench",
                "question": sentence(rng, 14)[:-1] + "?",
                "answer": " ".join(sentence(rng, 16) for _ in range(10)),
                "key_points": [sentence(rng, 8) for _ in range(5)],
            }
            for i in range(per)
        ]
        doc = {"id": f"bench-{d}", "title": f"Bench deck {d}", "cards": cards}
        (folder / "decks" / f"bench-{d}.yaml").write_text(
            yaml.safe_dump(doc, sort_keys=False), encoding="utf-8"
        )


def review_history(n_reviews: int, seed: int) -> list[tuple[str, int, int]]:
    """(card_id, study day, rating) in time order: n reviews spread over the 10,000 cards."""
    import datetime as dt

    rng = random.Random(seed)
    end = dt.date(2026, 11, 21).toordinal()
    start = end - HISTORY_DAYS
    cards = [f"bench-{d}-{i}" for d in range(DECKS) for i in range(N_CARDS // DECKS)]
    per_card = max(1, n_reviews // len(cards))
    chosen = cards if n_reviews >= len(cards) else rng.sample(cards, n_reviews)
    rows: list[tuple[str, int, int]] = []
    for cid in chosen:
        days = sorted(rng.randint(start, end) for _ in range(per_card))
        for day in days:
            rows.append((cid, day, rng.choices([1, 2, 3, 4], weights=[10, 15, 65, 10])[0]))
    rows.sort(key=lambda r: r[1])
    return rows[:n_reviews]


def build_home(home: Path, n_reviews: int) -> None:
    sys.path.insert(0, str(ROOT))
    from studycli.scheduler import Scheduler
    from studycli.storage.codec import LogEntry
    from studycli.storage.migrations import MIGRATION_NAMES
    from studycli.storage.store import Store, insert_log

    # rebuilt when the schema or the way homes are made changes
    key = f"{MIGRATION_NAMES[-1]} prose-answers"
    ready = home / "ready"
    if ready.exists() and ready.read_text() == key:
        return
    shutil.rmtree(home, ignore_errors=True)

    rng = random.Random(2)
    store = Store(home / "studycli.db")
    prose = answer_prose()
    seen: set[str] = set()
    batch: list[LogEntry] = []
    session = ""
    with store.transaction() as conn:
        for i, (cid, day, rating) in enumerate(review_history(n_reviews, seed=3)):
            if i % 20 == 0:  # a session of about twenty reviews
                session = f"{rng.getrandbits(64):016x}"
            # about half the reviews have a typed answer: 6-60 words of real English prose
            answer = typed_answer(rng, prose) if rng.random() < 0.5 else ""
            ts = (day - 719163) * 86_400_000 + 9 * 3_600_000 + i % 3_600_000
            phase = "review" if cid in seen else "new"
            seen.add(cid)
            batch.append(
                LogEntry(
                    f"{rng.getrandbits(64):016x}",
                    cid,
                    "review",
                    ts,
                    day,
                    rating,
                    phase,
                    rng.randint(5_000, 90_000),
                    "self",
                    None,
                    answer,
                    None,
                    session,
                )  # fmt: skip
            )
            if len(batch) >= 50_000:
                insert_log(conn, batch)
                batch.clear()
        insert_log(conn, batch)
    store.rebuild_states(Scheduler())
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    ready.write_text(key)


ANKI_BUILD = r"""
import sys, random, datetime as dt
from anki.collection import Collection
path, n_reviews = sys.argv[1], int(sys.argv[2])
col = Collection(path)
col.set_config("fsrs", True)
model = col.models.by_name("Basic")
rng = random.Random(1)
words = "retrieval chunk embedding latency cost cache router gateway tenant eval judge drift".split()
deck_ids = [col.decks.id(f"bench::bench-{d}") for d in range(10)]
for d, did in enumerate(deck_ids):
    for i in range(1000):
        note = col.new_note(model)
        note["Front"] = " ".join(rng.choice(words) for _ in range(14)) + "?"
        note["Back"] = " ".join(rng.choice(words) for _ in range(160))
        note.tags = [f"bench-{d}"]
        col.add_note(note, did)
cids = col.db.list("select id from cards order by id")
# the same history shape as studycli's large home: due reviews and a million-row revlog
today = col.sched.today
rows, ts = [], 1_500_000_000_000
per = max(1, n_reviews // len(cids))
for n in range(n_reviews):
    cid = cids[(n // per) % len(cids)]
    ts += 150
    rows.append((ts, cid, -1, rng.choice([1, 2, 3, 3, 3, 4]), 5, 3, 2500, 20000, 1))
def history():
    col.db.executemany("insert into revlog (id,cid,usn,ease,ivl,lastIvl,factor,time,type) values (?,?,?,?,?,?,?,?,?)", rows)
    for i, cid in enumerate(cids):
        if i % 20 == 0:
            continue  # a few stay new
        due = today - rng.randint(0, 3) if i % 7 == 0 else today + rng.randint(1, 60)
        col.db.execute("update cards set type=2, queue=2, ivl=?, due=?, reps=5, factor=2500 where id=?", 10, due, cid)
col.db.transact(history)
col.decks.select(col.decks.id("bench"))  # study the whole collection, as studycli drill does
col.close()
"""

ANKI_FIRST = r"""
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
card = col.sched.getCard()
print("FIRST:", card.question()[:40], flush=True)
col.close(downgrade=False)
"""

ANKI_ANSWER = r"""
import sys, time, statistics, json
from anki.collection import Collection
col = Collection(sys.argv[1])
times = []
for i in range(int(sys.argv[2])):
    card = col.sched.getCard()
    if card is None:
        break
    card.start_timer()
    t = time.perf_counter()
    col.sched.answerCard(card, 3)
    times.append(time.perf_counter() - t)
col.close(downgrade=False)
print(json.dumps(times))
"""

STUDYCLI_ANSWER = r"""
import sys, time, json, datetime as dt, os
from studycli.cli.context import AppContext
from studycli.study.day_plan import plan_day
from studycli.study.drill import Drill
a = AppContext(content_dirs=[sys.argv[1]])
now = a.now()
plan = plan_day(list(a.catalogue.cards), a.catalogue.cards, a.store, now, a.rollover_hour, a.limits)
drill = Drill(a.store, a.scheduler, a.catalogue, plan.queue, rollover_hour=a.rollover_hour)
times = []
for i in range(int(sys.argv[2])):
    if drill.current is None:
        break
    t = time.perf_counter()
    drill.rate(3, now + dt.timedelta(seconds=i), answer="typed answer", duration_ms=1000)
    times.append(time.perf_counter() - t)
print(json.dumps(times))
"""


STUDYCLI_PLAN = r"""
import sys, time, json, statistics
from pathlib import Path
from studycli.cli.context import AppContext, interview_plan, paced_limits, schedule_of, today_date
from studycli.storage.plan_cache import FILE_NAME
from studycli.study.interview import Model, plan_interview
from studycli.study.roadmap import upcoming_new
a = AppContext(content_dirs=[sys.argv[1]])
runs = int(sys.argv[2])
limits, order, view, pace = paced_limits(a, schedule_of(a), today_date(a))
schedule = view.schedule
cache = a.home / "cache" / FILE_NAME
first, later, read, alone = [], [], [], []
for _ in range(runs):
    cache.unlink(missing_ok=True)
    t = time.perf_counter(); plan = interview_plan(a, schedule, pace); first.append(time.perf_counter() - t)
    t = time.perf_counter(); interview_plan(a, schedule, pace); later.append(time.perf_counter() - t)
    t = time.perf_counter(); memories = a.store.memories(); read.append(time.perf_counter() - t)
model = Model(a.scheduler.parameters)
upcoming = upcoming_new(schedule, pace, view.date)
today, interview = view.date.toordinal(), schedule.interview.toordinal()
for _ in range(runs):
    t = time.perf_counter()
    plan_interview(memories, today, interview, model=model, upcoming=upcoming)
    alone.append(time.perf_counter() - t)
ms = lambda xs: statistics.median(xs) * 1000
print(json.dumps({"cards": len(memories), "due_today": len(plan.due), "days_left": plan.days_left,
                  "read_ms": ms(read), "plan_ms": ms(alone), "first_start_ms": ms(first),
                  "later_start_ms": ms(later)}))
"""


PLAN_TOMORROW = r"""
import sys
from studycli.cli.context import AppContext, plan_tomorrow
plan_tomorrow(AppContext(content_dirs=[sys.argv[1]]))
"""


def build_anki(path: Path, anki_python: str, n_reviews: int) -> None:
    if path.exists():
        return
    say(f"building Anki collection with {N_CARDS} notes and {n_reviews} revlog rows ...")
    tmp = path.with_suffix(".tmp.anki2")
    tmp.unlink(missing_ok=True)
    subprocess.run([anki_python, "-c", ANKI_BUILD, str(tmp), str(n_reviews)], check=True)
    tmp.rename(path)


# --------------------------------------------------------------------------- measuring


def until_marker(cmd: list[str], marker: str, env: dict[str, str] | None = None) -> float:
    """Seconds from process start until `marker` appears on its output."""
    return until_marker_cpu(cmd, marker, env)[0]


def until_marker_cpu(
    cmd: list[str], marker: str, env: dict[str, str] | None = None
) -> tuple[float, float]:
    """(seconds of wall clock, seconds of CPU) from process start until `marker` appears on
    its output. CPU time holds steadier than the wall clock on a busy machine."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.PIPE, env=env
    )
    assert proc.stdout is not None
    buf = b""
    pattern = re.compile(marker.encode())
    while True:
        chunk = proc.stdout.read1(65536)
        if not chunk:
            proc.wait()
            raise RuntimeError(f"{cmd[:3]} ended without {marker!r}: {buf[-500:]!r}")
        buf += chunk
        if pattern.search(buf):
            elapsed = time.perf_counter() - start
            break
    proc.kill()
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = -9
    return elapsed, usage.ru_utime + usage.ru_stime


def whole(cmd: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    return time.perf_counter() - start


def median_of(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm the page cache and the content cache; not counted
    return statistics.median([fn() for _ in range(runs)])


def env_for(home: Path) -> dict[str, str]:
    env = dict(
        os.environ,
        STUDYCLI_HOME=str(home),
        STUDYCLI_NOW=NOW,
        STUDYCLI_PLAIN="1",
        TZ="UTC",
        COLUMNS="120",
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure as installed: with cached bytecode
    return env


def compile_bytecode(python: str) -> None:
    """Write .pyc files for everything importable, as pip does at install time."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    code = "import compileall, sys, site; [compileall.compile_dir(p, quiet=1) for p in sys.path if p.endswith('site-packages')]"
    subprocess.run([python, "-c", code], env=env, check=False, capture_output=True)
    subprocess.run(
        [python, "-m", "compileall", "-q", str(ROOT / "studycli")],
        env=env,
        check=False,
        capture_output=True,
    )


def imported_modules(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    """Cumulative import time (ms) of each top-level module a command imports."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "studycli", *cmd],
        env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    out: dict[str, float] = {}
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)$", line)
        if m:  # any depth: keep each package's largest cumulative figure
            root = m.group(3).split(".")[0]
            out[root] = max(out.get(root, 0.0), int(m.group(1)) / 1000)
    return out


def import_cost(module: str) -> float | None:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True, text=True,
        env=dict(os.environ, LITELLM_LOCAL_MODEL_COST_MAP="True"),
    )  # fmt: skip
    if proc.returncode:
        return None
    last = [ln for ln in proc.stderr.splitlines() if ln.rstrip().endswith(f"| {module}")]
    return int(last[-1].split("|")[1]) / 1000 if last else None


def db_size(home: Path) -> int:
    return sum(p.stat().st_size for p in home.glob("studycli.db*"))


# --------------------------------------------------------------------------- interview


def interview_figures(content: Path, large: Path, runs: int, seeds: int) -> dict:
    """The simulated candidate (bench/interview_sim.py: interview-aware vs plain FSRS), the
    planner's time on the large home with a plan running, and time to first card then."""
    sys.path.insert(0, str(ROOT / "bench"))
    import interview_sim

    say(f"simulated candidate, {seeds} seeds a run ...")
    out: dict = {"simulation": interview_sim.compare(seeds)}
    home = WORK / "run-plan"
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(large, home)
    env = env_for(home)
    drill = [*STUDYCLI, "--content", str(content), "drill"]
    now = dt.date.fromisoformat(NOW[:10])
    interview = now + dt.timedelta(days=21)
    start = interview - dt.timedelta(days=30)  # day 10 of the 30-day plan, three weeks to go
    subprocess.run(
        [*STUDYCLI, "roadmap", "start", "--interview", interview.isoformat(),
         "--start", start.isoformat()],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-c", STUDYCLI_PLAN, str(content), str(max(runs, 5))],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    out["planner"] = json.loads(proc.stdout)
    longterm = WORK / "run-plan-longterm"
    shutil.rmtree(longterm, ignore_errors=True)
    shutil.copytree(home, longterm)
    subprocess.run(
        [*STUDYCLI, "config", "set", "schedule", "longterm"],
        env=env_for(longterm), check=True, capture_output=True,
    )  # fmt: skip
    cache = home / "cache" / "interview-plan.marshal"
    yesterday = (dt.datetime.fromisoformat(NOW) - dt.timedelta(days=1)).isoformat()
    evening = [sys.executable, "-c", PLAN_TOMORROW, str(content)]

    def made_last_night() -> tuple[float, float]:  # what the end of yesterday's drill left
        cache.unlink(missing_ok=True)
        subprocess.run(evening, env={**env, "STUDYCLI_NOW": yesterday}, check=True)
        return until_marker_cpu(drill, FIRST_CARD, env)

    def first_of_day() -> tuple[float, float]:  # the day's plan not made yet
        cache.unlink(missing_ok=True)
        return until_marker_cpu(drill, FIRST_CARD, env)

    # time to first card in turns, so that a busy spell of the machine falls on all alike
    setups = {
        "no_plan": lambda: until_marker_cpu(drill, FIRST_CARD, env_for(WORK / "run-large")),
        "plan_longterm": lambda: until_marker_cpu(drill, FIRST_CARD, env_for(longterm)),
        "plan_first_of_day": first_of_day,
        "plan_made_last_night": made_last_night,
        "plan_later": lambda: until_marker_cpu(drill, FIRST_CARD, env),
    }
    if not (WORK / "run-large").exists():
        shutil.copytree(large, WORK / "run-large")
    for measure in setups.values():
        measure()  # warm the page cache and the content cache; not counted
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in setups}
    for _ in range(runs):
        for name, measure in setups.items():
            times[name].append(measure())
    out["time_to_first_card_s"] = {
        name: {
            "wall": statistics.median(w for w, _ in pairs),
            "cpu": statistics.median(c for _, c in pairs),
        }
        for name, pairs in times.items()
    }
    return out


def plan_ratios(r: dict) -> None:
    """CPU time to first card with a plan running, over the same home on plain FSRS."""
    first = r["interview"]["time_to_first_card_s"]
    base = first["plan_longterm"]["cpu"]
    ratios = r.setdefault("ratios", {})
    ratios["ttfc_plan_over_longterm_cpu"] = first["plan_later"]["cpu"] / base
    ratios["ttfc_plan_first_of_day_over_longterm_cpu"] = first["plan_first_of_day"]["cpu"] / base
    ratios["ttfc_plan_made_last_night_over_longterm_cpu"] = (
        first["plan_made_last_night"]["cpu"] / base
    )


def print_interview(r: dict) -> None:
    import interview_sim

    iv = r["interview"]
    p = iv["planner"]
    print(interview_sim.table(iv["simulation"]))
    print(
        f"planner, {p['cards']} cards, {p['days_left']} days left: plan {p['plan_ms']:.1f} ms, "
        f"reading the cards {p['read_ms']:.1f} ms; at a start: {p['first_start_ms']:.1f} ms the "
        f"first of the day, {p['later_start_ms']:.1f} ms later that day"
    )
    t = iv["time_to_first_card_s"]
    base = t["no_plan"]
    print("time to first card, large home        wall      cpu   (cpu / no plan)")
    for name, v in t.items():
        print(
            f"  {name.replace('_', ' '):34} {v['wall'] * 1000:5.0f} ms {v['cpu'] * 1000:5.0f} ms"
            f"   {v['cpu'] / base['cpu']:.2f}"
        )


# --------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--anki-python", help="Python with the anki package (side-by-side figures)")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--large", type=int, default=1_000_000, help="reviews in the large home")
    ap.add_argument("--quick", action="store_true", help="100k reviews, 3 runs (a smoke run)")
    ap.add_argument("--seeds", type=int, default=20, help="simulated candidates per run")
    ap.add_argument(
        "--interview-only",
        action="store_true",
        help="only the interview figures, merged into the results file",
    )
    args = ap.parse_args()
    if args.quick:
        args.large, args.runs = 100_000, 3
    WORK.mkdir(parents=True, exist_ok=True)
    content = WORK / "content"
    small, large = WORK / "home-small", WORK / f"home-{args.large}"
    t = time.perf_counter()
    compile_bytecode(sys.executable)
    if args.anki_python:
        compile_bytecode(args.anki_python)
    build_content(content)
    say("building homes (cached in bench/work) ...")
    build_home(small, 1_000)
    build_home(large, args.large)
    say(f"fixtures ready in {time.perf_counter() - t:.0f}s")
    if args.interview_only:
        r = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        r["interview"] = interview_figures(content, large, args.runs, args.seeds)
        plan_ratios(r)
        RESULTS.write_text(json.dumps(r, indent=2) + "\n")
        print_interview(r)
        return 0
    results: dict = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "note": "medians of fresh processes; read the ratios, absolute times vary by machine",
        },
        "cards": N_CARDS,
        "reviews_small": 1_000,
        "reviews_large": args.large,
        "runs": args.runs,
    }
    drill = [*STUDYCLI, "--content", str(content), "drill"]

    # time to first card, small and large homes, studycli
    ttfc = {}
    for name, home in (("small", small), ("large", large)):
        work_home = WORK / f"run-{name}"
        shutil.rmtree(work_home, ignore_errors=True)
        shutil.copytree(home, work_home)
        ttfc[name] = median_of(
            lambda h=work_home: until_marker(drill, FIRST_CARD, env_for(h)), args.runs
        )
    results["time_to_first_card_s"] = {
        "studycli_small": ttfc["small"],
        "studycli_large": ttfc["large"],
    }
    say(
        f"time to first card: small {ttfc['small'] * 1000:.0f} ms, large {ttfc['large'] * 1000:.0f} ms"
    )

    # whole-process times and what they import
    for name, cmd in (("help", ["--help"]), ("today", ["--content", str(content), "today"])):
        for hname in ("small", "large"):
            env = env_for(WORK / f"run-{hname}")
            results.setdefault("whole_process_s", {})[f"{name}_{hname}"] = median_of(
                lambda c=cmd, e=env: whole([*STUDYCLI, *c], e), args.runs
            )
        mods = imported_modules(cmd, env_for(WORK / "run-small"))
        heavy = [
            "litellm",
            "questionary",
            "fpdf",
            "reportlab",
            "weasyprint",
            "genanki",
            "prompt_toolkit",
            "sqlite_utils",
        ]
        results.setdefault("imports_ms", {})[name] = {
            m: v for m, v in sorted(mods.items(), key=lambda kv: -kv[1])[:8]
        }
        results.setdefault("heavy_imported", {})[name] = [m for m in heavy if m in mods]
    results["import_cost_ms"] = {
        m: import_cost(m)
        for m in (
            "typer",
            "rich.console",
            "yaml",
            "sqlite_utils",
            "prompt_toolkit",
            "questionary",
            "fsrs_rs_python",
            "litellm",
            "fpdf",
            "genanki",
        )
    }

    # stats, report and export on small vs large
    for label, cmd in (
        ("stats", ["--content", str(content), "stats"]),
        ("stats_json", ["--content", str(content), "stats", "--json"]),
        (
            "report_html",
            ["--content", str(content), "report", "--format", "html", "-o", str(WORK / "r.html")],
        ),
        (
            "export_progress",
            ["--content", str(content), "export", "progress", "-o", str(WORK / "p.jsonl")],
        ),
    ):
        try:
            for hname in ("small", "large"):
                env = env_for(WORK / f"run-{hname}")
                results.setdefault("whole_process_s", {})[f"{label}_{hname}"] = median_of(
                    lambda c=cmd, e=env: whole([*STUDYCLI, *c], e), max(3, args.runs // 2)
                )
        except subprocess.CalledProcessError:
            results.setdefault("skipped", []).append(label)
    results["db_bytes"] = {"small": db_size(small), "large": db_size(large)}

    # per answer, studycli (fresh copy of the large home)
    answer_home = WORK / "run-answer"
    shutil.rmtree(answer_home, ignore_errors=True)
    shutil.copytree(large, answer_home)
    out = subprocess.run(
        [sys.executable, "-c", STUDYCLI_ANSWER, str(content), "200"],
        env=env_for(answer_home),
        capture_output=True,
        text=True,
        check=True,
    )
    results["per_answer_s"] = {"studycli": statistics.median(json.loads(out.stdout))}

    if args.anki_python:
        col = WORK / f"anki-{args.large}.anki2"
        build_anki(col, args.anki_python, args.large)
        run_col = WORK / "run-anki.anki2"
        shutil.copy(col, run_col)
        anki_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        anki_first = median_of(
            lambda: until_marker(
                [args.anki_python, "-c", ANKI_FIRST, str(run_col)], "FIRST:", anki_env
            ),
            args.runs,
        )
        results["time_to_first_card_s"]["anki_large"] = anki_first
        shutil.copy(col, run_col)
        out = subprocess.run(
            [args.anki_python, "-c", ANKI_ANSWER, str(run_col), "200"],
            capture_output=True,
            text=True,
            check=True,
        )
        results["per_answer_s"]["anki"] = statistics.median(json.loads(out.stdout))
        results["anki_version"] = subprocess.run(
            [args.anki_python, "-c", "import anki.buildinfo as b; print(b.version)"],
            capture_output=True,
            text=True,
        ).stdout.strip()

    r = results
    ttfc_r = r["time_to_first_card_s"]
    w = r["whole_process_s"]
    ratios = {
        "ttfc_large_over_small": ttfc_r["studycli_large"] / ttfc_r["studycli_small"],
        "today_large_over_small": w["today_large"] / w["today_small"],
    }
    for label in ("stats", "report_html", "export_progress"):
        if f"{label}_large" in w:
            ratios[f"{label}_large_over_small"] = w[f"{label}_large"] / w[f"{label}_small"]
    if "anki_large" in ttfc_r:
        ratios["ttfc_studycli_over_anki"] = ttfc_r["studycli_large"] / ttfc_r["anki_large"]
        ratios["per_answer_studycli_over_anki"] = (
            r["per_answer_s"]["studycli"] / r["per_answer_s"]["anki"]
        )
    r["interview"] = interview_figures(content, large, args.runs, args.seeds)
    r["ratios"] = ratios
    plan_ratios(r)
    r["targets"] = {
        "ttfc_studycli_over_anki": "<= 0.5",
        "per_answer_studycli_over_anki": "<= 1.0",
        "ttfc_large_over_small": "<= 1.3",
        "today_large_over_small": "<= 1.3",
        "stats_large_over_small": "<= 3",
        "report_html_large_over_small": "<= 3",
        "export_progress": "linear in the log",
        "db_bytes_large": "< 200 MB at 1,000,000 reviews",
        "ttfc_plan_over_longterm_cpu": "<= 1.05 (the day's interview plan is reused)",
        "ttfc_plan_first_of_day_over_longterm_cpu": "as low as it goes (the day's plan is made)",
        "ttfc_plan_made_last_night_over_longterm_cpu": "<= 1.05 (yesterday's drill left the plan)",
        "interview_planner_ms": "< 50 for 10,000 cards",
        "interview_simulation": "mean recall >= 0.96, >= 97% of cards at 0.9, reviews <= plain",
    }
    RESULTS.write_text(json.dumps(r, indent=2) + "\n")
    print_table(r)
    print_interview(r)
    return 0


def print_table(r: dict) -> None:
    lines = ["", f"{'measure':44} {'value':>12}"]
    for k, v in r["time_to_first_card_s"].items():
        lines.append(f"{'time to first card, ' + k:44} {v * 1000:10.0f}ms")
    for k, v in r["per_answer_s"].items():
        lines.append(f"{'per answer, ' + k:44} {v * 1000:10.2f}ms")
    for k, v in r["whole_process_s"].items():
        lines.append(f"{'whole process, ' + k:44} {v * 1000:10.0f}ms")
    for k, v in r["db_bytes"].items():
        lines.append(f"{'database size, ' + k:44} {v / 1e6:10.1f}MB")
    for k, v in r["ratios"].items():
        lines.append(f"{'ratio ' + k:44} {v:12.2f}")
    lines.append("heavy modules imported: " + json.dumps(r["heavy_imported"]))
    lines.append(f"written to {RESULTS.relative_to(ROOT)}")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
