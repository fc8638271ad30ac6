"""returns: which teams have returned for a period, which are late, which are missing
(service layer)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from workload_xl.core.period import Period, PeriodError, parse_period, period_kind
from workload_xl.core.tracker import ReturnStatus, return_statuses
from workload_xl.services.options import OptionError
from workload_xl.services.store import open_store


@dataclass(frozen=True)
class ReturnsRun:
    """Each listed (or returning) team's status for one period, as of a day."""

    period: Period
    statuses: list[ReturnStatus]

    @property
    def due(self) -> dt.date | None:
        return self.statuses[0].due if self.statuses else None

    @property
    def counts(self) -> list[tuple[str, int]]:
        """(status, teams) in the order of the statuses' names."""
        return sorted(Counter(s.status for s in self.statuses).items())


def returns_for(
    store_path: Path, period: str | Period, today: str | dt.date | None = None
) -> ReturnsRun:
    """The statuses for `period` (text such as 2026-10 or 2026-P07, or a Period) as of
    `today` (YYYY-MM-DD, a date, or None for today). Raises OptionError for a period or
    date that cannot be read."""
    try:
        wanted = period if isinstance(period, Period) else parse_period(period, period_kind(period))
        if isinstance(today, str):
            today = dt.date.fromisoformat(today)
        day = today or dt.date.today()
    except (PeriodError, ValueError) as problem:
        raise OptionError(str(problem)) from None
    with open_store(store_path) as store:
        statuses = return_statuses(store.teams(), store.submissions(current_only=True), wanted, day)
    return ReturnsRun(wanted, statuses)
