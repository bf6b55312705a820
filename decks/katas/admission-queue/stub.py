"""A token-aware admission queue.

Requests to a model server are admitted by the tokens they will occupy, not by
count, and big requests must not starve small ones: ten 32k-token prompts at
the head of a plain FIFO queue keep a hundred 2k-token prompts waiting.

- A request is *large* when tokens >= `large`; otherwise it is *small*.
- Requests in flight never hold more than `capacity` tokens together, and large
  requests in flight never hold more than large_budget = int(capacity *
  large_share) tokens together (the rest is kept for small ones).
- submit(request_id, tokens) puts a request in the waiting line. Raise
  ValueError when tokens < 1, when tokens > capacity, when a large request is
  bigger than large_budget (it could never be admitted), or when the id is
  already waiting or in flight.
- admit() goes through the waiting requests in submission order and admits
  every one that fits under both limits, returning their ids in that order.
  Within one class there is no overtaking: once a request does not fit, no
  later request of the same class is admitted in that call. A request of the
  other class can still be admitted past it.
- finish(request_id) releases an in-flight request's tokens; an id that is not
  in flight (unknown, still waiting, or finished already) raises KeyError.
- `in_flight` is the number of tokens held by requests in flight.
- capacity < 1 or large_share outside (0, 1] raises ValueError.
"""


class AdmissionQueue:
    def __init__(self, capacity: int, large: int = 8192, large_share: float = 0.5) -> None:
        raise NotImplementedError

    def submit(self, request_id: str, tokens: int) -> None:
        raise NotImplementedError

    @property
    def in_flight(self) -> int:
        raise NotImplementedError

    def admit(self) -> list[str]:
        raise NotImplementedError

    def finish(self, request_id: str) -> None:
        raise NotImplementedError
