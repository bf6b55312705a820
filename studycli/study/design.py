"""The system-design round: one design prompt, worked through in timed phases.

The phases follow the six-step framework of the prep material: clarify, high-level
design, deep dive, trade-offs, failure modes, scaling (with cost, latency and
evaluation). Each phase has a time box (a share of the round), a prompt, and a rubric
of checkable points that a grader model, or the candidate, ticks. No terminal here: the
loop is `tui.design`, the storage is the `mocks` table (kind "system-design").
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from studycli.clock import to_ms
from studycli.content.model import Card, Catalogue
from studycli.errors import UsageError
from studycli.storage import mocks
from studycli.storage.codec import new_uid
from studycli.storage.store import Store
from studycli.vocab import LEVELS


class Phase(NamedTuple):
    id: str
    title: str
    weight: int  # minutes of a 40-minute round; the round's length scales them
    prompt: str
    rubric: tuple[str, ...]
    guide: str  # what a strong answer to this phase does (shown in the review)


PHASES: tuple[Phase, ...] = (
    Phase(
        "clarify",
        "Clarify the requirements",
        3,
        "Before you design anything: what do you ask, and which assumptions do you state?",
        (
            "Asks about scale: users, requests per day or documents",
            "Asks about the latency target: interactive or batch",
            "Asks about the cost budget",
            "Asks about the quality bar and what a wrong answer costs",
            "States the assumptions it will design for, with numbers",
        ),
        "Five or six questions on inputs, scale, latency, quality, budget and existing "
        "systems, then one sentence of assumptions with numbers the rest of the design uses.",
    ),
    Phase(
        "high-level",
        "High-level design",
        5,
        "Sketch the system: name the major components and how one request flows through them.",
        (
            "Names the major components",
            "Traces one request end to end through them",
            "Keeps the scope to what the requirements ask for",
        ),
        "Boxes and arrows in words: entry point, orchestration, retrieval or tools, the model "
        "gateway, storage, evaluation and monitoring; one request traced through all of them.",
    ),
    Phase(
        "deep-dive",
        "Deep dive on one component",
        18,
        "Pick the component that matters most and go deep: what it does, how you build it "
        "and why, its inputs and outputs, and what can go wrong inside it.",
        (
            "Picks one component and says why it matters most",
            "Explains the approach or technology chosen and why",
            "Describes the component's interface: inputs and outputs",
            "Names what can go wrong inside the component",
        ),
        "One component taken to the level of an implementation plan: the choice, the reason, "
        "the interface, the failure inside it.",
    ),
    Phase(
        "trade-offs",
        "Trade-offs",
        5,
        "Take your two or three biggest decisions: what was the alternative, and what does "
        "your choice cost you?",
        (
            "Names the alternative to a significant decision",
            "Says what the chosen option costs: its downside",
            "Ties the choice back to a stated requirement",
        ),
        "'I chose X over Y because of requirement Z; the price is W.' Said for each big decision.",
    ),
    Phase(
        "failure-modes",
        "Failure modes",
        5,
        "What fails in this system, how would you notice, and how does it recover?",
        (
            "Covers data quality failures",
            "Covers model failures: hallucination, refusals, degradation",
            "Covers infrastructure failures: an index or provider outage",
            "Covers security failures: prompt injection or data leakage",
            "Says how each failure is detected: the signal or alert",
        ),
        "At least one failure per layer (data, model, infrastructure, security), each with how "
        "it is detected and how the system degrades or recovers.",
    ),
    Phase(
        "scaling",
        "Scaling, cost, latency and evaluation",
        4,
        "Grow it from a thousand to a million queries a day: what breaks first, what do you "
        "add? Close with cost, latency and how you know it works.",
        (
            "Says what breaks first as load grows, and what is added",
            "Estimates cost per query or per month at the stated scale",
            "Gives latency targets (P50 and P99) and the bottleneck",
            "Says how quality is evaluated",
            "Says what is monitored and alerted on in production",
        ),
        "The first bottleneck and its fix at each order of magnitude, then the four things to "
        "always mention: cost, latency, evaluation, monitoring.",
    ),
)
TOTAL_WEIGHT = sum(p.weight for p in PHASES)
MIN_MINUTES = 10


@dataclass
class PhaseResult:
    id: str
    title: str
    prompt: str
    rubric: list[str]
    budget_s: float
    answer: str | None = None  # None: not reached
    seconds: float | None = None
    timed_out: bool = False
    checklist: list[bool] | None = None
    score: float | None = None
    graded_by: str | None = None  # grader | self
    grade_status: str | None = None  # done | pending
    feedback: str = ""


def is_design_prompt(card: Card) -> bool:
    """A card whose question asks to design a system, not one about how to answer."""
    q = card.question.strip().lower()
    return q.startswith("design ") or " design a" in q[:60] or q.startswith("how would you design")


def choose_prompt(
    catalogue: Catalogue, level: str | None, rng: random.Random, exclude: set[str]
) -> Card:
    pool = [c for c in catalogue.cards.values() if is_design_prompt(c) and c.id not in exclude]
    if level is not None:
        if level not in LEVELS:
            raise UsageError(f"--level: must be one of {', '.join(LEVELS)} (got '{level}')")
        want = LEVELS.index(level)
        best = min((abs(LEVELS.index(c.level) - want) for c in pool), default=None)
        pool = [c for c in pool if abs(LEVELS.index(c.level) - want) == best]
    if not pool:
        raise UsageError("--kind: no system-design prompt in the loaded decks")
    pool.sort(key=lambda c: c.id)
    return rng.choice(pool)


def phase_card(card: Card, phase: PhaseResult) -> Card:
    """The phase as a card the grader can grade: the rubric is its key points."""
    spec = next(p for p in PHASES if p.id == phase.id)
    return Card(
        id=f"{card.id}#{phase.id}",
        deck=card.deck,
        level=card.level,
        tags=card.tags,
        source=card.source,
        question=f"{card.question.strip()}\n\nPhase: {phase.title}. {phase.prompt}",
        answer=spec.guide,
        key_points=tuple(phase.rubric),
    )


PhaseGrader = Callable[[Card, str], Any]  # returns a study.mock.MockGrade


@dataclass
class DesignRound:
    """One system-design round: the prompt, its phases, timing, grades; saved after each step."""

    store: Store
    card: Card
    minutes: float
    started: dt.datetime
    phases: list[PhaseResult]
    uid: str = field(default_factory=new_uid)
    position: int = 0
    status: str = "running"  # running | finished | interrupted | cancelled | out-of-time
    markdown_path: str | None = None

    @classmethod
    def start(
        cls,
        store: Store,
        catalogue: Catalogue,
        now: dt.datetime,
        *,
        level: str | None = None,
        minutes: float = 45,
        seed: int | None = None,
    ) -> DesignRound:
        if not minutes >= MIN_MINUTES:  # also refuses nan
            raise UsageError(f"--minutes: a system-design round needs at least {MIN_MINUTES}")
        suspended = {cid for cid, s in store.states().items() if s.suspended}
        rng = random.Random(seed if seed is not None else to_ms(now))
        card = choose_prompt(catalogue, level, rng, suspended)
        phases = [
            PhaseResult(
                p.id,
                p.title,
                p.prompt,
                list(p.rubric),
                round(minutes * 60 * p.weight / TOTAL_WEIGHT),
            )
            for p in PHASES
        ]
        rnd = cls(store, card, minutes, now, phases)
        mocks.insert_mock(
            store, rnd.uid, to_ms(now), "system-design", level, minutes, rnd.transcript()
        )
        return rnd

    @property
    def current(self) -> PhaseResult | None:
        if self.status != "running" or self.position >= len(self.phases):
            return None
        return self.phases[self.position]

    @property
    def used_seconds(self) -> float:
        return sum(p.seconds or 0.0 for p in self.phases)

    @property
    def left_seconds(self) -> float:
        return max(0.0, self.minutes * 60 - self.used_seconds)

    def submit(self, answer: str, seconds: float, *, timed_out: bool = False) -> PhaseResult:
        phase = self.current
        if phase is None:
            raise RuntimeError("no phase to answer")
        phase.answer = answer.strip()
        phase.seconds = round(max(0.0, seconds), 1)
        phase.timed_out = timed_out or phase.seconds >= phase.budget_s
        self.position += 1
        if self.position >= len(self.phases):
            self.status = "finished"
        self._save()
        return phase

    def stop(self, reason: str) -> None:
        if self.status == "running":
            self.status = reason
        self._save()

    def answered(self) -> list[PhaseResult]:
        return [p for p in self.phases if p.answer is not None]

    def check(self, phase: PhaseResult, checklist: list[bool]) -> None:
        """The candidate's own tick of the phase's rubric."""
        phase.checklist = list(checklist)
        phase.score = round(sum(checklist) / len(checklist), 4) if checklist else None
        phase.graded_by, phase.grade_status = "self", "done"
        self._save()

    def grade_all(self, grader: PhaseGrader) -> list[PhaseResult]:
        """Grade every answered phase against its rubric; returns those left pending."""
        pending = []
        for phase in self.answered():
            try:
                result = grader(phase_card(self.card, phase), phase.answer or "")
            except Exception:  # noqa: BLE001 - one failed grade must not lose the round
                result = None
            if result is None or result.status != "done":
                phase.grade_status = "pending"
                pending.append(phase)
                continue
            phase.checklist, phase.score = result.checklist, result.score
            phase.graded_by, phase.grade_status = "grader", "done"
            phase.feedback = result.feedback
        self._save()
        return pending

    @property
    def score(self) -> float | None:
        """The mean of the phases' scores; a phase not reached counts as nothing covered."""
        if not any(p.score is not None for p in self.phases):
            return None
        return round(sum(p.score or 0.0 for p in self.phases) / len(self.phases), 4)

    def transcript(self) -> dict[str, Any]:
        return {
            "version": 2,
            "round": "system-design",
            "uid": self.uid,
            "started": self.started.isoformat(timespec="seconds"),
            "kind": "system-design",
            "card_id": self.card.id,
            "prompt": self.card.question.strip(),
            "level": self.card.level,
            "minutes": self.minutes,
            "status": self.status,
            "used_seconds": round(self.used_seconds, 1),
            "score": self.score,
            "phases": [asdict(p) for p in self.phases],
        }

    def _save(self, finished: dt.datetime | None = None) -> None:
        mocks.update_mock(
            self.store, self.uid, self.transcript(), self.score, self.markdown_path,
            to_ms(finished) if finished else None,
        )  # fmt: skip

    def discard(self) -> None:
        if self.answered():
            raise RuntimeError("a round with answers is kept")
        mocks.delete_mock(self.store, self.uid)

    def finish(self, now: dt.datetime, folder: Path) -> Path:
        from studycli.study.mock import write_transcript

        text = render_design_markdown(self.transcript())
        path = write_transcript(folder, "design", self.started, self.uid, text)
        self.markdown_path = str(path)
        self._save(finished=now)
        return path


