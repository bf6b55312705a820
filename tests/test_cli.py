"""The CLI through Typer's runner: whole transcripts, exit codes, one-line errors."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

from studycli import __version__

from .helpers import studycli_command

NOW = "2026-11-22T09:00:00+00:00"


def test_version(cli):
    r = cli("--version")
    assert r.exit_code == 0 and r.output.splitlines()[0] == f"studycli {__version__}"
    assert r.output.splitlines()[1].startswith("content ")  # tests/test_completion.py: the rest


def test_every_command_has_help(cli):
    import typer.main

    from studycli.cli.main import load_commands

    app = load_commands(None)

    group = typer.main.get_command(app)
    names = []
    for name, cmd in group.commands.items():
        assert cmd.help, name
        names.append(name)
        sub = getattr(cmd, "commands", {})
        for sname, scmd in sub.items():
            assert scmd.help, f"{name} {sname}"
            r = cli(name, sname, "--help")
            assert r.exit_code == 0, (name, sname, r.output)
    assert {"drill", "today", "stats", "config", "decks", "doctor"} <= set(names)


def test_drill_transcript_answer_rate_quit(cli, isolated_home):
    r = cli("drill", "--new", "2", now=NOW, input="Workflows first.\nAgents later.\n\n3\n/quit\n\n")
    assert r.exit_code == 0, r.output
    out = r.output
    assert "1/2" in out and "Model answer" in out and "Key points" in out
    assert "1 Again 10m" in out and "3 Good" in out
    assert "Good saved · back in 2d" in out
    assert "2/2" in out
    assert "Session ended. Reviewed 1 card (Good 1)" in out
    db = sqlite3.connect(isolated_home / "studycli.db")
    assert db.execute("SELECT rating, answer FROM review_entries").fetchall() == [
        (3, "Workflows first.\nAgents later.")
    ]


def test_empty_answer_means_i_dont_know_and_again_requeues(cli):
    r = cli("drill", "--new", "1", now=NOW, input="\n1\n\n3\n")
    assert "(no answer: I don't know)" in r.output
    assert "Again saved · back in 10m" in r.output
    assert "2/2" in r.output  # the Again card is asked again in the same session
    assert "Session complete. Reviewed 2 cards (Again 1 · Good 1)" in r.output


def test_skip_suspend_and_undo_keys(cli):
    r = cli("drill", "--new", "3", now=NOW, input="a\n\n3\nb\n\nu\n/skip\n/suspend\n")
    out = r.output
    assert "Undid the last rating of" in out
    assert "Skipped agents-" in out
    assert "Suspended" in out
    s = json.loads(cli("stats", "--json", now=NOW).output)
    assert s["cards"]["suspended"] == 1 and s["reviews"]["today"] == 0


def test_nothing_due_says_when_next(cli):
    cli("drill", "--new", "1", "--limit", "1", now=NOW, input="x\n\n4\n")
    cli("config", "set", "new_per_day", "1")
    r = cli("drill", now=NOW)
    assert "Nothing is due right now." in r.output
    assert "Next card due on 2026-11-30." in r.output
    assert "'studycli drill --new 5' introduces more" in r.output


def test_ctrl_d_at_question_ends_session_cleanly(cli):
    r = cli("drill", "--new", "1", now=NOW, input="")
    assert r.exit_code == 0 and "Session ended. Reviewed 0 cards" in r.output


def test_filters(cli):
    r = cli("drill", "--deck", "rag", "--level", "junior", "--new", "50", now=NOW, input="/quit\n")
    assert "· rag · junior" in r.output
    bad = cli("drill", "--deck", "nope", now=NOW)
    assert bad.exit_code == 2 and bad.output.startswith("studycli: --deck: no deck 'nope'")
    bad = cli("drill", "--tag", "nope", now=NOW)
    assert bad.exit_code == 2 and "--tag: no card has tag 'nope'" in bad.output
    bad = cli("drill", "--level", "guru", now=NOW)
    assert bad.exit_code == 2 and "--level: must be one of" in bad.output
    bad = cli("drill", "--limit", "0", now=NOW)
    assert bad.exit_code == 2 and "--limit" in bad.output
    bad = cli("drill", "--new", "-1", now=NOW)
    assert bad.exit_code == 2 and "--new" in bad.output


def test_today_counts(cli):
    r = cli("today", now=NOW)
    assert r.exit_code == 0
    assert "0 due · 15 new" in r.output and "Next: studycli drill" in r.output


def test_stats_json(cli):
    cli("drill", "--new", "2", now=NOW, input="a\n\n3\nb\n\n1\n")
    s = json.loads(cli("stats", "--json", now=NOW).output)
    assert s["cards"]["seen"] == 2 and s["reviews"] == {"today": 2, "total": 2}
    assert s["retention_30d"]["total"] == 0
    assert s["cards"]["total"] >= 150


def test_config_show_set_and_bad_values(cli, isolated_home):
    assert "desired_retention = 0.9  (default)" in cli("config", "show").output
    r = cli("config", "set", "desired_retention", "0.85")
    assert r.exit_code == 0 and r.output.strip() == "desired_retention = 0.85"
    assert "desired_retention = 0.85\n" in cli("config", "show").output
    assert "desired_retention: 0.85" in (isolated_home / "config.yaml").read_text()
    bad = cli("config", "set", "desired_retention", "2")
    assert bad.exit_code == 2
    assert (
        bad.output.strip()
        == "studycli: config desired_retention: expected a number from 0.7 to 0.99 (got '2')"
    )
    bad = cli("config", "set", "colour", "red")
    assert bad.exit_code == 2 and "unknown setting 'colour'" in bad.output
    bad = cli("config", "set", "interview_date", "3/4", now=NOW)
    assert bad.exit_code == 2 and "config interview_date: '3/4' is ambiguous" in bad.output
    assert "desired_retention: 0.85" in (isolated_home / "config.yaml").read_text()  # nothing lost


def test_broken_config_file_is_one_line(cli, isolated_home):
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.yaml").write_text("new_per_day: [\n")
    r = cli("today", now=NOW)
    assert r.exit_code == 2 and r.output.count("\n") == 1
    assert "config.yaml:2: config file is not valid YAML" in r.output


def test_bad_now(cli):
    r = cli("today", now="the day after")
    assert r.exit_code == 2 and r.output == (
        "studycli: STUDYCLI_NOW: cannot read 'the day after' as a date; "
        "try 2026-12-22, 22 Dec, Dec 22, next friday, in 3 weeks or +21d\n"
    )


def test_decks_list_and_validate(cli, tmp_path):
    r = cli("decks", "list")
    assert r.exit_code == 0 and "rag" in r.output and "incidents" in r.output
    r = cli("decks", "validate")
    assert r.exit_code == 0 and r.output.startswith("OK: ")
    bad = tmp_path / "decks" / "bad.yaml"
    bad.parent.mkdir()
    bad.write_text("id: bad\ntitle: Bad\ncards:\n  - id: bad-1\n    level: mid\n")
    r = cli("decks", "validate", str(bad))
    assert r.exit_code == 2
    lines = r.output.strip().splitlines()
    assert len(lines) == 5  # four missing fields (source is optional here), then the count
    assert all(":4: card 'bad-1': missing required field" in line for line in lines[:4])


def test_bad_extra_content_is_exit_2_one_line(cli, tmp_path):
    (tmp_path / "c" / "decks").mkdir(parents=True)
    (tmp_path / "c" / "decks" / "x.yaml").write_text("id: x\n")
    r = cli("--content", str(tmp_path / "c"), "today", now=NOW)
    assert r.exit_code == 2
    assert "x.yaml:1: deck: missing required field 'title'" in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_doctor_and_rebuild(cli):
    cli("drill", "--new", "3", now=NOW, input="a\n\n3\nb\n\n2\nc\n\n1\n")
    r = cli("doctor", now=NOW)
    assert r.exit_code == 0 and "match the review log" in r.output
    r = cli("doctor", "--rebuild", now=NOW)
    assert "rebuilt the state of 3 cards" in r.output


def test_cards_show_suspend_unsuspend(cli, catalogue):
    cid = sorted(catalogue.cards)[0]
    assert cli("cards", "show", cid).exit_code == 0
    assert cli("cards", "suspend", cid, now=NOW).output.strip() == f"suspended {cid}"
    assert cli("cards", "unsuspend", cid, now=NOW).output.strip() == f"unsuspended {cid}"
    r = cli("cards", "show", "nope")
    assert r.exit_code == 2 and "no card 'nope'" in r.output


def test_unexpected_error_is_one_line_and_debug_shows_traceback(cli, monkeypatch):
    import studycli.cli.stats as cli_mod

    def boom(*a, **k):
        raise RuntimeError("kaput")

    monkeypatch.setattr(cli_mod, "stats_numbers", boom)
    r = cli("stats", "--json", now=NOW)
    assert r.exit_code == 1
    assert (
        r.output.strip()
        == "studycli: unexpected error: RuntimeError: kaput (set STUDYCLI_DEBUG=1 for details)"
    )


def test_readme_shows_every_commands_real_help():
    """README.md carries each command's current --help (refresh with 'make readme')."""
    import subprocess
    import sys

    from .helpers import ROOT

    proc = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "readme_help.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, "README.md help is stale: run 'make readme'"


