"""Whether a quote proves a key point, and whether an answer echoes the rubric. Pure.

`EvidenceCheck` decides whether a quote is evidence for a key point: it must stand in the
screened answer, carry enough of the point's content words (or close variants, acronyms,
rubric synonyms) and not be spent on another point already (`weigh_claims`).
`rubric_echo` says whether an answer mostly repeats the key points' own wording.

Thresholds are set by measurement: tests/test_grading_guard.py prints the figures.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from studycli.grading.guard import normalise

# A quote counts for a point when it carries at least this weighted share of the point's
# content words (see EvidenceCheck), and at least MIN_MATCHED of them.
EVIDENCE_SHARE = 0.35
MIN_MATCHED = 2
MAX_QUOTE_WORDS = 40  # a longer "quote" is not evidence of one point
# A point is echoed when the answer holds a run of at least this share of the point's words,
# word for word; the answer echoes the rubric when at least ECHO_POINTS of its points are.
ECHO_RUN_SHARE = 0.6
ECHO_RUN_MIN = 4
ECHO_POINTS = 0.5

ECHO_NOTE = "this repeats the rubric's wording; explain it in your own words"

# --------------------------------------------------------------------------- evidence

# Function words: they say nothing about which key point a quote supports.
_STOPWORDS = frozenset(
    """
    a an the and or nor for are but not you your yours with this that these those from into
    onto than then them they their there here what when where which while who whom why how all
    any both each few more most other some such only own same very can will just should would
    could may might must does did done doing have has had having was were been being its it's
    our ours out off over under again further once also via per about above below between
    through during before after because until against get gets got one way ways thing things
    lot lots well much many like is be to of in on at by as it if so do we i me my us no e g
    eg ie etc vs rather even still too yet whether within without around across
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def stem(word: str) -> str:
    """A light English stem: plurals, -ing, -ed, -ation, -ity ... folded, so close variants meet."""
    w = word
    if len(w) <= 3 or w.isdigit():
        return w
    for suffix, repl in (
        ("ational", "ate"),
        ("ization", "ize"),
        ("isation", "ize"),
        ("ations", "ate"),
        ("ation", "ate"),
        ("iveness", "ive"),
        ("fulness", "ful"),
        ("ousness", "ous"),
        ("ements", ""),
        ("ement", ""),
        ("ments", ""),
        ("ment", ""),
        ("ities", ""),
        ("ity", ""),
        ("ness", ""),
        ("ings", ""),
        ("ing", ""),
        ("ies", "y"),
        ("ied", "y"),
        ("edly", ""),
        ("ed", ""),
        ("ers", ""),
        ("er", ""),
        ("ly", ""),
        ("es", ""),
        ("s", ""),
    ):
        if w.endswith(suffix) and len(w) - len(suffix) + len(repl) >= 3:
            if suffix == "s" and w.endswith(("ss", "us", "is")):
                continue
            w = w[: len(w) - len(suffix)] + repl
            break
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    if len(w) > 4 and w[-1] == w[-2] and w[-1] not in "aeiouls":
        w = w[:-1]
    return w


def _related(a: str, b: str) -> bool:
    """Same stem, or a long shared beginning (retrieval / retrieve, evaluator / evaluation)."""
    if a == b:
        return True
    if a.isdigit() or b.isdigit():
        return False
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n >= 6 or (n >= 5 and n >= min(len(a), len(b)))


@dataclass(frozen=True)
class _Term:
    stem: str
    positions: tuple[int, ...]  # indices in the point's word list


@dataclass(frozen=True)
class Evidence:
    """What a quote proves about one point."""

    share: float  # weighted share of the point's content carried by the quote
    matched: frozenset[str]  # the point's stems the quote carries
    span: tuple[int, int] | None  # first and past-last word of the quote in the answer
    used: frozenset[int] = frozenset()  # answer word positions that carried the point
    problem: str = ""  # why it does not count ('' when it does)


