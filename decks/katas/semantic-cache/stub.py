"""A semantic cache with a similarity threshold, tenant isolation and a TTL.

Answer a prompt from the cache when a stored prompt means nearly the same
thing, so a paraphrase costs no model call.

- `embed(text)` returns a vector (a list of floats); call it exactly once per
  get() and once per put().
- get(tenant, prompt): among the tenant's unexpired entries, find the one whose
  vector has the highest cosine similarity with the prompt's vector. Return its
  answer if that similarity is >= threshold, else None. When two entries are
  equally similar, the one stored last wins. Never look at another tenant's
  entries.
- put(tenant, prompt, answer): store an entry stamped with clock(). A put with
  the same tenant and the exact same prompt text replaces the old entry (and
  restarts its TTL). When a tenant holds more than max_entries entries, drop
  that tenant's oldest.
- An entry expires once clock() - stored_at >= ttl: it is never returned again.
- len(cache) is the number of unexpired entries, all tenants together.

Edge cases to handle:
- a zero vector has similarity 0 with everything (no ZeroDivisionError)
- similarity exactly equal to the threshold is a hit
- opposite vectors (negative similarity) are a miss
- threshold must be in (0, 1] and max_entries >= 1, else ValueError
"""

from collections.abc import Callable, Sequence


class SemanticCache:
    def __init__(
        self,
        embed: Callable[[str], Sequence[float]],
        clock: Callable[[], float],
        threshold: float = 0.9,
        ttl: float = 3600.0,
        max_entries: int = 1000,
    ) -> None:
        raise NotImplementedError

    def get(self, tenant: str, prompt: str) -> str | None:
        raise NotImplementedError

    def put(self, tenant: str, prompt: str, answer: str) -> None:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError
