"""Parse a model's JSON reply, with one repair.

Return the JSON object found in `text` as a dict, after checking it against
`schema`, a mapping of field name to Python type (str, int, float, bool, list,
dict).

1. Find the object: if the text has a ``` code fence (with or without a
   language tag), look inside the first fenced block only; otherwise look in the
   whole text. The object is the first "{" at which a whole JSON object parses;
   prose before or after it, and braces in the prose, are ignored.
2. Check the schema: every field must be present and of its type; extra fields
   are kept. true/false are not ints or floats; an int is a valid float.
3. If step 1 or 2 fails (an empty reply counts as failing), call
   `repair(text, problem)` once, where `problem` is a one-line description that
   names the field at fault when there is one (e.g. "missing field 'score'").
   Apply steps 1 and 2 to what it returns. If that fails too, raise ReplyError.

Edge cases to handle:
- '{"a": "x } y"}' : braces inside strings belong to the string
- 'Use {name}: {"name": "ada"}' : "{name}" is prose, not JSON
- a model can return None instead of text: treat it as an empty reply
- never call repair when the first parse works, never call it twice
"""

from collections.abc import Callable
from typing import Any


class ReplyError(Exception):
    pass


def parse_reply(
    text: str | None,
    schema: dict[str, type],
    repair: Callable[[str | None, str], str],
) -> dict[str, Any]:
    raise NotImplementedError
