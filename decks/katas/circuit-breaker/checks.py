"""Hidden checks: circuit breaker."""

from katacheck import check, close, eq, raises


class ToolDown(Exception):
    pass


class World:
    def __init__(self):
        self.now = 100.0
        self.calls = 0

    def clock(self):
        return self.now

    def ok(self, value="ok"):
        self.calls += 1
        return value

    def down(self):
        self.calls += 1
        raise ToolDown("503 from the tool")

    def bad_input(self):
        self.calls += 1
        raise ValueError("no such city")

    def breaker(self, m, **kw):
        return m.CircuitBreaker(self.clock, **kw)


def fail(b, w, n):
    for _ in range(n):
        raises(ToolDown, b.call, w.down)


@check("passes results through while closed")
def _(m):
    w = World()
    b = w.breaker(m)
    eq(b.call(w.ok, "fine"), "fine", "result")
    eq(b.state, "closed", "state")


@check("passes positional and keyword arguments")
def _(m):
    w = World()
    b = w.breaker(m)
    eq(b.call(lambda a, b=0: a * 10 + b, 4, b=2), 42, "result")


@check("re-raises the tool's own error")
def _(m):
    w = World()
    b = w.breaker(m)
    err = raises(ToolDown, b.call, w.down)
    eq(str(err), "503 from the tool", "error message")


@check("opens after three failures in a row")
def _(m):
    w = World()
    b = w.breaker(m, failure_threshold=3)
    fail(b, w, 2)
    eq(b.state, "closed", "state after two failures")
    fail(b, w, 1)
    eq(b.state, "open", "state after three failures")


@check("an open circuit does not call the tool")
def _(m):
    w = World()
    b = w.breaker(m)
    fail(b, w, 3)
    before = w.calls
    raises(m.CircuitOpenError, b.call, w.ok)
    eq(w.calls - before, 0, "tool calls while open")


@check("a success resets the failure count")
def _(m):
    w = World()
    b = w.breaker(m, failure_threshold=3)
    fail(b, w, 2)
    b.call(w.ok)
    fail(b, w, 2)
    eq(b.state, "closed", "state (never three failures in a row)")
    fail(b, w, 1)
    eq(b.state, "open", "state after three failures in a row following a success")


@check("says how long until the next try")
def _(m):
    w = World()
    b = w.breaker(m, reset_after=30.0)
    fail(b, w, 3)
    w.now += 12.0
    err = raises(m.CircuitOpenError, b.call, w.ok)
    close(getattr(err, "retry_in", None), 18.0, "seconds in retry_in")


@check("stays open until reset_after has passed")
def _(m):
    w = World()
    b = w.breaker(m, reset_after=30.0)
    fail(b, w, 3)
    w.now += 29.5
    eq(b.state, "open", "state after 29.5 s")
    raises(m.CircuitOpenError, b.call, w.ok)


@check("turns half-open exactly at reset_after")
def _(m):
    w = World()
    b = w.breaker(m, reset_after=30.0)
    fail(b, w, 3)
    w.now += 30.0
    eq(b.state, "half-open", "state after 30 s")


@check("a successful trial closes the circuit")
def _(m):
    w = World()
    b = w.breaker(m, reset_after=30.0)
    fail(b, w, 3)
    w.now += 31.0
    before = w.calls
    eq(b.call(w.ok, "back"), "back", "trial result")
    eq(w.calls - before, 1, "tool calls for the trial")
    eq(b.state, "closed", "state after the trial")
    fail(b, w, 2)
    eq(b.state, "closed", "state after two new failures (the count restarted)")


@check("a failed trial opens the circuit again")
def _(m):
    w = World()
    b = w.breaker(m, reset_after=30.0)
    fail(b, w, 3)
    w.now += 40.0
    fail(b, w, 1)
    eq(b.state, "open", "state after the failed trial")


@check("the wait restarts at the failed trial")
def _(m):
    w = World()
    b = w.breaker(m, reset_after=30.0)
    fail(b, w, 3)
    w.now += 40.0
    fail(b, w, 1)
    w.now += 29.0
    eq(b.state, "open", "state 29 s after the failed trial")
    w.now += 1.0
    eq(b.state, "half-open", "state 30 s after the failed trial")


@check("rejected calls do not extend the wait")
def _(m):
    w = World()
    b = w.breaker(m, reset_after=30.0)
    fail(b, w, 3)
    for _ in range(5):
        w.now += 5.0
        raises(m.CircuitOpenError, b.call, w.ok)
    w.now += 5.0
    eq(b.state, "half-open", "state 30 s after opening")


@check("ignored errors pass through and do not count")
def _(m):
    w = World()
    b = w.breaker(m, failure_threshold=2, ignore=(ValueError,))
    for _ in range(5):
        raises(ValueError, b.call, w.bad_input)
    eq(b.state, "closed", "state after five ignored errors")


@check("an ignored error counts as the tool answering")
def _(m):
    w = World()
    b = w.breaker(m, failure_threshold=2, ignore=(ValueError,))
    fail(b, w, 1)
    raises(ValueError, b.call, w.bad_input)
    fail(b, w, 1)
    eq(b.state, "closed", "state (the ignored error broke the run of failures)")


@check("an ignored error closes a half-open circuit")
def _(m):
    w = World()
    b = w.breaker(m, failure_threshold=1, reset_after=10.0, ignore=(ValueError,))
    fail(b, w, 1)
    w.now += 10.0
    raises(ValueError, b.call, w.bad_input)
    eq(b.state, "closed", "state")


@check("a threshold of one opens on the first failure")
def _(m):
    w = World()
    b = w.breaker(m, failure_threshold=1)
    fail(b, w, 1)
    eq(b.state, "open", "state")


@check("defaults to three failures and a 30 s wait")
def _(m):
    w = World()
    b = w.breaker(m)
    fail(b, w, 2)
    eq(b.state, "closed", "state after two failures")
    fail(b, w, 1)
    w.now += 29.0
    eq(b.state, "open", "state 29 s after the third failure")
    w.now += 1.0
    eq(b.state, "half-open", "state 30 s after the third failure")


@check("refuses bad settings")
def _(m):
    w = World()
    raises(ValueError, w.breaker, m, failure_threshold=0)
    raises(ValueError, w.breaker, m, reset_after=-1.0)
    b = w.breaker(m, reset_after=0.0, failure_threshold=1)
    fail(b, w, 1)
    eq(b.state, "half-open", "state with reset_after=0")
