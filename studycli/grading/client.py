"""The LiteLLM side of grading: a lazy import, one call that asks a model for JSON (with our
retries, backoff and schema fallback), failures classified, usage and cost read, and
provider error text scrubbed of anything that looks like an API key.

`ModelCall.ask` and `untrusted_block` are the reusable pieces: any untrusted text (an
answer, a quote, a follow-up reply) goes to a model inside nonce delimiters, capped, and the
reply is parsed by the caller's own function.

LiteLLM is imported only when a grade is actually requested (or warmed up in the
background), with `LITELLM_LOCAL_MODEL_COST_MAP=True` so that its import never goes to the
network.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import secrets
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from studycli.grading.settings import (
    INSTALL_HINT,
    PLACEHOLDER_KEY,
    GraderSettings,
    GraderUnavailable,
)

T = TypeVar("T")
MAX_REPLY_CHARS = 200_000  # a reply longer than this is cut before it is parsed or kept

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
    text = scrub_secrets(" ".join(str(exc).split()))
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
        return _Failure("config", unknown_model(model))
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


def unknown_model(model: str) -> str:
    """What to say when LiteLLM cannot route a model string."""
    return f"unknown model '{model}': use a LiteLLM model string such as openai/gpt-4o-mini"


_SECRET_PATTERNS = (
    re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-]{6,}"),
    re.compile(r"\bAIza[0-9A-Za-z_\-]{16,}"),
    re.compile(r"\b(?:gh[pousr]|glpat|xox[abprs])[-_][A-Za-z0-9_\-]{8,}"),
    re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=\-]{8,}"),
    re.compile(
        r"(?i)((?:api[_-]?key|x-api-key|access[_-]?token|auth[_-]?token|token|secret|password|"
        r"authorization|key)[\"']?\s*[:=]\s*[\"']?)([A-Za-z0-9._~+/\-]{8,})"
    ),
    re.compile(r"\b(?=[A-Za-z0-9_\-]*\d)(?=[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{32,}\b"),
)


def scrub_secrets(text: str) -> str:
    """`text` with anything that looks like an API key replaced by "***" (a server that
    echoes the key in an error must not get it stored or shown)."""
    for name, value in os.environ.items():
        if len(value) >= 8 and re.search(r"KEY|TOKEN|SECRET|PASSWORD", name, re.I):
            text = text.replace(value, "***")
    for pattern in _SECRET_PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda m: m.group(1) + "***", text)
        else:
            text = pattern.sub("***", text)
    return text


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
    return content[:MAX_REPLY_CHARS] if isinstance(content, str) else None


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


def missing_keys(litellm: Any, model: str) -> list[str]:
    """The API key variables the provider needs and the environment lacks."""
    try:
        info = litellm.validate_environment(model=model)
    except Exception:  # noqa: BLE001 - unknown to the check: let the call decide
        return []
    # Only API keys block: bases have defaults, cloud credentials may come from profiles.
    return [k for k in info.get("missing_keys", []) if "API_KEY" in k]


def endpoint_args(litellm: Any, model: str, api_base: str) -> dict[str, str]:
    """A call's `api_base`, with a placeholder key where the provider wants one the local
    server ignores; nothing when the provider's own endpoint is used."""
    if not api_base:
        return {}
    args = {"api_base": api_base}
    if missing_keys(litellm, model):
        args["api_key"] = PLACEHOLDER_KEY
    return args


def untrusted_block(text: str, label: str, cap: int, nonce: str | None = None) -> tuple[str, str]:
    """`text` inside <label-nonce> delimiters, cut to `cap` characters, and the nonce.

    The nonce is random per call, so text cannot close the block by guessing its marker;
    the prompt must say that nothing inside the markers is an instruction.
    """
    nonce = nonce or secrets.token_hex(8)
    body = text[:cap]
    return f"<{label}-{nonce}>\n{body}\n</{label}-{nonce}>", nonce


