"""What a grader is configured with: models, endpoint, timeouts, retries, the second look."""

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
    verify: bool = True  # second look at each met point, in a separate call

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
            verify=bool(config["grader.verify"]),
        )
        return replace(settings, **overrides) if overrides else settings


def _provider(model: str) -> str:
    return model.split("/", 1)[0] if "/" in model else ""
