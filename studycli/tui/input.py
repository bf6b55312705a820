"""Reading the candidate's input: the multi-line answer box, typed commands, one-key choices."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from typing import NamedTuple

from rich.console import Console

ANSWER_HELP = (
    "Type your answer. Enter on an empty line submits (Esc Enter or Ctrl-D too); "
    'an empty answer means "I don\'t know". Commands: /skip /suspend /undo /quit'
)


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

    def answer(self) -> str:
        if self.interactive:
            return self._answer_box()
        lines: list[str] = []
        while True:
            line = sys.stdin.readline()
            if not line:
                if not lines:
                    raise Quit
                break
            line = line.rstrip("\n")
            if not lines and line.strip().lower() in COMMANDS:
                return line.strip()
            if not line.strip():
                break
            lines.append(line)
        return "\n".join(lines).strip()

    def _answer_box(self) -> str:
        from prompt_toolkit import PromptSession

        session: PromptSession[str] = PromptSession(
            multiline=True,
            key_bindings=answer_bindings(),
            prompt_continuation=lambda width, line_number, is_soft_wrap: "│ ",
            bottom_toolbar=" Enter on an empty line submits · empty = I don't know · /skip /suspend /undo /quit ",
        )
        return session.prompt("│ ").strip()

    def key(self, prompt: str, choices: str, default: str | None = None) -> str:
        """One key from `choices` (Enter picks `default`)."""
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
                    self.console.print(ch.lower())
                    return ch.lower()
        while True:
            line = sys.stdin.readline()
            if not line:
                raise Quit
            ch = line.strip()[:1].lower() or (default or "")
            if ch and ch in choices:
                self.console.print(ch)
                return ch
            self.console.print(f"\nPlease press one of: {', '.join(choices)}", style="yellow")
            self.console.print(prompt, end="", highlight=False)


def answer_bindings():  # type: ignore[no-untyped-def]
    """Keys of every answer box: Enter on an empty line (or after a /command) submits, Ctrl-D too."""
    from prompt_toolkit.key_binding import KeyBindings

    bindings = KeyBindings()

    @bindings.add("enter")
    @bindings.add("c-j")  # what Enter arrives as if typed before the box took the terminal
    def _enter(event) -> None:  # type: ignore[no-untyped-def]
        buf = event.current_buffer
        doc = buf.document
        at_end = doc.cursor_position == len(buf.text)
        is_command = buf.text.strip().lower() in COMMANDS
        if is_command or (at_end and (not buf.text.strip() or doc.current_line.strip() == "")):
            buf.validate_and_handle()
        else:
            buf.insert_text("\n")

    @bindings.add("c-d")
    def _submit(event) -> None:  # type: ignore[no-untyped-def]
        event.current_buffer.validate_and_handle()

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
