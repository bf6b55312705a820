"""The roadmap's schema: weeks, days and tasks, validated with file:line messages."""

from __future__ import annotations

from typing import Any

from studycli.content.model import TASK_KINDS, Day, Roadmap, Task, Week
from studycli.content.schema import _Validator
from studycli.content.yamlio import _line_of, _Problems

ROADMAP_FIELDS = {"id", "title", "source", "weeks"}

WEEK_FIELDS = {"week", "title", "goal", "targets", "days"}

DAY_FIELDS = {"day", "title", "focus", "tasks"}

TASK_FIELDS = {"id", "kind", "text"}


def _parse_roadmap(data: Any, problems: _Problems) -> Roadmap | None:
    v = _Validator(problems)
    if not v.mapping(data, (), "roadmap file"):
        return None
    before = len(problems.items)
    v.fields(data, (), "roadmap", ROADMAP_FIELDS, ("id", "title", "weeks"))
    rid = v.ident(data, (), "roadmap")
    weeks_raw = data.get("weeks")
    if weeks_raw is not None and (not isinstance(weeks_raw, list) or not weeks_raw):
        problems.add(("weeks",), "roadmap: weeks must be a non-empty list")
        weeks_raw = []
    weeks: list[Week] = []
    seen_days: dict[int, str] = {}
    seen_tasks: dict[str, str] = {}
    for wi, wraw in enumerate(weeks_raw or []):
        wpath: tuple[Any, ...] = ("weeks", wi)
        if not v.mapping(wraw, wpath, f"week {wi + 1}"):
            continue
        wnum = wraw.get("week")
        wwhat = f"week {wnum}" if isinstance(wnum, int) else f"week {wi + 1}"
        v.fields(wraw, wpath, wwhat, WEEK_FIELDS, ("week", "title", "days"))
        if not isinstance(wnum, int) or isinstance(wnum, bool) or wnum < 1:
            problems.add(wpath + ("week",), f"{wwhat}: week must be a positive whole number")
            wnum = wi + 1
        days: list[Day] = []
        days_raw = wraw.get("days")
        if days_raw is not None and (not isinstance(days_raw, list) or not days_raw):
            problems.add(wpath + ("days",), f"{wwhat}: days must be a non-empty list")
            days_raw = []
        for di, draw in enumerate(days_raw or []):
            dpath = wpath + ("days", di)
            if not v.mapping(draw, dpath, f"{wwhat} day {di + 1}"):
                continue
            dnum = draw.get("day")
            dwhat = f"day {dnum}" if isinstance(dnum, int) else f"{wwhat} day {di + 1}"
            v.fields(draw, dpath, dwhat, DAY_FIELDS, ("day", "title", "focus", "tasks"))
            if not isinstance(dnum, int) or isinstance(dnum, bool) or not 1 <= dnum <= 366:
                problems.add(dpath + ("day",), f"{dwhat}: day must be a whole number from 1")
                continue
            line = _line_of(problems.node, dpath) if problems.node is not None else ""
            if dnum in seen_days:
                problems.add(
                    dpath + ("day",), f"day {dnum} appears twice (first at line {seen_days[dnum]})"
                )
            seen_days[dnum] = str(line)
            tasks: list[Task] = []
            tasks_raw = draw.get("tasks")
            if tasks_raw is not None and (not isinstance(tasks_raw, list) or not tasks_raw):
                problems.add(dpath + ("tasks",), f"{dwhat}: tasks must be a non-empty list")
                tasks_raw = []
            for ti, traw in enumerate(tasks_raw or []):
                tpath = dpath + ("tasks", ti)
                if not v.mapping(traw, tpath, f"{dwhat} task {ti + 1}"):
                    continue
                tid = v.ident(traw, tpath, f"{dwhat} task {ti + 1}")
                twhat = f"task '{tid}'" if tid else f"{dwhat} task {ti + 1}"
                v.fields(traw, tpath, twhat, TASK_FIELDS, ("id", "kind", "text"))
                if tid and tid in seen_tasks:
                    problems.add(
                        tpath + ("id",), f"{twhat}: duplicate task id (first at {seen_tasks[tid]})"
                    )
                elif tid:
                    seen_tasks[tid] = (
                        f"line {_line_of(problems.node, tpath)}"
                        if problems.node is not None
                        else "?"
                    )
                tasks.append(
                    Task(
                        id=tid,
                        kind=v.choice(traw, "kind", tpath, twhat, TASK_KINDS),
                        text=v.text(traw, "text", tpath, twhat, max_len=2000),
                        day=dnum,
                    )
                )
            days.append(
                Day(
                    day=dnum,
                    week=wnum,
                    title=v.text(draw, "title", dpath, dwhat, max_len=200),
                    focus=v.strings(draw, "focus", dpath, dwhat, 1, 8, 40),
                    tasks=tuple(tasks),
                )
            )
        weeks.append(
            Week(
                week=wnum,
                title=v.text(wraw, "title", wpath, wwhat, max_len=200),
                goal=v.text(wraw, "goal", wpath, wwhat, required=False, max_len=2000),
                targets=v.strings(wraw, "targets", wpath, wwhat, 0, 20),
                days=tuple(sorted(days, key=lambda d: d.day)),
            )
        )
    if seen_days and sorted(seen_days) != list(range(1, max(seen_days) + 1)):
        missing = sorted(set(range(1, max(seen_days) + 1)) - set(seen_days))
        problems.add(
            ("weeks",),
            f"roadmap: days must run 1..{max(seen_days)} without gaps (missing {missing[:10]})",
        )
    if len(problems.items) != before:
        return None
    return Roadmap(
        id=rid,
        title=v.text(data, "title", (), "roadmap", max_len=200),
        source=v.text(data, "source", (), "roadmap", required=False, max_len=200),
        weeks=tuple(sorted(weeks, key=lambda w: w.week)),
        path=problems.display,
    )
