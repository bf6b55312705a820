"""Hidden checks: retry with exponential backoff and full jitter."""

from katacheck import check, close, eq, raises, that


class ApiError(Exception):
    def __init__(self, status, retry_after=None):
        super().__init__(f"HTTP {status}")
        self.status = status
        self.retry_after = retry_after


class World:
    """A fake clock that only moves when slept on (or when a call takes time)."""

    def __init__(self, outcomes, rand=0.5, now=1000.0, call_takes=0.0):
        self.outcomes = list(outcomes)
        self.calls = 0
        self.sleeps = []
        self.now = now
        self.call_takes = call_takes
        self.rands = list(rand) if isinstance(rand, list) else None
        self.rand_value = rand
        self.errors = []

    def fn(self):
        self.calls += 1
        self.now += self.call_takes
        outcome = self.outcomes.pop(0) if len(self.outcomes) > 1 else self.outcomes[0]
        if isinstance(outcome, BaseException):
            self.errors.append(outcome)
            raise outcome
        return outcome

    def sleep(self, seconds):
        that(seconds >= 0, f"slept a negative time ({seconds})")
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self):
        return self.now

    def rand(self):
        if self.rands is not None:
            that(self.rands, "drew more random numbers than delays")
            return self.rands.pop(0)
        return self.rand_value

    def run(self, m, **kw):
        kw.setdefault("base", 1.0)
        kw.setdefault("cap", 100.0)
        kw.setdefault("deadline", 1000.0)
        return m.call_with_retry(self.fn, sleep=self.sleep, clock=self.clock, rand=self.rand, **kw)


@check("returns at once when the first call works")
def _(m):
    w = World(["ok"])
    eq(w.run(m), "ok", "result")
    eq(w.calls, 1, "calls")
    eq(w.sleeps, [], "sleeps")


@check("retries a 429")
def _(m):
    w = World([ApiError(429), ApiError(429), "ok"])
    eq(w.run(m), "ok", "result")
    eq(w.calls, 3, "calls")


@check("retries a 500 and a 599")
def _(m):
    w = World([ApiError(500), ApiError(599), "ok"])
    eq(w.run(m), "ok", "result")
    eq(w.calls, 3, "calls")


@check("retries a timeout and a dropped connection")
def _(m):
    w = World([TimeoutError("read timed out"), ConnectionResetError("reset"), "ok"])
    eq(w.run(m), "ok", "result")
    eq(w.calls, 3, "calls")


@check("does not retry a 400")
def _(m):
    err = ApiError(400)
    w = World([err, "ok"])
    got = raises(ApiError, w.run, m)
    eq(w.calls, 1, "calls")
    that(got is err, "the original 400 error should reach the caller unchanged")
    eq(w.sleeps, [], "sleeps")


@check("does not retry a 499 or a 600")
def _(m):
    for status in (499, 600):
        w = World([ApiError(status), "ok"])
        raises(ApiError, w.run, m)
        eq(w.calls, 1, f"calls for status {status}")


@check("does not retry a programming error")
def _(m):
    w = World([KeyError("choices"), "ok"])
    raises(KeyError, w.run, m)
    eq(w.calls, 1, "calls")


@check("waits rand() times the doubling delay (full jitter)")
def _(m):
    w = World([ApiError(503)] * 4 + ["ok"], rand=0.5)
    w.run(m, base=1.0)
    eq(w.sleeps, [0.5, 1.0, 2.0, 4.0], "sleeps")


@check("draws a fresh random number for every delay")
def _(m):
    w = World([ApiError(503)] * 3 + ["ok"], rand=[0.25, 0.75, 0.5])
    w.run(m, base=2.0)
    eq(w.sleeps, [0.5, 3.0, 4.0], "sleeps")


@check("a random draw of zero means no wait")
def _(m):
    w = World([ApiError(429), "ok"], rand=0.0)
    w.run(m, base=5.0)
    eq(w.sleeps, [0.0], "sleeps")


