"""Reading YAML with line numbers: libyaml's `CSafeLoader` when present, sizes, depth and
aliases refused, and `_Problems`, which collects every problem as `file:line: what`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 4 * 1024 * 1024

MAX_DEPTH = 12


class _Problems:
    """Collects problems for one file; resolves data paths to line numbers via the node tree."""

    def __init__(self, display: str, node: Any = None, text: str = "") -> None:
        self.display = display
        self.node = node
        self.text = text
        self.items: list[str] = []

    def line(self, path: tuple[Any, ...]) -> int | None:
        """The line of the value at `path` (see `_line_of`); None before the file is parsed."""
        return _line_of(self.node, path) if self.node is not None else None

    def where(self, path: tuple[Any, ...]) -> str:
        """`file:line` of the value at `path`, or the file alone when no line is known."""
        line = self.line(path)
        return f"{self.display}:{line}" if line else self.display

    def add(self, path: tuple[Any, ...], message: str) -> None:
        self.items.append(f"{self.where(path)}: {message}")


def _line_of(node: Any, path: tuple[Any, ...]) -> int | None:
    """1-based line of the value at `path` (keys and indexes); the nearest parent if missing."""
    import yaml

    line = node.start_mark.line + 1
    for step in path:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            for key, value in node.value:
                if getattr(key, "value", None) == step:
                    line = key.start_mark.line + 1
                    node = value
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if step >= len(node.value):
                return line
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _check_nodes(node: Any, problems: _Problems) -> bool:
    """Reject anchors/aliases (YAML bombs), excessive nesting and duplicate keys."""
    import yaml

    seen: set[int] = set()
    stack = [(node, 0)]
    ok = True
    while stack:
        current, depth = stack.pop()
        if id(current) in seen:
            problems.items.append(
                f"{problems.display}:{_first_alias_line(problems.text) or current.start_mark.line + 1}: "
                "YAML anchors and aliases are not allowed in content"
            )
            return False
        seen.add(id(current))
        if depth > MAX_DEPTH:
            problems.items.append(
                f"{problems.display}:{current.start_mark.line + 1}: nesting deeper than {MAX_DEPTH} levels"
            )
            return False
        if isinstance(current, yaml.MappingNode):
            keys: dict[str, int] = {}
            for key, value in current.value:
                name = getattr(key, "value", None)
                if isinstance(name, str) and name in keys:
                    problems.items.append(
                        f"{problems.display}:{key.start_mark.line + 1}: duplicate key '{name}' "
                        f"(first on line {keys[name]})"
                    )
                    ok = False
                elif isinstance(name, str):
                    keys[name] = key.start_mark.line + 1
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in current.value)
    return ok


def _first_alias_line(text: str) -> int | None:
    import yaml

    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        for event in yaml.parse(text, Loader=loader_cls):
            if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
                return int(event.start_mark.line) + 1
    except yaml.YAMLError:
        return None
    return None


def parse_yaml(path: Path, display: str) -> tuple[Any, Any, list[str]]:
    """(data, node tree, problems) for one file. Never raises for bad content."""
    import yaml

    problems = _Problems(display)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, None, [f"{display}: cannot read file: {exc.strerror or exc}"]
    if len(raw) > MAX_FILE_BYTES:
        return None, None, [f"{display}: file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB"]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, None, [f"{display}:{line}: not valid UTF-8 (byte {exc.start})"]
    text = text.removeprefix("\ufeff")
    # libyaml's composer recurses per nesting level: refuse absurd flow nesting before parsing.
    if _flow_depth(text) > MAX_DEPTH * 4:
        return None, None, [f"{display}: nesting deeper than {MAX_DEPTH} levels"]
    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_cls(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None, [f"{display}: file is empty"]
        problems.node = node
        problems.text = text
        if not _check_nodes(node, problems):
            return None, node, problems.items
        data = loader.construct_document(node)
        if data is None:  # `~` or `null` alone: not silently skipped
            return (
                None,
                node,
                [f"{display}:{node.start_mark.line + 1}: file holds no content (a null document)"],
            )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{display}:{mark.line + 1}" if mark else display
        what = exc.problem or "invalid YAML"
        return None, None, [f"{where}: YAML syntax error: {what}"]
    except yaml.reader.ReaderError as exc:  # e.g. a control character: name its line
        at = exc.position if isinstance(exc.position, int) else None
        where = f"{display}:{text[:at].count(chr(10)) + 1}" if at is not None else display
        return None, None, [f"{where}: YAML error: {str(exc).splitlines()[0]}"]
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        return (
            None,
            None,
            [
                f"{display}: YAML error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
            ],
        )
    finally:
        loader.dispose()
    return data, node, problems.items


_BRACKETS = re.compile(r"[\[\]{}]")


def _flow_depth(text: str) -> int:
    depth = best = 0
    for ch in _BRACKETS.findall(text):
        if ch in "[{":
            depth += 1
            best = max(best, depth)
        elif ch in "]}":
            depth = max(0, depth - 1)
    return best