@dataclass
class EvidenceCheck:
    """Quotes against key points, for one answer. Built once per grade.

    A point's content words are weighted: a word that several of the card's points share,
    or that the question already holds, tells less about which point a quote states.
    """

    key_points: Sequence[str]
    answer: str  # the screened answer
    question: str = ""
    synonyms: Mapping[str, Sequence[str]] = field(default_factory=dict)
    share: float = EVIDENCE_SHARE

    def __post_init__(self) -> None:
        self.words = normalise(self.answer).split()
        self._sentences, self._sentence_text = _sentence_bounds(self.answer, len(self.words))
        self._point_words = [normalise(p).split() for p in self.key_points]
        self._terms = [_content_terms(ws) for ws in self._point_words]
        question = {stem(w) for w in normalise(self.question).split() if w not in _STOPWORDS}
        counts: dict[str, int] = {}
        for terms in self._terms:
            for s in {t.stem for t in terms}:
                counts[s] = counts.get(s, 0) + 1
        self._weights = [
            {t.stem: (1.0 / counts[t.stem]) * (0.5 if t.stem in question else 1.0) for t in terms}
            for terms in self._terms
        ]
        self._groups = [
            [normalise(w).split() for w in (key, *alts) if normalise(w)]
            for key, alts in self.synonyms.items()
        ]

    def locate(self, quote: str) -> tuple[int, int] | str:
        """The quote's word span in the answer, or why it cannot be found."""
        pieces = re.split(r"\.\.\.|…", unicodedata.normalize("NFKC", quote))
        parts = [normalise(p).split() for p in pieces if normalise(p)]
        if not parts:
            return "no quote given"
        if sum(len(p) for p in parts) > MAX_QUOTE_WORDS:
            return "quote too long to show one point"
        pos = 0
        first = -1
        for part in parts:
            at = _find_run(self.words, part, pos)
            if at < 0:
                return "quote not found in your answer"
            if first < 0:
                first = at
            pos = at + len(part)
        if pos - first > MAX_QUOTE_WORDS * 2:
            return "quote too long to show one point"
        return (first, pos)

    def context(self, quote: str) -> str:
        """The sentence(s) of the answer a quote stands in, as written (the quote itself when
        it is not found or its sentences are too long to be about one thing)."""
        where = self.locate(quote)
        if isinstance(where, str) or not self._sentences:
            return quote
        ws, we = self.window(where)
        if (ws, we) == where and we - ws > MAX_QUOTE_WORDS:
            return quote
        first = self._sentences[ws][2]
        last = self._sentences[we - 1][2]
        return " ".join(self._sentence_text[first : last + 1])

    def window(self, span: tuple[int, int]) -> tuple[int, int]:
        """The sentence(s) a quote stands in, when short enough to be about one thing: a judge
        that quotes part of a sentence is given the sentence it comes from."""
        if not self._sentences:
            return span
        ws = self._sentences[span[0]][0]
        we = self._sentences[span[1] - 1][1]
        return (ws, we) if we - ws <= MAX_QUOTE_WORDS else span

    def check(self, index: int, quote: str, exclude: Iterable[int] = ()) -> Evidence:
        """Does `quote` prove key point `index`? Words at `exclude` (spent on other points) do
        not count."""
        where = self.locate(quote)
        if isinstance(where, str):
            return Evidence(0.0, frozenset(), None, problem=where)
        start, end = self.window(where)
        skip = set(exclude)
        quote_at = [(i, self.words[i]) for i in range(start, end) if i not in skip]
        matched, used = self._match(index, quote_at)
        weights = self._weights[index]
        total = sum(weights.values())
        share = sum(weights[s] for s in matched) / total if total else 0.0
        need = min(MIN_MATCHED, len(weights))
        problem = ""
        if not weights:
            problem = ""
        elif share < self.share or len(matched) < need:
            problem = (
                "quote does not state this point"
                if matched
                else "quote does not mention this point"
            )
        return Evidence(round(share, 4), frozenset(matched), (start, end), frozenset(used), problem)

    def _match(self, index: int, quote_at: list[tuple[int, str]]) -> tuple[set[str], set[int]]:
        terms = self._terms[index]
        point_words = self._point_words[index]
        q_stems = [(i, stem(w)) for i, w in quote_at if w not in _STOPWORDS]
        matched: set[str] = set()
        used: set[int] = set()
        for t in terms:
            for i, qs in q_stems:
                if _related(t.stem, qs):
                    matched.add(t.stem)
                    used.add(i)
                    break
        # Words run together or split (re-rank / rerank), acronyms both ways (RRF).
        joined_q = {
            (quote_at[k][0], quote_at[k][1] + quote_at[k + 1][1])
            for k in range(len(quote_at) - 1)
            if quote_at[k + 1][0] == quote_at[k][0] + 1
        }
        for t in terms:
            if t.stem in matched:
                continue
            for i, j in joined_q:
                if _related(t.stem, stem(j)):
                    matched.add(t.stem)
                    used.update((i, i + 1))
                    break
        by_pos = {p: t for t in terms for p in t.positions}
        content_pos = sorted(by_pos)
        for n in (5, 4, 3, 2):
            for k in range(len(content_pos) - n + 1):
                run = content_pos[k : k + n]
                initials = "".join(point_words[p][0] for p in run)
                for i, w in quote_at:
                    if w == initials:
                        matched.update(by_pos[p].stem for p in run)
                        used.add(i)
        for t in terms:
            word = point_words[t.positions[0]]
            if t.stem in matched or not (2 <= len(word) <= 6 and word.isalpha()):
                continue
            for k in range(len(quote_at) - len(word) + 1):
                window = quote_at[k : k + len(word)]
                if "".join(w[0] for _, w in window) == word and all(
                    window[m + 1][0] == window[m][0] + 1 for m in range(len(window) - 1)
                ):
                    matched.add(t.stem)
                    used.update(i for i, _ in window)
                    break
        for group in self._groups:
            in_point = [g for g in group if _find_run(point_words, g, 0) >= 0]
            if not in_point:
                continue
            q_words = [w for _, w in quote_at]
            for g in group:
                at = _find_run(q_words, g, 0)
                if at >= 0:
                    for phrase in in_point:
                        p_at = _find_run(point_words, phrase, 0)
                        for p in range(p_at, p_at + len(phrase)):
                            if p in by_pos:
                                matched.add(by_pos[p].stem)
                    used.update(quote_at[k][0] for k in range(at, at + len(g)))
                    break
        return matched, used


