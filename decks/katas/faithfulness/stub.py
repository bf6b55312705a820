"""A faithfulness check of an answer against its context.

Flag the sentences of a RAG answer that the retrieved context does not back up,
with a cheap lexical test (a first gate before an LLM judge).

- Sentences: split `answer` (stripped) wherever whitespace follows ".", "!" or
  "?"; strip each sentence and drop empty ones. (A decimal point such as "3.5"
  is not followed by whitespace, so it does not end a sentence.)
- Words of a text: the runs of letters a-z in its lowercased form, minus the
  STOPWORDS below. Compare sets of distinct words.
- Numbers of a text: the matches of r"\\d+(?:[.,]\\d+)*", with commas removed
  (so "1,200" and "1200" are the same number). Compare whole numbers, never
  substrings: 15 is not 150.
- A sentence is supported when every one of its numbers is among the context's
  numbers, and either it has no words or at least `threshold` of its distinct
  words are among the context's words (exactly the threshold is enough).

Return Verdict(score, unsupported): score is supported sentences / sentences,
unsupported the unsupported sentences in answer order. An answer with no
sentences gives Verdict(1.0, []). threshold outside [0, 1] raises ValueError.
"""

from typing import NamedTuple

STOPWORDS = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the this to was "
    "were will with".split()
)


class Verdict(NamedTuple):
    score: float
    unsupported: list[str]


def check_faithfulness(answer: str, context: str, threshold: float = 0.6) -> Verdict:
    raise NotImplementedError