@check("caps the delay")
def _(m):
    w = World([ApiError(503)] * 5 + ["ok"], rand=1.0)
    w.run(m, base=1.0, cap=3.0, max_attempts=6)
    eq(w.sleeps, [1.0, 2.0, 3.0, 3.0, 3.0], "sleeps")


@check("honours Retry-After instead of the jittered delay")
def _(m):
    w = World([ApiError(429, retry_after=7), "ok"], rand=0.5)
    eq(w.run(m), "ok", "result")
    eq(w.sleeps, [7], "sleeps")


@check("honours a Retry-After above the cap")
def _(m):
    w = World([ApiError(429, retry_after=45), "ok"], rand=0.5)
    w.run(m, cap=30.0, deadline=60.0)
    eq(w.sleeps, [45], "sleeps")


@check("gives up after max_attempts calls, with no sleep after the last")
def _(m):
    w = World([ApiError(429)], rand=0.5)
    raises(m.RetryError, w.run, m, max_attempts=4)
    eq(w.calls, 4, "calls")
    eq(len(w.sleeps), 3, "sleeps")


@check("RetryError keeps the attempt count and the last failure")
def _(m):
    w = World([ApiError(503), ApiError(502), ApiError(504)], rand=0.5)
    err = raises(m.RetryError, w.run, m, max_attempts=3)
    eq(getattr(err, "attempts", None), 3, "attempts on the RetryError")
    cause = err.__cause__
    eq(getattr(cause, "status", None), 504, "status of the chained cause (raise ... from last)")
    that(cause is w.errors[-1], "the chained cause is not the last failure")


@check("max_attempts of one means a single call")
def _(m):
    w = World([ApiError(429), "ok"])
    raises(m.RetryError, w.run, m, max_attempts=1)
    eq(w.calls, 1, "calls")
    eq(w.sleeps, [], "sleeps")


@check("refuses max_attempts below one")
def _(m):
    w = World(["ok"])
    raises(ValueError, w.run, m, max_attempts=0)
    eq(w.calls, 0, "calls")


@check("stops before a delay would pass the deadline")
def _(m):
    w = World([ApiError(503)], rand=1.0)
    raises(m.RetryError, w.run, m, base=4.0, deadline=10.0)
    eq(w.calls, 2, "calls")
    eq(w.sleeps, [4.0], "sleeps")


@check("a delay that ends exactly at the deadline is still taken")
def _(m):
    w = World([ApiError(503), "ok"], rand=1.0)
    eq(w.run(m, base=4.0, deadline=4.0), "ok", "result")
    eq(w.sleeps, [4.0], "sleeps")


@check("a Retry-After past the deadline gives up at once")
def _(m):
    w = World([ApiError(429, retry_after=120), "ok"])
    raises(m.RetryError, w.run, m, deadline=60.0)
    eq(w.calls, 1, "calls")
    eq(w.sleeps, [], "sleeps")


@check("counts the time spent in calls toward the deadline")
def _(m):
    w = World([ApiError(503)], rand=0.0, call_takes=5.0)
    raises(m.RetryError, w.run, m, deadline=12.0, max_attempts=10)
    eq(w.calls, 3, "calls")


@check("measures the deadline from the first call")
def _(m):
    w = World([ApiError(503)] * 2 + ["ok"], rand=1.0, now=50_000.0)
    eq(w.run(m, base=1.0, deadline=3.0), "ok", "result")
    close(sum(w.sleeps), 3.0, "seconds slept")


@check("makes five attempts by default")
def _(m):
    w = World([ApiError(503)], rand=0.0)
    err = raises(m.RetryError, m.call_with_retry, w.fn, sleep=w.sleep, clock=w.clock, rand=w.rand)
    eq(w.calls, 5, "calls")
    that(
        "5" in str(err),
        f"the RetryError message should say how many attempts were made, got {str(err)!r}",
    )
