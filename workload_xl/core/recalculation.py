"""Where a team's series gets fresh limits: at a period asked for, or a new scheme (core layer).

Limits describe one process. When the scheme is re-valued (a new version, or another scheme),
the same work scores differently from that period on, and charting both as one process would
show the change as a shift. So each team's series gets a new segment, with its own baseline and
limits, from the first period whose scheme or scheme version differs from the period before
it (the team's last period with a return). A known change the store cannot see (a restructure)
is asked for with `--recalculate-at`: `PERIOD` for every series, `TEAM=PERIOD` for one team's
(repeatable). A value that names no team in the report, or no period, is an error in plain
words before anything is charted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from workload_xl.core.period import MONTH, Period, PeriodError, parse_period, period_kind

EXAMPLES = {MONTH: "a month such as 2026-04", "4 weeks": "a 4-week period such as 2026-P04"}


class RecalculationError(ValueError):
    """A --recalculate-at value that cannot be used; the message says why and what to give."""


@dataclass(frozen=True)
class Asked:
    """One --recalculate-at value: a period for every series (team None), or for one team's."""

    given: str
    team: str | None
    period: Period

    def applies_to(self, team: str) -> bool:
        return self.team is None or self.team.casefold() == team.casefold()


def parse_asked(values: Sequence[str]) -> list[Asked]:
    """Each value as PERIOD or TEAM=PERIOD (the team's name may itself hold '='; the period
    never does), its period read as a month or a 4-week period as it is written."""
    asked = []
    for given in values:
        team, equals, text = str(given).rpartition("=")
        team = " ".join(team.split())
        if equals and not team:
            raise RecalculationError(
                f"{given!r}: the team's name before '=' is blank. Give TEAM=PERIOD, such as "
                "North=2026-04, for one team, or a period alone for every team."
            )
        try:
            period = parse_period(text, period_kind(text))
        except PeriodError:
            raise RecalculationError(
                f"{given!r}: {text.strip()!r} is not a period. Give {EXAMPLES[MONTH]} or "
                f"{EXAMPLES['4 weeks']} for every team, or TEAM=PERIOD for one team, such as "
                "North=2026-04."
            ) from None
        asked.append(Asked(str(given), team or None, period))
    return asked


def check_asked(asked: Iterable[Asked], teams: dict[str, str], kinds: Iterable[str]) -> None:
    """Refuse a value for a team with no returns in the report (`teams`: each team's kind of
    period, by name), or a period of a kind no team it applies to has."""
    kinds = set(kinds)
    for one in asked:
        if one.team is None:
            if one.period.kind not in kinds:
                raise RecalculationError(
                    f"{one.given!r}: no team in the report has returns by {_kind(one.period)}. "
                    f"Give {' or '.join(EXAMPLES[k] for k in sorted(kinds))}."
                )
            continue
        found = next((t for t in teams if t.casefold() == one.team.casefold()), None)
        if found is None:
            names = ", ".join(sorted(teams, key=str.casefold)) or "none"
            raise RecalculationError(
                f"{one.given!r}: no team called {one.team!r} has returns in the report (its "
                f"teams: {names}). Give the team's name as its returns give it."
            )
        if teams[found] != one.period.kind:
            raise RecalculationError(
                f"{one.given!r}: {found}'s returns are by {_kind_of(teams[found])}, so give "
                f"{EXAMPLES[teams[found]]}."
            )


def scheme_changes(schemes: Sequence[tuple[str, str] | None]) -> list[tuple[int, str]]:
    """(index, why) for each period whose scheme or scheme version differs from that of the
    last period before it with one; None is a period without a return (or a row from a store
    that kept no version), which neither starts nor hides a change."""
    changes, before = [], None
    for index, scheme in enumerate(schemes):
        if scheme is None or not scheme[1]:
            continue
        if before is not None and scheme != before:
            if scheme[0] == before[0]:
                why = f"the scheme {scheme[0]} changed from version {before[1]} to {scheme[1]}"
            else:
                why = f"the scheme changed from {before[0]} {before[1]} to {scheme[0]} {scheme[1]}"
            changes.append((index, why))
        before = scheme
    return changes


def positions(periods: Sequence[Period], changes: Iterable[Period]) -> tuple[int, ...]:
    """The indices into a series of `periods` where each change starts a new segment: the first
    period at or after it. A change at or before the series' first period, or after its last,
    starts none (there is nothing to compare it with)."""
    found = set()
    for change in changes:
        index = next((i for i, p in enumerate(periods) if p >= change), None)
        if index:
            found.add(index)
    return tuple(sorted(found))


def _kind(period: Period) -> str:
    return _kind_of(period.kind)


def _kind_of(kind: str) -> str:
    return "month" if kind == MONTH else "4-week period"
