"""Recursive separator splitter: reference solution."""

from collections.abc import Callable, Sequence

SEPARATORS = ("\n\n", "\n", " ", "")


def split_text(
    text: str,
    max_len: int,
    separators: Sequence[str] = SEPARATORS,
    length: Callable[[str], int] = len,
) -> list[str]:
    if max_len < 1:
        raise ValueError(f"max_len must be at least 1, got {max_len}")
    return _split(text, max_len, tuple(separators), length)


def _split(
    text: str, max_len: int, separators: tuple[str, ...], length: Callable[[str], int]
) -> list[str]:
    # The coarsest separator first; a part still too long goes down to the finer ones,
    # and with none left the text is cut between characters (which always fit).
    sep, finer = (separators[0], separators[1:]) if separators else ("", ())
    parts = text.split(sep) if sep else list(text)
    chunks: list[str] = []
    current = ""

    def close() -> None:
        if current.strip():
            chunks.append(current.strip())

    for part in parts:
        joined = current + sep + part if current else part
        if length(joined) <= max_len:
            current = joined
            continue
        close()
        current = ""
        if length(part) > max_len:
            # Too long on its own: split it finer and keep its pieces apart.
            chunks.extend(_split(part, max_len, finer, length))
        else:
            current = part
    close()
    return chunks
