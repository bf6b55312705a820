"""Token-window chunker with overlap: reference solution."""

from collections.abc import Callable, Sequence


def chunk(
    text: str,
    size: int,
    overlap: int,
    encode: Callable[[str], Sequence[int]],
    decode: Callable[[Sequence[int]], str],
) -> list[str]:
    # Check the arguments before any work: with overlap >= size the step below
    # would be zero or negative and the loop would never end. (0 <= overlap < size
    # also means size >= 1.)
    if overlap < 0 or overlap >= size:
        raise ValueError(f"need 0 <= overlap < size, got size={size}, overlap={overlap}")
    tokens = list(encode(text))  # once: tokenisers are slow next to slicing
    step = size - overlap
    chunks: list[str] = []
    start = 0
    while start < len(tokens):
        end = start + size
        chunks.append(decode(tokens[start:end]))
        if end >= len(tokens):
            break  # this window reached the end; another would only repeat overlap
        start += step
    return chunks