def render_design_markdown(t: dict[str, Any]) -> str:
    from studycli.study.mock import clock

    started = dt.datetime.fromisoformat(t["started"]).astimezone()
    lines = [
        f"# System-design round · {started:%Y-%m-%d %H:%M} · {t['level']}",
        "",
        f"**Prompt:** {t['prompt']}",
        "",
        f"- Time: {clock(t['used_seconds'])} used of {clock(t['minutes'] * 60)}",
        "- Score: "
        + ("–" if t["score"] is None else f"{t['score']:.0%}")
        + (f" · status {t['status']}" if t["status"] != "finished" else ""),
        "",
    ]
    for i, p in enumerate(t["phases"], 1):
        lines += [f"## {i}. {p['title']} ({clock(p['budget_s'])})", "", p["prompt"], ""]
        if p["answer"] is None:
            lines += ["_Not reached._", ""]
            continue
        took = f"Time taken: {clock(p['seconds'])} of {clock(p['budget_s'])}"
        lines += [took + (" (time ran out)" if p["timed_out"] else ""), ""]
        body = p["answer"] or "_(no answer)_"
        lines += [f"> {line}" if line else ">" for line in body.splitlines()] + [""]
        checks = p["checklist"] or [None] * len(p["rubric"])
        lines.append("**Rubric**" + (f" ({p['graded_by']})" if p["graded_by"] else ""))
        lines.append("")
        for point, hit in zip(p["rubric"], checks, strict=False):
            lines.append(f"- {'[x]' if hit else '[ ]' if hit is False else '[?]'} {point}")
        lines.append("")
        if p["score"] is not None:
            lines += [f"Phase score: {p['score']:.0%}", ""]
        if p["feedback"]:
            lines += [f"Feedback: {p['feedback']}", ""]
    return "\n".join(lines).rstrip() + "\n"
