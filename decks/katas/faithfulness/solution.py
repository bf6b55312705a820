"""A faithfulness check of an answer against its context: reference solution."""

import re
from typing import NamedTuple

STOPWORDS = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the this to was "
    "were will with".split()
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
WORD = re.compile(r"[a-z]+")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


class Verdict(NamedTuple):
    score: float
    unsupported: list[str]


def _words(text: str) -> set[str]:
    return {w for w in WORD.findall(text.lower()) if w not in STOPWORDS}


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in NUMBER.findall(text)}


def check_faithfulness(answer: str, context: str, threshold: float = 0.6) -> Verdict:
    if not 0 <= threshold <= 1:
        raise ValueError(f"threshold must be in [0, 1], got {threshold}")
    sentences = [s.strip() for s in SENTENCE_END.split(answer.strip()) if s.strip()]
    if not sentences:
        return Verdict(1.0, [])  # nothing claimed, nothing invented
    context_words, context_numbers = _words(context), _numbers(context)
    unsupported = []
    for sentence in sentences:
        # A figure must appear in the context exactly: a wrong number is the costly kind
        # of invention, and word overlap cannot see it.
        if not _numbers(sentence) <= context_numbers:
            unsupported.append(sentence)
            continue
        words = _words(sentence)
        if words and len(words & context_words) / len(words) < threshold:
            unsupported.append(sentence)
    return Verdict((len(sentences) - len(unsupported)) / len(sentences), unsupported)
