"""The roadmap's schema: weeks, days and tasks, validated with file:line messages."""

from __future__ import annotations

from typing import Any

from studycli.content.model import TASK_KINDS, Day, Roadmap, Task, Week
from studycli.content.schema import ID_RE, _list_of, _Validator
from studycli.content.yamlio import _Problems

ROADMAP_FIELDS = {"id", "title", "source", "weeks"}

WEEK_FIELDS = {"week", "title", "goal", "targets", "days"}

DAY_FIELDS = {"day", "title", "focus", "tasks"}

TASK_FIELDS = {"id", "kind", "text", "katas"}


def _parse_roadmap(data: Any, problems: _Problems) -> Roadmap | None:
    return _RoadmapParser(problems).roadmap(data)


class _RoadmapParser:
    """Parses a roadmap file in parts (roadmap, week, day, task), every problem with its line."""

    def __init__(self, problems: _Problems) -> None:
        self.problems = problems
        self.v = _Validator(problems)
        self.seen_days: dict[int, str] = {}  # day number -> line of its first appearance
        self.seen_tasks: dict[str, str] = {}  # task id -> where it first appeared

    def roadmap(self, data: Any) -> Roadmap | None:
        v, problems = self.v, self.problems
        if not v.mapping(data, (), "roadmap file"):
            return None
        before = len(problems.items)
        v.fields(data, (), "roadmap", ROADMAP_FIELDS, ("id", "title", "weeks"))
        rid = v.ident(data, (), "roadmap")
        weeks_raw = _list_of(
            data.get("weeks"), problems, ("weeks",), "roadmap: weeks must be a non-empty list"
        )
        weeks = [w for i, raw in enumerate(weeks_raw) if (w := self.week(raw, i)) is not None]
        days = self.seen_days
        if days and sorted(days) != list(range(1, max(days) + 1)):
            missing = sorted(set(range(1, max(days) + 1)) - set(days))
            problems.add(
                ("weeks",),
                f"roadmap: days must run 1..{max(days)} without gaps (missing {missing[:10]})",
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

    def week(self, raw: Any, index: int) -> Week | None:
        v, path = self.v, ("weeks", index)
        if not v.mapping(raw, path, f"week {index + 1}"):
            return None
        number = raw.get("week")
        what = f"week {number}" if isinstance(number, int) else f"week {index + 1}"
        v.fields(raw, path, what, WEEK_FIELDS, ("week", "title", "days"))
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            self.problems.add(path + ("week",), f"{what}: week must be a positive whole number")
            number = index + 1
        days_raw = _list_of(
            raw.get("days"),
            self.problems,
            path + ("days",),
            f"{what}: days must be a non-empty list",
        )
        days = [
            d for i, draw in enumerate(days_raw) if (d := self.day(draw, path, i, what, number))
        ]
        return Week(
            week=number,
            title=v.text(raw, "title", path, what, max_len=200),
            goal=v.text(raw, "goal", path, what, required=False, max_len=2000),
            targets=v.strings(raw, "targets", path, what, 0, 20),
            days=tuple(sorted(days, key=lambda d: d.day)),
        )

    def day(
        self, raw: Any, week_path: tuple[Any, ...], index: int, week_what: str, week: int
    ) -> Day | None:
        v, problems = self.v, self.problems
        path = week_path + ("days", index)
        if not v.mapping(raw, path, f"{week_what} day {index + 1}"):
            return None
        number = raw.get("day")
        what = f"day {number}" if isinstance(number, int) else f"{week_what} day {index + 1}"
        v.fields(raw, path, what, DAY_FIELDS, ("day", "title", "focus", "tasks"))
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 366:
            problems.add(path + ("day",), f"{what}: day must be a whole number from 1")
            return None
        if number in self.seen_days:
            problems.add(
                path + ("day",),
                f"day {number} appears twice (first at line {self.seen_days[number]})",
            )
        line = self.problems.line(path)
        self.seen_days[number] = "" if line is None else str(line)
        tasks_raw = _list_of(
            raw.get("tasks"), problems, path + ("tasks",), f"{what}: tasks must be a non-empty list"
        )
        tasks = [
            t for i, traw in enumerate(tasks_raw) if (t := self.task(traw, path, i, what, number))
        ]
        return Day(
            day=number,
            week=week,
            title=v.text(raw, "title", path, what, max_len=200),
            focus=v.strings(raw, "focus", path, what, 1, 8, 40),
            tasks=tuple(tasks),
        )

    def task(
        self, raw: Any, day_path: tuple[Any, ...], index: int, day_what: str, day: int
    ) -> Task | None:
        v = self.v
        path = day_path + ("tasks", index)
        if not v.mapping(raw, path, f"{day_what} task {index + 1}"):
            return None
        tid = v.ident(raw, path, f"{day_what} task {index + 1}")
        what = f"task '{tid}'" if tid else f"{day_what} task {index + 1}"
        v.fields(raw, path, what, TASK_FIELDS, ("id", "kind", "text"))
        if tid and tid in self.seen_tasks:
            self.problems.add(
                path + ("id",), f"{what}: duplicate task id (first at {self.seen_tasks[tid]})"
            )
        elif tid:
            line = self.problems.line(path)
            self.seen_tasks[tid] = "?" if line is None else f"line {line}"
        return Task(
            id=tid,
            kind=v.choice(raw, "kind", path, what, TASK_KINDS),
            text=v.text(raw, "text", path, what, max_len=2000),
            day=day,
            katas=self.kata_ids(raw, path, what),
        )

    def kata_ids(self, raw: Any, path: tuple[Any, ...], what: str) -> tuple[str, ...]:
        """A task's kata references: ids only (that each names a kata, `decks validate` checks)."""
        ids = self.v.strings(raw, "katas", path, what, 1, 5, 80)
        for kid in ids:
            if not ID_RE.match(kid):
                self.problems.add(path + ("katas",), f"{what}: kata id '{kid}' is not a valid id")
        return ids
