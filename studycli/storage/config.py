"""Where studycli keeps its data, and the user's settings in config.yaml.

The data home is `$STUDYCLI_HOME`, else the platform's user data directory; it
is computed when asked for, never at import. Settings have one table of keys
(`SETTINGS`) that parses, validates and documents each of them.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from studycli.errors import StudyError, UsageError
from studycli.vocab import LEVELS

DB_NAME = "studycli.db"

CONFIG_NAME = "config.yaml"


def data_home(override: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding studycli.db and config.yaml."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get("STUDYCLI_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs  # only when no override is given

    return Path(platformdirs.user_data_dir("studycli", appauthor=False))


def _int_range(lo: int, hi: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(str(text).strip())
        except ValueError:
            raise ValueError(f"expected a whole number from {lo} to {hi}") from None
        if not lo <= value <= hi:
            raise ValueError(f"expected a whole number from {lo} to {hi}")
        return value

    return parse


def _float_range(lo: float, hi: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(str(text).strip())
        except ValueError:
            raise ValueError(f"expected a number from {lo} to {hi}") from None
        if not lo <= value <= hi:
            raise ValueError(f"expected a number from {lo} to {hi}")
        return value

    return parse


def parse_date(text: str) -> str:
    """An ISO date (YYYY-MM-DD), returned normalised; empty clears it."""
    text = str(text).strip()
    if not text:
        return ""
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError("expected a date as YYYY-MM-DD") from None


LEECH_ACTIONS = ("suspend", "tag")
SCHEDULES = ("interview", "longterm")  # while a plan runs: study/interview.py or plain FSRS


def _choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = str(text).strip()
        if value not in options:
            raise ValueError(f"expected one of {', '.join(options)}")
        return value

    return parse


def _text(text: str) -> str:
    return str(text).strip()


def _switch(text: Any) -> bool:
    if isinstance(text, bool):
        return text
    value = str(text).strip().lower()
    if value in ("on", "true", "yes", "1"):
        return True
    if value in ("off", "false", "no", "0"):
        return False
    raise ValueError("expected on or off")


def _model_list(text: Any) -> list[str]:
    if isinstance(text, list):
        items = [str(t).strip() for t in text]
    else:
        items = [t.strip() for t in str(text).split(",")]
    return [t for t in items if t]


def _levels(text: Any) -> list[str]:
    levels = _model_list(text)
    for level in levels:
        if level not in LEVELS:
            raise ValueError(f"levels are {', '.join(LEVELS)} (got '{level}')")
    return [lv for lv in LEVELS if lv in levels]


def _ids(text: Any) -> list[str]:
    return list(dict.fromkeys(_model_list(text)))


class Setting(NamedTuple):
    key: str
    parse: Callable[[Any], Any]
    default: Any
    help: str


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in [
        Setting("new_per_day", _int_range(0, 9999), 15, "New cards introduced per study day."),
        Setting("reviews_per_day", _int_range(0, 99999), 200, "Most reviews shown per study day."),
        Setting(
            "desired_retention",
            _float_range(0.7, 0.99),
            0.9,
            "Probability of recall FSRS schedules for (0.70-0.99).",
        ),
        Setting(
            "rollover_hour", _int_range(0, 23), 4, "Local hour at which a new study day starts."
        ),
        Setting(
            "interview_date",
            parse_date,
            "",
            "Your interview date: 2026-12-22, 'Dec 22', 'in 3 weeks', '+21d'; saved as YYYY-MM-DD.",
        ),
        Setting(
            "leech_lapses",
            _int_range(1, 999),
            8,
            "Lapses (forgotten after being learnt) that make a card a leech.",
        ),
        Setting(
            "leech_action",
            _choice(LEECH_ACTIONS),
            "suspend",
            "What a leech gets: suspend or tag (only).",
        ),
        Setting(
            "schedule",
            _choice(SCHEDULES),
            "interview",
            "While a plan runs: 'interview' plans reviews so recall peaks on the interview day; "
            "'longterm' keeps plain FSRS.",
        ),
        Setting(
            "target_recall",
            _float_range(0.7, 0.99),
            0.9,
            "Recall on the interview day the plan brings every card to (0.70-0.99).",
        ),
        Setting(
            "minutes_per_day",
            _int_range(0, 1440),
            0,
            "Daily study time 'studycli init' planned new_per_day for (0: none). While a plan "
            "runs, its pace never exceeds new_per_day when this is set.",
        ),
        Setting(
            "focus.decks", _ids, [], "Decks new cards come from, comma-separated (empty: all)."
        ),
        Setting(
            "focus.levels", _levels, [], "Levels new cards come from: junior,mid,senior,staff."
        ),
        Setting("grader.model", _text, "", "LiteLLM model string that grades answers."),
        Setting("grader.fallbacks", _model_list, [], "Comma-separated models tried in order."),
        Setting("grader.api_base", _text, "", "API base URL, e.g. for a local server."),
        Setting("grader.timeout", _float_range(1, 600), 30.0, "Seconds allowed per attempt."),
        Setting("grader.retries", _int_range(0, 10), 3, "Retries per model on rate limits/5xx."),
        Setting(
            "grader.verify",
            _switch,
            True,
            "Second look: confirm each met point in a separate call (on/off).",
        ),
    ]
}


class Config:
    """Settings from config.yaml over the defaults."""

    def __init__(self, values: dict[str, Any] | None = None, path: Path | None = None) -> None:
        self.values: dict[str, Any] = dict(values or {})
        self.path = path

    def get(self, key: str) -> Any:
        if key not in SETTINGS:
            raise UsageError(f"unknown setting '{key}' (see 'studycli config show')")
        return self.values.get(key, SETTINGS[key].default)

    def __getitem__(self, key: str) -> Any:
        return self.get(key)

    def items(self) -> list[tuple[str, Any, bool]]:
        """(key, value, is_default) for every known setting."""
        return [(k, self.get(k), k not in self.values) for k in SETTINGS]

    def set(self, key: str, raw: Any) -> Any:
        if key not in SETTINGS:
            known = ", ".join(SETTINGS)
            raise UsageError(f"unknown setting '{key}'; known settings: {known}")
        try:
            value = SETTINGS[key].parse(raw)
        except ValueError as exc:
            from studycli.storage.config_file import shown

            raise UsageError(f"config {key}: {exc} (got {shown(raw)})") from None
        self.values[key] = value
        return value

    def unset(self, key: str) -> None:
        if key not in SETTINGS:
            raise UsageError(f"unknown setting '{key}'")
        self.values.pop(key, None)

    def as_nested(self) -> dict[str, Any]:
        nested: dict[str, Any] = {}
        for key, value in self.values.items():
            head, _, tail = key.partition(".")
            if tail:
                nested.setdefault(head, {})[tail] = value
            else:
                nested[key] = value
        return nested


def load_config(home: Path) -> Config:
    """Read config.yaml; an absent file means all defaults (and no YAML import)."""
    path = home / CONFIG_NAME
    if not os.path.lexists(path):
        return Config(path=path)
    from studycli.storage import config_file

    text = config_file.read_text(path)
    if text is None:
        return Config(path=path)
    return Config(_values(text, path), path)


def _values(text: str, path: Path) -> dict[str, Any]:
    """The settings a config file's text holds, each parsed; UsageError for a bad one."""
    from studycli.storage.config_file import flatten, parse, shown

    values: dict[str, Any] = {}
    for key, value in flatten(parse(text, path), path):
        if key not in SETTINGS:
            raise UsageError(f"{path}: unknown setting '{shown(key, 40)[1:-1]}'")
        if value is None:
            continue
        try:
            values[key] = SETTINGS[key].parse(value)
        except ValueError as exc:
            raise UsageError(f"{path}: {key}: {exc} (got {shown(value)})") from None
    return values


