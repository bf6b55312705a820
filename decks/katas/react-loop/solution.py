"""A ReAct tool loop against a model that may misbehave: reference solution."""

import re
from collections.abc import Callable

ACTION = re.compile(r"^Action:\s*([A-Za-z_][\w-]*)\s*\[(.*)\]\s*$", re.MULTILINE)
FINAL = re.compile(r"^Final Answer:(.*)", re.MULTILINE | re.DOTALL)
MAX_OBSERVATION = 500
FORMAT_HINT = "reply with 'Action: tool[input]' or 'Final Answer: ...'"


class StepLimitError(Exception):
    """The model used every step without giving a final answer."""


def run_agent(
    model: Callable[[list[str]], str | None],
    tools: dict[str, Callable[[str], object]],
    question: str,
    max_steps: int = 8,
) -> str:
    if max_steps < 1:
        raise ValueError(f"max_steps must be at least 1, got {max_steps}")
    history = [f"Question: {question}"]
    for _ in range(max_steps):
        reply = model(list(history)) or ""  # a copy: the model must not edit our record
        final = FINAL.search(reply)
        if final:
            return final.group(1).strip()
        history.append(reply)
        history.append(f"Observation: {_observe(reply, tools)}")
    raise StepLimitError(f"no final answer after {max_steps} steps")


def _observe(reply: str, tools: dict[str, Callable[[str], object]]) -> str:
    """What the model is told about its move; every failure becomes text, never a crash."""
    if not reply.strip():
        return f"Error: empty reply; {FORMAT_HINT}"
    action = ACTION.search(reply)
    if action is None:
        return f"Error: malformed action; {FORMAT_HINT}"
    name, arg = action.group(1), action.group(2).strip()
    tool = tools.get(name)
    if tool is None:
        return f"Error: unknown tool '{name}'; available: {', '.join(sorted(tools))}"
    try:
        text = str(tool(arg))
    except Exception as exc:  # the model can read an error and try something else
        return f"Error: {type(exc).__name__}: {exc}"
    if len(text) > MAX_OBSERVATION:
        text = text[:MAX_OBSERVATION] + " [truncated]"
    return text
