"""Picking from a list in a terminal (questionary): the backup `doctor --restore` restores."""

from __future__ import annotations

import datetime as dt

import pytest

from .helpers import text
from .test_faults import START, iso, seed_history
from .test_init import DOWN, ENTER, spawn

pexpect = pytest.importorskip("pexpect")
pytestmark = pytest.mark.terminal


def test_doctor_restore_picks_a_backup(isolated_home, cli) -> None:
    seed_history(isolated_home, cli, days=3)  # backups of 2026-11-24 (newest) and 2026-11-23
    child = spawn(isolated_home, "doctor", "--restore", now=iso(START + dt.timedelta(days=3)))
    child.expect(text("Restore which backup?"))
    child.expect(text("studycli-2026-11-23.db"))
    child.expect(text("Cancel: restore nothing"))
    child.send(DOWN + ENTER)
    child.expect(text("kept the current database as studycli-before-restore-"))
    child.expect(text("restored studycli-2026-11-23.db: 3 reviews"))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_doctor_restore_cancel_restores_nothing(isolated_home, cli) -> None:
    seed_history(isolated_home, cli, days=3)
    before = (isolated_home / "studycli.db").read_bytes()
    child = spawn(isolated_home, "doctor", "--restore")
    child.expect(text("Restore which backup?"))
    child.send(DOWN + DOWN + ENTER)
    child.expect(text("Nothing restored."))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (isolated_home / "studycli.db").read_bytes() == before
