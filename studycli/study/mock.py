"""Timed mock interviews, independent of any terminal.

A mock picks questions of one kind (or a mix) at a level, times each answer
against its budget, keeps the transcript in the `mocks` table (updated after
every answer, so a crash loses at most the answer on screen), and shows no
model answer until the end. At the end each answer is graded (by a grader
function, or by the candidate against the key points) and committed to the
review log through the same `Drill.rate` path as a drill, with rated_by='mock'.
The transcript is also written as Markdown.

`mocks` rows: uid, started_ts / finished_ts (epoch ms), kind, level, minutes,
transcript (JSON, see `Mock.transcript`), markdown_path, score (mean question
score 0-1 over scored answers, None if none).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from studycli.clock import to_ms
from studycli.content.model import INCIDENT_DECK, META_TAG, Card, Catalogue
from studycli.errors import UsageError
from studycli.scheduler import Scheduler
from studycli.storage import mocks
from studycli.storage.codec import new_uid
from studycli.storage.store import Store
from studycli.study.drill import Drill
from studycli.vocab import AGAIN, GOOD, HARD, LEVELS, RATING_NAMES

KINDS = ("system-design", "incident", "fundamentals", "behavioural", "mixed")

MIX_ORDER = ("fundamentals", "system-design", "incident", "behavioural")

ANSWER_SECONDS = 180

FUNDAMENTAL_DECKS = {"foundations", "rag", "agents", "evals", "cost-latency", "safety-security"}


def fits(card: Card, kind: str) -> bool:
    """Whether a card can be asked in a mock of `kind` (one of KINDS)."""
    tags = set(card.tags)
    if kind == "mixed":
        return any(fits(card, k) for k in MIX_ORDER)
    if kind == "system-design":
        return (
            card.deck == "system-design" or card.stage == "system-design" or "architecture" in tags
        )
    if kind == "incident":
        return card.deck in (INCIDENT_DECK, "operations-incidents") or bool(
            tags & {"incident-response", "postmortem"}
        )
    if kind == "behavioural":
        return (
            card.deck == "leadership-behavioural"
            or card.stage == "behavioural"
            or bool(tags & {"behavioural", "star"})
        )
    if kind == "fundamentals":
        return card.deck in FUNDAMENTAL_DECKS and "coding" not in tags
    raise UsageError(f"--kind: must be one of {', '.join(KINDS)} (got '{kind}')")


def question_count(minutes: float, answer_seconds: int) -> int:
    return max(1, int(minutes * 60 // answer_seconds))


def select_questions(
    catalogue: Catalogue,
    kind: str,
    level: str | None,
    count: int,
    rng: random.Random,
    exclude: Sequence[str] = (),
    tags: Sequence[str] = (),
) -> list[Card]:
    """`count` distinct cards of a kind; the given level first, then the nearest levels.

    "mixed" takes the kinds in turn. Suspended or recently asked cards can be passed in `exclude`.
    `tags` keeps cards with any of them (or from a deck of that name). Cards about interview
    craft itself (tagged meta) are asked only when `tags` names meta.
    """
    if kind not in KINDS:
        raise UsageError(f"--kind: must be one of {', '.join(KINDS)} (got '{kind}')")
    if level is not None and level not in LEVELS:
        raise UsageError(f"--level: must be one of {', '.join(LEVELS)} (got '{level}')")
    skip = set(exclude)
    wanted = set(tags)
    cards = [
        c
        for c in catalogue.cards.values()
        if c.id not in skip
        and (META_TAG in wanted or META_TAG not in c.tags)
        and (not wanted or c.deck in wanted or not wanted.isdisjoint(c.tags))
    ]

    def ranked(kind_: str) -> list[Card]:
        pool = [c for c in cards if fits(c, kind_)]
        rng.shuffle(pool)
        if level is not None:
            want = LEVELS.index(level)
            # nearest level first; at equal distance the harder one (a mock should stretch)
            pool.sort(key=lambda c: (abs(LEVELS.index(c.level) - want), -LEVELS.index(c.level)))
        return pool

    if kind != "mixed":
        chosen = ranked(kind)[:count]
    else:
        pools = [ranked(k) for k in MIX_ORDER]
        chosen, used = [], set()
        while len(chosen) < count and any(pools):
            for pool in pools:
                while pool and pool[0].id in used:
                    pool.pop(0)
                if pool and len(chosen) < count:
                    card = pool.pop(0)
                    chosen.append(card)
                    used.add(card.id)
    if not chosen:
        what = f"{kind} questions" + (f" at level {level}" if level else "")
        what += f" tagged {', '.join(tags)}" if tags else ""
        raise UsageError(f"--kind: no {what} in the loaded decks")
    return chosen


@dataclass
class MockGrade:
    """A grade of one mock answer. status: done | pending (grading failed; retried later)."""

    status: str
    score: float | None = None  # 0-1
    checklist: list[bool] | None = None  # one per key point
    suggested: int | None = None  # rating 1-4
    feedback: str = ""
    grade_uid: str | None = None  # grades.uid, linked to the review once rated


Grader = Callable[[Card, str], MockGrade]


@dataclass
class Question:
    card_id: str
    deck: str
    level: str
    question: str
    key_points: list[str]
    budget_s: float = 0.0
    answer: str | None = None  # None: not reached
    skipped: bool = False  # passed on with /skip (the answer is empty: "I don't know")
    seconds: float | None = None
    timed_out: bool = False
    checklist: list[bool] | None = None
    score: float | None = None
    rating: int | None = None
    rated_by: str | None = None
    suggested: int | None = None
    grade_status: str | None = None
    grade_uid: str | None = None
    feedback: str = ""
    review_uid: str | None = None
    asked: str | None = None  # the question in other words, when it was rephrased
    follow_up: str | None = None  # the interviewer's follow-up question
    follow_up_point: int | None = None  # the key point it probes (0-based)
    follow_up_source: str | None = None  # model | card
    follow_answer: str | None = None
    follow_seconds: float | None = None
    follow_budget_s: float = 0.0
    follow_timed_out: bool = False

    @property
    def answered(self) -> bool:
        return self.answer is not None

    @property
    def full_answer(self) -> str:
        """What is graded: the answer, and the follow-up's answer after it."""
        text = (self.answer or "").strip()
        if self.follow_up and self.follow_answer:
            text += f"\n\n(Follow-up: {self.follow_up})\n{self.follow_answer.strip()}"
        return text


