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
            raise UsageError(f"config {key}: {exc} (got {raw!r})") from None
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
    if not path.exists():
        return Config(path=path)
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f"{path}:{line + 1}" if line is not None else str(path)
        raise UsageError(f"{where}: config file is not valid YAML; fix or delete it") from None
    if not isinstance(raw, dict):
        raise UsageError(f"{path}: config file must be a mapping of settings")
    values: dict[str, Any] = {}
    flat: list[tuple[str, Any]] = []
    for key, value in raw.items():
        if isinstance(value, dict):
            flat.extend((f"{key}.{sub}", v) for sub, v in value.items())
        else:
            flat.append((str(key), value))
    for key, value in flat:
        if key not in SETTINGS:
            raise UsageError(f"{path}: unknown setting '{key}'")
        if value is None:
            continue
        try:
            values[key] = SETTINGS[key].parse(value)
        except ValueError as exc:
            raise UsageError(f"{path}: {key}: {exc} (got {value!r})") from None
    return Config(values, path)


def save_config(config: Config) -> None:
    """Write config.yaml atomically (temp file + rename), so a crash never leaves half a file."""
    import yaml

    if config.path is None:
        raise StudyError("config has no path")
    config.path.parent.mkdir(parents=True, exist_ok=True)
    tmp = config.path.with_name(config.path.name + ".tmp")
    text = "# studycli settings; edit with 'studycli config set KEY VALUE'\n"
    text += yaml.safe_dump(config.as_nested(), sort_keys=True, allow_unicode=True)
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, config.path)
