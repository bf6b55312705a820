"""Hidden checks: token-aware admission queue."""

from katacheck import check, eq, raises, that

K32 = 32_768
K2 = 2_048


def rounds_until_done(m, q, ids):
    """Admit, then finish everything admitted, round after round; the round each id finished."""
    finished = {}
    rnd = 0
    while len(finished) < len(ids):
        rnd += 1
        that(rnd <= 200, "requests were still waiting after 200 rounds")
        batch = q.admit()
        that(isinstance(batch, list), f"admit() returned {type(batch).__name__}, not a list")
        for rid in batch:
            q.finish(rid)
            finished[rid] = rnd
    return finished


@check("admits a request that fits")
def _(m):
    q = m.AdmissionQueue(10_000)
    q.submit("a", 4_000)
    eq(q.admit(), ["a"], "admitted")
    eq(q.in_flight, 4_000, "tokens in flight")


@check("admits nothing when nothing waits")
def _(m):
    q = m.AdmissionQueue(10_000)
    eq(q.admit(), [], "admitted")
    q.submit("a", 100)
    q.admit()
    eq(q.admit(), [], "admitted on a second call")


@check("admits in submission order up to the capacity")
def _(m):
    q = m.AdmissionQueue(10_000)
    for rid, t in (("a", 3_000), ("b", 3_000), ("c", 4_000), ("d", 1)):
        q.submit(rid, t)
    eq(q.admit(), ["a", "b", "c"], "admitted")
    eq(q.in_flight, 10_000, "tokens in flight (an exact fit is allowed)")


@check("finish frees the tokens for the next request")
def _(m):
    q = m.AdmissionQueue(10_000)
    q.submit("a", 6_000)
    q.submit("b", 6_000)
    eq(q.admit(), ["a"], "admitted")
    q.finish("a")
    eq(q.in_flight, 0, "tokens in flight after finishing")
    eq(q.admit(), ["b"], "admitted after finishing a")


@check("no overtaking within a class")
def _(m):
    q = m.AdmissionQueue(10_000)
    q.submit("a", 5_000)
    q.submit("b", 6_000)
    q.submit("c", 1_000)
    eq(q.admit(), ["a"], "admitted (c must wait behind b)")
    q.finish("a")
    eq(q.admit(), ["b", "c"], "admitted after a finished")


@check("large requests get at most their share")
def _(m):
    q = m.AdmissionQueue(65_536, large=8_192, large_share=0.5)
    for i in range(3):
        q.submit(f"big{i}", K32)
    eq(q.admit(), ["big0"], "admitted")
    eq(q.in_flight, K32, "tokens in flight")


@check("small requests pass a large one that is waiting")
def _(m):
    q = m.AdmissionQueue(65_536, large=8_192, large_share=0.5)
    q.submit("big0", K32)
    q.submit("big1", K32)
    q.submit("s0", K2)
    q.submit("s1", K2)
    eq(q.admit(), ["big0", "s0", "s1"], "admitted")


@check("small requests can use the whole capacity when no large one runs")
def _(m):
    q = m.AdmissionQueue(8_000, large=8_192)
    for i in range(4):
        q.submit(f"s{i}", 2_000)
    eq(len(q.admit()), 4, "admitted")
    eq(q.in_flight, 8_000, "tokens in flight")


@check("the large threshold is inclusive")
def _(m):
    q = m.AdmissionQueue(20_000, large=5_000, large_share=0.5)
    q.submit("edge", 5_000)
    q.submit("edge2", 5_000)
    q.submit("big", 5_000 + 1)
    eq(q.admit(), ["edge", "edge2"], "admitted (two large at 5000 fill the 10000 budget)")
    q2 = m.AdmissionQueue(20_000, large=5_000, large_share=0.5)
    for i in range(3):
        q2.submit(f"s{i}", 4_999)
    eq(len(q2.admit()), 3, "admitted small requests of 4999")


@check("ten 32k requests do not starve a hundred 2k ones")
def _(m):
    q = m.AdmissionQueue(65_536, large=8_192, large_share=0.5)
    bigs = [f"big{i}" for i in range(10)]
    smalls = [f"s{i}" for i in range(100)]
    for rid in bigs:
        q.submit(rid, K32)
    for rid in smalls:
        q.submit(rid, K2)
    done = rounds_until_done(m, q, bigs + smalls)
    last_small = max(done[s] for s in smalls)
    that(
        last_small <= 7, f"the last 2k request finished in round {last_small}, expected by round 7"
    )
    last_big = max(done[b] for b in bigs)
    eq(last_big, 10, "rounds for the 32k requests (one at a time)")


