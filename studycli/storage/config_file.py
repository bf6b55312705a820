"""config.yaml as a file: read within bounds, written back with the user's own lines kept.

Reading refuses what no settings file needs and a hostile one uses: more than
MAX_CONFIG_BYTES, YAML anchors and aliases (a few hundred bytes of aliases expand to
gigabytes), a folder in the file's place. Dates stay the text they are, so an impossible
one (2026-02-30) is reported against its setting like any other bad value, and a bad value
is quoted in a few dozen characters, never in full.

Writing edits the lines of the settings that changed and leaves every other line (comments,
blank lines, order) as it was; only a file in a shape this cannot edit (flow style, odd
indentation) is written afresh. The file is replaced whole (temporary file, then a rename),
through a link if it is one, and `save` returns what it replaced so a caller whose
transaction then fails can put it back (`restore`).
"""

from __future__ import annotations

import os
import re
import stat
from contextlib import suppress
from pathlib import Path
from typing import Any

from studycli.errors import StoreError, UsageError
from studycli.storage.faults import os_problem

MAX_CONFIG_BYTES = 64 * 1024

HEADER = "# studycli settings; edit with 'studycli config set KEY VALUE'\n"

_TOP = re.compile(r"^(?P<key>[A-Za-z_][\w.-]*)[ \t]*:(?P<rest>.*)$")
_SUB = re.compile(r"^(?P<indent>[ \t]+)(?P<key>[A-Za-z_][\w.-]*)[ \t]*:(?P<rest>.*)$")
_COMMENT = re.compile(r"(?P<value>.*?)(?P<comment>[ \t]+#.*)?$")


def shown(value: Any, width: int = 60) -> str:
    """A value quoted for an error line, cut to `width` characters."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def read_text(path: Path) -> str | None:
    """The file's text (None when there is none), within the bounds of the module doc."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read config file: {os_problem(exc, path)}") from None
    if stat.S_ISDIR(st.st_mode):
        raise UsageError(f"{path}: is a folder, not a settings file; move it away")
    if st.st_size > MAX_CONFIG_BYTES:
        raise UsageError(
            f"{path}: {st.st_size} bytes is too large for a settings file "
            f"(at most {MAX_CONFIG_BYTES // 1024} KB); fix or delete it"
        )
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read config file: {os_problem(exc, path)}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise UsageError(f"{path}: too large for a settings file; fix or delete it")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path}: config file is not UTF-8 text; fix or delete it") from None


def _loader() -> Any:
    import yaml

    class Loader(yaml.SafeLoader):
        """Safe YAML without timestamps: a date stays text, for its setting to judge."""

    Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return Loader


# The lines `studycli config set` writes: `key: value` at the top level, the value a quoted
# string, a whole or decimal number, true/false or a plain word. A file of only these (and
# comments and blank lines) reads without the YAML library, whose import costs a start
# about 15 ms; anything else goes to it. tests/test_config_file.py checks that both read
# such files alike.
_FLAT = re.compile(
    r"(?P<key>[A-Za-z_][\w.-]*):(?:[ ]+(?P<value>'[^'\n]*'|\"[^\"\\\n]*\"|[^ '\"#\n][^#\n]*?))?"
    r"(?:[ ]+#[^\n]*)?[ ]*"
)
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_./-]*")
_YAML_WORDS = {"yes", "no", "on", "off", "y", "n", "null", "true", "false"}


def _flat_value(text: str | None) -> tuple[bool, Any]:
    """(True, value) for a value of the simple shape above, else (False, None)."""
    if text is None:
        return True, None
    if text[0] in "'\"":
        return True, text[1:-1]
    if text in ("true", "false"):
        return True, text == "true"
    if _INT.fullmatch(text):
        return True, int(text)
    if _DECIMAL.fullmatch(text):
        return True, float(text)
    if _WORD.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return True, text
    return False, None


def parse_flat(text: str) -> dict[str, Any] | None:
    """The document when it holds only the simple lines above; None when YAML must read it."""
    doc: dict[str, Any] = {}
    for line in text.split("\n"):
        if not line.strip(" ") or line.startswith("#"):
            continue
        m = _FLAT.fullmatch(line)
        if m is None:
            return None
        ok, value = _flat_value(m["value"])
        if not ok or m["key"].lower() in _YAML_WORDS:  # YAML reads `on:` as the key True
            return None
        doc[m["key"]] = value
    return doc or None


