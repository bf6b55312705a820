"""The `studycli` console script and `python -m studycli`."""

from __future__ import annotations

import gc


def main() -> None:
    # A start makes tens of thousands of long-lived objects (modules, the content index, card
    # states); at the default threshold the collector walks them again and again, about a
    # twentieth of a drill's start. Collect rarely instead: a command is short-lived.
    gc.set_threshold(100_000, 50, 100)
    from studycli.cli.main import main as run

    run()
