"""A real terminal for tests, and checks of how card text is laid out on it.

`Terminal` runs `studycli` in a pseudo-terminal (pexpect) and keeps a virtual screen
(pyte) of what a person would see. `layout_problems` reads rendered lines and names
every raw code fence, every line broken before the terminal's edge in the middle of
a paragraph, and every wrapped list item that falls back under its marker.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pexpect
import pyte

from .helpers import studycli_command

NOW = "2026-11-22T09:00:00+00:00"
# A list marker as rendered: bullets, numbers, check marks, arrows; several may lead a line.
# A number is a marker as "1." or as rich numbers lists (" 1 "), not as "2022. In June".
MARKER = re.compile(r"^ *(?:(?:[•\-*✓✗?–→⚑]|\d{1,2}\.)\s+)+|^ +\d{1,2} +(?=\S)")
FENCE = re.compile(r"^\s*(```|~~~)")


class Terminal:
    """`studycli ARGS` in a pseudo-terminal of `cols` x `rows`, seen through pyte."""

    def __init__(
        self,
        home: Path,
        *args: str,
        cols: int = 80,
        rows: int = 24,
        now: str = NOW,
        env: dict[str, str] | None = None,
    ) -> None:
        environ = dict(
            os.environ,
            STUDYCLI_HOME=str(home),
            STUDYCLI_NOW=now,
            TERM="xterm-256color",
            PROMPT_TOOLKIT_NO_CPR="1",
            COLUMNS=str(cols),
            LINES=str(rows),
        )
        environ.pop("STUDYCLI_PLAIN", None)
        environ.update(env or {})
        cmd = studycli_command()
        self.child = pexpect.spawn(
            cmd[0],
            [*cmd[1:], *args],
            env=environ,
            dimensions=(rows, cols),
            encoding="utf-8",
            timeout=20,
        )
        self.cols, self.rows = cols, rows
        self.screen = pyte.HistoryScreen(cols, rows, history=10000)
        self.stream = pyte.Stream(self.screen)

    def visible(self) -> list[str]:
        """The rows on screen now, as a person sees them."""
        return [line.rstrip() for line in self.screen.display]

    def text(self) -> str:
        """Everything shown so far: the rows that scrolled off the top, then the screen."""
        old = ["".join(line[x].data for x in range(self.cols)) for line in self.screen.history.top]
        return "\n".join([*(line.rstrip() for line in old), *self.visible()])

    def pump(self, seconds: float = 0.3) -> None:
        """Read what the program writes for a moment."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            with contextlib.suppress(pexpect.TIMEOUT, pexpect.EOF):
                self.stream.feed(self.child.read_nonblocking(65536, timeout=0.05))

    def wait_for(self, pattern: str, timeout: float = 15, *, screen: bool = False) -> re.Match[str]:
        """Wait until `pattern` (a regex) shows: on the screen now (`screen`) or at any time."""
        end = time.monotonic() + timeout
        while True:
            shown = "\n".join(self.visible()) if screen else self.text()
            m = re.search(pattern, shown)
            if m:
                return m
            if time.monotonic() > end:
                raise AssertionError(f"{pattern!r} not on screen:\n{self.text()}")
            try:
                self.stream.feed(self.child.read_nonblocking(65536, timeout=0.1))
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                if time.monotonic() > end - timeout + 2:  # give the last output a moment
                    raise AssertionError(
                        f"{pattern!r} not shown before the program ended:\n{self.text()}"
                    ) from None

    def wait_until(self, done: Callable[[], bool], timeout: float = 15) -> None:
        end = time.monotonic() + timeout
        while not done():
            if time.monotonic() > end:
                raise AssertionError(f"condition not met; screen:\n{self.text()}")
            self.pump(0.1)

    def on_screen(self, text: str) -> bool:
        """Whether `text` is visible now, allowing for it to wrap across rows."""
        flat = " ".join(" ".join(self.visible()).split())
        return " ".join(text.split()) in flat

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def finish(self) -> int:
        self.child.expect(pexpect.EOF)
        self.child.close()
        return self.child.exitstatus if self.child.exitstatus is not None else -1


def code_lines(markdown: str) -> set[str]:
    """The stripped lines inside fenced code blocks of card text."""
    out: set[str] = set()
    inside = False
    for line in markdown.splitlines():
        if FENCE.match(line):
            inside = not inside
            continue
        if inside and line.strip():
            out.add(line.strip())
    return out


def panel_bodies(lines: Sequence[str]) -> list[list[str]]:
    """The text rows of each framed panel (between '│ ' and ' │'), in order."""
    bodies: list[list[str]] = []
    current: list[str] | None = None
    for line in lines:
        s = line.rstrip()
        if s.startswith("╭"):
            current = []
            bodies.append(current)
        elif s.startswith("╰"):
            current = None
        elif current is not None and s.startswith("│") and s.endswith("│") and len(s) > 3:
            current.append(s[2:-2].rstrip())
    return bodies


def _text_indent(row: str) -> int:
    m = MARKER.match(row)
    return len(m.group(0)) if m else len(row) - len(row.lstrip())


def layout_problems(
    lines: Sequence[str], width: int, code: Iterable[str] = (), *, inner: int | None = None
) -> list[str]:
    """What a reader would call broken in the framed panels of `lines` at terminal `width`.

    A row is broken early when the first word of the row after it (same paragraph, same
    indent) would have fitted on it; a wrapped list item must hang under its text, not
    under its marker. Rows that are lines of the card's code are left alone.
    """
    code = set(code)
    joined = "\n".join(code)

    def is_code(row: str) -> bool:
        """A code line, a piece of one the terminal wrapped, or a table's row or rule."""
        text = row.strip()
        if "│" in text or "┃" in text or "  " in text or text.startswith(("─", "━")):
            return True  # prose never has a run of spaces inside a line; table columns do
        return text in code or (len(text) > 2 and text in joined)

    room = inner if inner is not None else width - 4  # a panel's border and padding
    problems = [f"raw code fence: {line.strip()!r}" for line in lines if "```" in line]
    for body in filter(None, panel_bodies(lines)):
        item_indent: int | None = None  # text column of the list item being read, if any
        for row, nxt in zip(body, [*body[1:], ""], strict=True):
            if not row.strip() or is_code(row):
                item_indent = None
                continue
            if MARKER.match(row):
                item_indent = _text_indent(row)
            if not nxt.strip() or is_code(nxt) or MARKER.match(nxt) or nxt.startswith("…"):
                continue  # a new block, code, or the line that says the rest is folded
            indent = len(nxt) - len(nxt.lstrip())
            expected = item_indent if item_indent is not None else _text_indent(row)
            if indent < expected:
                problems.append(f"list item does not hang: {row.strip()[:40]!r} / {nxt.strip()!r}")
                continue
            if indent > expected:
                continue  # nested or preformatted: not a wrapped continuation
            first = nxt.split()[0]
            if len(row.rstrip()) + 1 + len(first) <= room:
                problems.append(f"line broken early: {row.strip()!r} / {nxt.strip()[:30]!r}")
    return problems