def suggest_rating(score: float | None, answer: str) -> int:
    """A starting point for the rating from the share of key points covered."""
    if not answer.strip() or score is None or score < 0.34:
        return AGAIN
    if score < 0.67:
        return HARD
    return GOOD


def checklist_from_numbers(text: str, n_points: int) -> list[bool]:
    """'1 3', '1,3' or 'all' -> which of n key points were covered; ValueError if malformed."""
    text = text.strip().lower()
    if text in ("all", "a", "*"):
        return [True] * n_points
    hits = [False] * n_points
    for part in text.replace(",", " ").split():
        if not part.isdigit() or not 1 <= int(part) <= n_points:
            raise ValueError(f"key point numbers are 1 to {n_points} (got '{part}')")
        hits[int(part) - 1] = True
    return hits


@dataclass
class Mock:
    """One mock interview: questions, time accounting, transcript, commit of the reviews."""

    store: Store
    scheduler: Scheduler
    catalogue: Catalogue
    questions: list[Question]
    kind: str
    level: str | None
    minutes: float
    answer_seconds: int
    started: dt.datetime
    rollover_hour: int = 4
    uid: str = field(default_factory=new_uid)
    position: int = 0
    status: str = "running"  # running | finished | interrupted | out-of-time
    markdown_path: str | None = None

    # -- starting -----------------------------------------------------------------

    @classmethod
    def start(
        cls,
        store: Store,
        scheduler: Scheduler,
        catalogue: Catalogue,
        now: dt.datetime,
        *,
        kind: str = "mixed",
        level: str | None = None,
        minutes: float = 30,
        answer_seconds: int = ANSWER_SECONDS,
        rollover_hour: int = 4,
        seed: int | None = None,
        tags: Sequence[str] = (),
    ) -> Mock:
        if minutes <= 0:
            raise UsageError("--minutes: must be more than 0")
        if answer_seconds <= 0:
            raise UsageError("--answer-minutes: must be more than 0")
        suspended = [cid for cid, s in store.states().items() if s.suspended]
        rng = random.Random(seed if seed is not None else to_ms(now))
        cards = select_questions(
            catalogue, kind, level, question_count(minutes, answer_seconds), rng,
            exclude=suspended, tags=tags,
        )  # fmt: skip
        questions = [Question(c.id, c.deck, c.level, c.question, list(c.key_points)) for c in cards]
        mock = cls(
            store, scheduler, catalogue, questions, kind, level, minutes, answer_seconds, now,
            rollover_hour,
        )  # fmt: skip
        mocks.insert_mock(store, mock.uid, to_ms(now), kind, level, minutes, mock.transcript())
        return mock

    # -- time ---------------------------------------------------------------------

    @property
    def total_seconds(self) -> float:
        return self.minutes * 60

    @property
    def used_seconds(self) -> float:
        return sum((q.seconds or 0.0) + (q.follow_seconds or 0.0) for q in self.questions)

    @property
    def left_seconds(self) -> float:
        return max(0.0, self.total_seconds - self.used_seconds)

    @property
    def current(self) -> Question | None:
        if self.status != "running" or self.position >= len(self.questions):
            return None
        if self.left_seconds <= 0:
            self.status = "out-of-time"
            return None
        return self.questions[self.position]

    def budget(self) -> float:
        """Seconds allowed for the current answer: the per-answer budget, within the time left."""
        return min(float(self.answer_seconds), self.left_seconds)

    def submit(
        self, answer: str, seconds: float, *, timed_out: bool = False, skipped: bool = False
    ) -> Question:
        """Record the answer to the current question (saved at once) and move on.

        A skipped question is an empty answer, "I don't know", that says it was skipped."""
        q = self.current
        if q is None:
            raise RuntimeError("no question to answer")
        q.budget_s = round(self.budget(), 1)
        q.answer = "" if skipped else answer.strip()
        q.skipped = skipped
        q.seconds = round(max(0.0, seconds), 1)
        q.timed_out = timed_out or seconds >= q.budget_s
        self.position += 1
        self._save()
        return q

    def follow_up_budget(self) -> float:
        """Seconds for a follow-up's answer: half an answer's budget, within the time left."""
        return min(max(60.0, self.answer_seconds / 2), self.left_seconds)

    def ask_follow_up(self, q: Question, question: str, point: int | None, source: str) -> None:
        q.follow_up, q.follow_up_point, q.follow_up_source = question, point, source
        q.follow_budget_s = round(self.follow_up_budget(), 1)
        self._save()

    def answer_follow_up(
        self, q: Question, answer: str, seconds: float, *, timed_out: bool = False
    ) -> None:
        q.follow_answer = answer.strip()
        q.follow_seconds = round(max(0.0, seconds), 1)
        q.follow_timed_out = timed_out or q.follow_seconds >= q.follow_budget_s
        self._save()

    def discard(self) -> None:
        """Forget a mock that has no answer (cancelled before the first one)."""
        if self.answered():
            raise RuntimeError("a mock with answers is kept")
        mocks.delete_mock(self.store, self.uid)

    def answered(self) -> list[Question]:
        return [q for q in self.questions if q.answered]

    def stop(self, reason: str = "interrupted") -> None:
        if self.status == "running":
            self.status = reason
        self._save()

    # -- grading and committing -----------------------------------------------------

    def check(self, q: Question, checklist: list[bool]) -> None:
        """The candidate's own check of which key points the answer covered."""
        q.checklist = list(checklist)
        q.score = round(sum(checklist) / len(checklist), 4) if checklist else None
        q.suggested = suggest_rating(q.score, q.answer or "")
        self._save()

    def apply_grade(self, q: Question, result: MockGrade) -> None:
        q.grade_status = "done" if result.status == "done" else "pending"
        q.grade_uid = result.grade_uid
        if result.status == "done":
            q.checklist = result.checklist
            q.score = result.score
            q.suggested = result.suggested or suggest_rating(result.score, q.answer or "")
            q.feedback = result.feedback
        self._save()

    def grade_all(self, grader: Grader) -> list[Question]:
        """Grade every answer; a failure leaves that answer pending. Returns the pending ones."""
        pending = []
        for q in self.answered():
            card = self.catalogue.cards.get(q.card_id)
            if card is None:
                continue
            try:
                result = grader(card, q.full_answer)
            except Exception as exc:  # noqa: BLE001 - one failed grade must not lose the mock
                result = MockGrade("pending", feedback=f"{type(exc).__name__}: {exc}")
            self.apply_grade(q, result)
            if result.status != "done":
                pending.append(q)
        return pending

    def rate(self, q: Question, rating: int, now: dt.datetime) -> None:
        """Commit the answer as a review (through Drill.rate, rated_by='mock')."""
        if rating not in RATING_NAMES:
            raise ValueError(f"rating must be 1-4, got {rating}")
        if q.review_uid is not None:
            return
        drill = Drill(
            self.store, self.scheduler, self.catalogue, [q.card_id],
            rollover_hour=self.rollover_hour, session_id=self.uid, rated_by="mock",
        )  # fmt: skip
        if drill.current is None:
            return  # the card left the catalogue mid-mock; its answer stays in the transcript
        duration = int((q.seconds or 0) * 1000)
        duration += int((q.follow_seconds or 0) * 1000)
        drill.rate(rating, now, answer=q.full_answer, duration_ms=duration, suggested=q.suggested)
        q.review_uid = drill.history[-1].uid
        q.rating = rating
        q.rated_by = "grader" if q.grade_status == "done" else "self"
        self._save()
        if q.grade_uid is not None:
            from studycli.storage.grades import link_review

            link_review(self.store, q.grade_uid, q.review_uid, rating)

    # -- output -------------------------------------------------------------------

    @property
    def score(self) -> float | None:
        scores = [q.score for q in self.questions if q.score is not None]
        return round(sum(scores) / len(scores), 4) if scores else None

    def transcript(self) -> dict[str, Any]:
        return {
            "version": 2,
            "uid": self.uid,
            "started": self.started.isoformat(timespec="seconds"),
            "kind": self.kind,
            "level": self.level,
            "minutes": self.minutes,
            "answer_seconds": self.answer_seconds,
            "status": self.status,
            "used_seconds": round(self.used_seconds, 1),
            "score": self.score,
            "questions": [asdict(q) for q in self.questions],
        }

    def _save(self, finished: dt.datetime | None = None) -> None:
        mocks.update_mock(
            self.store,
            self.uid,
            self.transcript(),
            self.score,
            self.markdown_path,
            to_ms(finished) if finished else None,
        )

    def finish(self, now: dt.datetime, folder: Path) -> Path:
        """Close the mock: write the Markdown transcript into `folder` and record its path."""
        if self.status == "running":
            self.status = "finished"
        path = write_transcript(folder, "mock", self.started, self.uid, self.markdown())
        self.markdown_path = str(path)
        self._save(finished=now)
        return path

    def markdown(self) -> str:
        return render_markdown(self.transcript(), self.catalogue)


