"""Commands of the grade feature; registered on the main app when studycli.cli is imported."""

from __future__ import annotations

from .cli import app  # noqa: F401
