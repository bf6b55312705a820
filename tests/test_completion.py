"""Shell completion from the catalogue, --version with the content's, and neither slows a start."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import ROOT, studycli_command, write


def complete(words: str, home: Path, shell: str = "bash", **env: str) -> list[str]:
    """What the shell would offer after `words` (the last word being completed)."""
    environ = dict(os.environ, STUDYCLI_HOME=str(home), _STUDYCLI_COMPLETE=f"complete_{shell}")
    environ.update(env)
    if shell == "bash":
        parts = words.split(" ")
        environ.update(COMP_WORDS=words, COMP_CWORD=str(len(parts) - 1))
    else:
        environ["_TYPER_COMPLETE_ARGS"] = words
    proc = subprocess.run(
        studycli_command(), env=environ, capture_output=True, text=True, timeout=60, check=True
    )
    return proc.stdout.splitlines()


def test_card_ids_decks_tags_levels_and_tasks_complete(isolated_home) -> None:
    assert complete("studycli cards show rag-chunk", isolated_home) == [
        "rag-chunking-strategies-table",
        "rag-chunk-size-tradeoff",
        "rag-chunking-heterogeneous",
    ]
    assert complete("studycli drill --deck ag", isolated_home) == ["agents"]
    assert complete("studycli drill --level s", isolated_home) == ["senior", "staff"]
    assert "hallucination" in complete("studycli drill --tag hall", isolated_home)
    assert complete("studycli roadmap done d01-", isolated_home) == [
        "d01-read-four-domains",
        "d01-drill-interview-craft-basics",
        "d01-write-role-pitch",
    ]
    assert complete("studycli init --deck r", isolated_home) == ["rag"]


def test_zsh_gets_descriptions(isolated_home) -> None:
    out = "\n".join(complete("studycli cards show rag-chunk-", isolated_home, shell="zsh"))
    assert '"rag-chunk-size-tradeoff":"rag · ' in out


def test_completion_reads_extra_content_named_on_the_line(isolated_home, tmp_path) -> None:
    folder = tmp_path / "mine"
    write(
        folder / "decks" / "own.yaml",
        "id: own\ntitle: Mine\ndescription: mine\ncards:\n"
        "  - id: own-first-card\n    level: mid\n    tags: [own]\n    source: me\n"
        "    question: What is mine?\n    answer: This.\n    key_points: [one, two, three]\n",
    )
    assert complete(f"studycli --content {folder} cards show own-", isolated_home) == [
        "own-first-card"
    ]
    # A broken deck never breaks the shell's Tab: no completions, no traceback.
    write(folder / "decks" / "broken.yaml", "deck: [\n")
    environ = dict(
        os.environ,
        STUDYCLI_HOME=str(isolated_home),
        _STUDYCLI_COMPLETE="complete_bash",
        COMP_WORDS=f"studycli --content {folder} cards show own-",
        COMP_CWORD="5",
    )
    proc = subprocess.run(studycli_command(), env=environ, capture_output=True, text=True)
    assert (proc.returncode, proc.stdout.strip(), proc.stderr) == (0, "", "")


def test_show_and_install_completion(isolated_home, tmp_path) -> None:
    # Typer finds the shell from the parent process, as it does for a person typing this.
    env = dict(os.environ, STUDYCLI_HOME=str(isolated_home), HOME=str(tmp_path))
    exe = " ".join(studycli_command())

    def in_bash(option: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "--norc", "-c", f"{exe} {option}; true"],
            env=env,
            capture_output=True,
            text=True,
        )

    shown = in_bash("--show-completion")
    assert "_STUDYCLI_COMPLETE=complete_bash" in shown.stdout, shown.stderr
    done = in_bash("--install-completion")
    assert "completion installed" in done.stdout, done.stderr
    assert ".bash_completions/studycli.sh" in (tmp_path / ".bashrc").read_text()


def test_version_names_the_content(cli) -> None:
    from studycli.content.loader import load_catalogue

    cat = load_catalogue()
    r = cli("--version")
    first, second = r.output.splitlines()
    assert first.startswith("studycli ")
    assert re.fullmatch(
        rf"content [0-9a-f]{{10}}: {len(cat.cards)} cards in {len(cat.decks)} decks, "
        rf"{len(cat.incidents)} incidents, a {len(cat.roadmap.days)}-day roadmap",
        second,
    ), second


def imported(args: list[str], home: Path) -> set[str]:
    code = (
        "import sys\n"
        f"sys.argv = ['studycli', *{args!r}]\n"
        "from studycli.entry import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('MODULES', ' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    env = dict(os.environ, STUDYCLI_HOME=str(home), STUDYCLI_NOW="2026-12-01T09:00")
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    line = next(x for x in proc.stderr.splitlines() if x.startswith("MODULES "))
    return set(line.split()[1:])


@pytest.mark.parametrize("args", [["--help"], ["today"], ["drill"]])
def test_help_and_today_import_no_question_or_date_library(isolated_home, args) -> None:
    imported(args, isolated_home)  # the first run creates the database (sqlite-utils, dateutil)
    modules = imported(args, isolated_home)
    assert "studycli.cli.complete" in modules  # completion is declared with the options...
    heavy = {"questionary", "dateutil", "litellm", "shellingham"} & {
        m.split(".")[0] for m in modules
    }
    assert heavy == set() or heavy == {"shellingham"}  # ...Typer's own shell detection aside
