"""The drill's terminal side: show a card, read a typed answer and one-key choices.

Interactive terminals get a multi-line answer box (prompt_toolkit, imported only
once a question is on screen) and single-key choices; pipes and test runners get
plain line-by-line input, so the same loop can be driven either way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


RATING_STYLE = {1: "bold red", 2: "bold yellow", 3: "bold green", 4: "bold cyan"}
