"""Where content is found: the bundled folders (inside the wheel or the checkout), then
`$STUDYCLI_CONTENT`, then `--content` folders; and how a file is named in messages.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path


def bundled_root() -> Path:
    """The content shipped with studycli: inside the wheel, or the checkout's top level."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "_content"
    if packaged.is_dir():
        return packaged
    return package.parent


def content_roots(extra: Iterable[str | os.PathLike[str]] = ()) -> list[Path]:
    """Bundled content first, then $STUDYCLI_CONTENT (path list), then --content dirs."""
    roots = [bundled_root()]
    env = os.environ.get("STUDYCLI_CONTENT", "")
    roots += [Path(p).expanduser() for p in env.split(os.pathsep) if p.strip()]
    roots += [Path(p).expanduser() for p in extra]
    # absolute, so the content cache is the same whichever way a folder was named
    return [r if r.is_absolute() else Path.cwd() / r for r in roots]


SOURCES_FILES = ("sources.yaml", "sources.yml")


def sources_file(root: Path) -> Path | None:
    """The sources list of a content folder, if it has one."""
    for name in SOURCES_FILES:
        candidate = root / name
        if candidate.is_file():
            return candidate
    return None


def content_files(roots: Sequence[Path]) -> list[tuple[str, Path]]:
    """(kind, path) for each root's sources list and every YAML file under its decks/,
    incidents/ and roadmap/.

    A root that is itself a folder of YAML files (no such sub-folders) is read as decks,
    apart from its sources list.
    """
    files: list[tuple[str, Path]] = []
    for root in roots:
        found = False
        listed = sources_file(root)
        if listed is not None:
            files.append(("sources", listed))
        for kind in ("decks", "incidents", "roadmap"):
            sub = root / kind
            if sub.is_dir():
                found = True
                files += [
                    (kind, p) for p in sorted(sub.glob("*.y*ml")) if p.suffix in (".yaml", ".yml")
                ]
        if not found and root.is_dir():
            files += [
                ("decks", p)
                for p in sorted(root.glob("*.y*ml"))
                if p.suffix in (".yaml", ".yml") and p.name not in SOURCES_FILES
            ]
    return files


def display_path(path: Path) -> str:
    """A path as the user should see it: relative to the working directory when under it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel
