"""returns: which teams have returned for a period, which are late, which are missing
(service layer)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from workload_xl.core.findings import Refused
from workload_xl.core.period import Period, PeriodError, parse_period, period_kind
from workload_xl.core.tracker import ReturnStatus, other_kind_notes, return_statuses, scheme_asked
from workload_xl.services.options import OptionError
from workload_xl.services.store import open_store


@dataclass(frozen=True)
class ReturnsRun:
    """Each listed (or returning) team's status for one period, as of a day, and why the
    teams that return the other kind of period (months, 4-week periods) are not listed."""

    period: Period
    statuses: list[ReturnStatus]
    notes: tuple[str, ...] = ()

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
    except PeriodError as problem:
        raise OptionError(str(problem), "--period") from None
    day = _today_option(today) if isinstance(today, str) else today or dt.date.today()
    with open_store(store_path) as store:
        submissions = store.submissions()
        teams = expected_teams(store.teams(listed_only=False), submissions, wanted)
    kinds = scheme_period_kinds(scheme_asked(teams, submissions), wanted.kind)
    statuses = return_statuses(teams, submissions, wanted, day, kinds)
    notes = other_kind_notes(teams, submissions, wanted, day, kinds)
    unlisted = unlisted_note(statuses, store_path, listed=bool(teams))
    return ReturnsRun(wanted, statuses, tuple(notes) + ((unlisted,) if unlisted else ()))


def unlisted_note(statuses: list[ReturnStatus], store_path: Path, listed: bool) -> str | None:
    """What to do about teams that sent returns but are not on the list: the tracker can
    say who is missing only of the teams it expects, so it says how to list them (with the
    first such team as the example, quoted for any console), or None when there are none."""
    unlisted = [s for s in statuses if s.status == "not on the list"]
    if not unlisted:
        return None
    example = unlisted[0]
    command = (
        f'workload-xl teams add "{example.team}" --service "{example.service}" '
        f'--store "{store_path}"'
    )
    if not listed:
        return (
            "No team is on the list of teams returns are expected from, so the tracker cannot "
            "say which teams have not returned. List each team you expect returns from, for "
            f"example: {command}"
        )
    one = len(unlisted) == 1
    return (
        f"{len(unlisted)} {'team' if one else 'teams'} sent returns but {'is' if one else 'are'} "
        "not on the list of teams returns are expected from, so a period "
        f"{'it sends' if one else 'they send'} nothing for would not show as missing. To list "
        f"{'it' if one else 'them'}, for example: {command}"
    )


def _today_option(text: str) -> dt.date:
    """The day `returns --today` gives (YYYY-MM-DD); OptionError, in the words of
    `consolidate --received`, for text that is no such day."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise OptionError(
            f"'{text}' is not a date written YYYY-MM-DD. Give the day to show the returns as "
            "they stood on, such as 2026-11-07.",
            "--today",
        ) from None


def scheme_period_kinds(asked: Collection[str], kind: str) -> dict[str, str]:
    """The kind of period each service's scheme measures, by service (folded): how the
    tracker knows a listed team with no returns yet returns 4-week periods. Nothing when the
    scheme folder cannot be used: the tracker needs no scheme, and goes by the returns.

    The tracker asks only of the `asked` services (core.tracker.scheme_asked), and a service
    whose scheme is of the period's `kind`, or of no scheme, is listed alike. So the scheme
    files' first lines (core.scheme_heads) answer, unless one of them says an asked service
    is of the other kind: whether that scheme is sound below its first lines (the full
    loader leaves out a wrong file) then changes what is shown, and the folder is loaded and
    checked whole, as it is when the first lines are unusual."""
    if not asked:  # every listed team has returns, whose kind says: no scheme file is read
        return {}
    from workload_xl.core.scheme_heads import period_kinds

    try:
        heads = period_kinds()
        if heads is not None and all(heads.get(s, kind) == kind for s in asked):
            return heads
        from workload_xl.services.schemes import load_schemes

        registry = load_schemes()
    except Refused:
        return {}
    return {service.casefold(): s.period for s in registry for service in s.services}


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
