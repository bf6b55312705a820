"""Hidden checks: semantic cache."""

from katacheck import check, eq, raises


def vector(text):
    """Generated prompts "p<i>" point in directions of their own."""
    if text in VECTORS:
        return list(VECTORS[text])
    i = int(text[1:])
    return [float(i % 7), float(i % 11), float(i % 13 + 1)]


VECTORS = {
    "refund policy, please": [2.0, 0.0, 0.0],  # same direction as "refund policy?"
    "refund policy?": [1.0, 0.0, 0.0],
    "what is the refund policy": [0.95, 0.31225, 0.0],  # cosine 0.95 with the first
    "refunds, how?": [0.85, 0.52678, 0.0],  # cosine 0.85
    "shipping times?": [0.0, 0.0, 1.0],
    "exactly sixty": [3.0, 4.0, 0.0],  # cosine 0.6 with "refund policy?"
    "nothing": [0.0, 0.0, 0.0],
    "tiny": [0.1, 0.0, 0.0],  # same direction as "refund policy?", much shorter
    "opposite": [-1.0, 0.0, 0.0],
    "near a": [0.99, 0.1411, 0.0],
    "near b": [0.97, 0.2431, 0.0],
}


class World:
    def __init__(self):
        self.now = 0.0
        self.embeds = 0

    def embed(self, text):
        self.embeds += 1
        return vector(text)

    def clock(self):
        return self.now

    def cache(self, m, **kw):
        return m.SemanticCache(self.embed, self.clock, **kw)


@check("an empty cache misses")
def _(m):
    w = World()
    eq(w.cache(m).get("t1", "refund policy?"), None, "answer")


@check("the same prompt hits")
def _(m):
    w = World()
    c = w.cache(m)
    c.put("t1", "refund policy?", "30 days")
    eq(c.get("t1", "refund policy?"), "30 days", "answer")


@check("a paraphrase above the threshold hits")
def _(m):
    w = World()
    c = w.cache(m, threshold=0.9)
    c.put("t1", "refund policy?", "30 days")
    eq(c.get("t1", "what is the refund policy"), "30 days", "answer (similarity 0.95)")


@check("a prompt below the threshold misses")
def _(m):
    w = World()
    c = w.cache(m, threshold=0.9)
    c.put("t1", "refund policy?", "30 days")
    eq(c.get("t1", "refunds, how?"), None, "answer (similarity 0.85)")
    eq(c.get("t1", "shipping times?"), None, "answer (similarity 0)")


@check("similarity exactly at the threshold hits")
def _(m):
    w = World()
    c = w.cache(m, threshold=0.6)
    c.put("t1", "refund policy?", "30 days")
    eq(c.get("t1", "exactly sixty"), "30 days", "answer (similarity 0.6, threshold 0.6)")


@check("returns the most similar entry, not the first that passes")
def _(m):
    w = World()
    c = w.cache(m, threshold=0.5)
    c.put("t1", "near b", "from b")
    c.put("t1", "near a", "from a")
    c.put("t1", "shipping times?", "2 days")
    eq(c.get("t1", "refund policy?"), "from a", "answer")


@check("never answers one tenant from another's entries")
def _(m):
    w = World()
    c = w.cache(m)
    c.put("acme", "refund policy?", "acme: 30 days")
    eq(c.get("globex", "refund policy?"), None, "answer for another tenant")
    c.put("globex", "refund policy?", "globex: 14 days")
    eq(c.get("acme", "refund policy?"), "acme: 30 days", "answer for acme")
    eq(c.get("globex", "what is the refund policy"), "globex: 14 days", "answer for globex")


@check("an entry expires when its TTL has passed")
def _(m):
    w = World()
    c = w.cache(m, ttl=100.0)
    w.now = 1000.0
    c.put("t1", "refund policy?", "30 days")
    w.now = 1099.0
    eq(c.get("t1", "refund policy?"), "30 days", "answer after 99 s")
    w.now = 1100.0
    eq(c.get("t1", "refund policy?"), None, "answer after exactly the TTL")


@check("expired entries stop counting")
def _(m):
    w = World()
    c = w.cache(m, ttl=10.0)
    c.put("t1", "refund policy?", "a")
    c.put("t2", "shipping times?", "b")
    eq(len(c), 2, "entries")
    w.now = 5.0
    c.put("t1", "near a", "c")
    w.now = 12.0
    eq(len(c), 1, "entries after the first two expired")


@check("an expired entry never comes back, even past a fresher one")
def _(m):
    w = World()
    c = w.cache(m, ttl=10.0, threshold=0.5)
    c.put("t1", "refund policy?", "old exact")
    w.now = 8.0
    c.put("t1", "near b", "fresh")
    w.now = 11.0
    eq(c.get("t1", "refund policy?"), "fresh", "answer")


