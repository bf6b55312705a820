"""config.yaml read without the YAML library when it holds only the lines `config set`
writes: the fast reader must read every such file as YAML does, and leave every other
file to YAML."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from studycli.storage.config_file import _loader, parse, parse_flat

KEYS = st.sampled_from(
    ["interview_date", "schedule", "target_recall", "grader.model", "on", "Yes", "null", "a_b-c"]
)
SCALARS = st.one_of(
    st.sampled_from(
        ["'2026-12-22'", "2026-12-22", "longterm", "0.9", "010", "12", "-3", "1e3", ".5",
         "true", "false", "True", "yes", "No", "on", "~", "null", "NULL", "'it''s'",
         '"a\\tb"', '"plain"', "openai/gpt-4o-mini", "http://localhost:8000/v1", "x:y",
         "a b", "[a, b]", "- a", "&anchor x", "*alias", "'#not a comment'", "abc#def", ""]
    ),
    st.text(alphabet="abc019.-_/: '\"#", max_size=8),
)  # fmt: skip
LINES = st.one_of(
    st.tuples(KEYS, SCALARS, st.sampled_from(["", "  # note", " #", "   "])).map(
        lambda t: f"{t[0]}: {t[1]}{t[2]}".rstrip(" ") if t[1] else f"{t[0]}:{t[2]}"
    ),
    st.sampled_from(["# a comment", "", "   ", "  nested: 1", "key:value", "key :x", "---"]),
)


def _yaml(text: str):
    return yaml.load(text, Loader=_loader())


@settings(max_examples=600, deadline=None)
@given(st.lists(LINES, max_size=6))
@example(["a: 010"])  # octal in YAML 1.1
@example(["a: yes", "b: 1"])  # a boolean in YAML 1.1
@example(["on: 1"])  # the key True
@example(["a: 1_000"])
@example(["a: 'x'  # note", 'b: "y"', "c:"])
def test_the_fast_reader_reads_what_yaml_reads(lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    flat = parse_flat(text)
    if flat is None:
        return  # left to YAML
    assert flat == _yaml(text)
    assert all(type(v) is type(w) for v, w in zip(flat.values(), _yaml(text).values(), strict=True))


def test_what_config_set_writes_is_read_without_yaml(tmp_path: Path) -> None:
    text = (
        "# studycli settings; edit with 'studycli config set KEY VALUE'\n"
        "interview_date: '2026-12-22'\nschedule: longterm\ntarget_recall: 0.92\n"
        "reviews_per_day: 75\ngrader.model: openai/gpt-4o-mini\n"
    )
    assert parse_flat(text) == {
        "interview_date": "2026-12-22", "schedule": "longterm", "target_recall": 0.92,
        "reviews_per_day": 75, "grader.model": "openai/gpt-4o-mini",
    }  # fmt: skip
    assert parse(text, tmp_path / "config.yaml") == _yaml(text)


def test_other_shapes_are_left_to_yaml(tmp_path: Path) -> None:
    for text in ("focus:\n  decks: [rag]\n", "on: 1\n", "a: yes\n", "a: 2026-12-22\n", "a: &x 1\n"):
        assert parse_flat(text) is None, text
    nested = "grader:\n  model: openai/gpt-4o-mini\n"
    assert parse(nested, tmp_path / "config.yaml") == {"grader": {"model": "openai/gpt-4o-mini"}}
