"""The version of the content: a digest of the bundled YAML, and what it holds.

`studycli --version` prints it next to the program's version, so a report of a wrong
card can name the exact content it came from (a checkout with edited decks shows a
different digest than the release it started from).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from studycli.content.paths import bundled_root, content_files, content_roots


def content_digest(files: list[tuple[str, Path]], root: Path) -> str:
    """First 10 hex digits of SHA-256 over each file's name (relative to `root`) and bytes."""
    digest = hashlib.sha256()
    for _, path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:10]


def content_version(cache_dir: Path | None = None) -> str:
    """ "content 3f9a1c2e07: 171 cards in 11 decks, 5 incidents, a 30-day roadmap" (+ extra
    folders from $STUDYCLI_CONTENT, when set)."""
    from studycli.content.loader import load_catalogue

    root = bundled_root()
    files = content_files([root])
    line = f"content {content_digest(files, root)}"
    try:
        cat = load_catalogue((), cache_dir=cache_dir)
    except Exception as exc:  # noqa: BLE001 - --version must answer even with broken decks
        return f"{line} (does not load: {exc})"
    incidents = len(cat.incidents)
    parts = [f"{len(cat.cards)} cards in {len(cat.decks)} decks", f"{incidents} incidents"]
    if cat.roadmap is not None:
        parts.append(f"a {len(cat.roadmap.days)}-day roadmap")
    extra = len(content_roots()) - 1
    if extra:
        parts.append(f"{extra} extra folder{'s' if extra != 1 else ''} from STUDYCLI_CONTENT")
    return f"{line}: {', '.join(parts)}"
