"""Which teams have returned for a period, which are late and which are missing (core layer).

Managers send the team sheet in the first week of the following month, so a monthly return is
due by the 7th. A 4-week period's end date depends on a service's own calendar, which the store
does not know: for those the tracker says only whether a return has arrived.

A return counts as received the day the team sent it, not the day it was consolidated, so a
year of returns loaded at once is judged by each return's own day (received_day chooses it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from workload_xl.core.period import MONTH, Period

DUE_DAY = 7

GIVEN, SIGNED, FILE_TIME, CONSOLIDATED = "given", "signed", "file", "consolidated"
RECEIVED_FROM = {
    GIVEN: "--received",
    SIGNED: "date signed",
    FILE_TIME: "file time",
    CONSOLIDATED: "consolidated",
}
"""Where a return's received day came from, as the store keeps it (`received_from`) and as the
tracker shows it, in order of precedence: the day given to `consolidate --received`; the Team
sheet's Date signed (TeamDateSigned); the file's modification time; and, for a return stored
before the store kept the day (or stored with none), the day it was consolidated."""


@dataclass(frozen=True)
class ReturnStatus:
    service: str
    team: str
    status: str  # on time, late, missing, not yet due, returned, not returned, not on the list
    file_name: str = ""
    received: str = ""  # YYYY-MM-DD, the day the team's first return for the period was sent
    due: dt.date | None = None
    received_from: str = ""  # how the day is known: a value of RECEIVED_FROM


def due_date(period: Period) -> dt.date | None:
    """The last day of the first week of the month after a monthly period."""
    if period.kind != MONTH:
        return None
    after = period.next()
    return dt.date(after.year, after.number, DUE_DAY)


def received_day(
    *,
    given: dt.date | None,
    signed: dt.date | None,
    file_time: dt.date | None,
    consolidated: dt.date,
    period: Period,
) -> tuple[dt.date, str, str]:
    """(the day a return was sent, where that day came from, why its date signed was not
    used or ""). `given` (consolidate --received) wins; then the Team sheet's date signed,
    unless it is after the day of consolidation or, for a month, before the month began (a
    slip); then the file's modification time (no later than the day of consolidation); then
    the day of consolidation."""
    if given is not None:
        return given, GIVEN, ""
    why = ""
    if signed is not None:
        first = dt.date(period.year, period.number, 1) if period.kind == MONTH else None
        if signed > consolidated:
            why = f"is {signed}, after the day the return was consolidated ({consolidated})"
        elif first is not None and signed < first:
            why = f"is {signed}, before the period {period} began"
        else:
            return signed, SIGNED, ""
    if file_time is not None:
        return min(file_time, consolidated), FILE_TIME, why
    return consolidated, CONSOLIDATED, why


def _day(submission) -> tuple[dt.date | None, str]:
    """The day a stored return was received and how that is known; a store from before the
    store kept it gives the day it was consolidated. (None, "") for text no date reads from
    (a store edited by hand)."""
    for text, source in (
        (getattr(submission, "received_on", None), getattr(submission, "received_from", None)),
        (submission.ingested_at, CONSOLIDATED),
    ):
        try:
            return dt.date.fromisoformat(str(text)[:10]), source or CONSOLIDATED
        except ValueError:
            continue
    return None, ""


def _key(service: str, team: str) -> tuple[str, str]:
    return service.casefold(), team.casefold()


def team_kinds(
    teams: Iterable, submissions: Iterable, kinds: Mapping[str, str] | None = None
) -> dict[tuple[str, str], str]:
    """The kind of period each listed team returns: that of its latest stored return, or,
    for a team with none yet, that of its service's scheme (`kinds`, by service, folded)."""
    kinds = kinds or {}
    found = {_key(t.service, t.name): kinds.get(t.service.casefold(), "") for t in teams}
    for s in submissions:
        found[_key(s.service, s.team)] = s.period_kind
    return {key: kind for key, kind in found.items() if kind}


def scheme_asked(teams: Iterable, submissions: Iterable) -> set[str]:
    """The services (folded) whose scheme's kind of period team_kinds reads: those of the
    listed teams with no stored return (any other team's kind is that of its returns)."""
    returned = {_key(s.service, s.team) for s in submissions}
    return {t.service.casefold() for t in teams if _key(t.service, t.name) not in returned}