@check("large requests still finish under a stream of small ones")
def _(m):
    q = m.AdmissionQueue(16_384, large=8_192, large_share=0.5)
    q.submit("big", 8_192)
    for i in range(30):
        q.submit(f"s{i}", 1_024)
    first = q.admit()
    that(
        "big" in first,
        f"the large request should be admitted at once beside small ones, got {first}",
    )
    eq(len(first), 9, "admitted in the first round")


@check("keeps both limits under a random workload")
def _(m):
    seed = 12345

    def rand(n):
        nonlocal seed
        seed = (seed * 1103515245 + 12345) % (2**31)
        return seed % n

    cap, large, budget = 50_000, 10_000, 25_000
    q = m.AdmissionQueue(cap, large=large, large_share=0.5)
    sizes = {}
    order = {True: [], False: []}
    admitted_order = {True: [], False: []}
    running = []
    for _ in range(400):
        if rand(3) and len(sizes) < 300:
            rid = f"r{len(sizes)}"
            size = 500 + rand(24_000)
            sizes[rid] = size
            q.submit(rid, size)
            order[size >= large].append(rid)
        for rid in q.admit():
            running.append(rid)
            admitted_order[sizes[rid] >= large].append(rid)
        total = sum(sizes[r] for r in running)
        big = sum(sizes[r] for r in running if sizes[r] >= large)
        eq(q.in_flight, total, "tokens in flight")
        that(total <= cap, f"{total} tokens in flight, over the capacity of {cap}")
        that(big <= budget, f"{big} large tokens in flight, over the budget of {budget}")
        if running and rand(2):
            q.finish(running.pop(rand(len(running))))
    for cls in (True, False):
        n = len(admitted_order[cls])
        eq(
            admitted_order[cls],
            order[cls][:n],
            f"admission order of {'large' if cls else 'small'} requests",
        )


@check("refuses requests that can never fit")
def _(m):
    q = m.AdmissionQueue(1_000, large=8_192)
    raises(ValueError, q.submit, "zero", 0)
    raises(ValueError, q.submit, "huge", 1_001)
    q.submit("exact", 1_000)
    q2 = m.AdmissionQueue(65_536, large=8_192, large_share=0.25)
    raises(ValueError, q2.submit, "over-budget", 16_385)
    q2.submit("at-budget", 16_384)
    eq(q2.admit(), ["at-budget"], "admitted")


@check("refuses a duplicate id")
def _(m):
    q = m.AdmissionQueue(10_000)
    q.submit("a", 100)
    raises(ValueError, q.submit, "a", 200)
    q.admit()
    raises(ValueError, q.submit, "a", 200)
    q.finish("a")
    q.submit("a", 300)
    eq(q.admit(), ["a"], "admitted after the first a finished")
    eq(q.in_flight, 300, "tokens in flight")


@check("finishing an id that is not in flight raises KeyError")
def _(m):
    q = m.AdmissionQueue(10_000)
    raises(KeyError, q.finish, "ghost")
    q.submit("w", 20_000 // 4)
    q.submit("v", 20_000 // 4 + 1)
    q.admit()
    raises(KeyError, q.finish, "v")
    q.finish("w")
    raises(KeyError, q.finish, "w")


@check("refuses a bad capacity or share")
def _(m):
    raises(ValueError, m.AdmissionQueue, 0)
    raises(ValueError, m.AdmissionQueue, 1_000, large_share=0)
    raises(ValueError, m.AdmissionQueue, 1_000, large_share=1.5)
    q = m.AdmissionQueue(1, large=8_192, large_share=1.0)
    q.submit("one", 1)
    eq(q.admit(), ["one"], "admitted")


@check("a share of one lets large requests use the whole capacity")
def _(m):
    q = m.AdmissionQueue(20_000, large=10_000, large_share=1.0)
    q.submit("a", 10_000)
    q.submit("b", 10_000)
    eq(q.admit(), ["a", "b"], "admitted")


@check("uses 8192 tokens as the large threshold and half as the share by default")
def _(m):
    q = m.AdmissionQueue(40_000)
    q.submit("a", 8_192)
    q.submit("b", 8_192)
    q.submit("c", 8_192)
    q.submit("s", 8_191)
    eq(q.admit(), ["a", "b", "s"], "admitted")
