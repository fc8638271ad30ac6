"""Which teams have returned for a period, which are late and which are missing (core layer).

Managers send the team sheet in the first week of the following month, so a monthly return is
due by the 7th. A 4-week period's end date depends on a service's own calendar, which the store
does not know: for those the tracker says only whether a return has arrived.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from workload_xl.core.period import MONTH, Period

DUE_DAY = 7


@dataclass(frozen=True)
class ReturnStatus:
    service: str
    team: str
    status: str  # on time, late, missing, not yet due, returned, not returned, not on the list
    file_name: str = ""
    received: str = ""
    due: dt.date | None = None


def due_date(period: Period) -> dt.date | None:
    """The last day of the first week of the month after a monthly period."""
    if period.kind != MONTH:
        return None
    after = period.next()
    return dt.date(after.year, after.number, DUE_DAY)


def return_statuses(
    teams: Iterable, submissions: Iterable, period: Period, today: dt.date
) -> list[ReturnStatus]:
    """One status per listed team, plus any team that returned without being on the list.

    `teams` have .service and .name; `submissions` have .service, .team, .period,
    .period_kind, .file_name, .ingested_at and .superseded_by (only current returns count).
    A listed team whose returns are of the other kind of period is left out.
    """
    due = due_date(period)
    submissions = list(submissions)
    current = {
        (s.service.casefold(), s.team.casefold()): s
        for s in submissions
        if s.period == str(period) and s.superseded_by is None
    }
    kinds = {(s.service.casefold(), s.team.casefold()): s.period_kind for s in submissions}
    statuses = []
    listed = set()
    for team in teams:
        key = (team.service.casefold(), team.name.casefold())
        listed.add(key)
        if kinds.get(key, period.kind) != period.kind:
            continue  # a team that returns 4-week periods has no monthly return, and back
        got = current.get(key)
        if got is None:
            status = _status(due, None, today)
            statuses.append(ReturnStatus(team.service, team.name, status, due=due))
            continue
        received = dt.date.fromisoformat(got.ingested_at[:10])
        statuses.append(
            ReturnStatus(
                team.service,
                team.name,
                _status(due, received, today),
                got.file_name,
                got.ingested_at,
                due,
            )
        )
    for key, got in sorted(current.items()):
        if key not in listed:
            statuses.append(
                ReturnStatus(
                    got.service, got.team, "not on the list", got.file_name, got.ingested_at, due
                )
            )
    return sorted(statuses, key=lambda s: (s.service.casefold(), s.team.casefold()))


def _status(due: dt.date | None, received: dt.date | None, today: dt.date) -> str:
    if received is None:
        if due is None:
            return "not returned"
        return "missing" if today > due else "not yet due"
    if due is None:
        return "returned"
    return "on time" if received <= due else "late"