def _sentence_bounds(text: str, n_words: int) -> tuple[list[tuple[int, int, int]], list[str]]:
    """For each word of normalise(text): the (first, past-last) word of its sentence and the
    sentence's number; and the sentences as written."""
    out: list[tuple[int, int, int]] = []
    sentences: list[str] = []
    for sentence in re.split(r"(?<=[.!?;])\s+|\n+", unicodedata.normalize("NFKC", text)):
        k = len(normalise(sentence).split())
        if not k:
            continue
        start = len(out)
        out.extend([(start, start + k, len(sentences))] * k)
        sentences.append(" ".join(sentence.split()))
    return (out, sentences) if len(out) == n_words else ([], [])


def _content_terms(words: list[str]) -> list[_Term]:
    positions: dict[str, list[int]] = {}
    for i, w in enumerate(words):
        if w in _STOPWORDS or (len(w) < 2 and not w.isdigit()):
            continue
        positions.setdefault(stem(w), []).append(i)
    return [_Term(s, tuple(p)) for s, p in positions.items()]


def _find_run(words: Sequence[str], run: Sequence[str], start: int) -> int:
    n = len(run)
    if not n:
        return -1
    for i in range(start, len(words) - n + 1):
        if words[i] == run[0] and list(words[i : i + n]) == list(run):
            return i
    return -1


@dataclass(frozen=True)
class Claim:
    index: int  # the key point's position
    quote: str


def weigh_claims(check: EvidenceCheck, claims: Sequence[Claim]) -> dict[int, Evidence]:
    """Each claimed point's evidence; a quote backs one point unless it clearly covers several.

    Claims are weighed strongest first. A quote whose words overlap words already spent on
    another point counts again only if its unspent words carry this point on their own.
    """
    first = {c.index: check.check(c.index, c.quote) for c in claims}
    order = sorted(claims, key=lambda c: (first[c.index].problem != "", -first[c.index].share))
    spent: set[int] = set()
    spans: list[tuple[int, int]] = []
    out: dict[int, Evidence] = {}
    for c in order:
        ev = first[c.index]
        if ev.problem or ev.span is None:
            out[c.index] = ev
            continue
        if any(_overlaps(ev.span, s) for s in spans):
            again = check.check(c.index, c.quote, exclude=spent)
            if again.problem:
                again = Evidence(
                    again.share,
                    again.matched,
                    again.span,
                    again.used,
                    "quote already used for another point",
                )
            ev = again
        if not ev.problem:
            spent.update(ev.used)
            spans.append(ev.span)  # type: ignore[arg-type]
        out[c.index] = ev
    return out


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    shorter = min(a[1] - a[0], b[1] - b[0])
    return inter > 0 and shorter > 0 and inter / shorter >= 0.5


# --------------------------------------------------------------------------- rubric echo


def echoed_points(key_points: Sequence[str], answer: str) -> list[int]:
    """Indices of key points the answer repeats word for word (most of the point in one run)."""
    words = normalise(answer).split()
    out = []
    for i, point in enumerate(key_points):
        pw = normalise(point).split()
        if len(pw) < ECHO_RUN_MIN:
            continue
        run = _longest_common_run(pw, words)
        if run >= ECHO_RUN_MIN and run >= ECHO_RUN_SHARE * len(pw):
            out.append(i)
    return out


def rubric_echo(key_points: Sequence[str], answer: str) -> bool:
    """Whether the answer mostly repeats the key points' own wording."""
    if not key_points:
        return False
    echoed = echoed_points(key_points, answer)
    return len(echoed) >= 2 and len(echoed) >= ECHO_POINTS * len(key_points)


def _longest_common_run(a: Sequence[str], b: Sequence[str]) -> int:
    best = 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0] * (len(b) + 1)
        for j, y in enumerate(b, 1):
            if x == y:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best:
                    best = cur[j]
        prev = cur
    return best
