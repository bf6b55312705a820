"""Write every command's real --help into README.md between the help markers.

python docs/readme_help.py          # rewrite README.md
python docs/readme_help.py --check  # exit 1 if README.md is out of date
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- help:start -->", "<!-- help:end -->"


def command_paths() -> list[list[str]]:
    import typer.main

    from studycli.cli.main import load_commands

    app = load_commands(None)

    group = typer.main.get_command(app)
    paths: list[list[str]] = [[]]
    for name, cmd in sorted(group.commands.items()):
        paths.append([name])
        for sub in sorted(getattr(cmd, "commands", {}) or {}):
            paths.append([name, sub])
    return paths


def render() -> str:
    from typer.testing import CliRunner

    from studycli.cli.main import load_commands

    app = load_commands(None)

    runner = CliRunner()
    parts = []
    for path in command_paths():
        result = runner.invoke(
            app, [*path, "--help"], env={"COLUMNS": "88", "TERM": "dumb"}, prog_name="studycli"
        )
        text = result.output.rstrip()
        title = " ".join(["studycli", *path])
        parts.append(f"### `{title}`\n\n```\n{text}\n```\n")
    return "\n".join(parts)


def updated(readme: str) -> str:
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{render()}\n{END}{tail}"


def main() -> int:
    os.environ["COLUMNS"] = "88"
    text = README.read_text(encoding="utf-8")
    if START not in text:
        text += f"\n## Every command\n\n{START}\n{END}\n"
    new = updated(text)
    if "--check" in sys.argv:
        return 0 if new == text else 1
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