def write_transcript(folder: Path, prefix: str, started: dt.datetime, uid: str, text: str) -> Path:
    """Write a round's Markdown into `folder` as PREFIX-DATE-TIME-UID.md, whole or not at all."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = started.astimezone().strftime("%Y-%m-%d-%H%M")
    path = folder / f"{prefix}-{stamp}-{uid[:6]}.md"
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def answer_counts(reached: Iterable[tuple[str | None, bool]]) -> str:
    """'2 answered · 1 skipped · 1 empty' for the (answer, skipped) of the questions reached."""
    given = skipped = empty = 0
    for answer, was_skipped in reached:
        if answer:
            given += 1
        elif was_skipped:
            skipped += 1
        else:
            empty += 1
    parts = [f"{given} answered"]
    parts += [f"{n} {word}" for n, word in ((skipped, "skipped"), (empty, "empty")) if n]
    return " · ".join(parts)


def render_markdown(t: dict[str, Any], catalogue: Catalogue | None = None) -> str:
    """A mock transcript (as stored in mocks.transcript) as Markdown."""
    started = dt.datetime.fromisoformat(t["started"]).astimezone()
    qs = t["questions"]
    answered = [q for q in qs if q["answer"] is not None]
    lines = [
        f"# Mock interview · {started:%Y-%m-%d %H:%M} · {t['kind']}"
        + (f" · {t['level']}" if t["level"] else ""),
        "",
        f"- Time: {clock(t['used_seconds'])} used of {clock(t['minutes'] * 60)}"
        f" · {clock(t['answer_seconds'])} per answer",
        f"- Questions: {answer_counts((q['answer'], q.get('skipped', False)) for q in answered)}"
        f" of {len(qs)}" + (f" · status {t['status']}" if t["status"] != "finished" else ""),
        "- Score: " + ("–" if t["score"] is None else f"{t['score']:.0%}"),
        "",
    ]
    for i, q in enumerate(qs, 1):
        lines.append(f"## {i}. {q['question'].strip()}")
        lines.append("")
        lines.append(f"`{q['card_id']}` · {q['deck']} · {q['level']}")
        lines.append("")
        if q["answer"] is None:
            lines += ["_Not reached._", ""]
            continue
        took = f"Time taken: {clock(q['seconds'])} of {clock(q['budget_s'])}"
        lines += [took + (" (time ran out)" if q["timed_out"] else ""), ""]
        if q.get("asked"):
            lines += [f"Asked as: _{q['asked']}_", ""]
        lines.append("**Your answer**")
        lines.append("")
        body = q["answer"].strip() or (
            "_(skipped: I don't know)_" if q.get("skipped") else "_(no answer: I don't know)_"
        )
        lines += [f"> {line}" if line else ">" for line in body.splitlines()]
        lines.append("")
        if q.get("follow_up"):
            lines += [f"**Follow-up** ({q['follow_up_source']}): {q['follow_up']}", ""]
            if q.get("follow_answer") is not None:
                took = f"{clock(q['follow_seconds'])} of {clock(q['follow_budget_s'])}"
                lines += [
                    f"Time taken: {took}" + (" (time ran out)" if q["follow_timed_out"] else ""),
                    "",
                ]
                reply = q["follow_answer"].strip() or "_(no answer)_"
                lines += [f"> {line}" if line else ">" for line in reply.splitlines()]
                lines.append("")
        lines.append("**Key points**")
        lines.append("")
        checks = q["checklist"] or [None] * len(q["key_points"])
        for point, hit in zip(q["key_points"], checks, strict=False):
            box = "[x]" if hit else "[ ]" if hit is False else "[?]"
            lines.append(f"- {box} {point}")
        lines.append("")
        verdict = []
        if q["score"] is not None:
            verdict.append(f"score {q['score']:.0%}")
        if q["grade_status"] == "pending":
            verdict.append("grade pending")
        if q["rating"] is not None:
            verdict.append(f"rated {RATING_NAMES[q['rating']]} ({q['rated_by']})")
        if verdict:
            lines += ["Result: " + " · ".join(verdict), ""]
        if q["feedback"]:
            lines += [f"Feedback: {q['feedback']}", ""]
        card = catalogue.cards.get(q["card_id"]) if catalogue else None
        if card is not None:
            lines += [
                "<details><summary>Model answer</summary>",
                "",
                card.answer.strip(),
                "",
                "</details>",
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"
