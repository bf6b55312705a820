"""Helpers the tests import: where the project is, how to start the CLI, what to type into
it and how its terminal output looks, writing files.

Fixtures stay in conftest.py; plain functions and constants live here.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ESC = r"(?:\x1b\[[0-9;?]*[a-zA-Z])*"  # any run of terminal styling escapes


def studycli_command() -> list[str]:
    """How to start the installed CLI in a subprocess."""
    exe = Path(sys.executable).with_name("studycli")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "studycli"]


def answers(*ratings: int | str) -> str:
    """What a piped drill reads for cards rated in turn: a typed answer, Enter, the rating."""
    return "".join(f"an answer\n\n{r}\n" for r in ratings)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def text(plain: str) -> str:
    """A pattern for `plain` as a terminal shows it, styling escapes allowed anywhere."""
    return ESC.join(re.escape(ch) for ch in plain)
