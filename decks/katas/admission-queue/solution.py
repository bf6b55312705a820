"""A token-aware admission queue: reference solution."""


class AdmissionQueue:
    def __init__(self, capacity: int, large: int = 8192, large_share: float = 0.5) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1 token, got {capacity}")
        if not 0 < large_share <= 1:
            raise ValueError(f"large_share must be in (0, 1], got {large_share}")
        self.capacity = capacity
        self.large = large
        self.large_budget = int(capacity * large_share)
        self._waiting: list[tuple[str, int]] = []  # submission order
        self._running: dict[str, int] = {}

    def _is_large(self, tokens: int) -> bool:
        return tokens >= self.large

    def submit(self, request_id: str, tokens: int) -> None:
        if tokens < 1 or tokens > self.capacity:
            raise ValueError(f"{request_id}: {tokens} tokens can never fit in {self.capacity}")
        if self._is_large(tokens) and tokens > self.large_budget:
            raise ValueError(f"{request_id}: {tokens} tokens exceed the large budget")
        if request_id in self._running or any(r == request_id for r, _ in self._waiting):
            raise ValueError(f"{request_id}: already submitted")
        self._waiting.append((request_id, tokens))

    @property
    def in_flight(self) -> int:
        return sum(self._running.values())

    def admit(self) -> list[str]:
        total = self.in_flight
        large_total = sum(t for t in self._running.values() if self._is_large(t))
        admitted: list[str] = []
        waiting: list[tuple[str, int]] = []
        blocked: set[bool] = set()  # classes whose head did not fit: no overtaking within one
        for request_id, tokens in self._waiting:
            big = self._is_large(tokens)
            fits = (
                big not in blocked
                and total + tokens <= self.capacity
                and (not big or large_total + tokens <= self.large_budget)
            )
            if not fits:
                blocked.add(big)
                waiting.append((request_id, tokens))
                continue
            self._running[request_id] = tokens
            total += tokens
            if big:
                large_total += tokens
            admitted.append(request_id)
        self._waiting = waiting
        return admitted

    def finish(self, request_id: str) -> None:
        del self._running[request_id]  # KeyError unless it is in flight
