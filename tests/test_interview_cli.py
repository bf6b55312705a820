"""The interview schedule through the CLI, on a fixed clock: a card pulled forward shows up
in `today` and in the drill with its reason, `roadmap forecast`, the `schedule` setting,
and plain FSRS again after the interview."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

START = dt.date(2026, 12, 1)
INTERVIEW = dt.date(2026, 12, 22)  # 21 days after the start: a compressed plan


def at(date: dt.date, hour: int = 9) -> str:
    return f"{date.isoformat()}T{hour:02d}:00:00+00:00"


def before(days: int) -> dt.date:
    return INTERVIEW - dt.timedelta(days=days)


def start_plan(cli) -> None:
    r = cli("roadmap", "start", "--interview", INTERVIEW.isoformat(), now=at(START))
    assert r.exit_code == 0, r.output


def learn_one_easy(cli, home: Path) -> str:
    """A first answer rated Easy eight days before the interview: FSRS shows the card next
    on the interview day itself, when recall would be only about 0.90."""
    r = cli("drill", "--new", "1", "--limit", "1", now=at(before(8)), input="an answer\n\n4\n")
    assert r.exit_code == 0, r.output
    db = sqlite3.connect(home / "studycli.db")
    card_id, due_day = db.execute("SELECT card_id, due_day FROM card_state").fetchone()
    assert due_day == INTERVIEW.toordinal()
    return card_id


def test_card_fsrs_shows_on_the_day_is_pulled_forward_in_today_and_drill(cli, isolated_home):
    start_plan(cli)
    card_id = learn_one_easy(cli, isolated_home)
    out = cli("today", now=at(before(6))).output
    assert "Interview schedule for 22 Dec" in out
    assert "come early for it" not in out  # not yet: its best day is in the last days
    # the first day it is asked: late, but not the eve, which is kept light
    day = next(
        d for d in (before(5), before(4), before(3), before(2))
        if "1 of today's 1 reviews come early for it" in cli("today", now=at(d)).output
    )  # fmt: skip
    out = cli("today", now=at(day)).output
    assert "Recall on 22 Dec (1 cards seen): " in out
    with_session, without = (
        int(x.split("%")[0]) for x in out.split("(1 cards seen): ")[1].split(", ", 1)
    )
    assert with_session > without
    r = cli("drill", "--limit", "1", now=at(day), input="my answer\n\n3\n")
    assert r.exit_code == 0, r.output
    assert "1 due (1 early, for the interview)" in r.output
    assert "reviewed early so it is fresh on 22 Dec" in r.output
    # the summary counts what the plan left for today, not the cards FSRS has due
    assert "Reviewed 1 card (Good 1) · 1 early, for the interview" in r.output
    assert "still due today" not in r.output
    db = sqlite3.connect(isolated_home / "studycli.db")
    reviews = db.execute("SELECT count(*) FROM review_entries WHERE card_id = ?", (card_id,))
    assert reviews.fetchone() == (2,)


def test_longterm_schedule_keeps_plain_fsrs(cli, isolated_home):
    start_plan(cli)
    learn_one_easy(cli, isolated_home)
    assert cli("config", "set", "schedule", "longterm").exit_code == 0
    out = cli("today", now=at(before(2))).output
    assert "Interview schedule" not in out
    assert "· 0 due ·" in out  # FSRS has it due on the interview day, not before
    r = cli("config", "set", "schedule", "sometimes")
    assert r.exit_code == 2
    assert "schedule" in r.output and "expected one of interview, longterm" in r.output


def test_after_the_interview_plain_fsrs_applies(cli, isolated_home):
    start_plan(cli)
    learn_one_easy(cli, isolated_home)
    for when in (INTERVIEW, INTERVIEW + dt.timedelta(days=3)):
        out = cli("today", now=at(when)).output
        assert "Interview schedule" not in out
    assert "· 1 due ·" in cli("today", now=at(INTERVIEW)).output  # FSRS's own due day
    r = cli("roadmap", "forecast", now=at(INTERVIEW))
    assert r.exit_code == 2
    assert "no forecast: the interview was on 2026-12-22" in r.output


def test_forecast_per_deck_days_and_a_missed_day(cli, isolated_home):
    start_plan(cli)
    for offset in range(5):  # five mornings of new cards
        r = cli(
            "drill", "--new", "4", now=at(START + dt.timedelta(days=offset)), input="a\n\n3\n" * 12
        )
        assert r.exit_code == 0, r.output
    r = cli("roadmap", "forecast", now=at(before(12)))
    assert r.exit_code == 0, r.output
    out = r.output
    assert "Forecast for the interview on Tue 22 Dec · 12 days left · schedule: interview" in out
    assert "if the plan is kept" in out and "if you stopped now" in out
    assert "deck" in out and "on plan" in out
    assert "Reviews planned per day (with the " in out
    days = [line for line in out.splitlines() if line.startswith("  ") and " Dec " in line]
    assert len(days) == 12
    assert "today" in days[0] and "light" in days[-1] and "light" not in days[-2]
    # all 150 cards still to come take their last review two days out: the forecast says
    # what a flatter budget would cost, and how to set it
    load = {
        line.split(" Dec")[0].strip(): int(re.search(r"Dec\s+(?:today|light)?\s+(\d+)", line)[1])
        for line in days
    }
    busiest = max(load, key=load.__getitem__)
    assert busiest == "Sun 20"
    assert "Busiest day: Sun 20 Dec, " in out and "spreads them over earlier days" in out
    budget = int(out.split("studycli config set reviews_per_day ")[1].split()[0])
    assert 0 < budget < load[busiest]
    assert "A missed day: skip today and the plan" in out


def _loads(out: str) -> dict[str, int]:
    days = [line for line in out.splitlines() if line.startswith("  ") and " Dec " in line]
    return {
        line.split(" Dec")[0].strip(): int(re.search(r"Dec\s+(?:today|light)?\s+(\d+)", line)[1])
        for line in days
    }


def test_a_daily_time_budget_caps_the_reviews_planned(cli, isolated_home):
    start_plan(cli)
    out = cli("roadmap", "forecast", now=at(START)).output
    assert "No card seen yet: recall on 22 Dec is forecast once the drill" in out
    assert "Busiest day" not in out and "A missed day" not in out  # nothing seen to weigh
    # 30 minutes a day, as 'studycli init' asks: 4 new cards a day, and no day planned
    # with more reviews than 30 minutes hold (20 at a minute and a half)
    assert cli("config", "set", "minutes_per_day", "30").exit_code == 0
    assert cli("config", "set", "new_per_day", "4").exit_code == 0
    for offset in range(5):
        r = cli("drill", now=at(START + dt.timedelta(days=offset)), input="a\n\n3\n" * 12)
        assert r.exit_code == 0, r.output
    out = cli("roadmap", "forecast", now=at(before(12))).output
    loads = _loads(out)
    assert len(loads) == 12 and 0 < max(loads.values()) <= 20
    assert "+4 new" in out and "+5 new" not in out  # the pace the budget allows
    out = cli("today", now=at(before(12))).output
    assert (
        "Busiest day ahead: " in out
        and int(out.split("Busiest day ahead: ")[1].split(", ")[1].split()[0]) <= 20
    )


def test_forecast_without_a_plan_says_how_to_start(cli):
    r = cli("roadmap", "forecast", now=at(START))
    assert r.exit_code == 2
    assert "no forecast: no plan yet: 'studycli roadmap start --interview YYYY-MM-DD'" in r.output


def test_filtered_drill_keeps_the_plan_within_its_selection(cli, isolated_home, catalogue):
    start_plan(cli)
    card_id = learn_one_easy(cli, isolated_home)
    day = next(
        d for d in (before(5), before(4), before(3), before(2))
        if "1 of today's 1 reviews come early for it" in cli("today", now=at(d)).output
    )  # fmt: skip
    own = catalogue.cards[card_id].deck
    other = next(d for d in sorted(catalogue.decks) if d != own)
    r = cli("drill", "--deck", other, "--new", "0", now=at(day), input="")
    assert r.exit_code == 0
    assert "Nothing is due right now." in r.output
    r = cli("drill", "--deck", own, "--new", "0", now=at(day), input="x\n\n3\n")
    assert r.exit_code == 0
    assert "1 due (1 early, for the interview) · 0 new" in r.output
    assert "reviewed early so it is fresh on 22 Dec" in r.output


# --------------------------------------------------------------------------- the day's plan, reused


def _plan_now(when: dt.date, monkeypatch):
    from studycli.cli.context import AppContext, interview_plan, schedule_of

    monkeypatch.setenv("STUDYCLI_NOW", at(when))
    a = AppContext()
    return a, interview_plan(a, schedule_of(a))


def _count_plans(monkeypatch) -> list[int]:
    """The study days the planner is run for from now on."""
    from studycli.study import interview

    days: list[int] = []
    real = interview.plan_interview

    def counted(memories, today, *args, **kwargs):
        days.append(today)
        return real(memories, today, *args, **kwargs)

    monkeypatch.setattr(interview, "plan_interview", counted)
    return days


def test_the_days_plan_is_made_once_and_reused_without_cards_done(cli, isolated_home, monkeypatch):
    start_plan(cli)
    for offset in range(3):
        r = cli(
            "drill", "--new", "5", now=at(START + dt.timedelta(days=offset)), input="a\n\n3\n" * 12
        )
        assert r.exit_code == 0
    planned = _count_plans(monkeypatch)
    day = before(2)  # the cards learnt in the first days have their last review now
    a, first = _plan_now(day, monkeypatch)
    assert first is not None and first.due
    assert planned == [first.today]
    r = cli("drill", "--limit", "1", "--new", "0", now=at(day), input="x\n\n3\n")
    assert r.exit_code == 0
    left = len(first.due) - 1  # the plan's reviews left today, not every card FSRS has due
    assert f"{left} card{'s are' if left != 1 else ' is'} still due today" in r.output
    # the drill read today's plan back, and left tomorrow's when it ended
    assert planned == [first.today, first.today + 1]
    done = first.due[0]
    a, again = _plan_now(day, monkeypatch)
    assert again is not None
    assert planned == [first.today, first.today + 1]  # read back, not made again
    assert again.due == first.due[1:] and done not in again.due
    assert again.next_review == first.next_review
    # tomorrow's first start finds its plan made
    a, tomorrow = _plan_now(day + dt.timedelta(days=1), monkeypatch)
    assert tomorrow is not None and tomorrow.today == first.today + 1
    assert planned == [first.today, first.today + 1]
    # a changed setting: made again
    cli("config", "set", "reviews_per_day", "150")
    a, changed = _plan_now(day, monkeypatch)
    assert changed is not None and planned[-1] == first.today and len(planned) == 3


def test_tomorrows_plan_is_made_again_after_a_later_review(cli, isolated_home, monkeypatch):
    from studycli.storage.codec import LogEntry

    start_plan(cli)
    card_id = learn_one_easy(cli, isolated_home)
    day = before(3)
    r = cli("drill", "--new", "0", now=at(day), input="x\n\n3\n" * 3)
    assert r.exit_code == 0
    planned = _count_plans(monkeypatch)
    # a review that evening, after the drill left tomorrow's plan (a kata check, a sync)
    a = _plan_now(day, monkeypatch)[0]
    evening = dt.datetime.combine(day, dt.time(21), tzinfo=dt.UTC)
    a.store.append_and_replay(
        LogEntry("00000000000000ab", card_id, "review", int(evening.timestamp() * 1000),
                 day.toordinal(), 3, "review"),
        a.scheduler,
    )  # fmt: skip
    planned.clear()
    a, tomorrow = _plan_now(day + dt.timedelta(days=1), monkeypatch)
    assert planned == [day.toordinal() + 1]  # made again, from the memory that review left
    assert tomorrow is not None and card_id not in tomorrow.due


def test_the_days_plan_is_made_again_when_earlier_reviews_arrive(cli, isolated_home, monkeypatch):
    from studycli.storage.codec import LogEntry
    from studycli.storage.plan_cache import FILE_NAME

    start_plan(cli)
    card_id = learn_one_easy(cli, isolated_home)
    day = before(4)
    a, first = _plan_now(day, monkeypatch)
    cache = isolated_home / "cache" / FILE_NAME
    made = cache.stat().st_mtime_ns
    # a review of yesterday, brought in by a sync after the plan was made
    yesterday = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(9), tzinfo=dt.UTC)
    ts = int(yesterday.timestamp() * 1000)
    a.store.append_and_replay(
        LogEntry("00000000000000aa", card_id, "review", ts, day.toordinal() - 1, 3, "review"),
        a.scheduler,
    )
    a, again = _plan_now(day, monkeypatch)
    assert cache.stat().st_mtime_ns != made
    assert again is not None and card_id not in again.next_review  # reviewed yesterday: safe now


def test_an_unreadable_plan_file_is_made_again(cli, isolated_home, monkeypatch):
    from studycli.storage.plan_cache import FILE_NAME

    start_plan(cli)
    learn_one_easy(cli, isolated_home)
    cache = isolated_home / "cache" / FILE_NAME
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(b"\x00not a plan")
    a, plan = _plan_now(before(4), monkeypatch)
    assert plan is not None and plan.cards == 1
    assert cache.read_bytes() != b"\x00not a plan"


def test_a_card_gone_from_the_content_is_not_planned(cli, isolated_home, monkeypatch):
    from studycli.storage.codec import LogEntry

    start_plan(cli)
    learn_one_easy(cli, isolated_home)
    a, _ = _plan_now(before(6), monkeypatch)
    moment = dt.datetime.combine(before(7), dt.time(9), tzinfo=dt.UTC)
    a.store.append_and_replay(
        LogEntry("00000000000000bb", "gone-card", "review", int(moment.timestamp() * 1000),
                 before(7).toordinal(), 3, "new"),
        a.scheduler,
    )  # fmt: skip
    (isolated_home / "cache" / "interview-plan.marshal").unlink()
    a, plan = _plan_now(before(6), monkeypatch)
    assert plan is not None and plan.cards == 1 and "gone-card" not in plan.next_review
