"""One real call to a grader model, to know it answers before it is saved (`studycli init`).

The key is the provider's own environment variable (OPENAI_API_KEY, ANTHROPIC_API_KEY...),
read by LiteLLM; studycli never stores one. A local OpenAI-compatible server
(`api_base`) gets a placeholder key when none is set, as the grader does.
"""

from __future__ import annotations

import os
import time
import warnings
from dataclasses import dataclass

from studycli.grading.client import classify, load_litellm, missing_keys, unknown_model
from studycli.grading.settings import PLACEHOLDER_KEY

PROMPT = "Reply with the single word: ready"


@dataclass(frozen=True)
class ModelCheck:
    ok: bool
    message: str  # "openai/gpt-4o-mini answered in 0.8 s (key from OPENAI_API_KEY)" or the problem
    seconds: float = 0.0


def check_model(model: str, api_base: str = "", *, timeout: float = 30.0) -> ModelCheck:
    """Ask `model` for one word. Raises GraderUnavailable when LiteLLM is not installed."""
    litellm = load_litellm()
    try:
        _, provider, _, _ = litellm.get_llm_provider(model=model, api_base=api_base or None)
    except Exception:  # noqa: BLE001 - LiteLLM cannot route the model string
        return ModelCheck(False, unknown_model(model))
    missing = missing_keys(litellm, model)
    usual = f"{provider.upper()}_API_KEY"  # OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY...
    call: dict[str, object] = {
        "model": model,
        "messages": [{"role": "user", "content": PROMPT}],
        "timeout": timeout,
        "num_retries": 0,
        "max_retries": 0,
        "drop_params": True,
    }
    if api_base:
        call["api_base"] = api_base
        if missing:
            call["api_key"] = PLACEHOLDER_KEY
    elif missing:
        return ModelCheck(
            False, f"{model}: {' or '.join(missing)} is not set (API keys stay in your environment)"
        )
    started = time.monotonic()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            litellm.completion(**call)
    except Exception as exc:  # noqa: BLE001 - every provider error becomes one line
        return ModelCheck(False, classify(exc, model, api_base).message)
    seconds = time.monotonic() - started
    where = f" at {api_base}" if api_base else f" ({provider})"
    key = f", key from {usual}" if os.environ.get(usual) and not missing else ""
    return ModelCheck(True, f"{model} answered in {seconds:.1f} s{where}{key}", seconds)
