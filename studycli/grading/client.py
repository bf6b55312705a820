"""The LiteLLM side of grading: the lazy, cached import, and what a failed call means
(retry, fall back, or give up with one line).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import threading
import warnings
from dataclasses import dataclass
from typing import Any

from studycli.grading.settings import INSTALL_HINT, GraderUnavailable

# A warm-up thread and the first grade may both ask for LiteLLM at once.
_import_lock = threading.Lock()


def load_litellm() -> Any:
    """LiteLLM, imported on first use and cached (see `_import_litellm`)."""
    with _import_lock:
        return _import_litellm()


def litellm_loaded() -> bool:
    return _import_litellm.cache_info().currsize > 0


@functools.cache
def _import_litellm() -> Any:
    """Import LiteLLM once, with the bundled cost map (no network at import) and quiet logging."""
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import litellm
    except ImportError:
        raise GraderUnavailable(INSTALL_HINT) from None
    litellm.suppress_debug_info = True  # no "Give Feedback / Get Help" banners in the drill
    import importlib
    import logging

    for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy", "litellm"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    # The first completion would import these (about a second more); importing them here
    # lets a warm-up pay for them instead of the first graded answer.
    for name in (
        "openai.resources.chat",
        "litellm.proxy._types",
        "litellm.llms.custom_httpx.aiohttp_transport",
    ):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                importlib.import_module(name)
        except Exception:  # noqa: BLE001 - only a speed-up
            pass
    return litellm


def _exception_chain(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and len(out) < 12 and cur not in out:
        out.append(cur)
        cur = cur.__cause__ or cur.__context__
    return out


@dataclass(frozen=True)
class _Failure:
    kind: str  # transient | unreachable | config | schema | malformed | other
    message: str
    retry_after: float | None = None


def classify(exc: BaseException, model: str, api_base: str) -> _Failure:
    """What a LiteLLM exception means for us: retry, move to the next model, or give up."""
    chain = _exception_chain(exc)
    names = {type(e).__name__ for e in chain}
    for e in chain:
        names.update(c.__name__ for c in type(e).__mro__)
    status = getattr(exc, "status_code", None)
    text = " ".join(str(exc).split())
    where = f" at {api_base}" if api_base else ""
    if names & {"ConnectionRefusedError", "ConnectError", "gaierror"} and not names & {
        "Timeout",
        "ConnectTimeout",
    }:
        reason = "connection refused" if "ConnectionRefusedError" in names else "cannot connect"
        return _Failure("unreachable", f"{model}: {reason}{where} (is the server running?)")
    if "Missing credentials" in text or "api_key client option must be set" in text:
        return _Failure("config", f"{model}: no API key found in the environment")
    if (
        names & {"Timeout", "APITimeoutError", "ReadTimeout", "ConnectTimeout", "TimeoutError"}
        or status == 408
    ):
        return _Failure("transient", f"{model}: timed out")
    if "RateLimitError" in names or status == 429:
        return _Failure("transient", f"{model}: rate limited (429)", _retry_after(exc))
    if "AuthenticationError" in names or "PermissionDeniedError" in names or status in (401, 403):
        return _Failure(
            "config",
            f"{model}: authentication failed ({status}); check the provider's API key variable",
        )
    if "LLM Provider NOT provided" in text:
        return _Failure(
            "config",
            f"unknown model '{model}': use a LiteLLM model string such as openai/gpt-4o-mini",
        )
    if "NotFoundError" in names or status == 404:
        return _Failure("config", f"{model}: model not found ({status or 404})")
    if (
        isinstance(status, int)
        and status >= 500
        or names & {"InternalServerError", "ServiceUnavailableError", "BadGatewayError"}
    ):
        return _Failure(
            "transient", f"{model}: server error ({status or '5xx'})", _retry_after(exc)
        )
    if "APIConnectionError" in names:
        return _Failure("transient", f"{model}: connection error ({_short(text)})")
    if ("BadRequestError" in names or status == 400) and re.search(
        r"response_format|json_schema|schema", text, re.I
    ):
        return _Failure("schema", f"{model}: structured output refused ({_short(text)})")
    return _Failure("other", f"{model}: {type(exc).__name__}: {_short(text)}")


def _short(text: str, limit: int = 160) -> str:
    text = re.sub(r"^litellm\.\w+:\s*", "", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _retry_after(exc: BaseException) -> float | None:
    """The server's Retry-After in seconds, wherever in the exception chain LiteLLM kept it."""
    for e in _exception_chain(exc):
        for headers in (
            getattr(e, "litellm_response_headers", None),
            getattr(e, "headers", None),
            getattr(getattr(e, "response", None), "headers", None),
        ):
            try:
                value = headers.get("retry-after") if headers else None
                if value is not None:
                    return max(0.0, float(value))
            except (AttributeError, TypeError, ValueError):
                continue
    return None


def _warm_import() -> None:
    # A failure here is reported by grade(), which imports again.
    with contextlib.suppress(Exception):
        load_litellm()


def _content(response: Any) -> str | None:
    try:
        content = response.choices[0].message.content
    except (AttributeError, IndexError, KeyError, TypeError):
        return None
    return content if isinstance(content, str) else None


def _usage(litellm: Any, response: Any, model: str) -> tuple[int, int, float | None]:
    usage = getattr(response, "usage", None)
    tokens_in = int(getattr(usage, "prompt_tokens", 0) or 0)
    tokens_out = int(getattr(usage, "completion_tokens", 0) or 0)
    cost: float | None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cost = float(litellm.completion_cost(completion_response=response, model=model))
    except Exception:  # noqa: BLE001 - a model without a price: shown as unknown, never a crash
        cost = None
    if (
        cost is not None
        and cost == 0.0
        and tokens_in + tokens_out > 0
        and not _priced(litellm, model)
    ):
        cost = None
    return tokens_in, tokens_out, cost


def _priced(litellm: Any, model: str) -> bool:
    try:
        info = litellm.get_model_info(model=model)
    except Exception:  # noqa: BLE001
        return False
    return info.get("input_cost_per_token") is not None