_FENCE = re.compile(r"```[a-zA-Z0-9_-]*[ \t]*\n?(.*?)```", re.S)


def first_json_object(text: str, accept: Callable[[Any], bool]) -> Any:
    """The first JSON object in a reply that `accept` takes: fenced, bare, or inside prose.
    None when there is none."""
    decoder = json.JSONDecoder()
    for chunk in [m.group(1) for m in _FENCE.finditer(text)] + [text]:
        for start in [m.start() for m in re.finditer(r"\{", chunk)][:200]:
            try:
                obj, _ = decoder.raw_decode(chunk, start)
            except ValueError:
                continue
            if accept(obj):
                return obj
    return None


class Unusable(Exception):
    """A reply that the caller's parser cannot use (asked again once)."""


@dataclass
class Spent:
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


class ModelCall:
    """Asks models for JSON under one grader configuration: our retries with exponential
    backoff and jitter for 429/5xx/timeouts, no retry for what will not heal (401, unknown
    model, nobody listening), words instead of a JSON schema where the provider refuses one,
    and one more try when the reply is unusable."""

    def __init__(
        self,
        settings: GraderSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] | None = None,
    ) -> None:
        import random

        self.settings = settings
        self.sleep = sleep
        self.jitter = jitter or random.random

    def ask(
        self,
        litellm: Any,
        model: str,
        messages: list[dict[str, str]],
        parse: Callable[[str | None], T],
        spent: Spent,
        *,
        schema: tuple[str, dict[str, Any]] | None = None,
        reminder: str = "",
    ) -> T | _Failure:
        """Up to 1 + retries attempts on one model; one extra try for an unusable reply.

        `parse` turns the reply text into the caller's value or raises `Unusable` (or any
        exception named in its message); `reminder`, if given, is appended for the retry.
        """
        api_base = self.settings.api_base_for(model)
        problem = self.preflight(litellm, model, api_base)
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
        kwargs.update(endpoint_args(litellm, model, api_base))
        use_schema = schema is not None and _supports_schema(litellm, model)
        transient_left = self.settings.retries
        malformed_left = 1
        attempt = 0
        current = messages
        while True:
            call = dict(kwargs, messages=current)
            if use_schema and schema is not None:
                call["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": schema[0], "schema": schema[1], "strict": True},
                }
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    response = litellm.completion(**call)
            except Exception as exc:  # noqa: BLE001 - every provider error is classified below
                failure = classify(exc, model, api_base)
                if failure.kind == "schema" and use_schema:
                    use_schema = False  # the provider refuses JSON-schema output: ask in words
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
            spent.add(*_usage(litellm, response, model))
            try:
                return parse(_content(response))
            except Unusable as exc:
                if malformed_left <= 0:
                    return _Failure("malformed", f"{model}: unusable reply twice ({exc})")
                malformed_left -= 1
                current = messages + ([{"role": "user", "content": reminder}] if reminder else [])

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        """Exponential, capped, jittered to half-to-all of the step; a longer Retry-After wins."""
        step = min(self.settings.max_delay, self.settings.base_delay * (2**attempt))
        delay = step * (0.5 + 0.5 * self.jitter())
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.settings.max_delay))
        return delay

    def preflight(self, litellm: Any, model: str, api_base: str) -> _Failure | None:
        """Problems that need no network call to find: unknown provider, missing API key."""
        try:
            litellm.get_llm_provider(model=model, api_base=api_base or None)
        except Exception:  # noqa: BLE001 - any failure here means LiteLLM cannot route the model
            return _Failure("config", unknown_model(model))
        if not api_base:
            missing = missing_keys(litellm, model)
            if missing:
                return _Failure(
                    "config",
                    f"{model}: {' or '.join(missing)} is not set "
                    "(API keys stay in your environment)",
                )
        return None


def _supports_schema(litellm: Any, model: str) -> bool:
    try:
        return bool(litellm.supports_response_schema(model=model))
    except Exception:  # noqa: BLE001 - unknown models: ask in words, parse defensively
        return False