@check("a zero vector matches nothing and does not crash")
def _(m):
    w = World()
    c = w.cache(m, threshold=0.1)
    c.put("t1", "nothing", "zero")
    c.put("t1", "refund policy?", "30 days")
    eq(c.get("t1", "nothing"), None, "answer for a zero vector")
    eq(c.get("t1", "shipping times?"), None, "answer for an unrelated prompt")


@check("opposite meanings miss")
def _(m):
    w = World()
    c = w.cache(m, threshold=0.1)
    c.put("t1", "refund policy?", "30 days")
    eq(c.get("t1", "opposite"), None, "answer (similarity -1)")


@check("embeds once per get and once per put")
def _(m):
    w = World()
    c = w.cache(m)
    for p in ("refund policy?", "shipping times?", "near a", "near b"):
        c.put("t1", p, p)
    eq(w.embeds, 4, "embed calls after four puts")
    c.get("t1", "what is the refund policy")
    eq(w.embeds, 5, "embed calls after one more get")


@check("storing the same prompt again replaces the answer")
def _(m):
    w = World()
    c = w.cache(m)
    c.put("t1", "refund policy?", "30 days")
    c.put("t1", "refund policy?", "60 days")
    eq(c.get("t1", "refund policy?"), "60 days", "answer")
    eq(len(c), 1, "entries")


@check("storing again restarts the TTL")
def _(m):
    w = World()
    c = w.cache(m, ttl=100.0)
    c.put("t1", "refund policy?", "30 days")
    w.now = 60.0
    c.put("t1", "refund policy?", "30 days")
    w.now = 130.0
    eq(c.get("t1", "refund policy?"), "30 days", "answer 70 s after the second put")


@check("drops a tenant's oldest entry beyond max_entries")
def _(m):
    w = World()
    c = w.cache(m, max_entries=2, threshold=0.99)
    c.put("other", "shipping times?", "kept")
    c.put("t1", "refund policy?", "first")
    c.put("t1", "shipping times?", "second")
    c.put("t1", "opposite", "third")
    eq(c.get("t1", "refund policy?"), None, "answer from the dropped entry")
    eq(c.get("t1", "shipping times?"), "second", "answer")
    eq(c.get("t1", "opposite"), "third", "answer")
    eq(c.get("other", "shipping times?"), "kept", "answer for the other tenant")
    eq(len(c), 3, "entries")


@check("refuses a threshold outside (0, 1]")
def _(m):
    w = World()
    raises(ValueError, w.cache, m, threshold=0)
    raises(ValueError, w.cache, m, threshold=1.5)
    c = w.cache(m, threshold=1.0)
    c.put("t1", "refund policy?", "exact only")
    eq(c.get("t1", "refund policy?"), "exact only", "answer with threshold 1.0")


@check("refuses max_entries below one")
def _(m):
    raises(ValueError, World().cache, m, max_entries=0)
    c = World().cache(m, max_entries=1)
    c.put("t1", "refund policy?", "a")
    c.put("t1", "shipping times?", "b")
    eq(len(c), 1, "entries with max_entries=1")


@check("uses a threshold of 0.9 and a TTL of an hour by default")
def _(m):
    w = World()
    c = w.cache(m)
    c.put("t1", "refund policy?", "30 days")
    eq(c.get("t1", "refunds, how?"), None, "answer at similarity 0.85")
    w.now = 3599.0
    eq(c.get("t1", "what is the refund policy"), "30 days", "answer at 0.95 after 3599 s")
    w.now = 3600.0
    eq(c.get("t1", "refund policy?"), None, "answer after 3600 s")


@check("keeps a thousand entries per tenant by default")
def _(m):
    w = World()
    c = w.cache(m)
    for i in range(1001):
        c.put("t1", f"p{i}", str(i))
    eq(len(c), 1000, "entries after 1001 puts")


@check("on equal similarity the newer entry wins")
def _(m):
    w = World()
    c = w.cache(m)
    c.put("t1", "refund policy?", "older")
    c.put("t1", "refund policy, please", "newer")
    eq(c.get("t1", "refund policy?"), "newer", "answer")


@check("compares directions, not lengths")
def _(m):
    w = World()
    c = w.cache(m)
    c.put("t1", "tiny", "small vector")
    eq(
        c.get("t1", "refund policy?"),
        "small vector",
        "answer (same direction, a tenth of the length)",
    )
    eq(
        c.get("t1", "refund policy, please"),
        "small vector",
        "answer (same direction, twenty times the length)",
    )
