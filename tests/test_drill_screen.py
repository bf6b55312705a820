"""The drill screen as a candidate sees it, in a real terminal (pexpect) read through pyte.

Card text is Markdown: paragraphs reflow to the terminal, lists hang, code keeps its
indentation and has no fences, tables are tables. After an answer, the answer, the key
points and the rating keys share the screen at 80x24; `m` shows the whole model answer.
A coding card's answer box keeps blank lines and indentation.
"""

from __future__ import annotations

import sqlite3
import stat

import pytest

from .drill_deck import CODE_ID, DECK, PROSE_ID, screen_deck
from .screen import Terminal, code_lines, layout_problems

pytestmark = pytest.mark.terminal

PROSE_POINTS = [
    "Cost is requests per day times",
    "Count every input token",
    "Include multipliers such as",
    "State the assumed model",
]
CODE = code_lines(DECK)


def drill(home, content, *args: str, cols: int = 80, rows: int = 24, env=None) -> Terminal:
    return Terminal(home, "--content", str(content), "drill", *args, cols=cols, rows=rows, env=env)


def answers(home) -> list[tuple[str, int, str]]:
    db = sqlite3.connect(home / "studycli.db")
    rows = db.execute(
        "SELECT card_id, rating, answer FROM review_entries WHERE kind = 'review' ORDER BY id"
    ).fetchall()
    db.close()
    return rows


@pytest.mark.parametrize("cols", [80, 120])
def test_card_text_renders_as_markdown(isolated_home, tmp_path, cols):
    """Every card of the deck, answered empty on a tall screen so nothing is folded away."""
    content = screen_deck(tmp_path / "content")
    term = drill(isolated_home, content, "--deck", "screen", "--new", "3", cols=cols, rows=150)
    for i in (1, 2, 3):
        term.wait_for(rf"{i}/3 ")
        coding = "#coding" in term.text().split(f"{i}/3 ")[-1]
        term.send("\x04" if coding else "\r")  # an empty answer: show the model answer
        term.wait_until(lambda i=i: term.text().count("Rate your recall") == i)
        term.send("3")
    term.wait_for("Session complete")
    assert term.finish() == 0
    lines = term.text().split("Session complete")[0].splitlines()  # the cards, not the summary
    assert layout_problems(lines, cols, CODE) == []
    # Paragraphs written with hard line breaks read as one paragraph.
    flat = " ".join(" ".join(line.strip("│ ") for line in lines).split())
    assert "evaluation traffic, and embedding calls. Discounts to include" in flat
    # Code keeps its indentation and its blank lines.
    row = {key: next(i for i, line in enumerate(lines) if key in line) for key in (
        "def windows(ids", "if size <= 0", "raise ValueError", "out = []", "return out",
    )}  # fmt: skip
    col = {key: lines[i].index(key) for key, i in row.items()}
    assert col["if size <= 0"] - col["def windows(ids"] == 4
    assert col["raise ValueError"] - col["if size <= 0"] == 4
    assert col["return out"] == col["if size <= 0"]
    assert row["out = []"] - row["raise ValueError"] == 2
    assert lines[row["raise ValueError"] + 1].strip("│ ") == ""
    # A Markdown table is drawn as a table.
    table = next(line for line in lines if "Fixed size" in line)
    assert "uniform prose" in table and "|" not in table
    assert not any("| --- |" in line for line in lines)


