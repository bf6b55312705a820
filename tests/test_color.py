"""NO_COLOR and --no-color: no colour in any screen, in a real terminal; styles stay."""

from __future__ import annotations

import os
import re

import pytest

from .helpers import studycli_command

pexpect = pytest.importorskip("pexpect")
pytestmark = pytest.mark.terminal

# SGR colour parameters: 30-37, 40-47, 90-97, 100-107, 38;5;n / 38;2;r;g;b (and 48;...)
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-7]|4[0-7]|9[0-7]|10[0-7]|[34]8;[25];[0-9;]+)m")
SCREENS = [
    (["today"], None),
    (["stats"], None),
    (["roadmap"], None),
    (["drill"], "Type your answer"),
    (["init"], "Interview date"),
]


def screen(home, args: list[str], wait: str | None, **env: str) -> str:
    environ = dict(
        os.environ,
        STUDYCLI_HOME=str(home),
        STUDYCLI_NOW="2026-12-01T09:00",
        TERM="xterm-256color",
        PROMPT_TOOLKIT_NO_CPR="1",
        **env,
    )
    environ.pop("STUDYCLI_PLAIN", None)
    cmd = studycli_command()
    child = pexpect.spawn(
        cmd[0], [*cmd[1:], *args], env=environ, encoding="utf-8", dimensions=(40, 120), timeout=30
    )
    out = ""
    if wait:
        child.expect(wait)
        out += child.before + child.after
        child.sendcontrol("c")
    child.expect(pexpect.EOF)
    return out + child.before


@pytest.fixture
def planned(cli, isolated_home):
    assert cli("roadmap", "start", "--interview", "Dec 22", now="2026-12-01").exit_code == 0
    return isolated_home


@pytest.mark.parametrize(("args", "wait"), SCREENS, ids=[a[0] for a, _ in SCREENS])
def test_no_colour_anywhere(planned, args, wait) -> None:
    assert COLOUR.search(screen(planned, args, wait)), "the screen has colour to remove"
    plain = screen(planned, ["--no-color", *args], wait)
    assert not COLOUR.search(plain) and re.search(r"\x1b\[[0-9;]*m", plain)  # styles stay
    assert not COLOUR.search(screen(planned, args, wait, NO_COLOR="1"))
