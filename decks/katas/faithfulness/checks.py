"""Hidden checks: faithfulness of an answer to its context."""

from katacheck import check, close, eq, raises, that

CONTEXT = (
    "Refunds are accepted within 30 days of delivery. The support desk answers "
    "in 2 business days. Orders above 1,200 dollars ship with insurance. The "
    "interest rate is 3.5 percent per year. Our category pages list every product."
)


def verdict(m, answer, context=CONTEXT, **kw):
    got = m.check_faithfulness(answer, context, **kw)
    that(
        isinstance(got, tuple) and len(got) == 2,
        f"expected a Verdict (score, unsupported), got {got!r}",
    )
    score, unsupported = got
    that(
        isinstance(unsupported, list),
        f"unsupported should be a list, got {type(unsupported).__name__}",
    )
    return score, unsupported


@check("an answer taken from the context is fully supported")
def _(m):
    score, bad = verdict(
        m, "Refunds are accepted within 30 days of delivery. Support answers in 2 business days."
    )
    close(score, 1.0, "score")
    eq(bad, [], "unsupported sentences")


@check("an invented sentence is flagged")
def _(m):
    score, bad = verdict(
        m, "Refunds are accepted within 30 days. Every customer gets a free laptop."
    )
    close(score, 0.5, "score")
    eq(bad, ["Every customer gets a free laptop."], "unsupported sentences")


@check("a wrong number is flagged even when every word matches")
def _(m):
    score, bad = verdict(m, "Refunds are accepted within 60 days of delivery.")
    close(score, 0.0, "score")
    eq(bad, ["Refunds are accepted within 60 days of delivery."], "unsupported sentences")


@check("compares whole numbers, not digits inside them")
def _(m):
    eq(
        verdict(m, "Orders above 200 dollars ship with insurance.")[1],
        ["Orders above 200 dollars ship with insurance."],
        "unsupported sentences",
    )
    eq(
        verdict(m, "Refunds within 3 days of delivery.")[1],
        ["Refunds within 3 days of delivery."],
        "unsupported sentences",
    )


@check("treats 1,200 and 1200 as the same number")
def _(m):
    eq(verdict(m, "Orders above 1200 dollars ship with insurance.")[1], [], "unsupported sentences")


@check("a decimal point does not end a sentence")
def _(m):
    score, bad = verdict(m, "The interest rate is 3.5 percent per year. Refunds take 45 days.")
    close(score, 0.5, "score")
    eq(bad, ["Refunds take 45 days."], "unsupported sentences")


@check("splits sentences at ! and ? too")
def _(m):
    score, bad = verdict(
        m,
        "Refunds are accepted within 30 days! Do robots deliver pizza? Orders ship with insurance.",
    )
    eq(bad, ["Do robots deliver pizza?"], "unsupported sentences")
    close(score, 2 / 3, "score")


@check("ignores stop words")
def _(m):
    eq(
        verdict(m, "It is the insurance that was there.")[1],
        ["It is the insurance that was there."],
        "unsupported sentences (only 'insurance' and 'there' count)",
    )
    eq(verdict(m, "It is for the insurance.")[1], [], "unsupported sentences")


@check("a sentence of stop words alone is supported")
def _(m):
    score, bad = verdict(m, "It is what it is. That was that.", context="unrelated text")
    eq(bad, ["It is what it is."], "unsupported sentences ('what' is not a stop word)")
    close(score, 0.5, "score")


@check("a share of words exactly at the threshold is enough")
def _(m):
    # distinct words: refunds, accepted, delivery, pizza, robots -> 3 of 5 in the context
    eq(
        verdict(m, "Refunds accepted on delivery by pizza robots.", threshold=0.6)[1],
        [],
        "unsupported sentences at 3/5 with threshold 0.6",
    )
    eq(
        len(verdict(m, "Refunds accepted by pizza robots.", threshold=0.6)[1]),
        1,
        "unsupported sentences at 2/4 with threshold 0.6",
    )


@check("uses 0.6 as the threshold by default")
def _(m):
    eq(
        verdict(m, "Refunds accepted on delivery by pizza robots.")[1],
        [],
        "unsupported sentences at 3/5",
    )
    eq(len(verdict(m, "Refunds accepted by pizza robots.")[1]), 1, "unsupported sentences at 2/4")


@check("counts each distinct word once")
def _(m):
    eq(
        len(verdict(m, "Refunds refunds refunds bananas.")[1]),
        1,
        "unsupported sentences (1 of 2 distinct words)",
    )


@check("matches whole words, ignoring case")
def _(m):
    eq(verdict(m, "REFUNDS ARE ACCEPTED WITHIN 30 DAYS.")[1], [], "unsupported sentences")
    eq(
        len(verdict(m, "Cat pages list products.")[1]),
        1,
        "unsupported sentences ('cat' is not 'category')",
    )


@check("an empty answer claims nothing")
def _(m):
    score, bad = verdict(m, "   ")
    close(score, 1.0, "score")
    eq(bad, [], "unsupported sentences")


@check("keeps the answer's order and strips the sentences")
def _(m):
    score, bad = verdict(
        m, "  Pigs fly daily.   Refunds within 30 days.  Moon cheese tastes great!  "
    )
    eq(bad, ["Pigs fly daily.", "Moon cheese tastes great!"], "unsupported sentences")
    close(score, 1 / 3, "score")


@check("refuses a threshold outside [0, 1]")
def _(m):
    raises(ValueError, m.check_faithfulness, "a.", "a", threshold=1.5)
    raises(ValueError, m.check_faithfulness, "a.", "a", threshold=-0.1)
    eq(verdict(m, "Pigs fly.", threshold=0.0)[1], [], "unsupported sentences with threshold 0")
    eq(
        len(verdict(m, "Refunds fly.", threshold=1.0)[1]),
        1,
        "unsupported sentences with threshold 1",
    )


@check("a sentence failing both tests is listed once")
def _(m):
    score, bad = verdict(m, "Pigs fly 99 times a day. Refunds within 30 days.")
    eq(bad, ["Pigs fly 99 times a day."], "unsupported sentences")
    close(score, 0.5, "score")
