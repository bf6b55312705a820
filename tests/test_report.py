"""report_data and `studycli report`: numbers checked against the raw log, real PDFs and HTML.

History is made the way a candidate makes it: Drill sessions with fixed datetimes,
one undo, one suspension, a mock interview and a graded answer in the database.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from studycli.clock import study_day
from studycli.scheduler import Scheduler
from studycli.storage.codec import LogEntry
from studycli.storage.config import Config
from studycli.storage.store import Store, insert_log
from studycli.study.drill import Drill

from .helpers import studycli_command
from .history import END, NOW


@pytest.fixture
def hstore(history_home):
    s = Store(history_home / "studycli.db")
    yield s
    s.close()


def data_for(store, catalogue, now=END, config=None):
    from studycli.study.report import report_data

    return report_data(store, catalogue, Scheduler(), config or Config(), now, 4)


# --------------------------------------------------------------------------- the numbers


def test_numbers_match_the_raw_log(hstore, catalogue):
    data = data_for(hstore, catalogue)
    entries = list(hstore.log())
    undone = {e.ref for e in entries if e.kind == "undo"}
    reviews = [e for e in entries if e.kind == "review" and e.uid not in undone]
    today = study_day(END, 4)
    assert data["reviews"] == {"today": sum(e.day == today for e in reviews), "total": len(reviews)}
    # True retention over 30 days: reviews of learnt cards rated Hard or better.
    recent = [e for e in reviews if e.day >= today - 29 and e.phase == "review"]
    assert data["retention_30d"] == {
        "passed": sum(e.rating > 1 for e in recent),
        "total": len(recent),
        "rate": round(sum(e.rating > 1 for e in recent) / len(recent), 4),
    }
    assert (data["retention_30d"]["passed"], data["retention_30d"]["total"]) == hstore.retention(
        today - 29
    )
    per_day: dict[int, int] = {}
    for e in reviews:
        per_day[e.day] = per_day.get(e.day, 0) + 1
    assert {row["date"]: row["reviews"] for row in data["daily"]} == {
        dt.date.fromordinal(d).isoformat(): n for d, n in per_day.items()
    }
    minutes_7d = sum(e.duration_ms for e in reviews if e.day > today - 7) / 60000
    assert data["activity"]["minutes_7d"] == round(minutes_7d, 1)
    ratings = data["activity"]["ratings_30d"]
    assert (
        sum(ratings.values())
        == data["activity"]["reviews_30d"]
        == sum(1 for e in reviews if e.day > today - 30)
    )
    # Cards: every topic adds up to the catalogue, seen/mature from the state cache.
    states = hstore.states()
    seen = [c for c in catalogue.cards if c in states and states[c].reps > 0]
    assert data["cards"]["seen"] == len(seen) > 50
    assert sum(t["cards"] for t in data["topics"]) == data["cards"]["total"] == len(catalogue.cards)
    assert sum(t["seen"] for t in data["topics"]) == data["cards"]["seen"]
    assert sum(t["mature"] for t in data["topics"]) == data["cards"]["mature"]
    # The 14-day forecast counts each seen card once if it falls due within the window.
    due_soon = sum(1 for c in seen if states[c].due_day - today < 14)
    assert sum(f["due"] for f in data["forecast"]) == due_soon
    assert len(data["forecast"]) == 14 and data["forecast"][0]["date"] == "2026-11-22"
    assert data["mocks"]["count"] == 1 and data["mocks"]["latest_score"] == 0.62
    json.dumps(data)  # plain JSON all the way down


def test_undo_and_suspend_are_respected(hstore, catalogue):
    before = data_for(hstore, catalogue)
    now = END + dt.timedelta(minutes=5)
    queue = sorted(catalogue.cards)[:2]
    drill = Drill(hstore, Scheduler(), catalogue, queue)
    drill.rate(3, now)
    drill.rate(1, now)
    drill.undo(now)  # the Again is taken back
    drill.suspend(now)
    after = data_for(hstore, catalogue, now=now + dt.timedelta(minutes=1))
    assert after["reviews"]["today"] == before["reviews"]["today"] + 1
    assert after["reviews"]["total"] == before["reviews"]["total"] + 1
    assert after["activity"]["ratings_30d"]["again"] == before["activity"]["ratings_30d"]["again"]
    assert after["cards"]["suspended"] == before["cards"]["suspended"] + 1


def test_weakest_and_leeches(hstore, catalogue):
    # The history's worst cards lapse 4-6 times: a threshold of 4 makes some of them leeches.
    data = data_for(hstore, catalogue, config=Config({"leech_lapses": 4}))
    weakest = data["weakest"]
    assert len(weakest) == 10
    assert [w["weakness"] for w in weakest] == sorted(
        (w["weakness"] for w in weakest), reverse=True
    )
    assert all(leech["lapses"] >= data["leech_lapses"] for leech in data["leeches"])
    assert data["cards"]["leeches"] == len(data["leeches"]) > 0
    # The graded card's poor grade (suggested Again) is part of its weakness.
    graded = sorted(catalogue.cards)[0]
    from studycli.study.report import weakest_cards

    rows = {
        r["id"]: r for r in weakest_cards(hstore, catalogue, Scheduler(), study_day(END, 4), None)
    }
    if graded in rows:
        assert rows[graded]["grade"] == 1.0


def test_other_modules_fill_their_sections(hstore, catalogue, monkeypatch):
    data = data_for(hstore, catalogue, config=Config({"interview_date": "2026-12-01"}))
    assert data["days_to_interview"] == 9
    assert data["readiness"] is not None and data["readiness"]["date"] == "2026-12-01"
    assert data["grader"] is not None and data["grader"]["graded"] == 1
    assert "roadmap" in data  # None until 'studycli roadmap start'
    from studycli.study import report

    monkeypatch.setitem(
        report.SECTION_HOOKS, "readiness", ("studycli.no_such_module", "report_section")
    )
    monkeypatch.setitem(report.SECTION_HOOKS, "grader", ("studycli.report", "no_such_function"))
    data = data_for(hstore, catalogue)
    assert data["readiness"] is None and data["grader"] is None


def test_daily_series_reads_the_covering_index(hstore):
    """The per-day aggregate never visits the table: its cost follows the window, not the log."""
    plan = " ".join(
        str(row[-1])
        for row in hstore.conn.execute(
            "EXPLAIN QUERY PLAN SELECT day, rating, phase, count(*), sum(duration_ms) "
            "FROM review_log INDEXED BY review_log_kind_day "
            "WHERE kind = 0 AND day BETWEEN 1 AND 2 GROUP BY day, rating, phase"
        )
    )
    assert "COVERING INDEX review_log_kind_day" in plan


def _fill(store: Store, n: int, cards: int = 10_000, days: int = 365) -> None:
    """n synthetic reviews spread over `days` days up to END, appended in time order."""
    today = study_day(END, 4)
    rng = random.Random(n)
    rows = []
    for i in range(n):
        day = today - days + 1 + (i * days) // n
        rows.append(
            LogEntry(
                uuid.uuid4().hex[:16],
                f"c{rng.randrange(cards)}",
                "review",
                day * 86_400_000,
                day,
                rng.choice((1, 3, 3, 3, 4)),
                rng.choice(("review", "review", "learning")),
                30_000,
                "self",
            )
        )
    with store.transaction() as conn:
        insert_log(conn, rows)


def _command_seconds(home: Path, *args: str) -> float:
    """Best of three wall-clock runs of the installed CLI on a home: what a user waits for."""
    env = {**os.environ, "STUDYCLI_HOME": str(home), "STUDYCLI_NOW": NOW, "TZ": "UTC"}
    best = 1e9
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([*studycli_command(), *args], env=env, check=True, capture_output=True)
        best = min(best, time.perf_counter() - t)
    return best


@pytest.mark.parametrize(
    "big",
    [
        pytest.param(
            1_000_000,
            marks=[
                pytest.mark.slow,
                pytest.mark.skipif(
                    os.environ.get("STUDYCLI_SLOW") != "1",
                    reason="set STUDYCLI_SLOW=1 (about 90 s)",
                ),
            ],
        ),
        100_000,
    ],
)
def test_cost_grows_slowly_with_the_log(tmp_path, big):
    """`stats` and `report --format html` on a home with many more reviews: at most 3x the cost."""
    homes = {n: tmp_path / f"home-{n}" for n in (1_000, big)}
    for n, home in homes.items():
        with Store(home / "studycli.db") as s:
            _fill(s, n)
    for args in (("stats",), ("report", "--format", "html", "-o", str(tmp_path / "r.html"))):
        small = _command_seconds(homes[1_000], *args)
        large = _command_seconds(homes[big], *args)
        assert large < 3 * small, (args, small, large)


# --------------------------------------------------------------------------- the command


def test_report_json_is_report_data(cli, history_home):
    r = cli("report", "--format", "json", now=NOW)
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["reviews"]["total"] > 100 and len(data["forecast"]) == 14
    stats = json.loads(cli("stats", "--json", now=NOW).output)
    assert stats == data


def test_report_pdf_has_charts_numbers_and_page_footer(cli, history_home, tmp_path):
    import pypdf

    out = tmp_path / "report.pdf"
    r = cli("report", "-o", str(out), now=NOW)
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"wrote {out} (") and "pages, A4" in r.output
    data = json.loads(cli("report", "-f", "json", now=NOW).output)
    reader = pypdf.PdfReader(io.BytesIO(out.read_bytes()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for heading in (
        "Summary",
        "Readiness on the interview date",
        "Reviews per day",
        "True retention by week",
        "Cards seen and mature per topic",
        "Due in the next 14 days",
        "Roadmap adherence",
        "Weakest cards",
        "Leeches",
        "Mock interviews",
        "Grader agreement and spend",
    ):
        assert heading in text, heading
    assert f"{data['reviews']['total']:,} in total" in text
    assert f"page 1 of {len(reader.pages)}" in text and "generated 2026-11-22" in text
    # Charts are drawn (vector paths), not pictures: the heatmap's legend text is in the PDF.
    assert "less" in text and "more" in text
    assert f"reviews on {sum(1 for _ in data['daily'])} days" in text


def test_report_html_is_self_contained(cli, history_home, tmp_path):
    out = tmp_path / "report.html"
    assert cli("report", "-o", str(out), now=NOW).exit_code == 0
    html = out.read_text()
    assert html.count("<svg") >= 5
    for bad in ("<script", "<link", "src=", "@import", "url("):
        assert bad not in html
    assert "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "@media print" in html and "counter(page)" in html


def test_report_markdown_prints(cli, history_home):
    r = cli("report", "--format", "md", now=NOW)
    assert r.exit_code == 0
    assert r.output.startswith("# studycli progress report\n")
    assert "| Week of | Reviews |" in r.output and "## Due in the next 14 days" in r.output


def test_report_on_an_empty_home(cli, tmp_path):
    for fmt in ("html", "pdf", "md", "json"):
        r = cli("report", "-f", fmt, "-o", str(tmp_path / f"r.{fmt}"), now=NOW)
        assert r.exit_code == 0, (fmt, r.output)
    assert "No card reviewed yet." in (tmp_path / "r.md").read_text()


def test_bad_options_are_one_line_and_exit_2(cli, tmp_path):
    cases = [
        (
            ("report", "--format", "docx"),
            "studycli: --format: must be one of html, pdf, md, json (got 'docx')",
        ),
        (("report", "--paper", "a3"), "studycli: --paper: must be one of a4, letter (got 'a3')"),
        (
            ("report", "-o", str(tmp_path / "nope" / "r.html")),
            f"studycli: -o: folder '{tmp_path / 'nope'}' does not exist",
        ),
        (
            ("report", "-o", str(tmp_path)),
            f"studycli: -o: '{tmp_path}' is a folder; give a file name",
        ),
    ]
    for args, message in cases:
        r = cli(*args, now=NOW)
        assert r.exit_code == 2 and r.output.strip() == message, r.output
    assert list(tmp_path.iterdir()) == []


def test_unwritable_output_leaves_nothing_behind(cli, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        r = cli("report", "-o", str(locked / "r.html"), now=NOW)
        if r.exit_code == 0:  # running as root: permissions do not apply
            pytest.skip("file permissions are not enforced for this user")
        assert r.exit_code == 2 and r.output.startswith(f"studycli: -o: cannot write in '{locked}'")
    finally:
        locked.chmod(0o700)
    assert list(locked.iterdir()) == []


# --------------------------------------------------------------------------- a real browser


def _chromium() -> str | None:
    return (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )


@pytest.mark.skipif(
    _chromium() is None,
    reason="no Chromium on this machine (dev machines: apt-get install chromium)",
)
def test_report_renders_in_headless_chromium(cli, history_home, tmp_path):
    """The HTML report opens from disk with the network off and draws its charts."""
    from PIL import Image

    page = tmp_path / "report.html"
    shot = tmp_path / "shot.png"
    assert cli("report", "-o", str(page), now=NOW).exit_code == 0
    profile = tmp_path / "profile"
    subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--window-size=1200,1800",
            "--proxy-server=127.0.0.1:9",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    image = Image.open(shot).convert("RGB")
    assert image.size == (1200, 1800)
    colours = image.getcolors(maxcolors=1 << 20) or []
    # The heatmap and bars are drawn: the report's greens and blue cover real area.
    green = sum(n for n, (r, g, b) in colours if g > 120 and g > r + 40 and g > b + 30)
    blue = sum(n for n, (r, g, b) in colours if b > 140 and b > r + 60 and b > g + 20)
    assert green > 5_000 and blue > 2_000, (green, blue)


def test_report_reads_the_text_of_only_the_cards_it_shows(hstore, tmp_path):
    """Card text is read from the content cache on first use; the report ranks every card
    but must read only the weakest and leeches it shows (a 10,000-card home stays fast)."""
    from studycli.content.loader import load_catalogue

    cache = tmp_path / "cache"
    load_catalogue(cache_dir=cache)  # writes the cache
    cached = load_catalogue(cache_dir=cache)  # a catalogue whose card text is lazy

    def text_read(card) -> bool:
        try:
            object.__getattribute__(card, "question")
        except AttributeError:
            return False
        return True

    data = data_for(hstore, cached)
    shown = {r["id"] for r in data["weakest"]} | {r["id"] for r in data["leeches"]}
    read = {c.id for c in cached.cards.values() if text_read(c)}
    assert shown and len(data["weakest"]) < data["cards"]["seen"]
    assert read <= shown
