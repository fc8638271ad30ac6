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
        current = store.submissions(current_only=True)
        teams = expected_teams(store.teams(listed_only=False), current, wanted)
        statuses = return_statuses(teams, current, wanted, day)
    return ReturnsRun(wanted, statuses)


def expected_teams(teams: list, submissions: list, period: Period) -> list:
    """The teams a period's returns were expected from: the listed ones, and a team taken
    off the list since (`teams remove`) for a period it returned, or a month due before it
    left, so looking back shows it as it was then (not "not on the list", nor gone). A
    renamed team is its new name, which carries its returns."""
    from workload_xl.core.tracker import due_date

    returned = {
        (s.service.casefold(), s.team.casefold()) for s in submissions if s.period == str(period)
    }
    due = due_date(period)
    kept = []
    for team in teams:
        if team.renamed_to:
            continue
        if team.removed_at:
            sent = (team.service.casefold(), team.name.casefold()) in returned
            left = dt.date.fromisoformat(team.removed_at[:10])
            if not sent and (due is None or due >= left):
                continue
        kept.append(team)
    return kept
