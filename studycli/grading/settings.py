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

from dataclasses import dataclass, replace
from typing import Any

from studycli.errors import StudyError

PLACEHOLDER_KEY = (
    "sk-no-key-needed"  # local OpenAI-compatible servers ignore the key but the client wants one
)

INSTALL_HINT = "grading needs LiteLLM: pip install 'studycli[llm]'"


class GraderUnavailable(StudyError):
    """Grading cannot run at all (no LiteLLM, no model configured)."""


@dataclass(frozen=True)
class GraderSettings:
    model: str
    fallbacks: tuple[str, ...] = ()
    api_base: str = ""
    timeout: float = 30.0  # seconds per attempt
    retries: int = 3  # per model, for rate limits, 5xx and timeouts
    base_delay: float = 1.0  # first backoff; tests make it tiny rather than sleeping long
    max_delay: float = 20.0

    @property
    def models(self) -> tuple[str, ...]:
        seen: list[str] = []
        for m in (self.model, *self.fallbacks):
            if m and m not in seen:
                seen.append(m)
        return tuple(seen)

    def api_base_for(self, model: str) -> str:
        """`grader.api_base` serves the primary model and fallbacks of the same provider.

        A fallback on another provider (say ollama/... primary, openai/... fallback) goes to
        that provider's own endpoint.
        """
        if not self.api_base:
            return ""
        return self.api_base if _provider(model) == _provider(self.model) else ""

    @classmethod
    def from_config(cls, config: Any, **overrides: Any) -> GraderSettings | None:
        model = str(config["grader.model"] or "").strip()
        if not model:
            return None
        settings = cls(
            model=model,
            fallbacks=tuple(config["grader.fallbacks"] or ()),
            api_base=str(config["grader.api_base"] or ""),
            timeout=float(config["grader.timeout"]),
            retries=int(config["grader.retries"]),
        )
        return replace(settings, **overrides) if overrides else settings


def _provider(model: str) -> str:
    return model.split("/", 1)[0] if "/" in model else ""
