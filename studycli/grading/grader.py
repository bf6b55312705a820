"""Rubric grading of typed answers through LiteLLM: prompt, call, checks, score, cache, cost.

The model fills in a checklist (per key point: a quote from the answer, then met or
not; which red flags the answer hits; short feedback). Everything that decides the
outcome happens here, in code: quotes are looked up in the answer, the score and the
suggested rating are computed from the verified checklist, never read from the model.
The answer is untrusted data: it travels inside delimiters with a random nonce and a
length cap, and the instructions say its content is never instructions.

Failures never cost an answer: transient errors (429, 5xx, timeouts) are retried with
exponential backoff and jitter, then the fallback models are tried in order, then the
grade is stored as pending for `studycli grade --pending`. Every attempt is one row
of the `grades` table, with tokens, cost and latency; a grade is cached on (card
content hash, answer, model, prompt version) so the same answer is never billed twice.

LiteLLM is imported only when a grade is actually requested (or warmed up in the
background by `Grader.warm_up`), with `LITELLM_LOCAL_MODEL_COST_MAP=True` so that its
import never goes to the network. Nothing here reads the clock for dates: `now` is an
argument; `time.monotonic` only measures latency.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from studycli.clock import day_start, study_day, to_ms
from studycli.content.model import Card
from studycli.grading.client import (
    _content,
    _Failure,
    _short,
    _usage,
    _warm_import,
    classify,
    litellm_loaded,
    load_litellm,
)
from studycli.grading.prompt import (
    PROMPT_VERSION,
    RETRY_REMINDER,
    VERDICT_SCHEMA,
    build_messages,
    cache_key,
    point_ids,
)
from studycli.grading.result import GradeResult, PointResult
from studycli.grading.settings import PLACEHOLDER_KEY, GraderSettings, GraderUnavailable
from studycli.grading.verdict import MalformedOutput, evaluate, parse_verdict, score_and_rating
from studycli.storage import grades
from studycli.storage.codec import new_uid
from studycli.storage.store import Store

AGREEMENT_WINDOW = 50

AGREEMENT_WARN_BELOW = 0.8

AGREEMENT_MIN_SAMPLE = 10  # fewer graded answers than this say too little to warn about


@dataclass
class _Attempts:
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float | None = 0.0

    def add(self, tokens_in: int, tokens_out: int, cost: float | None) -> None:
        self.tokens_in += tokens_in
        self.tokens_out += tokens_out
        if cost is None or self.cost is None:
            self.cost = None
        else:
            self.cost += cost


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
        self.sleep = sleep
        self.jitter = jitter
        self.calls = 0  # completion requests sent, for tests and reports
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
            if not answer:
                # Nothing to grade: every point missed, no call, no cost.
                result.points = [
                    PointResult(i, t, "missed")
                    for i, t in zip(point_ids(card), card.key_points, strict=True)
                ]
                result.score, result.suggested = score_and_rating(result.points, [])
                result.feedback = (
                    "No answer given: read the model answer and key points, then try again."
                )
                return result
            cached = self._cached(card, answer)
            if cached is not None:
                return self._from_cache(result, card, cached)
            self._grade_with_models(result, card, answer)
            return result
        except Exception as exc:  # noqa: BLE001 - a grader bug must not cost the answer either
            if os.environ.get("STUDYCLI_DEBUG") == "1":
                raise
            result.status, result.verdict = "pending", None
            result.error = f"grading failed: {type(exc).__name__}: {_short(str(exc))}"
            return result
        finally:
            result.latency_ms = int((time.monotonic() - started) * 1000)
            self._save(result, now, pending_uid)

    def _grade_with_models(self, result: GradeResult, card: Card, answer: str) -> None:
        spent = _Attempts()
        errors: list[_Failure] = []
        try:
            litellm = load_litellm()
        except GraderUnavailable as exc:
            result.status, result.error, result.config_problem = "pending", exc.message, True
            return
        for model in self.settings.models:
            if model in self._broken:
                errors.append(_Failure("config", self._broken[model]))
                continue
            outcome = self._grade_with(litellm, model, card, answer, spent)
            if isinstance(outcome, dict):
                points, flags, feedback, notes = evaluate(card, answer, outcome)
                result.model = model
                result.points, result.flags, result.feedback, result.notes = (
                    points,
                    flags,
                    feedback,
                    notes,
                )
                result.score, result.suggested = score_and_rating(points, flags)
                result.verdict = outcome
                result.cache_key = cache_key(card.content_hash, answer, model)
                break
            errors.append(outcome)
            if outcome.kind == "config":
                self._broken[model] = outcome.message
            if outcome.kind == "malformed":
                result.model = model
                break  # one retry was had; a broken checklist is not an availability problem
        else:
            result.model = self.settings.model
        result.tokens_in, result.tokens_out, result.cost = (
            spent.tokens_in,
            spent.tokens_out,
            spent.cost,
        )
        if result.verdict is None:
            result.status = "pending"
            result.error = "; ".join(e.message for e in errors) or "no model to try"
            result.config_problem = bool(errors) and all(e.kind == "config" for e in errors)

    def _grade_with(
        self, litellm: Any, model: str, card: Card, answer: str, spent: _Attempts
    ) -> dict[str, Any] | _Failure:
        """Up to 1 + retries attempts on one model; one extra try for malformed output."""
        api_base = self.settings.api_base_for(model)
        problem = self._preflight(litellm, model, api_base)
        if problem is not None:
            return problem
        kwargs: dict[str, Any] = {
            "model": model,
            "timeout": self.settings.timeout,
            "num_retries": 0,  # retries are ours, with our backoff
            "max_retries": 0,
            "temperature": 0,
            "drop_params": True,  # models that refuse temperature etc. get it dropped, not an error
        }
        if api_base:
            kwargs["api_base"] = api_base
            if self._key_missing(litellm, model):
                kwargs["api_key"] = PLACEHOLDER_KEY
        use_schema = self._supports_schema(litellm, model)
        messages = build_messages(card, answer)
        transient_left = self.settings.retries
        malformed_left = 1
        attempt = 0
        while True:
            call = dict(kwargs, messages=messages)
            if use_schema:
                call["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": "checklist", "schema": VERDICT_SCHEMA, "strict": True},
                }
            try:
                self.calls += 1
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    response = litellm.completion(**call)
            except Exception as exc:  # noqa: BLE001 - every provider error is classified below
                failure = classify(exc, model, api_base)
                if failure.kind == "schema" and use_schema:
                    use_schema = (
                        False  # the provider refuses JSON-schema output: ask in words instead
                    )
                    continue
                if failure.kind != "transient" or transient_left <= 0:
                    n = self.settings.retries
                    if failure.kind == "transient" and n:
                        failure = replace(
                            failure,
                            message=f"{failure.message} after {n} retr{'y' if n == 1 else 'ies'}",
                        )
                    return failure
                transient_left -= 1
                self.sleep(self._backoff(attempt, failure.retry_after))
                attempt += 1
                continue
            tokens_in, tokens_out, cost = _usage(litellm, response, model)
            spent.add(tokens_in, tokens_out, cost)
            try:
                verdict = parse_verdict(_content(response))
                evaluate(card, answer, verdict)  # raises when no key point id is usable
                return verdict
            except MalformedOutput as exc:
                if malformed_left <= 0:
                    return _Failure("malformed", f"{model}: unusable reply twice ({exc})")
                malformed_left -= 1
                messages = build_messages(card, answer) + [
                    {"role": "user", "content": RETRY_REMINDER}
                ]

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        """Exponential, capped, jittered to half-to-all of the step; a longer Retry-After wins."""
        step = min(self.settings.max_delay, self.settings.base_delay * (2**attempt))
        delay = step * (0.5 + 0.5 * self.jitter())
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.settings.max_delay))
        return delay

    def _preflight(self, litellm: Any, model: str, api_base: str) -> _Failure | None:
        """Problems that need no network call to find: unknown provider, missing API key."""
        try:
            litellm.get_llm_provider(model=model, api_base=api_base or None)
        except Exception:  # noqa: BLE001 - any failure here means LiteLLM cannot route the model
            return _Failure(
                "config",
                f"unknown model '{model}': use a LiteLLM model string such as openai/gpt-4o-mini",
            )
        if not api_base:
            missing = self._missing_keys(litellm, model)
            if missing:
                return _Failure(
                    "config",
                    f"{model}: {' or '.join(missing)} is not set "
                    "(API keys stay in your environment)",
                )
        return None

    def _missing_keys(self, litellm: Any, model: str) -> list[str]:
        try:
            info = litellm.validate_environment(model=model)
        except Exception:  # noqa: BLE001 - unknown to the check: let the call decide
            return []
        # Only API keys block: bases have defaults, cloud credentials may come from profiles.
        return [k for k in info.get("missing_keys", []) if "API_KEY" in k]

    def _key_missing(self, litellm: Any, model: str) -> bool:
        return bool(self._missing_keys(litellm, model))

    @staticmethod
    def _supports_schema(litellm: Any, model: str) -> bool:
        try:
            return bool(litellm.supports_response_schema(model=model))
        except Exception:  # noqa: BLE001 - unknown models: ask in words, parse defensively
            return False

    # -- cache --------------------------------------------------------------------

    def _cached(self, card: Card, answer: str) -> grades.CachedGrade | None:
        # the primary model's grade first
        keys = [cache_key(card.content_hash, answer, m) for m in self.settings.models]
        return grades.cached_grade(self.store, keys)

    def _from_cache(self, result: GradeResult, card: Card, row: grades.CachedGrade) -> GradeResult:
        key, model, checklist = row
        verdict = json.loads(checklist)["verdict"]
        points, flags, feedback, notes = evaluate(card, result.answer, verdict)
        result.model, result.verdict, result.cache_key, result.cached = model, verdict, key, True
        result.points, result.flags, result.feedback, result.notes = points, flags, feedback, notes
        result.score, result.suggested = score_and_rating(points, flags)
        result.tokens_in = result.tokens_out = 0
        result.cost = 0.0
        return result

    # -- storing ------------------------------------------------------------------

    def _save(self, result: GradeResult, now: dt.datetime, pending_uid: str | None) -> None:
        checklist = None
        if result.verdict is not None or result.points:
            checklist = json.dumps(
                {
                    "prompt_version": PROMPT_VERSION,
                    "points": [p.__dict__ for p in result.points],
                    "red_flags": [f.__dict__ for f in result.flags],
                    "notes": result.notes,
                    "cached": result.cached,
                    "verdict": result.verdict,
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
            "error": result.error,
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
                self._mark_failed(uid, f"card '{card_id}' is no longer in the catalogue")
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

    def _mark_failed(self, uid: str, error: str) -> None:
        grades.mark_failed(self.store, uid, error)


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
