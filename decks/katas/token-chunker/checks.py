"""Hidden checks: token-window chunker."""

from katacheck import check, eq, raises, that


class Chars:
    """One token per character (its code point), counting calls."""

    def __init__(self):
        self.encodes = 0
        self.decodes = 0

    def encode(self, text):
        self.encodes += 1
        return [ord(c) for c in text]

    def decode(self, tokens):
        self.decodes += 1
        that(
            isinstance(tokens, (list, tuple)),
            f"decode was given {type(tokens).__name__}, not a token list",
        )
        return "".join(chr(t) for t in tokens)


class Words:
    """One token per word; decode joins with spaces."""

    def __init__(self):
        self.vocab = {}

    def encode(self, text):
        return [self.vocab.setdefault(w, len(self.vocab)) for w in text.split()]

    def decode(self, tokens):
        words = {i: w for w, i in self.vocab.items()}
        return " ".join(words[t] for t in tokens)


def run(m, text, size, overlap, tok=None):
    tok = tok or Chars()
    return m.chunk(text, size, overlap, tok.encode, tok.decode)


@check("keeps a short text as one chunk")
def _(m):
    eq(run(m, "abc", 5, 1), ["abc"], "chunks")


@check("splits with the given overlap")
def _(m):
    eq(run(m, "abcdefghij", 4, 2), ["abcd", "cdef", "efgh", "ghij"], "chunks")


@check("zero overlap gives back-to-back windows")
def _(m):
    eq(run(m, "abcdefghij", 4, 0), ["abcd", "efgh", "ij"], "chunks")


@check("ends with a short window when the step does not fit")
def _(m):
    eq(run(m, "abcdefghijk", 4, 1), ["abcd", "defg", "ghij", "jk"], "chunks")


@check("adds no last chunk that only repeats the overlap")
def _(m):
    got = run(m, "abcdefgh", 4, 2)
    eq(len(got), 3, "chunks")
    eq(got, ["abcd", "cdef", "efgh"], "chunks")


@check("a text of exactly one window gives one chunk")
def _(m):
    eq(run(m, "abcd", 4, 2), ["abcd"], "chunks")


@check("an empty text gives no chunks")
def _(m):
    tok = Chars()
    eq(run(m, "", 4, 1, tok), [], "chunks")
    eq(tok.decodes, 0, "decode calls")


@check("refuses overlap equal to size")
def _(m):
    raises(ValueError, run, m, "abcdefgh", 3, 3)


@check("refuses overlap larger than size")
def _(m):
    raises(ValueError, run, m, "abcdefgh", 3, 5)


@check("refuses a size of zero")
def _(m):
    raises(ValueError, run, m, "abcdefgh", 0, 0)


@check("refuses a negative overlap")
def _(m):
    raises(ValueError, run, m, "abcdefgh", 4, -1)


@check("refuses bad arguments even for an empty text")
def _(m):
    raises(ValueError, run, m, "", 2, 2)


@check("size one with no overlap gives one token per chunk")
def _(m):
    eq(run(m, "abc", 1, 0), ["a", "b", "c"], "chunks")


@check("overlap of size minus one moves one token at a time")
def _(m):
    eq(run(m, "abcd", 2, 1), ["ab", "bc", "cd"], "chunks")


@check("encodes the text once and decodes once per chunk")
def _(m):
    tok = Chars()
    got = run(m, "abcdefghij", 4, 2, tok)
    eq(tok.encodes, 1, "encode calls")
    eq(tok.decodes, len(got), "decode calls (one per chunk)")


@check("cuts the token list, not the string")
def _(m):
    got = run(m, "the cat sat on the mat", 2, 1, Words())
    eq(got, ["the cat", "cat sat", "sat on", "on the", "the mat"], "chunks")


@check("covers a long text in order with no gaps")
def _(m):
    text = "".join(chr(97 + (i * 7) % 26) for i in range(103))
    size, overlap = 9, 4
    got = run(m, text, size, overlap)
    that(got, "expected chunks, got none")
    that(all(len(c) <= size for c in got), f"a chunk is longer than {size} tokens")
    rebuilt = got[0] + "".join(c[overlap:] for c in got[1:])
    eq(len(rebuilt), len(text), "tokens when the chunks are laid end to end without overlap")
    that(
        rebuilt == text,
        "the chunks, laid end to end without their overlap, do not rebuild the text",
    )
    eq(len(got), 20, "chunks")
