"""Recursive separator splitter.

Split `text` into chunks whose `length(chunk)` is at most `max_len`, keeping
natural units whole when they fit:

1. If the whole text fits, return it as one chunk.
2. Otherwise pick the first separator in `separators` that occurs in the text
   (the empty string "" means "between any two characters", and is used when no
   separator is left) and split the text by it.
3. Walk the parts in order and pack them greedily: add a part (joined back with
   the separator) to the current chunk while the joined text still fits; when it
   does not, close the current chunk and start a new one with the part.
4. A part that does not fit even on its own is split again with the separators
   that come after the one used here; its pieces become chunks of their own (they
   are not packed together with the parts around them).

Strip leading and trailing whitespace from every chunk and never return an empty
chunk.

Edge cases to handle:
- "" or "   \n" gives []
- "a\n\n\n\nb" gives no empty chunks
- a single word longer than max_len is cut between characters
- use `length`, not len(), to measure (it may count words or tokens)
- max_len < 1 raises ValueError

Examples (default separators, length=len):
    split_text("a b c d e", 3)   -> ["a b", "c d", "e"]
    split_text("abcdefghij", 4)  -> ["abcd", "efgh", "ij"]
"""

from collections.abc import Callable, Sequence

SEPARATORS = ("\n\n", "\n", " ", "")


def split_text(
    text: str,
    max_len: int,
    separators: Sequence[str] = SEPARATORS,
    length: Callable[[str], int] = len,
) -> list[str]:
    raise NotImplementedError
