"""The shapes of the report's data, as TypedDicts: what `report_data` returns and what the
renderers (`render.report`, `tui.stats`) and `stats --json` read, checked by mypy.

Keys `cards`, `reviews` and `retention_30d` are a stable contract for scripts.
"""

from __future__ import annotations

from typing import Any, TypedDict


class CardCounts(TypedDict):
    total: int
    seen: int
    due: int
    new_today: int
    suspended: int
    mature: int
    young: int
    unseen: int
    leeches: int


class ReviewCounts(TypedDict):
    today: int
    total: int


class Rate(TypedDict):
    passed: int
    total: int
    rate: float | None


class RatingCounts(TypedDict):
    again: int
    hard: int
    good: int
    easy: int


class Activity(TypedDict):
    window_days: int
    reviews_7d: int
    reviews_30d: int
    days_studied_30d: int
    streak_days: int
    minutes_7d: float
    minutes_30d: float
    ratings_30d: RatingCounts
    first_day: str | None


class DayRow(TypedDict):
    date: str
    reviews: int
    minutes: float | None
    retention: float | None


class WeekRow(TypedDict):
    week_start: str
    reviews: int
    review_phase: int
    passed: int
    rate: float | None


class ForecastRow(TypedDict):
    date: str
    due: int


class TopicRow(TypedDict):
    deck: str
    title: str
    cards: int
    seen: int
    mature: int
    due: int
    suspended: int
    leeches: int
    recall: float | None


class CardRow(TypedDict):
    """A card in the weakest-cards and leech tables."""

    id: str
    deck: str
    question: str
    recall: float
    lapses: int
    reviews: int
    last_rating: int | None
    grade: float | None
    weakness: float


class MockItem(TypedDict):
    date: str
    kind: str
    level: str | None
    minutes: float
    finished: bool
    score: float | None


class Mocks(TypedDict):
    count: int
    scored: int
    latest_score: float | None
    best_score: float | None
    items: list[MockItem]


class KataItem(TypedDict):
    id: str
    checks: int
    passes: int
    best_seconds: int | None
    last_rating: str | None
    last_date: str | None
    due: str | None


class Katas(TypedDict):
    total: int  # katas in the content
    attempted: int
    passed: int  # katas passed at least once
    checks: int
    due_today: int
    items: list[KataItem]  # the attempted ones, by id


class ReportData(TypedDict):
    schema: int
    generated: str
    date: str
    interview_date: str | None
    days_to_interview: int | None
    cards: CardCounts
    reviews: ReviewCounts
    retention_30d: Rate
    activity: Activity
    daily: list[DayRow]
    retention_by_week: list[WeekRow]
    forecast: list[ForecastRow]
    topics: list[TopicRow]
    weakest: list[CardRow]
    leeches: list[CardRow]
    leech_lapses: int
    desired_retention: float
    mature_days: int
    mocks: Mocks
    # Sections other modules fill in (SECTION_HOOKS); None when a module has nothing to say.
    grader: dict[str, Any] | None
    readiness: dict[str, Any] | None
    roadmap: dict[str, Any] | None
    katas: Katas | None
