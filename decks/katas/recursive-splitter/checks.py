"""Hidden checks: recursive separator splitter."""

from katacheck import check, eq, raises, that

LONG = "Intro line.\n\nThe second paragraph is a good deal longer than the limit allows.\n\nEnd."


def words(text):
    return len(text.split())


@check("keeps a text that fits as one chunk")
def _(m):
    eq(m.split_text("short text", 20), ["short text"], "chunks")


@check("splits on paragraph breaks first")
def _(m):
    eq(m.split_text("para one.\n\npara two.", 12), ["para one.", "para two."], "chunks")


@check("packs small pieces greedily up to the limit")
def _(m):
    eq(m.split_text("a b c d e", 3), ["a b", "c d", "e"], "chunks")


@check("keeps lines of a paragraph together when they fit")
def _(m):
    got = m.split_text("first line\nsecond line\n\nthird", 23)
    eq(got, ["first line\nsecond line", "third"], "chunks")


@check("splits a long paragraph at line breaks before spaces")
def _(m):
    got = m.split_text("first line\nsecond line\nthird line", 23)
    eq(got, ["first line\nsecond line", "third line"], "chunks")


@check("splits only the paragraph that is too long")
def _(m):
    got = m.split_text(LONG, 30)
    eq(got[0], "Intro line.", "as the first chunk")
    eq(got[-1], "End.", "as the last chunk")
    eq(
        got,
        [
            "Intro line.",
            "The second paragraph is a good",
            "deal longer than the limit",
            "allows.",
            "End.",
        ],
        "chunks",
    )


@check("cuts a word longer than the limit between characters")
def _(m):
    eq(m.split_text("abcdefghij", 4), ["abcd", "efgh", "ij"], "chunks")


@check("an empty text gives no chunks")
def _(m):
    eq(m.split_text("", 10), [], "chunks")


@check("an all-whitespace text gives no chunks")
def _(m):
    eq(m.split_text("  \n\n \n ", 3), [], "chunks")


@check("runs of separators give no empty chunks")
def _(m):
    eq(m.split_text("a\n\n\n\nb", 1), ["a", "b"], "chunks")


@check("measures with the length function it is given")
def _(m):
    got = m.split_text("one two three four five six", 3, length=words)
    eq(got, ["one two three", "four five six"], "chunks (limit of 3 words)")


@check("honours custom separators")
def _(m):
    eq(m.split_text("aa|bb|cc", 5, separators=("|",)), ["aa|bb", "cc"], "chunks")


@check("cuts between characters when no separator occurs")
def _(m):
    eq(m.split_text("aaaa-bbbb", 3, separators=("|",)), ["aaa", "a-b", "bbb"], "chunks")


@check("keeps a split paragraph's pieces apart from the next paragraph")
def _(m):
    got = m.split_text("aaaa bbbb cc\n\ndd", 9)
    eq(got, ["aaaa bbbb", "cc", "dd"], "chunks")


@check("refuses a limit below one")
def _(m):
    raises(ValueError, m.split_text, "abc", 0)


@check("a limit of one gives one character per chunk")
def _(m):
    eq(m.split_text("ab c", 1), ["a", "b", "c"], "chunks")


@check("respects the limit and loses nothing on a long document")
def _(m):
    lines = []
    for i in range(40):
        line = " ".join(f"w{i}x{j}" * (1 + (i * j) % 4) for j in range(i % 7 + 1))
        lines.append(line)
        if i % 5 == 4:
            lines.append("")
    text = "\n".join(lines)
    got = m.split_text(text, 25)
    that(got, "expected chunks, got none")
    long = [c for c in got if len(c) > 25]
    that(not long, f"a chunk is longer than 25: {long[0]!r}" if long else "")
    that(all(c and c == c.strip() for c in got), "a chunk is empty or not stripped")
    same = "".join("".join(got).split()) == "".join(text.split())
    that(same, "the chunks, whitespace aside, do not add up to the text in order")
    eq(len(got), 90, "chunks")