def parse(text: str, path: Path) -> Any:
    """The YAML document, refusing anchors and aliases before anything is built."""
    flat = parse_flat(text)
    if flat is not None:
        return flat
    import yaml

    loader = _loader()
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                mark = event.start_mark
                line = mark.line + 1 if mark is not None else 1
                raise UsageError(
                    f"{path}:{line}: YAML anchors and aliases (& and *) are not allowed in a "
                    "settings file; fix or delete it"
                )
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        at = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f"{path}:{at + 1}" if at is not None else str(path)
        raise UsageError(f"{where}: config file is not valid YAML; fix or delete it") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise UsageError(f"{path}: config file cannot be read ({shown(str(exc))})") from None


def flatten(raw: Any, path: Path) -> list[tuple[str, Any]]:
    """(dotted key, value) pairs of the document, one level of nesting ('grader: model: ...')."""
    if raw is None:
        return []
    if not isinstance(raw, dict):
        raise UsageError(f"{path}: config file must be a mapping of settings")
    flat: list[tuple[str, Any]] = []
    for key, value in raw.items():
        if isinstance(value, dict):
            flat.extend((f"{key}.{sub}", v) for sub, v in value.items())
        else:
            flat.append((str(key), value))
    return flat


def write(path: Path, text: str) -> None:
    """Replace the file whole (through a link), or say in one line why it cannot be."""
    target = path.resolve() if path.is_symlink() else path
    tmp = target.with_name(target.name + ".tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir():
            raise IsADirectoryError(21, "Is a directory")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise StoreError(f"cannot write {path}: {os_problem(exc, target)}") from None


def restore(path: Path, previous: str | None) -> None:
    """Put back what `write` replaced (None: there was no file)."""
    with suppress(OSError, StoreError):
        if previous is None:
            path.unlink(missing_ok=True)
        else:
            write(path, previous)


def _scalar(value: Any) -> str:
    import yaml

    text: str = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**6)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def edited(text: str, changes: dict[str, Any]) -> str | None:
    """`text` with each dotted key set to its value (None: removed), other lines untouched;
    None when the file has a shape this cannot edit line by line."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    for key, value in changes.items():
        head, _, sub = key.partition(".")
        if not _edit(lines, head, sub or None, None if value is None else _scalar(value)):
            return None
    return "".join(lines)


def _block(lines: list[str], head: str) -> tuple[int, int] | None:
    """(index of `head:`, index after its indented block); None if absent."""
    for i, line in enumerate(lines):
        m = _TOP.match(line)
        if m and m["key"] == head:
            end = i + 1
            while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t"):
                end += 1
            while end > i + 1 and not lines[end - 1].strip():
                end -= 1  # blank lines after the block belong to what follows
            return i, end
    return None


def _with_value(line: str, rest: str, value: str) -> str:
    m = _COMMENT.match(rest.rstrip("\n"))
    comment = (m["comment"] or "") if m else ""
    return line[: len(line) - len(rest)] + " " + value + comment + "\n"


def _edit(lines: list[str], head: str, sub: str | None, value: str | None) -> bool:
    found = _block(lines, head)
    if sub is None:
        if found is None:
            if value is not None:
                lines.append(f"{head}: {value}\n")
            return True
        i, end = found
        if end > i + 1:
            return False  # a block where a plain value was expected
        m = _TOP.match(lines[i].rstrip("\n"))
        assert m is not None
        if value is None:
            del lines[i]
        else:
            lines[i] = _with_value(lines[i].rstrip("\n"), m["rest"], value)
        return True
    if found is None:
        if value is not None:
            lines.append(f"{head}:\n  {sub}: {value}\n")
        return True
    i, end = found
    m = _TOP.match(lines[i].rstrip("\n"))
    assert m is not None
    if _COMMENT.match(m["rest"])["value"].strip():  # type: ignore[index]
        return False  # flow style: `grader: {model: x}`
    indent = "  "
    for j in range(i + 1, end):
        s = _SUB.match(lines[j].rstrip("\n"))
        if s is None:
            continue
        indent = s["indent"]
        if s["key"] == sub:
            if value is None:
                del lines[j]
                if not any(_SUB.match(x) for x in lines[i + 1 : end - 1]):
                    del lines[i : end - 1]  # the block is empty now
            else:
                lines[j] = _with_value(lines[j].rstrip("\n"), s["rest"], value)
            return True
    if value is not None:
        lines.insert(end, f"{indent}{sub}: {value}\n")
    return True
