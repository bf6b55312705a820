"""A ReAct tool loop against a model that may misbehave.

Run a question through a model that can call tools, and return its final answer.

- `history` starts as ["Question: <question>"].
- Each step: call `model(history)` with a copy of the history. The reply is a
  string (or None, which counts as an empty reply).
  - If a line of the reply starts with "Final Answer:", return everything after
    that marker, stripped (even if the reply also names an action).
  - Otherwise append the reply (None as "") to the history, work out an
    observation, and append "Observation: <observation>".
- Observations:
  - an empty or blank reply: "Error: empty reply; ..." (any hint after the ";")
  - no line of the form "Action: name[input]": "Error: malformed action; ..."
  - a name that is not in `tools`: "Error: unknown tool '<name>'; available: <names>"
    with the tool names sorted and joined by ", "
  - otherwise call tools[name](input) with the input stripped; its result
    converted with str() is the observation. If the tool raises an Exception,
    the observation is "Error: <ExceptionType>: <message>" and the loop goes on.
  - an observation longer than 500 characters is cut to its first 500
    characters followed by " [truncated]".
- After `max_steps` model calls with no final answer, raise StepLimitError.
- max_steps < 1 raises ValueError.

Example step: the model replies "Thought: look it up\\nAction: search[ capital of France ]";
search("capital of France") returns "Paris"; the history grows by that reply and
"Observation: Paris".
"""

from collections.abc import Callable


class StepLimitError(Exception):
    pass


def run_agent(
    model: Callable[[list[str]], str | None],
    tools: dict[str, Callable[[str], object]],
    question: str,
    max_steps: int = 8,
) -> str:
    raise NotImplementedError
