"""A semantic cache with a threshold, tenant isolation and a TTL: reference solution."""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass
class _Entry:
    prompt: str
    vector: Sequence[float]
    answer: str
    stored_at: float


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    if norm == 0:
        return 0.0  # a zero vector is similar to nothing, not a division by zero
    return sum(x * y for x, y in zip(a, b)) / norm


class SemanticCache:
    def __init__(
        self,
        embed: Callable[[str], Sequence[float]],
        clock: Callable[[], float],
        threshold: float = 0.9,
        ttl: float = 3600.0,
        max_entries: int = 1000,
    ) -> None:
        if not 0 < threshold <= 1:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, got {max_entries}")
        self._embed = embed
        self._clock = clock
        self.threshold = threshold
        self.ttl = ttl
        self.max_entries = max_entries
        self._by_tenant: dict[str, list[_Entry]] = {}  # each tenant's entries, oldest first

    def _live(self, tenant: str) -> list[_Entry]:
        """The tenant's unexpired entries; expired ones are dropped for good."""
        now = self._clock()
        entries = [e for e in self._by_tenant.get(tenant, []) if now - e.stored_at < self.ttl]
        self._by_tenant[tenant] = entries
        return entries

    def get(self, tenant: str, prompt: str) -> str | None:
        vector = self._embed(prompt)  # once: embedding calls cost money and time
        best: _Entry | None = None
        best_score = -math.inf
        for entry in self._live(tenant):  # only this tenant's entries, ever
            score = cosine(vector, entry.vector)
            if score >= best_score:  # on a tie the newer entry (later in the list) wins
                best, best_score = entry, score
        if best is None or best_score < self.threshold:
            return None
        return best.answer

    def put(self, tenant: str, prompt: str, answer: str) -> None:
        vector = self._embed(prompt)
        entries = [e for e in self._live(tenant) if e.prompt != prompt]
        entries.append(_Entry(prompt, vector, answer, self._clock()))
        self._by_tenant[tenant] = entries[-self.max_entries :]

    def __len__(self) -> int:
        return sum(len(self._live(t)) for t in list(self._by_tenant))
