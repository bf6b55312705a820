"""Card text is Markdown (CommonMark, with tables): one reading of it for every output.

A line break inside a paragraph is a space, a blank line ends a paragraph, a fenced
block is code kept exactly as written. The terminal renders card text with rich,
which parses with the same markdown-it parser configured here; the Anki export turns
it into HTML here; printouts take its paragraphs from here. markdown-it is imported
on first use, never at start-up.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_PRE = re.compile(r"(<pre>.*?</pre>)", re.S)


@cache
def parser() -> MarkdownIt:
    """CommonMark with tables and strikethrough; raw HTML is text, never markup."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])

    def softbreak(*_: Any) -> str:  # a line break inside a paragraph reads as a space
        return " "

    md.add_render_rule("softbreak", softbreak)
    return md


def to_html(text: str) -> str:
    """Card text as compact HTML: <p>, <ul>/<ol>, <pre><code> with its indentation, tables."""
    out = parser().render(text.strip())
    # markdown-it ends every block tag with a newline; outside <pre> they carry nothing.
    return "".join(
        part if part.startswith("<pre>") else part.replace("\n", "") for part in _PRE.split(out)
    ).strip()


def inline_html(text: str) -> str:
    """One line of card text (a key point, a question) as HTML: `code`, *emphasis*, escaped."""
    return parser().renderInline(" ".join(text.split()))


def paragraphs(text: str) -> list[str]:
    """The paragraphs (and list items) of card text, each on one line; code blocks as written."""
    out: list[str] = []
    for token in parser().parse(text):
        if token.type == "inline":
            out.append(" ".join(token.content.split()))
        elif token.type in ("fence", "code_block"):
            out.append(token.content.rstrip("\n"))
    return out