def test_only_the_named_command_is_imported_and_help_sees_all():
    from studycli.cli.main import COMMANDS, _command_word

    assert _command_word(["--home", "h", "--content", "c", "drill", "--limit", "3"]) == "drill"
    assert _command_word(["--home=h", "today"]) == "today"
    assert _command_word(["--version"]) is None and _command_word([]) is None
    probe = (
        "import sys; from studycli.cli.main import load_commands; "
        "app = load_commands(sys.argv[1] or None); "
        "print(sorted(m for m in sys.modules if m.startswith('studycli.cli.'))); "
        "print([c.callback.__name__ for c in app.registered_commands]); "
        "print([g.name for g in app.registered_groups])"
    )

    def loaded(word: str) -> list[str]:
        proc = subprocess.run(
            [sys.executable, "-c", probe, word], capture_output=True, text=True, check=True
        )
        return proc.stdout.splitlines()

    modules, commands, groups = loaded("drill")
    assert "studycli.cli.drill" in modules and "studycli.cli.today" not in modules
    assert commands == "['drill']" and groups == "[]"
    modules, commands, groups = loaded("decks")
    assert commands == "[]" and groups == "['decks']"
    modules, commands, groups = loaded("dril")  # a typo: all of them, for the suggestion
    assert all(f"studycli.cli.{m}" in modules for m in COMMANDS.values())
    assert groups == "['decks', 'config', 'cards', 'roadmap', 'kata', 'export', 'import']"


def test_a_subcommand_of_a_group_runs_through_main(isolated_home, tmp_path):
    out = tmp_path / "p.jsonl"
    proc = subprocess.run(
        [*studycli_command(), "--home", str(isolated_home), "export", "progress", "-o", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text().splitlines()[0])["record"] == "header"
