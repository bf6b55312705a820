"""Token-window chunker with overlap.

Split `text` into windows of at most `size` tokens. Each window after the first
starts `size - overlap` tokens after the previous one, so neighbours share
`overlap` tokens. Call `encode(text)` once to get the tokens (a list) and
`decode(window)` to turn each window (a list of tokens) back into a string.
Return the list of decoded windows, in order.

Edge cases to handle:
- an empty text gives [] (no chunks)
- a text that fits in one window gives exactly one chunk
- overlap >= size raises ValueError (with overlap == size the start never moves)
- size < 1 or overlap < 0 raises ValueError
- the last window may be short, but stop once a window reaches the end: never add
  a final window whose tokens all sit inside the previous window
- tokens may be whole words: slice the token list, never the string

Example with one token per character:
    chunk("abcdefgh", size=4, overlap=2, encode=..., decode=...)
    -> ["abcd", "cdef", "efgh"]
"""

from collections.abc import Callable, Sequence


def chunk(
    text: str,
    size: int,
    overlap: int,
    encode: Callable[[str], Sequence[int]],
    decode: Callable[[Sequence[int]], str],
) -> list[str]:
    raise NotImplementedError