def return_statuses(
    teams: Iterable,
    submissions: Iterable,
    period: Period,
    today: dt.date,
    kinds: Mapping[str, str] | None = None,
) -> list[ReturnStatus]:
    """One status per listed team, plus any team that returned without being on the list, as
    of `today`.

    `teams` have .service and .name; `submissions` (every stored return, superseded ones too,
    oldest first) have .service, .team, .period, .period_kind, .file_name, .ingested_at,
    .received_on, .received_from and .superseded_by. A return received after `today` had
    not arrived on that day. A team's status is judged by the first of its returns for the
    period to arrive (a revision sent later does not make it late), its file is the one
    that counts (the current return, or the latest to have arrived by `today`). A listed
    team whose returns are of the other kind of period is left out (other_kind_notes says
    so); `kinds` gives the kind of a team with no returns yet, by its service (folded).
    """
    due = due_date(period)
    submissions = list(submissions)
    by_team = defaultdict(list)
    for s in submissions:
        if s.period == str(period):
            by_team[_key(s.service, s.team)].append(s)
    arrived = {}
    for key, chain in by_team.items():
        if all(s.superseded_by is not None for s in chain):
            continue  # replaced by a return in another service: that team's now
        days = [(_day(s)[0], s) for s in chain]
        days = [(day, s) for day, s in days if day is None or day <= today]
        if days:
            arrived[key] = days
    kind_of = team_kinds(teams, submissions, kinds)
    statuses = []
    listed = set()
    for team in teams:
        key = _key(team.service, team.name)
        listed.add(key)
        if kind_of.get(key, period.kind) != period.kind:
            continue  # a team that returns 4-week periods has no monthly return, and back
        if key not in arrived:
            statuses.append(
                ReturnStatus(team.service, team.name, _status(due, None, today), due=due)
            )
            continue
        statuses.append(_arrived(team.service, team.name, arrived[key], due, today))
    for key, days in sorted(arrived.items()):
        if key not in listed:
            got = days[-1][1]
            statuses.append(_arrived(got.service, got.team, days, due, today, "not on the list"))
    return sorted(statuses, key=lambda s: (s.service.casefold(), s.team.casefold()))


def _arrived(
    service: str, team: str, days: list, due: dt.date | None, today: dt.date, status: str = ""
) -> ReturnStatus:
    """The status of a team whose returns in `days` ((day, submission), oldest stored first)
    had arrived by `today`: judged by the first to arrive, showing the file that counts."""
    counts = next((s for _, s in days if s.superseded_by is None), days[-1][1])
    known = [(day, s) for day, s in days if day is not None]
    if not known:  # in the store, on a day no text in it says
        return ReturnStatus(service, team, status or "returned", counts.file_name, due=due)
    day, first = min(known, key=lambda pair: pair[0])
    return ReturnStatus(
        service,
        team,
        status or _status(due, day, today),
        counts.file_name,
        day.isoformat(),
        due,
        RECEIVED_FROM.get(_day(first)[1], ""),
    )


def _status(due: dt.date | None, received: dt.date | None, today: dt.date) -> str:
    if received is None:
        if due is None:
            return "not returned"
        return "missing" if today > due else "not yet due"
    if due is None:
        return "returned"
    return "on time" if received <= due else "late"


def other_kind_notes(
    teams: Iterable,
    submissions: Iterable,
    period: Period,
    today: dt.date,
    kinds: Mapping[str, str] | None = None,
) -> list[str]:
    """A sentence for each service whose listed teams return the other kind of period than
    `period`, saying why they are not listed and which period to ask for instead: the latest
    of theirs with a return received by `today`. The store does not know a service's 4-week
    calendar, so it cannot say which 4-week periods fall in a month, nor the other way."""
    teams, submissions = list(teams), list(submissions)
    kind_of = team_kinds(teams, submissions, kinds)
    left_out: dict[str, list[str]] = defaultdict(list)
    services: dict[str, str] = {}
    for team in teams:
        key = _key(team.service, team.name)
        if kind_of.get(key, period.kind) != period.kind:
            left_out[key[0]].append(team.name)
            services.setdefault(key[0], team.service)
    notes = []
    for service_key, names in sorted(left_out.items()):
        service = services[service_key]
        theirs = {_key(service, name) for name in names}
        periods = [
            s.period
            for s in submissions
            if _key(s.service, s.team) in theirs and (_day(s)[0] or dt.date.min) <= today
        ]
        if period.kind == MONTH:
            kind, falls, example = (
                "4-week periods",
                f"which 4-week periods fall in {period}",
                "2026-P07",
            )
        else:
            kind, falls, example = "months", f"which months {period} falls in", "2026-10"
        shown = ", ".join(sorted(names, key=str.casefold))
        one = len(names) == 1
        note = (
            f"{service}: its {'team' if one else 'teams'} {shown} "
            f"{'returns' if one else 'return'} {kind}, not {_kind_name(period)}, so "
            f"{'it is' if one else 'they are'} not listed for {period}. A 4-week period's dates "
            "follow its service's own calendar, which the store does not know, so it cannot "
            f"say {falls}."
        )
        if periods:
            latest = max(periods)  # canonical text sorts as the periods do
            note += f" Their latest return is for {latest}: see it with --period {latest}."
        else:
            note += (
                f" No return of theirs had arrived by {today}: ask for one of their periods "
                f"with --period (for example --period {example})."
            )
        notes.append(note)
    return notes


def _kind_name(period: Period) -> str:
    return "months" if period.kind == MONTH else "4-week periods"
