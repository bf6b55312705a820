"""Files the user names with -o: written whole, or straight into what is already there.

A regular file (or a new name) is written to a temporary file beside it and renamed into
place, so a crash never leaves half a file. A device (/dev/null, /dev/stdout), a FIFO or a
socket is written into as it is: renaming over it would replace the device node with a
plain file. A link is followed: the file it points to is written, the link stays.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path

from studycli.errors import StudyError, UsageError
from studycli.storage.faults import os_problem


def output_path(output: str, option: str = "--output") -> Path:
    """The path -o names, refused at once when no file can be written there."""
    if not output.strip():
        raise UsageError(f"{option}: give a file name (got an empty one)")
    path = Path(output).expanduser()
    if path.is_dir():
        raise UsageError(f"{option}: '{output}' is a folder; give a file name")
    if not path.parent.is_dir():
        raise UsageError(f"{option}: folder '{path.parent}' does not exist")
    return path


def _is_special(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def write_output(
    path: Path, content: str | bytes | Iterable[str], option: str = "--output"
) -> None:
    """Write `content` (bytes, text, or lines of text) to `path` as the module doc says."""
    chunks: Iterable[bytes]
    if isinstance(content, bytes):
        chunks = [content]
    elif isinstance(content, str):
        chunks = [content.encode("utf-8")]
    else:
        chunks = (line.encode("utf-8") for line in content)
    if _is_special(path):
        try:
            with open(path, "wb") as fh:
                for chunk in chunks:
                    fh.write(chunk)
        except OSError as exc:
            raise StudyError(f"{option}: cannot write '{path}': {os_problem(exc, path)}") from None
        return
    target = path.resolve() if path.is_symlink() else path
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise StudyError(f"{option}: cannot write '{path}': {os_problem(exc, target)}") from None
