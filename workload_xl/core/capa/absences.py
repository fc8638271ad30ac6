"""CAPA absences: what time away costs a team's capacity over a period (core layer)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from workload_xl.core.capa.capacity import (
    choice_slots_per_week,
    core_sessions_per_week,
    delivered,
    new_core_per_quarter,
    new_specific_per_quarter,
    specific_sessions_per_week,
)
from workload_xl.core.capa.plans import Clinician, bad_hours, check_job_plans
from workload_xl.core.capa.settings import (
    ABSENCE_KINDS,
    DEFAULT_SETTINGS,
    CapaSettings,
    check_settings,
)
from workload_xl.core.capa.shared import day, day_or_none, raise_on_errors, weekdays
from workload_xl.core.findings import Finding
from workload_xl.core.rules import finding


@dataclass(frozen=True)
class Absence:
    """A clinician away from `start` to `end`, both days included; `kind` is in ABSENCE_KINDS."""

    clinician: str
    kind: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class AbsenceLoss:
    """What one clinician's absences cost over a period.

    `working_days` counts weekdays away in the period (each once, whatever the kind);
    `planned_days` those only of kinds the working weeks allow for (annual leave). The rest
    cost capacity: `fraction` of the period's weekdays, `weeks` of job plan (days ÷ 5 × 45/52),
    and the Choice slots, new Core and Specific Partnerships and contracted hours those weeks
    hold, in the clinician's own slots (before any co-therapy division).
    """

    clinician: str
    kinds: tuple[str, ...]
    working_days: int
    planned_days: int
    fraction: float
    weeks: float
    choice_slots: float
    new_core: float
    hours: float
    new_specific: float = 0.0


@dataclass(frozen=True)
class CapacityLost:
    """Capacity lost to absences over a period, clinician by clinician, with the findings.

    `period_working_days` counts the weekdays of the period; `period_weeks` the working weeks
    it holds (weekdays ÷ 5 × 45/52: 11.25 for a 13-week quarter). The team totals divide by
    (1 + co-therapy rate), as team capacity does.
    """

    start: dt.date | None
    end: dt.date | None
    period_working_days: int
    period_weeks: float
    losses: tuple[AbsenceLoss, ...]
    team_choice_slots: float
    team_new_core: float
    team_hours: float
    findings: tuple[Finding, ...]
    team_new_specific: float = 0.0
    note: str = ""
    """What the figures leave out and why: the leave the working weeks allow for already."""


def working_days(start: dt.date, end: dt.date) -> int:
    """Weekdays (Monday to Friday) from `start` to `end`, both included; 0 if end is earlier."""
    start, end = day(start), day(end)
    if end < start:
        return 0
    total = (end - start).days + 1
    weeks, extra = divmod(total, 7)
    first = start.weekday()
    return weeks * 5 + sum(1 for k in range(extra) if (first + k) % 7 < 5)


def check_absences(absences: Sequence[Absence], team: Sequence[Clinician]) -> list[Finding]:
    """Every absence that cannot be counted as typed: bad dates, unknown clinician or kind."""
    names = {c.name for c in team}
    found = []
    for absence in absences:
        start, end = day_or_none(absence.start), day_or_none(absence.end)
        if start is None or end is None:
            found.append(
                finding(
                    "capa-absence-dates-invalid",
                    f"{absence.clinician}'s {absence.kind} has no valid start and end date; "
                    "type both as dates.",
                    field="start" if start is None else "end",
                    value=absence.start if start is None else absence.end,
                )
            )
        elif end < start:
            found.append(
                finding(
                    "capa-absence-dates-invalid",
                    f"{absence.clinician}'s {absence.kind} ends on {end:%d %B %Y}, before it "
                    f"starts on {start:%d %B %Y}; check the dates.",
                    field="end",
                    value=absence.end,
                )
            )
        if absence.clinician not in names:
            found.append(
                finding(
                    "capa-absence-clinician-unknown",
                    f"An absence is for {absence.clinician!r}, who has no job plan; it is left "
                    "out until the name matches a job plan.",
                    field="clinician",
                    value=absence.clinician,
                )
            )
        if absence.kind not in ABSENCE_KINDS:
            found.append(
                finding(
                    "capa-absence-kind-unknown",
                    f"{absence.clinician}'s absence is of kind {absence.kind!r}; choose one of "
                    f"{', '.join(ABSENCE_KINDS)}. It is counted as capacity lost.",
                    field="kind",
                    value=absence.kind,
                )
            )
    return found


def capacity_lost(
    team: Sequence[Clinician],
    absences: Sequence[Absence],
    start: dt.date,
    end: dt.date,
    settings: CapaSettings = DEFAULT_SETTINGS,
) -> CapacityLost:
    """What absences cost the team from `start` to `end` (both included).

    An absence counts for the weekdays it shares with the period, so one spanning a quarter
    boundary counts in each quarter for its days there. See the module docstring for why a
    weekday costs 45/52 of a day and why annual leave costs nothing by default. Absences with
    bad dates or for an unknown clinician are findings and left out; a bad period is a finding
    and nothing is counted. Raises Refused for bad settings or job-plan hours.
    """
    raise_on_errors(check_settings(settings) + [f for c in team for f in bad_hours(c)])
    found = check_absences(absences, team)
    first, last = day_or_none(start), day_or_none(end)
    if first is None or last is None or last < first:
        shown = f"{start} to {end}"
        found.append(
            finding(
                "capa-period-invalid",
                f"The period {shown} does not run forwards from a start date to an end date; "
                "check both dates.",
                field="period",
                value=shown,
            )
        )
        return CapacityLost(
            start=first,
            end=last,
            period_working_days=0,
            period_weeks=0.0,
            losses=(),
            team_choice_slots=0.0,
            team_new_core=0.0,
            team_hours=0.0,
            findings=tuple(found),
        )

    period_days = working_days(first, last)
    week_share = settings.working_share
    planned = set(settings.leave_in_working_weeks)
    losses = []
    for clinician in team:
        away: set[dt.date] = set()
        costly: set[dt.date] = set()
        kinds: list[str] = []
        for absence in absences:
            a, b = day_or_none(absence.start), day_or_none(absence.end)
            if absence.clinician != clinician.name or a is None or b is None or b < a:
                continue
            days = weekdays(max(a, first), min(b, last))
            if not days:
                continue
            away |= days
            if absence.kind not in planned:
                costly |= days
            if absence.kind not in kinds:
                kinds.append(absence.kind)
        if not away:
            continue
        weeks = len(costly) / 5 * week_share
        quarters = weeks / settings.working_weeks_per_quarter
        losses.append(
            AbsenceLoss(
                clinician=clinician.name,
                kinds=tuple(kinds),
                working_days=len(away),
                planned_days=len(away - costly),
                fraction=len(costly) / period_days if period_days else 0.0,
                weeks=weeks,
                choice_slots=choice_slots_per_week(clinician, settings) * weeks,
                new_core=new_core_per_quarter(core_sessions_per_week(clinician, settings), settings)
                * quarters,
                hours=float(clinician.contracted_hours) * weeks,
                new_specific=new_specific_per_quarter(
                    specific_sessions_per_week(clinician, settings), settings
                )
                * quarters,
            )
        )
    return CapacityLost(
        start=first,
        end=last,
        period_working_days=period_days,
        period_weeks=period_days / 5 * week_share,
        losses=tuple(losses),
        team_choice_slots=delivered(sum(x.choice_slots for x in losses), settings),
        team_new_core=delivered(sum(x.new_core for x in losses), settings),
        team_hours=sum(x.hours for x in losses),
        findings=tuple(found),
        team_new_specific=delivered(sum(x.new_specific for x in losses), settings),
        note=leave_note(sum(x.planned_days for x in losses), settings),
    )


def leave_note(planned_days: int, settings: CapaSettings = DEFAULT_SETTINGS) -> str:
    """Why leave in the period costs nothing: the working weeks already allow for it, so
    counting it again would take it off capacity twice. Says how many days of it there are."""
    kinds = tuple(settings.leave_in_working_weeks)
    if not kinds:
        return (
            "Every absence is counted as capacity lost: the setting 'leave in working weeks' "
            "names no kind of absence the working weeks allow for already."
        )
    named = kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} and {kinds[-1]}"
    verb, it, them = ("is", "it", "it") if len(kinds) == 1 else ("are", "they", "them")
    weeks = f"{settings.working_weeks_per_year:g}"
    if planned_days:
        days, cost = ("1 day", "costs") if planned_days == 1 else (f"{planned_days} days", "cost")
        found = f"the {days} of {them} in this period {cost} no more capacity"
    else:
        found = "none falls in this period"
    return (
        f"{named[:1].upper()}{named[1:]} {verb} already inside the {weeks} working weeks a "
        f"year, so {it} {verb} not counted twice: {found}."
    )


def check(
    settings: CapaSettings,
    team: Sequence[Clinician] = (),
    absences: Sequence[Absence] = (),
) -> list[Finding]:
    """Every finding about settings, job plans and absences, in one pass."""
    return (
        check_settings(settings) + check_job_plans(team, settings) + check_absences(absences, team)
    )
