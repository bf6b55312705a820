"""Parse a model's JSON reply: reference solution."""

import json
import re
from collections.abc import Callable
from typing import Any

FENCE = re.compile(r"```[A-Za-z]*[ \t]*\n?(.*?)```", re.DOTALL)


class ReplyError(Exception):
    """The reply held no usable JSON object, even after one repair."""


def parse_reply(
    text: str | None,
    schema: dict[str, type],
    repair: Callable[[str | None, str], str],
) -> dict[str, Any]:
    try:
        return _parse(text, schema)
    except ReplyError as exc:
        problem = str(exc)
    # One repair, told what was wrong; a second failure is the caller's to handle.
    return _parse(repair(text, problem), schema)


def _parse(text: str | None, schema: dict[str, type]) -> dict[str, Any]:
    value = _extract(text)
    _check(value, schema)
    return value


def _extract(text: str | None) -> dict[str, Any]:
    if not text or not text.strip():
        raise ReplyError("empty reply")
    fenced = FENCE.search(text)
    body = fenced.group(1) if fenced else text
    decoder = json.JSONDecoder()
    # raw_decode parses one value and reports where it ended, so prose after the
    # object is ignored; trying each brace skips braces that belong to the prose.
    for start, char in enumerate(body):
        if char == "{":
            try:
                value, _ = decoder.raw_decode(body, start)
            except ValueError:
                continue
            return value
    raise ReplyError("no JSON object found")


def _check(value: dict[str, Any], schema: dict[str, type]) -> None:
    for field, kind in schema.items():
        if field not in value:
            raise ReplyError(f"missing field '{field}'")
        got = value[field]
        if isinstance(got, bool) and kind is not bool:
            ok = False  # True is an int to Python, not to a schema
        elif kind is float:
            ok = isinstance(got, (int, float))
        else:
            ok = isinstance(got, kind)
        if not ok:
            raise ReplyError(f"field '{field}' should be {kind.__name__}, got {type(got).__name__}")
