"""A grade as the rest of studycli sees it: per-point and per-flag results, score, suggestion,
spend, and what the guard noticed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from studycli.vocab import RATING_NAMES


@dataclass(frozen=True)
class PointResult:
    id: str
    text: str
    status: str  # met | missed | unverified | unassessed
    evidence: str = ""
    note: str = ""  # why a point claimed met did not count

    @property
    def met(self) -> bool:
        return self.status == "met"


@dataclass(frozen=True)
class FlagResult:
    id: str
    text: str
    status: str  # hit | unverified
    evidence: str = ""
    note: str = ""

    @property
    def hit(self) -> bool:
        return self.status == "hit"


@dataclass
class GradeResult:
    uid: str
    card_id: str
    status: str  # done | pending | failed
    answer: str
    model: str | None = None
    points: list[PointResult] = field(default_factory=list)
    flags: list[FlagResult] = field(default_factory=list)
    feedback: str = ""
    score: float | None = None
    suggested: int | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float | None = 0.0  # None: some of it has no known price
    latency_ms: int = 0
    cached: bool = False
    error: str | None = None
    config_problem: bool = (
        False  # missing key, unknown model, no LiteLLM: will not heal by retrying
    )
    notes: list[str] = field(default_factory=list)  # e.g. ignored criterion ids
    content_hash: str = ""
    cache_key: str | None = None
    verdict: dict[str, Any] | None = None
    review_uid: str | None = None
    addressed_grader: bool = False  # text addressed to the grader was taken out before grading
    echo: bool = False  # the answer mostly repeats the rubric's wording: suggestion capped
    second_look: bool = False  # met points were confirmed by a separate call
    confirmed: dict[str, bool] = field(default_factory=dict)  # point id -> second look said yes

    @property
    def done(self) -> bool:
        return self.status == "done"

    @property
    def met_count(self) -> int:
        return sum(p.met for p in self.points)

    def as_json(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "card_id": self.card_id,
            "status": self.status,
            "model": self.model,
            "met": self.met_count,
            "total": len(self.points),
            "score": self.score,
            "suggested": self.suggested,
            "suggested_name": RATING_NAMES.get(self.suggested) if self.suggested else None,
            "points": [
                {
                    "id": p.id,
                    "text": p.text,
                    "status": p.status,
                    "met": p.met,
                    "evidence": p.evidence,
                    "note": p.note,
                }
                for p in self.points
            ],
            "red_flags": [
                {
                    "id": f.id,
                    "text": f.text,
                    "status": f.status,
                    "hit": f.hit,
                    "evidence": f.evidence,
                    "note": f.note,
                }
                for f in self.flags
            ],
            "feedback": self.feedback,
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
            "cost": self.cost,
            "cost_known": self.cost is not None,
            "cached": self.cached,
            "latency_ms": self.latency_ms,
            "error": self.error,
            "notes": self.notes,
            "addressed_grader": self.addressed_grader,
            "rubric_echo": self.echo,
            "second_look": self.second_look,
        }
