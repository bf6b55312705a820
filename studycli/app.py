"""What every command needs, opened lazily: home, config, content, store, scheduler, clock.

The CLI builds one `AppContext` from its global options; commands ask it for the
pieces they use, so `--help` opens nothing and `today` never imports what only
grading or rendering needs.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .config import DB_NAME, Config, data_home, load_config
from .content import Catalogue, load_catalogue
from .errors import UsageError
from .scheduler import Scheduler, study_day
from .session import Limits
from .store import Store


def parse_now(text: str | None) -> dt.datetime:
    """`STUDYCLI_NOW` (ISO datetime; naive means local time) or the real clock, always aware."""
    if not text:
        return dt.datetime.now().astimezone()
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"STUDYCLI_NOW: expected an ISO date-time such as 2026-11-22T09:00, got {text!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment


@dataclass
class AppContext:
    home_option: Path | None = None
    content_dirs: list[Path] = field(default_factory=list)

    @cached_property
    def home(self) -> Path:
        return data_home(self.home_option)

    @cached_property
    def config(self) -> Config:
        return load_config(self.home)

    @cached_property
    def catalogue(self) -> Catalogue:
        return load_catalogue(self.content_dirs, cache_dir=self.home / "cache")

    @cached_property
    def store(self) -> Store:
        return Store(self.home / DB_NAME, before_write=self._daily_backup)

    def _daily_backup(self, store: Store) -> None:
        from .backup import daily_backup  # once per process, before its first write

        daily_backup(store, self.now())

    @cached_property
    def scheduler(self) -> Scheduler:
        params = self.store.get_setting("fsrs_parameters")
        return Scheduler(params, desired_retention=float(self.config["desired_retention"]))

    @property
    def rollover_hour(self) -> int:
        return int(self.config["rollover_hour"])

    @property
    def limits(self) -> Limits:
        return Limits(int(self.config["new_per_day"]), int(self.config["reviews_per_day"]))

    def now(self) -> dt.datetime:
        return parse_now(os.environ.get("STUDYCLI_NOW"))

    def today(self) -> int:
        return study_day(self.now(), self.rollover_hour)

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()