def save_config(config: Config) -> str | None:
    """Write config.yaml, keeping the lines of settings that did not change (comments too).

    Returns the text it replaced (None if there was no file), for `restore_config`.
    """
    from studycli.storage import config_file

    if config.path is None:
        raise StudyError("config has no path")
    previous = config_file.read_text(config.path)
    text = None
    if previous is not None:
        try:
            old = _values(previous, config.path)
        except UsageError:
            old = None  # a file that does not read: written afresh
        if old is not None:
            changes = {
                k: config.values.get(k) for k in SETTINGS if old.get(k) != config.values.get(k)
            }
            text = config_file.edited(previous, changes)
            if text is not None and not _reads_as(text, config):
                text = None
    if text is None:
        import yaml

        text = config_file.HEADER + yaml.safe_dump(
            config.as_nested(), sort_keys=True, allow_unicode=True
        )
    config_file.write(config.path, text)
    return previous


def _reads_as(text: str, config: Config) -> bool:
    """Whether an edited file reads back as exactly the settings meant."""
    assert config.path is not None
    try:
        got = _values(text, config.path)
    except UsageError:
        return False
    return got == config.values


def restore_config(config: Config, previous: str | None) -> None:
    """Put config.yaml back as it was before `save_config` (after a failed transaction)."""
    from studycli.storage import config_file

    if config.path is not None:
        config_file.restore(config.path, previous)
