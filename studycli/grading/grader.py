"""Grades answers and records every grade: screen the answer, ask the model for a checklist,
check its evidence in code, have met points confirmed by a second look, score, cache, store.

Failures never cost an answer: transient errors (429, 5xx, timeouts) are retried with
exponential backoff and jitter, then the fallback models are tried in order, then the
grade is stored as pending for `studycli grade --pending`. Every grade is one row of the
`grades` table, with tokens, cost and latency; a grade is cached on (card content hash,
answer, model, endpoint, second look, prompt version) so the same answer is never billed
twice. Nothing here reads the clock for dates: `now` is an argument; `time.monotonic` only
measures latency.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from studycli.clock import day_start, study_day, to_ms
from studycli.content.model import Card
from studycli.grading.client import (
    ModelCall,
    Spent,
    _Failure,
    _short,
    _warm_import,
    litellm_loaded,
    load_litellm,
    scrub_secrets,
)
from studycli.grading.evidence import ECHO_NOTE, EvidenceCheck, rubric_echo
from studycli.grading.guard import INSTRUCTIONS_IGNORED, Screened, screen
from studycli.grading.prompt import (
    MAX_ANSWER_CHARS,
    PROMPT_VERSION,
    RETRY_REMINDER,
    VERDICT_SCHEMA,
    build_messages,
    cache_key,
    point_ids,
)
from studycli.grading.result import GradeResult, PointResult
from studycli.grading.settings import GraderSettings, GraderUnavailable
from studycli.grading.verdict import cap_verdict, evaluate, parse_verdict, score_and_rating
from studycli.grading.verify import Pair, second_look
from studycli.storage import grades
from studycli.storage.codec import new_uid
from studycli.storage.store import Store

AGREEMENT_WINDOW = 50

AGREEMENT_WARN_BELOW = 0.8

AGREEMENT_MIN_SAMPLE = 10  # fewer graded answers than this say too little to warn about

NOT_CONFIRMED = "not confirmed on a second look"
# Kept among the second look's answers (point ids are k1, k2, ...) when its reply was unusable.
_UNUSABLE = "unusable"
SECOND_LOOK_UNUSABLE = "the second look gave no usable answer: met points were not counted"


class Grader:
    """Grades answers for one configuration and records every grade in the store."""

    def __init__(
        self,
        settings: GraderSettings,
        store: Store,
        *,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.settings = settings
        self.store = store
        self.call = ModelCall(settings, sleep=sleep, jitter=jitter)
        self._broken: dict[str, str] = {}  # model -> config problem seen this session
        self._warm: threading.Thread | None = None

    # -- warming ------------------------------------------------------------------

    def warm_up(self) -> None:
        """Import LiteLLM in a background thread while the candidate reads and types.

        Its import takes seconds; done here, the first graded answer does not wait for it.
        """
        if self._warm is None and not litellm_loaded():
            # Not a daemon: a daemon thread stopped mid-import at exit keeps the import lock, and
            # LiteLLM's finalizers, which import, would then hang the exit. A candidate who quits
            # in the first seconds waits for the import to end instead.
            self._warm = threading.Thread(target=_warm_import, name="studycli-litellm-import")
            self._warm.start()

    # -- grading ------------------------------------------------------------------

    def grade(
        self, card: Card, answer: str, now: dt.datetime, *, pending_uid: str | None = None
    ) -> GradeResult:
        """Grade one answer and store the grade (a new row, or the pending row `pending_uid`)."""
        answer = answer.strip()
        result = GradeResult(
            uid=pending_uid or new_uid(),
            card_id=card.id,
            status="done",
            answer=answer,
            content_hash=card.content_hash,
        )
        started = time.monotonic()
        try:
            screened = screen(answer)
            result.addressed_grader = screened.addressed_grader
            if not screened.text:
                # Nothing to grade (or nothing but words to the grader): no call, no cost.
                self._nothing_to_grade(result, card)
                return result
            cached = self._cached(card, answer)
            if cached is not None:
                return self._from_cache(result, card, cached, screened)
            self._grade_with_models(result, card, answer, screened)
            return result
        except Exception as exc:  # noqa: BLE001 - a grader bug must not cost the answer either
            if os.environ.get("STUDYCLI_DEBUG") == "1":
                raise
            result.status, result.verdict = "pending", None
            result.error = (
                f"grading failed: {type(exc).__name__}: {_short(scrub_secrets(str(exc)))}"
            )
            return result
        finally:
            if not result.latency_ms:  # a model call measures itself, without LiteLLM's import
                result.latency_ms = int((time.monotonic() - started) * 1000)
            self._save(result, now, pending_uid)

    def _nothing_to_grade(self, result: GradeResult, card: Card) -> None:
        result.points = [
            PointResult(i, t, "missed")
            for i, t in zip(point_ids(card), card.key_points, strict=True)
        ]
        result.score, result.suggested = score_and_rating(result.points, [])
        if result.addressed_grader:
            result.notes = [INSTRUCTIONS_IGNORED]
            result.feedback = "Only instructions to the grader were given: nothing to grade."
        else:
            result.feedback = (
                "No answer given: read the model answer and key points, then try again."
            )

    def _grade_with_models(
        self, result: GradeResult, card: Card, answer: str, screened: Screened
    ) -> None:
        spent = Spent()
        errors: list[_Failure] = []
        try:
            litellm = load_litellm()
        except GraderUnavailable as exc:
            result.status, result.error, result.config_problem = "pending", exc.message, True
            return
        started = time.monotonic()
        messages = build_messages(card, screened.text)
        for model in self.settings.models:
            if model in self._broken:
                errors.append(_Failure("config", self._broken[model]))
                continue
            outcome = self.call.ask(
                litellm,
                model,
                messages,
                lambda text: self._parse(card, answer, screened.text, text),
                spent,
                schema=("checklist", VERDICT_SCHEMA),
                reminder=RETRY_REMINDER,
            )
            if isinstance(outcome, dict):
                confirmed = self._confirm(litellm, model, card, answer, screened, outcome, spent)
                if isinstance(confirmed, _Failure):
                    outcome = confirmed
                else:
                    self._settle(result, card, answer, screened, outcome, confirmed)
                    result.model = model
                    result.cache_key = self._key(card, answer, model)
                    break
            errors.append(outcome)
            if outcome.kind == "config":
                self._broken[model] = outcome.message
            if outcome.kind == "malformed":
                result.model = model
                break  # one retry was had; a broken checklist is not an availability problem
        else:
            result.model = self.settings.model
        result.latency_ms = max(1, int((time.monotonic() - started) * 1000))
        result.tokens_in, result.tokens_out, result.cost = (
            spent.tokens_in,
            spent.tokens_out,
            spent.cost,
        )
        if result.verdict is None:
            result.status = "pending"
            result.error = "; ".join(e.message for e in errors) or "no model to try"
            result.config_problem = bool(errors) and all(e.kind == "config" for e in errors)

    @staticmethod
    def _parse(card: Card, answer: str, graded: str, text: str | None) -> dict[str, Any]:
        verdict = cap_verdict(parse_verdict(text), len(card.key_points))
        evaluate(card, answer, verdict, graded)  # raises when no key point id is usable
        return verdict

    def _confirm(
        self,
        litellm: Any,
        model: str,
        card: Card,
        answer: str,
        screened: Screened,
        verdict: dict[str, Any],
        spent: Spent,
    ) -> dict[str, bool] | _Failure:
        """The second look: point id -> confirmed, for each point the checks let through."""
        if not self.settings.verify:
            return {}
        points, _, _, _ = evaluate(card, answer, verdict, screened.text)
        met = [p for p in points if p.met]
        if not met:
            return {}
        # The verifier reads the sentence a quote stands in, not a fragment of it, and nothing else.
        check = EvidenceCheck(card.key_points, screened.text[:MAX_ANSWER_CHARS])
        pairs = [Pair(p.text, check.context(p.evidence)) for p in met]
        look = second_look(self.call, litellm, model, pairs, spent)
        if isinstance(look, _Failure):
            if look.kind != "malformed":
                return _Failure(look.kind, f"second look: {look.message}", look.retry_after)
            return {p.id: False for p in met} | {_UNUSABLE: False}
        return {p.id: look[n] for n, p in enumerate(met, 1)}

    def _settle(
        self,
        result: GradeResult,
        card: Card,
        answer: str,
        screened: Screened,
        verdict: dict[str, Any],
        confirmed: dict[str, bool],
    ) -> None:
        """The checked checklist, the second look applied, notes, score and suggestion."""
        points, flags, feedback, notes = evaluate(card, answer, verdict, screened.text)
        points = [
            PointResult(p.id, p.text, "unverified", p.evidence, NOT_CONFIRMED)
            if p.met and confirmed.get(p.id) is False
            else p
            for p in points
        ]
        lead = [INSTRUCTIONS_IGNORED] if screened.addressed_grader else []
        result.echo = rubric_echo(card.key_points, screened.text)
        if result.echo:
            lead.append(ECHO_NOTE)
        if _UNUSABLE in confirmed:
            lead.append(SECOND_LOOK_UNUSABLE)
        result.points, result.flags, result.feedback = points, flags, feedback
        result.notes = lead + notes
        result.score, result.suggested = score_and_rating(points, flags, result.echo)
        result.verdict = verdict
        result.second_look = self.settings.verify and bool(confirmed)
        result.confirmed = confirmed

    # -- cache --------------------------------------------------------------------

    def _key(self, card: Card, answer: str, model: str) -> str:
        return cache_key(
            card.content_hash,
            answer,
            model,
            self.settings.api_base_for(model),
            self.settings.verify,
        )

    def _cached(self, card: Card, answer: str) -> grades.CachedGrade | None:
        # the primary model's grade first
        keys = [self._key(card, answer, m) for m in self.settings.models]
        return grades.cached_grade(self.store, keys)

    def _from_cache(
        self, result: GradeResult, card: Card, row: grades.CachedGrade, screened: Screened
    ) -> GradeResult:
        key, model, checklist, feedback = row
        stored = json.loads(checklist)
        verdict = dict(stored["verdict"], feedback=feedback or "")
        self._settle(result, card, result.answer, screened, verdict, stored.get("second_look", {}))
        result.model, result.cache_key, result.cached = model, key, True
        result.tokens_in = result.tokens_out = 0
        result.cost = 0.0
        return result

    # -- storing ------------------------------------------------------------------

    def _save(self, result: GradeResult, now: dt.datetime, pending_uid: str | None) -> None:
        checklist = None
        if result.verdict is not None or result.points:
            verdict = result.verdict
            if verdict is not None:  # the feedback is stored once, in its own column
                verdict = {k: v for k, v in verdict.items() if k != "feedback"}
            checklist = json.dumps(
                {
                    "prompt_version": PROMPT_VERSION,
                    "points": [p.__dict__ for p in result.points],
                    "red_flags": [f.__dict__ for f in result.flags],
                    "notes": result.notes,
                    "cached": result.cached,
                    "addressed_grader": result.addressed_grader,
                    "rubric_echo": result.echo,
                    "second_look": result.confirmed,
                    "verdict": verdict,
                },
                ensure_ascii=False,
            )
        values = {
            "card_id": result.card_id,
            "ts": to_ms(now),
            "status": result.status,
            "model": result.model,
            "cache_key": result.cache_key,
            "content_hash": result.content_hash,
            "answer": result.answer,
            "checklist": checklist,
            "score": result.score,
            "suggested": result.suggested,
            "feedback": result.feedback or None,
            "tokens_in": result.tokens_in,
            "tokens_out": result.tokens_out,
            "cost": result.cost,
            "latency_ms": result.latency_ms,
            "error": scrub_secrets(result.error) if result.error else None,
        }
        grades.save_grade(self.store, result.uid, values, pending_uid=pending_uid)

    # -- pending ------------------------------------------------------------------

    def grade_pending(
        self, cards: dict[str, Card], now: dt.datetime, limit: int | None = None
    ) -> list[GradeResult]:
        """Grade every pending grade, oldest first; a grade whose card is gone is marked failed."""
        rows = grades.pending_grades(self.store)
        out: list[GradeResult] = []
        for uid, card_id, answer, review_uid in rows[:limit]:
            card = cards.get(card_id)
            if card is None:
                grades.mark_failed(
                    self.store, uid, f"card '{card_id}' is no longer in the catalogue"
                )
                out.append(
                    GradeResult(
                        uid, card_id, "failed", answer or "", error=f"card '{card_id}' is gone"
                    )
                )
                continue
            result = self.grade(card, answer or "", now, pending_uid=uid)
            result.review_uid = review_uid
            out.append(result)
        return out


def build_grader(
    config: Any, store: Store, *, warm: bool = True, **overrides: Any
) -> Grader | None:
    """A grader for `grader.model`, or None when none is set (then LiteLLM is never imported)."""
    settings = GraderSettings.from_config(config, **overrides)
    if settings is None:
        return None
    grader = Grader(settings, store)
    if warm:
        grader.warm_up()
    return grader


def grading_stats(store: Store, now: dt.datetime, rollover_hour: int) -> dict[str, Any]:
    """Agreement between suggested and final ratings, spend today and in total, pending grades."""
    # Graded answers the candidate then rated, without undone reviews, newest first.
    undone = store.undone_uids()
    agreed = [s == f for s, f, review in grades.rated_suggestions(store) if review not in undone]
    recent = agreed[:AGREEMENT_WINDOW]

    def rate(values: list[bool]) -> float | None:
        return round(sum(values) / len(values), 4) if values else None

    today = study_day(now, rollover_hour)
    start = to_ms(day_start(today, rollover_hour))
    end = to_ms(day_start(today + 1, rollover_hour))
    counts = grades.status_counts(store)
    recent_rate = rate(recent)
    warning = None
    if (
        recent_rate is not None
        and len(recent) >= AGREEMENT_MIN_SAMPLE
        and recent_rate < AGREEMENT_WARN_BELOW
    ):
        warning = (
            f"you kept the grader's suggestion for only {recent_rate:.0%} of the last "
            f"{len(recent)} graded answers (under {AGREEMENT_WARN_BELOW:.0%}): "
            "the grader model or the cards' key points need attention"
        )
    return {
        "graded": counts.get("done", 0),
        "pending": counts.get("pending", 0),
        "failed": counts.get("failed", 0),
        "cached": grades.cached_count(store),
        "agreement": {"agreed": sum(agreed), "total": len(agreed), "rate": rate(agreed)},
        "agreement_recent": {
            "agreed": sum(recent),
            "total": len(recent),
            "rate": recent_rate,
            "window": AGREEMENT_WINDOW,
        },
        "warning": warning,
        "spend_today": grades.spend(store, start, end)._asdict(),
        "spend_total": grades.spend(store)._asdict(),
    }
