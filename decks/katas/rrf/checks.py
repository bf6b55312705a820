"""Hidden checks: reciprocal rank fusion."""

from katacheck import check, close, eq, raises, that


def ids(pairs):
    that(
        isinstance(pairs, list), f"expected a list of (id, score) pairs, got {type(pairs).__name__}"
    )
    for p in pairs:
        that(isinstance(p, tuple) and len(p) == 2, f"expected (id, score) pairs, got {p!r}")
    return [d for d, _ in pairs]


def score_of(pairs, doc):
    for d, s in pairs:
        if d == doc:
            return s
    return None


@check("one list keeps its order with scores 1/(k + rank)")
def _(m):
    got = m.fuse([["a", "b", "c"]])
    eq(ids(got), ["a", "b", "c"], "order")
    close(score_of(got, "a"), 1 / 61, "for the first document")
    close(score_of(got, "c"), 1 / 63, "for the third document")


@check("a document found by both retrievers rises to the top")
def _(m):
    got = m.fuse([["a", "b", "c"], ["c", "d"]])
    eq(ids(got), ["c", "a", "b", "d"], "order")
    close(score_of(got, "c"), 1 / 63 + 1 / 61, "for c")


@check("the worked example from the task")
def _(m):
    got = m.fuse([["a", "b"], ["b", "c"]])
    eq(ids(got), ["b", "a", "c"], "order")
    close(score_of(got, "b"), 1 / 62 + 1 / 61, "for b")
    close(score_of(got, "c"), 1 / 62, "for c")


@check("uses the k it is given")
def _(m):
    got = m.fuse([["a", "b"]], k=0)
    close(score_of(got, "a"), 1.0, "for a with k=0")
    close(score_of(got, "b"), 0.5, "for b with k=0")
    close(score_of(m.fuse([["a"]], k=10), "a"), 1 / 11, "for a with k=10")


@check("counts a repeated document once per list, at its best rank")
def _(m):
    got = m.fuse([["a", "b", "a"], ["b"]])
    close(score_of(got, "a"), 1 / 61, "for a")
    close(score_of(got, "b"), 1 / 62 + 1 / 61, "for b")


@check("weights scale each list's votes")
def _(m):
    got = m.fuse([["a", "b"], ["b", "a"]], weights=[3.0, 1.0])
    eq(ids(got), ["a", "b"], "order")
    close(score_of(got, "a"), 3 / 61 + 1 / 62, "for a")
    close(score_of(got, "b"), 3 / 62 + 1 / 61, "for b")


@check("refuses weights that do not match the lists")
def _(m):
    raises(ValueError, m.fuse, [["a"], ["b"]], weights=[1.0])
    raises(ValueError, m.fuse, [["a"]], weights=[1.0, 2.0])


@check("orders equal scores by id")
def _(m):
    got = m.fuse([["z", "m"], ["a", "y"]])
    eq(ids(got), ["a", "z", "m", "y"], "order")


@check("top_n keeps the best n")
def _(m):
    got = m.fuse([["a", "b", "c"], ["c", "d"]], top_n=2)
    eq(ids(got), ["c", "a"], "order")
    eq(m.fuse([["a", "b"]], top_n=0), [], "result with top_n=0")
    eq(ids(m.fuse([["a", "b"]], top_n=9)), ["a", "b"], "order with top_n beyond the end")


@check("no lists, or empty lists, give an empty result")
def _(m):
    eq(m.fuse([]), [], "result with no lists")
    eq(m.fuse([[], []]), [], "result with empty lists")
    eq(ids(m.fuse([[], ["x"]])), ["x"], "order")


@check("refuses a negative k")
def _(m):
    raises(ValueError, m.fuse, [["a"]], k=-1)


@check("leaves the input lists alone")
def _(m):
    a, b = ["a", "b", "a"], ["c"]
    m.fuse([a, b], top_n=1)
    eq(a, ["a", "b", "a"], "first list afterwards")
    eq(b, ["c"], "second list afterwards")


@check("fuses three retrievers of different lengths")
def _(m):
    bm25 = [f"d{i}" for i in range(10)]
    dense = [f"d{i}" for i in range(9, -1, -2)]
    title = ["d3", "d42"]
    got = m.fuse([bm25, dense, title])
    eq(len(got), 11, "documents")
    eq(ids(got)[:4], ["d3", "d1", "d5", "d7"], "top four")
    close(score_of(got, "d42"), 1 / 62, "for d42")
