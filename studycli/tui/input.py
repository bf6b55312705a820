"""Reading the candidate's input: the multi-line answer box, typed commands, one-key choices."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from enum import StrEnum
from typing import NamedTuple

from rich.console import Console


class Action(StrEnum):
    """What the candidate can ask for besides answering and rating."""

    SKIP = "skip"
    SUSPEND = "suspend"
    UNDO = "undo"
    QUIT = "quit"


# The one table of how an action is asked for: a command typed in the answer box (it
# starts with "/", so an answer of one letter stays an answer) or a key pressed at a
# choice. The drill and the mock both read it, so what a key does and what its command
# does cannot drift apart.
ACTIONS: dict[str, Action] = {
    "/skip": Action.SKIP, "/s": Action.SKIP, "s": Action.SKIP,
    "/suspend": Action.SUSPEND, "x": Action.SUSPEND,
    "/undo": Action.UNDO, "/u": Action.UNDO, "u": Action.UNDO,
    "/quit": Action.QUIT, "/q": Action.QUIT, "/exit": Action.QUIT, "q": Action.QUIT,
}  # fmt: skip
COMMANDS = {typed: action for typed, action in ACTIONS.items() if typed.startswith("/")}


def typed_action(answer: str) -> Action | None:
    """The action a typed answer asks for (a /command alone on its line), or None."""
    return COMMANDS.get(answer.strip().lower())


def pressed_action(key: str) -> Action | None:
    return None if key.startswith("/") else ACTIONS.get(key)


def action_keys(*actions: Action) -> str:
    """The keys that ask for these actions, for a one-key choice."""
    return "".join(k for k, a in ACTIONS.items() if a in actions and len(k) == 1)


LABELS = {
    Action.SKIP: "skip",
    Action.SUSPEND: "suspend",
    Action.UNDO: "undo last",
    Action.QUIT: "quit",
}
KEY_HINTS = [(k, LABELS[a]) for k, a in ACTIONS.items() if len(k) == 1]
TYPED = " ".join(dict.fromkeys(f"/{a.value}" for a in Action))

# One row at 80 columns each: what submits, and what else can be typed.
ANSWER_HELP = "Type your answer. Blank line submits; empty = I don't know · /skip /undo /quit"
CODE_HELP = "Type your answer. Esc Enter or Ctrl-D submits · Tab indents · Esc e: $EDITOR"
TAB = "    "
CODING_TAG = "coding"  # a card whose answer is code gets the code answer box


class Quit(Exception):
    """The candidate asked to stop (q, Ctrl-D at a choice, or end of input)."""


class Input(NamedTuple):
    """Reads answers and keys from a terminal or, failing that, line by line from stdin."""

    console: Console
    interactive: bool

    @classmethod
    def detect(cls, console: Console) -> Input:
        tty = sys.stdin.isatty() and sys.stdout.isatty() and os.environ.get("STUDYCLI_PLAIN") != "1"
        return cls(console, tty)

    def answer(self, code: bool = False, while_typing: Callable[[], None] | None = None) -> str:
        """A typed answer. In a terminal, `code` keeps Enter for new lines (blank ones too),
        and `while_typing` runs once the box has the terminal."""
        if self.interactive:
            return self._answer_box(code, while_typing)
        lines: list[str] = []
        while True:
            line = sys.stdin.readline()
            if not line:
                if not lines:
                    raise Quit
                break
            line = line.rstrip("\n")
            if not lines and typed_action(line):
                return line.strip()
            if not line.strip():
                break
            lines.append(line)
        return "\n".join(lines).strip()

    def _answer_box(self, code: bool, while_typing: Callable[[], None] | None) -> str:
        import asyncio

        from prompt_toolkit import PromptSession

        toolbar = (
            f" Esc Enter or Ctrl-D submits · Enter adds a line · {TYPED} "
            if code
            else f" Enter on a blank line submits (or Esc Enter) · {TYPED} "
        )
        session: PromptSession[str] = PromptSession(
            multiline=True,
            key_bindings=answer_bindings(code),
            prompt_continuation=lambda width, line_number, is_soft_wrap: "│ ",
            bottom_toolbar=toolbar,
        )

        async def soon(work: Callable[[], None]) -> None:
            # Once the box holds the terminal in raw mode, Ctrl-C is a key, not a signal that
            # could land in the middle of another thread's import and be lost there.
            await asyncio.sleep(0.2)
            work()

        def pre_run() -> None:
            if while_typing is not None:
                session.app.create_background_task(soon(while_typing))

        text = session.prompt("│ ", pre_run=pre_run)
        # Code keeps its leading indentation; trailing blank lines carry nothing.
        return text.rstrip() if code else text.strip()

    def key(
        self, prompt: str, choices: str, default: str | None = None, *, echo: bool = True
    ) -> str:
        """One key from `choices` (Enter picks `default`); `echo` shows the key after the prompt."""
        self.console.print(prompt, end="", highlight=False)
        if self.interactive:
            while True:
                ch = _read_key()
                if ch in ("\r", "\n") and default:
                    ch = default
                if ch == "\x03":
                    raise KeyboardInterrupt
                if ch == "\x04":
                    raise Quit
                if ch.lower() in choices:
                    self.console.print(ch.lower() if echo else "")
                    return ch.lower()
        while True:
            line = sys.stdin.readline()
            if not line:
                raise Quit
            ch = line.strip()[:1].lower() or (default or "")
            if ch and ch in choices:
                self.console.print(ch if echo else "")
                return ch
            self.console.print(f"\nPlease press one of: {', '.join(choices)}", style="yellow")
            self.console.print(prompt, end="", highlight=False)


def answer_bindings(code: bool = False):  # type: ignore[no-untyped-def]
    """Keys of every answer box. Prose: Enter on an empty line (or after a /command) submits.
    Code (`code`): Enter always adds a line, so a blank line cannot cut a function in half.
    Both: Esc Enter and Ctrl-D submit, Tab indents with spaces, Esc e (or Ctrl-X Ctrl-E)
    opens $EDITOR with the answer so far."""
    from prompt_toolkit.key_binding import KeyBindings

    bindings = KeyBindings()

    @bindings.add("enter")
    @bindings.add("c-j")  # what Enter arrives as if typed before the box took the terminal
    def _enter(event) -> None:  # type: ignore[no-untyped-def]
        buf = event.current_buffer
        doc = buf.document
        at_end = doc.cursor_position == len(buf.text)
        ends = at_end and (not buf.text.strip() or doc.current_line.strip() == "")
        if typed_action(buf.text) or (ends and not code):
            buf.validate_and_handle()
        else:
            buf.insert_text("\n")

    @bindings.add("c-d")
    @bindings.add("escape", "enter")
    def _submit(event) -> None:  # type: ignore[no-untyped-def]
        event.current_buffer.validate_and_handle()

    @bindings.add("tab")
    def _indent(event) -> None:  # type: ignore[no-untyped-def]
        event.current_buffer.insert_text(TAB)

    @bindings.add("escape", "e")
    @bindings.add("c-x", "c-e")
    def _editor(event) -> None:  # type: ignore[no-untyped-def]
        event.current_buffer.open_in_editor(validate_and_handle=False)

    return bindings


def _read_key() -> str:
    import termios
    import tty

    fd = sys.stdin.fileno()
    old = termios.tcgetattr(fd)
    try:
        tty.setraw(fd, termios.TCSANOW)  # keep keys typed ahead (TCSAFLUSH would drop them)
        data = os.read(fd, 1)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)
    if not data:
        return "\x04"
    return data.decode("utf-8", "replace")