@pytest.mark.parametrize("cols", [80, 120])
def test_answer_key_points_and_rating_share_the_screen(isolated_home, tmp_path, cols):
    content = screen_deck(tmp_path / "content")
    term = drill(
        isolated_home, content, "--deck", "screen", "--tag", "cost", "--new", "1", cols=cols
    )
    term.wait_for("How do you estimate", screen=True)
    term.wait_for("Type your answer", screen=True)
    assert term.on_screen(PROSE_ID)  # the card id, for 'cards show' and 'cards suspend'
    term.send("Tokens in times price, plus tokens out times price.\r\r")
    term.wait_for("Rate your recall", screen=True)
    term.pump(0.5)
    assert term.on_screen("How do you estimate the monthly cost")
    assert term.on_screen("Tokens in times price, plus tokens out times price.")
    for point in PROSE_POINTS:
        assert term.on_screen(point), point
    assert term.on_screen(PROSE_ID)
    assert layout_problems(term.visible(), cols, CODE) == []
    # The model answer is taller than what is left: `m` pages through all of it, and
    # after its last part `m` brings the answer and the key points back.
    assert term.on_screen("m full model answer")
    for _ in range(4):
        term.send("m")
        term.pump(0.8)
        assert layout_problems(term.visible(), cols, CODE) == []
        if term.on_screen("Closing line: the one lever"):
            break
    assert term.on_screen("Closing line: the one lever that would change the estimate most.")
    assert term.on_screen("m back to the key points")
    term.send("m")
    term.pump(0.8)
    assert term.on_screen("Tokens in times price, plus tokens out times price.")
    for point in PROSE_POINTS:
        assert term.on_screen(point), point
    term.wait_for("Rate your recall", screen=True)
    term.send("3")
    term.wait_for("Good saved")
    assert term.finish() == 0
    assert "```" not in term.text()
    assert answers(isolated_home) == [
        (PROSE_ID, 3, "Tokens in times price, plus tokens out times price.")
    ]


def test_coding_answer_keeps_blank_lines_and_indentation(isolated_home, tmp_path):
    content = screen_deck(tmp_path / "content")
    term = drill(isolated_home, content, "--deck", "screen", "--tag", "coding", "--new", "1")
    term.wait_for("Write a function that splits", screen=True)
    term.wait_for("Type your answer", screen=True)
    term.pump(0.3)
    assert term.on_screen(CODE_ID)
    # The hint tells how to submit code; Enter on an empty line is not it.
    assert term.on_screen("Esc Enter") and term.on_screen("Ctrl-D")
    assert not term.on_screen("Enter on an empty line submits")
    term.send("def windows(ids):\r")
    term.send("\tout = []\r")  # Tab indents with spaces
    term.send("\r")  # a blank line inside the function
    term.send("\treturn out")
    term.pump(1.0)
    assert "Rate your recall" not in term.text()
    term.send("\x1b\r")  # Esc Enter submits
    term.wait_for("Rate your recall", screen=True)
    term.pump(0.3)
    assert term.on_screen("def windows(ids):")
    for point in ("Reject an overlap", "Stop once a window", "An empty list gives"):
        assert term.on_screen(point), point
    assert layout_problems(term.visible(), 80, CODE) == []
    term.send("3")
    term.wait_for("Good saved")
    assert term.finish() == 0
    assert "```" not in term.text()
    assert answers(isolated_home) == [
        (CODE_ID, 3, "def windows(ids):\n    out = []\n\n    return out")
    ]


def test_long_coding_answer_in_the_editor(isolated_home, tmp_path):
    content = screen_deck(tmp_path / "content")
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "    return out\\n" >> "$1"\n')
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    term = drill(
        isolated_home, content, "--deck", "screen", "--tag", "coding", "--new", "1",
        env={"EDITOR": str(editor), "VISUAL": str(editor)},
    )  # fmt: skip
    term.wait_for("Write a function that splits", screen=True)
    term.wait_for("Type your answer", screen=True)
    assert term.on_screen("$EDITOR")
    term.send("def windows(ids):\r")
    term.send("\x1be")  # Esc e: the answer so far goes to the editor and comes back
    term.pump(1.0)
    term.send("\x04")  # Ctrl-D submits
    term.wait_for("Rate your recall", screen=True)
    term.send("2")
    term.wait_for("Hard saved")
    assert term.finish() == 0
    assert answers(isolated_home) == [(CODE_ID, 2, "def windows(ids):\n    return out")]
